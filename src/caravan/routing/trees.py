"""Shortest-path trees on forward-star arrays: numba kernels for one origin and for all origins.

The kernels see flat typed arrays only. A network is a forward star: links sorted by tail node,
``indptr[u]:indptr[u + 1]`` indexing ``csr_link_idx`` (positions of the original links). Link costs
are indexed by original link position; a cost of ``inf`` removes the link (a restriction). A node
flagged in ``blocked_node_mask`` may start a path but is never passed through (TNTP's zones below
``<FIRST THRU NODE>``). Costs must be non-negative (Dijkstra 1959, binary heap, ties broken by node
index so results are deterministic).

The kernels are compiled by numba with ``cache=True``: the compiled code is stored beside this file
in ``__pycache__``, or, when the source folder is read-only, in numba's user-wide cache folder (set
``NUMBA_CACHE_DIR`` to choose another). The all-origins kernels run across origins on numba's
thread pool, which numba creates once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from caravan.errors import InputError, NotFoundError

__all__ = [
    "PARALLEL_MIN_WORK",
    "ShortestPathTree",
    "all_origins_distances",
    "build_forward_star",
    "dijkstra_kernel",
    "shortest_path_tree",
    "trees_kernel",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def dijkstra_kernel(
    indptr: Any,
    csr_link_idx: Any,
    to_idx: Any,
    link_cost: Any,
    blocked_node_mask: Any,
    origin_idx: int,
    dist: Any,
    pred_link_idx: Any,
    order: Any,
    done: Any,
    heap_key: Any,
    heap_node: Any,
) -> int:
    """Fill ``dist``, ``pred_link_idx`` and the settle ``order`` from one origin; return #settled.

    ``done`` (uint8, n_nodes) and the heap buffers (length n_links + 1) are scratch space. The
    heap is written out here, not shared with ``_numba_kernel``: numba's cache does not see
    changes to a function called from another file.
    """
    n_nodes = indptr.size - 1
    for i in range(n_nodes):
        dist[i] = np.inf
        pred_link_idx[i] = -1
        done[i] = 0
    dist[origin_idx] = 0.0
    heap_key[0] = 0.0
    heap_node[0] = origin_idx
    size = 1
    n_settled = 0
    while size > 0:
        key = heap_key[0]
        u = heap_node[0]
        size -= 1
        if size > 0:  # sift the last element down from the root
            k_last = heap_key[size]
            n_last = heap_node[size]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= size:
                    break
                if c + 1 < size and (
                    heap_key[c + 1] < heap_key[c]
                    or (heap_key[c + 1] == heap_key[c] and heap_node[c + 1] < heap_node[c])
                ):
                    c += 1
                if heap_key[c] < k_last or (heap_key[c] == k_last and heap_node[c] < n_last):
                    heap_key[i] = heap_key[c]
                    heap_node[i] = heap_node[c]
                    i = c
                else:
                    break
            heap_key[i] = k_last
            heap_node[i] = n_last
        if done[u] == 1 or key > dist[u]:
            continue
        done[u] = 1
        order[n_settled] = u
        n_settled += 1
        if blocked_node_mask[u] and u != origin_idx:
            continue
        for e in range(indptr[u], indptr[u + 1]):
            a = csr_link_idx[e]
            c_a = link_cost[a]
            if c_a == np.inf:
                continue
            v = to_idx[a]
            nd = key + c_a
            if nd < dist[v] and done[v] == 0:
                dist[v] = nd
                pred_link_idx[v] = a
                i = size  # sift up
                size += 1
                while i > 0:
                    p = (i - 1) // 2
                    if heap_key[p] > nd or (heap_key[p] == nd and heap_node[p] > v):
                        heap_key[i] = heap_key[p]
                        heap_node[i] = heap_node[p]
                        i = p
                    else:
                        break
                heap_key[i] = nd
                heap_node[i] = v
    return n_settled


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _one_tree(
    indptr: Any,
    csr_link_idx: Any,
    to_idx: Any,
    link_cost: Any,
    blocked_node_mask: Any,
    origin_idx: int,
    dist: Any,
    pred: Any,
) -> None:
    n_nodes = indptr.size - 1
    n_links = csr_link_idx.size
    dijkstra_kernel(
        indptr, csr_link_idx, to_idx, link_cost, blocked_node_mask, origin_idx, dist, pred,
        np.empty(n_nodes, np.int64), np.empty(n_nodes, np.uint8), np.empty(n_links + 1),
        np.empty(n_links + 1, np.int64),
    )  # fmt: skip


@njit(cache=True, nogil=True, parallel=True)  # type: ignore[untyped-decorator]
def _trees_parallel(
    indptr: Any, csr_link_idx: Any, to_idx: Any, link_cost: Any, blocked_node_mask: Any,
    origins_idx: Any, dist_out: Any, pred_out: Any,
) -> None:  # fmt: skip
    for k in prange(origins_idx.size):
        _one_tree(
            indptr, csr_link_idx, to_idx, link_cost, blocked_node_mask, origins_idx[k],
            dist_out[k], pred_out[k],
        )  # fmt: skip


# The loop of _trees_parallel again, without parallel=True: numba's cache keys a function by
# its code and signature, not its flags, so one function compiled both ways would clash.
@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _trees_serial(
    indptr: Any, csr_link_idx: Any, to_idx: Any, link_cost: Any, blocked_node_mask: Any,
    origins_idx: Any, dist_out: Any, pred_out: Any,
) -> None:  # fmt: skip
    for k in range(origins_idx.size):
        _one_tree(
            indptr, csr_link_idx, to_idx, link_cost, blocked_node_mask, origins_idx[k],
            dist_out[k], pred_out[k],
        )  # fmt: skip


#: Below this many (origin x link) pairs a pass runs on one thread: waking the pool costs more.
PARALLEL_MIN_WORK = 100_000


def trees_kernel(
    indptr: IntArray,
    csr_link_idx: IntArray,
    to_idx: IntArray,
    link_cost: FloatArray,
    blocked_node_mask: NDArray[np.bool_],
    origins_idx: IntArray,
    dist_out: FloatArray,
    pred_out: IntArray,
) -> None:
    """Shortest-path trees from every origin in ``origins_idx`` into the rows of the outputs.

    Runs across origins on numba's thread pool (created once per process) when the pass is
    large enough to gain from it, else on the calling thread.
    """
    kernel = (
        _trees_parallel
        if origins_idx.size * csr_link_idx.size >= PARALLEL_MIN_WORK
        else _trees_serial
    )
    kernel(
        indptr, csr_link_idx, to_idx, link_cost, blocked_node_mask, origins_idx, dist_out, pred_out
    )


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
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, dtype=np.int64)
    dijkstra_kernel(
        indptr,
        csr_link_idx,
        np.asarray(to_idx, np.int64),
        link_cost,
        blocked,
        origin_idx,
        dist,
        pred,
        np.empty(n_nodes, np.int64),
        np.empty(n_nodes, np.uint8),
        np.empty(csr_link_idx.size + 1),
        np.empty(csr_link_idx.size + 1, np.int64),
    )
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
    trees_kernel(
        indptr, csr_link_idx, np.asarray(to_idx, np.int64), link_cost, blocked, origins, dist, pred
    )
    return dist
