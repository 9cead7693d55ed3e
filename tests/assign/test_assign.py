"""Equilibrium assignment on hand-checkable networks, the awkward cases and several classes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.assign import (
    ALGORITHMS,
    AssignmentNetwork,
    DemandClass,
    all_or_nothing,
    assign,
    relative_gap,
)
from caravan.errors import InputError, NoRouteError

from .helpers import conservation_residual

ALL = sorted(ALGORITHMS)


def _parallel_links(alpha: float = 1.0, beta: float = 1.0) -> AssignmentNetwork:
    # t1 = 1 * (1 + alpha * v1 / 1), t2 = 2 * (1 + alpha * v2 / 2)
    return AssignmentNetwork.from_links(
        [0, 0], [1, 1], [1.0, 2.0], [1.0, 2.0], [alpha, alpha], [beta, beta], n_nodes=2, n_zones=2
    )


def _od(n_zones: int, o: int, d: int, trips: float) -> np.ndarray:
    m = np.zeros((n_zones, n_zones))
    m[o, d] = trips
    return m


@pytest.mark.parametrize("algorithm", ALL)
def test_two_parallel_links_reach_the_analytic_equilibrium(algorithm: str) -> None:
    # 1 + v1 = 2 + v2 and v1 + v2 = 5  ->  v1 = 3, v2 = 2, both times 4
    result = assign(
        _parallel_links(), [DemandClass("car", _od(2, 0, 1, 5.0))], algorithm=algorithm, gap=1e-9
    )
    np.testing.assert_allclose(result.total_flow, [3.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(result.link_time, [4.0, 4.0], atol=1e-6)
    assert result.relative_gap <= 1e-9 and result.converged
    assert np.isclose(result.tstt, 20.0)


def test_bpr_power_four_equilibrium_equalises_used_costs() -> None:
    net = _parallel_links(alpha=0.15, beta=4.0)
    result = assign(net, [DemandClass("car", _od(2, 0, 1, 4.0))], algorithm="gp", gap=1e-12)
    assert np.isclose(result.link_time[0], result.link_time[1], rtol=1e-9)
    assert np.isclose(result.total_flow.sum(), 4.0)


@pytest.mark.parametrize("algorithm", ALL)
def test_zero_free_flow_time_power_zero_and_a_dead_end_sink(algorithm: str) -> None:
    # 0 -> 1 twice (zero fft and BPR power 0), 1 -> 2 congested, 1 -> 3 dead-end sink,
    # 0 -> 3 another way into the sink; node 3 has in-links only.
    net = AssignmentNetwork.from_links(
        [0, 0, 1, 1, 0, 1],
        [1, 1, 2, 3, 3, 2],
        [0.0, 1.0, 1.0, 1.0, 1.0, 3.0],
        [1.0, 1.0, 10.0, 1.0, 1.0, 10.0],
        [0.15, 2.0, 0.15, 0.15, 0.15, 0.0],
        [4.0, 0.0, 4.0, 4.0, 4.0, 0.0],
        n_nodes=4,
        n_zones=3,
    )
    demand = _od(3, 0, 2, 30.0)
    result = assign(net, [DemandClass("car", demand)], algorithm=algorithm, gap=1e-7)
    assert np.all(np.isfinite(result.total_flow)) and np.all(np.isfinite(result.link_time))
    assert result.relative_gap <= 1e-7
    np.testing.assert_allclose(conservation_residual(net, result.total_flow, demand), 0, atol=1e-8)
    assert result.total_flow[3] == 0.0 and result.total_flow[4] == 0.0  # nothing into the sink


@pytest.mark.parametrize("algorithm", ALL)
def test_blocked_zones_are_never_passed_through(algorithm: str) -> None:
    # zones 0, 1, 2; node 3 is a through node. 0 -> 1 -> 2 is cheap but zone 1 is blocked.
    frm, to = [0, 1, 0, 3, 1], [1, 2, 3, 2, 3]
    net = AssignmentNetwork.from_links(
        frm, to, [1.0, 1.0, 5.0, 5.0, 1.0], [1.0] * 5, [0.0] * 5, [1.0] * 5,
        n_nodes=4, n_zones=3, first_thru_node_idx=3,
    )  # fmt: skip
    demand = _od(3, 0, 2, 10.0)
    demand[1, 2] = 4.0  # zone 1 may still send trips
    result = assign(net, [DemandClass("car", demand)], algorithm=algorithm, gap=1e-9)
    np.testing.assert_allclose(result.total_flow, [0.0, 4.0, 10.0, 10.0, 0.0], atol=1e-9)
    open_net = AssignmentNetwork.from_links(
        frm, to, [1.0, 1.0, 5.0, 5.0, 1.0], [1.0] * 5, [0.0] * 5, [1.0] * 5, n_nodes=4, n_zones=3
    )
    free = assign(open_net, [DemandClass("car", demand)], algorithm=algorithm, gap=1e-9)
    np.testing.assert_allclose(free.total_flow, [10.0, 14.0, 0.0, 0.0, 0.0], atol=1e-9)


@pytest.mark.parametrize("algorithm", ["bfw", "gp", "b"])
def test_classes_with_masks_and_fixed_costs(algorithm: str) -> None:
    net = _parallel_links()
    trucks = DemandClass("truck", _od(2, 0, 1, 2.0), link_mask=np.array([False, True]), pce=2.0)
    tolled = DemandClass("tolled", _od(2, 0, 1, 3.0), fixed_cost=np.array([100.0, 0.0]))
    cars = DemandClass("car", _od(2, 0, 1, 1.0))
    result = assign(net, [trucks, tolled, cars], algorithm=algorithm, gap=1e-10)
    flows = dict(zip(result.class_names, result.class_flow, strict=True))
    np.testing.assert_allclose(flows["truck"], [0.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(flows["tolled"], [0.0, 3.0], atol=1e-9)
    # link 2 volume = 2 * 2 + 3 (+ cars) = 7+: t2 >= 9 > t1(1 car) = 2 -> the car takes link 1
    np.testing.assert_allclose(flows["car"], [1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(result.total_flow, [1.0, 7.0], atol=1e-9)
    independent = relative_gap(net, [trucks, tolled, cars], result.class_flow)
    assert np.isclose(independent.relative_gap, result.relative_gap, atol=1e-12)


def test_a_mask_that_cuts_an_od_pair_is_an_error() -> None:
    klass = DemandClass("truck", _od(2, 0, 1, 1.0), link_mask=np.array([False, False]))
    for algorithm in ALL:
        with pytest.raises(NoRouteError, match="zone index 0 to zone index 1"):
            assign(_parallel_links(), [klass], algorithm=algorithm)


def test_bad_arguments_are_refused() -> None:
    klass = DemandClass("car", _od(2, 0, 1, 1.0))
    with pytest.raises(InputError, match="unknown algorithm"):
        assign(_parallel_links(), [klass], algorithm="msa")
    with pytest.raises(InputError, match="volume-delay"):
        assign(_parallel_links(), [klass], vdf="linear")
    with pytest.raises(InputError, match="gap"):
        assign(_parallel_links(), [klass], gap=0.0)
    with pytest.raises(InputError, match="zones"):
        assign(_parallel_links(), [DemandClass("car", np.zeros((3, 3)))])
    with pytest.raises(InputError, match="capacity"):
        AssignmentNetwork.from_links([0], [1], [1.0], [0.0], [0.1], [4.0], n_nodes=2, n_zones=2)
    with pytest.raises(InputError, match="negative"):
        DemandClass("car", -np.ones((2, 2)))


def test_conical_vdf_runs() -> None:
    alpha = 4.0
    beta = (2 * alpha - 1) / (2 * alpha - 2)
    net = _parallel_links(alpha=alpha, beta=beta)
    result = assign(
        net, [DemandClass("car", _od(2, 0, 1, 3.0))], algorithm="gp", vdf="conical", gap=1e-10
    )
    assert np.isclose(result.link_time[0], result.link_time[1], rtol=1e-8)


def test_progress_is_reported_and_results_are_read_only() -> None:
    seen: list[tuple[int, float]] = []
    net = _parallel_links(alpha=0.15, beta=4.0)
    result = assign(
        net, [DemandClass("car", _od(2, 0, 1, 4.0))], algorithm="bfw", gap=1e-8,
        progress=lambda i, g: seen.append((i, g)),
    )  # fmt: skip
    assert seen and seen[-1][1] == result.gap_history[-1]
    with pytest.raises(ValueError, match="read-only"):
        result.total_flow[0] = 1.0


@st.composite
def random_problems(draw: st.DrawFn) -> tuple[AssignmentNetwork, np.ndarray]:
    n = draw(st.integers(3, 7))
    zones = draw(st.integers(2, n))
    # a ring both ways keeps every pair connected, plus random chords
    frm = list(range(n)) + [(i + 1) % n for i in range(n)]
    to = [(i + 1) % n for i in range(n)] + list(range(n))
    for _ in range(draw(st.integers(0, 8))):
        frm.append(draw(st.integers(0, n - 1)))
        to.append(draw(st.integers(0, n - 1)))
    m = len(frm)
    fft = draw(st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=m, max_size=m))
    beta = draw(st.lists(st.sampled_from([0.0, 1.0, 4.0]), min_size=m, max_size=m))
    net = AssignmentNetwork.from_links(
        frm, to, fft, [5.0] * m, [0.15] * m, beta, n_nodes=n, n_zones=zones
    )
    trips = draw(st.lists(st.sampled_from([0.0, 1.0, 7.0]), min_size=zones**2, max_size=zones**2))
    return net, np.array(trips).reshape(zones, zones)


@settings(max_examples=40, deadline=None)
@given(random_problems(), st.sampled_from(["bfw", "gp", "b"]))
def test_flow_is_conserved_at_every_node(problem, algorithm: str) -> None:
    net, demand = problem
    result = assign(net, [DemandClass("car", demand)], algorithm=algorithm, gap=1e-6)
    scale = max(1.0, demand.sum())
    np.testing.assert_allclose(
        conservation_residual(net, result.total_flow, demand), 0.0, atol=1e-9 * scale
    )
    assert result.relative_gap <= 1e-6 or result.iterations >= 500
    assert np.all(result.total_flow >= 0.0)


def test_all_or_nothing_loads_the_shortest_paths() -> None:
    net = AssignmentNetwork.from_links(
        [0, 0, 2, 1], [1, 2, 1, 0], [5.0, 1.0, 1.0, 1.0], [1.0] * 4, [0.0] * 4, [0.0] * 4,
        n_nodes=3, n_zones=2,
    )  # fmt: skip
    demand = np.array([[0.0, 3.0], [2.0, 0.0]])
    load = all_or_nothing(net, np.array([5.0, 1.0, 1.0, 1.0]), demand)
    assert load.flow.tolist() == [0.0, 3.0, 3.0, 2.0]
    assert load.sptc == 3 * 2.0 + 2 * 1.0


def test_gp_paths_longer_than_its_first_storage_grow_it_and_still_converge() -> None:
    # a ladder of 30 rungs, each two parallel links: one O-D pair whose paths are 30 links long
    # (the first storage holds 16 links) and whose path set keeps changing
    rungs = 30
    frm = [i for i in range(rungs) for _ in (0, 1)]
    to = [i + 1 for i in range(rungs) for _ in (0, 1)]
    fft = [1.0 + (i % 3) * (k + 1) for i in range(rungs) for k in (0, 1)]
    net = AssignmentNetwork.from_links(
        frm, to, fft, [2.0] * len(frm), [0.15] * len(frm), [4.0] * len(frm),
        n_nodes=rungs + 1, n_zones=rungs + 1,
    )  # fmt: skip
    demand = _od(rungs + 1, 0, rungs, 9.0)
    result = assign(net, [DemandClass("car", demand)], algorithm="gp", gap=1e-10)
    assert result.relative_gap <= 1e-10
    np.testing.assert_allclose(
        conservation_residual(net, result.total_flow, demand), 0.0, atol=1e-9
    )
    used = result.total_flow.reshape(rungs, 2) > 1e-9
    times = result.link_time.reshape(rungs, 2)
    both = used.all(axis=1)
    assert both.any()  # some rungs split the flow, so paths were added and dropped
    np.testing.assert_allclose(times[both, 0], times[both, 1], rtol=1e-6)


def test_gp_path_compaction_keeps_live_paths_in_order() -> None:
    from caravan.assign.gradient_projection import _compact_paths

    # three O-D pairs; paths 1 and 3 are dropped (no list reaches them)
    links = np.array([5, 6, 7, 8, 9, 1, 2, 3, 4, 0], np.uint16)
    p_start = np.array([0, 2, 3, 6, 8], np.int64)
    p_len = np.array([2, 1, 3, 2, 2], np.int32)
    p_flow = np.array([1.0, 0.0, 2.0, 0.0, 4.0])
    p_next = np.array([-1, -1, 0, -1, -1], np.int64)
    od_head = np.array([2, 4, -1], np.int64)  # pair 0: 2 -> 0; pair 1: 4; pair 2: none
    n_live, used = _compact_paths(od_head, p_next, p_start, p_len, p_flow, links, 5)
    assert (n_live, used) == (3, 7)
    assert od_head.tolist() == [1, 2, -1]
    assert p_next[:3].tolist() == [-1, 0, -1]
    assert p_flow[:3].tolist() == [1.0, 2.0, 4.0]
    paths = [links[p_start[p] : p_start[p] + p_len[p]].tolist() for p in range(3)]
    assert paths == [[5, 6], [8, 9, 1], [4, 0]]


def test_gp_on_a_network_too_big_for_16_bit_link_positions() -> None:
    # the two parallel links of the analytic case, plus 65,600 links elsewhere that no path
    # uses: path links are then stored as 32-bit numbers
    n_extra = 65_600
    frm = [0, 0] + [2] * n_extra
    to = [1, 1] + [3] * n_extra
    m = len(frm)
    net = AssignmentNetwork.from_links(
        frm, to, [1.0, 2.0] + [1.0] * n_extra, [1.0, 2.0] + [1.0] * n_extra,
        [1.0] * m, [1.0] * m, n_nodes=4, n_zones=2,
    )  # fmt: skip
    result = assign(net, [DemandClass("car", _od(2, 0, 1, 5.0))], algorithm="gp", gap=1e-9)
    np.testing.assert_allclose(result.total_flow[:2], [3.0, 2.0], atol=1e-6)
    assert not result.total_flow[2:].any()


@settings(max_examples=30, deadline=None)
@given(random_problems(), st.sampled_from(["bfw", "gp", "b"]))
def test_the_gap_taken_from_the_last_pass_equals_a_fresh_one(problem, algorithm: str) -> None:
    net, demand = problem
    car = DemandClass("car", demand)
    result = assign(net, [car], algorithm=algorithm, gap=1e-5)
    fresh = relative_gap(net, [car], np.asarray(result.class_flow))
    assert result.relative_gap == pytest.approx(fresh.relative_gap, rel=1e-9, abs=1e-12)
    assert result.tstt == pytest.approx(fresh.tstt, rel=1e-12)


def test_gp_streams_origins_in_batches_with_the_same_answer(monkeypatch) -> None:
    import caravan.assign.gradient_projection as gp_module

    side = 6  # a 6 x 6 grid both ways, every node a zone: 36 origins
    ids = np.arange(side * side).reshape(side, side)
    frm = np.concatenate(
        [ids[:, :-1].ravel(), ids[:, 1:].ravel(), ids[:-1].ravel(), ids[1:].ravel()]
    )
    to = np.concatenate(
        [ids[:, 1:].ravel(), ids[:, :-1].ravel(), ids[1:].ravel(), ids[:-1].ravel()]
    )
    m = frm.size
    rng = np.random.default_rng(3)
    net = AssignmentNetwork.from_links(
        frm, to, rng.uniform(1, 2, m), [20.0] * m, [0.15] * m, [4.0] * m,
        n_nodes=side * side, n_zones=side * side,
    )  # fmt: skip
    car = DemandClass("car", rng.uniform(0, 3, (side * side, side * side)))
    whole = assign(net, [car], algorithm="gp", gap=1e-9)
    monkeypatch.setattr(gp_module, "TREE_BATCH_BYTES", 1)  # one batch per thread count
    batched = assign(net, [car], algorithm="gp", gap=1e-9)
    assert batched.iterations == whole.iterations
    np.testing.assert_allclose(batched.total_flow, whole.total_flow, rtol=1e-12, atol=1e-12)
