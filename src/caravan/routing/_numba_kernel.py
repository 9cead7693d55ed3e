"""The numba-compiled Dijkstra kernel (imported on first use: loading numba takes ~0.4 s)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from caravan._numba import load_numba

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["dijkstra_kernel"]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _heap_push(keys: Any, vals: Any, size: int, key: float, val: int) -> int:
    i = size
    keys[i] = key
    vals[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] < keys[i] or (keys[parent] == keys[i] and vals[parent] <= vals[i]):
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        vals[parent], vals[i] = vals[i], vals[parent]
        i = parent
    return size + 1


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _heap_pop(keys: Any, vals: Any, size: int) -> int:
    """Move the last item to the root and sift down; the caller read the root first."""
    size -= 1
    keys[0] = keys[size]
    vals[0] = vals[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and (
            keys[right] < keys[left] or (keys[right] == keys[left] and vals[right] < vals[left])
        ):
            best = right
        if keys[i] < keys[best] or (keys[i] == keys[best] and vals[i] <= vals[best]):
            break
        keys[best], keys[i] = keys[i], keys[best]
        vals[best], vals[i] = vals[i], vals[best]
        i = best
    return size


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def dijkstra_kernel(
    indptr: Any,
    arc_tail: Any,
    arc_head: Any,
    arc_weight: Any,
    arc_ok: Any,
    node_group: Any,
    banned_group: Any,
    banned_node: Any,
    sources: Any,
    is_target: Any,
) -> Any:
    """Multi-source Dijkstra to the nearest target; return ``(arcs, target, weight)``.

    ``arcs`` is the int64 arc sequence (empty and ``target == -1`` when no target is reachable).
    Arcs with ``arc_ok[a] == False`` are skipped; nodes with ``banned_node[v]`` or
    ``banned_group[node_group[v]]`` are never entered (a banned source is dropped).
    """
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    cap = arc_head.shape[0] + sources.shape[0] + 1
    keys = np.empty(cap, dtype=np.float64)
    vals = np.empty(cap, dtype=np.int64)
    size = 0
    for s in sources:
        if banned_node[s] or banned_group[node_group[s]] or dist[s] == 0.0:
            continue
        dist[s] = 0.0
        size = _heap_push(keys, vals, size, 0.0, s)
    hit = -1
    while size > 0:
        d = keys[0]
        v = vals[0]
        size = _heap_pop(keys, vals, size)
        if done[v]:
            continue
        done[v] = True
        if is_target[v]:
            hit = v
            break
        for a in range(indptr[v], indptr[v + 1]):
            if not arc_ok[a]:
                continue
            w = arc_head[a]
            if done[w] or banned_node[w] or banned_group[node_group[w]]:
                continue
            nd = d + arc_weight[a]
            if nd < dist[w]:
                dist[w] = nd
                pred[w] = a
                size = _heap_push(keys, vals, size, nd, w)
    if hit < 0:
        return np.empty(0, dtype=np.int64), -1, np.inf
    n_arcs = 0
    v = hit
    while pred[v] >= 0:
        n_arcs += 1
        v = arc_tail[pred[v]]
    arcs = np.empty(n_arcs, dtype=np.int64)
    v = hit
    for i in range(n_arcs - 1, -1, -1):
        arcs[i] = pred[v]
        v = arc_tail[pred[v]]
    return arcs, hit, dist[hit]
