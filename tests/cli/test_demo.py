"""``caravan demo``: validates the shipped atlas and prints its summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.cli import app
from caravan.io import atlas as atlas_io

runner = CliRunner()


def test_demo_on_the_shipped_atlas() -> None:
    result = runner.invoke(app, ["demo"])
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    assert "validates: no problems" in result.output
    assert "Links by mode" in result.output and "Nodes by country" in result.output


def test_demo_reports_problems_without_traceback(
    monkeypatch: pytest.MonkeyPatch, tiny_copy: Path
) -> None:
    (tiny_copy / "links.csv").write_text("link_id\n", encoding="utf-8")
    monkeypatch.setattr(atlas_io, "shipped_atlas_path", lambda: tiny_copy)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 1
    assert "problem(s)" in result.output and "Traceback" not in result.output


def test_demo_prints_the_summary(monkeypatch: pytest.MonkeyPatch, tiny_path: Path) -> None:
    monkeypatch.setattr(atlas_io, "shipped_atlas_path", lambda: tiny_path)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Tiny test atlas" in result.output and "chabahar-corridor" in result.output
