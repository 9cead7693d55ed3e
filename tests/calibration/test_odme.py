"""GLS origin-destination estimation: hand-checked answers and invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.calibration.constants import update_constants
from caravan.calibration.odme import gls_odme


def test_one_count_over_two_flows_by_hand() -> None:
    # Minimise ((a-10)/5)^2 + ((b-10)/5)^2 + (a+b-30)^2: by symmetry a = b and
    # 2(a-10)/25 + 2(2a-30) = 0 -> a (2/25 + 4) = 20/25 + 60 -> a = 60.8 / 4.08 = 14.90.
    res = gls_odme(
        np.array([10.0, 10.0]),
        np.array([5.0, 5.0]),
        np.array([[1.0, 1.0]]),
        np.array([30.0]),
        np.array([1.0]),
    )
    assert np.allclose(res.tonnes, 60.8 / 4.08, atol=1e-3)


def test_flow_no_count_sees_keeps_its_prior() -> None:
    res = gls_odme(
        np.array([10.0, 7.0]),
        np.array([5.0, 1.0]),
        np.array([[1.0, 0.0]]),
        np.array([20.0]),
        np.array([0.1]),
    )
    assert res.tonnes[1] == 7.0
    assert 19.5 < res.tonnes[0] < 20.0


def test_bounds_hold() -> None:
    res = gls_odme(
        np.array([10.0]),
        np.array([5.0]),
        np.array([[1.0]]),
        np.array([100.0]),
        np.array([1.0]),
        upper_tonnes=np.array([25.0]),
    )
    assert res.tonnes[0] <= 25.0 + 1e-9


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(1.0, 1e6), min_size=1, max_size=6), st.integers(0, 10_000))
def test_counts_that_agree_with_the_prior_leave_it_unchanged(prior: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    t0 = np.array(prior)
    share = rng.uniform(0.0, 1.0, size=(3, len(prior)))
    res = gls_odme(t0, 0.2 * t0, share, share @ t0, 0.05 * (share @ t0) + 1.0)
    assert np.allclose(res.tonnes, t0, rtol=1e-4)


def test_constant_moves_against_the_error() -> None:
    up = update_constants(
        np.zeros(2), np.array([1e6, 1e6]), np.array([2e6, 0.5e6]), theta_per_usd=0.03
    )
    assert up[0] > 0 > up[1]
    assert np.isclose(up[0], -up[1])
    capped = update_constants(np.zeros(1), np.array([1e6]), np.array([1e9]), theta_per_usd=0.001)
    assert capped[0] == 150.0
