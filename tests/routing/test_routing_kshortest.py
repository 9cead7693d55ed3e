"""Yen's k shortest loopless paths against networkx, and the overlap filter."""

from __future__ import annotations

from itertools import combinations, islice, pairwise

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.routing import (
    ArcPath,
    distinct_paths,
    distinct_shortest_paths,
    k_shortest_paths,
    overlap_fraction,
)
from tests.routing.test_routing_shortest import graphs, to_csr, to_nx


@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_yen_matches_networkx_simple_paths(g: tuple[int, list], data: st.DataObject) -> None:
    n, arcs = g
    s = data.draw(st.integers(0, n - 1))
    t = data.draw(st.integers(0, n - 1).filter(lambda v: v != s))
    k = data.draw(st.integers(1, 6))
    kernel = data.draw(st.sampled_from(["numba", "python"]))
    graph, weight, _ = to_csr(n, arcs)
    ours = list(islice(k_shortest_paths(graph, weight, [s], [t], kernel=kernel), k))
    oracle = to_nx(n, arcs)
    try:
        theirs = list(islice(nx.shortest_simple_paths(oracle, s, t, weight="weight"), k))
    except nx.NetworkXNoPath:
        theirs = []
    expected = [nx.path_weight(oracle, p, weight="weight") for p in theirs]
    assert [p.weight for p in ours] == pytest.approx(expected)
    # distinct, loopless, each weight adds up, non-decreasing
    assert len({p.arcs for p in ours}) == len(ours)
    for p in ours:
        assert len(set(p.nodes)) == len(p.nodes)
        assert p.nodes[0] == s and p.nodes[-1] == t
        assert sum(weight[a] for a in p.arcs) == pytest.approx(p.weight)
    assert all(a.weight <= b.weight + 1e-9 for a, b in pairwise(ours))


@settings(max_examples=100, deadline=None)
@given(graphs(), st.data())
def test_grouped_paths_never_reenter_a_group(g: tuple[int, list], data: st.DataObject) -> None:
    n, arcs = g
    group = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    sources = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))
    targets = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))
    graph, weight, _ = to_csr(n, arcs)
    paths = list(
        islice(
            k_shortest_paths(graph, weight, sorted(sources), sorted(targets), node_group=group), 5
        )
    )
    assert len({(p.source, p.arcs) for p in paths}) == len(paths)
    for p in paths:
        runs = [
            group[v] for i, v in enumerate(p.nodes) if i == 0 or group[p.nodes[i - 1]] != group[v]
        ]
        assert len(runs) == len(set(runs))
    assert all(a.weight <= b.weight + 1e-9 for a, b in pairwise(paths))


@settings(max_examples=100, deadline=None)
@given(graphs(), st.data(), st.floats(0.1, 1.0))
def test_distinct_paths_respect_the_overlap_limit(
    g: tuple[int, list], data: st.DataObject, limit: float
) -> None:
    n, arcs = g
    s = data.draw(st.integers(0, n - 1))
    t = data.draw(st.integers(0, n - 1).filter(lambda v: v != s))
    graph, weight, _ = to_csr(n, arcs)
    key = np.arange(graph.n_arcs)
    length = weight + 1.0
    kept = list(
        islice(
            distinct_paths(
                k_shortest_paths(graph, weight, [s], [t]),
                arc_key=key,
                arc_length=length,
                max_overlap=limit,
            ),
            4,
        )
    )
    for later_idx, earlier_idx in combinations(range(len(kept)), 2):
        a, b = kept[max(later_idx, earlier_idx)], kept[min(later_idx, earlier_idx)]
        assert overlap_fraction(a, b, key, length) <= limit + 1e-12


def test_overlap_ignores_transfers_and_counts_shared_keys() -> None:
    # arcs 0 and 1 are the same link (two directions share a key); arc 2 is a transfer (-1)
    key = [7, 7, -1, 8]
    length = [100.0, 100.0, 0.0, 300.0]
    a = ArcPath(0, (0, 2, 3), (0, 1, 1, 2), 1.0)
    b = ArcPath(0, (1,), (0, 1), 1.0)
    assert overlap_fraction(a, b, key, length) == pytest.approx(100 / 400)
    assert overlap_fraction(b, a, key, length) == pytest.approx(1.0)


@settings(max_examples=300, deadline=None)
@given(graphs(), st.data())
def test_grouped_paths_match_brute_force(g: tuple[int, list], data: st.DataObject) -> None:
    """Every source-to-target path that keeps its groups together, lightest first."""
    n, arcs = g
    group = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    sources = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))
    targets = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2) | st.just(set()))
    targets = targets - sources or {v for v in range(n) if v not in sources}
    if not targets:
        return
    graph, weight, _ = to_csr(n, arcs)
    ours = [
        p.weight
        for p in islice(
            k_shortest_paths(graph, weight, sorted(sources), sorted(targets), node_group=group), 6
        )
    ]
    oracle = to_nx(n, arcs)
    oracle.add_edges_from((("S", s) for s in sources), weight=0.0)
    oracle.add_edges_from(((t, "T") for t in targets), weight=0.0)
    every = []
    for p in nx.all_simple_paths(oracle, "S", "T"):
        inner = p[1:-1]
        if any(v in targets for v in inner[:-1]):
            continue  # a path ends at the first target it reaches
        runs = [group[v] for i, v in enumerate(inner) if i == 0 or group[inner[i - 1]] != group[v]]
        if len(runs) == len(set(runs)):
            every.append(nx.path_weight(oracle, p, weight="weight"))
    assert ours == pytest.approx(sorted(every)[: len(ours)])
    assert len(ours) == min(6, len(every))


@settings(max_examples=300, deadline=None)
@given(graphs(), st.data(), st.floats(0.1, 1.0))
def test_distinct_shortest_paths_kernel_matches_the_generators(
    g: tuple[int, list], data: st.DataObject, limit: float
) -> None:
    """The numba Yen-and-filter kernel keeps the very paths the Python generators keep."""
    n, arcs = g
    grouped = data.draw(st.booleans())
    group = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)) if grouped else None
    sources = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2)))
    targets = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2)))
    n_paths = data.draw(st.integers(1, 5))
    max_paths = data.draw(st.integers(1, 12))
    graph, weight, _ = to_csr(n, arcs)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(arcs), max_size=len(arcs))))
    key = np.array(data.draw(st.lists(st.integers(-1, 5), min_size=len(arcs), max_size=len(arcs))))
    length = weight * 3.0 + 1.0
    found = {
        kernel: distinct_shortest_paths(
            graph,
            weight,
            sources,
            targets,
            arc_key=key,
            arc_length=length,
            max_overlap=limit,
            n_paths=n_paths,
            max_paths=max_paths,
            arc_mask=mask,
            node_group=group,
            kernel=kernel,
        )
        for kernel in ("numba", "python")
    }
    as_tuples = {
        kernel: [(p.source, p.arcs, p.nodes, p.weight) for p in paths]
        for kernel, paths in found.items()
    }
    assert as_tuples["numba"] == as_tuples["python"]


@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_distinct_shortest_paths_match_networkx_without_a_filter(
    g: tuple[int, list], data: st.DataObject
) -> None:
    """With ``max_overlap=1`` the kernel gives networkx's k shortest simple paths."""
    n, arcs = g
    s = data.draw(st.integers(0, n - 1))
    t = data.draw(st.integers(0, n - 1).filter(lambda v: v != s))
    k = data.draw(st.integers(1, 6))
    graph, weight, _ = to_csr(n, arcs)
    ours = distinct_shortest_paths(
        graph,
        weight,
        [s],
        [t],
        arc_key=np.arange(graph.n_arcs),
        arc_length=np.ones(graph.n_arcs),
        max_overlap=1.0,
        n_paths=k,
        max_paths=k,
    )
    oracle = to_nx(n, arcs)
    try:
        theirs = list(islice(nx.shortest_simple_paths(oracle, s, t, weight="weight"), k))
    except nx.NetworkXNoPath:
        theirs = []
    assert [p.weight for p in ours] == pytest.approx(
        [nx.path_weight(oracle, p, weight="weight") for p in theirs]
    )
    for p in ours:
        assert p.nodes[0] == s and p.nodes[-1] == t and len(set(p.nodes)) == len(p.nodes)
