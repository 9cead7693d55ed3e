"""Volume-delay functions: values, derivatives and integrals, and the awkward parameters."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from caravan.assign.vdf import (
    VDF_REGISTRY,
    get_vdf,
    vdf_derivative_scalar,
    vdf_time_scalar,
)
from caravan.errors import InputError

CASES = [  # volume, fft, capacity, alpha, beta
    (50.0, 2.0, 100.0, 0.15, 4.0),
    (150.0, 1.0, 100.0, 0.5, 1.0),
    (80.0, 0.0, 100.0, 0.15, 4.0),  # zero free-flow time
    (80.0, 3.0, 100.0, 0.0, 0.0),  # constant cost (Barcelona's b = power = 0)
    (80.0, 3.0, 100.0, 0.8, 0.0),  # power 0 with b > 0: constant too
    (0.0, 3.0, 100.0, 0.15, 4.0),  # zero volume
    (30.0, 1.5, 1.0, 2e-9, 16.83),  # Barcelona-like: capacity 1, huge power
]


def _args(case: tuple[float, ...]) -> list[np.ndarray]:
    return [np.array([x]) for x in case]


def test_registry_has_bpr_and_conical() -> None:
    assert {"bpr", "conical"} <= set(VDF_REGISTRY)
    with pytest.raises(InputError, match="choose one of"):
        get_vdf("akcelik")


@pytest.mark.parametrize("name", ["bpr", "conical"])
@pytest.mark.parametrize("case", CASES)
def test_derivative_and_integral_agree_with_time(name: str, case: tuple[float, ...]) -> None:
    if name == "conical":  # Spiess's alpha = 4, beta = 7 / 6 on the same volumes and links
        case = (*case[:3], 4.0, 7.0 / 6.0)
    vdf = get_vdf(name)
    v, *rest = _args(case)
    t = vdf.time(v, *rest)
    d = vdf.derivative(v, *rest)
    assert np.all(np.isfinite(t)) and np.all(np.isfinite(d))
    h = 1e-4 * max(1.0, case[0])
    if case[0] > h:
        numeric = (vdf.time(v + h, *rest) - vdf.time(v - h, *rest)) / (2 * h)
        np.testing.assert_allclose(d, numeric, rtol=1e-5, atol=1e-9)
    area, _ = quad(lambda x: float(vdf.time(np.array([x]), *rest)[0]), 0.0, case[0])
    np.testing.assert_allclose(vdf.integral(v, *rest), area, rtol=1e-7, atol=1e-9)
    code = vdf.code
    assert np.isclose(vdf_time_scalar(code, *case), t[0])
    assert np.isclose(vdf_derivative_scalar(code, *case), d[0])


def test_bpr_power_zero_has_zero_derivative_and_no_nan() -> None:
    bpr = get_vdf("bpr")
    v, fft, cap, a, b = _args((0.0, 0.0, 1.0, 0.0, 0.0))
    assert bpr.time(v, fft, cap, a, b).tolist() == [0.0]
    assert bpr.derivative(v, fft, cap, a, b).tolist() == [0.0]
    assert vdf_derivative_scalar(0, 0.0, 1.0, 1.0, 0.5, 0.0) == 0.0


def test_conical_is_free_flow_at_zero_and_doubles_at_capacity() -> None:
    conical = get_vdf("conical")
    alpha = 4.0
    beta = (2 * alpha - 1) / (2 * alpha - 2)
    args = [np.array([3.0]), np.array([10.0]), np.array([alpha]), np.array([beta])]
    assert np.isclose(conical.time(np.array([0.0]), *args)[0], 3.0)
    assert np.isclose(conical.time(np.array([10.0]), *args)[0], 6.0)
