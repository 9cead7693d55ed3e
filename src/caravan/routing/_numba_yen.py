"""Yen's k shortest loopless paths and the overlap filter in one numba kernel.

The same algorithm, step for step, as :func:`caravan.routing.kshortest.k_shortest_paths` fed
through :func:`caravan.routing.kshortest.distinct_paths` (imported on first use, like the
Dijkstra kernel): the same spur searches in the same order, candidates ordered as the Python
heap orders its tuples (weight, number of arcs, then the arcs themselves), weights summed in
path order, overlaps summed in the same order, so the paths kept are the same paths. Only the
Python overhead of ~6 spur searches per pair (mask copies, tuples, generator hand-offs) goes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from caravan._numba import load_numba
from caravan.routing._numba_kernel import dijkstra_kernel

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["yen_distinct_kernel"]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _less(w_a: Any, arcs_a: Any, s_a: Any, w_b: Any, arcs_b: Any, s_b: Any) -> Any:
    """Python's order of the candidate tuples ``(weight, len(arcs), arcs, start, ...)``."""
    if w_a != w_b:
        return w_a < w_b
    if arcs_a.shape[0] != arcs_b.shape[0]:
        return arcs_a.shape[0] < arcs_b.shape[0]
    for j in range(arcs_a.shape[0]):
        if arcs_a[j] != arcs_b[j]:
            return arcs_a[j] < arcs_b[j]
    return s_a < s_b


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _sift_up(heap: Any, weight: Any, arcs: Any, start: Any, pos: Any) -> Any:
    item = heap[pos]
    while pos > 0:
        parent = (pos - 1) >> 1
        p = heap[parent]
        if _less(weight[item], arcs[item], start[item], weight[p], arcs[p], start[p]):
            heap[pos] = p
            pos = parent
        else:
            break
    heap[pos] = item


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _pop(heap: Any, weight: Any, arcs: Any, start: Any) -> Any:
    top = heap[0]
    last = heap.pop()
    size = len(heap)
    if size == 0:
        return top
    pos = 0
    while True:
        left = 2 * pos + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and _less(
            weight[heap[right]],
            arcs[heap[right]],
            start[heap[right]],
            weight[heap[left]],
            arcs[heap[left]],
            start[heap[left]],
        ):
            best = right
        b = heap[best]
        if _less(weight[b], arcs[b], start[b], weight[last], arcs[last], start[last]):
            heap[pos] = b
            pos = best
        else:
            break
    heap[pos] = last
    return top


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _hash(start: Any, arcs: Any) -> Any:
    h = np.int64(start) * np.int64(1000003) + np.int64(arcs.shape[0])
    for a in arcs:
        h = h * np.int64(31) + np.int64(a) + np.int64(7)
    return h


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _same(s_a: Any, arcs_a: Any, s_b: Any, arcs_b: Any) -> Any:
    if s_a != s_b or arcs_a.shape[0] != arcs_b.shape[0]:
        return False
    for j in range(arcs_a.shape[0]):  # noqa: SIM110 (numba compiles loops, not generators)
        if arcs_a[j] != arcs_b[j]:
            return False
    return True


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _path_nodes(start: Any, arcs: Any, arc_head: Any) -> Any:
    nodes = np.empty(arcs.shape[0] + 1, dtype=np.int64)
    nodes[0] = start
    for j in range(arcs.shape[0]):
        nodes[j + 1] = arc_head[arcs[j]]
    return nodes


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _contiguous(nodes: Any, node_group: Any, stamp: Any, mark: Any) -> Any:
    previous = -1
    for v in nodes:
        g = node_group[v]
        if g != previous:
            if stamp[g] == mark:
                return False
            stamp[g] = mark
            previous = g
    return True


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def yen_distinct_kernel(
    indptr: Any,
    arc_tail: Any,
    arc_head: Any,
    arc_weight: Any,
    arc_ok: Any,
    node_group: Any,
    grouped: Any,
    sources: Any,
    is_target: Any,
    arc_key: Any,
    arc_length: Any,
    max_overlap: Any,
    n_keep: Any,
    max_paths: Any,
) -> Any:
    """Up to ``n_keep`` distinct paths among the first ``max_paths`` loopless ones.

    Returns ``(starts, offsets, arcs, weights)``: path ``j`` starts at ``starts[j]`` and runs
    over ``arcs[offsets[j]:offsets[j + 1]]``; its weight is ``weights[j]``.
    """
    n = indptr.shape[0] - 1
    n_groups = 0
    for v in range(n):
        if node_group[v] + 1 > n_groups:
            n_groups = node_group[v] + 1
    no_nodes = np.zeros(n, dtype=np.bool_)
    no_groups = np.zeros(n_groups, dtype=np.bool_)
    group_stamp = np.full(n_groups, -1, dtype=np.int64)
    n_keys = 0
    for a in range(arc_key.shape[0]):
        if arc_key[a] + 1 > n_keys:
            n_keys = arc_key[a] + 1
    key_pos = np.full(n_keys, -1, dtype=np.int64)

    # Every path found (the first, then each candidate), by index.
    c_start: list[Any] = [np.int64(0)]
    c_arcs: list[Any] = [np.empty(0, dtype=np.int64)]
    c_nodes: list[Any] = [np.empty(0, dtype=np.int64)]
    c_weight: list[Any] = [0.0]
    c_dev: list[Any] = [np.int64(0)]
    c_hash: list[Any] = [np.int64(0)]
    c_start.pop()
    c_arcs.pop()
    c_nodes.pop()
    c_weight.pop()
    c_dev.pop()
    c_hash.pop()
    heap: list[Any] = [np.int64(0)]
    heap.pop()
    accepted: list[Any] = [np.int64(0)]
    accepted.pop()
    # Kept paths and the keys each uses (a stamp per key: kept path j marks with j).
    kept: list[Any] = [np.int64(0)]
    kept.pop()
    kept_keys: list[Any] = [np.empty(0, dtype=np.int64)]
    kept_keys.pop()
    key_mark = np.full(n_keys, -1, dtype=np.int64)

    first_arcs, hit, total = dijkstra_kernel(
        indptr, arc_tail, arc_head, arc_weight, arc_ok, node_group, no_groups, no_nodes,
        sources, is_target,
    )  # fmt: skip
    if hit >= 0:
        start0 = arc_tail[first_arcs[0]] if first_arcs.shape[0] > 0 else hit
        c_start.append(start0)
        c_arcs.append(first_arcs)
        c_nodes.append(_path_nodes(start0, first_arcs, arc_head))
        c_weight.append(total)
        c_dev.append(-1)
        c_hash.append(_hash(start0, first_arcs))
    next_c: Any = 0 if hit >= 0 else -1
    yielded = 0
    mark = 0
    while next_c >= 0:
        cur = next_c
        next_c = -1
        accepted.append(cur)
        # A path that re-enters a group is spurred from but not yielded (nor filtered).
        mark += 1
        if not grouped or _contiguous(c_nodes[cur], node_group, group_stamp, mark):
            yielded += 1
            # distinct_paths: the path's length per key (transfers left out), in path order.
            arcs = c_arcs[cur]
            u_keys = np.empty(arcs.shape[0], dtype=np.int64)
            u_lens = np.empty(arcs.shape[0], dtype=np.float64)
            n_u = 0
            for a in arcs:
                key = arc_key[a]
                if key >= 0:
                    p = key_pos[key]
                    if p >= 0 and p < n_u and u_keys[p] == key:
                        u_lens[p] = arc_length[a]
                    else:
                        key_pos[key] = n_u
                        u_keys[n_u] = key
                        u_lens[n_u] = arc_length[a]
                        n_u += 1
            path_total = 0.0
            for j in range(n_u):
                path_total += u_lens[j]
            ok_all = True
            for j in range(len(kept_keys)):
                for key in kept_keys[j]:
                    if key >= 0:
                        key_mark[key] = j
                if path_total <= 0.0:
                    share = 0.0
                else:
                    shared = 0.0
                    for q in range(n_u):
                        if key_mark[u_keys[q]] == j:
                            shared += u_lens[q]
                    share = shared / path_total
                for key in kept_keys[j]:
                    if key >= 0:
                        key_mark[key] = -1
                if not share <= max_overlap:
                    ok_all = False
                    break
            if ok_all:
                kept.append(cur)
                keys = np.empty(arcs.shape[0], dtype=np.int64)
                for j in range(arcs.shape[0]):
                    keys[j] = arc_key[arcs[j]]
                kept_keys.append(keys)
                if len(kept) >= n_keep:
                    break
            if yielded >= max_paths:
                break
        # Spur from where this path left its parent onwards (Lawler 1972).
        p_start = c_start[cur]
        p_arcs = c_arcs[cur]
        p_nodes = c_nodes[cur]
        for i in range(c_dev[cur], p_nodes.shape[0] - 1):
            if i < 0:
                free_n = 0
                free = np.empty(sources.shape[0], dtype=np.int64)
                for s in sources:
                    used = False
                    for q in accepted:
                        if c_start[q] == s:
                            used = True
                            break
                    if not used:
                        free[free_n] = s
                        free_n += 1
                if free_n == 0:
                    continue
                spur_arcs, spur_hit, _ = dijkstra_kernel(
                    indptr, arc_tail, arc_head, arc_weight, arc_ok, node_group, no_groups,
                    no_nodes, free[:free_n].copy(), is_target,
                )  # fmt: skip
                n_root = 0
            else:
                ok = arc_ok.copy()
                for q in accepted:
                    q_arcs = c_arcs[q]
                    if q_arcs.shape[0] > i and c_start[q] == p_start:
                        same_root = True
                        for j in range(i):
                            if q_arcs[j] != p_arcs[j]:
                                same_root = False
                                break
                        if same_root:
                            ok[q_arcs[i]] = False
                spur_node = p_nodes[i]
                banned_node = np.zeros(n, dtype=np.bool_)
                banned_group = np.zeros(n_groups, dtype=np.bool_)
                for j in range(i):
                    banned_node[p_nodes[j]] = True
                    banned_group[node_group[p_nodes[j]]] = True
                banned_group[node_group[spur_node]] = False
                starts = np.empty(1, dtype=np.int64)
                starts[0] = spur_node
                spur_arcs, spur_hit, _ = dijkstra_kernel(
                    indptr, arc_tail, arc_head, arc_weight, ok, node_group, banned_group,
                    banned_node, starts, is_target,
                )  # fmt: skip
                n_root = i
            if spur_hit < 0:
                continue
            spur_start = arc_tail[spur_arcs[0]] if spur_arcs.shape[0] > 0 else spur_hit
            start = p_start if i >= 0 else spur_start
            new_arcs = np.empty(n_root + spur_arcs.shape[0], dtype=np.int64)
            new_arcs[:n_root] = p_arcs[:n_root]
            new_arcs[n_root:] = spur_arcs
            h = _hash(start, new_arcs)
            dup = False
            for q in range(len(c_hash)):
                if c_hash[q] == h and _same(c_start[q], c_arcs[q], start, new_arcs):
                    dup = True
                    break
            if dup:
                continue
            new_nodes = np.empty(new_arcs.shape[0] + 1, dtype=np.int64)
            new_nodes[:n_root] = p_nodes[:n_root]
            new_nodes[n_root:] = _path_nodes(spur_start, spur_arcs, arc_head)
            w = 0.0
            for a in new_arcs:
                w += arc_weight[a]
            c_start.append(start)
            c_arcs.append(new_arcs)
            c_nodes.append(new_nodes)
            c_weight.append(w)
            c_dev.append(i)
            c_hash.append(h)
            heap.append(len(c_start) - 1)
            _sift_up(heap, c_weight, c_arcs, c_start, len(heap) - 1)
        if len(heap) > 0:
            next_c = _pop(heap, c_weight, c_arcs, c_start)

    n_out = len(kept)
    starts_out = np.empty(n_out, dtype=np.int64)
    weights_out = np.empty(n_out, dtype=np.float64)
    offsets = np.zeros(n_out + 1, dtype=np.int64)
    for j in range(n_out):
        offsets[j + 1] = offsets[j] + c_arcs[kept[j]].shape[0]
    arcs_out = np.empty(offsets[n_out], dtype=np.int64)
    for j in range(n_out):
        q = kept[j]
        starts_out[j] = c_start[q]
        weights_out[j] = c_weight[q]
        arcs_out[offsets[j] : offsets[j + 1]] = c_arcs[q]
    return starts_out, offsets, arcs_out, weights_out
