"""Route-choice constants estimated from counts.

Under logit choice a route's share changes with its cost as ``exp(-θ c)``; the classic
constant-adjustment step (Train 2009, section 2.8) moves a constant by the log of the ratio of
predicted to observed shares. In cost units: ``κ <- κ + η ln(modelled / observed) / θ``, so a
place the model overloads becomes dearer to choose and one it starves becomes cheaper. The step
``η`` damps the interaction with origin-destination estimation; constants are bounded.

Train, K. (2009). *Discrete Choice Methods with Simulation*, 2nd ed., Cambridge University
Press, section 2.8 (calibration of constants).
"""

from __future__ import annotations

import numpy as np

from caravan.model.arrays import FloatArray

__all__ = ["update_constants"]


def update_constants(
    constants_usd_per_t: FloatArray,
    observed_tonnes: FloatArray,
    modelled_tonnes: FloatArray,
    *,
    theta_per_usd: float,
    step: float = 0.7,
    bound_usd_per_t: float | FloatArray = 150.0,
    floor_tonnes: float = 1e4,
) -> FloatArray:
    """One damped constant-adjustment step.

    Examples
    --------
    Modelled twice the observed count at θ = 0.03: the constant rises by 0.7 ln 2 / 0.03.

    >>> import numpy as np
    >>> round(float(update_constants(np.zeros(1), np.array([1e6]), np.array([2e6]),
    ...                              theta_per_usd=0.03)[0]), 2)
    16.17
    """
    m = np.maximum(np.asarray(modelled_tonnes, dtype=float), floor_tonnes)
    o = np.maximum(np.asarray(observed_tonnes, dtype=float), floor_tonnes)
    new = np.asarray(constants_usd_per_t, dtype=float) + step * np.log(m / o) / theta_per_usd
    return np.asarray(np.clip(new, -bound_usd_per_t, bound_usd_per_t), dtype=np.float64)
