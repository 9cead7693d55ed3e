"""Volume-delay functions: link travel time as a function of link volume, in a registry.

Each function takes per-link arrays ``(volume, free_flow_time, capacity, alpha, beta)`` and returns
the travel time, its derivative with respect to volume, or its integral from 0 to ``volume`` (the
Beckmann objective). Time is in the network's time unit (the unit of ``free_flow_time``).

* ``"bpr"`` (Bureau of Public Roads 1964): ``t = fft * (1 + alpha * (v / cap) ** beta)``.
  ``alpha == 0`` or ``beta == 0`` give a constant time; the derivative at zero volume is 0 for
  ``beta != 1``.
* ``"conical"`` (Spiess 1990, "Conical volume-delay functions", Transportation Science 24(2)):
  ``t = fft * (2 + sqrt(alpha**2 * (1 - x)**2 + beta**2) - alpha * (1 - x) - beta)`` with
  ``x = v / cap``; Spiess sets ``beta = (2 * alpha - 1) / (2 * alpha - 2)`` so that ``t(0) = fft``.

The numba scalar forms (``vdf_time_scalar``, ``vdf_derivative_scalar``) take the registry's integer
``code`` and serve the path-based algorithm's inner loops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from caravan._numba import load_numba
from caravan.errors import InputError
from caravan.model.arrays import FloatArray

load_numba()  # before any kernel runs: see caravan._numba

__all__ = [
    "VDF_REGISTRY",
    "VolumeDelayFunction",
    "bpr_derivative",
    "bpr_integral",
    "bpr_time",
    "conical_derivative",
    "conical_integral",
    "conical_time",
    "get_vdf",
    "vdf_derivative_scalar",
    "vdf_time_scalar",
]

VdfArrayFn = Callable[[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]

BPR_CODE = 0
CONICAL_CODE = 1


def bpr_time(
    volume: FloatArray, fft: FloatArray, capacity: FloatArray, alpha: FloatArray, beta: FloatArray
) -> FloatArray:
    """BPR travel time.

    Examples
    --------
    >>> one = np.ones(1)
    >>> bpr_time(np.array([2.0]), one, one, 0.15 * one, 4 * one).tolist()
    [3.4]
    """
    x = volume / capacity
    congested = np.where(alpha == 0.0, 0.0, alpha * np.power(x, beta))
    return np.asarray(fft * (1.0 + congested), dtype=np.float64)


def bpr_derivative(
    volume: FloatArray, fft: FloatArray, capacity: FloatArray, alpha: FloatArray, beta: FloatArray
) -> FloatArray:
    """Derivative of BPR travel time with respect to volume (0 where beta is 0).

    Examples
    --------
    >>> one = np.ones(1)
    >>> bpr_derivative(np.array([2.0]), one, one, 0.15 * one, 4 * one).tolist()
    [4.8]
    """
    x = volume / capacity
    safe_x = np.where(x > 0.0, x, 1.0)
    power = np.where(x > 0.0, np.power(safe_x, beta - 1.0), np.where(beta == 1.0, 1.0, 0.0))
    deriv = np.where((alpha == 0.0) | (beta == 0.0), 0.0, fft * alpha * beta * power / capacity)
    return np.asarray(deriv, dtype=np.float64)


def bpr_integral(
    volume: FloatArray, fft: FloatArray, capacity: FloatArray, alpha: FloatArray, beta: FloatArray
) -> FloatArray:
    """Integral of BPR travel time from 0 to ``volume``.

    Examples
    --------
    >>> one = np.ones(1)
    >>> bpr_integral(np.array([2.0]), one, one, 0.15 * one, 4 * one).round(6).tolist()
    [2.96]
    """
    x = volume / capacity
    extra = np.where(alpha == 0.0, 0.0, alpha * capacity / (beta + 1.0) * np.power(x, beta + 1.0))
    return np.asarray(fft * (volume + extra), dtype=np.float64)


def conical_time(
    volume: FloatArray, fft: FloatArray, capacity: FloatArray, alpha: FloatArray, beta: FloatArray
) -> FloatArray:
    """Conical travel time (Spiess 1990).

    Examples
    --------
    >>> one = np.ones(1)
    >>> conical_time(np.array([0.0]), one, one, 4 * one, 7 / 6 * one).round(12).tolist()
    [1.0]
    """
    u = 1.0 - volume / capacity
    root = np.sqrt(alpha**2 * u**2 + beta**2)
    return np.asarray(fft * (2.0 + root - alpha * u - beta), dtype=np.float64)


def conical_derivative(
    volume: FloatArray, fft: FloatArray, capacity: FloatArray, alpha: FloatArray, beta: FloatArray
) -> FloatArray:
    """Derivative of conical travel time with respect to volume.

    Examples
    --------
    >>> one = np.ones(1)
    >>> conical_derivative(np.array([1.0]), one, one, 4 * one, 7 / 6 * one).round(12).tolist()
    [4.0]
    """
    u = 1.0 - volume / capacity
    root = np.sqrt(alpha**2 * u**2 + beta**2)
    safe_root = np.where(root > 0.0, root, 1.0)
    inner = np.where(root > 0.0, alpha - alpha**2 * u / safe_root, alpha)
    return np.asarray(fft * inner / capacity, dtype=np.float64)


def conical_integral(
    volume: FloatArray, fft: FloatArray, capacity: FloatArray, alpha: FloatArray, beta: FloatArray
) -> FloatArray:
    """Integral of conical travel time from 0 to ``volume``.

    Examples
    --------
    >>> one = np.ones(1)
    >>> conical_integral(np.array([1e-9]), one, one, 4 * one, 7 / 6 * one).round(12).tolist()
    [1e-09]
    """
    x = volume / capacity
    b2 = beta**2

    def prim(u: FloatArray) -> FloatArray:
        r = np.sqrt(u**2 + b2)
        arg = np.where(u + r > 0.0, u + r, 1.0)
        log_term = np.where(b2 > 0.0, b2 / 2.0 * np.log(arg), 0.0)
        return np.asarray(u / 2.0 * r + log_term, dtype=np.float64)

    safe_alpha = np.where(alpha > 0.0, alpha, 1.0)
    root_part = np.where(
        alpha > 0.0,
        (prim(safe_alpha) - prim(safe_alpha * (1.0 - x))) / safe_alpha,
        np.abs(beta) * x,
    )
    linear_part = (2.0 - beta) * x - alpha * (x - x**2 / 2.0)
    return np.asarray(fft * capacity * (linear_part + root_part), dtype=np.float64)


@dataclass(frozen=True)
class VolumeDelayFunction:
    """A volume-delay function: time, derivative and integral over per-link arrays.

    Attributes
    ----------
    name : str
        Registry key.
    code : int
        Integer code understood by the numba scalar forms.
    time, derivative, integral : callable
        ``f(volume, free_flow_time, capacity, alpha, beta) -> ndarray``.
    """

    name: str
    code: int
    time: VdfArrayFn
    derivative: VdfArrayFn
    integral: VdfArrayFn


VDF_REGISTRY: dict[str, VolumeDelayFunction] = {
    "bpr": VolumeDelayFunction("bpr", BPR_CODE, bpr_time, bpr_derivative, bpr_integral),
    "conical": VolumeDelayFunction(
        "conical", CONICAL_CODE, conical_time, conical_derivative, conical_integral
    ),
}


def get_vdf(name: str) -> VolumeDelayFunction:
    """The registered volume-delay function called ``name``.

    Raises
    ------
    InputError
        If no function has that name.

    Examples
    --------
    >>> get_vdf("bpr").code
    0
    """
    try:
        return VDF_REGISTRY[name]
    except KeyError:
        msg = f"unknown volume-delay function {name!r}; choose one of {sorted(VDF_REGISTRY)}"
        raise InputError(msg) from None


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def vdf_time_scalar(
    code: int, volume: float, fft: float, capacity: float, alpha: float, beta: float
) -> Any:
    """Travel time of one link (numba; ``code`` from the registry)."""
    x = volume / capacity
    if code == BPR_CODE:
        if alpha == 0.0:
            return fft
        return fft * (1.0 + alpha * x**beta)
    u = 1.0 - x
    return fft * (2.0 + np.sqrt(alpha * alpha * u * u + beta * beta) - alpha * u - beta)


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def vdf_derivative_scalar(
    code: int, volume: float, fft: float, capacity: float, alpha: float, beta: float
) -> Any:
    """Derivative of one link's travel time with respect to volume (numba)."""
    x = volume / capacity
    if code == BPR_CODE:
        if alpha == 0.0 or beta == 0.0:
            return 0.0
        if x > 0.0:
            return fft * alpha * beta * x ** (beta - 1.0) / capacity
        return fft * alpha / capacity if beta == 1.0 else 0.0
    u = 1.0 - x
    root = np.sqrt(alpha * alpha * u * u + beta * beta)
    if root > 0.0:
        return fft * (alpha - alpha * alpha * u / root) / capacity
    return fft * alpha / capacity
