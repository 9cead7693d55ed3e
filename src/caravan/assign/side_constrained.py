"""Equilibrium with capacity side constraints on groups of links, by column generation.

Some links form *groups* (a border crossing's two directions, a port's loading and unloading
links) whose total volume may not exceed a capacity. The equilibrium with such side
constraints is the one in which every trip uses a least-cost path once each group's Lagrange
multiplier (its *price*, a queueing delay in money) is added to the cost of its links, and a
group is priced only where it is full (Larsson and Patriksson 1995, 1999).

This module finds it by disaggregate simplicial decomposition (Larsson and Patriksson 1992):
every O-D pair of every class keeps its own set of paths (columns). The restricted master
problem, over the path flows of those sets, is a linear programme: the costs of the paths are
taken at the link times of the current flows (the link delays are re-evaluated every round,
a sequence of linear programmes), each O-D pair's demand is met, and every group carries at
most its bound, or pays ``overflow_price`` for each unit above it where no mix of the paths
found can keep it within (an elastic side constraint). Its dual values are the groups' prices.
Column generation then searches, for every O-D pair, the least-cost path at the current link
times with the prices added (in the class's cost unit: ``price / class_weight``); a path
cheaper than its pair's dual value joins the set, and the master is solved again (Dantzig and
Wolfe 1960). Each round's search, at the link times of the master's flows and with its prices,
gives both the new paths and the relative gap of those flows (the least-cost paths are the
shortest-path total cost); the rounds stop once that gap reaches the target. The master's
solution is a vertex of its linear programme, so the flows do not jump to it: they move towards
it by the step at which the cost along the move stops falling at the re-evaluated delays (a line
search, as in Frank and Wolfe 1956); where delays are negligible the step is 1, where they matter
flows split between paths. Like any conditional-gradient method it slows near a heavily
congested equilibrium; the rounds stop at ``max_rounds`` with the gap they reached.

The master's prices are complementary to the master's vertex, not to the flows: where the step
is short of 1, a group full at the vertex can be short of its bound at the flows (or one the
vertex keeps at its bound, above it), with its price kept. So the rounds finish by settling the
prices at the flows: a group short of its bound by more than a millionth of it is not priced, one
above it by more pays ``overflow_price``, one at it keeps the master's price. If the flows
still reach the gap with the settled prices in the cost, they are the answer; if not, the rounds
go on from the master's prices (they bring the group to its bound). The last round, at
``max_rounds``, returns settled prices and the gap with them in the cost.

The master weights each class's cost by ``class_weight`` (money per cost unit, e.g. a value of
time when costs are hours) so that prices are in one money unit for every class. One search
per class and origin settles all the class's destinations from that origin.

References
----------
Larsson, T., Patriksson, M. (1992). Simplicial decomposition with disaggregated representation
for the traffic assignment problem. *Transportation Science* 26(1), 4-17.

Larsson, T., Patriksson, M. (1995). An augmented Lagrangean dual algorithm for link capacity
side constrained traffic assignment problems. *Transportation Research B* 29(6), 433-455.

Larsson, T., Patriksson, M. (1999). Side constrained traffic equilibrium models - analysis,
computation and applications. *Transportation Research B* 33(4), 233-264.

Dantzig, G. B., Wolfe, P. (1960). Decomposition principle for linear programs. *Operations
Research* 8(1), 101-111.

Frank, M., Wolfe, P. (1956). An algorithm for quadratic programming. *Naval Research Logistics
Quarterly* 3(1-2), 95-110.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from scipy import sparse
from scipy.optimize import linprog

from caravan._numba import load_numba
from caravan.assign._problem import build_problem
from caravan.assign.records import AssignmentNetwork, DemandClass
from caravan.assign.vdf import get_vdf
from caravan.errors import InputError, NoRouteError
from caravan.model.arrays import FloatArray, IntArray
from caravan.routing.trees import dijkstra_kernel

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["MAX_COLUMN_ROUNDS", "SideConstrainedResult", "side_constrained_equilibrium"]

#: Rounds of the master programme and column generation, at most.
MAX_COLUMN_ROUNDS = 60
#: A path joins its pair's set when it is cheaper than the pair's dual value by more than this
#: share of it (rounding noise of the linear programme is not a new path).
_REDUCED_COST_TOLERANCE = 1e-9
#: Bisection steps of the line search.
_LINE_SEARCH_STEPS = 40
#: A group is at its bound within this share of it (plus this share of it of the total
#: demand, for a bound of zero): short of it by more, it is not priced; above it by more, it
#: pays ``overflow_price``.
_BOUND_TOLERANCE = 1e-6


@dataclass(frozen=True)
class SideConstrainedResult:
    """Flows of a side-constrained equilibrium and the groups' prices.

    Attributes
    ----------
    class_flow : ndarray of float64, shape (n_classes, n_links)
        Link flow of each class.
    price : ndarray of float64, shape (n_groups,)
        Each group's price (Lagrange multiplier), in money per unit of flow
        (``class_weight`` times the cost unit): 0 for a group short of its bound,
        ``overflow_price`` for one above it (both by more than a millionth of the bound).
    group_volume : ndarray of float64, shape (n_groups,)
        Volume of each group at ``class_flow``.
    rounds : int
        Master programmes solved.
    columns : int
        Paths generated, over every O-D pair.
    relative_gap : float
        ``(TSC - SPTC) / TSC`` at ``class_flow`` with the prices in the cost (total cost of the
        flows, and were every trip on a least-cost path), as :mod:`caravan.assign.gap` measures.
    """

    class_flow: FloatArray
    price: FloatArray
    group_volume: FloatArray
    rounds: int
    columns: int
    relative_gap: float


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _od_paths(
    indptr: Any, head: Any, tail: Any, entry_cost: Any, blocked_node_mask: Any,
    od_class: Any, od_origin: Any, od_dest: Any, dist_out: Any, path_out: Any, length_out: Any,
) -> None:  # fmt: skip
    """Least-cost path of every O-D pair (sorted by class, then origin) at its class's entry
    costs: one search per class and origin. ``path_out[k, :length_out[k]]`` are pair ``k``'s
    entries from its destination back to its origin; ``length_out[k]`` is -1 if unreachable."""
    n_nodes = indptr.size - 1
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, np.int64)
    order = np.empty(n_nodes, np.int64)
    heap_node = np.empty(n_nodes, np.int64)
    heap_key = np.empty(n_nodes)
    pos = np.empty(n_nodes, np.int64)
    mask = np.zeros(n_nodes, np.uint8)
    n_od = od_class.size
    k = 0
    while k < n_od:
        c, o = od_class[k], od_origin[k]
        end = k
        n_t = 0
        while end < n_od and od_class[end] == c and od_origin[end] == o:
            d = od_dest[end]
            if mask[d] == 0:
                mask[d] = 1
                n_t += 1
            end += 1
        dijkstra_kernel(
            indptr, head, entry_cost[c], blocked_node_mask, o, mask, n_t,
            dist, pred, order, heap_node, heap_key, pos,
        )  # fmt: skip
        for j in range(k, end):
            d = od_dest[j]
            mask[d] = 0
            if dist[d] == np.inf or pos[d] != -2:
                dist_out[j] = np.inf
                length_out[j] = -1
                continue
            dist_out[j] = dist[d]
            n = 0
            v = d
            while v != o:
                e = pred[v]
                path_out[j, n] = e
                n += 1
                v = tail[e]
            length_out[j] = n
        k = end


def _entry_costs(network: AssignmentNetwork, class_cost: FloatArray) -> FloatArray:
    """Each class's cost per entry of the search graph (rows: classes)."""
    sg = network.search_graph
    cost = class_cost[:, sg.member_link]
    if sg.contracted:
        cost = np.add.reduceat(cost, sg.member_ptr[:-1], axis=1)
    return np.ascontiguousarray(cost)


def _line_search(
    problem: Any,
    volume: FloatArray,
    volume_step: FloatArray,
    weighted_step: FloatArray,
    fixed_step: float,
) -> float:
    """The step along a move of the flows towards the master's solution at which the move's
    weighted cost stops falling: the root in [0, 1] of ``weighted_step . t(volume + s
    volume_step) + fixed_step`` (bisection), 1 if it is still falling there."""

    def slope(s: float) -> float:
        return float(problem.link_time(volume + s * volume_step) @ weighted_step) + fixed_step

    if slope(1.0) <= 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(_LINE_SEARCH_STEPS):
        mid = 0.5 * (lo + hi)
        if slope(mid) <= 0.0:
            lo = mid
        else:
            hi = mid
    return lo


def _settled_prices(
    price: FloatArray,
    group_volume: FloatArray,
    group_bound: FloatArray,
    *,
    overflow_price: float,
    tolerance: FloatArray,
) -> FloatArray:
    """The master's prices made complementary to the groups' volumes.

    Parameters
    ----------
    price : ndarray of float64, shape (n_groups,)
        The master's prices (its duals), in ``[0, overflow_price]``.
    group_volume, group_bound : ndarray of float64, shape (n_groups,)
        Each group's volume at the flows, and its bound.
    overflow_price : float
        Price of a group above its bound.
    tolerance : ndarray of float64, shape (n_groups,)
        How far from its bound a group is still at it.

    Returns
    -------
    ndarray of float64, shape (n_groups,)
        0 for a group short of its bound by more than ``tolerance``, ``overflow_price`` for one
        above it by more, the master's price for one at it.
    """
    room = group_bound - group_volume
    return np.where(room > tolerance, 0.0, np.where(room < -tolerance, overflow_price, price))


def side_constrained_equilibrium(
    network: AssignmentNetwork,
    classes: Sequence[DemandClass],
    *,
    class_weight: FloatArray,
    link_group: IntArray,
    group_bound: FloatArray,
    overflow_price: float,
    gap: float = 1e-6,
    max_rounds: int = MAX_COLUMN_ROUNDS,
    vdf: str = "bpr",
) -> SideConstrainedResult:
    """Equilibrium in which each group of links carries at most its bound (module docstring).

    Parameters
    ----------
    network : AssignmentNetwork
    classes : sequence of DemandClass
        Demand, usable links and fixed costs of each class (costs in the network's time unit).
    class_weight : ndarray of float64, shape (n_classes,)
        Money per cost unit of each class (positive), e.g. its value of time.
    link_group : ndarray of int64, shape (n_links,)
        Group of each link, -1 if none. A path counts once for every link of a group it uses.
    group_bound : ndarray of float64, shape (n_groups,)
        Most volume each group may carry.
    overflow_price : float
        Money per unit of volume above a group's bound (the highest price a group can get).
    gap : float
        Stop once the relative gap at the master's flows (with its prices in the cost) is at
        most this.
    max_rounds : int
        Master programmes solved at most.
    vdf : str
        Volume-delay function key.

    Returns
    -------
    SideConstrainedResult

    Raises
    ------
    InputError
        If the arrays do not match the network and classes.
    NoRouteError
        If some O-D pair with demand has no usable path.

    Examples
    --------
    Two parallel links, 10 trips; the cheaper link (group 0) takes at most 4.

    >>> net = AssignmentNetwork.from_links([0, 0], [1, 1], [1.0, 2.0], [1.0, 1.0],
    ...     [0.0, 0.0], [4.0, 4.0], n_nodes=2, n_zones=2)
    >>> trips = DemandClass("freight", np.array([[0.0, 10.0], [0.0, 0.0]]))
    >>> res = side_constrained_equilibrium(net, [trips], class_weight=np.array([1.0]),
    ...     link_group=np.array([0, -1]), group_bound=np.array([4.0]), overflow_price=100.0)
    >>> res.class_flow.round(6).tolist(), res.price.round(6).tolist()
    ([[4.0, 6.0]], [1.0])
    """
    problem = build_problem(network, classes, get_vdf(vdf))
    n_classes, n_links = problem.n_classes, network.n_links
    weight = np.asarray(class_weight, dtype=np.float64)
    group = np.asarray(link_group, dtype=np.int64)
    bound = np.asarray(group_bound, dtype=np.float64)
    n_groups = bound.size
    if weight.shape != (n_classes,) or not np.all(weight > 0):
        raise InputError(f"class_weight must hold {n_classes} positive numbers")
    if group.shape != (n_links,) or group.max(initial=-1) >= n_groups or group.min() < -1:
        raise InputError(f"link_group must hold {n_links} group indices below {n_groups}, or -1")
    sg = network.search_graph
    od_class, od_origin, od_dest = (a.astype(np.int64) for a in np.nonzero(problem.demand))
    od_demand = problem.demand[od_class, od_origin, od_dest]
    n_od = od_class.size
    if n_od == 0:
        none = np.zeros(n_groups)
        return SideConstrainedResult(np.zeros((n_classes, n_links)), none, none, 0, 0, 0.0)
    scale = float(od_demand.sum())
    share = od_demand / scale
    tolerance = _BOUND_TOLERANCE * (bound + _BOUND_TOLERANCE * scale)
    # groups as a (n_links x n_groups) incidence
    hit = np.flatnonzero(group >= 0)
    link_to_group = sparse.csr_array(
        (np.ones(hit.size), (hit, group[hit])), shape=(n_links, n_groups)
    )
    col_od: list[int] = []
    col_links: list[IntArray] = []
    seen: set[tuple[int, bytes]] = set()
    fixed_of_col: list[float] = []  # each path's fixed cost, its class's cost unit

    dist = np.empty(n_od)
    path = np.empty((n_od, max(1, sg.n_nodes)), np.int64)
    length = np.empty(n_od, np.int64)

    def search(link_time: FloatArray, price: FloatArray) -> None:
        link_price = np.zeros(n_links)
        link_price[hit] = price[group[hit]]
        cost = link_time[None, :] + problem.fixed_cost + link_price[None, :] / weight[:, None]
        cost = np.where(problem.usable, cost, np.inf)
        _od_paths(
            sg.indptr, sg.head, sg.tail, _entry_costs(network, cost), sg.blocked_node_mask,
            od_class, od_origin, od_dest, dist, path, length,
        )  # fmt: skip
        if np.any(length < 0):
            k = int(np.flatnonzero(length < 0)[0])
            msg = (
                f"demand class {problem.names[od_class[k]]!r}: no usable path from zone index "
                f"{od_origin[k]} to zone index {od_dest[k]}"
            )
            raise NoRouteError(msg)

    def add(k: int) -> bool:
        entries = path[k, : length[k]][::-1]
        links = np.concatenate(
            [sg.member_link[sg.member_ptr[e] : sg.member_ptr[e + 1]] for e in entries]
        ).astype(np.int64)
        key = (k, links.tobytes())
        if key in seen:
            return False
        seen.add(key)
        col_od.append(k)
        col_links.append(links)
        fixed_of_col.append(float(problem.fixed_cost[od_class[k], links].sum()))
        return True

    def gap_at(
        link_time: FloatArray, own_cost: float, priced_load: FloatArray, price: FloatArray
    ) -> float:
        """Least-cost paths at these link times and prices, and the relative gap of flows
        whose own cost is ``own_cost + priced_load @ price``."""
        search(link_time, price)
        tsc = own_cost + float(priced_load @ price)
        return (tsc - float(od_demand @ dist)) / tsc if tsc > 0 else 0.0

    volume = np.zeros(n_links)
    link_time = problem.link_time(volume)
    price = np.zeros(n_groups)
    search(link_time, price)
    for k in range(n_od):
        add(k)
    flow = np.zeros(0)
    slack = np.zeros(n_groups)
    rounds = 0
    found_gap = np.inf
    while rounds < max_rounds:
        rounds += 1
        n_cols = len(col_od)
        lengths = np.fromiter((a.size for a in col_links), np.int64, n_cols)
        rows = np.repeat(np.arange(n_cols), lengths)
        incidence = sparse.csr_array(
            (np.ones(rows.size), (rows, np.concatenate(col_links))), shape=(n_cols, n_links)
        )
        od = np.asarray(col_od, dtype=np.int64)
        col_weight = weight[od_class[od]]
        col_fixed = np.asarray(fixed_of_col)
        col_cost = (incidence @ link_time + col_fixed) * col_weight * share[od]
        col_pce = problem.pce[od_class[od]]
        col_groups = incidence @ link_to_group  # (n_cols, n_groups): times each path uses each
        col_load = col_groups.T.tocsr() @ sparse.diags_array(col_pce * share[od])
        a_ub = sparse.hstack([col_load, -sparse.identity(n_groups)], format="csr")
        a_eq = sparse.csr_array(
            (np.ones(n_cols), (od, np.arange(n_cols))), shape=(n_od, n_cols + n_groups)
        )
        res = linprog(
            np.concatenate([col_cost, np.full(n_groups, overflow_price)]),
            A_ub=a_ub,
            b_ub=bound / scale,
            A_eq=a_eq,
            b_eq=np.ones(n_od),
            bounds=(0.0, None),
            method="highs",
        )
        if res.status != 0:  # pragma: no cover - the overflow keeps every master feasible
            msg = f"side-constrained master programme failed: {res.message}"
            raise InputError(msg)
        target = np.clip(res.x[:n_cols], 0.0, None) * od_demand[od]
        target_slack = np.clip(res.x[n_cols:], 0.0, None) * scale
        price = np.clip(-res.ineqlin.marginals, 0.0, overflow_price)
        dual = res.eqlin.marginals  # per pair, in master units
        if flow.size == 0:
            step = 1.0
        else:
            flow = np.concatenate([flow, np.zeros(n_cols - flow.size)])
            step = _line_search(
                problem,
                volume,
                incidence.T @ ((target - flow) * col_pce),
                incidence.T @ ((target - flow) * col_weight),
                float(((target - flow) * col_weight) @ col_fixed)
                + overflow_price * float(np.sum(target_slack - slack)),
            )
        flow = flow + step * (target - flow) if flow.size else target
        slack = slack + step * (target_slack - slack) if rounds > 1 else target_slack
        volume = incidence.T @ (flow * col_pce)
        link_time = problem.link_time(volume)
        own_cost = float(flow @ (incidence @ link_time + col_fixed))
        priced_load = col_groups.T @ (flow / col_weight)  # cost units per unit of price
        # the gap with the master's prices, and the paths cheaper than their pair's dual value
        found_gap = gap_at(link_time, own_cost, priced_load, price)
        last = rounds == max_rounds
        if found_gap <= gap or last:
            # the finish: prices that hold complementary slackness at these flows
            settled = _settled_prices(
                price,
                np.bincount(group[hit], weights=volume[hit], minlength=n_groups).astype(float),
                bound,
                overflow_price=overflow_price,
                tolerance=tolerance,
            )
            if np.array_equal(settled, price):
                break
            kept = dist.copy(), path.copy(), length.copy()
            settled_gap = gap_at(link_time, own_cost, priced_load, settled)
            if settled_gap <= gap or last:
                price, found_gap = settled, settled_gap
                break
            dist[:], path[:], length[:] = kept  # the master's search gives the new paths
        reduced = dist * weight[od_class] * share - dual
        cheaper = reduced < -_REDUCED_COST_TOLERANCE * np.maximum(np.abs(dual), 1e-300)
        for pair in np.flatnonzero(cheaper).tolist():
            add(pair)
    n_cols = len(col_od)
    class_flow = np.zeros((n_classes, n_links))
    for j in range(min(n_cols, flow.size)):
        if flow[j] > 0:
            np.add.at(class_flow[od_class[col_od[j]]], col_links[j], flow[j])
    group_volume = np.bincount(group[hit], weights=volume[hit], minlength=n_groups)
    return SideConstrainedResult(
        class_flow, price, group_volume.astype(np.float64), rounds, n_cols, float(found_gap)
    )
