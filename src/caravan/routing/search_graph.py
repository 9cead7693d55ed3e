"""A forward star compiled for many shortest-path passes between zones.

Assignment runs thousands of zone-to-zone searches on one network, so it pays to prepare the
graph once:

* **dead ends pruned**: links that no zone-to-zone path can use are dropped, repeatedly until none
  is left — links into a node (not a zone) that has no way out, links out of a node (not a zone)
  that nothing enters, and the links of a node (not a zone) whose only neighbour is one other
  node (a spur: a path through it would have to come back the way it went);
* **nodes renumbered for locality**: zones keep their indices ``0 .. n_zones - 1`` (demand is
  indexed by them); the other nodes are numbered in breadth-first order of the undirected graph,
  so nodes that are near in the network are near in memory (Cuthill & McKee 1969, without the
  reversal);
* **link data in scan order**: entry ``e`` of node ``u`` lies in ``indptr[u]:indptr[u + 1]`` with
  its head, tail and original link position in flat arrays, so a search reads one contiguous
  stretch of memory per node.

Pruned links get no entry: they carry no flow and never lie on a least-cost zone-to-zone path.
Distances computed on the compiled graph are exact for zones and for every node that a
zone-to-zone path can reach, and may be ``inf`` for nodes in pruned dead ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

__all__ = ["SearchGraph", "compile_search_graph", "prune_dead_ends"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class SearchGraph:
    """A pruned, renumbered forward star with link data in scan order.

    Attributes
    ----------
    n_nodes, n_zones : int
        Node and zone counts (as in the original network; zones are nodes ``0 .. n_zones - 1``
        in both numberings).
    indptr : ndarray of int64, shape (n_nodes + 1,)
        Entries of internal node ``u`` are ``indptr[u]:indptr[u + 1]``.
    head, tail : ndarray of int32
        Internal head and tail node of each entry.
    link_idx : ndarray of int64
        Original link position of each entry.
    blocked_node_mask : ndarray of bool
        Blocked nodes, by internal index.
    node_idx : ndarray of int64
        Original node index of each internal node.
    """

    n_nodes: int
    n_zones: int
    indptr: IntArray
    head: Int32Array
    tail: Int32Array
    link_idx: IntArray
    blocked_node_mask: BoolArray
    node_idx: IntArray

    @property
    def n_entries(self) -> int:
        """Number of links kept."""
        return int(self.link_idx.size)

    def entry_cost(self, link_cost: FloatArray) -> FloatArray:
        """Link costs (by original link position) in scan order."""
        return np.ascontiguousarray(np.asarray(link_cost, np.float64)[self.link_idx])

    def link_values(self, entry_values: FloatArray, n_links: int) -> FloatArray:
        """Values per entry back at original link positions (0 on pruned links)."""
        out = np.zeros(n_links)
        out[self.link_idx] = entry_values
        return out


def prune_dead_ends(
    from_idx: IntArray, to_idx: IntArray, *, n_nodes: int, n_zones: int
) -> BoolArray:
    """Links that some zone-to-zone path could use (see the module docstring).

    Examples
    --------
    Zones 0 and 1 joined through node 2; node 3 is a spur off node 2 and node 4 a sink.

    >>> frm = np.array([0, 2, 2, 3, 2])
    >>> to = np.array([2, 1, 3, 2, 4])
    >>> prune_dead_ends(frm, to, n_nodes=5, n_zones=2).tolist()
    [True, True, False, False, False]
    """
    frm = np.asarray(from_idx, np.int64)
    to = np.asarray(to_idx, np.int64)
    keep = frm != to  # a loop never lies on a least-cost path
    is_zone = np.zeros(n_nodes, np.bool_)
    is_zone[:n_zones] = True
    while True:
        f, t = frm[keep], to[keep]
        out_deg = np.bincount(f, minlength=n_nodes)
        in_deg = np.bincount(t, minlength=n_nodes)
        # distinct neighbours in the undirected graph
        lo, hi = np.minimum(f, t), np.maximum(f, t)
        pairs = np.unique(lo * n_nodes + hi)
        nbrs = np.bincount(pairs // n_nodes, minlength=n_nodes) + np.bincount(
            pairs % n_nodes, minlength=n_nodes
        )
        dead_node = ~is_zone & ((out_deg == 0) | (in_deg == 0) | (nbrs <= 1))
        dead = keep & (dead_node[frm] | dead_node[to])
        if not dead.any():
            return np.asarray(keep, np.bool_)
        keep &= ~dead


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _bfs_order(adj_ptr: Any, adj: Any, n_zones: int) -> Any:
    """Internal index of each node: zones first, then breadth-first order of the rest."""
    n = adj_ptr.size - 1
    new_idx = np.full(n, -1, np.int64)
    for z in range(n_zones):
        new_idx[z] = z
    queue = np.empty(n, np.int64)
    nxt = n_zones
    for start in range(n_zones, n):
        if new_idx[start] != -1:
            continue
        new_idx[start] = nxt
        nxt += 1
        q_lo, q_hi = 0, 1
        queue[0] = start
        while q_lo < q_hi:
            u = queue[q_lo]
            q_lo += 1
            for k in range(adj_ptr[u], adj_ptr[u + 1]):
                v = adj[k]
                if new_idx[v] == -1:
                    new_idx[v] = nxt
                    nxt += 1
                    queue[q_hi] = v
                    q_hi += 1
    return new_idx


def compile_search_graph(
    from_idx: IntArray,
    to_idx: IntArray,
    *,
    n_nodes: int,
    n_zones: int,
    blocked_node_mask: BoolArray,
    prune: bool = True,
    reorder: bool = True,
) -> SearchGraph:
    """Compile links into a :class:`SearchGraph` for zone-to-zone searches.

    Parameters
    ----------
    from_idx, to_idx : ndarray of int
        Tail and head node of each link.
    n_nodes, n_zones : int
        Node count; zones are nodes ``0 .. n_zones - 1``.
    blocked_node_mask : ndarray of bool
        Nodes paths may not pass through.
    prune : bool
        Drop dead-end links (:func:`prune_dead_ends`).
    reorder : bool
        Renumber the nodes that are not zones in breadth-first order.

    Returns
    -------
    SearchGraph

    Examples
    --------
    >>> sg = compile_search_graph(np.array([0, 2, 2]), np.array([2, 1, 3]), n_nodes=4,
    ...     n_zones=2, blocked_node_mask=np.zeros(4, bool))
    >>> sg.n_entries, sg.link_idx.tolist(), sg.node_idx[sg.head].tolist()
    (2, [0, 1], [2, 1])
    """
    frm = np.asarray(from_idx, np.int64)
    to = np.asarray(to_idx, np.int64)
    keep = prune_dead_ends(frm, to, n_nodes=n_nodes, n_zones=n_zones) if prune else None
    kept = np.flatnonzero(keep) if keep is not None else np.arange(frm.size, dtype=np.int64)
    f, t = frm[kept], to[kept]
    if reorder:
        both_f = np.concatenate((f, t))
        both_t = np.concatenate((t, f))
        order = np.argsort(both_f, kind="stable")
        adj_ptr = np.zeros(n_nodes + 1, np.int64)
        np.cumsum(np.bincount(both_f, minlength=n_nodes), out=adj_ptr[1:])
        new_idx = _bfs_order(adj_ptr, np.ascontiguousarray(both_t[order]), n_zones)
    else:
        new_idx = np.arange(n_nodes, dtype=np.int64)
    node_idx = np.empty(n_nodes, np.int64)
    node_idx[new_idx] = np.arange(n_nodes)
    nf, nt = new_idx[f], new_idx[t]
    scan = np.lexsort((nt, nf))  # by tail, then head
    indptr = np.zeros(n_nodes + 1, np.int64)
    np.cumsum(np.bincount(nf, minlength=n_nodes), out=indptr[1:])
    blocked = np.asarray(blocked_node_mask, np.bool_)[node_idx]
    arrays: list[NDArray[Any]] = [
        indptr,
        nt[scan].astype(np.int32),
        nf[scan].astype(np.int32),
        kept[scan].astype(np.int64),
        np.ascontiguousarray(blocked),
        node_idx,
    ]
    for a in arrays:
        a.setflags(write=False)
    return SearchGraph(n_nodes, n_zones, *arrays)
