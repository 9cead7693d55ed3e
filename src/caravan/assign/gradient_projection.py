"""Path-based gradient projection: the high-precision user-equilibrium algorithm ("gp").

Each O-D pair keeps the set of paths it uses. Every iteration computes least-cost trees from all
origins in parallel at the current costs (which also gives the relative gap at the current flows),
adds each O-D pair's least-cost path to its set when it is new (column generation), then sweeps
the O-D pairs one after another and moves flow from every costlier path to the cheapest one by a
Newton step, ``delta = min(f_p, (c_p - c_q) / (pce * sum of dt/dv over links in exactly one of
the two paths))``, updating link volumes and times at once (Gauss–Seidel). Paths that lose all
their flow leave the set. Link flows are rebuilt from path flows before every gap evaluation, so
the reported gap is that of the flows returned.

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
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from caravan.assign._problem import Problem, ProgressFn, Solution
from caravan.assign.gap import sptc_from_distances
from caravan.assign.vdf import vdf_derivative_scalar, vdf_time_scalar
from caravan.routing.trees import trees_kernel

__all__ = ["gradient_projection"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
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
def _gp_sweep(
    od_lo: int, od_hi: int, add_columns: bool, pce: float, code: int,
    fft: Any, cap: Any, alpha: Any, beta: Any, fixed: Any, from_idx: Any,
    class_flow: Any, volume: Any, link_time: Any, link_deriv: Any,
    pred: Any, origin_row: Any, od_origin: Any, od_dest: Any, od_demand: Any, od_head: Any,
    p_next: Any, p_start: Any, p_len: Any, p_flow: Any, links_buf: Any,
    n_paths: int, buf_used: int, mark_p: Any, mark_q: Any, stamp: int,
) -> Any:  # fmt: skip
    """Column generation and Newton flow shifts over O-D pairs ``od_lo:od_hi`` of one class."""
    tmp = np.empty(from_idx.size + 1, np.int64)
    for od in range(od_lo, od_hi):
        o = od_origin[od]
        if add_columns:
            row = origin_row[o]
            n_tmp = 0
            u = od_dest[od]
            while u != o:
                a = pred[row, u]
                tmp[n_tmp] = a
                n_tmp += 1
                u = from_idx[a]
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
            if not found:
                if n_paths == p_start.size or buf_used + n_tmp > links_buf.size:
                    # out of room: the caller grows the arrays and calls again from this pair
                    return od, n_paths, buf_used, stamp
                new = n_paths
                n_paths += 1
                p_start[new] = buf_used
                p_len[new] = n_tmp
                for i in range(n_tmp):
                    links_buf[buf_used + i] = tmp[i]
                buf_used += n_tmp
                p_next[new] = od_head[od]
                if od_head[od] == -1:  # first path of the pair takes all its demand
                    p_flow[new] = od_demand[od]
                    for i in range(n_tmp):
                        _set_link(tmp[i], od_demand[od], pce, class_flow, volume, link_time,
                                  link_deriv, code, fft, cap, alpha, beta)  # fmt: skip
                else:
                    p_flow[new] = 0.0
                od_head[od] = new
        head = od_head[od]
        if p_next[head] == -1:
            continue  # a single path: nothing to shift
        q = -1
        best = np.inf
        p = head
        while p != -1:
            c = _path_cost(p, p_start, p_len, links_buf, link_time, fixed)
            if c < best:
                best = c
                q = p
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
            if p_flow[p] <= 0.0 and p != q:
                if prev == -1:
                    od_head[od] = nxt
                else:
                    p_next[prev] = nxt
            else:
                prev = p
            p = nxt
    return od_hi, n_paths, buf_used, stamp


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


def _grown(array: NDArray[Any], size: int) -> NDArray[Any]:
    """``array`` enlarged to ``size`` elements, in place where the allocator can (no copy peak)."""
    array.resize(size, refcheck=False)
    return array


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


def gradient_projection(
    problem: Problem,
    *,
    gap: float = 1e-6,
    max_iter: int = 500,
    progress: ProgressFn | None = None,
    inner_sweeps: int = 3,
) -> Solution:
    """Solve user equilibrium by path-based gradient projection.

    Parameters
    ----------
    problem : Problem
        Stacked network, demand classes and VDF.
    gap : float
        Relative-gap target, checked at the current flows at the start of each iteration.
    max_iter : int
        Maximum number of iterations (shortest-path passes).
    progress : callable, optional
        Called as ``progress(iteration, relative_gap)``.
    inner_sweeps : int
        Flow-shift sweeps per iteration (the first also adds new paths).

    Returns
    -------
    Solution
    """
    net = problem.network
    n_l = net.n_links
    code = problem.vdf.code
    fft, cap, alpha, beta = (
        np.ascontiguousarray(a) for a in (net.free_flow_time, net.capacity, net.alpha, net.beta)
    )
    # O-D pairs of each class, sorted by class, origin, destination
    od_parts = [np.argwhere(problem.demand[c] > 0) for c in range(problem.n_classes)]
    od_class = np.concatenate([np.full(len(p), c, np.int64) for c, p in enumerate(od_parts)])
    od_origin = np.concatenate([p[:, 0] for p in od_parts]).astype(np.int64)
    od_dest = np.concatenate([p[:, 1] for p in od_parts]).astype(np.int64)
    od_demand = np.concatenate([problem.demand[c][tuple(p.T)] for c, p in enumerate(od_parts)])
    od_bounds = np.concatenate(([0], np.cumsum([len(p) for p in od_parts])))
    n_od = od_class.size
    od_head = np.full(n_od, -1, np.int64)
    cap_paths = max(16, 2 * n_od)
    p_start = np.empty(cap_paths, np.int64)
    p_len = np.empty(cap_paths, np.int32)
    p_flow = np.empty(cap_paths)
    p_next = np.empty(cap_paths, np.int64)
    # link positions of every path, as 16-bit numbers when the network is small enough
    link_dtype = np.uint16 if n_l <= np.iinfo(np.uint16).max else np.int32
    links_buf = np.empty(max(16, 8 * n_od), link_dtype)
    n_paths = buf_used = stamp = 0
    mark_p = np.zeros(n_l, np.int64)
    mark_q = np.zeros(n_l, np.int64)
    class_flow = np.zeros((problem.n_classes, n_l))
    origins = [np.unique(od_origin[od_bounds[c] : od_bounds[c + 1]]) for c in range(len(od_parts))]
    history: list[float] = []
    iteration = 0
    while True:
        _flows_from_paths(od_class, od_head, p_next, p_start, p_len, p_flow, links_buf, class_flow)
        volume = np.ascontiguousarray(problem.pce @ class_flow)
        link_time = problem.link_time(volume)
        link_deriv = problem.link_derivative(volume)
        iteration += 1
        tsc = float(np.sum(class_flow * (link_time[None, :] + problem.fixed_cost)))
        sptc = 0.0
        preds: list[IntArray] = []
        for c in range(problem.n_classes):
            cost = np.ascontiguousarray(problem.class_cost(c, link_time))
            dist = np.empty((origins[c].size, net.n_nodes))
            pred = np.empty((origins[c].size, net.n_nodes), np.int64)
            trees_kernel(
                net.indptr, net.csr_link_idx, net.to_idx, cost, net.blocked_node_mask,
                origins[c], dist, pred,
            )  # fmt: skip
            full = np.full((net.n_zones, net.n_zones), np.inf)
            full[origins[c]] = dist[:, : net.n_zones]
            sptc += sptc_from_distances(full, problem.demand[c])
            preds.append(pred)
        if iteration > 1:
            rel_gap = (tsc - sptc) / tsc if tsc > 0 else 0.0
            history.append(rel_gap)
            if progress is not None:
                progress(iteration - 1, rel_gap)
            logger.debug(
                "gp iteration %d: gap %.3e, %d paths, %d link entries",
                iteration - 1, rel_gap, n_paths, buf_used,
            )  # fmt: skip
            if rel_gap <= gap or iteration - 1 >= max_iter:
                break
        n_paths, buf_used = _compact_paths(
            od_head, p_next, p_start, p_len, p_flow, links_buf, n_paths
        )  # fmt: skip
        for sweep in range(max(1, inner_sweeps) if iteration > 1 else 1):
            for c in range(problem.n_classes):
                origin_row = np.full(net.n_zones, -1, np.int64)
                origin_row[origins[c]] = np.arange(origins[c].size)
                od_lo, od_hi = int(od_bounds[c]), int(od_bounds[c + 1])
                while od_lo < od_hi:
                    (od_lo, n_paths, buf_used, stamp) = _gp_sweep(
                        od_lo, od_hi, sweep == 0, float(problem.pce[c]), code,
                        fft, cap, alpha, beta, np.ascontiguousarray(problem.fixed_cost[c]),
                        net.from_idx, class_flow[c], volume, link_time, link_deriv, preds[c],
                        origin_row, od_origin, od_dest, od_demand, od_head, p_next, p_start,
                        p_len, p_flow, links_buf, n_paths, buf_used, mark_p, mark_q, stamp,
                    )  # fmt: skip
                    if od_lo < od_hi:  # out of room: grow by half and go on from that pair
                        if n_paths == p_start.size:
                            size = p_start.size + p_start.size // 2
                            p_start, p_len, p_flow, p_next = (
                                _grown(a, size) for a in (p_start, p_len, p_flow, p_next)
                            )
                        else:
                            links_buf = _grown(links_buf, links_buf.size + links_buf.size // 2)
    logger.debug("gp: %d paths, %d link entries, %d O-D pairs", n_paths, buf_used, n_od)
    return Solution(class_flow.copy(), iteration - 1, tuple(history))
