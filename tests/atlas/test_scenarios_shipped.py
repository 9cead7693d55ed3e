"""The shipped demand table and scenarios: they load, cite sources, and move flows as explained.

``docs/scenarios.md`` explains each comparison with the baseline; the run tests below pin the
directions it describes, so a change to the atlas or the engine that reverses one is noticed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from caravan.io.atlas import load_atlas
from caravan.io.scenario import list_scenarios, load_scenario, scenario_folder
from caravan.model.atlas import Atlas

#: The what-ifs the source articles discuss (issue 5); combinations may be added.
REQUIRED = {
    "baseline-2025",
    "kabul-corridor",
    "lapis-to-pakistan",
    "herat-mazar",
    "five-nations",
    "kandahar-corridor",
    "zaranj-delaram",
    "chabahar-zahedan",
    "russia-caspian",
    "iran-disruption",
    "pakistan-insecurity",
}

HAS_ROUTES = importlib.util.find_spec("caravan.results.routes") is not None


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()


@pytest.fixture(scope="module")
def names(atlas: Atlas) -> list[str]:
    return [s["name"] for s in list_scenarios(atlas)]


def test_every_required_scenario_is_shipped(names: list[str]) -> None:
    assert set(names) >= REQUIRED, sorted(REQUIRED - set(names))


def test_every_scenario_loads_and_cites_sources(atlas: Atlas, names: list[str]) -> None:
    known = {s.source_id for s in atlas.sources}
    folder = scenario_folder(atlas)
    for name in names:
        scenario = load_scenario(name, atlas)  # raises with every problem if invalid
        assert scenario.name == name == Path(scenario.path or "").stem
        assert (folder / f"{name}.yaml").is_file()
        assert scenario.description.strip()
        assert scenario.source_ids, f"{name} cites no source"
        assert set(scenario.source_ids) <= known
        assert scenario.lineage[0] == "baseline-2025"
        assert any(atlas.source(s).kind == "article" for s in scenario.source_ids), name


def test_baseline_is_based_on_the_atlas(atlas: Atlas) -> None:
    baseline = load_scenario("baseline-2025", atlas)
    assert baseline.base == "atlas"
    assert baseline.year == 2025
    assert baseline.assignment.method == "sue"


def test_demand_table(atlas: Atlas) -> None:
    demand = atlas.demand
    known = {s.source_id for s in atlas.sources}
    nodes = set(atlas.nodes_frame["node_id"])
    assert 200 <= len(demand) <= 400
    assert demand["flow_id"].is_unique
    assert set(demand["origin_node_id"]) <= nodes
    assert set(demand["destination_node_id"]) <= nodes
    assert (demand["origin_node_id"] != demand["destination_node_id"]).all()
    assert (demand["tonnes_per_year_low"] <= demand["tonnes_per_year"]).all()
    assert (demand["tonnes_per_year"] <= demand["tonnes_per_year_high"]).all()
    assert demand["basis"].str.len().min() > 40
    for ids in demand["source_ids"]:
        assert ids and set(ids) <= known
    total = demand["tonnes_per_year"].sum()
    assert 300e6 < total < 600e6
    groups = {"container", "grain", "oil-products", "fertiliser", "metals-ores", "coal", "bulk"}
    assert set(demand["commodity_id"]) == groups
    # Every pair family of the trade-based table is present, by country.
    country = atlas.nodes_frame.set_index("node_id")["country_iso3"]
    pairs = set(
        zip(country[demand["origin_node_id"]], country[demand["destination_node_id"]], strict=True)
    )
    families = [
        ("CHN", "DEU"),
        ("DEU", "CHN"),
        ("CHN", "KAZ"),
        ("CHN", "UZB"),
        ("RUS", "UZB"),
        ("RUS", "KAZ"),
        ("RUS", "IRN"),
        ("RUS", "IND"),
        ("UZB", "AFG"),
        ("KAZ", "AFG"),
        ("TKM", "AFG"),
        ("ARE", "AFG"),
        ("CHN", "AFG"),
        ("IND", "AFG"),
        ("KAZ", "TUR"),
        ("KAZ", "AZE"),
        ("UZB", "PAK"),
        ("PAK", "UZB"),
        ("KAZ", "EGY"),
    ]
    assert [f for f in families if f not in pairs] == []


def _transit(run: object, iso3: str) -> float:
    frame: pd.DataFrame = run.country_transit  # type: ignore[attr-defined]
    row = frame[frame["country_iso3"] == iso3]
    return float(row["transit_tonnes"].sum())


def _flow_ends(run: object) -> dict[str, set[str]]:
    """Each flow's origin and destination countries."""
    flows: pd.DataFrame = run.flows  # type: ignore[attr-defined]
    nodes = run.atlas.nodes_frame  # type: ignore[attr-defined]
    country = dict(zip(nodes["node_id"], nodes["country_iso3"], strict=True))
    return {
        f: {country[o], country[d]}
        for f, o, d in zip(
            flows["flow_id"], flows["origin_node_id"], flows["destination_node_id"], strict=True
        )
    }


def _transit_for(run: object, iso3: str, end_iso3: str) -> float:
    """Tonnes of the routes that cross ``iso3`` (neither end there) for flows with an end in
    ``end_iso3``."""
    routes: pd.DataFrame = run.routes  # type: ignore[attr-defined]
    ends = _flow_ends(run)
    hit = [
        iso3 in str(c).split(";") and end_iso3 in ends[f] and iso3 not in ends[f]
        for f, c in zip(routes["flow_id"], routes["countries"], strict=True)
    ]
    return float(routes.loc[hit, "tonnes_per_year"].sum())


def _corridor(run: object, project_id: str) -> float:
    """The load of the corridor's busiest own link (issue 18: tonnes on its own links)."""
    frame: pd.DataFrame = run.corridor_flows  # type: ignore[attr-defined]
    return float(frame.loc[frame["project_id"] == project_id, "max_link_tonnes"].sum())


@pytest.fixture(scope="module")
def runs(atlas: Atlas) -> dict[str, object]:
    from caravan.pipeline import run_scenario

    wanted = [
        "baseline-2025",
        "kabul-corridor",
        "five-nations",
        "iran-disruption",
        "iran-closure",
        "afpak-border-closure",
    ]
    return {name: run_scenario(name, atlas=atlas) for name in wanted}


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_conservation_served_plus_unserved_is_demand(runs: dict[str, object]) -> None:
    for run in runs.values():
        flows: pd.DataFrame = run.flows.set_index("flow_id")  # type: ignore[attr-defined]
        routes: pd.DataFrame = run.routes  # type: ignore[attr-defined]
        on_routes = routes.groupby("flow_id")["tonnes_per_year"].sum()
        served = on_routes.reindex(flows.index).fillna(0.0)
        unserved = flows["tonnes_per_year"].where(flows["unserved_reason"] != "", 0.0)
        gap = (served + unserved - flows["tonnes_per_year"]).abs()
        assert gap.max() < 1.0, gap.idxmax()
        assert (served - flows["served_tonnes_per_year"]).abs().max() < 1.0


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_baseline_serves_all_demand(runs: dict[str, object]) -> None:
    summary = runs["baseline-2025"].summary  # type: ignore[attr-defined]
    assert summary["unserved_tonnes_per_year"] < 1.0
    assert summary["converged"]


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_every_shipped_scenario_converges(atlas: Atlas) -> None:
    """Each shipped scenario settles: route shares and queue prices (every capacity within its
    tolerance). With 40 price rounds russia-to-chabahar stopped with Torkham 2.4% over."""
    from caravan.pipeline import run_scenario

    unsettled = {}
    for entry in list_scenarios(atlas):
        summary = run_scenario(entry["name"], atlas=atlas).summary
        if not summary["converged"]:
            unsettled[entry["name"]] = (summary["iterations"], summary["max_share_change"])
    assert not unsettled


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_kabul_corridor_carries_freight_and_shifts_it_off_the_pamirs(
    runs: dict[str, object],
) -> None:
    base, kabul = runs["baseline-2025"], runs["kabul-corridor"]
    assert _corridor(base, "kabul-corridor") == 0.0
    assert _corridor(kabul, "kabul-corridor") > 0.5e6
    assert _corridor(kabul, "hairatan-mazar-railway") > _corridor(base, "hairatan-mazar-railway")
    # Afghanistan keeps its transit: the line carries cargo that already crossed it. With elastic
    # demand and the calibrated logit scale (0.03), flows on marginal routes through Afghanistan
    # move by tens of kt when route sets change (China-Punjab containers, 51 kt), so 4% is allowed.
    assert _transit(kabul, "AFG") >= 0.96 * _transit(base, "AFG")
    # Off the Pamirs: the cargo to and from Pakistan that crossed Tajikistan (the Pamir Highway
    # and Afghan Badakhshan) takes the corridor. At the calibrated logit scale 0.06 (with the ATT
    # processing fee and Gwadar's lane wait) little China-Punjab cargo uses that road in the base
    # year (0.9 kt, was 42 kt at 0.03), and China-Kabul cargo, which the corridor does not serve
    # better, grows with elastic demand, so Tajik transit as a whole is only held within 5%.
    # Kyrgyz transit moves by well under 1% either way (-3.8 kt of 3.4 Mt before the CPMM 2022
    # Horgos and Alashankou dwell, +0.7 kt after), so it is only held close to the baseline.
    assert _transit_for(kabul, "TJK", "PAK") < _transit_for(base, "TJK", "PAK")
    assert _transit(kabul, "TJK") < 1.05 * _transit(base, "TJK")
    assert _transit(kabul, "KGZ") == pytest.approx(_transit(base, "KGZ"), rel=0.01)
    # And the cargo to and from Afghanistan crosses Kyrgyzstan less.
    assert _transit_for(kabul, "KGZ", "AFG") < _transit_for(base, "KGZ", "AFG")


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_five_nations_bypasses_uzbekistan(runs: dict[str, object]) -> None:
    base, fnrc = runs["baseline-2025"], runs["five-nations"]
    assert _transit(fnrc, "UZB") < _transit(base, "UZB")
    assert _transit(fnrc, "KGZ") > _transit(base, "KGZ")
    assert _corridor(fnrc, "five-nations") > 1e6


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_iran_war_moves_cargo_out_of_iran(runs: dict[str, object]) -> None:
    base, war, closed = runs["baseline-2025"], runs["iran-disruption"], runs["iran-closure"]
    assert _transit(war, "IRN") < _transit(base, "IRN")
    # With capacities binding (issue 18), INSTC's busiest own link carries about the same in
    # both runs (+0.1% in the war at the logit scale 0.03, +3.0% at the recalibrated 0.06);
    # Iran's transit above carries the direction of the change. Since Kazakh oil for the
    # Georgian terminals (kaz-med-oil) no longer rides Volgograd-Astrakhan in the base year, the
    # war's busiest INSTC link is Baku-Alat, where Russia-Iran grain and timber priced off the
    # war-risk Caspian ships go by the western rail branch: +10.9%.
    assert _corridor(war, "instc") < 1.15 * _corridor(base, "instc")
    # No lapis-lazuli check: with the calibrated tariffs (tariffs.yaml) the Caspian ferries
    # carry nothing in either run, so the cargo leaving Iran goes north of the Caspian and the
    # corridor's Turkmen rail links lose their Iran-bound tonnes (docs/scenarios.md).
    assert _transit(closed, "IRN") == 0.0
    unserved = closed.summary["unserved_flows"]  # type: ignore[attr-defined]
    assert {"kaz-irn-grain", "irn-afg-herat"} <= {u["flow_id"] for u in unserved}


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_afpak_closure_pushes_cargo_to_iran(runs: dict[str, object]) -> None:
    base, shut = runs["baseline-2025"], runs["afpak-border-closure"]
    assert _transit(shut, "PAK") < _transit(base, "PAK")
    assert _transit(shut, "AFG") < _transit(base, "AFG")
    assert _transit(shut, "IRN") > _transit(base, "IRN")


@pytest.mark.skipif(not HAS_ROUTES, reason="caravan.results.routes not available")
def test_russia_caspian_discount_reaches_cargo_that_is_not_russian(
    atlas: Atlas, runs: dict[str, object]
) -> None:
    """The scenario halves Turkmen rail tariffs on links every flow uses, so its description
    must not say the discount is for Russian cargo: on 2026-12-07 1.74 Mt of its +2.75 Mt of
    Turkmen transit was Kazakh, Uzbek, Iranian and Turkish cargo (compare baseline-2025
    russia-caspian, route by route), and the description said "gives Russian cargo ... a 50%
    rail tariff discount"."""
    from caravan.pipeline import run_scenario

    scenario = load_scenario("russia-caspian", atlas)
    assert "for all cargo on them, not only Russian cargo" in " ".join(scenario.description.split())
    base, caspian = runs["baseline-2025"], run_scenario("russia-caspian", atlas=atlas)
    assert _transit_without(caspian, "TKM", "RUS") - _transit_without(base, "TKM", "RUS") > 0.5e6


def _transit_without(run: object, iso3: str, end_iso3: str) -> float:
    """Tonnes of the routes that cross ``iso3`` for flows with no end in ``iso3`` or
    ``end_iso3``."""
    routes: pd.DataFrame = run.routes  # type: ignore[attr-defined]
    ends = _flow_ends(run)
    hit = [
        iso3 in str(c).split(";") and not ends[f] & {iso3, end_iso3}
        for f, c in zip(routes["flow_id"], routes["countries"], strict=True)
    ]
    return float(routes.loc[hit, "tonnes_per_year"].sum())
