"""The compiled search graph: pruning and renumbering never change a zone-to-zone distance."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.routing.search_graph import compile_search_graph, prune_dead_ends
from caravan.routing.trees import trees_kernel


@st.composite
def zoned_graphs(
    draw: st.DrawFn,
) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 12))
    n_zones = draw(st.integers(1, n))
    m = draw(st.integers(0, 40))
    frm = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    to = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    cost = np.array(
        draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 7.5]), min_size=m, max_size=m))
    )
    blocked = np.zeros(n, dtype=np.bool_)
    if draw(st.booleans()):
        blocked[:n_zones] = True
    return n, n_zones, frm, to, cost, blocked


def _nx_zone_distances(n, n_zones, frm, to, cost, blocked) -> np.ndarray:
    out = np.full((n_zones, n_zones), np.inf)
    for o in range(n_zones):
        g = nx.MultiDiGraph()
        g.add_nodes_from(range(n))
        for a, b, c in zip(frm, to, cost, strict=True):
            if not blocked[a] or a == o:
                g.add_edge(int(a), int(b), weight=float(c))
        lengths = nx.single_source_dijkstra_path_length(g, o)
        out[o] = [lengths.get(z, np.inf) for z in range(n_zones)]
    return out


@settings(max_examples=300, deadline=None)
@given(zoned_graphs(), st.booleans(), st.booleans(), st.booleans())
def test_zone_distances_and_paths_match_networkx(
    graph, prune: bool, contract: bool, reorder: bool
) -> None:
    n, n_zones, frm, to, cost, blocked = graph
    sg = compile_search_graph(
        frm, to, n_nodes=n, n_zones=n_zones, blocked_node_mask=blocked, prune=prune,
        contract=contract, reorder=reorder,
    )  # fmt: skip
    assert len(set(sg.node_idx.tolist())) == sg.n_nodes
    assert sg.node_idx[:n_zones].tolist() == list(range(n_zones))  # zones keep their index
    assert len(set(sg.member_link.tolist())) == sg.member_link.size  # a link in one entry only
    origins = np.arange(n_zones, dtype=np.int64)
    dist = np.empty((n_zones, sg.n_nodes))
    pred = np.empty((n_zones, sg.n_nodes), np.int64)
    trees_kernel(
        sg.indptr, sg.head, sg.entry_cost(cost), sg.blocked_node_mask, origins, dist, pred,
        target_ptr=np.arange(n_zones + 1) * n_zones, target_idx=np.tile(origins, n_zones),
    )  # fmt: skip
    expected = _nx_zone_distances(n, n_zones, frm, to, cost, blocked)
    np.testing.assert_allclose(dist[:, :n_zones], expected)
    for o in range(n_zones):  # every path, traced back through entries, costs its distance
        for d in range(n_zones):
            if d == o or not np.isfinite(expected[o, d]):
                continue
            total, u, steps = 0.0, d, 0
            while u != o:
                e = pred[o, u]
                links = sg.member_link[sg.member_ptr[e] : sg.member_ptr[e + 1]]
                assert sg.node_idx[sg.tail[e]] == frm[links[0]]
                assert sg.node_idx[sg.head[e]] == to[links[-1]]
                assert (to[links[:-1]] == frm[links[1:]]).all()  # the chain is joined up
                total += cost[links].sum()
                u = int(sg.tail[e])
                steps += 1
                assert steps <= n
            assert np.isclose(total, expected[o, d])


def test_pruning_drops_sinks_sources_and_spurs_but_keeps_zones() -> None:
    # zones 0, 1; 0 -> 2 -> 1 -> 0; a spur 2 <-> 3; a sink 2 -> 4; a source 5 -> 2
    frm = np.array([0, 2, 2, 3, 2, 5, 1])
    to = np.array([2, 1, 3, 2, 4, 2, 0])
    keep = prune_dead_ends(frm, to, n_nodes=7, n_zones=2)
    assert keep.tolist() == [True, True, False, False, False, False, True]


def test_renumbering_follows_breadth_first_order() -> None:
    # a chain 0 - 5 - 3 - 4 - 2 (zone 0 only): the other nodes are numbered breadth-first
    frm = np.array([0, 5, 3, 4, 5, 3, 4, 2])
    to = np.array([5, 3, 4, 2, 0, 5, 3, 4])
    sg = compile_search_graph(
        frm, to, n_nodes=6, n_zones=1, blocked_node_mask=np.zeros(6, bool), prune=False,
        contract=False,
    )  # fmt: skip
    # node 1 has no link (numbered on its own); the search from node 2 walks the chain back
    assert sg.node_idx.tolist() == [0, 1, 2, 4, 3, 5]


def test_chains_one_way_and_both_ways_become_one_entry_each_way() -> None:
    # zones 0, 1; a one-way chain 0 -> 2 -> 3 -> 1 and a two-way chain 1 <-> 4 <-> 5 <-> 0;
    # node 6 (in from 0, out to 0 and 1) stays
    frm = np.array([0, 2, 3, 1, 4, 5, 0, 5, 4, 6, 0, 6])
    to = np.array([2, 3, 1, 4, 5, 0, 5, 4, 1, 0, 6, 1])
    sg = compile_search_graph(frm, to, n_nodes=7, n_zones=2, blocked_node_mask=np.zeros(7, bool))
    assert sorted(sg.node_idx.tolist()) == [0, 1, 6]
    chains = sorted(
        sg.member_link[sg.member_ptr[e] : sg.member_ptr[e + 1]].tolist() for e in range(6)
    )
    assert chains == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9], [10], [11]]
    flows = sg.link_values(np.arange(6, dtype=float), 12)
    for e in range(6):  # an entry's value lands on each of its links
        links = sg.member_link[sg.member_ptr[e] : sg.member_ptr[e + 1]]
        assert (flows[links] == e).all()
    costs = sg.entry_cost(np.arange(12, dtype=float))
    np.testing.assert_allclose(sorted(costs), [3, 9, 10, 11, 12, 21])
