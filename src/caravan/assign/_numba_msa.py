"""The method of successive averages of :func:`caravan.assign.path_logit.solve_path_logit_sue`
as one numba kernel.

The same iterations, step for step, as the NumPy loop it replaces: group loads summed route
entry by route entry in the order ``np.bincount`` sums them, the BPR delay and queue price of
each priced entry added to its route in entry order, the path-size logit shares of each flow
from its largest utility, and the averaging step ``1 / (iteration + 1)``. Only the Python and
NumPy call overhead of each iteration goes (~15 array operations an iteration, each a few
microseconds on a few thousand entries; an ensemble draw on the shipped atlas makes thousands
of iterations). ``exp`` and ``pow`` are LLVM's rather than NumPy's vectorised ones, so shares
may differ from the NumPy loop's in the last bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from caravan._numba import load_numba

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["msa_kernel"]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def msa_kernel(
    share: Any,
    route_tonnes_per_share: Any,
    route_free_cost: Any,
    route_theta: Any,
    log_ps: Any,
    flow_idx: Any,
    n_flows: Any,
    g_route: Any,
    g_group: Any,
    g_vot: Any,
    price: Any,
    group_delay_scale_h: Any,
    safe_capacity: Any,
    beta: Any,
    max_iter: Any,
    tolerance: Any,
) -> Any:
    """Average the shares ``share`` (updated in place) until the largest change of a share
    falls below ``tolerance`` or ``max_iter`` iterations are done (one when there are no
    groups). ``group_delay_scale_h`` is each group's delay scale times the BPR alpha.

    Returns the last change, the iterations done and the change after each iteration.
    """
    n_routes = share.shape[0]
    n_groups = safe_capacity.shape[0]
    n_entries = g_route.shape[0]
    history = np.zeros(max(max_iter, 0))
    load = np.zeros(n_groups)
    delay = np.zeros(n_groups)
    extra = np.zeros(n_routes)
    utility = np.zeros(n_routes)
    target = np.zeros(n_routes)
    best = np.zeros(n_flows)
    total = np.zeros(n_flows)
    change = np.inf
    done = 0
    for iteration in range(1, max_iter + 1):
        done = iteration
        load[:] = 0.0
        for e in range(n_entries):
            r = g_route[e]
            load[g_group[e]] += share[r] * route_tonnes_per_share[r]
        for g in range(n_groups):
            delay[g] = group_delay_scale_h[g] * (load[g] / safe_capacity[g]) ** beta
        extra[:] = 0.0
        for e in range(n_entries):
            g = g_group[e]
            extra[g_route[e]] += g_vot[e] * delay[g] + price[g]
        best[:] = -np.inf
        for r in range(n_routes):
            u = -route_theta[r] * (route_free_cost[r] + extra[r]) + log_ps[r]
            utility[r] = u
            f = flow_idx[r]
            if u > best[f]:
                best[f] = u
        total[:] = 0.0
        for r in range(n_routes):
            w = np.exp(utility[r] - best[flow_idx[r]])
            target[r] = w
            total[flow_idx[r]] += w
        change = 0.0
        for r in range(n_routes):
            t = target[r] / total[flow_idx[r]]
            d = t - share[r]
            if abs(d) > change:
                change = abs(d)
            share[r] = share[r] + d / (iteration + 1)
        history[iteration - 1] = change
        if change < tolerance or n_groups == 0:
            break
    return change, done, history
