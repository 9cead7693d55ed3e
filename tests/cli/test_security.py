"""``caravan security ...`` in-process, on a scratch atlas with a security layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from caravan.cli import app
from tests.security._atlas import make_security_atlas

SAMPLE = Path(__file__).resolve().parents[1] / "security" / "data" / "acled-sample.csv"


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["security", *args], env={"COLUMNS": "250"})


@pytest.fixture
def atlas(tmp_path: Path) -> Path:
    return make_security_atlas(tmp_path / "atlas")


def test_actors(atlas: Path) -> None:
    result = _run("actors", "--atlas", str(atlas), "--json")
    assert result.exit_code == 0, result.output
    assert [a["actor_id"] for a in json.loads(result.output)] == ["pakistan", "ttp", "taliban"]
    result = _run("actors", "--atlas", str(atlas), "--country", "afg", "--json")
    assert [a["actor_id"] for a in json.loads(result.output)] == ["ttp", "taliban"]
    table = _run("actors", "--atlas", str(atlas), "--actor", "TTP")
    assert table.exit_code == 0 and "Tehrik-i-Taliban Pakistan" in table.output


def test_relations(atlas: Path) -> None:
    result = _run("relations", "--atlas", str(atlas), "--actor", "ttp", "--json")
    rows = json.loads(result.output)
    assert {r["predicate"] for r in rows} == {"shelters", "fights"}
    since = _run("relations", "--atlas", str(atlas), "--since", "2024-12", "--json")
    assert [r["relation_id"] for r in json.loads(since.output)] == ["pakistan-fights-ttp"]
    assert "pakistan" in _run("relations", "--atlas", str(atlas)).output


def test_events(atlas: Path) -> None:
    result = _run("events", "--atlas", str(atlas), "--country", "AFG", "--json")
    assert [e["event_id"] for e in json.loads(result.output)] == ["e-strikes", "e-talks"]
    by_actor = _run("events", "--atlas", str(atlas), "--actor", "Taliban", "--json")
    assert [e["event_id"] for e in json.loads(by_actor.output)] == ["e-talks"]
    later = _run("events", "--atlas", str(atlas), "--since", "2025-01-02")
    assert "e-talks" in later.output and "e-strikes" not in later.output


def test_risk(atlas: Path) -> None:
    result = _run("risk", "--atlas", str(atlas), "--as-of", "2025-01-02", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["zone_id"] == "afg-paktika" and rows[0]["risk"] > 0.7
    assert rows[0]["contributions"][0]["event_id"] == "e-strikes"
    table = _run("risk", "--atlas", str(atlas), "--as-of", "2025-01-02")
    assert "afg-paktika" in table.output and "e-strikes" in table.output
    calm = json.loads(_run("risk", "--atlas", str(atlas), "--as-of", "2024-12", "--json").output)
    assert next(r for r in calm if r["zone_id"] == "afg-paktika")["risk"] == 0.1
    default = json.loads(_run("risk", "--atlas", str(atlas), "--json").output)
    assert default[0]["as_of"] == "2025-01-01"  # the atlas's as_of


def test_risk_bad_date_is_a_clean_error(atlas: Path) -> None:
    result = _run("risk", "--atlas", str(atlas), "--as-of", "next week")
    assert result.exit_code == 2
    assert "not a date" in result.output and "Traceback" not in result.output


def test_unknown_actor_is_a_clean_error(atlas: Path) -> None:
    result = _run("events", "--atlas", str(atlas), "--actor", "Talibn")
    assert result.exit_code == 2 and "did you mean 'taliban'" in result.output


def test_import_reports_bad_rows_and_merges(atlas: Path) -> None:
    dry = _run("import", str(SAMPLE), "--atlas", str(atlas), "--json")
    assert dry.exit_code == 1  # some rows were bad
    report = json.loads(dry.stdout)
    assert (report["n_good"], report["n_bad"], report["written"]) == (3, 5, None)
    assert {p["row"] for p in report["problems"]} == {4, 5, 6, 7, 8}
    wet = _run("import", str(SAMPLE), "--atlas", str(atlas), "--into", str(atlas))
    assert "3 added" in wet.stdout and "line 6, fatalities" in wet.output
    assert _run("validate", "--atlas", str(atlas)).exit_code == 0


def test_import_missing_columns(atlas: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("event_date,actor1\n2025-01-01,X\n")
    result = _run("import", str(bad), "--atlas", str(atlas))
    assert result.exit_code == 2 and "missing ACLED column" in result.output


def test_validate_lists_problems(atlas: Path) -> None:
    (atlas / "security" / "relations.yaml").write_text(
        "- subject: nobody\n  predicate: likes\n  object: ttp\n  source_ids: [fixture]\n"
        "  quote: x\n"
    )
    result = _run("validate", "--atlas", str(atlas), "--json")
    assert result.exit_code == 1
    fields = {p["field"] for p in json.loads(result.output)["problems"]}
    assert "predicate" in fields
