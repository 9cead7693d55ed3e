"""The vectorised inverse CDF gives the draws of the scalar one, figure by figure."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.ensemble.spec import Distribution, inverse_cdf, inverse_cdf_many

_FIGURES = st.lists(
    st.tuples(
        st.floats(0.0, 1.0, exclude_max=True),  # u
        st.floats(0.0, 1e4),  # low
        st.floats(0.0, 1e4),  # width (0: no range)
        st.floats(0.0, 1.0),  # where the chosen value sits in the range
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(_FIGURES, st.sampled_from(list(Distribution)))
def test_many_equals_one_by_one(
    figures: list[tuple[float, float, float, float]], dist: Distribution
) -> None:
    u = np.array([f[0] for f in figures])
    low = np.array([f[1] for f in figures])
    high = low + np.array([f[2] for f in figures])
    value = low + (high - low) * np.array([f[3] for f in figures])
    many = inverse_cdf_many(u, value, low, high, dist)
    one = [inverse_cdf(float(u[i]), value[i], low[i], high[i], dist) for i in range(len(figures))]
    np.testing.assert_allclose(many, one, rtol=1e-12, atol=1e-9)


def test_a_wrong_draw_is_caught() -> None:
    u = np.array([0.25])
    many = inverse_cdf_many(
        u, np.array([5.0]), np.array([0.0]), np.array([10.0]), Distribution.UNIFORM
    )
    assert many[0] == 2.5


def test_a_lognormal_over_hundreds_of_decades_neither_raises_nor_differs() -> None:
    # Found by hypothesis: low 9.4e-268, high 1, u near 1 overflowed exp() on the way to a
    # representable draw (the scalar raised OverflowError, the vector gave nan).
    u, value, low, high = 0.99999, 9.389811068397213e-268, 9.389811068397213e-268, 1.0
    one = inverse_cdf(u, value, low, high, Distribution.LOGNORMAL)
    many = inverse_cdf_many(
        np.array([u]), np.array([value]), np.array([low]), np.array([high]), Distribution.LOGNORMAL
    )
    assert np.isfinite(one) and one > high
    np.testing.assert_allclose(many, [one], rtol=1e-12)
