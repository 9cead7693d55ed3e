"""Scenario runs on a hand-made network: flows move the way the network says they should."""

from __future__ import annotations

import pandas as pd
import pytest

from caravan.model.atlas import Atlas
from caravan.results.compare import compare_runs
from caravan.results.runs import RunResult

DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,year,basis,source_ids
amber-dune,amber,dune,container,1000000,2025,estimate: test,fixture
amber-garnet,amber,garnet,container,50000,2025,estimate: test,fixture
"""

SCENARIOS = {
    "base": "name: base\ndescription: as is\nyear: 2030\n"
    "assignment: {method: sue, k_routes: 3, logit_scale_per_usd: 0.2, max_iter: 200, gap: 1e-4}\n",
    "rail": "name: rail\ndescription: open the railway\nbase: base\nopen_projects: [cobalt-link]\n",
    "no-afg-border": "name: no-afg-border\ndescription: close it\nbase: base\n"
    "close: {borders: [bolt-cobalt]}\n",
    "tight": "name: tight\ndescription: a full border\nbase: base\n"
    "changes:\n  - {target: border, ids: [bolt-cobalt], field: capacity_mtpa, set: 0.2}\n",
}


def _transit(run: RunResult, iso3: str) -> float:
    table = run.country_transit.set_index("country_iso3")
    return float(table.at[iso3, "transit_tonnes"]) if iso3 in table.index else 0.0


def _link(run: RunResult, link_id: str) -> float:
    return float(run.link_flows.set_index("link_id").at[link_id, "tonnes_per_year"])


def test_unserved_demand_is_reported_not_dropped(runs: dict[str, RunResult]) -> None:
    base = runs["base"]
    flows = base.flows.set_index("flow_id")
    assert flows.at["amber-garnet", "served_tonnes_per_year"] == 0
    assert "garnet-road" in flows.at["amber-garnet", "unserved_reason"]
    for run in runs.values():
        total = run.flows["served_tonnes_per_year"] + run.flows["unserved_tonnes_per_year"]
        assert total.to_numpy() == pytest.approx(run.flows["tonnes_per_year"].to_numpy())


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_tonnes_in_equal_tonnes_out_at_every_node(runs: dict[str, RunResult], name: str) -> None:
    run = runs[name]
    lf = run.link_flows
    inflow = (
        pd.concat(
            [
                lf.groupby("to_node_id")["tonnes_ab"].sum(),
                lf.groupby("from_node_id")["tonnes_ba"].sum(),
            ]
        )
        .groupby(level=0)
        .sum()
    )
    outflow = (
        pd.concat(
            [
                lf.groupby("from_node_id")["tonnes_ab"].sum(),
                lf.groupby("to_node_id")["tonnes_ba"].sum(),
            ]
        )
        .groupby(level=0)
        .sum()
    )
    served = run.flows.set_index("flow_id")["served_tonnes_per_year"]
    demand = run.flows.set_index("flow_id")
    net = outflow.reindex(inflow.index.union(outflow.index), fill_value=0.0) - inflow.reindex(
        inflow.index.union(outflow.index), fill_value=0.0
    )
    expected = pd.Series(0.0, index=net.index)
    for flow_id, t in served.items():
        expected[demand.at[flow_id, "origin_node_id"]] += t
        expected[demand.at[flow_id, "destination_node_id"]] -= t
    assert net.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)


def test_opening_a_shorter_line_moves_flow_onto_it(runs: dict[str, RunResult]) -> None:
    base, rail = runs["base"], runs["rail"]
    assert _link(base, "r-cobalt-dune") == 0
    assert _link(rail, "r-cobalt-dune") > 0.5e6
    assert _link(rail, "d-cobalt-dune") < _link(base, "d-cobalt-dune")
    cmp = compare_runs(base, rail).corridors.set_index("project_id")
    assert cmp.at["cobalt-link", "delta_tonnes_per_year"] > 0.5e6


def test_closing_a_border_moves_flow_off_it(runs: dict[str, RunResult]) -> None:
    base, closed = runs["base"], runs["no-afg-border"]
    assert _transit(base, "AFG") > 0
    assert _transit(closed, "AFG") == 0
    assert _transit(closed, "IRN") == pytest.approx(1e6)
    countries = compare_runs(base, closed).countries.set_index("country_iso3")
    assert countries.at["AFG", "delta_transit_tonnes"] == pytest.approx(-_transit(base, "AFG"))


def test_a_full_border_spills_flow_onto_the_next_route(runs: dict[str, RunResult]) -> None:
    base, tight = runs["base"], runs["tight"]
    assert _link(tight, "r-bolt-cobalt") < _link(base, "r-bolt-cobalt") - 1e5
    assert _link(tight, "r-amber-ember") > _link(base, "r-amber-ember") + 1e5
    assert tight.summary["converged"]


def test_transit_counted_once_per_flow(runs: dict[str, RunResult]) -> None:
    # Every tonne of amber->dune crosses AFG or IRN (never both); AFG has two links on the
    # route, yet its transit tonnes equal the tonnes routed through it, once.
    base = runs["base"]
    routes = base.routes[base.routes["flow_id"] == "amber-dune"]
    via_afg = routes[routes["countries"].str.contains("AFG")]["tonnes_per_year"].sum()
    assert _transit(base, "AFG") == pytest.approx(via_afg)
    assert _transit(base, "AFG") + _transit(base, "IRN") == pytest.approx(1e6)
    assert _transit(base, "UZB") == 0 and _transit(base, "PAK") == 0


def test_results_carry_provenance(runs: dict[str, RunResult], atlas: Atlas) -> None:
    prov = runs["rail"].provenance
    assert prov["atlas_digest"] == atlas.digest
    assert prov["scenario_lineage"] == ["base", "rail"]
    assert len(prov["scenario_digest"]) == 64
    assert prov["caravan_version"]
