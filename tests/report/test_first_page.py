"""The brief's first page for a reader with five minutes, and the analyst's detail after it.

The browser test prints the demo comparison's brief (baseline-2025 against kabul-corridor, with
an ensemble) and writes a screenshot of its first page to ``$CARAVAN_TEST_ARTEFACTS/brief/``
(``make test`` sets it to ``out/test-artefacts``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from caravan.briefs import SECTIONS, Brief, build_brief
from caravan.briefs.summary import effect_flow_ids, explain_transit
from caravan.results.compare import compare_runs
from caravan.results.runs import RunResult
from tests.report.helpers import CHROMIUM, CHROMIUM_ARGS

#: Where the screenshot goes: ``$CARAVAN_TEST_ARTEFACTS/brief`` (``make test`` sets it to
#: ``out/test-artefacts``), else ``out/test-artefacts/brief`` in the repository (git-ignored).
ARTEFACTS = (
    Path(
        os.environ.get("CARAVAN_TEST_ARTEFACTS")
        or Path(__file__).resolve().parents[2] / "out" / "test-artefacts"
    )
    / "brief"
)


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_summary_comes_first_and_demand_is_in_the_appendix(brief: Brief) -> None:
    assert brief.sections[0] == "summary" and SECTIONS[0] == "summary"
    html = brief.html
    assert html.index('id="summary"') < html.index('id="analysis"') < html.index('id="appendix"')
    for section in ("compared", "tables", "routes", "demand", "sources"):
        assert html.index('id="appendix"') < html.index(f'<section id="{section}"')
    for section in ("map", "transit", "corridors", "flows"):
        assert html.index('id="analysis"') < html.index(f'<section id="{section}"')
        assert html.index(f'<section id="{section}"') < html.index('id="appendix"')
    demand = _section(html, "demand")
    assert "<details" in demand and 'data-table="demand"' in demand
    assert 'data-table="demand"' not in _section(html, "compared")


def test_summary_has_question_numbers_map_drivers_levers(brief: Brief) -> None:
    summary = _section(brief.html, "summary")
    assert "The question." in summary and "Rail to Kandahar" in summary
    numbers = re.findall(r'data-number="(\w+)"', summary)
    assert 1 <= len(numbers) <= 3 and "none" not in numbers
    assert summary.count('class="uncertainty"') == len(numbers)
    assert 'id="map-change"' in summary
    assert "What drives it" in summary and "What would change the answer" in summary
    assert "--ensemble" in summary  # no ensemble here: it says how to get the ranges


def test_flows_are_picked_by_effect(run_a: RunResult, run_b: RunResult, brief: Brief) -> None:
    comparison = compare_runs(run_a, run_b)
    flows = comparison.flows.set_index("flow_id")
    assert brief.main_flows == effect_flow_ids(comparison, run_a, run_b, 8)
    for flow_id in brief.main_flows:
        r = flows.loc[flow_id]
        moved = (
            abs(float(r["delta_cost_usd_per_t"])) >= 0.01 or r["now_bypasses"] or r["now_crosses"]
        )
        assert moved or flow_id in run_b.flows["flow_id"].tolist()


def test_no_empty_chart_when_nothing_changes(run_a: RunResult) -> None:
    same = build_brief(run_a, run_a, outlines=None, generated_utc="2026-01-02T03:04:05+00:00")
    assert same.main_flows == ()
    assert 'id="chart-flows"' not in same.html and 'id="chart-corridors"' not in same.html
    assert "No flow's cost, time or route changes" in same.html


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (
            {
                "delta_transit_tonnes": 1e5,
                "delta_transit_tkm": 5e7,
                "delta_transit_revenue_usd": 3e6,
            },
            "and earns USD 3.00 m more",
        ),
        (
            {
                "delta_transit_tonnes": 1e5,
                "delta_transit_tkm": -5e7,
                "delta_transit_revenue_usd": -3e6,
            },
            "crosses little of it",
        ),
        (
            {
                "delta_transit_tonnes": -1e5,
                "delta_transit_tkm": 5e7,
                "delta_transit_revenue_usd": 3e6,
            },
            "travels further",
        ),
        (
            {
                "delta_transit_tonnes": -1e5,
                "delta_transit_tkm": -5e7,
                "delta_transit_revenue_usd": -3e6,
            },
            "carries 100.0 kt less transit a year and earns USD 3.00 m less",
        ),
    ],
)
def test_tonnes_and_revenue_are_explained_in_words(row: dict[str, float], words: str) -> None:
    assert words in explain_transit("UZB", row)


# -- the demo brief in a browser ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_brief_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from caravan.briefs import write_demo_brief
    from caravan.io.atlas import load_atlas

    return write_demo_brief(load_atlas(), tmp_path_factory.mktemp("demo"), ensemble_draws=20)


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Chromium at $CARAVAN_CHROMIUM or /usr/bin/chromium"
)
def test_demo_first_page_screenshot_and_pdf_length(demo_brief_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "brief-first-page.png"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1060, "height": 1500})
            page.goto(demo_brief_path.resolve().as_uri(), wait_until="load")
            box = page.locator("#summary").bounding_box()
            numbers = page.locator("#answer .number").count()
            map_width = page.eval_on_selector("#map-change", "i => i.naturalWidth")
            page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1060, "height": 1500})
            demand_open = page.eval_on_selector("#demand-details", "d => d.open")
            page.emulate_media(media="print")
            full = page.pdf(format="A4", print_background=True)
            page.add_style_tag(content="#appendix { display: none !important; }")
            before_appendix = page.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    assert box is not None and box["y"] + box["height"] <= 1500, box  # one screen
    assert numbers == 3 and map_width > 0
    assert demand_open is False  # collapsed until asked for
    assert shot.stat().st_size > 10_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", before_appendix))
    assert 1 <= pages <= 4, f"{pages} pages before the appendix"
    assert len(re.findall(rb"/Type\s*/Page[^s]", full)) > pages
