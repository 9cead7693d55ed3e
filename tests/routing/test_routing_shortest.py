"""The numba Dijkstra kernel against networkx on random little graphs (oracle parity)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.errors import InputError
from caravan.routing import CsrGraph, shortest_path


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, float]]]:
    """A random digraph without parallel arcs; integer-valued weights 0..20 (zeros included)."""
    n = draw(st.integers(2, 12))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            max_size=4 * n,
            unique=True,
        )
    )
    weights = draw(st.lists(st.integers(0, 20), min_size=len(pairs), max_size=len(pairs)))
    return n, [(u, v, float(w)) for (u, v), w in zip(pairs, weights, strict=True)]


def to_csr(n: int, arcs: list[tuple[int, int, float]]) -> tuple[CsrGraph, np.ndarray, list[int]]:
    order = sorted(range(len(arcs)), key=lambda i: arcs[i][0])
    tail = [arcs[i][0] for i in order]
    head = [arcs[i][1] for i in order]
    weight = np.array([arcs[i][2] for i in order], dtype=np.float64)
    return CsrGraph.from_arcs(n, tail, head), weight, order


def to_nx(n: int, arcs: list[tuple[int, int, float]]) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(arcs)
    return g


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_least_weight_matches_networkx(g: tuple[int, list], data: st.DataObject) -> None:
    n, arcs = g
    sources = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3))
    targets = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3))
    graph, weight, _ = to_csr(n, arcs)
    kernel = data.draw(st.sampled_from(["numba", "python"]))
    path = shortest_path(graph, weight, sorted(sources), sorted(targets), kernel=kernel)
    oracle = to_nx(n, arcs)
    lengths = nx.multi_source_dijkstra_path_length(oracle, sources, weight="weight")
    reachable = [lengths[t] for t in targets if t in lengths]
    if not reachable:
        assert path is None
        return
    assert path is not None
    assert path.weight == pytest.approx(min(reachable))
    # the path is a real chain of arcs from a source to a target, and its weight adds up
    assert path.nodes[0] in sources and path.nodes[-1] in targets
    assert sum(weight[a] for a in path.arcs) == pytest.approx(path.weight)
    for a, (u, v) in zip(path.arcs, zip(path.nodes, path.nodes[1:], strict=False), strict=True):
        assert graph.arc_tail[a] == u and graph.arc_head[a] == v


@settings(max_examples=100, deadline=None)
@given(graphs(), st.data())
def test_masks_and_bans_match_networkx_on_the_subgraph(
    g: tuple[int, list], data: st.DataObject
) -> None:
    n, arcs = g
    s, t = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
    mask = data.draw(st.lists(st.booleans(), min_size=len(arcs), max_size=len(arcs)))
    banned = data.draw(st.sets(st.integers(0, n - 1).filter(lambda v: v not in (s, t)), max_size=3))
    graph, weight, order = to_csr(n, arcs)
    csr_mask = np.array([mask[i] for i in order], dtype=bool)
    path = shortest_path(graph, weight, [s], [t], arc_mask=csr_mask, banned_nodes=sorted(banned))
    kept = [
        a
        for a, ok in zip(arcs, mask, strict=True)
        if ok and a[0] not in banned and a[1] not in banned
    ]
    try:
        expected = nx.dijkstra_path_length(to_nx(n, kept), s, t, weight="weight")
    except nx.NetworkXNoPath:
        assert path is None
    else:
        assert path is not None and path.weight == pytest.approx(expected)


def test_ties_are_broken_the_same_way_every_time() -> None:
    graph = CsrGraph.from_arcs(4, [0, 0, 1, 2], [1, 2, 3, 3])
    first = shortest_path(graph, [1.0, 1.0, 1.0, 1.0], [0], [3])
    assert first is not None
    for _ in range(5):
        again = shortest_path(graph, [1.0, 1.0, 1.0, 1.0], [0], [3])
        assert again is not None and again.arcs == first.arcs


def test_bad_arrays_are_refused() -> None:
    graph = CsrGraph.from_arcs(3, [0, 1], [1, 2])
    with pytest.raises(InputError, match="non-negative"):
        shortest_path(graph, [1.0, -1.0], [0], [2])
    with pytest.raises(InputError, match="expected 2 arc weights"):
        shortest_path(graph, [1.0], [0], [2])
    with pytest.raises(InputError, match="sorted by tail"):
        CsrGraph.from_arcs(3, [1, 0], [2, 1])
    with pytest.raises(InputError, match=r"0\.\.2"):
        shortest_path(graph, [1.0, 1.0], [0], [7])


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_python_and_numba_kernels_give_identical_paths(
    g: tuple[int, list], data: st.DataObject
) -> None:
    n, arcs = g
    sources = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3)))
    targets = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3)))
    mask = data.draw(st.lists(st.booleans(), min_size=len(arcs), max_size=len(arcs)))
    graph, weight, _ = to_csr(n, arcs)
    kwargs = {"arc_mask": mask, "banned_nodes": []}
    a = shortest_path(graph, weight, sources, targets, kernel="numba", **kwargs)
    b = shortest_path(graph, weight, sources, targets, kernel="python", **kwargs)
    assert (a is None and b is None) or (
        a is not None
        and b is not None
        and (a.arcs, a.nodes, a.weight) == (b.arcs, b.nodes, b.weight)
    )
