"""Algorithm B: bush-based user equilibrium ("b"), after Dial (2006).

Every origin (of every demand class) keeps a **bush**: an acyclic set of links rooted at the
origin that carries all of its trips, with the origin's flow on each link. Nothing is stored per
path. An iteration does, for every bush in turn (Gauss–Seidel: link volumes and times are updated
after every shift):

1. **labels**: in topological order of the bush (Kahn's algorithm), the least cost ``L`` of
   reaching each node through the bush and the greatest cost ``U`` of reaching it through links
   that carry the origin's flow, with the last link of each;
2. **bush update** (once per iteration): links without flow leave the bush, except those on the
   least-cost tree (so every node stays reachable); a link ``(i, j)`` outside the bush joins it
   when ``U_i + c_ij < U_j`` with ``U`` the greatest cost over every bush link. ``U`` never
   decreases along a bush link and increases strictly along an added one, so the bush stays
   acyclic (Dial 2006, section 3; Nie 2010 for the choice of label);
3. **flow shifts**: nodes in reverse topological order; at node ``j`` the least-cost and the
   greatest-cost used path are traced back to the node where they diverge, and flow moves from
   the costlier segment to the cheaper by a Newton step,
   ``dx = min(min flow on the costly segment, (C_max - C_min) / (pce * sum of dt/dv over both
   segments))``.

Then further sweeps of labels and shifts only (no shortest-path search at all) run over all bushes
until the bushes are much closer to their own equilibrium than the last relative gap. The relative
gap itself comes from one shortest-path pass over the whole network at the flows returned; the
least-cost paths inside the bushes cannot be cheaper than the network's, so the bushes' own gap is
a lower bound, and the pass is skipped while that bound is above the target.

The bushes live on the compiled search graph (:mod:`caravan.routing.search_graph`): an entry
stands for a chain of links that carry the same flow, so its time and slope are the sums of its
links'. Flows are dense arrays of bushes x entries (``-1`` marks an entry outside the bush).

References
----------
.. [1] R. B. Dial (2006), "A path-based user-equilibrium traffic assignment algorithm that
   obviates path storage and enumeration", Transportation Research Part B 40(10), 917–936.
.. [2] Y. Nie (2010), "A class of bush-based algorithms for the traffic assignment problem",
   Transportation Research Part B 44(1), 73–89.
.. [3] A. B. Kahn (1962), "Topological sorting of large networks", Communications of the ACM
   5(11), 558–562.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from numba import njit

from caravan.assign._problem import Problem, ProgressFn, Solution
from caravan.assign.gap import problem_gap
from caravan.assign.vdf import vdf_derivative_scalar, vdf_time_scalar
from caravan.errors import NoRouteError
from caravan.model.arrays import FloatArray
from caravan.routing.trees import dijkstra_kernel

__all__ = ["algorithm_b"]

logger = logging.getLogger(__name__)

#: Inner sweeps stop once the bushes' own gap is below this fraction of the last relative gap.
INNER_GAP_RATIO = 0.05
#: An entry outside a bush holds this value instead of a flow.
OUTSIDE = -1.0
#: A link counts as used by a bush when its flow exceeds this fraction of the origin's trips:
#: rounding leaves flows of a few ulps on links a shift emptied, and a greatest-cost path
#: through one of them could move no flow.
USED_FLOW_RATIO = 1e-14


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _entry_update(
    e: int, v: float, member_ptr: Any, member_link: Any, code: int,
    fft: Any, cap: Any, alpha: Any, beta: Any, et: Any, ed: Any,
) -> None:  # fmt: skip
    """Time and slope of entry ``e`` at volume ``v``: sums over the links of its chain."""
    t = 0.0
    d = 0.0
    for k in range(member_ptr[e], member_ptr[e + 1]):
        a = member_link[k]
        t += vdf_time_scalar(code, v, fft[a], cap[a], alpha[a], beta[a])
        d += vdf_derivative_scalar(code, v, fft[a], cap[a], alpha[a], beta[a])
    et[e] = t
    ed[e] = d


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _rebuild_volumes(
    x: Any, bush_class: Any, pce: Any, member_ptr: Any, member_link: Any, code: int,
    fft: Any, cap: Any, alpha: Any, beta: Any, ev: Any, et: Any, ed: Any,
) -> None:  # fmt: skip
    """Entry volumes from the bushes' flows (no drift), then every entry's time and slope."""
    ev[:] = 0.0
    for b in range(x.shape[0]):
        w = pce[bush_class[b]]
        for e in range(x.shape[1]):
            f = x[b, e]
            if f > 0.0:
                ev[e] += w * f
    for e in range(ev.size):
        _entry_update(e, ev[e], member_ptr, member_link, code, fft, cap, alpha, beta, et, ed)


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _init_bushes(
    indptr: Any, head: Any, tail: Any, class_cost: Any, blocked: Any, bush_class: Any,
    bush_origin: Any, demand: Any, x: Any,
) -> Any:  # fmt: skip
    """Each bush is the least-cost tree of its origin, carrying all of the origin's trips.

    Returns ``(-1, -1)``, or the bush and destination of demand that no path reaches.
    """
    n = indptr.size - 1
    n_z = demand.shape[1]
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    heap_node = np.empty(n, np.int64)
    heap_key = np.empty(n)
    pos = np.empty(n, np.int64)
    no_target = np.zeros(n, np.uint8)
    acc = np.zeros(n)
    for b in range(bush_class.size):
        c = bush_class[b]
        o = bush_origin[b]
        n_settled = dijkstra_kernel(
            indptr, head, class_cost[c], blocked, o, no_target, 0, dist, pred, order,
            heap_node, heap_key, pos,
        )  # fmt: skip
        for d in range(n_z):
            if d != o and demand[c, o, d] > 0.0:
                if pred[d] < 0:
                    return b, d
                acc[d] = demand[c, o, d]
        for k in range(n_settled - 1, 0, -1):
            v = order[k]
            e = pred[v]
            x[b, e] = acc[v]
            acc[tail[e]] += acc[v]
            acc[v] = 0.0
        acc[o] = 0.0
    return -1, -1


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _labels(
    b: int, o: int, c: int, used: float, indptr: Any, head: Any, et: Any, efix: Any, x: Any,
    indeg: Any, order: Any, pos: Any, lab_min: Any, lab_max: Any, pred_min: Any,
    pred_max: Any,
) -> Any:  # fmt: skip
    """Topological order of bush ``b`` and its least-cost and greatest used-cost labels.

    A link is used when its flow exceeds ``used``.

    Returns ``(n_order, bush_cost)``: the number of nodes in the bush and the cost of its flow
    (sum of flow times cost over its links).
    """
    n = indptr.size - 1
    for i in range(n):
        indeg[i] = 0
        pos[i] = -1
        lab_min[i] = np.inf
        lab_max[i] = -np.inf
        pred_min[i] = -1
        pred_max[i] = -1
    for e in range(head.size):
        if x[b, e] >= 0.0:
            indeg[head[e]] += 1
    lab_min[o] = 0.0
    lab_max[o] = 0.0
    order[0] = o
    n_order = 1
    k = 0
    bush_cost = 0.0
    while k < n_order:
        u = order[k]
        pos[u] = k
        k += 1
        if pred_max[u] == -1:  # no used link in: the greatest used cost is the least cost
            lab_max[u] = lab_min[u]
            pred_max[u] = pred_min[u]
        lu = lab_min[u]
        uu = lab_max[u]
        for e in range(indptr[u], indptr[u + 1]):
            f = x[b, e]
            if f < 0.0:
                continue
            j = head[e]
            ce = et[e] + efix[c, e]
            if lu + ce < lab_min[j]:
                lab_min[j] = lu + ce
                pred_min[j] = e
            bush_cost += f * ce
            if f > used and uu + ce > lab_max[j]:
                lab_max[j] = uu + ce
                pred_max[j] = e
            indeg[j] -= 1
            if indeg[j] == 0:
                order[n_order] = j
                n_order += 1
    return n_order, bush_cost


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _update_bush(
    b: int, o: int, c: int, used: float, n_order: int, indptr: Any, head: Any, et: Any,
    efix: Any, blocked: Any, x: Any, order: Any, pos: Any, lab_min: Any, pred_min: Any,
    lab_all: Any,
) -> int:  # fmt: skip
    """Drop unused links off the least-cost tree, add shortcuts that keep the bush acyclic.

    Links whose flow is at most ``used`` leave the bush unless they are on the least-cost tree
    (flows of a few ulps: they would keep costly detours in the bush and block shortcuts).
    Returns the number of links added.
    """
    # drop, and take the greatest cost over every link left, in the (still valid) topological
    # order: a node's links in are all settled before it is reached
    for k in range(n_order):
        lab_all[order[k]] = -np.inf
    lab_all[o] = 0.0
    for k in range(n_order):
        u = order[k]
        lu = lab_all[u]
        for e in range(indptr[u], indptr[u + 1]):
            f = x[b, e]
            if f < 0.0:
                continue
            j = head[e]
            if f <= used and pred_min[j] != e:
                x[b, e] = OUTSIDE
                continue
            v = lu + et[e] + efix[c, e]
            if v > lab_all[j]:
                lab_all[j] = v
    added = 0
    for k in range(n_order):
        u = order[k]
        if blocked[u] and u != o:
            continue
        ua = lab_all[u]
        lu = lab_min[u]
        for e in range(indptr[u], indptr[u + 1]):
            if x[b, e] >= 0.0:
                continue
            j = head[e]
            if pos[j] < 0 or not ua < lab_all[j]:
                continue  # not reachable from this origin, or it could close a cycle
            ce = et[e] + efix[c, e]
            if lu + ce < lab_min[j] or ua + ce < lab_all[j]:
                x[b, e] = 0.0
                added += 1
    return added


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _shift_bush(
    b: int, c: int, n_order: int, w: float, tail: Any, member_ptr: Any, member_link: Any,
    code: int, fft: Any, cap: Any, alpha: Any, beta: Any, ev: Any, et: Any, ed: Any,
    efix: Any, x: Any, order: Any, pos: Any, lab_min: Any, lab_max: Any, pred_min: Any,
    pred_max: Any, seg_min: Any, seg_max: Any,
) -> None:  # fmt: skip
    """Newton shifts from the greatest- to the least-cost segment, nodes in reverse order."""
    for k in range(n_order - 1, 0, -1):
        j = order[k]
        e_min = pred_min[j]
        e_max = pred_max[j]
        if e_min == e_max or not lab_max[j] > lab_min[j]:
            continue
        n_min = 1
        n_max = 1
        seg_min[0] = e_min
        seg_max[0] = e_max
        a = tail[e_min]
        z = tail[e_max]
        while a != z:  # step back along whichever path is further from the origin
            if pos[a] > pos[z]:
                e = pred_min[a]
                seg_min[n_min] = e
                n_min += 1
                a = tail[e]
            else:
                e = pred_max[z]
                seg_max[n_max] = e
                n_max += 1
                z = tail[e]
        c_min = 0.0
        c_max = 0.0
        slope = 0.0
        room = np.inf
        for i in range(n_min):
            e = seg_min[i]
            c_min += et[e] + efix[c, e]
            slope += ed[e]
        for i in range(n_max):
            e = seg_max[i]
            c_max += et[e] + efix[c, e]
            slope += ed[e]
            if x[b, e] < room:
                room = x[b, e]
        diff = c_max - c_min
        if not diff > 0.0 or not room > 0.0:
            continue
        slope *= w
        dx = room
        if slope > 0.0 and diff / slope < room:
            dx = diff / slope
        for i in range(n_max):
            e = seg_max[i]
            f = x[b, e] - dx
            x[b, e] = f if f > 0.0 else 0.0
            v = ev[e] - w * dx
            ev[e] = v if v > 0.0 else 0.0
            _entry_update(e, ev[e], member_ptr, member_link, code, fft, cap, alpha, beta, et, ed)
        for i in range(n_min):
            e = seg_min[i]
            x[b, e] += dx
            ev[e] += w * dx
            _entry_update(e, ev[e], member_ptr, member_link, code, fft, cap, alpha, beta, et, ed)


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _sweep(
    update: bool, shift: bool, skip_ratio: float, bush_cost: Any, bush_sptc: Any,
    indptr: Any, head: Any, tail: Any, member_ptr: Any, member_link: Any, code: int,
    fft: Any, cap: Any, alpha: Any, beta: Any, ev: Any, et: Any, ed: Any, efix: Any,
    blocked: Any, pce: Any, bush_class: Any, bush_origin: Any, bush_used: Any, demand: Any,
    x: Any,
) -> Any:  # fmt: skip
    """One pass over every bush: labels, then (``update``) the bush update, then shifts.

    Each bush's cost of flow and its demand times least cost inside the bush, at the labels
    taken before its shifts (so with ``shift`` false, at the current flows), are stored in
    ``bush_cost`` and ``bush_sptc``. A bush whose stored gap is at most ``skip_ratio`` of its
    cost is skipped (its stored values count). Returns ``(cost, sptc, added)``: the sums of
    the stored values and the number of links added.
    """
    n = indptr.size - 1
    n_z = demand.shape[1]
    indeg = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    pos = np.empty(n, np.int64)
    lab_min = np.empty(n)
    lab_max = np.empty(n)
    lab_all = np.empty(n)
    pred_min = np.empty(n, np.int64)
    pred_max = np.empty(n, np.int64)
    seg_min = np.empty(n, np.int64)
    seg_max = np.empty(n, np.int64)
    total_cost = 0.0
    total_sptc = 0.0
    added = 0
    for b in range(bush_class.size):
        if skip_ratio > 0.0 and bush_cost[b] - bush_sptc[b] <= skip_ratio * bush_cost[b]:
            total_cost += bush_cost[b]
            total_sptc += bush_sptc[b]
            continue
        c = bush_class[b]
        o = bush_origin[b]
        n_order, cost_b = _labels(
            b, o, c, bush_used[b], indptr, head, et, efix, x, indeg, order, pos, lab_min,
            lab_max, pred_min, pred_max,
        )  # fmt: skip
        sptc_b = 0.0
        for d in range(n_z):
            dem = demand[c, o, d]
            if dem > 0.0:
                sptc_b += dem * lab_min[d]
        bush_cost[b] = cost_b
        bush_sptc[b] = sptc_b
        total_cost += cost_b
        total_sptc += sptc_b
        if update:
            added_b = _update_bush(
                b, o, c, bush_used[b], n_order, indptr, head, et, efix, blocked, x, order, pos,
                lab_min, pred_min, lab_all,
            )  # fmt: skip
            added += added_b
            if added_b > 0:  # else the links dropped carried no used flow: labels still hold
                n_order, _ = _labels(
                    b, o, c, bush_used[b], indptr, head, et, efix, x, indeg, order, pos,
                    lab_min, lab_max, pred_min, pred_max,
                )  # fmt: skip
        if shift:
            _shift_bush(
                b, c, n_order, pce[c], tail, member_ptr, member_link, code, fft, cap, alpha,
                beta, ev, et, ed, efix, x, order, pos, lab_min, lab_max, pred_min, pred_max,
                seg_min, seg_max,
            )  # fmt: skip
    return total_cost, total_sptc, added


def algorithm_b(
    problem: Problem,
    *,
    gap: float = 1e-6,
    max_iter: int = 500,
    progress: ProgressFn | None = None,
    inner_sweeps: int = 20,
) -> Solution:
    """Solve user equilibrium by Algorithm B (Dial 2006) on one bush per origin and class.

    Parameters
    ----------
    problem : Problem
        Stacked network, demand classes and VDF.
    gap : float
        Relative-gap target.
    max_iter : int
        Maximum number of iterations (bush updates of every bush).
    progress : callable, optional
        Called as ``progress(iteration, relative_gap)`` whenever the relative gap is computed
        (see the module docstring: not while the bushes' own gap shows the target is not met).
    inner_sweeps : int
        Most sweeps of flow shifts over all bushes after each bush update.

    Returns
    -------
    Solution
        With the shortest-path total cost of the flows returned.
    """
    net = problem.network
    sg = net.search_graph
    code = problem.vdf.code
    fft, cap, alpha, beta = (
        np.ascontiguousarray(a, np.float64)
        for a in (net.free_flow_time, net.capacity, net.alpha, net.beta)
    )
    n_e = sg.n_entries
    # per class: fixed cost of each entry (inf where the class may not use one of its links)
    efix = np.empty((problem.n_classes, n_e))
    for c in range(problem.n_classes):
        fixed = np.where(problem.usable[c], problem.fixed_cost[c], np.inf)
        efix[c] = sg.entry_cost(fixed)
    demand = np.ascontiguousarray(problem.demand)
    bush_class, bush_origin = (
        np.ascontiguousarray(a, np.int64) for a in np.nonzero(demand.sum(axis=2) > 0)
    )
    pce = np.ascontiguousarray(problem.pce, np.float64)
    bush_used = USED_FLOW_RATIO * demand.sum(axis=2)[bush_class, bush_origin]
    x = np.full((bush_class.size, n_e), OUTSIDE)
    ev = np.zeros(n_e)
    et = np.empty(n_e)
    ed = np.empty(n_e)
    _rebuild_volumes(
        x, bush_class, pce, sg.member_ptr, sg.member_link, code, fft, cap, alpha, beta, ev, et, ed
    )
    class_cost = np.ascontiguousarray(et[None, :] + efix)
    bad_b, bad_d = _init_bushes(
        sg.indptr, sg.head, sg.tail, class_cost, sg.blocked_node_mask, bush_class, bush_origin,
        demand, x,
    )  # fmt: skip
    if bad_b >= 0:
        o = int(bush_origin[bad_b])
        dem = float(demand[bush_class[bad_b], o, bad_d])
        msg = f"no path from zone index {o} to zone index {bad_d}, which has demand {dem:g}"
        raise NoRouteError(msg)
    args = (
        sg.indptr, sg.head, sg.tail, sg.member_ptr, sg.member_link, code, fft, cap, alpha, beta,
        ev, et, ed, efix, sg.blocked_node_mask, pce, bush_class, bush_origin, bush_used, demand,
        x,
    )  # fmt: skip
    bush_cost = np.zeros(bush_class.size)
    bush_sptc = np.zeros(bush_class.size)
    history: list[float] = []
    last_gap = 1.0
    sptc = 0.0
    iteration = 0
    while True:
        _rebuild_volumes(
            x, bush_class, pce, sg.member_ptr, sg.member_link, code, fft, cap, alpha, beta,
            ev, et, ed,
        )  # fmt: skip
        if iteration > 0:
            cost, spt, _ = _sweep(False, False, 0.0, bush_cost, bush_sptc, *args)
            bush_gap = (cost - spt) / cost if cost > 0 else 0.0
            checked = bush_gap <= gap or iteration >= max_iter
            if checked:
                class_flow = _class_flow(problem, x, bush_class)
                report = problem_gap(problem, class_flow)
                sptc = report.sptc
                last_gap = report.relative_gap
            else:
                last_gap = bush_gap  # a lower bound of the relative gap
            history.append(last_gap)
            if progress is not None and checked:
                progress(iteration, last_gap)
            logger.debug(
                "b iteration %d: bush gap %.3e, gap %s", iteration, bush_gap,
                f"{last_gap:.3e}" if checked else "not computed",
            )  # fmt: skip
            if checked and (last_gap <= gap or iteration >= max_iter):
                break
        iteration += 1
        _sweep(True, True, 0.0, bush_cost, bush_sptc, *args)
        target = INNER_GAP_RATIO * last_gap
        sweeps = 0
        while sweeps < inner_sweeps:
            sweeps += 1
            # bushes already as close to balance as the target are left alone
            cost, spt, _ = _sweep(False, True, target, bush_cost, bush_sptc, *args)
            if cost <= 0.0 or cost - spt <= target * cost:
                break
        logger.debug("b iteration %d: %d inner sweeps", iteration, sweeps)
    return Solution(class_flow, iteration, tuple(history), sptc)


def _class_flow(problem: Problem, x: FloatArray, bush_class: Any) -> FloatArray:
    """Link flows of each class from the bushes' entry flows."""
    sg = problem.network.search_graph
    entry_flow = np.zeros((problem.n_classes, sg.n_entries))
    _sum_bushes(x, bush_class, entry_flow)
    out = np.zeros((problem.n_classes, problem.network.n_links))
    for c in range(problem.n_classes):
        out[c] = sg.link_values(entry_flow[c], problem.network.n_links)
    return out


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _sum_bushes(x: Any, bush_class: Any, entry_flow: Any) -> None:
    for b in range(x.shape[0]):
        c = bush_class[b]
        for e in range(x.shape[1]):
            if x[b, e] > 0.0:
                entry_flow[c, e] += x[b, e]
