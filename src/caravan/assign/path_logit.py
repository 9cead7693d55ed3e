"""Stochastic user equilibrium with path-size logit route choice over given route sets.

Each origin-destination flow chooses among its generated routes with path-size logit
probabilities (Ben-Akiva and Bierlaire 1999): ``P_i ∝ exp(-θ c_i + ln PS_i)`` where
``PS_i = Σ_{a∈i} (l_a / L_i) / N_a`` discounts routes that share links with the other routes
of the same flow. Costs rise with volume: every arc may belong to a capacity group (a line, a
border crossing, a port) whose delay grows with its volume-to-capacity ratio by a BPR function.
Flows are averaged by the method of successive averages until they settle (Sheffi 1985, ch. 12).

With ``capacity_tolerance`` given, capacity is a side constraint: a group may carry at most
``(1 + capacity_tolerance)`` times its capacity. Each group then gets a queue price (US$/t, the
Lagrange multiplier of its constraint: what a tonne pays in queueing or slot charges when the
facility is full), added to the cost of every route through it and raised or lowered by a
Newton step on the dual until every group is within its capacity and every priced group is
full (Larsson and Patriksson 1995, 1999: side-constrained traffic equilibrium, whose
multipliers are queueing delays at saturated links).

References
----------
Ben-Akiva, M., Bierlaire, M. (1999). Discrete choice methods and their applications to short
term travel decisions. In Hall, R. (ed.), *Handbook of Transportation Science*, Kluwer, 5-33.

Sheffi, Y. (1985). *Urban Transportation Networks*. Prentice-Hall, chapter 12.

Larsson, T., Patriksson, M. (1995). An augmented Lagrangean dual algorithm for link capacity
side constrained traffic assignment problems. *Transportation Research B* 29(6), 433-455.

Larsson, T., Patriksson, M. (1999). Side constrained traffic equilibrium models - analysis,
computation and applications. *Transportation Research B* 33(4), 233-264.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from caravan.model.arrays import FloatArray, IntArray

__all__ = [
    "MAX_PRICE_ROUNDS",
    "MAX_QUEUE_PRICE_USD_PER_T",
    "RouteSets",
    "SueResult",
    "path_size",
    "queue_price_rounds",
    "solve_path_logit_sue",
]

#: Rounds of queue-price updates at most (each settles the flows again). 40 were too few once the
#: calibrated logit scale doubled (0.03 -> 0.06 US$/t^-1): russia-to-chabahar stopped with
#: Torkham 2.4% over capacity in summer; it settles in fewer than 80. After the south
#: recalibration (Bandar Abbas counted at entry) red-sea-closure ran out of 80 rounds with
#: Torugart 16% over; it settles within 160 (1,701 iterations, ~3 s CPU).
MAX_PRICE_ROUNDS = 160
#: A queue price never rises above this (a group no flow can avoid stays over capacity).
MAX_QUEUE_PRICE_USD_PER_T = 5_000.0


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

    # What depends on the routes alone is found once per route set (an ensemble solves the
    # same route sets thousands of times, with other costs and lengths).

    @cached_property
    def route_of_entry(self) -> IntArray:
        """The route of each entry of ``route_arcs``."""
        return np.repeat(np.arange(self.n_routes), np.diff(self.route_ptr))

    @cached_property
    def n_sharing(self) -> FloatArray:
        """For each entry of ``route_arcs``, how many routes of its flow use its arc."""
        flow_of_entry = self.route_flow_idx[self.route_of_entry]
        span = int(self.route_arcs.max()) + 1 if self.route_arcs.size else 1
        key = flow_of_entry * span + self.route_arcs
        _, inverse, key_counts = np.unique(key, return_inverse=True, return_counts=True)
        return np.asarray(key_counts[inverse], dtype=np.float64)

    @cached_property
    def by_flow(self) -> tuple[IntArray, IntArray, IntArray]:
        """The routes sorted by flow (stable), where each flow starts, and those flows."""
        order = np.argsort(self.route_flow_idx, kind="stable")
        ordered = self.route_flow_idx[order]
        new_flow = np.r_[True, ordered[1:] != ordered[:-1]] if ordered.size else ordered > 0
        starts = np.flatnonzero(new_flow)
        return order, starts, ordered[starts]


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
    #: Queue price of each capacity group, US$/t (zeros without ``capacity_tolerance``).
    group_price_usd_per_t: FloatArray = field(default_factory=lambda: np.zeros(0))
    #: Whether every group is within its capacity tolerance (True without one).
    within_capacity: bool = True


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
    route_of_entry = routes.route_of_entry
    n_using = routes.n_sharing  # N_a per flow: how many of the flow's routes use arc a
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


class _ByFlow:
    """Routes sorted by flow, to take each flow's largest value with one ``reduceat``
    (``np.maximum.at`` falls back to a slow loop on arrays that came through pickle, as a
    worker process receives them)."""

    def __init__(self, routes: RouteSets, n_flows: int) -> None:
        self.order, self.starts, self.flows = routes.by_flow
        self.n_flows = n_flows

    def maximum(self, values: FloatArray) -> FloatArray:
        """Largest value of each flow's routes (``-inf`` for a flow without routes)."""
        best = np.full(self.n_flows, -np.inf)
        if self.starts.size:
            best[self.flows] = np.maximum.reduceat(values[self.order], self.starts)
        return best


def _logit(
    cost: FloatArray, log_ps: FloatArray, flow_idx: IntArray, theta: FloatArray, by_flow: _ByFlow
) -> FloatArray:
    n_flows = by_flow.n_flows
    utility = -theta[flow_idx] * cost + log_ps
    best = by_flow.maximum(utility)
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
    capacity_tolerance: float | None = None,
    initial_price_usd_per_t: FloatArray | None = None,
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
    capacity_tolerance : float, optional
        Keep every group within ``(1 + capacity_tolerance)`` of its capacity with queue prices
        (see the module docstring); ``None``: capacity acts through the delay only.
    initial_price_usd_per_t : float array, optional
        Queue prices to start from (a previous solution's), by group.

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
    n_routes = routes.n_routes
    route_of_entry = routes.route_of_entry
    flow_idx = routes.route_flow_idx
    log_ps = np.log(path_size(routes, arc_length_km, n_flows))
    by_flow = _ByFlow(routes, n_flows)
    vot_entry = flow_value_of_time_usd_per_t_h[flow_idx][route_of_entry]
    arcs = routes.route_arcs
    fixed_entry = arc_money_usd_per_t[arcs] + arc_risk_usd_per_t[arcs]
    in_group = arc_group_idx >= 0
    safe_cap = np.where(group_capacity_t > 0, group_capacity_t, np.inf)

    group_entry = np.where(in_group[arcs], arc_group_idx[arcs], -1)
    priced_entry = group_entry >= 0
    price = (
        np.zeros(n_groups)
        if initial_price_usd_per_t is None or capacity_tolerance is None
        else np.array(initial_price_usd_per_t, dtype=np.float64)
    )

    # What does not depend on the volumes is summed once per route; an iteration then adds
    # only the entries of arcs in a capacity group (their delay and queue price).
    free_time_entry = arc_time_h[arcs]
    route_free_time = np.bincount(route_of_entry, weights=free_time_entry, minlength=n_routes)
    route_free_cost = np.bincount(
        route_of_entry, weights=fixed_entry + vot_entry * free_time_entry, minlength=n_routes
    )
    g_route = route_of_entry[priced_entry]
    g_group = group_entry[priced_entry]
    g_vot = vot_entry[priced_entry]

    def costs(group_tonnes: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        ratio = group_tonnes / safe_cap
        delay = group_base_delay_h * alpha * np.power(ratio, beta)
        g_delay = delay[g_group]
        route_time = route_free_time + np.bincount(g_route, weights=g_delay, minlength=n_routes)
        route_cost = route_free_cost + np.bincount(
            g_route, weights=g_vot * g_delay + price[g_group], minlength=n_routes
        )
        return np.asarray(route_cost, np.float64), np.asarray(route_time, np.float64), delay

    def group_load(route_tonnes: FloatArray) -> FloatArray:
        return np.bincount(g_group, weights=route_tonnes[g_route], minlength=n_groups).astype(
            np.float64
        )

    def load(route_tonnes: FloatArray) -> tuple[FloatArray, FloatArray]:
        arc_t = np.bincount(arcs, weights=route_tonnes[route_of_entry], minlength=n_arcs).astype(
            np.float64
        )
        return arc_t, group_load(route_tonnes)

    def settle(share: FloatArray, first: int) -> tuple[FloatArray, float, int]:
        """Method of successive averages from ``share``; iterations are counted on from
        ``first`` for the progress report."""
        change = np.inf
        done = 0
        for iteration in range(1, max_iter + 1):
            done = iteration
            cost, _, _ = costs(group_load(share * flow_tonnes[flow_idx]))
            target = _logit(cost, log_ps, flow_idx, flow_theta_per_usd, by_flow)
            change = float(np.max(np.abs(target - share))) if n_routes else 0.0
            share = share + (target - share) / (iteration + 1)
            history.append(change)
            if progress is not None:
                progress(first + iteration, change)
            if change < tolerance or n_groups == 0:
                break
        return share, change, done

    history: list[float] = []
    cost, time_h, delay = costs(np.zeros(n_groups))
    share = _logit(cost, log_ps, flow_idx, flow_theta_per_usd, by_flow)
    share, change, iterations = settle(share, 0)
    within = True
    if capacity_tolerance is not None and n_groups:
        share, change, iterations, within = queue_price_rounds(
            share,
            change,
            iterations,
            settle=settle,
            load=lambda s: group_load(s * flow_tonnes[flow_idx]),
            price=price,
            capacity=group_capacity_t,
            tolerance=capacity_tolerance,
            sensitivity=_sensitivity(
                group_entry, route_of_entry, flow_idx, flow_theta_per_usd, flow_tonnes, n_groups
            ),
            settled_below=tolerance,
        )
    route_tonnes = share * flow_tonnes[flow_idx]
    arc_t, group_t = load(route_tonnes)
    cost, time_h, delay = costs(group_t)
    converged = bool(change < tolerance or n_groups == 0) and within
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
        converged=converged,
        history=tuple(history),
        group_price_usd_per_t=price.copy(),
        within_capacity=within,
    )


def _sensitivity(
    group_entry: IntArray,
    route_of_entry: IntArray,
    flow_idx: IntArray,
    theta: FloatArray,
    flow_tonnes: FloatArray,
    n_groups: int,
) -> Callable[[FloatArray], FloatArray]:
    """How fast each group's tonnes fall as its own price rises, t per US$/t, as a function of
    the route shares: ``sum_f theta_f T_f P_fg (1 - P_fg)`` with ``P_fg`` the share of flow f
    through group g (the (flow, group) pairs are found once)."""
    hit = group_entry >= 0
    routes = route_of_entry[hit]
    groups = group_entry[hit]
    flows = flow_idx[routes]
    key = flows.astype(np.int64) * max(n_groups, 1) + groups
    pairs, inverse = np.unique(key, return_inverse=True)
    pair_flow = pairs // max(n_groups, 1)
    pair_group = pairs % max(n_groups, 1)
    scale = theta[pair_flow] * flow_tonnes[pair_flow]

    def sensitivity(share: FloatArray) -> FloatArray:
        p = np.bincount(inverse, weights=share[routes], minlength=pairs.size)
        p = np.clip(p, 0.0, 1.0)
        weight = scale * p * (1.0 - p)
        return np.bincount(pair_group, weights=weight, minlength=n_groups).astype(np.float64)

    return sensitivity


def queue_price_rounds(
    share: FloatArray,
    change: float,
    iterations: int,
    *,
    settle: Callable[[FloatArray, int], tuple[FloatArray, float, int]],
    load: Callable[[FloatArray], FloatArray],
    price: FloatArray,
    capacity: FloatArray,
    tolerance: float,
    sensitivity: Callable[[FloatArray], FloatArray],
    max_rounds: int = MAX_PRICE_ROUNDS,
    settled_below: float | None = None,
) -> tuple[FloatArray, float, int, bool]:
    """Raise or lower the queue prices (in place) until every group is within
    ``(1 + tolerance)`` of its capacity and every priced group is at least nearly full.

    The solver is given as callbacks, so that the path-size logit method and the user
    equilibrium (:mod:`caravan.results.freight_ue`) share one price rule: ``settle(state,
    first)`` settles the flows at the current ``price`` and returns the new state, its stopping
    measure and the iterations it took; ``load(state)`` is each group's tonnes;
    ``sensitivity(state)`` how fast they fall as the group's own price rises (t per US$/t).

    With ``settled_below``, prices that are right are kept while flows that have not settled
    (stopping measure at or above it) settle again; and a round whose flows settled with every
    group within its capacity is remembered: if the rounds run out on an unsettled or
    over-capacity state, that round's flows and prices are returned instead (the last such
    round; a priced group there may still have room to spare).
    """
    capped = np.where(capacity > 0, capacity, np.inf)
    within = False
    # Each group's price is bracketed: below ``low`` it was over capacity, above ``high`` it had
    # room to spare. A Newton step that leaves the bracket is replaced by bisection (the
    # groups interact, so a bracket that closes up is reopened).
    low = np.zeros_like(price)
    high = np.full_like(price, MAX_QUEUE_PRICE_USD_PER_T)
    last_price: FloatArray | None = None
    last_tonnes: FloatArray | None = None
    kept: tuple[FloatArray, float, FloatArray] | None = None
    for _ in range(max_rounds):
        tonnes = load(share)
        ratio = tonnes / capped
        over_now = ratio > 1.0 + tolerance
        slack = (price > 0) & (ratio < 1.0 - tolerance)
        within = not bool(over_now.any())
        unsettled = settled_below is not None and change >= settled_below
        if within and not slack.any():
            if not unsettled:
                return share, change, iterations, True
            # the prices are right but the flows ran out of iterations: settle them again
            share, change, done = settle(share, iterations)
            iterations += done
            continue
        if within and not unsettled:
            kept = (share, change, price.copy())
        low = np.where(over_now, np.maximum(low, price), low)
        high = np.where(slack, np.minimum(high, price), high)
        # a bracket that has shrunk to nothing while its group is still out of bounds was
        # made stale by the other groups' prices: reopen its far side
        stuck = (high - low) <= np.maximum(1e-3, 1e-3 * high)
        high = np.where(over_now & stuck, MAX_QUEUE_PRICE_USD_PER_T, high)
        low = np.where(slack & stuck, 0.0, low)
        reopen = low >= high
        low = np.where(reopen, 0.0, low)
        high = np.where(reopen, MAX_QUEUE_PRICE_USD_PER_T, high)
        need = over_now | slack
        target = tonnes - capped * (1.0 + 0.5 * tolerance)
        d = sensitivity(share)
        if last_price is not None and last_tonnes is not None:
            # secant: the response seen since the last round (it includes the delay's feedback,
            # which the logit sensitivity leaves out)
            moved = np.abs(price - last_price) > 1e-9
            seen = (last_tonnes - tonnes) / np.where(moved, price - last_price, 1.0)
            d = np.where(moved & (seen > 0), seen, d)
        last_price, last_tonnes = price.copy(), tonnes
        newton = price + target / np.maximum(d, 1e-12 * capped + 1e-300)
        inside = (newton > low) & (newton < high) & (d > 1e-9 * capped)
        upward = np.where(
            high >= MAX_QUEUE_PRICE_USD_PER_T, np.maximum(2.0 * low, low + 25.0), 0.5 * (low + high)
        )
        bisect = np.where(over_now, upward, 0.5 * (low + high))
        candidate = np.where(inside, newton, bisect)
        price[:] = np.where(need, np.clip(candidate, 0.0, MAX_QUEUE_PRICE_USD_PER_T), price)
        share, change, done = settle(share, iterations)
        iterations += done
    tonnes = load(share)
    within = bool(np.all(tonnes / capped <= 1.0 + tolerance))
    if kept is not None and not (within and settled_below is not None and change < settled_below):
        share, change, kept_price = kept
        price[:] = kept_price
        within = True
    return share, change, iterations, within
