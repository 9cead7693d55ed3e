"""``caravan report A B --out brief.html [--pdf]`` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from caravan.io import report as io_report
from tests.report.helpers import CHROMIUM, parse_brief, write_scenarios


def _app() -> typer.Typer:
    from caravan.cli import app

    return app


@pytest.fixture
def atlas_dir(tiny_copy: Path) -> Path:
    write_scenarios(tiny_copy)
    return tiny_copy


def test_report_writes_brief_and_prints_path(atlas_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    result = CliRunner().invoke(
        _app(), ["report", "base", "rail", "--out", str(out), "--atlas", str(atlas_dir)]
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    parsed = parse_brief(out.read_text(encoding="utf-8"))
    assert parsed.numbers["compared-summary"]["B"]["year"] == 2030
    assert "chabahar-zahedan" in parsed.numbers["corridors"]


def test_report_with_ensemble(atlas_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    args = ["report", "base", "rail", "--out", str(out), "--atlas", str(atlas_dir)]
    args += ["--ensemble", "20", "--seed", "5", "--in-process"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "ensemble: 20 of 20 draws succeeded (in-process, seed 5)" in result.stdout
    parsed = parse_brief(out.read_text(encoding="utf-8"))
    assert "uncertainty" in parsed.ids
    html = out.read_text(encoding="utf-8")  # a chart, or a sentence instead of an empty one
    assert "chart-uncertainty" in parsed.ids or "No country's transit changes" in html
    run = parsed.numbers["ensemble-run"]
    assert run["draws"]["value"] == 20 and run["seed"]["value"] == 5
    assert parsed.numbers["ensemble-projects"]["chabahar-zahedan"]["p_open"] == 0.8
    # opening the railway alone moves no transit in the tiny atlas: every country is within ±1 kt
    assert parsed.numbers["uncertainty"] == {}
    assert "3 other countries with transit data" in out.read_text(encoding="utf-8")


def test_seed_needs_ensemble(atlas_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    result = CliRunner().invoke(
        _app(),
        ["report", "base", "rail", "--out", str(out), "--seed", "3", "--atlas", str(atlas_dir)],
    )
    assert result.exit_code == 2
    assert "need --ensemble" in result.output and not out.exists()


def test_unknown_scenario_suggests_names(atlas_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(),
        ["report", "base", "rial", "--out", str(tmp_path / "b.html"), "--atlas", str(atlas_dir)],
    )
    assert result.exit_code == 2
    assert "unknown scenario 'rial'" in result.output and "rail" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "b.html").exists()


def test_unwritable_out_path(atlas_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = CliRunner().invoke(
        _app(),
        ["report", "base", "rail", "--out", str(blocker / "b.html"), "--atlas", str(atlas_dir)],
    )
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_pdf_without_converter_says_what_to_install(
    atlas_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(io_report, "find_pdf_converter", lambda: None)
    out = tmp_path / "b.html"
    result = CliRunner().invoke(
        _app(), ["report", "base", "rail", "--out", str(out), "--pdf", "--atlas", str(atlas_dir)]
    )
    assert result.exit_code == 2
    assert not out.exists()  # checked before any work, not after minutes of it
    assert "apt-get install chromium" in result.output


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Chromium at $CARAVAN_CHROMIUM or /usr/bin/chromium"
)
def test_pdf(atlas_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    result = CliRunner().invoke(
        _app(), ["report", "base", "rail", "--out", str(out), "--pdf", "--atlas", str(atlas_dir)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.pdf").read_bytes()[:4] == b"%PDF"
    assert str(tmp_path / "b.pdf") in result.stdout
