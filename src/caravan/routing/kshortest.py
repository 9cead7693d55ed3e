"""k shortest loopless paths (Yen 1971) on CSR arrays, and a filter that keeps real alternatives.

:func:`k_shortest_paths` is a generator: the caller takes as many paths as it needs, in order of
non-decreasing weight. It runs from a set of sources to a set of targets (as if a super-source and
a super-sink joined them) and can treat groups of nodes as one place: the layers of a city (its
rail, road and sea nodes) are one group, a path may move between layers of a place but may not
leave a place and come back to it.

:func:`distinct_paths` drops a path that shares too much of its length with a path already kept,
so that "alternatives" are not the best route with a detour at one junction.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import numpy as np

from caravan.errors import InputError
from caravan.model.arrays import BoolArray, FloatArray, IntArray
from caravan.routing.shortest import (
    ArcPath,
    CsrGraph,
    Kernel,
    _bool_mask,
    _node_array,
    check_weight,
    run_dijkstra,
)

__all__ = ["distinct_paths", "distinct_shortest_paths", "k_shortest_paths", "overlap_fraction"]


def _path_weight(weight: FloatArray, arcs: Sequence[int]) -> float:
    total = 0.0
    for w in weight[list(arcs)].tolist():  # one gather; added in path order as before
        total += w
    return total


def _groups_contiguous(groups: Sequence[int]) -> bool:
    """Whether each group's nodes form one unbroken run along the path (no return visit)."""
    seen: set[int] = set()
    previous = -1
    for g in groups:
        if g != previous:
            if g in seen:
                return False
            seen.add(g)
            previous = g
    return True


def k_shortest_paths(
    graph: CsrGraph,
    weight: Sequence[float] | FloatArray,
    sources: Sequence[int] | IntArray,
    targets: Sequence[int] | IntArray,
    *,
    arc_mask: Sequence[bool] | BoolArray | None = None,
    node_group: Sequence[int] | IntArray | None = None,
    kernel: Kernel | str = Kernel.NUMBA,
) -> Iterator[ArcPath]:
    """Loopless paths from any source to any target, in order of non-decreasing weight.

    Parameters
    ----------
    graph : CsrGraph
        The graph.
    weight : array of float
        Non-negative weight of each arc (``inf`` means unusable).
    sources, targets : sequence of int
        Node indices. Paths start at a source and end at the first target they reach.
    arc_mask : array of bool, optional
        ``False`` removes an arc.
    node_group : array of int, optional
        A group number per node (for Caravan: the place a layer node belongs to). A path may
        not leave a group and re-enter it. Default: each node is its own group, which is
        plain Yen.

    Yields
    ------
    ArcPath
        Distinct paths, lightest first; ties in the order they were found.

    Notes
    -----
    Yen's algorithm: each new path deviates from the previous one at a spur node, after a root
    shared with it; arcs leaving the root that earlier paths used are removed, and the root's
    nodes (and their groups) are banned, so every candidate is loopless. Each spur search is one
    call of the numba Dijkstra kernel. As Lawler (1972) showed, a new path need only be spurred
    from where it left its parent onwards. With groups, a path that re-enters a group (through
    the spur node's own group, or the first path) is spurred from like any other but not
    yielded, so no path that keeps its groups together is lost.

    References
    ----------
    J. Y. Yen, "Finding the k shortest loopless paths in a network", Management Science 17(11)
    (1971), 712-716.
    E. L. Lawler, "A procedure for computing the K best solutions to discrete optimization
    problems and its application to the shortest path problem", Management Science 18(7)
    (1972), 401-405.

    Examples
    --------
    >>> from itertools import islice
    >>> g = CsrGraph.from_arcs(4, [0, 0, 1, 1, 2], [1, 2, 2, 3, 3])
    >>> paths = k_shortest_paths(g, [1.0, 2.0, 1.0, 3.0, 1.0], [0], [3])
    >>> [(p.nodes, p.weight) for p in islice(paths, 3)]
    [((0, 2, 3), 3.0), ((0, 1, 2, 3), 3.0), ((0, 1, 3), 4.0)]
    """
    w = check_weight(graph, weight)
    base_ok = _bool_mask(arc_mask, graph.n_arcs, "arc_mask").copy()
    src, is_target, group, grouped = _ends_and_groups(graph, sources, targets, node_group)
    n_groups = int(group.max()) + 1 if group.size else 0
    no_nodes = np.zeros(graph.n_nodes, dtype=np.bool_)
    no_groups = np.zeros(n_groups, dtype=np.bool_)
    how = Kernel(kernel)
    w_list = w.tolist() if how is Kernel.PYTHON else None

    def search(
        ok: BoolArray, b_group: BoolArray, b_node: BoolArray, starts: IntArray
    ) -> ArcPath | None:
        return run_dijkstra(
            graph, w, ok, group, b_group, b_node, starts, is_target, kernel=how, weight_list=w_list
        )

    first = search(base_ok, no_groups, no_nodes, src)
    if first is None:
        return
    accepted: list[ArcPath] = [first]

    def contiguous(path: ArcPath) -> bool:
        return not grouped or _groups_contiguous([int(group[v]) for v in path.nodes])

    if contiguous(first):
        yield first
    seen: set[tuple[int, tuple[int, ...]]] = {(first.source, first.arcs)}
    candidates: list[tuple[float, int, tuple[int, ...], int, tuple[int, ...], int]] = []
    deviation = -1  # where the last accepted path left its parent (Lawler 1972)

    while True:
        prev = accepted[-1]
        for i in range(deviation, len(prev.nodes) - 1):
            if i < 0:
                # Spur at the super-source: start from a source no accepted path starts at.
                used = {p.source for p in accepted}
                free = np.array([s for s in src.tolist() if s not in used], dtype=np.int64)
                if free.size == 0:
                    continue
                spur = search(base_ok, no_groups, no_nodes, free)
                root_arcs: tuple[int, ...] = ()
            else:
                root_arcs = prev.arcs[:i]
                ok = base_ok.copy()
                for p in accepted:
                    if len(p.arcs) > i and p.source == prev.source and p.arcs[:i] == root_arcs:
                        ok[p.arcs[i]] = False
                spur_node = prev.nodes[i]
                banned_node = no_nodes.copy()
                banned_group = no_groups.copy()
                root_nodes = np.asarray(prev.nodes[:i], dtype=np.int64)
                banned_node[root_nodes] = True
                banned_group[group[root_nodes]] = True
                banned_group[group[spur_node]] = False
                spur = search(ok, banned_group, banned_node, np.array([spur_node], dtype=np.int64))
            if spur is None:
                continue
            start = prev.source if i >= 0 else spur.source
            arcs = root_arcs + spur.arcs
            key = (start, arcs)
            if key in seen:
                continue
            seen.add(key)
            nodes = prev.nodes[: max(i, 0)] + spur.nodes
            heapq.heappush(candidates, (_path_weight(w, arcs), len(arcs), arcs, start, nodes, i))
        if not candidates:
            return
        total, _, arcs, start, nodes, deviation = heapq.heappop(candidates)
        path = ArcPath(start, arcs, nodes, total)
        # A path that re-enters a group is kept (its spurs lead to paths that do not) but not
        # yielded.
        accepted.append(path)
        if contiguous(path):
            yield path


def overlap_fraction(
    path: ArcPath,
    other: ArcPath,
    arc_key: Sequence[int] | IntArray,
    arc_length: Sequence[float] | FloatArray,
) -> float:
    """Share of ``path``'s length on keys (for Caravan: atlas links) that ``other`` also uses.

    Arcs with a negative key (transfers) count for neither. A path of zero length overlaps 0.

    Examples
    --------
    >>> a = ArcPath(0, (0, 1), (0, 1, 2), 2.0)
    >>> b = ArcPath(0, (0, 2), (0, 1, 3), 2.0)
    >>> overlap_fraction(a, b, [10, 11, 12], [30.0, 70.0, 5.0])
    0.3
    """
    lengths, total, _ = _key_lengths(path, arc_key, arc_length)
    return _overlap(lengths, total, _key_lengths(other, arc_key, arc_length)[2])


def _key_lengths(
    path: ArcPath, arc_key: Sequence[int] | IntArray, arc_length: Sequence[float] | FloatArray
) -> tuple[dict[int, float], float, frozenset[int]]:
    """A path's length on each key (transfers, key < 0, left out), their total, and every key
    it uses."""
    at = list(path.arcs)
    keys = np.asarray(arc_key)[at].tolist() if at else []
    lens = np.asarray(arc_length, dtype=np.float64)[at].tolist() if at else []
    lengths: dict[int, float] = {}
    for key, length in zip(keys, lens, strict=True):
        if key >= 0:
            lengths[int(key)] = float(length)
    return lengths, sum(lengths.values()), frozenset(int(k) for k in keys)


def _overlap(lengths: dict[int, float], total: float, other_keys: frozenset[int]) -> float:
    if total <= 0.0:
        return 0.0
    shared = sum(length for key, length in lengths.items() if key in other_keys)
    return shared / total


def distinct_paths(
    paths: Iterable[ArcPath],
    *,
    arc_key: Sequence[int] | IntArray,
    arc_length: Sequence[float] | FloatArray,
    max_overlap: float = 0.8,
) -> Iterator[ArcPath]:
    """Paths that share at most ``max_overlap`` of their length with every path kept before.

    A path is kept when, for every path already kept, the length it shares with that path
    (over keys both use, see :func:`overlap_fraction`) is at most ``max_overlap`` times its own
    length. ``max_overlap=1.0`` keeps every path.

    Examples
    --------
    >>> ps = [ArcPath(0, (0, 1), (0, 1, 2), 1.0), ArcPath(0, (0, 2), (0, 1, 3), 2.0),
    ...       ArcPath(0, (3,), (0, 2), 3.0)]
    >>> [p.weight for p in distinct_paths(ps, arc_key=[0, 1, 2, 3],
    ...                                    arc_length=[90.0, 10.0, 10.0, 50.0])]
    [1.0, 3.0]
    """
    if not 0.0 <= max_overlap <= 1.0:
        raise InputError(f"max_overlap must lie in 0..1, got {max_overlap}")
    kept_keys: list[frozenset[int]] = []
    for path in paths:
        lengths, total, keys = _key_lengths(path, arc_key, arc_length)
        if all(_overlap(lengths, total, k) <= max_overlap for k in kept_keys):
            kept_keys.append(keys)
            yield path


def distinct_shortest_paths(
    graph: CsrGraph,
    weight: Sequence[float] | FloatArray,
    sources: Sequence[int] | IntArray,
    targets: Sequence[int] | IntArray,
    *,
    arc_key: Sequence[int] | IntArray,
    arc_length: Sequence[float] | FloatArray,
    max_overlap: float = 0.8,
    n_paths: int,
    max_paths: int,
    arc_mask: Sequence[bool] | BoolArray | None = None,
    node_group: Sequence[int] | IntArray | None = None,
    kernel: Kernel | str = Kernel.NUMBA,
) -> list[ArcPath]:
    """Up to ``n_paths`` distinct paths among the first ``max_paths`` of Yen's, lightest first.

    The same list as ``islice(distinct_paths(islice(k_shortest_paths(...), max_paths), ...),
    n_paths)`` (the parameters are those of :func:`k_shortest_paths` and
    :func:`distinct_paths`). With the numba kernel the whole search, spur paths, candidate heap
    and overlap filter, runs in one compiled call (:mod:`caravan.routing._numba_yen`), without
    Python work per spur search; the Python kernel chains the two generators.

    Examples
    --------
    >>> g = CsrGraph.from_arcs(4, [0, 0, 1, 1, 2], [1, 2, 2, 3, 3])
    >>> w = [1.0, 2.0, 1.0, 3.0, 1.0]
    >>> paths = distinct_shortest_paths(g, w, [0], [3], arc_key=[0, 1, 2, 3, 4],
    ...     arc_length=[1.0] * 5, max_overlap=0.5, n_paths=3, max_paths=10)
    >>> [p.nodes for p in paths]
    [(0, 2, 3), (0, 1, 2, 3), (0, 1, 3)]
    """
    if not 0.0 <= max_overlap <= 1.0:
        raise InputError(f"max_overlap must lie in 0..1, got {max_overlap}")
    how = Kernel(kernel)
    if how is Kernel.PYTHON:
        yen = k_shortest_paths(
            graph, weight, sources, targets, arc_mask=arc_mask, node_group=node_group, kernel=how
        )
        kept = distinct_paths(
            islice(yen, max_paths), arc_key=arc_key, arc_length=arc_length, max_overlap=max_overlap
        )
        return list(islice(kept, n_paths))
    if n_paths <= 0 or max_paths <= 0:
        return []
    w = check_weight(graph, weight)
    ok = _bool_mask(arc_mask, graph.n_arcs, "arc_mask")
    src, is_target, group, grouped = _ends_and_groups(graph, sources, targets, node_group)
    key = np.ascontiguousarray(arc_key, dtype=np.int64)
    length = np.ascontiguousarray(arc_length, dtype=np.float64)
    if key.shape != (graph.n_arcs,) or length.shape != (graph.n_arcs,):
        raise InputError(f"arc_key and arc_length must hold {graph.n_arcs} values each")
    if src.size == 0:
        return []
    # numba compiles on first use: the Python kernel's callers never pay for it.
    from caravan.routing._numba_yen import yen_distinct_kernel

    starts, offsets, arcs, weights = yen_distinct_kernel(
        graph.indptr, graph.arc_tail, graph.arc_head, w, ok, group, grouped,
        np.ascontiguousarray(src, dtype=np.int64), is_target, key, length,
        float(max_overlap), int(n_paths), int(max_paths),
    )  # fmt: skip
    heads = graph.arc_head[arcs].tolist()
    arc_list = arcs.tolist()
    out = []
    for j, start in enumerate(starts.tolist()):
        lo, hi = int(offsets[j]), int(offsets[j + 1])
        out.append(
            ArcPath(start, tuple(arc_list[lo:hi]), (start, *heads[lo:hi]), float(weights[j]))
        )
    return out


def _ends_and_groups(
    graph: CsrGraph,
    sources: Sequence[int] | IntArray,
    targets: Sequence[int] | IntArray,
    node_group: Sequence[int] | IntArray | None,
) -> tuple[IntArray, BoolArray, IntArray, bool]:
    """The checked source nodes, a mask of the target nodes, each node's group (its own node
    when ``node_group`` is None) and whether groups were given."""
    src = _node_array(sources, graph.n_nodes, "sources")
    dst = _node_array(targets, graph.n_nodes, "targets")
    is_target = np.zeros(graph.n_nodes, dtype=np.bool_)
    is_target[dst] = True
    if node_group is None:
        return src, is_target, np.arange(graph.n_nodes, dtype=np.int64), False
    group = np.ascontiguousarray(node_group, dtype=np.int64)
    if group.shape != (graph.n_nodes,) or (group.size and group.min() < 0):
        raise InputError(f"node_group must hold {graph.n_nodes} non-negative integers")
    return src, is_target, group, True
