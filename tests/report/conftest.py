"""Fixtures: two runs of the tiny atlas (a baseline and a what-if) and their brief."""

from __future__ import annotations

import pytest

from caravan.briefs import Brief, build_brief
from caravan.model.atlas import Atlas
from caravan.model.scenario import DemandScale, RiskChange, Scenario
from caravan.results.runs import RunResult, run_scenario
from tests.report.helpers import ParsedBrief, parse_brief

BASE = Scenario(name="base", title="Baseline", description="The tiny atlas as it is.", year=2025)
RAIL = Scenario(
    name="rail",
    title="Rail to Kandahar",
    description="Chabahar–Zahedan and Zaranj–Delaram railways open; <b>more</b> cargo.",
    year=2033,
    open_projects=("chabahar-zahedan", "zaranj-delaram"),
    source_ids=("umarova-2025-chabahar-gwadar",),
    demand_scale=(DemandScale(factor=1.5, flow_ids=("ind-kandahar-container",)),),
    risk=(RiskChange(zone_id="afg-nimroz", risk=0.5, source_ids=("est-gc-circuity",)),),
)


@pytest.fixture(scope="session")
def run_a(tiny_atlas: Atlas) -> RunResult:
    """The baseline run of the tiny atlas."""
    return run_scenario(BASE, atlas=tiny_atlas)


@pytest.fixture(scope="session")
def run_b(tiny_atlas: Atlas) -> RunResult:
    """The what-if: two railways open, more demand, more risk in Nimroz."""
    return run_scenario(RAIL, atlas=tiny_atlas)


@pytest.fixture(scope="session")
def brief(run_a: RunResult, run_b: RunResult) -> Brief:
    """The brief of rail against base, with the shipped country outlines."""
    return build_brief(run_a, run_b, generated_utc="2026-01-02T03:04:05+00:00")


@pytest.fixture(scope="session")
def parsed(brief: Brief) -> ParsedBrief:
    """The brief's HTML read back."""
    return parse_brief(brief.html)
