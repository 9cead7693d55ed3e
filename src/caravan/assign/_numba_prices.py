"""The queue-price rule of :func:`caravan.assign.path_logit.queue_price_rounds` as numba kernels.

Every step of the rule is group by group (bracket, secant response, Newton step or bisection,
clipped), so a loop over the groups does what ~35 NumPy calls on arrays of a few dozen groups
did, with the same arithmetic in the same order (only +, -, *, / and comparisons: the same
numbers). An ensemble draw on the shipped atlas makes ~150 rounds, each paying that overhead.
"""

from __future__ import annotations

from typing import Any

from numba import njit

from caravan._numba import load_numba

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["bounds_status", "price_step"]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def bounds_status(tonnes: Any, capped: Any, price: Any, tolerance: Any) -> Any:
    """Whether every group is within ``(1 + tolerance)`` of its capacity, and whether a priced
    group has more than ``tolerance`` of its capacity to spare."""
    within = True
    any_slack = False
    for g in range(tonnes.shape[0]):
        ratio = tonnes[g] / capped[g]
        if ratio > 1.0 + tolerance:
            within = False
        if price[g] > 0 and ratio < 1.0 - tolerance:
            any_slack = True
    return within, any_slack


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def price_step(
    price: Any,
    low: Any,
    high: Any,
    last_price: Any,
    last_tonnes: Any,
    has_last: Any,
    tonnes: Any,
    capped: Any,
    sensitivity: Any,
    tolerance: Any,
    max_price: Any,
) -> None:
    """One round of the rule, in place on ``price``, its bracket ``low``/``high`` and the last
    round's prices and tonnes (``has_last``: whether there was one)."""
    for g in range(price.shape[0]):
        p = price[g]
        t = tonnes[g]
        cap = capped[g]
        ratio = t / cap
        over = ratio > 1.0 + tolerance
        slack = p > 0 and ratio < 1.0 - tolerance
        lo = low[g]
        hi = high[g]
        if over and p > lo:
            lo = p
        if slack and p < hi:
            hi = p
        # a bracket shrunk to nothing while its group is still out of bounds: reopen it
        width = 1e-3 * hi
        if width < 1e-3:
            width = 1e-3
        stuck = (hi - lo) <= width
        if over and stuck:
            hi = max_price
        if slack and stuck:
            lo = 0.0
        if lo >= hi:
            lo = 0.0
            hi = max_price
        target = t - cap * (1.0 + 0.5 * tolerance)
        d = sensitivity[g]
        if has_last:
            # secant: the response seen since the last round
            step = p - last_price[g]
            moved = abs(step) > 1e-9
            seen = (last_tonnes[g] - t) / (step if moved else 1.0)
            if moved and seen > 0:
                d = seen
        last_price[g] = p
        last_tonnes[g] = t
        floor = 1e-12 * cap + 1e-300
        newton = p + target / (d if d > floor else floor)
        inside = newton > lo and newton < hi and d > 1e-9 * cap
        mid = 0.5 * (lo + hi)
        if over and hi >= max_price:
            bisect = 2.0 * lo if 2.0 * lo > lo + 25.0 else lo + 25.0
        else:
            bisect = mid
        candidate = newton if inside else bisect
        if over or slack:
            if candidate < 0.0:
                candidate = 0.0
            if candidate > max_price:
                candidate = max_price
            price[g] = candidate
        low[g] = lo
        high[g] = hi
