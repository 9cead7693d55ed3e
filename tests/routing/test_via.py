"""The least-cost path over a set of arcs (caravan.routing.via) against brute force with scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from caravan.errors import InputError
from caravan.routing.via import shortest_path_via


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 8))
    m = draw(st.integers(1, 25))
    frm = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    to = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    cost = np.array(
        draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0, 7.5, np.inf]), min_size=m, max_size=m))
    )
    via = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    return n, frm, to, cost, via


def _distances(n: int, frm: np.ndarray, to: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """All-pairs least costs (parallel arcs: the cheapest; a node reaches itself at 0)."""
    best: dict[tuple[int, int], float] = {}
    for a, b, c in zip(frm, to, cost, strict=True):
        if np.isfinite(c) and c < best.get((int(a), int(b)), np.inf):
            best[(int(a), int(b))] = float(c)
    if not best:
        out = np.full((n, n), np.inf)
        np.fill_diagonal(out, 0.0)
        return out
    rows, cols = zip(*best, strict=True)
    g = csr_matrix((list(best.values()), (rows, cols)), shape=(n, n))
    return np.asarray(dijkstra(g, directed=True))


@settings(max_examples=200, deadline=None)
@given(graphs(), st.data())
def test_the_path_is_the_cheapest_over_a_via_arc(graph, data) -> None:
    n, frm, to, cost, via = graph
    sources = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))))
    targets = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))))
    dist = _distances(n, frm, to, cost)
    brute = min(
        (
            dist[sources, frm[a]].min() + cost[a] + dist[to[a], targets].min()
            for a in np.flatnonzero(via)
        ),
        default=np.inf,
    )
    path = shortest_path_via(frm, to, cost, sources, targets, via, n_nodes=n)
    if not np.isfinite(brute):
        assert path is None
        return
    assert path is not None
    assert path.weight == pytest.approx(brute)
    assert path.weight == pytest.approx(cost[list(path.arcs)].sum())
    assert any(via[a] for a in path.arcs)
    assert path.source in set(sources.tolist()) and path.nodes[-1] in set(targets.tolist())
    # a walk: each arc starts where the last one ended
    assert [int(frm[a]) for a in path.arcs] == list(path.nodes[:-1])
    assert [int(to[a]) for a in path.arcs] == list(path.nodes[1:])
    # never cheaper than the best path without the constraint
    assert path.weight >= dist[np.ix_(sources, targets)].min() - 1e-9


def test_no_via_arc_or_no_end_gives_none() -> None:
    frm, to, w = np.array([0]), np.array([1]), np.array([1.0])
    none = np.array([False])
    assert shortest_path_via(frm, to, w, np.array([0]), np.array([1]), none, n_nodes=2) is None
    one = np.array([True])
    assert shortest_path_via(frm, to, w, np.array([], int), np.array([1]), one, n_nodes=2) is None
    with pytest.raises(InputError, match="differ in length"):
        shortest_path_via(frm, to, np.array([1.0, 2.0]), np.array([0]), np.array([1]), one,
                          n_nodes=2)  # fmt: skip
