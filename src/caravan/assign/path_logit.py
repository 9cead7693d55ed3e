"""Stochastic user equilibrium with path-size logit route choice over given route sets.

Each origin-destination flow chooses among its generated routes with path-size logit
probabilities (Ben-Akiva and Bierlaire 1999): ``P_i ∝ exp(-θ c_i + ln PS_i)`` where
``PS_i = Σ_{a∈i} (l_a / L_i) / N_a`` discounts routes that share links with the other routes
of the same flow. Costs rise with volume: every arc may belong to a capacity group (a line, a
border crossing, a port) whose delay grows with its volume-to-capacity ratio by a BPR function.
Flows are averaged by the method of successive averages until they settle (Sheffi 1985, ch. 12).

References
----------
Ben-Akiva, M., Bierlaire, M. (1999). Discrete choice methods and their applications to short
term travel decisions. In Hall, R. (ed.), *Handbook of Transportation Science*, Kluwer, 5-33.

Sheffi, Y. (1985). *Urban Transportation Networks*. Prentice-Hall, chapter 12.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from caravan.model.arrays import FloatArray, IntArray

__all__ = ["RouteSets", "SueResult", "path_size", "solve_path_logit_sue"]


@dataclass(frozen=True)
class RouteSets:
    """Routes of every flow, as flat arrays.

    Parameters
    ----------
    route_ptr : int array, shape (n_routes + 1,)
        Route ``r`` uses arcs ``route_arcs[route_ptr[r]:route_ptr[r + 1]]``.
    route_arcs : int array
        Arc indices of all routes, concatenated.
    route_flow_idx : int array, shape (n_routes,)
        The flow (origin-destination-commodity) each route serves.
    """

    route_ptr: IntArray
    route_arcs: IntArray
    route_flow_idx: IntArray

    @property
    def n_routes(self) -> int:
        """Number of routes."""
        return int(self.route_flow_idx.shape[0])


@dataclass(frozen=True)
class SueResult:
    """Settled flows and costs."""

    route_tonnes: FloatArray
    route_probability: FloatArray
    route_cost_usd_per_t: FloatArray
    route_time_h: FloatArray
    arc_tonnes: FloatArray
    group_tonnes: FloatArray
    group_delay_h: FloatArray
    iterations: int
    relative_change: float
    converged: bool
    history: tuple[float, ...]


def path_size(routes: RouteSets, arc_length_km: FloatArray, n_flows: int) -> FloatArray:
    """Path-size factor of each route among the routes of the same flow.

    Examples
    --------
    Two routes of one flow sharing one of their two equal arcs:

    >>> import numpy as np
    >>> rs = RouteSets(np.array([0, 2, 4]), np.array([0, 1, 0, 2]), np.array([0, 0]))
    >>> path_size(rs, np.array([1.0, 1.0, 1.0]), 1).round(3).tolist()
    [0.75, 0.75]
    """
    n_routes = routes.n_routes
    counts = np.diff(routes.route_ptr)
    route_of_entry = np.repeat(np.arange(n_routes), counts)
    flow_of_entry = routes.route_flow_idx[route_of_entry]
    # N_a per flow: how many of the flow's routes use arc a.
    key = flow_of_entry * (int(arc_length_km.shape[0]) + 1) + routes.route_arcs
    _, inverse, key_counts = np.unique(key, return_inverse=True, return_counts=True)
    n_using = key_counts[inverse].astype(np.float64)
    lengths = arc_length_km[routes.route_arcs]
    route_length = np.bincount(route_of_entry, weights=lengths, minlength=n_routes)
    safe_length = np.where(route_length > 0, route_length, 1.0)
    share = np.where(
        route_length[route_of_entry] > 0,
        lengths / safe_length[route_of_entry] / n_using,
        1.0 / counts[route_of_entry] / n_using,
    )
    ps = np.bincount(route_of_entry, weights=share, minlength=n_routes)
    del n_flows
    return np.clip(ps, 1e-12, 1.0)


def _logit(
    cost: FloatArray, log_ps: FloatArray, flow_idx: IntArray, theta: FloatArray, n_flows: int
) -> FloatArray:
    utility = -theta[flow_idx] * cost + log_ps
    best = np.full(n_flows, -np.inf)
    np.maximum.at(best, flow_idx, utility)
    weight = np.exp(utility - best[flow_idx])
    total = np.bincount(flow_idx, weights=weight, minlength=n_flows)
    return np.asarray(weight / total[flow_idx], dtype=np.float64)


def solve_path_logit_sue(
    routes: RouteSets,
    *,
    flow_tonnes: FloatArray,
    flow_theta_per_usd: FloatArray,
    flow_value_of_time_usd_per_t_h: FloatArray,
    arc_money_usd_per_t: FloatArray,
    arc_time_h: FloatArray,
    arc_risk_usd_per_t: FloatArray,
    arc_length_km: FloatArray,
    arc_group_idx: IntArray,
    group_capacity_t: FloatArray,
    group_base_delay_h: FloatArray,
    alpha: float = 0.15,
    beta: float = 4.0,
    max_iter: int = 50,
    tolerance: float = 1e-3,
    progress: Callable[[int, float], None] | None = None,
) -> SueResult:
    """Settle route flows under path-size logit choice and capacity delays.

    Parameters
    ----------
    routes : RouteSets
        Candidate routes of every flow.
    flow_tonnes : float array, shape (n_flows,)
        Tonnes a year of each flow.
    flow_theta_per_usd : float array
        Logit scale of each flow, per USD/t of cost difference.
    flow_value_of_time_usd_per_t_h : float array
        Value of time of each flow's cargo.
    arc_money_usd_per_t, arc_time_h, arc_risk_usd_per_t, arc_length_km : float arrays
        Free-flow cost components of each arc.
    arc_group_idx : int array
        Capacity group of each arc (``-1``: unconstrained).
    group_capacity_t : float array
        Capacity of each group in tonnes a year.
    group_base_delay_h : float array
        Delay scale of each group: its delay is ``base * alpha * (v / c) ** beta`` hours.
    alpha, beta : float
        BPR parameters of the delay function.
    max_iter : int
        Iteration cap of the method of successive averages.
    tolerance : float
        Stop when the largest change of a route's share between iterations falls below it.
    progress : callable, optional
        Called with ``(iteration, relative_change)`` after each iteration.

    Returns
    -------
    SueResult

    Examples
    --------
    One flow of 10 t, two disjoint routes of equal cost, no congestion: half each.

    >>> import numpy as np
    >>> rs = RouteSets(np.array([0, 1, 2]), np.array([0, 1]), np.array([0, 0]))
    >>> res = solve_path_logit_sue(
    ...     rs, flow_tonnes=np.array([10.0]), flow_theta_per_usd=np.array([0.1]),
    ...     flow_value_of_time_usd_per_t_h=np.array([1.0]),
    ...     arc_money_usd_per_t=np.array([5.0, 5.0]), arc_time_h=np.array([1.0, 1.0]),
    ...     arc_risk_usd_per_t=np.zeros(2), arc_length_km=np.array([100.0, 100.0]),
    ...     arc_group_idx=np.array([-1, -1]), group_capacity_t=np.zeros(0),
    ...     group_base_delay_h=np.zeros(0))
    >>> res.route_tonnes.tolist()
    [5.0, 5.0]
    """
    n_flows = int(flow_tonnes.shape[0])
    n_arcs = int(arc_time_h.shape[0])
    n_groups = int(group_capacity_t.shape[0])
    counts = np.diff(routes.route_ptr)
    n_routes = routes.n_routes
    route_of_entry = np.repeat(np.arange(n_routes), counts)
    flow_idx = routes.route_flow_idx
    log_ps = np.log(path_size(routes, arc_length_km, n_flows))
    vot_entry = flow_value_of_time_usd_per_t_h[flow_idx][route_of_entry]
    arcs = routes.route_arcs
    fixed_entry = arc_money_usd_per_t[arcs] + arc_risk_usd_per_t[arcs]
    in_group = arc_group_idx >= 0
    safe_cap = np.where(group_capacity_t > 0, group_capacity_t, np.inf)

    def costs(group_tonnes: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        ratio = group_tonnes / safe_cap
        delay = group_base_delay_h * alpha * np.power(ratio, beta)
        arc_delay = np.zeros(n_arcs)
        arc_delay[in_group] = delay[arc_group_idx[in_group]]
        time_entry = arc_time_h[arcs] + arc_delay[arcs]
        route_time = np.bincount(route_of_entry, weights=time_entry, minlength=n_routes).astype(
            np.float64
        )
        cost_entry = fixed_entry + vot_entry * time_entry
        route_cost = np.bincount(route_of_entry, weights=cost_entry, minlength=n_routes).astype(
            np.float64
        )
        return route_cost, route_time, delay

    def load(route_tonnes: FloatArray) -> tuple[FloatArray, FloatArray]:
        arc_t = np.bincount(arcs, weights=route_tonnes[route_of_entry], minlength=n_arcs).astype(
            np.float64
        )
        group_t = np.bincount(
            arc_group_idx[in_group], weights=arc_t[in_group], minlength=n_groups
        ).astype(np.float64)
        return arc_t, group_t

    cost, time_h, delay = costs(np.zeros(n_groups))
    share = _logit(cost, log_ps, flow_idx, flow_theta_per_usd, n_flows)
    history: list[float] = []
    change = np.inf
    iterations = 0
    for iteration in range(1, max_iter + 1):
        iterations = iteration
        _, group_t = load(share * flow_tonnes[flow_idx])
        cost, time_h, delay = costs(group_t)
        target = _logit(cost, log_ps, flow_idx, flow_theta_per_usd, n_flows)
        step = 1.0 / (iteration + 1)
        new_share = share + step * (target - share)
        change = float(np.max(np.abs(target - share))) if n_routes else 0.0
        share = new_share
        history.append(change)
        if progress is not None:
            progress(iteration, change)
        if change < tolerance or n_groups == 0:
            break
    route_tonnes = share * flow_tonnes[flow_idx]
    arc_t, group_t = load(route_tonnes)
    cost, time_h, delay = costs(group_t)
    return SueResult(
        route_tonnes=route_tonnes,
        route_probability=share,
        route_cost_usd_per_t=cost,
        route_time_h=time_h,
        arc_tonnes=arc_t,
        group_tonnes=group_t,
        group_delay_h=delay,
        iterations=iterations,
        relative_change=change,
        converged=bool(change < tolerance or n_groups == 0),
        history=tuple(history),
    )
