"""Algorithm B: bush-based user equilibrium ("b"), after Dial (2006).

Every origin (of every demand class) keeps a **bush**: an acyclic set of links rooted at the
origin that carries all of its trips, with the origin's flow on each link. Nothing is stored per
path. An iteration does, for every bush in turn (Gauss–Seidel: link volumes and times are updated
after every shift):

1. **labels**: in topological order of the bush, the least cost ``L`` of reaching each node
   through the bush and the greatest cost ``U`` of reaching it through links that carry the
   origin's flow, with the last link of each;
2. **bush update** (once per iteration): links without flow leave the bush, except those on the
   least-cost tree (so every node stays reachable); a link ``(i, j)`` outside the bush joins it
   when ``U_i + c_ij < U_j`` with ``U`` the greatest cost over every bush link. ``U`` never
   decreases along a bush link and increases strictly along an added one, so the bush stays
   acyclic (Dial 2006, section 3; Nie 2010 for the choice of label); the bush is then sorted
   again (Kahn's algorithm);
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
links'. Each bush is stored as its own list of entries and flows (all bushes in one flat array),
its entries grouped by head and the heads in topological order: a sweep costs the bush's size,
not the network's, and a node's labels are final once its group has been read. Only the bush
update looks at the links outside a bush, and it rewrites the bushes in place (the old and the
new bushes never sit side by side in memory; :class:`caravan.assign._bushes.Bushes`).

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

from caravan._numba import load_numba
from caravan.assign._bushes import Bushes, entry_update, init_bushes, rebuild_volumes
from caravan.assign._problem import Problem, Solution, SolveOptions, sweep_until_balanced
from caravan.assign.gap import problem_gap
from caravan.errors import NoRouteError

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["algorithm_b"]

logger = logging.getLogger(__name__)

#: A link counts as used by a bush when its flow exceeds this fraction of the origin's trips:
#: rounding leaves flows of a few ulps on links a shift emptied, and a greatest-cost path
#: through one of them could move no flow.
USED_FLOW_RATIO = 1e-14


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _labels(
    o: int, c: int, used: float, lo: int, hi: int, bush_entry: Any, bush_flow: Any,
    head: Any, tail: Any, et: Any, efix: Any, order: Any, pos: Any, lab_min: Any,
    lab_max: Any, pred_min: Any, pred_max: Any,
) -> Any:  # fmt: skip
    """Least-cost and greatest used-cost labels of the bush in slots ``lo:hi``.

    The slots hold the bush's entries grouped by head, heads in topological order, so each
    node is labelled from its links in once all their tails are. ``pred_min`` and ``pred_max``
    hold slots; ``order`` receives the nodes in topological order and ``pos`` their place in
    it. A link is used when its flow exceeds ``used``.

    Returns ``(n_order, bush_cost)``: the number of nodes in the bush and the cost of its flow.
    """
    lab_min[o] = 0.0
    lab_max[o] = 0.0
    pred_min[o] = -1
    pred_max[o] = -1
    pos[o] = 0
    order[0] = o
    n_order = 1
    bush_cost = 0.0
    k = lo
    while k < hi:
        j = head[bush_entry[k]]
        l_min = np.inf
        l_max = -np.inf
        s_min = -1
        s_max = -1
        while k < hi and head[bush_entry[k]] == j:
            e = bush_entry[k]
            f = bush_flow[k]
            u = tail[e]
            ce = et[e] + efix[c, e]
            bush_cost += f * ce
            if lab_min[u] + ce < l_min:
                l_min = lab_min[u] + ce
                s_min = k
            if f > used and lab_max[u] + ce > l_max:
                l_max = lab_max[u] + ce
                s_max = k
            k += 1
        if s_max == -1:  # no used link in: the greatest used cost is the least cost
            l_max = l_min
            s_max = s_min
        lab_min[j] = l_min
        lab_max[j] = l_max
        pred_min[j] = s_min
        pred_max[j] = s_max
        pos[j] = n_order
        order[n_order] = j
        n_order += 1
    return n_order, bush_cost


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _update_bush(
    o: int, c: int, used: float, n_order: int, lo: int, hi: int, bush_entry: Any,
    bush_flow: Any, indptr: Any, head: Any, tail: Any, et: Any, efix: Any, blocked: Any,
    order: Any, pos: Any, lab_min: Any, pred_min: Any, scratch: Any, out_lo: int,
    out_hi: int,
) -> Any:  # fmt: skip
    """Drop unused links off the least-cost tree, add shortcuts that keep the bush acyclic.

    Links whose flow is at most ``used`` leave the bush unless they are on the least-cost tree
    (flows of a few ulps: they would keep costly detours in the bush and block shortcuts). The
    new bush is written back into ``bush_entry`` and ``bush_flow`` from slot ``out_lo`` (its
    old slots ``lo:hi`` may be overwritten: they are read first), grouped by head in a new
    topological order (Kahn 1962). Returns ``(n_slots, added)``, or ``(-1, 0)`` (nothing
    written) when it would reach past slot ``out_hi``.
    """
    lab_all, mark, tmp_entry, tmp_flow, cnt, start, indeg, order2, outs = scratch
    stamp = mark[-1] + 1  # the last element holds the last stamp used
    mark[-1] = stamp
    for k in range(lo, hi):
        mark[bush_entry[k]] = stamp
    # drop, and take the greatest cost over every link left (topological order: a node's links
    # in are all settled before it is reached)
    n_tmp = 0
    lab_all[o] = 0.0
    k = lo
    while k < hi:
        j = head[bush_entry[k]]
        la = -np.inf
        while k < hi and head[bush_entry[k]] == j:
            e = bush_entry[k]
            f = bush_flow[k]
            if f <= used and pred_min[j] != k:
                mark[e] = 0  # out: it may join again below
            else:
                v = lab_all[tail[e]] + et[e] + efix[c, e]
                if v > la:
                    la = v
                tmp_entry[n_tmp] = e
                tmp_flow[n_tmp] = f
                n_tmp += 1
            k += 1
        lab_all[j] = la
    added = 0
    for i in range(n_order):
        u = order[i]
        if blocked[u] and u != o:
            continue
        ua = lab_all[u]
        lu = lab_min[u]
        for e in range(indptr[u], indptr[u + 1]):
            if mark[e] == stamp:
                continue
            j = head[e]
            if pos[j] < 0 or not ua < lab_all[j]:
                continue  # not in the bush, or it could close a cycle
            ce = et[e] + efix[c, e]
            if lu + ce < lab_min[j] or ua + ce < lab_all[j]:
                tmp_entry[n_tmp] = e
                tmp_flow[n_tmp] = 0.0
                n_tmp += 1
                added += 1
    if out_lo + n_tmp > out_hi:
        return -1, 0
    # Kahn's algorithm over the new links: links out of each node, then the order
    for i in range(n_order):
        u = order[i]
        cnt[u] = 0
        indeg[u] = 0
    for t in range(n_tmp):
        e = tmp_entry[t]
        cnt[tail[e]] += 1
        indeg[head[e]] += 1
    s = 0
    for i in range(n_order):
        u = order[i]
        start[u] = s
        s += cnt[u]
        cnt[u] = start[u]
    for t in range(n_tmp):
        u = tail[tmp_entry[t]]
        outs[cnt[u]] = t
        cnt[u] += 1
    order2[0] = o
    n2 = 1
    q = 0
    while q < n2:
        u = order2[q]
        q += 1
        for i in range(start[u], cnt[u]):
            j = head[tmp_entry[outs[i]]]
            indeg[j] -= 1
            if indeg[j] == 0:
                order2[n2] = j
                n2 += 1
    # the links again grouped by head, heads in the new order
    for i in range(n_order):
        indeg[order[i]] = 0
    for t in range(n_tmp):
        indeg[head[tmp_entry[t]]] += 1
    s = out_lo
    for i in range(1, n2):
        j = order2[i]
        start[j] = s
        s += indeg[j]
    for t in range(n_tmp):
        j = head[tmp_entry[t]]
        bush_entry[start[j]] = tmp_entry[t]
        bush_flow[start[j]] = tmp_flow[t]
        start[j] += 1
    return n_tmp, added


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _shift_bush(
    c: int, n_order: int, w: float, bush_entry: Any, bush_flow: Any, tail: Any,
    member_ptr: Any, member_link: Any, code: int, fft: Any, cap: Any, alpha: Any, beta: Any,
    ev: Any, et: Any, ed: Any, efix: Any, order: Any, pos: Any, lab_min: Any, lab_max: Any,
    pred_min: Any, pred_max: Any, seg_min: Any, seg_max: Any,
) -> None:  # fmt: skip
    """Newton shifts from the greatest- to the least-cost segment, nodes in reverse order."""
    for k in range(n_order - 1, 0, -1):
        j = order[k]
        s_min = pred_min[j]
        s_max = pred_max[j]
        if s_min == s_max or not lab_max[j] > lab_min[j]:
            continue
        n_min = 1
        n_max = 1
        seg_min[0] = s_min
        seg_max[0] = s_max
        a = tail[bush_entry[s_min]]
        z = tail[bush_entry[s_max]]
        while a != z:  # step back along whichever path is further from the origin
            if pos[a] > pos[z]:
                s = pred_min[a]
                seg_min[n_min] = s
                n_min += 1
                a = tail[bush_entry[s]]
            else:
                s = pred_max[z]
                seg_max[n_max] = s
                n_max += 1
                z = tail[bush_entry[s]]
        c_min = 0.0
        c_max = 0.0
        slope = 0.0
        room = np.inf
        for i in range(n_min):
            e = bush_entry[seg_min[i]]
            c_min += et[e] + efix[c, e]
            slope += ed[e]
        for i in range(n_max):
            s = seg_max[i]
            e = bush_entry[s]
            c_max += et[e] + efix[c, e]
            slope += ed[e]
            if bush_flow[s] < room:
                room = bush_flow[s]
        diff = c_max - c_min
        if not diff > 0.0 or not room > 0.0:
            continue
        slope *= w
        dx = room
        if slope > 0.0 and diff / slope < room:
            dx = diff / slope
        for i in range(n_max):
            s = seg_max[i]
            e = bush_entry[s]
            f = bush_flow[s] - dx
            bush_flow[s] = f if f > 0.0 else 0.0
            v = ev[e] - w * dx
            ev[e] = v if v > 0.0 else 0.0
            entry_update(e, ev[e], member_ptr, member_link, code, fft, cap, alpha, beta, et, ed)
        for i in range(n_min):
            s = seg_min[i]
            e = bush_entry[s]
            bush_flow[s] += dx
            ev[e] += w * dx
            entry_update(e, ev[e], member_ptr, member_link, code, fft, cap, alpha, beta, et, ed)


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _sweep(
    update: bool, shift: bool, skip_ratio: float, first: int, bush_cost: Any, bush_sptc: Any,
    ptr: Any, bush_entry: Any, bush_flow: Any, out_ptr: Any, indptr: Any, head: Any,
    tail: Any, member_ptr: Any, member_link: Any, code: int, fft: Any, cap: Any, alpha: Any,
    beta: Any, ev: Any, et: Any, ed: Any, efix: Any, blocked: Any, pce: Any, bush_class: Any,
    bush_origin: Any, bush_used: Any, demand: Any,
) -> Any:  # fmt: skip
    """One pass over the bushes from ``first``: labels, then (``update``) the bush update,
    then (``shift``) the flow shifts.

    With ``update`` every bush is rewritten, updated, in place: from slot ``out_ptr[b]`` (and
    ``out_ptr[b + 1]`` receives its end) up to at most ``ptr[b + 1]``, where the next bush to
    read starts (:meth:`Bushes.update` puts the bushes at the end of the arrays first); the
    pass stops early, returning the first bush not written, when one would reach past that (the
    caller makes room and calls again from there).
    Each bush's cost of flow and its demand times least cost inside the bush, at the labels
    taken before its shifts, are stored in ``bush_cost`` and ``bush_sptc``. A bush whose stored
    gap is at most ``skip_ratio`` of its cost is skipped (without ``update`` only). Returns
    ``(cost, sptc, added, next_bush)``: the sums of the stored values, the number of links
    added and the bush to go on from (the number of bushes when done).
    """
    n = indptr.size - 1
    n_e = head.size
    n_z = demand.shape[1]
    order = np.empty(n, np.int64)
    pos = np.full(n, -1, np.int64)
    lab_min = np.empty(n)
    lab_max = np.empty(n)
    pred_min = np.empty(n, np.int64)
    pred_max = np.empty(n, np.int64)
    seg_min = np.empty(n, np.int64)
    seg_max = np.empty(n, np.int64)
    scratch = (
        np.empty(n), np.zeros(n_e + 1, np.int64), np.empty(n_e, np.int32), np.empty(n_e),
        np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64),
        np.empty(n, np.int64), np.empty(n_e, np.int64),
    )  # fmt: skip
    total_cost = 0.0
    total_sptc = 0.0
    added = 0
    for b in range(first, bush_class.size):
        if (
            not update
            and skip_ratio > 0.0
            and (bush_cost[b] - bush_sptc[b] <= skip_ratio * bush_cost[b])
        ):
            total_cost += bush_cost[b]
            total_sptc += bush_sptc[b]
            continue
        c = bush_class[b]
        o = bush_origin[b]
        lo = ptr[b]
        hi = ptr[b + 1]
        n_order, cost_b = _labels(
            o, c, bush_used[b], lo, hi, bush_entry, bush_flow, head, tail, et, efix, order,
            pos, lab_min, lab_max, pred_min, pred_max,
        )  # fmt: skip
        sptc_b = 0.0
        for d in range(n_z):
            dem = demand[c, o, d]
            if dem > 0.0:
                sptc_b += dem * lab_min[d]
        if update:
            n_slots, added_b = _update_bush(
                o, c, bush_used[b], n_order, lo, hi, bush_entry, bush_flow, indptr, head,
                tail, et, efix, blocked, order, pos, lab_min, pred_min, scratch, out_ptr[b],
                ptr[b + 1],
            )  # fmt: skip
            if n_slots < 0:
                for i in range(n_order):
                    pos[order[i]] = -1
                return total_cost, total_sptc, added, b
            added += added_b
            lo = out_ptr[b]
            hi = lo + n_slots
            out_ptr[b + 1] = hi
            for i in range(n_order):
                pos[order[i]] = -1
            # the slots moved: label the rewritten bush (same nodes, same costs)
            n_order, _ = _labels(
                o, c, bush_used[b], lo, hi, bush_entry, bush_flow, head, tail, et, efix, order, pos,
                lab_min, lab_max, pred_min, pred_max,
            )  # fmt: skip
        bush_cost[b] = cost_b
        bush_sptc[b] = sptc_b
        total_cost += cost_b
        total_sptc += sptc_b
        if shift:
            _shift_bush(
                c, n_order, pce[c], bush_entry, bush_flow, tail, member_ptr, member_link, code, fft,
                cap, alpha, beta, ev, et, ed, efix, order, pos, lab_min, lab_max, pred_min,
                pred_max, seg_min, seg_max,
            )  # fmt: skip
        for i in range(n_order):
            pos[order[i]] = -1
    return total_cost, total_sptc, added, bush_class.size


def algorithm_b(problem: Problem, options: SolveOptions) -> Solution:
    """Solve user equilibrium by Algorithm B (Dial 2006) on one bush per origin and class.

    ``options.max_iter`` counts bush updates of every bush; ``options.progress`` hears the
    relative gap only when it is computed (see the module docstring: not while the bushes' own
    gap shows the target is not met).

    Returns
    -------
    Solution
        With the shortest-path total cost of the flows returned.
    """
    gap, max_iter, progress = options.gap, options.max_iter, options.progress
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
    n_b = bush_class.size
    bushes = Bushes(n_b, n_b * max(1, sg.n_nodes - 1))
    ev = np.zeros(n_e)
    et = np.empty(n_e)
    ed = np.empty(n_e)
    vdf_args: tuple[Any, ...] = (
        sg.member_ptr, sg.member_link, code, fft, cap, alpha, beta, ev, et, ed,
    )  # fmt: skip
    rebuild_volumes(*bushes.arrays, bush_class, pce, *vdf_args)
    class_cost = np.ascontiguousarray(et[None, :] + efix)
    bad_b, bad_d = init_bushes(
        sg.indptr, sg.head, sg.tail, class_cost, sg.blocked_node_mask, bush_class, bush_origin,
        demand, *bushes.arrays,
    )  # fmt: skip
    if bad_b >= 0:
        o = int(bush_origin[bad_b])
        dem = float(demand[bush_class[bad_b], o, bad_d])
        msg = f"no path from zone index {o} to zone index {bad_d}, which has demand {dem:g}"
        raise NoRouteError(msg)
    bushes.trim()
    args: tuple[Any, ...] = (
        sg.indptr, sg.head, sg.tail, *vdf_args, efix, sg.blocked_node_mask, pce, bush_class,
        bush_origin, bush_used, demand,
    )  # fmt: skip
    bush_cost = np.zeros(n_b)
    bush_sptc = np.zeros(n_b)

    def sweep(shift: bool, skip_ratio: float) -> tuple[float, float]:
        cost, spt, _, _ = _sweep(
            False, shift, skip_ratio, 0, bush_cost, bush_sptc, *bushes.arrays, bushes.ptr,
            *args,
        )  # fmt: skip
        return cost, spt

    history: list[float] = []
    last_gap = 1.0
    sptc = 0.0
    iteration = 0
    while True:
        rebuild_volumes(*bushes.arrays, bush_class, pce, *vdf_args)
        if iteration > 0:
            cost, spt = sweep(False, 0.0)
            bush_gap = (cost - spt) / cost if cost > 0 else 0.0
            checked = bush_gap <= gap or iteration >= max_iter
            if checked:
                class_flow = bushes.class_flow(problem, bush_class)
                report = problem_gap(problem, class_flow)
                sptc = report.sptc
                last_gap = report.relative_gap
            else:
                last_gap = bush_gap  # a lower bound of the relative gap
            history.append(last_gap)
            if progress is not None and checked:
                progress(iteration, last_gap)
            logger.debug(
                "b iteration %d: bush gap %.3e, gap %s, %d bush slots", iteration, bush_gap,
                f"{last_gap:.3e}" if checked else "not computed", bushes.n_slots,
            )  # fmt: skip
            if checked and (last_gap <= gap or iteration >= max_iter):
                break
        iteration += 1
        bushes.update(
            lambda first, in_ptr, out_ptr: _sweep(
                True, True, 0.0, first, bush_cost, bush_sptc, in_ptr, bushes.entry,
                bushes.flow, out_ptr, *args,
            )[3]
        )  # fmt: skip
        # bushes already as close to balance as the target are left alone
        sweeps = sweep_until_balanced(lambda t: sweep(True, t), last_gap, options.inner_sweeps)
        logger.debug("b iteration %d: %d inner sweeps", iteration, sweeps)
    return Solution(class_flow, iteration, tuple(history), sptc)
