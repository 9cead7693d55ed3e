"""Least-cost paths on CSR arrays: a binary-heap Dijkstra, compiled with numba or in plain Python.

The kernel sees flat typed arrays only: a graph in compressed sparse row form (arcs sorted by tail
node, ``indptr[v]:indptr[v + 1]`` are the arcs out of node ``v``), one non-negative weight per arc,
an optional arc mask and node bans. It searches from several sources at once (all at distance 0)
and stops at the first target it settles, so "any layer of the origin place to any layer of the
destination place" is one search. Ties are broken by node index, so results are deterministic
(Dijkstra 1959, with a binary heap and lazy deletion).

Two kernels give identical paths (same heap order, same relaxations):

- ``Kernel.NUMBA`` is compiled by numba with ``cache=True`` (machine code stored beside the
  module in ``__pycache__``, or numba's user cache folder when that is read-only). It is about
  ten times faster per search, but loading numba and the cached code costs ~0.4 s once per
  process: the choice for many searches (runs, the web app, benchmarks).
- ``Kernel.PYTHON`` (``heapq`` on lists) starts at once: the choice for a one-off command.
"""

from __future__ import annotations

import enum
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from caravan.errors import InputError
from caravan.model.arrays import BoolArray, FloatArray, IntArray

__all__ = [
    "ArcPath",
    "CsrGraph",
    "Kernel",
    "check_weight",
    "dijkstra_python",
    "run_dijkstra",
    "shortest_path",
]


class Kernel(enum.StrEnum):
    """Which Dijkstra kernel runs a search (both give identical paths)."""

    NUMBA = "numba"  # compiled: fast per search, ~0.4 s to load once per process
    PYTHON = "python"  # heapq on lists: no start-up cost, ~10x slower per search


def _readonly(array: NDArray[Any]) -> NDArray[Any]:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class CsrGraph:
    """A directed graph as CSR arrays; arc ``a`` runs ``arc_tail[a] -> arc_head[a]``.

    Arcs must be sorted by tail node, so that the arcs out of node ``v`` are the positions
    ``indptr[v]:indptr[v + 1]``; the arc positions are the arc indices every weight array uses.

    Examples
    --------
    >>> g = CsrGraph.from_arcs(3, [0, 0, 1], [1, 2, 2])
    >>> g.n_nodes, g.n_arcs, g.indptr.tolist()
    (3, 3, [0, 2, 3, 3])
    """

    indptr: IntArray
    arc_tail: IntArray
    arc_head: IntArray

    @cached_property
    def as_lists(self) -> tuple[list[int], list[int], list[int]]:
        """``(indptr, arc_tail, arc_head)`` as Python lists, for the Python kernel."""
        return self.indptr.tolist(), self.arc_tail.tolist(), self.arc_head.tolist()

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.indptr.size - 1)

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return int(self.arc_head.size)

    @classmethod
    def from_arcs(
        cls, n_nodes: int, arc_tail: Sequence[int] | IntArray, arc_head: Sequence[int] | IntArray
    ) -> CsrGraph:
        """A graph of ``n_nodes`` nodes from arcs already sorted by tail.

        Raises
        ------
        InputError
            When the arrays differ in length, a node index is out of range, or the tails are
            not sorted.
        """
        tail = np.ascontiguousarray(arc_tail, dtype=np.int64)
        head = np.ascontiguousarray(arc_head, dtype=np.int64)
        if tail.shape != head.shape or tail.ndim != 1:
            raise InputError("arc_tail and arc_head must be 1-d arrays of the same length")
        if tail.size and (
            min(tail.min(), head.min()) < 0 or max(tail.max(), head.max()) >= n_nodes
        ):
            raise InputError(f"arc endpoints must lie in 0..{n_nodes - 1}")
        if tail.size > 1 and bool(np.any(np.diff(tail) < 0)):
            raise InputError("arcs must be sorted by tail node (use np.argsort(tail, 'stable'))")
        counts = np.bincount(tail, minlength=n_nodes)
        indptr = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(_readonly(indptr), _readonly(tail.copy()), _readonly(head.copy()))


@dataclass(frozen=True, eq=False)
class ArcPath:
    """A path: the node it starts at, its arcs in order, and its total weight.

    ``nodes`` lists every node on the path (the start node, then each arc's head).
    """

    source: int
    arcs: tuple[int, ...]
    nodes: tuple[int, ...]
    weight: float


def dijkstra_python(
    indptr: list[int],
    arc_tail: list[int],
    arc_head: list[int],
    arc_weight: list[float],
    arc_ok: list[bool],
    node_group: list[int],
    banned_group: list[bool],
    banned_node: list[bool],
    sources: list[int],
    is_target: list[bool],
) -> tuple[list[int], int, float]:
    """The same search as the numba kernel, on Python lists; return ``(arcs, target, weight)``."""
    n = len(indptr) - 1
    dist = [math.inf] * n
    pred = [-1] * n
    done = [False] * n
    heap: list[tuple[float, int]] = []
    for s in sources:
        if banned_node[s] or banned_group[node_group[s]] or dist[s] == 0.0:
            continue
        dist[s] = 0.0
        heap.append((0.0, s))
    heapq.heapify(heap)
    push, pop = heapq.heappush, heapq.heappop
    hit = -1
    while heap:
        d, v = pop(heap)
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
                push(heap, (nd, w))
    if hit < 0:
        return [], -1, math.inf
    arcs: list[int] = []
    v = hit
    while pred[v] >= 0:
        arcs.append(pred[v])
        v = arc_tail[pred[v]]
    arcs.reverse()
    return arcs, hit, dist[hit]


def check_weight(graph: CsrGraph, weight: Sequence[float] | FloatArray) -> FloatArray:
    """The weights as a float64 array, checked: one per arc, non-negative, no NaN.

    ``inf`` is allowed (such an arc is never used).
    """
    w = np.ascontiguousarray(weight, dtype=np.float64)
    if w.shape != (graph.n_arcs,):
        raise InputError(f"expected {graph.n_arcs} arc weights, got shape {w.shape}")
    if w.size and (bool(np.isnan(w).any()) or float(w.min()) < 0.0):
        raise InputError("arc weights must be non-negative numbers (Dijkstra); found NaN or < 0")
    return w


def _bool_mask(mask: Sequence[bool] | BoolArray | None, size: int, what: str) -> BoolArray:
    if mask is None:
        return np.ones(size, dtype=np.bool_)
    out = np.ascontiguousarray(mask, dtype=np.bool_)
    if out.shape != (size,):
        raise InputError(f"{what} must have {size} entries, got shape {out.shape}")
    return out


def _node_array(nodes: Sequence[int] | IntArray, n_nodes: int, what: str) -> IntArray:
    out = np.unique(np.asarray(nodes, dtype=np.int64))
    if out.size == 0:
        raise InputError(f"{what}: give at least one node")
    if out[0] < 0 or out[-1] >= n_nodes:
        raise InputError(f"{what}: node indices must lie in 0..{n_nodes - 1}")
    return out


def shortest_path(
    graph: CsrGraph,
    weight: Sequence[float] | FloatArray,
    sources: Sequence[int] | IntArray,
    targets: Sequence[int] | IntArray,
    *,
    arc_mask: Sequence[bool] | BoolArray | None = None,
    banned_nodes: Sequence[int] | IntArray = (),
    kernel: Kernel | str = Kernel.NUMBA,
) -> ArcPath | None:
    """The least-weight path from any source to any target, or ``None`` when there is none.

    Parameters
    ----------
    graph : CsrGraph
        The graph.
    weight : array of float
        Weight of each arc, non-negative (``inf`` means unusable).
    sources, targets : sequence of int
        Node indices; every source starts at weight 0 and the search stops at the first
        target settled.
    arc_mask : array of bool, optional
        ``False`` removes an arc.
    banned_nodes : sequence of int, optional
        Nodes the path may not enter (nor start at).
    kernel : {"numba", "python"}
        Which kernel searches (see the module docstring); the paths are identical.

    Returns
    -------
    ArcPath or None
        Ties between equal-weight paths are broken by node index.

    Raises
    ------
    InputError
        When an array has the wrong length, a weight is negative or NaN, or a node index is
        out of range.

    References
    ----------
    E. W. Dijkstra, "A note on two problems in connexion with graphs", Numerische
    Mathematik 1 (1959), 269-271.

    Examples
    --------
    >>> g = CsrGraph.from_arcs(4, [0, 0, 1, 2], [1, 2, 3, 3])
    >>> p = shortest_path(g, [1.0, 5.0, 1.0, 1.0], [0], [3])
    >>> p.arcs, p.nodes, p.weight
    ((0, 2), (0, 1, 3), 2.0)
    >>> shortest_path(g, [1.0, 5.0, 1.0, 1.0], [0], [3], banned_nodes=[1]).nodes
    (0, 2, 3)
    """
    w = check_weight(graph, weight)
    ok = _bool_mask(arc_mask, graph.n_arcs, "arc_mask")
    src = _node_array(sources, graph.n_nodes, "sources")
    dst = _node_array(targets, graph.n_nodes, "targets")
    is_target = np.zeros(graph.n_nodes, dtype=np.bool_)
    is_target[dst] = True
    banned = np.zeros(graph.n_nodes, dtype=np.bool_)
    if len(banned_nodes):
        banned[np.asarray(banned_nodes, dtype=np.int64)] = True
    group = np.arange(graph.n_nodes, dtype=np.int64)
    return run_dijkstra(graph, w, ok, group, banned, banned, src, is_target, kernel=Kernel(kernel))


def run_dijkstra(
    graph: CsrGraph,
    weight: FloatArray,
    arc_ok: BoolArray,
    node_group: IntArray,
    banned_group: BoolArray,
    banned_node: BoolArray,
    sources: IntArray,
    is_target: BoolArray,
    *,
    kernel: Kernel = Kernel.NUMBA,
    weight_list: list[float] | None = None,
) -> ArcPath | None:
    """Run a kernel on arrays already checked (no validation; for inner loops).

    ``weight_list`` is ``weight.tolist()``, when the caller has it (saves the Python kernel a
    conversion per search).
    """
    if kernel is Kernel.PYTHON:
        indptr, tail, head = graph.as_lists
        arcs, hit, total = dijkstra_python(
            indptr,
            tail,
            head,
            weight.tolist() if weight_list is None else weight_list,
            arc_ok.tolist(),
            node_group.tolist(),
            banned_group.tolist(),
            banned_node.tolist(),
            sources.tolist(),
            is_target.tolist(),
        )
    else:
        # numba compiles on first use: the Python kernel's callers never pay for it.
        from caravan.routing._numba_kernel import dijkstra_kernel

        arc_array, hit, total = dijkstra_kernel(
            graph.indptr,
            graph.arc_tail,
            graph.arc_head,
            weight,
            arc_ok,
            node_group,
            banned_group,
            banned_node,
            sources,
            is_target,
        )
        arcs = arc_array.tolist()
    if hit < 0:
        return None
    start = int(graph.arc_tail[arcs[0]]) if arcs else int(hit)
    nodes = (start, *graph.arc_head[arcs].tolist())
    return ArcPath(start, tuple(arcs), nodes, float(total))
