"""Frank–Wolfe, conjugate Frank–Wolfe and bi-conjugate Frank–Wolfe, one family with a flag.

References
----------
.. [1] M. Frank and P. Wolfe (1956), "An algorithm for quadratic programming", Naval Research
   Logistics Quarterly 3(1–2), 95–110; L. J. LeBlanc, E. K. Morlok and W. P. Pierskalla (1975),
   "An efficient approach to solving the road network equilibrium traffic assignment problem",
   Transportation Research 9, 309–318.
.. [2] M. Mitradjieva and P. O. Lindberg (2013), "The stiff is moving — conjugate direction
   Frank-Wolfe methods with applications to traffic assignment", Transportation Science 47(2),
   280–293 (CFW and BFW directions).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from caravan.assign._problem import Problem, ProgressFn, Solution
from caravan.assign.aon import all_or_nothing
from caravan.errors import InputError
from caravan.model.arrays import FloatArray

__all__ = ["FW_VARIANTS", "frank_wolfe"]

FW_VARIANTS = ("fw", "cfw", "bfw")
_CONJUGATE_MAX = 0.99999
logger = logging.getLogger(__name__)


def _aon_all_classes(problem: Problem, time: FloatArray) -> tuple[FloatArray, float]:
    target = np.zeros((problem.n_classes, problem.network.n_links))
    sptc = 0.0
    for c in range(problem.n_classes):
        load = all_or_nothing(problem.network, problem.class_cost(c, time), problem.demand[c])
        target[c] = load.flow
        sptc += load.sptc
    return target, sptc


def _line_search(
    problem: Problem, volume: FloatArray, direction: FloatArray, fixed: float
) -> float:
    """Step in [0, 1] minimising the Beckmann objective along ``direction`` (total volume)."""
    net = problem.network
    on = direction != 0.0
    d = direction[on]
    args = (net.free_flow_time[on], net.capacity[on], net.alpha[on], net.beta[on])
    v = volume[on]

    def slope(step: float) -> float:
        return float(np.dot(d, problem.vdf.time(v + step * d, *args))) + fixed

    g0 = slope(0.0)
    if g0 >= 0.0:
        return 0.0
    g1 = slope(1.0)
    if g1 <= 0.0:
        return 1.0
    return _illinois(slope, g0, g1)


def _illinois(slope: Callable[[float], float], g_lo: float, g_hi: float) -> float:
    """Root of an increasing ``slope`` on [0, 1] with ``slope(0) < 0 < slope(1)``.

    The Illinois variant of regula falsi (Dowell & Jarratt 1971): superlinear, always bracketed.
    """
    lo, hi = 0.0, 1.0
    tol = 1e-13 * abs(g_lo)
    side = 0
    step = 0.5
    for _ in range(200):
        step = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
        g = slope(step)
        if abs(g) <= tol or hi - lo <= 1e-15:
            break
        if g < 0.0:
            lo, g_lo = step, g
            if side == -1:
                g_hi /= 2.0
            side = -1
        else:
            hi, g_hi = step, g
            if side == 1:
                g_lo /= 2.0
            side = 1
    return step


def _dot_h(a: FloatArray, hess: FloatArray, b: FloatArray) -> float:
    return float(np.sum(a * hess * b))


def frank_wolfe(
    problem: Problem,
    *,
    variant: str = "bfw",
    gap: float = 1e-4,
    max_iter: int = 1000,
    progress: ProgressFn | None = None,
) -> Solution:
    """Solve user equilibrium with FW, CFW or BFW.

    Each iteration loads all-or-nothing at the current costs, which also yields the relative gap
    *at the current flows*; the loop stops as soon as that gap reaches ``gap``, so the returned
    flows are exactly those whose gap is reported.

    Parameters
    ----------
    problem : Problem
        Stacked network, demand classes and VDF.
    variant : {"fw", "cfw", "bfw"}
        Direction rule.
    gap : float
        Relative-gap target.
    max_iter : int
        Maximum number of iterations (all-or-nothing loads, the first included).
    progress : callable, optional
        Called as ``progress(iteration, relative_gap)`` after every iteration.

    Returns
    -------
    Solution
    """
    if variant not in FW_VARIANTS:
        raise InputError(f"unknown Frank–Wolfe variant {variant!r}; choose one of {FW_VARIANTS}")
    pce = problem.pce
    free_time = problem.link_time(np.zeros(problem.network.n_links))
    flow, _ = _aon_all_classes(problem, free_time)
    history: list[float] = []
    s_prev: FloatArray | None = None
    s_prev2: FloatArray | None = None
    tau = 0.0
    iteration = 1
    while True:
        volume = pce @ flow
        time = problem.link_time(volume)
        target, sptc = _aon_all_classes(problem, time)
        tsc = float(np.sum(flow * (time[None, :] + problem.fixed_cost)))
        rel_gap = (tsc - sptc) / tsc if tsc > 0 else 0.0
        history.append(rel_gap)
        if progress is not None:
            progress(iteration, rel_gap)
        if rel_gap <= gap or iteration >= max_iter:
            break
        iteration += 1
        hess = problem.link_derivative(volume)

        def tot(a: FloatArray) -> FloatArray:
            return np.asarray(pce @ a, dtype=np.float64)

        if variant == "fw" or s_prev is None:
            new_s = target
        elif variant == "cfw" or s_prev2 is None:
            z, y, w = tot(s_prev - flow), tot(target - flow), tot(target - s_prev)
            den = _dot_h(z, hess, w)
            alpha = _dot_h(z, hess, y) / den if den != 0.0 else 0.0
            alpha = min(max(alpha, 0.0), _CONJUGATE_MAX)
            new_s = alpha * s_prev + (1.0 - alpha) * target
        else:
            xbar = tot(tau * s_prev + (1.0 - tau) * s_prev2 - flow)
            y, z, w = tot(target - flow), tot(s_prev - flow), tot(s_prev2 - s_prev)
            den_mu = _dot_h(xbar, hess, w)
            mu = max(0.0, -_dot_h(xbar, hess, y) / den_mu) if den_mu != 0.0 else 0.0
            den_nu = _dot_h(z, hess, z)
            nu = -_dot_h(z, hess, y) / den_nu + mu * tau / (1.0 - tau) if den_nu != 0.0 else 0.0
            nu = max(0.0, nu)
            b0 = 1.0 / (1.0 + mu + nu)
            new_s = b0 * target + nu * b0 * s_prev + mu * b0 * s_prev2
        direction = new_s - flow
        fixed_slope = float(np.sum(pce[:, None] * problem.fixed_cost * direction))
        step = _line_search(problem, volume, tot(direction), fixed_slope)
        flow = flow + step * direction
        if variant == "fw" or step <= 0.0 or step >= 1.0 - 1e-12:
            s_prev, s_prev2 = (None, None) if step <= 0.0 or step >= 1.0 - 1e-12 else (new_s, None)
            if variant == "fw":
                s_prev = None
        else:
            s_prev2, s_prev = s_prev, new_s
        tau = step
        logger.debug("%s iteration %d: gap %.3e step %.3e", variant, iteration, rel_gap, step)
    return Solution(flow, iteration, tuple(history), sptc)
