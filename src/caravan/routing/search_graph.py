"""A forward star compiled for many shortest-path passes between zones.

Assignment runs thousands of zone-to-zone searches on one network, so it pays to prepare the
graph once:

* **dead ends pruned**: links that no zone-to-zone path can use are dropped, repeatedly until none
  is left — links into a node (not a zone) that has no way out, links out of a node (not a zone)
  that nothing enters, and the links of a node (not a zone) whose only neighbour is one other
  node (a spur: a path through it would have to come back the way it went);
* **chains contracted**: a node (not a zone, not blocked) with one way in and one way out, or
  with exactly two neighbours joined both ways, is dropped, and each chain of such nodes becomes
  one entry from the node before it to the node after it whose cost is the sum of its links'
  (graph compression, as AequilibraE does); searches see fewer nodes, and loads and paths are
  expanded back to the links;
* **nodes renumbered for locality**: zones keep their indices ``0 .. n_zones - 1`` (demand is
  indexed by them); the other nodes are numbered in breadth-first order of the undirected graph,
  so nodes that are near in the network are near in memory (Cuthill & McKee 1969, without the
  reversal);
* **link data in scan order**: entry ``e`` of node ``u`` lies in ``indptr[u]:indptr[u + 1]`` with
  its head, tail and original link position in flat arrays, so a search reads one contiguous
  stretch of memory per node.

Pruned links get no entry: they carry no flow and never lie on a least-cost zone-to-zone path.
Distances computed on the compiled graph are exact for zones and for every node kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from caravan._numba import load_numba
from caravan.model.arrays import BoolArray, FloatArray, IntArray

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["SearchGraph", "compile_search_graph", "prune_dead_ends"]

Int32Array = NDArray[np.int32]


@dataclass(frozen=True)
class SearchGraph:
    """A pruned, contracted, renumbered forward star with entry data in scan order.

    Attributes
    ----------
    n_nodes : int
        Nodes kept (internal indices ``0 .. n_nodes - 1``).
    n_zones : int
        Zones: nodes ``0 .. n_zones - 1`` in both numberings.
    indptr : ndarray of int64, shape (n_nodes + 1,)
        Entries of internal node ``u`` are ``indptr[u]:indptr[u + 1]``.
    head, tail : ndarray of int32
        Internal head and tail node of each entry.
    member_ptr : ndarray of int64, shape (n_entries + 1,)
        The links of entry ``e`` are ``member_link[member_ptr[e]:member_ptr[e + 1]]``, in
        travel order (one link unless a chain was contracted).
    member_link : ndarray of int64
        Original link positions.
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
    member_ptr: IntArray
    member_link: IntArray
    blocked_node_mask: BoolArray
    node_idx: IntArray

    @property
    def n_entries(self) -> int:
        """Number of entries (links kept, a contracted chain counting once)."""
        return int(self.head.size)

    @property
    def contracted(self) -> bool:
        """Whether some entry stands for a chain of several links."""
        return self.member_link.size > self.head.size

    def entry_cost(self, link_cost: FloatArray) -> FloatArray:
        """Cost of each entry, in scan order, from link costs by original link position."""
        cost = np.asarray(link_cost, np.float64)[self.member_link]
        if not self.contracted:
            return np.ascontiguousarray(cost)
        return np.ascontiguousarray(np.add.reduceat(cost, self.member_ptr[:-1]))

    def link_values(self, entry_values: FloatArray, n_links: int) -> FloatArray:
        """Values per entry given to every link of the entry (0 on links in no entry)."""
        out = np.zeros(n_links)
        out[self.member_link] = np.repeat(entry_values, np.diff(self.member_ptr))
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
def _bfs_order(adj_ptr: Any, adj: Any, n_zones: int, keep_node: Any) -> Any:
    """Internal index of each kept node: zones first, then breadth-first order of the rest."""
    n = adj_ptr.size - 1
    new_idx = np.full(n, -1, np.int64)
    for z in range(n_zones):
        new_idx[z] = z
    queue = np.empty(n, np.int64)
    nxt = n_zones
    for start in range(n_zones, n):
        if new_idx[start] != -1 or not keep_node[start]:
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


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _contract(to: Any, out_ptr: Any, out_link: Any, contractible: Any) -> Any:
    """Entries from every node kept, each following its chain of contractible nodes.

    Returns ``(tail, head, member_ptr, member_link)`` in original node numbering.
    """
    n = contractible.size
    m = out_link.size
    tail = np.empty(m, np.int64)
    head = np.empty(m, np.int64)
    member_ptr = np.zeros(m + 1, np.int64)
    member_link = np.empty(m, np.int64)
    n_entries = 0
    n_members = 0
    for x in range(n):
        if contractible[x]:
            continue
        for k in range(out_ptr[x], out_ptr[x + 1]):
            a = out_link[k]
            member_link[n_members] = a
            n_members += 1
            prev = x
            y = to[a]
            steps = 0
            while contractible[y] and steps < m:
                nxt = -1
                for j in range(out_ptr[y], out_ptr[y + 1]):
                    b = out_link[j]
                    if to[b] != prev:
                        nxt = b
                        break
                if nxt == -1:  # cannot happen for a contractible node; stop the chain there
                    break
                member_link[n_members] = nxt
                n_members += 1
                prev = y
                y = to[nxt]
                steps += 1
            tail[n_entries] = x
            head[n_entries] = y
            n_entries += 1
            member_ptr[n_entries] = n_members
    return tail[:n_entries], head[:n_entries], member_ptr[: n_entries + 1], member_link[:n_members]


def _contractible(
    frm: IntArray, to: IntArray, n_nodes: int, n_zones: int, blocked: BoolArray
) -> BoolArray:
    """Nodes (not zones, not blocked) that are one link in, one out, or two neighbours both ways."""
    out_deg = np.bincount(frm, minlength=n_nodes)
    in_deg = np.bincount(to, minlength=n_nodes)
    # per node: the sum and the sum of squares of in-neighbours and of out-neighbours identify
    # the pair {u, w} (u + w and u^2 + w^2 fix it), so both ways to the same two is checked
    in_sum = np.bincount(to, weights=frm.astype(np.float64), minlength=n_nodes)
    in_sq = np.bincount(to, weights=frm.astype(np.float64) ** 2, minlength=n_nodes)
    out_sum = np.bincount(frm, weights=to.astype(np.float64), minlength=n_nodes)
    out_sq = np.bincount(frm, weights=to.astype(np.float64) ** 2, minlength=n_nodes)
    lo, hi = np.minimum(frm, to), np.maximum(frm, to)
    pairs = np.unique(lo * n_nodes + hi)
    nbrs = np.bincount(pairs // n_nodes, minlength=n_nodes) + np.bincount(
        pairs % n_nodes, minlength=n_nodes
    )
    one_way = (in_deg == 1) & (out_deg == 1) & (nbrs == 2)
    two_way = (in_deg == 2) & (out_deg == 2) & (nbrs == 2) & (in_sum == out_sum) & (in_sq == out_sq)
    ok = (one_way | two_way) & ~np.asarray(blocked, np.bool_)
    ok[:n_zones] = False
    return np.asarray(ok, np.bool_)


def compile_search_graph(
    from_idx: IntArray,
    to_idx: IntArray,
    *,
    n_nodes: int,
    n_zones: int,
    blocked_node_mask: BoolArray,
    prune: bool = True,
    contract: bool = True,
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
    contract : bool
        Contract chains of nodes that are neither zones nor blocked.
    reorder : bool
        Renumber the nodes that are not zones in breadth-first order.

    Returns
    -------
    SearchGraph

    Examples
    --------
    Zone 0 to zone 1 through nodes 2 and 3 (a chain): one entry of three links.

    >>> sg = compile_search_graph(np.array([0, 2, 3]), np.array([2, 3, 1]), n_nodes=4,
    ...     n_zones=2, blocked_node_mask=np.zeros(4, bool))
    >>> sg.n_nodes, sg.n_entries, sg.member_link.tolist()
    (2, 1, [0, 1, 2])
    """
    frm = np.asarray(from_idx, np.int64)
    to = np.asarray(to_idx, np.int64)
    blocked_in = np.asarray(blocked_node_mask, np.bool_)
    if prune:
        kept = np.flatnonzero(prune_dead_ends(frm, to, n_nodes=n_nodes, n_zones=n_zones))
    else:
        kept = np.arange(frm.size, dtype=np.int64)
    f, t = frm[kept], to[kept]
    if contract:
        contractible = _contractible(f, t, n_nodes, n_zones, blocked_in)
    else:
        contractible = np.zeros(n_nodes, np.bool_)
    by_tail = np.argsort(f, kind="stable")
    out_ptr = np.zeros(n_nodes + 1, np.int64)
    np.cumsum(np.bincount(f, minlength=n_nodes), out=out_ptr[1:])
    e_tail, e_head, member_ptr, members = _contract(
        t, out_ptr, np.ascontiguousarray(by_tail), contractible
    )
    member_link = kept[members]
    keep_node = ~contractible
    n_kept = int(keep_node.sum())
    if reorder:
        both_f = np.concatenate((e_tail, e_head))
        both_t = np.concatenate((e_head, e_tail))
        order = np.argsort(both_f, kind="stable")
        adj_ptr = np.zeros(n_nodes + 1, np.int64)
        np.cumsum(np.bincount(both_f, minlength=n_nodes), out=adj_ptr[1:])
        new_idx = _bfs_order(adj_ptr, np.ascontiguousarray(both_t[order]), n_zones, keep_node)
    else:
        new_idx = np.full(n_nodes, -1, np.int64)
        new_idx[keep_node] = np.arange(n_kept)
    node_idx = np.empty(n_kept, np.int64)
    node_idx[new_idx[keep_node]] = np.flatnonzero(keep_node)
    nf, nt = new_idx[e_tail], new_idx[e_head]
    scan = np.lexsort((nt, nf))  # by tail, then head
    indptr = np.zeros(n_kept + 1, np.int64)
    np.cumsum(np.bincount(nf, minlength=n_kept), out=indptr[1:])
    counts = np.diff(member_ptr)[scan]
    new_ptr = np.zeros(scan.size + 1, np.int64)
    np.cumsum(counts, out=new_ptr[1:])
    # members of the entries in scan order
    starts = member_ptr[:-1][scan]
    gather = np.repeat(starts - new_ptr[:-1], counts) + np.arange(new_ptr[-1])
    arrays: list[NDArray[Any]] = [
        indptr,
        nt[scan].astype(np.int32),
        nf[scan].astype(np.int32),
        new_ptr,
        np.ascontiguousarray(member_link[gather]),
        np.ascontiguousarray(blocked_in[node_idx]),
        node_idx,
    ]
    for a in arrays:
        a.setflags(write=False)
    return SearchGraph(n_kept, n_zones, *arrays)
