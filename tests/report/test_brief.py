"""The brief holds every section, with the numbers of the runs and comparison, read back."""

from __future__ import annotations

import base64
import dataclasses
import re

import pandas as pd
import pytest

from caravan.briefs import SECTIONS, Brief, build_brief
from caravan.results import sue
from caravan.results.compare import compare_runs
from caravan.results.runs import RunResult
from tests.report.helpers import ParsedBrief, parse_brief


def test_sections_in_order(brief: Brief, parsed: ParsedBrief) -> None:
    assert brief.sections == SECTIONS
    positions = [parsed.ids.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    for section in SECTIONS:
        assert re.search(rf'<section id="{section}">', brief.html)


def test_numbers_in_html_are_those_of_the_brief(brief: Brief, parsed: ParsedBrief) -> None:
    for table, rows in brief.numbers.items():
        assert parsed.numbers.get(table, {}) == rows, table


def test_compared_scenarios_year_openings_and_demand(
    brief: Brief, parsed: ParsedBrief, run_a: RunResult, run_b: RunResult
) -> None:
    summary = parsed.numbers["compared-summary"]
    assert summary["A"]["year"] == 2025
    assert summary["B"]["year"] == 2033
    for role, run in (("A", run_a), ("B", run_b)):
        for key in ("demand_tonnes_per_year", "served_tonnes_per_year", "unserved_tonnes_per_year"):
            assert summary[role][key] == run.summary[key]
    assert summary["A"]["unserved_tonnes_per_year"] == 50_000  # bulk to India is forbidden
    demand = parsed.numbers["demand"]
    assert demand["ind-kandahar-container"] == {"tonnes_a": 200_000, "tonnes_b": 300_000}
    assert demand["herat-ind-bulk"] == {"tonnes_a": 50_000, "tonnes_b": 50_000}
    assert "Chabahar–Zahedan railway (chabahar-zahedan)" in brief.html
    assert "Zaranj–Delaram railway (zaranj-delaram)" in brief.html
    assert "scale flows ind-kandahar-container by 1.5" in brief.html


def test_transit_numbers_match_the_comparison(
    parsed: ParsedBrief, run_a: RunResult, run_b: RunResult
) -> None:
    countries = compare_runs(run_a, run_b).countries.set_index("country_iso3")
    table = parsed.numbers["transit"]
    assert list(table) == ["IRN"]  # the only transit country in the tiny atlas
    for iso3, row in table.items():
        for col, value in row.items():
            assert value == pytest.approx(float(countries.at[iso3, col]), rel=1e-12), col
    assert table["IRN"]["transit_tonnes_a"] == 200_000
    assert table["IRN"]["transit_tonnes_b"] == 350_000  # 300 kt container + 50 kt bulk


def test_corridor_and_link_numbers_match_the_comparison(
    parsed: ParsedBrief, run_a: RunResult, run_b: RunResult
) -> None:
    comparison = compare_runs(run_a, run_b)
    corridors = comparison.corridors.set_index("project_id")
    table = parsed.numbers["corridors"]
    assert "chabahar-zahedan" in table
    for pid, row in table.items():
        for col, value in row.items():
            assert value == pytest.approx(float(corridors.at[pid, col]), rel=1e-12)
    deltas = [abs(r["delta_tonnes_per_year"]) for r in table.values()]
    assert deltas == sorted(deltas, reverse=True)  # largest shifts first
    links = comparison.links.set_index("link_id")
    for lid, row in parsed.numbers["links"].items():
        assert row["delta_tonnes"] == pytest.approx(float(links.at[lid, "delta_tonnes"]))


def test_corridors_that_do_not_change_are_left_out_and_counted(run_a: RunResult) -> None:
    # the baseline against itself: chabahar-corridor carries 200 kt in both, and nothing moves
    same = build_brief(run_a, run_a, outlines=None, generated_utc="2026-01-02T03:04:05+00:00")
    parsed = parse_brief(same.html)
    assert parsed.numbers.get("corridors", {}) == {}
    assert "1 more used in A or B carry the same tonnes and tonne-km in both" in same.html


def test_flow_cost_and_time_changes(
    brief: Brief, parsed: ParsedBrief, run_a: RunResult, run_b: RunResult
) -> None:
    flows = compare_runs(run_a, run_b).flows.set_index("flow_id")
    table = parsed.numbers["flows"]
    assert list(table) == list(brief.main_flows)
    row = table["ind-kandahar-container"]
    for col in ("cost_usd_per_t_a", "cost_usd_per_t_b", "delta_cost_usd_per_t", "delta_time_h"):
        assert row[col] == pytest.approx(float(flows.at["ind-kandahar-container", col]))
    # unserved in A: no cost there, and no made-up change
    bulk = table["herat-ind-bulk"]
    assert "cost_usd_per_t_a" not in bulk and "delta_cost_usd_per_t" not in bulk
    assert bulk["cost_usd_per_t_b"] == pytest.approx(
        float(flows.at["herat-ind-bulk", "cost_usd_per_t_b"])
    )


def test_routes_with_breakdown_by_country(
    brief: Brief, parsed: ParsedBrief, run_b: RunResult
) -> None:
    routes = parsed.numbers["routes-ind-kandahar-container-b"]
    table = run_b.routes[run_b.routes["flow_id"] == "ind-kandahar-container"].set_index("rank")
    assert sum(r["share"] for r in routes.values()) == pytest.approx(1.0)
    for rank, row in routes.items():
        assert row["tonnes_per_year"] == pytest.approx(
            float(table.at[int(rank), "tonnes_per_year"])
        )
    main_rank = int(max(routes, key=lambda k: routes[k]["share"]))
    breakdown = parsed.numbers["breakdown-ind-kandahar-container-b"]
    assert list(breakdown) == ["sea", "IRN", "AFG"]  # the sea leg is the sea's, not India's
    assert sum(r["length_km"] for r in breakdown.values()) == pytest.approx(
        float(table.at[main_rank, "length_km"])
    )
    assert sum(r["money_usd_per_t"] for r in breakdown.values()) == pytest.approx(
        float(table.at[main_rank, "money_usd_per_t"])
    )
    # A's bulk flow has no route: the reason is shown, the table is empty
    assert parsed.numbers["routes-herat-ind-bulk-a"] == {}
    routes_html = brief.html[brief.html.index('<section id="routes">') :]
    assert "restriction &#39;no-bulk-to-india&#39;" in routes_html


def test_assumptions_settings_ranges_disputes_zones(parsed: ParsedBrief, run_b: RunResult) -> None:
    settings = parsed.numbers["settings"]
    assert settings["logit_scale_per_usd"]["b"] == run_b.scenario.assignment.logit_scale_per_usd
    assert settings["k_routes"]["a"] == 5
    assert settings["bpr_alpha"]["a"] == sue.BPR_ALPHA
    assert settings["bpr_beta"]["b"] == sue.BPR_BETA
    ranges = parsed.numbers["demand-ranges"]
    assert ranges["ind-kandahar-container"] == {
        "tonnes_per_year": 200_000,
        "tonnes_per_year_low": 100_000,
        "tonnes_per_year_high": 300_000,
    }
    assert ranges["ind-kandahar-container@B"]["tonnes_per_year_high"] == 450_000
    projects = parsed.numbers["projects"]
    assert projects["chabahar-zahedan"]["investment_musd"] == 1600
    assert projects["chabahar-zahedan"]["investment_musd_low"] == 1200
    assert projects["chabahar-zahedan"]["investment_musd_high"] == 2000
    assert "zaranj-delaram:0" in parsed.rows["disputes"]
    links = parsed.numbers["link-ranges"]
    assert links["r-chabahar-zahedan:length_km"] == {
        "value_a": 628,
        "value_b": 628,
        "low": 610,
        "high": 640,
    }
    zones = parsed.numbers["zones"]
    assert zones["afg-nimroz"]["risk_a"] == 0.4
    assert zones["afg-nimroz"]["risk_b"] == 0.5
    assert zones["afg-nimroz"]["risk_low"] == 0.3
    assert set(parsed.rows["restrictions"]) == {"afg-surcharge-indian-cargo", "no-bulk-to-india"}


def test_every_cited_source_exists_in_the_atlas(
    brief: Brief, parsed: ParsedBrief, run_a: RunResult, run_b: RunResult
) -> None:
    known = {s.source_id for s in run_a.atlas.sources}
    assert parsed.cites, "the brief cites nothing"
    assert set(parsed.cites) <= known
    assert parsed.sources == list(brief.cited_source_ids)
    assert set(parsed.sources) == set(parsed.cites)
    assert brief.missing_source_ids == ()
    # what must be cited: the scenario's, the demand's, the opened projects' and zones' sources
    assert "umarova-2025-chabahar-gwadar" in parsed.sources  # scenario B and both projects
    assert "tiny-gazetteer" in parsed.sources  # demand rows, zones
    assert "est-gc-circuity" in parsed.sources  # B's risk change
    for sid in parsed.sources:
        entry = run_a.atlas.source(sid)
        assert entry.title.replace("'", "&#39;") in brief.html
    assert "Nargiza Umarova" in brief.html and "Central Asia-Caucasus Analyst" in brief.html


def test_unknown_source_is_flagged(run_a: RunResult, run_b: RunResult) -> None:
    odd = dataclasses.replace(
        run_b, scenario=dataclasses.replace(run_b.scenario, source_ids=("no-such-source",))
    )
    brief = build_brief(run_a, odd, outlines=None)
    assert brief.missing_source_ids == ("no-such-source",)
    assert "(not a source of the atlas)" in brief.html


def test_provenance(brief: Brief, parsed: ParsedBrief, run_a: RunResult) -> None:
    texts = parsed.texts["provenance"]
    assert texts["atlas_digest"]["a"] == run_a.provenance["atlas_digest"]
    assert texts["caravan_version"]["a"] == run_a.provenance["caravan_version"]
    assert texts["seed"]["b"] == "1"
    assert texts["created_utc"]["a"] == run_a.provenance["created_utc"]
    assert texts["report_generated_utc"]["a"] == "2026-01-02T03:04:05+00:00"
    assert brief.generated_utc == "2026-01-02T03:04:05+00:00"


def test_self_contained(brief: Brief, parsed: ParsedBrief) -> None:
    assert len(parsed.images) == 5  # two maps, three charts
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    for tag, attr, value in parsed.urls:
        if tag == "a" and attr == "href":
            continue  # links are followed only when clicked
        assert value.startswith(("data:", "#")), (tag, attr, value)
    assert not re.search(r"<script|@import|url\(\s*['\"]?(https?:)?//", brief.html, re.I)


def test_text_is_escaped(brief: Brief) -> None:
    assert "<b>more</b>" not in brief.html
    assert "&lt;b&gt;more&lt;/b&gt;" in brief.html


def test_known_numbers_exactly(run_a: RunResult, run_b: RunResult) -> None:
    """Hand-made transit and corridor tables come out unchanged, formatted and exact."""
    transit_a = pd.DataFrame(
        {
            "country_iso3": ["UZB", "AFG"],
            "transit_tonnes": [1_234_567.0, 0.0],
            "transit_tkm": [2.5e9, 0.0],
            "transit_revenue_usd": [12_345_678.0, 0.0],
        }
    )
    transit_b = pd.DataFrame(
        {
            "country_iso3": ["UZB", "AFG"],
            "transit_tonnes": [234_567.0, 1_000_000.0],
            "transit_tkm": [0.5e9, 1.1e9],
            "transit_revenue_usd": [2_345_678.0, 9_000_000.0],
        }
    )
    a = dataclasses.replace(run_a, country_transit=transit_a)
    b = dataclasses.replace(run_b, country_transit=transit_b)
    brief = build_brief(a, b, outlines=None)
    parsed = parse_brief(brief.html)
    table = parsed.numbers["transit"]
    assert list(table) == ["AFG", "UZB"]  # largest gain first, largest loss last
    assert table["UZB"]["transit_tonnes_a"] == 1_234_567.0
    assert table["UZB"]["delta_transit_tonnes"] == -1_000_000.0
    assert table["UZB"]["delta_transit_revenue_usd"] == -10_000_000.0
    assert table["AFG"]["transit_tkm_b"] == 1.1e9
    texts = parsed.texts["transit"]
    assert texts["UZB"]["transit_tonnes_a"] == "1.23 Mt"
    assert texts["UZB"]["delta_transit_tonnes"] == "-1.00 Mt"
    assert texts["AFG"]["delta_transit_tonnes"] == "+1.00 Mt"
    assert texts["UZB"]["delta_transit_revenue_usd"] == "-USD 10.00 m"
    assert "AFG gains the most transit" in brief.html and "+1.00 Mt a year" in brief.html
    assert "UZB loses the most transit" in brief.html and "-1.00 Mt a year" in brief.html
    assert "AFG carries 1.00 Mt more transit a year and earns USD 9.00 m more" in brief.html
    assert "UZB carries 1.00 Mt less transit a year and earns USD 10.00 m less" in brief.html


def test_assumptions_show_the_base_year_fit() -> None:
    from caravan.briefs.assumptions import _fit_table
    from caravan.briefs.sections import BriefContext
    from caravan.io.atlas import load_atlas

    class _Run:
        def __init__(self, atlas: object) -> None:
            self.atlas = atlas

    atlas = load_atlas()
    ctx = BriefContext(_Run(atlas), _Run(atlas), None, None, "A", "B")  # type: ignore[arg-type]
    table = _fit_table(ctx)
    text = str(table)
    assert "within ±25%" in text and "held-out" in text
    fit = atlas.meta["calibration"]["fit_after"]
    assert f"{100 * fit['in_sample_within_25pct']:.0f}%" in text
