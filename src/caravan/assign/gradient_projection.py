"""Path-based gradient projection: the high-precision user-equilibrium algorithm ("gp").

Each O-D pair keeps the set of paths it uses. Every iteration makes one shortest-path pass at the
costs of the current flows, streamed by batches of origins (memory per batch, never origins x
nodes): each batch's trees add to the shortest-path total cost, so the pass gives the relative gap
at the current flows, and add each O-D pair's least-cost path to its set when it is new (column
generation; a new path starts with no flow, so the flows stay those whose gap is measured). Then
sweeps over the O-D pairs move flow from every costlier path to the cheapest one by a Newton step,
``delta = min(f_p, (c_p - c_q) / (pce * sum of dt/dv over links in exactly one of the two
paths))``, updating link volumes and times at once (Gauss–Seidel), until the path sets are much
closer to balance than the last gap (sweeps cost little next to a pass). Paths that lose all their
flow leave the set. Link flows are rebuilt from path flows before every pass, and the last pass's
shortest-path total cost is handed back, so the reported gap is that of the flows returned with no
extra pass.

References
----------
.. [1] R. Jayakrishnan, W. K. Tsai, J. N. Prashker and S. Rajadhyaksha (1994), "A faster
   path-based algorithm for traffic assignment", Transportation Research Record 1443, 75–83.
.. [2] A. Chen, D.-H. Lee and R. Jayakrishnan (2002), "Computational study of state-of-the-art
   path-based traffic assignment algorithms", Mathematics and Computers in Simulation 59(6),
   509–518.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import numba
import numpy as np
from numba import njit
from numpy.typing import NDArray

from caravan._numba import load_numba
from caravan.assign._problem import Problem, Solution, SolveOptions, grown, sweep_until_balanced
from caravan.assign.gap import gap_report
from caravan.assign.vdf import vdf_derivative_scalar, vdf_time_scalar
from caravan.errors import NoRouteError
from caravan.model.arrays import FloatArray, IntArray
from caravan.routing.search_graph import SearchGraph
from caravan.routing.trees import trees_kernel

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["gradient_projection"]

logger = logging.getLogger(__name__)


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _set_link(
    a: int, change: float, pce: float, class_flow: Any, volume: Any, link_time: Any,
    link_deriv: Any, code: int, fft: Any, cap: Any, alpha: Any, beta: Any,
) -> None:  # fmt: skip
    f = class_flow[a] + change
    class_flow[a] = f if f > 0.0 else 0.0
    v = volume[a] + pce * change
    v = v if v > 0.0 else 0.0
    volume[a] = v
    link_time[a] = vdf_time_scalar(code, v, fft[a], cap[a], alpha[a], beta[a])
    link_deriv[a] = vdf_derivative_scalar(code, v, fft[a], cap[a], alpha[a], beta[a])


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _path_cost(p: int, p_start: Any, p_len: Any, links_buf: Any, link_time: Any, fixed: Any) -> Any:
    s = 0.0
    for i in range(p_start[p], p_start[p] + p_len[p]):
        a = links_buf[i]
        s += link_time[a] + fixed[a]
    return s


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _add_columns(
    od_lo: int, od_hi: int, member_ptr: Any, member_link: Any, tail: Any, pred: Any,
    row_of_origin: Any,
    od_origin: Any, od_dest: Any, od_demand: Any, od_head: Any, p_next: Any, p_start: Any,
    p_len: Any, p_flow: Any, links_buf: Any, n_paths: int, buf_used: int,
) -> Any:  # fmt: skip
    """Add each O-D pair's least-cost path (from ``pred``) to its set when it is new.

    ``pred`` holds one row of predecessor entries per origin (``row_of_origin`` maps a zone to
    its row). A pair's first path takes all its demand (link flows are not updated here); later
    ones start empty. Returns ``(next_od, n_paths, buf_used)``; ``next_od < od_hi`` means the
    path arrays are full: the caller grows them and calls again from that pair.
    """
    tmp = np.empty(member_link.size + 1, np.int64)
    for od in range(od_lo, od_hi):
        o = od_origin[od]
        row = row_of_origin[o]
        n_tmp = 0
        u = od_dest[od]
        while u != o:  # the path's links from the destination back, chains expanded
            e = pred[row, u]
            for k in range(member_ptr[e + 1] - 1, member_ptr[e] - 1, -1):
                tmp[n_tmp] = member_link[k]
                n_tmp += 1
            u = tail[e]
        found = False
        p = od_head[od]
        while p != -1 and not found:
            if p_len[p] == n_tmp:
                same = True
                base = p_start[p]
                for i in range(n_tmp):
                    if links_buf[base + i] != tmp[i]:
                        same = False
                        break
                found = same
            p = p_next[p]
        if found:
            continue
        if n_paths == p_start.size or buf_used + n_tmp > links_buf.size:
            return od, n_paths, buf_used
        new = n_paths
        n_paths += 1
        p_start[new] = buf_used
        p_len[new] = n_tmp
        for i in range(n_tmp):
            links_buf[buf_used + i] = tmp[i]
        buf_used += n_tmp
        p_next[new] = od_head[od]
        # a pair's first path takes all its demand (the caller rebuilds the link flows)
        p_flow[new] = od_demand[od] if od_head[od] == -1 else 0.0
        od_head[od] = new
    return od_hi, n_paths, buf_used


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _shift_flows(
    od_lo: int, od_hi: int, pce: float, code: int,
    fft: Any, cap: Any, alpha: Any, beta: Any, fixed: Any,
    class_flow: Any, volume: Any, link_time: Any, link_deriv: Any, od_head: Any,
    p_next: Any, p_start: Any, p_len: Any, p_flow: Any, links_buf: Any,
    mark_p: Any, mark_q: Any, stamp: int, first_new: int,
) -> Any:  # fmt: skip
    """Newton flow shifts to the cheapest path over O-D pairs ``od_lo:od_hi``.

    Paths left without flow leave their pair's set, except those added by the last pass (ids
    from ``first_new``): a new path that is no longer the cheapest when its pair is reached
    (other pairs' shifts moved the costs) may be again a few sweeps later.

    Returns ``(stamp, excess, total)``: the stamp, and the cost of the flow above the cheapest
    path of each pair's set and the total cost, summed as each pair is reached (before its
    shift), so that ``excess / total`` measures how far the sweep found the sets from balance.
    """
    excess = 0.0
    total = 0.0
    for od in range(od_lo, od_hi):
        head = od_head[od]
        if head == -1 or p_next[head] == -1:
            continue  # a single path: nothing to shift
        q = -1
        best = np.inf
        p = head
        while p != -1:
            c = _path_cost(p, p_start, p_len, links_buf, link_time, fixed)
            excess += p_flow[p] * c
            total += p_flow[p] * c
            if c < best:
                best = c
                q = p
            p = p_next[p]
        p = head
        while p != -1:
            excess -= p_flow[p] * best
            p = p_next[p]
        p = head
        while p != -1:
            if p != q and p_flow[p] > 0.0:
                diff = _path_cost(p, p_start, p_len, links_buf, link_time, fixed) - _path_cost(
                    q, p_start, p_len, links_buf, link_time, fixed
                )
                if diff > 0.0:
                    stamp += 1
                    q0, q1 = p_start[q], p_start[q] + p_len[q]
                    r0, r1 = p_start[p], p_start[p] + p_len[p]
                    for i in range(q0, q1):
                        mark_q[links_buf[i]] = stamp
                    for i in range(r0, r1):
                        mark_p[links_buf[i]] = stamp
                    den = 0.0
                    for i in range(r0, r1):
                        if mark_q[links_buf[i]] != stamp:
                            den += link_deriv[links_buf[i]]
                    for i in range(q0, q1):
                        if mark_p[links_buf[i]] != stamp:
                            den += link_deriv[links_buf[i]]
                    den *= pce
                    delta = p_flow[p]
                    if den > 0.0 and diff / den < delta:
                        delta = diff / den
                        p_flow[p] -= delta
                    else:
                        p_flow[p] = 0.0
                    p_flow[q] += delta
                    for i in range(r0, r1):
                        a = links_buf[i]
                        if mark_q[a] != stamp:
                            _set_link(a, -delta, pce, class_flow, volume, link_time, link_deriv,
                                      code, fft, cap, alpha, beta)  # fmt: skip
                    for i in range(q0, q1):
                        a = links_buf[i]
                        if mark_p[a] != stamp:
                            _set_link(a, delta, pce, class_flow, volume, link_time, link_deriv,
                                      code, fft, cap, alpha, beta)  # fmt: skip
            p = p_next[p]
        # drop paths that carry no flow (the cheapest one stays)
        prev = -1
        p = head
        while p != -1:
            nxt = p_next[p]
            if p_flow[p] <= 0.0 and p != q and p < first_new:
                if prev == -1:
                    od_head[od] = nxt
                else:
                    p_next[prev] = nxt
            else:
                prev = p
            p = nxt
    return stamp, excess, total


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _compact_paths(
    od_head: Any, p_next: Any, p_start: Any, p_len: Any, p_flow: Any, links_buf: Any, n_paths: int
) -> Any:
    """Drop the storage of paths no O-D pair uses any more, in place; return the new counts.

    Path ids are handed out in the order their links were stored, so moving every live path down
    to the next free slot, in id order, never overwrites anything not yet moved.
    """
    new_id = np.full(n_paths, -1, np.int64)
    for od in range(od_head.size):
        p = od_head[od]
        while p != -1:
            new_id[p] = 0
            p = p_next[p]
    n_live = 0
    used = 0
    for p in range(n_paths):
        if new_id[p] == -1:
            continue
        new_id[p] = n_live
        start, length = p_start[p], p_len[p]
        for i in range(length):
            links_buf[used + i] = links_buf[start + i]
        p_start[n_live] = used
        p_len[n_live] = length
        p_flow[n_live] = p_flow[p]
        p_next[n_live] = p_next[p]
        used += length
        n_live += 1
    for p in range(n_live):
        if p_next[p] != -1:
            p_next[p] = new_id[p_next[p]]
    for od in range(od_head.size):
        if od_head[od] != -1:
            od_head[od] = new_id[od_head[od]]
    return n_live, used


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _flows_from_paths(
    od_class: Any, od_head: Any, p_next: Any, p_start: Any, p_len: Any, p_flow: Any,
    links_buf: Any, class_flow: Any,
) -> None:  # fmt: skip
    class_flow[:, :] = 0.0
    for od in range(od_head.size):
        c = od_class[od]
        p = od_head[od]
        while p != -1:
            f = p_flow[p]
            for i in range(p_start[p], p_start[p] + p_len[p]):
                class_flow[c, links_buf[i]] += f
            p = p_next[p]


#: Memory for one batch of shortest-path trees (distances and predecessors), in bytes.
TREE_BATCH_BYTES = 16 * 2**20


class _PathStore:
    """Every O-D pair's paths as linked lists over flat arrays (grown in place when full)."""

    def __init__(self, n_od: int, n_links: int) -> None:
        self.od_head = np.full(n_od, -1, np.int64)
        cap_paths = max(16, 2 * n_od)
        self.p_start = np.empty(cap_paths, np.int64)
        self.p_len = np.empty(cap_paths, np.int32)
        self.p_flow = np.empty(cap_paths)
        self.p_next = np.empty(cap_paths, np.int64)
        # link positions of every path, as 16-bit numbers when the network is small enough
        link_dtype = np.uint16 if n_links <= np.iinfo(np.uint16).max else np.int32
        self.links_buf = np.empty(max(16, 8 * n_od), link_dtype)
        self.n_paths = 0
        self.buf_used = 0

    def grow(self) -> None:
        """Enlarge whichever store is full by half."""
        if self.n_paths == self.p_start.size:
            size = self.p_start.size + self.p_start.size // 2
            for name in ("p_start", "p_len", "p_flow", "p_next"):
                setattr(self, name, grown(getattr(self, name), size))
        else:
            self.links_buf = grown(self.links_buf, self.links_buf.size + self.links_buf.size // 2)

    def compact(self) -> None:
        self.n_paths, self.buf_used = _compact_paths(
            self.od_head, self.p_next, self.p_start, self.p_len, self.p_flow, self.links_buf,
            self.n_paths,
        )  # fmt: skip

    @property
    def arrays(self) -> tuple[NDArray[Any], ...]:
        """``od_head, p_next, p_start, p_len, p_flow, links_buf``."""
        return self.od_head, self.p_next, self.p_start, self.p_len, self.p_flow, self.links_buf


def gradient_projection(problem: Problem, options: SolveOptions) -> Solution:
    """Solve user equilibrium by path-based gradient projection.

    The relative gap is checked at the current flows at the start of each iteration;
    ``options.max_iter`` counts shortest-path passes, and ``options.inner_sweeps`` the most
    flow-shift sweeps over all O-D pairs per iteration, after the new paths are added.

    Returns
    -------
    Solution
        With the shortest-path total cost of the flows returned (from the last pass).
    """
    gap, max_iter, progress = options.gap, options.max_iter, options.progress
    net = problem.network
    sg = net.search_graph
    n_l = net.n_links
    # O-D pairs of each class, sorted by class, origin, destination
    od_parts = [np.argwhere(problem.demand[c] > 0) for c in range(problem.n_classes)]
    od_class = np.concatenate([np.full(len(p), c, np.int64) for c, p in enumerate(od_parts)])
    od_origin = np.concatenate([p[:, 0] for p in od_parts]).astype(np.int64)
    od_dest = np.concatenate([p[:, 1] for p in od_parts]).astype(np.int64)
    od_demand = np.concatenate([problem.demand[c][tuple(p.T)] for c, p in enumerate(od_parts)])
    od_bounds = np.concatenate(([0], np.cumsum([len(p) for p in od_parts]))).astype(np.int64)
    n_od = od_class.size
    store = _PathStore(n_od, n_l)
    # links of the two paths of a shift are stamped in these (the last slot: the last stamp)
    marks = (np.zeros(n_l + 1, np.int64), np.zeros(n_l + 1, np.int64))
    class_flow = np.zeros((problem.n_classes, n_l))
    fixed = [np.ascontiguousarray(problem.fixed_cost[c]) for c in range(problem.n_classes)]
    batch = max(numba.get_num_threads(), min(256, TREE_BATCH_BYTES // (16 * max(1, net.n_nodes))))
    history: list[float] = []
    iteration = 0
    while True:
        _flows_from_paths(od_class, *store.arrays, class_flow)  # type: ignore[call-arg]
        volume = np.ascontiguousarray(problem.pce @ class_flow)
        link_time = problem.link_time(volume)
        link_deriv = problem.link_derivative(volume)
        iteration += 1
        sptc = 0.0
        costs = [np.ascontiguousarray(problem.class_cost(c, link_time)) for c in range(len(fixed))]
        if iteration > 1:
            store.compact()
        first_new = store.n_paths
        for c in range(problem.n_classes):
            # trees at the costs of the current flows, a batch of origins at a time; the new
            # paths start empty (after the first pass), so the flows stay those whose gap this is
            lo, hi = int(od_bounds[c]), int(od_bounds[c + 1])
            sptc += _column_generation(
                problem, c, sg, costs[c], od_origin[lo:hi], lo, batch, store,
                od_origin, od_dest, od_demand,
            )  # fmt: skip
        if iteration > 1:
            # new paths start empty after the first pass: these are still the flows of the pass
            report = gap_report(problem, class_flow, sptc, link_time)
            history.append(report.relative_gap)
            if progress is not None:
                progress(iteration - 1, report.relative_gap)
            logger.debug(
                "gp iteration %d: gap %.3e, %d paths, %d link entries",
                iteration - 1, report.relative_gap, store.n_paths, store.buf_used,
            )  # fmt: skip
            if report.relative_gap <= gap or iteration - 1 >= max_iter:
                break
            sweep = partial(
                _sweep_pairs, problem, store, od_bounds, fixed, class_flow, volume, link_time,
                link_deriv, marks, first_new,
            )  # fmt: skip
            sweep_until_balanced(sweep, history[-1], options.inner_sweeps)
    logger.debug("gp: %d paths, %d link entries, %d O-D pairs", store.n_paths, store.buf_used, n_od)
    return Solution(class_flow, iteration - 1, tuple(history), sptc)


def _column_generation(
    problem: Problem, c: int, sg: SearchGraph, cost: FloatArray, class_origin: IntArray,
    od_offset: int, batch: int, store: _PathStore,
    od_origin: IntArray, od_dest: IntArray, od_demand: FloatArray,
) -> float:  # fmt: skip
    """One shortest-path pass of class ``c`` streamed by origin batches; returns its SPTC."""
    origins = np.unique(class_origin)
    entry_cost = sg.entry_cost(cost)
    demand = problem.demand[c]
    n_z = sg.n_zones
    sptc = 0.0
    row_of_origin = np.full(n_z, -1, np.int64)
    for b0 in range(0, origins.size, batch):
        chunk = origins[b0 : b0 + batch]
        dist = np.empty((chunk.size, sg.n_nodes))
        pred = np.empty((chunk.size, sg.n_nodes), np.int64)
        od_lo = od_offset + int(np.searchsorted(class_origin, chunk[0], side="left"))
        od_hi = od_offset + int(np.searchsorted(class_origin, chunk[-1], side="right"))
        # each search stops once the origin's destinations are settled
        target_ptr = od_lo + np.searchsorted(od_origin[od_lo:od_hi], chunk, side="left")
        target_ptr = np.append(target_ptr, od_hi) - od_lo
        trees_kernel(
            sg.indptr, sg.head, entry_cost, sg.blocked_node_mask, chunk, dist, pred,
            target_ptr=target_ptr.astype(np.int64), target_idx=od_dest[od_lo:od_hi],
        )  # fmt: skip
        rows = demand[chunk]
        zd = dist[:, :n_z]
        bad = (rows > 0) & np.isinf(zd)
        if bad.any():
            k, d = (int(i) for i in np.argwhere(bad)[0])
            msg = (
                f"no path from zone index {int(chunk[k])} to zone index {d}, which has demand "
                f"{rows[k, d]:g}"
            )
            raise NoRouteError(msg)
        sptc += float(np.sum(rows[rows > 0] * zd[rows > 0]))
        row_of_origin[chunk] = np.arange(chunk.size)
        while od_lo < od_hi:
            od_lo, store.n_paths, store.buf_used = _add_columns(
                od_lo, od_hi, sg.member_ptr, sg.member_link, sg.tail, pred, row_of_origin,
                od_origin,
                od_dest, od_demand, store.od_head, store.p_next, store.p_start, store.p_len,
                store.p_flow, store.links_buf, store.n_paths, store.buf_used,
            )  # fmt: skip
            if od_lo < od_hi:
                store.grow()
        row_of_origin[chunk] = -1
    return sptc


def _sweep_pairs(
    problem: Problem, store: _PathStore, od_bounds: IntArray, fixed: list[FloatArray],
    class_flow: FloatArray, volume: FloatArray, link_time: FloatArray, link_deriv: FloatArray,
    marks: tuple[IntArray, IntArray], first_new: int, _target: float,
) -> tuple[float, float]:  # fmt: skip
    """One sweep of flow shifts over every O-D pair; returns ``(cost, least_cost)`` of the sets.

    Every pair is swept (``_target`` is not used: a pair's shifts cost little).
    """
    net = problem.network
    vdf_arrays: tuple[Any, ...] = tuple(
        np.ascontiguousarray(a) for a in (net.free_flow_time, net.capacity, net.alpha, net.beta)
    )
    mark_p, mark_q = marks
    stamp = int(mark_p[-1])
    excess = total = 0.0
    for c in range(problem.n_classes):
        stamp, excess_c, total_c = _shift_flows(  # type: ignore[call-arg]
            int(od_bounds[c]), int(od_bounds[c + 1]), float(problem.pce[c]), problem.vdf.code,
            *vdf_arrays, fixed[c], class_flow[c],
            volume, link_time, link_deriv, store.od_head, store.p_next, store.p_start,
            store.p_len, store.p_flow, store.links_buf, mark_p, mark_q, stamp, first_new,
        )  # fmt: skip
        excess += excess_c
        total += total_c
    mark_p[-1] = stamp
    return total, total - excess
