"""Shortest-path trees on forward-star arrays: numba kernels for one origin and for all origins.

The kernels see flat typed arrays only. A network is a forward star: links sorted by tail node,
``indptr[u]:indptr[u + 1]`` indexing its entries. The public functions take link data by original
link position (``csr_link_idx`` maps entries to links) and hand the kernels the same data in scan
order (``head[e]``, ``entry_cost[e]``), so a search reads each node's links from one contiguous
stretch of memory; :mod:`caravan.routing.search_graph` goes further for repeated passes (dead ends
pruned, nodes renumbered). A cost of ``inf`` removes a link (a restriction). A node flagged in
``blocked_node_mask`` may start a path but is never passed through (TNTP's zones below
``<FIRST THRU NODE>``). Costs must be non-negative (Dijkstra 1959; the queue is a 4-ary heap with
decrease-key, as in Johnson 1975, "Priority queues with update and finding minimum spanning
trees", Information Processing Letters 4(3), 53–57). Results are deterministic: one origin's
search runs on one thread, in a fixed order.

The kernels are compiled by numba with ``cache=True``: the compiled code is stored beside this file
in ``__pycache__``, or, when the source folder is read-only, in numba's user-wide cache folder (set
``NUMBA_CACHE_DIR`` to choose another). The all-origins kernels run across origins on numba's
thread pool, which numba creates once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from caravan._numba import load_numba
from caravan.errors import InputError, NotFoundError
from caravan.model.arrays import FloatArray, IntArray

load_numba()  # before any kernel runs: see caravan._numba

__all__ = [
    "PARALLEL_MIN_WORK",
    "ShortestPathTree",
    "all_origins_distances",
    "build_forward_star",
    "dijkstra_kernel",
    "shortest_path_tree",
    "trees_kernel",
]


@njit(cache=True, nogil=True, inline="always")  # type: ignore[untyped-decorator]
def _sift_up(heap_node: Any, heap_key: Any, pos: Any, i: int, v: int, key: float) -> None:
    """Move node ``v`` with ``key`` up from slot ``i`` of the 4-ary heap."""
    while i > 0:
        p = (i - 1) >> 2
        pk = heap_key[p]
        if pk <= key:
            break
        pn = heap_node[p]
        heap_node[i] = pn
        heap_key[i] = pk
        pos[pn] = i
        i = p
    heap_node[i] = v
    heap_key[i] = key
    pos[v] = i


@njit(cache=True, nogil=True, inline="always")  # type: ignore[untyped-decorator]
def _pop_root(heap_node: Any, heap_key: Any, pos: Any, size: int) -> int:
    """Drop the root of the 4-ary heap (the caller read it first); return the new size."""
    size -= 1
    if size == 0:
        return 0
    v = heap_node[size]
    key = heap_key[size]
    i = 0
    while True:
        c = 4 * i + 1
        if c >= size:
            break
        best = c
        bk = heap_key[c]
        end = c + 4 if c + 4 < size else size
        for j in range(c + 1, end):
            kj = heap_key[j]
            if kj < bk:
                best = j
                bk = kj
        if bk >= key:
            break
        bn = heap_node[best]
        heap_node[i] = bn
        heap_key[i] = bk
        pos[bn] = i
        i = best
    heap_node[i] = v
    heap_key[i] = key
    pos[v] = i
    return size


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def dijkstra_kernel(
    indptr: Any,
    head: Any,
    entry_cost: Any,
    blocked_node_mask: Any,
    origin_idx: int,
    target_mask: Any,
    n_targets: int,
    dist: Any,
    pred_entry: Any,
    order: Any,
    heap_node: Any,
    heap_key: Any,
    pos: Any,
) -> int:
    """Fill ``dist``, ``pred_entry`` and the settle ``order`` from one origin; return #settled.

    The graph is a forward star whose link data are in scan order: entry ``e`` of node ``u``
    (``indptr[u] <= e < indptr[u + 1]``) leads to ``head[e]`` at cost ``entry_cost[e]``, and
    ``pred_entry[v]`` is the entry by which ``v`` is reached (-1 for the origin and for nodes
    not reached). The queue is a 4-ary heap with decrease-key (``pos`` holds each node's slot),
    so it never holds more than one entry per node. With ``n_targets > 0`` the search stops once
    that many nodes flagged in ``target_mask`` are settled (the origin's destinations); nodes
    not settled by then keep ``dist`` values that are only upper bounds and ``pos`` not -2.
    With ``n_targets == 0`` the whole tree is grown. ``order``, ``heap_node``, ``heap_key`` and
    ``pos`` (all of length n_nodes) are scratch space.
    """
    n_nodes = indptr.size - 1
    for i in range(n_nodes):
        dist[i] = np.inf
        pred_entry[i] = -1
        pos[i] = -1
    dist[origin_idx] = 0.0
    heap_node[0] = origin_idx
    heap_key[0] = 0.0
    pos[origin_idx] = 0
    size = 1
    n_settled = 0
    left = n_targets
    while size > 0:
        u = heap_node[0]
        du = heap_key[0]
        size = _pop_root(heap_node, heap_key, pos, size)
        pos[u] = -2
        order[n_settled] = u
        n_settled += 1
        if target_mask[u]:
            left -= 1
            if left == 0:
                break
        if blocked_node_mask[u] and u != origin_idx:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            nd = du + entry_cost[e]
            v = head[e]
            if nd < dist[v]:  # never true for a settled node: its dist is <= du
                dist[v] = nd
                pred_entry[v] = e
                i = pos[v]
                if i < 0:
                    i = size
                    size += 1
                _sift_up(heap_node, heap_key, pos, i, v, nd)
    return n_settled


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _trees_chunk(
    t: int, n_chunks: int, indptr: Any, head: Any, entry_cost: Any, blocked_node_mask: Any,
    origins_idx: Any, target_ptr: Any, target_idx: Any, dist_out: Any, pred_out: Any,
) -> None:  # fmt: skip
    """Trees of origins ``t, t + n_chunks, ...`` with one set of scratch arrays."""
    n_nodes = indptr.size - 1
    order = np.empty(n_nodes, np.int64)
    heap_node = np.empty(n_nodes, np.int64)
    heap_key = np.empty(n_nodes)
    pos = np.empty(n_nodes, np.int64)
    mask = np.zeros(n_nodes, np.uint8)
    for k in range(t, origins_idx.size, n_chunks):
        n_t = 0
        if target_ptr.size > 0:
            for j in range(target_ptr[k], target_ptr[k + 1]):
                v = target_idx[j]
                if mask[v] == 0:
                    mask[v] = 1
                    n_t += 1
        dijkstra_kernel(
            indptr, head, entry_cost, blocked_node_mask, origins_idx[k], mask, n_t,
            dist_out[k], pred_out[k], order, heap_node, heap_key, pos,
        )  # fmt: skip
        if target_ptr.size > 0:
            for j in range(target_ptr[k], target_ptr[k + 1]):
                mask[target_idx[j]] = 0


@njit(cache=True, nogil=True, parallel=True)  # type: ignore[untyped-decorator]
def _trees_parallel(
    n_chunks: int, indptr: Any, head: Any, entry_cost: Any, blocked_node_mask: Any,
    origins_idx: Any, target_ptr: Any, target_idx: Any, dist_out: Any, pred_out: Any,
) -> None:  # fmt: skip
    for t in prange(n_chunks):
        _trees_chunk(
            t, n_chunks, indptr, head, entry_cost, blocked_node_mask, origins_idx, target_ptr,
            target_idx, dist_out, pred_out,
        )  # fmt: skip


# The loop of _trees_parallel again, without parallel=True: numba's cache keys a function by
# its code and signature, not its flags, so one function compiled both ways would clash.
@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _trees_serial(
    n_chunks: int, indptr: Any, head: Any, entry_cost: Any, blocked_node_mask: Any,
    origins_idx: Any, target_ptr: Any, target_idx: Any, dist_out: Any, pred_out: Any,
) -> None:  # fmt: skip
    for t in range(n_chunks):
        _trees_chunk(
            t, n_chunks, indptr, head, entry_cost, blocked_node_mask, origins_idx, target_ptr,
            target_idx, dist_out, pred_out,
        )  # fmt: skip


#: Below this many (origin x link) pairs a pass runs on one thread: waking the pool costs more.
PARALLEL_MIN_WORK = 100_000


def trees_kernel(
    indptr: IntArray,
    head: NDArray[np.int32] | IntArray,
    entry_cost: FloatArray,
    blocked_node_mask: NDArray[np.bool_],
    origins_idx: IntArray,
    dist_out: FloatArray,
    pred_out: IntArray,
    *,
    target_ptr: IntArray | None = None,
    target_idx: IntArray | None = None,
    parallel: bool | None = None,
) -> None:
    """Shortest-path trees from every origin in ``origins_idx`` into the rows of the outputs.

    Arrays as in :func:`dijkstra_kernel` (link data in scan order; ``pred_out`` holds entries).
    With ``target_ptr``/``target_idx`` (a CSR list of destination nodes per origin) each search
    stops once its destinations are settled; without them whole trees are grown. Runs across
    origins on numba's thread pool (created once per process) when ``parallel`` is true, or, by
    default, when the pass is large enough to gain from it.
    """
    if parallel is None:
        parallel = origins_idx.size * head.size >= PARALLEL_MIN_WORK
    n_chunks = min(numba.get_num_threads(), origins_idx.size) if parallel else 1
    empty = np.zeros(0, np.int64)
    (_trees_parallel if parallel else _trees_serial)(
        max(1, n_chunks), indptr, head, entry_cost, blocked_node_mask, origins_idx,
        empty if target_ptr is None else target_ptr, empty if target_idx is None else target_idx,
        dist_out, pred_out,
    )  # fmt: skip


def build_forward_star(from_idx: IntArray, n_nodes: int) -> tuple[IntArray, IntArray]:
    """Forward star of links given by their tail nodes.

    Parameters
    ----------
    from_idx : ndarray of int
        Tail node index of each link.
    n_nodes : int
        Number of nodes.

    Returns
    -------
    indptr : ndarray of int64, shape (n_nodes + 1,)
    csr_link_idx : ndarray of int64
        Link positions sorted by tail node (stable, so ties keep file order).

    Examples
    --------
    >>> indptr, links = build_forward_star(np.array([1, 0, 1]), 3)
    >>> indptr.tolist(), links.tolist()
    ([0, 1, 3, 3], [1, 0, 2])
    """
    from_idx = np.asarray(from_idx, dtype=np.int64)
    csr_link_idx = np.argsort(from_idx, kind="stable").astype(np.int64)
    counts = np.bincount(from_idx, minlength=n_nodes)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, csr_link_idx


@dataclass(frozen=True)
class ShortestPathTree:
    """A shortest-path tree from one origin.

    Attributes
    ----------
    origin_idx : int
        Origin node index.
    dist : ndarray of float64
        Least cost to each node (``inf`` when unreachable).
    pred_link_idx : ndarray of int64
        Last link of the least-cost path to each node (-1 for the origin and unreachable nodes).
    from_idx : ndarray of int64
        Tail node of each link (to trace paths).
    """

    origin_idx: int
    dist: FloatArray
    pred_link_idx: IntArray
    from_idx: IntArray

    def path_link_idx(self, node_idx: int) -> list[int]:
        """Links of the least-cost path to ``node_idx``, from the origin onwards.

        Raises
        ------
        NotFoundError
            If ``node_idx`` cannot be reached from the origin.
        """
        if node_idx != self.origin_idx and self.pred_link_idx[node_idx] < 0:
            msg = f"node index {node_idx} is not reachable from node index {self.origin_idx}"
            raise NotFoundError(msg)
        links: list[int] = []
        u = node_idx
        while u != self.origin_idx:
            a = int(self.pred_link_idx[u])
            links.append(a)
            u = int(self.from_idx[a])
        links.reverse()
        return links


def _check_graph(
    indptr: IntArray, csr_link_idx: IntArray, to_idx: IntArray, link_cost: FloatArray
) -> None:
    if link_cost.shape != to_idx.shape or csr_link_idx.shape != to_idx.shape:
        msg = (
            f"link arrays differ in length: {to_idx.size} heads, {link_cost.size} costs, "
            f"{csr_link_idx.size} forward-star entries"
        )
        raise InputError(msg)
    if np.any(link_cost < 0) or np.any(np.isnan(link_cost)):
        msg = "link costs must be non-negative numbers (use inf to remove a link)"
        raise InputError(msg)


def shortest_path_tree(
    indptr: IntArray,
    csr_link_idx: IntArray,
    from_idx: IntArray,
    to_idx: IntArray,
    link_cost: FloatArray,
    origin_idx: int,
    *,
    blocked_node_mask: NDArray[np.bool_] | None = None,
) -> ShortestPathTree:
    """Least-cost tree from one origin on a forward star.

    Parameters
    ----------
    indptr, csr_link_idx : ndarray of int
        Forward star from :func:`build_forward_star`.
    from_idx, to_idx : ndarray of int
        Tail and head node of each link.
    link_cost : ndarray of float
        Non-negative cost of each link; ``inf`` removes the link.
    origin_idx : int
        Origin node index.
    blocked_node_mask : ndarray of bool, optional
        Nodes that paths may end at but not pass through.

    Returns
    -------
    ShortestPathTree

    Examples
    --------
    >>> frm, to = np.array([0, 0, 1]), np.array([1, 2, 2])
    >>> indptr, links = build_forward_star(frm, 3)
    >>> tree = shortest_path_tree(indptr, links, frm, to, np.array([1.0, 5.0, 1.0]), 0)
    >>> tree.dist.tolist(), tree.path_link_idx(2)
    ([0.0, 1.0, 2.0], [0, 2])
    """
    n_nodes = indptr.size - 1
    link_cost = np.ascontiguousarray(link_cost, dtype=np.float64)
    _check_graph(indptr, csr_link_idx, to_idx, link_cost)
    if not 0 <= origin_idx < n_nodes:
        msg = f"origin index {origin_idx} is outside the network's {n_nodes} nodes"
        raise NotFoundError(msg)
    blocked = (
        np.zeros(n_nodes, dtype=np.bool_)
        if blocked_node_mask is None
        else np.asarray(blocked_node_mask, np.bool_)
    )
    head = np.ascontiguousarray(np.asarray(to_idx, np.int64)[csr_link_idx])
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, dtype=np.int64)
    dijkstra_kernel(
        indptr,
        head,
        np.ascontiguousarray(link_cost[csr_link_idx]),
        blocked,
        origin_idx,
        np.zeros(n_nodes, np.uint8),
        0,
        dist,
        pred,
        np.empty(n_nodes, np.int64),
        np.empty(n_nodes, np.int64),
        np.empty(n_nodes),
        np.empty(n_nodes, np.int64),
    )
    reached = pred >= 0
    pred[reached] = csr_link_idx[pred[reached]]
    return ShortestPathTree(origin_idx, dist, pred, np.asarray(from_idx, np.int64))


def all_origins_distances(
    indptr: IntArray,
    csr_link_idx: IntArray,
    to_idx: IntArray,
    link_cost: FloatArray,
    origins_idx: IntArray,
    *,
    blocked_node_mask: NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Least cost from each origin to every node, computed across origins in parallel.

    Returns
    -------
    ndarray of float64, shape (len(origins_idx), n_nodes)

    Examples
    --------
    >>> frm, to = np.array([0, 1]), np.array([1, 2])
    >>> indptr, links = build_forward_star(frm, 3)
    >>> all_origins_distances(indptr, links, to, np.array([2.0, 3.0]), np.array([0, 1])).tolist()
    [[0.0, 2.0, 5.0], [inf, 0.0, 3.0]]
    """
    n_nodes = indptr.size - 1
    link_cost = np.ascontiguousarray(link_cost, dtype=np.float64)
    _check_graph(indptr, csr_link_idx, to_idx, link_cost)
    blocked = (
        np.zeros(n_nodes, dtype=np.bool_)
        if blocked_node_mask is None
        else np.asarray(blocked_node_mask, np.bool_)
    )
    origins = np.asarray(origins_idx, np.int64)
    dist = np.empty((origins.size, n_nodes))
    pred = np.empty((origins.size, n_nodes), dtype=np.int64)
    head = np.ascontiguousarray(np.asarray(to_idx, np.int64)[csr_link_idx])
    trees_kernel(
        indptr, head, np.ascontiguousarray(link_cost[csr_link_idx]), blocked, origins, dist, pred
    )
    return dist
