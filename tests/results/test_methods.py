"""Freight assignment methods: the registry, and a real user equilibrium where capacity binds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from caravan.errors import InputError
from caravan.io.scenario import load_scenario
from caravan.model.atlas import Atlas
from caravan.model.scenario import AssignmentMethod, AssignmentSettings
from caravan.results.methods import METHODS, method_spec
from caravan.results.runs import RunResult, scenario_world
from caravan.results.sue import CAPACITY_TOLERANCE

DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,year,basis,source_ids
amber-dune,amber,dune,container,1000000,2025,estimate: test,fixture
amber-fjord,amber,fjord,bulk,300000,2025,estimate: test,fixture
"""

_TIGHT = "changes:\n  - {target: border, ids: [bolt-cobalt], field: capacity_mtpa, set: 0.2}\n"
SCENARIOS = {
    "aon": "name: aon\ndescription: all or nothing\nyear: 2025\n"
    "assignment: {method: aon, max_iter: 500, gap: 1e-6}\n" + _TIGHT,
    "ue": "name: ue\ndescription: equilibrium\nyear: 2025\n"
    "assignment: {method: ue, max_iter: 500, gap: 1e-6}\n" + _TIGHT,
    "ue-loose": "name: ue-loose\ndescription: equilibrium, no capacity\nyear: 2025\n"
    "assignment: {method: ue, max_iter: 500, gap: 1e-6}\n",
    "aon-loose": "name: aon-loose\ndescription: all or nothing, no capacity\nyear: 2025\n"
    "assignment: {method: aon}\n",
}


def _link(run: RunResult, link_id: str) -> float:
    return float(run.link_flows.set_index("link_id").at[link_id, "tonnes_per_year"])


def test_every_method_is_registered() -> None:
    assert set(METHODS) == set(AssignmentMethod)
    assert method_spec("ue").method is AssignmentMethod.UE


def test_an_unknown_method_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="unknown assignment method 'wardrop'; choose one of"):
        AssignmentSettings(method="wardrop")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="choose one of aon, sue, ue"):
        method_spec("frank")


def test_ue_and_aon_agree_where_no_capacity_binds(runs: dict[str, RunResult]) -> None:
    ue, aon = runs["ue-loose"], runs["aon-loose"]
    assert ue.summary["converged"]
    for link_id in ("r-bolt-cobalt", "r-amber-ember"):
        assert _link(ue, link_id) == pytest.approx(_link(aon, link_id), abs=1.0)


def test_ue_keeps_a_full_crossing_within_its_capacity(runs: dict[str, RunResult]) -> None:
    ue, aon = runs["ue"], runs["aon"]
    # all-or-nothing keeps the whole 1 Mt on the 0.2 Mt border; equilibrium fills the border
    # to its capacity (a queue price there) and sends the rest round by Iran, until both
    # routes cost the same, the queue price included
    assert _link(aon, "r-bolt-cobalt") == pytest.approx(1e6)
    assert aon.summary["capacity"]["max_ratio"] == pytest.approx(5.0)
    on_border = _link(ue, "r-bolt-cobalt")
    assert 0.2e6 * (1 - CAPACITY_TOLERANCE) <= on_border <= 0.2e6 * (1 + CAPACITY_TOLERANCE)
    assert ue.summary["capacity"]["over_capacity"] == []
    assert ue.summary["capacity"]["max_ratio"] <= 1 + CAPACITY_TOLERANCE
    assert _link(ue, "r-amber-ember") > _link(aon, "r-amber-ember") + 0.7e6
    routes = ue.routes[ue.routes["flow_id"] == "amber-dune"]
    assert len(routes) >= 2
    used = routes[routes["share"] > 1e-3]["cost_usd_per_t"].to_numpy()
    assert np.ptp(used) < 1e-3 * used.mean()  # Wardrop: used routes cost the same
    assert routes["tonnes_per_year"].sum() == pytest.approx(1e6)


def test_ue_without_queue_prices_lets_the_delay_alone_overfill_the_crossing(
    atlas: Atlas,
) -> None:
    # the BPR delay alone (valued at a freight value of time) does not keep the border
    # within its capacity: that is what the queue prices are for
    from caravan.network.build import build_network
    from caravan.results.freight_ue import settle_ue

    scenario = load_scenario("ue", atlas)
    world = scenario_world(atlas, scenario)
    flows = world.demand.to_dict("records")
    networks = {
        c: build_network(world, year=2025, commodity=c) for c in {f["commodity_id"] for f in flows}
    }
    free = settle_ue(networks, flows, gap=1e-6, max_iter=500, capacity_tolerance=None)
    bound = settle_ue(networks, flows, gap=1e-6, max_iter=500)
    border = bound.group_ids.index(("border", "bolt-cobalt"))
    assert free.group_tonnes[border] > 0.2e6 * 1.5
    assert free.group_price_usd_per_t.sum() == 0.0
    assert bound.group_tonnes[border] <= 0.2e6 * (1 + CAPACITY_TOLERANCE)
    assert bound.group_price_usd_per_t[border] > 0
    assert bound.within_capacity and bound.converged


def test_ue_reaches_its_stated_relative_gap(runs: dict[str, RunResult]) -> None:
    s = runs["ue"].summary
    assert s["method"] == "ue"
    assert s["converged"] is True
    assert s["relative_gap"] <= 1e-6
    assert s["iterations"] >= 1


def test_ue_falls_back_to_the_price_rounds_when_column_generation_misses(
    atlas: Atlas, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the queue-price rounds and their mix take over when the side-constrained equilibrium
    # misses the gap; both keep the crossing full to its capacity
    import dataclasses

    import caravan.results.ue_capacity as ue_capacity
    from caravan.network.build import build_network
    from caravan.results.freight_ue import settle_ue

    scenario = load_scenario("ue", atlas)
    world = scenario_world(atlas, scenario)
    flows = world.demand.to_dict("records")
    networks = {
        c: build_network(world, year=2025, commodity=c) for c in {f["commodity_id"] for f in flows}
    }
    columns = settle_ue(networks, flows, gap=1e-6, max_iter=500)
    real = ue_capacity.side_constrained_equilibrium
    calls: list[int] = []

    def missing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return dataclasses.replace(real(*args, **kwargs), relative_gap=np.inf)

    monkeypatch.setattr(ue_capacity, "side_constrained_equilibrium", missing)
    rounds = settle_ue(networks, flows, gap=1e-6, max_iter=500)
    assert calls == [1]
    border = rounds.group_ids.index(("border", "bolt-cobalt"))
    assert rounds.iterations > columns.iterations  # equilibria of the price rounds
    for res in (columns, rounds):
        assert res.within_capacity and res.converged
        assert res.group_tonnes[border] >= 0.2e6 * (1 - CAPACITY_TOLERANCE)
        assert res.group_tonnes[border] <= 0.2e6 * (1 + CAPACITY_TOLERANCE)
        assert res.group_price_usd_per_t[border] > 0
