"""``caravan.report(run_a, run_b, path)`` and the demo hook."""

from __future__ import annotations

from pathlib import Path

import pytest

import caravan
from caravan import briefs
from caravan.io import report as io_report
from caravan.io.atlas import load_atlas
from caravan.io.report import PdfConverterError
from caravan.results.runs import RunResult
from tests.report.helpers import CHROMIUM, parse_brief, write_scenarios


def test_report_writes_the_brief(run_a: RunResult, run_b: RunResult, tmp_path: Path) -> None:
    path = briefs.report(run_a, run_b, tmp_path / "brief.html", top_flows=1)
    assert path == tmp_path / "brief.html"
    parsed = parse_brief(path.read_text(encoding="utf-8"))
    # the flow B changes most: herat-ind-bulk is rerouted (it now bypasses a country)
    assert list(parsed.numbers["flows"]) == ["herat-ind-bulk"]
    assert "transit" in parsed.ids


@pytest.mark.skipif(
    "report" not in getattr(caravan, "_LAZY", {}),
    reason="caravan.report is not mapped yet (lead: add 'report': 'caravan.briefs' to _LAZY)",
)
def test_caravan_report_is_the_function(run_a: RunResult, run_b: RunResult, tmp_path: Path) -> None:
    import caravan.briefs  # importing the package must not shadow caravan.report

    assert caravan.report is briefs.report
    path = caravan.report(run_a, run_b, tmp_path / "b.html")
    assert path.is_file()


def test_pdf_request_without_converter_keeps_the_html(
    run_a: RunResult, run_b: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(io_report, "find_pdf_converter", lambda: None)
    with pytest.raises(PdfConverterError, match="install"):
        briefs.report(run_a, run_b, tmp_path / "brief.html", pdf=True)
    assert (tmp_path / "brief.html").is_file()


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Chromium at $CARAVAN_CHROMIUM or /usr/bin/chromium"
)
def test_report_pdf(run_a: RunResult, run_b: RunResult, tmp_path: Path) -> None:
    briefs.report(run_a, run_b, tmp_path / "brief.html", pdf=True)
    assert (tmp_path / "brief.pdf").read_bytes()[:4] == b"%PDF"


def test_write_demo_brief(tiny_copy: Path, tmp_path: Path) -> None:
    write_scenarios(tiny_copy)
    out = briefs.write_demo_brief(
        load_atlas(tiny_copy), tmp_path / "demo", comparison=("base", "rail")
    )
    assert out == tmp_path / "demo" / "brief-base-vs-rail.html"
    html = out.read_text(encoding="utf-8")
    assert 'id="provenance"' in html
    parsed = parse_brief(html)
    run = parsed.numbers["ensemble-run"]
    assert run["draws"]["value"] == briefs.DEMO_ENSEMBLE_DRAWS
    assert run["seed"]["value"] == 7  # from rail's ensemble: section
    assert parsed.numbers["ensemble-projects"]["chabahar-zahedan"]["p_open"] == 0.8
    assert parsed.texts["ensemble-run"]["executor"]["value"] == "in-process"


def test_write_demo_brief_without_ensemble(tiny_copy: Path, tmp_path: Path) -> None:
    write_scenarios(tiny_copy)
    out = briefs.write_demo_brief(
        load_atlas(tiny_copy), tmp_path / "demo", comparison=("base", "rail"), ensemble_draws=0
    )
    assert 'id="uncertainty"' not in out.read_text(encoding="utf-8")
    assert briefs.DEMO_COMPARISON == ("baseline-2025", "kabul-corridor")


def test_write_demo_brief_takes_the_callers_comparison(
    tiny_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caravan.errors import InputError
    from caravan.pipeline import Pipeline

    write_scenarios(tiny_copy)
    atlas = load_atlas(tiny_copy)
    pipeline = Pipeline(atlas)
    compared = pipeline.compare("base", "rail")
    fresh = briefs.write_demo_brief(
        atlas, tmp_path / "fresh", comparison=("base", "rail"), ensemble_draws=0
    )

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo brief compared the scenarios again")

    monkeypatch.setattr(Pipeline, "compare", never)
    given = briefs.write_demo_brief(
        atlas,
        tmp_path / "given",
        comparison=("base", "rail"),
        ensemble_draws=0,
        pipeline=pipeline,
        compared=compared,
    )
    # the same brief as one that compares for itself (but for the time it was made)
    assert (
        parse_brief(given.read_text(encoding="utf-8")).numbers
        == parse_brief(fresh.read_text(encoding="utf-8")).numbers
    )
    with pytest.raises(InputError, match="base vs rail, not rail vs base"):
        briefs.write_demo_brief(
            atlas, tmp_path / "x", comparison=("rail", "base"), compared=compared
        )
