"""The brief's ``uncertainty`` section: an ensemble's spread of each country's transit change."""

from __future__ import annotations

import base64
import dataclasses
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from caravan import briefs
from caravan.briefs import SECTIONS, UNCERTAINTY, Brief, build_brief
from caravan.ensemble import EnsembleResult, EnsembleSpec, run_ensemble
from caravan.errors import InputError
from caravan.model.atlas import Atlas
from caravan.results.runs import RunResult
from tests.report.helpers import ParsedBrief, parse_brief

T = "delta_transit_tonnes"
USD = "delta_transit_revenue_usd"


def _country(
    iso3: str,
    mean: float,
    p5: float,
    p50: float,
    p95: float,
    p_gain: float,
    p_loss: float,
    drivers: str = "",
) -> dict[str, Any]:
    return {
        "country_iso3": iso3,
        "n_draws": 10,
        f"{T}_mean": mean,
        f"{T}_p5": p5,
        f"{T}_p50": p50,
        f"{T}_p95": p95,
        f"{USD}_mean": mean * 10.0,
        f"{USD}_p5": p5 * 10.0,
        f"{USD}_p50": p50 * 10.0,
        f"{USD}_p95": p95 * 10.0,
        "p_gain": p_gain,
        "p_loss": p_loss,
        "drivers": drivers,
    }


def _ensemble(scenario: str = "rail", reference: str | None = "base") -> EnsembleResult:
    """A hand-made ensemble of 12 draws, 2 of them failed, with known summaries."""
    countries = pd.DataFrame(
        [
            _country(
                "AFG", 250_000.0, 50_000.0, 240_000.0, 460_000.0, 0.9, 0.0, "project:x (+0.8)"
            ),
            _country("KAZ", 100.0, -900.0, 0.0, 950.0, 0.1, 0.1),  # within ±1 kt: not shown
            _country("TKM", -2_000.0, -900.0, 0.0, 0.0, 0.0, 0.05),  # band within, mean not
            _country(
                "UZB",
                -1_234_567.5,
                -2_500_000.25,
                -1_000_000.0,
                125_000.0,
                0.1,
                0.8,
                "project:chabahar-zahedan (+0.91); demand:ind-kandahar-container (-0.20)",
            ),
        ]
    )
    inputs = pd.DataFrame(
        {
            "draw": range(12),
            "demand:ind-kandahar-container": [200_000.0 + i for i in range(12)],
            "project:chabahar-zahedan": [1.0] * 9 + [0.0] * 3,
        }
    )
    failures = pd.DataFrame(
        {"draw": list(range(5, 12)), "reason": [f"no route for flow f{i}" for i in range(7)]}
    )
    meta = {
        "draws": 12,
        "succeeded": 5,
        "failed": 7,
        "seed": 42,
        "inputs": 2,
        "uncertain_projects": ["chabahar-zahedan"],
        "route_sets": "fixed per scenario",
        "executor": "in-process",
        "draws_per_second": 123.4,
    }
    return EnsembleResult(scenario, reference, pd.DataFrame(), inputs, failures, countries, meta)


SPEC = EnsembleSpec(
    draws=12, seed=42, project_completion={"chabahar-zahedan": ((2026, 0.5), (2031, 0.75))}
)


@pytest.fixture(scope="module")
def ens_brief(run_a: RunResult, run_b: RunResult) -> Brief:
    return build_brief(
        run_a,
        run_b,
        outlines=None,
        ensemble=_ensemble(),
        ensemble_spec=SPEC,
        generated_utc="2026-01-02T03:04:05+00:00",
    )


@pytest.fixture(scope="module")
def ens_parsed(ens_brief: Brief) -> ParsedBrief:
    return parse_brief(ens_brief.html)


def _section(html: str) -> str:
    return html[html.index('<section id="uncertainty"') : html.index('<section id="corridors"')]


def test_section_after_transit_and_numbered(ens_brief: Brief, ens_parsed: ParsedBrief) -> None:
    at = SECTIONS.index("transit") + 1
    assert ens_brief.sections == (*SECTIONS[:at], UNCERTAINTY, *SECTIONS[at:])
    positions = [ens_parsed.ids.index(s) for s in ens_brief.sections]
    assert positions == sorted(positions)
    number = {s: i + 1 for i, s in enumerate(ens_brief.sections)}
    assert number["uncertainty"] == number["transit"] + 1
    assert f"<h2>{number['uncertainty']}. Uncertainty: transit across draws</h2>" in ens_brief.html
    assert f"<h2>{number['corridors']}. Corridors: the largest shifts</h2>" in ens_brief.html
    assert f"<h2>{number['provenance']}. Provenance</h2>" in ens_brief.html
    assert number["provenance"] == len(ens_brief.sections)
    assert '<a href="#uncertainty">' in ens_brief.html
    assert ens_brief.ensemble_draws == 12


def test_numbers_read_back_exactly(ens_brief: Brief, ens_parsed: ParsedBrief) -> None:
    table = ens_parsed.numbers["uncertainty"]
    assert list(table) == ["AFG", "TKM", "UZB"]  # by mean change; KAZ stays within ±1 kt
    uzb = table["UZB"]
    assert uzb == {
        f"{T}_mean": -1_234_567.5,
        f"{T}_p5": -2_500_000.25,
        f"{T}_p50": -1_000_000.0,
        f"{T}_p95": 125_000.0,
        f"{USD}_mean": -12_345_675.0,
        f"{USD}_p5": -25_000_002.5,
        f"{USD}_p95": 1_250_000.0,
        "p_gain": 0.1,
        "p_loss": 0.8,
    }
    assert table["AFG"][f"{T}_p95"] == 460_000.0
    texts = ens_parsed.texts["uncertainty"]
    assert texts["UZB"][f"{T}_mean"] == "-1.23 Mt"
    assert texts["UZB"][f"{T}_p95"] == "+125.0 kt"
    assert texts["UZB"]["p_loss"] == "80%"
    assert texts["TKM"][f"{T}_p50"] == "0 t"
    assert texts["UZB"]["drivers"] == (
        "project:chabahar-zahedan (+0.91), demand:ind-kandahar-container (-0.20)"
    )
    for table_id, rows in ens_brief.numbers.items():
        assert ens_parsed.numbers.get(table_id, {}) == rows, table_id


def test_run_projects_and_failures(ens_brief: Brief, ens_parsed: ParsedBrief) -> None:
    run = ens_parsed.numbers["ensemble-run"]
    assert run["draws"]["value"] == 12
    assert run["succeeded"]["value"] == 5
    assert run["failed"]["value"] == 7
    assert run["seed"]["value"] == 42
    assert ens_parsed.texts["ensemble-run"]["executor"]["value"] == "in-process"
    projects = ens_parsed.numbers["ensemble-projects"]
    assert projects["chabahar-zahedan"] == {"p_open": 0.75, "share_complete": 0.75}  # 9 of 12
    section = _section(ens_brief.html)
    assert "draw 5: no route for flow f0" in section
    assert "draw 9: no route for flow f4" in section
    assert "draw 10:" not in section and "and 2 more" in section


def test_how_to_read_it(ens_brief: Brief) -> None:
    section = _section(ens_brief.html)
    assert "In 80% of draws UZB loses transit and in 10% it gains" in section
    assert "In 90% of draws AFG gains transit" in section
    assert "in 90% of draws the change lies within it" in section
    assert "Across 5 draws of the uncertain inputs: in 90% of draws AFG gains" in ens_brief.html
    assert "--ensemble 12 --seed 42" in ens_brief.html


def test_chart_is_an_inline_png(ens_brief: Brief) -> None:
    match = re.search(r'id="chart-uncertainty" src="data:image/png;base64,([^"]+)"', ens_brief.html)
    assert match
    png = base64.b64decode(match.group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2_000


def test_mismatched_ensemble_is_refused(run_a: RunResult, run_b: RunResult, tmp_path: Path) -> None:
    for scenario, reference in (("other", "base"), ("rail", "other"), ("base", "rail")):
        with pytest.raises(InputError, match="run the ensemble of B with A as its reference"):
            build_brief(run_a, run_b, outlines=None, ensemble=_ensemble(scenario, reference))
    with pytest.raises(InputError, match="without a reference"):
        build_brief(run_a, run_b, outlines=None, ensemble=_ensemble(reference=None))
    with pytest.raises(InputError, match="'rail' \\(B\\) against 'base' \\(A\\)"):
        briefs.report(run_a, run_b, tmp_path / "b.html", ensemble=_ensemble("other"))
    assert not (tmp_path / "b.html").exists()


def test_nothing_outside_the_band(run_a: RunResult, run_b: RunResult) -> None:
    quiet = dataclasses.replace(
        _ensemble(), countries=_ensemble().countries.query("country_iso3 == 'KAZ'")
    )
    brief = build_brief(run_a, run_b, outlines=None, ensemble=quiet)
    parsed = parse_brief(brief.html)
    assert parsed.numbers["uncertainty"] == {}
    assert "chart-uncertainty" not in parsed.ids  # no empty chart: a sentence instead
    assert "No country's transit changes by more than 1 kt a year in 90% of draws" in brief.html
    assert "1 other country with transit data" in brief.html


def test_without_ensemble_no_section(run_a: RunResult, run_b: RunResult) -> None:
    brief = build_brief(run_a, run_b, outlines=None)
    assert UNCERTAINTY not in brief.sections and 'id="uncertainty"' not in brief.html
    assert brief.ensemble_draws is None


def test_real_ensemble_of_the_tiny_atlas(
    run_a: RunResult, run_b: RunResult, tiny_atlas: Atlas
) -> None:
    spec = EnsembleSpec(
        draws=20, seed=3, project_completion={"chabahar-zahedan": ((2026, 0.5), (2029, 0.8))}
    )
    result = run_ensemble(
        run_b.scenario,
        reference=run_a.scenario,
        spec=spec,
        atlas=tiny_atlas,
        executor="in-process",
    )
    brief = build_brief(run_a, run_b, outlines=None, ensemble=result, ensemble_spec=spec)
    parsed = parse_brief(brief.html)
    expected = result.countries.set_index("country_iso3")
    table = parsed.numbers["uncertainty"]
    assert table, "the tiny atlas's ensemble changes some country's transit"
    for iso3, row in table.items():
        for col, value in row.items():
            assert value == float(expected.at[iso3, col]), (iso3, col)
    projects = parsed.numbers["ensemble-projects"]["chabahar-zahedan"]
    assert projects["p_open"] == 0.8
    assert projects["share_complete"] == float(result.inputs["project:chabahar-zahedan"].mean())
    assert parsed.numbers["ensemble-run"]["seed"]["value"] == 3
