"""Honest accounting (issue 18, item 5): corridors on their own links, transit on land only and
never in the market a flow starts or ends in, ports by throughput."""

from __future__ import annotations

import pytest

from caravan.io.atlas import load_atlas
from caravan.pipeline import Pipeline
from caravan.results.facilities import port_flows
from caravan.results.runs import RunResult

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run() -> RunResult:
    return Pipeline(load_atlas()).run("baseline-2025")


def test_corridor_tonnes_are_those_on_its_own_links(run: RunResult) -> None:
    links = run.link_flows.set_index("link_id")
    projects = {p.project_id: p for p in run.atlas.projects}
    corr = run.corridor_flows.set_index("project_id")
    for pid in ("lapis-lazuli", "middle-corridor", "instc", "chabahar-port"):
        row = corr.loc[pid]
        members = list(projects[pid].link_ids)
        assert row["max_link_tonnes"] == pytest.approx(links.loc[members, "tonnes_per_year"].max())
        tkm = (links.loc[members, "tonnes_per_year"] * links.loc[members, "length_km"]).sum()
        assert row["tkm_per_year"] == pytest.approx(tkm)
        assert row["tonnes_per_year"] <= row["touching_tonnes"] + 1e-6
        assert row["min_length_share"] == 0.5
    # The Lapis Lazuli corridor is touched by far more cargo than runs along it.
    lapis = corr.loc["lapis-lazuli"]
    assert lapis["tonnes_per_year"] < 0.2 * lapis["touching_tonnes"]


def test_a_market_region_is_no_transit_country(run: RunResult) -> None:
    # China-north-west Europe cargo lands at Rotterdam for Duisburg (north-west Europe): the
    # Netherlands is part of the market, not a transit country.
    transit = run.country_transit.set_index("country_iso3")["transit_tonnes"]
    assert transit.get("NLD", 0.0) < 1e6
    via_rotterdam = run.routes[
        (run.routes["flow_id"] == "chn-eu-west") & run.routes["link_ids"].str.contains("rotterdam")
    ]
    assert via_rotterdam["tonnes_per_year"].sum() > 1e6


def test_ports_report_throughput_and_make_no_transit(run: RunResult) -> None:
    ports = port_flows(run.atlas, run.link_flows).set_index("node_id")
    assert (ports["tonnes_per_year"] == ports["tonnes_loaded"] + ports["tonnes_unloaded"]).all()
    # Sea legs make no transit country: Egypt's Suez Canal carries the China-Europe sea trade.
    transit = run.country_transit.set_index("country_iso3")["transit_tonnes"]
    assert transit.get("EGY", 0.0) == 0.0
