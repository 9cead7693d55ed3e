"""Parity of the shortest-path tree kernels with scipy and networkx on hostile little graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from caravan.errors import InputError, NotFoundError
from caravan.routing.trees import (
    all_origins_distances,
    build_forward_star,
    shortest_path_tree,
)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 9))
    m = draw(st.integers(0, 30))
    frm = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    to = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    cost = np.array(
        draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 7.5]), min_size=m, max_size=m))
    )
    blocked = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    return n, frm, to, cost, blocked


def _nx_distances(n: int, frm, to, cost, blocked, origin: int) -> np.ndarray:
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(n))
    for a, b, c in zip(frm, to, cost, strict=True):
        if not blocked[a] or a == origin:  # blocked nodes are never passed through
            g.add_edge(int(a), int(b), weight=float(c))
    lengths = nx.single_source_dijkstra_path_length(g, origin)
    return np.array([lengths.get(i, np.inf) for i in range(n)])


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_distances_match_networkx_and_paths_add_up(graph) -> None:
    n, frm, to, cost, blocked = graph
    indptr, links = build_forward_star(frm, n)
    origins = np.arange(n)
    dist = all_origins_distances(indptr, links, to, cost, origins, blocked_node_mask=blocked)
    for o in range(n):
        expected = _nx_distances(n, frm, to, cost, blocked, o)
        np.testing.assert_allclose(dist[o], expected)
        tree = shortest_path_tree(indptr, links, frm, to, cost, o, blocked_node_mask=blocked)
        np.testing.assert_allclose(tree.dist, expected)
        for v in range(n):
            if np.isfinite(expected[v]):
                path = tree.path_link_idx(v)
                assert np.isclose(cost[path].sum(), expected[v])
                inner = [int(to[a]) for a in path[:-1]]
                assert not any(blocked[u] and u != o for u in inner)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_distances_match_scipy_without_blocking(graph) -> None:
    n, frm, to, cost, _ = graph
    indptr, links = build_forward_star(frm, n)
    dist = all_origins_distances(indptr, links, to, cost, np.arange(n))
    # scipy keeps the cheapest parallel link; shift costs so zero-cost links are not dropped
    best: dict[tuple[int, int], float] = {}
    for a, b, c in zip(frm, to, cost, strict=True):
        best[(int(a), int(b))] = min(best.get((int(a), int(b)), np.inf), float(c) + 1e-9)
    rows, cols = zip(*best, strict=True) if best else ((), ())
    mat = csr_matrix((list(best.values()), (list(rows), list(cols))), shape=(n, n))
    expected = dijkstra(mat, directed=True)
    np.testing.assert_allclose(dist, expected, atol=1e-6)


def test_infinite_cost_removes_a_link_and_unreachable_is_reported() -> None:
    frm, to = np.array([0, 1]), np.array([1, 2])
    indptr, links = build_forward_star(frm, 3)
    tree = shortest_path_tree(indptr, links, frm, to, np.array([1.0, np.inf]), 0)
    assert tree.dist.tolist() == [0.0, 1.0, np.inf]
    with pytest.raises(NotFoundError, match="not reachable"):
        tree.path_link_idx(2)


def test_bad_input_is_refused() -> None:
    frm, to = np.array([0]), np.array([1])
    indptr, links = build_forward_star(frm, 2)
    with pytest.raises(InputError, match="non-negative"):
        shortest_path_tree(indptr, links, frm, to, np.array([-1.0]), 0)
    with pytest.raises(NotFoundError, match="outside"):
        shortest_path_tree(indptr, links, frm, to, np.array([1.0]), 5)


def test_parallel_pass_matches_serial_pass_on_a_large_grid() -> None:
    side = 40  # 1600 nodes, enough work for the parallel kernel
    ids = np.arange(side * side).reshape(side, side)
    frm = np.concatenate(
        [ids[:, :-1].ravel(), ids[:, 1:].ravel(), ids[:-1].ravel(), ids[1:].ravel()]
    )
    to = np.concatenate(
        [ids[:, 1:].ravel(), ids[:, :-1].ravel(), ids[1:].ravel(), ids[:-1].ravel()]
    )
    rng = np.random.default_rng(7)
    cost = rng.uniform(0.0, 1.0, frm.size)
    indptr, links = build_forward_star(frm, side * side)
    origins = np.arange(0, side * side, 37)
    dist = all_origins_distances(indptr, links, to, cost, origins)
    for k in (0, 5):
        tree = shortest_path_tree(indptr, links, frm, to, cost, int(origins[k]))
        np.testing.assert_array_equal(dist[k], tree.dist)
