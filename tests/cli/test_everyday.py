"""Every command of the README table on the shipped atlas: strict JSON, 80-column tables, help.

Each command runs in-process (typer's runner) as a user would type it. With ``--json`` the output
must parse with a strict parser (no ``NaN`` or ``Infinity``, which ``JSON.parse`` and ``jq``
reject); as a table it must fit 80 columns without cutting an id (no ``…``), and no command may
end in a traceback.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from caravan.cli import app
from caravan.io.atlas import shipped_atlas_path

REPO = Path(__file__).resolve().parents[2]
SIOUX_FALLS = REPO / "tests" / "data" / "SiouxFalls"
ACLED_SAMPLE = REPO / "tests" / "security" / "data" / "acled-sample.csv"
BOX = set("│┃┏┗┡└┌╭┣┠")


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _invoke(args: list[str]) -> Any:
    return CliRunner().invoke(app, args, env={"COLUMNS": "80", "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def two_claims(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first two shipped claims (the whole file takes minutes; the output is the same)."""
    shipped = yaml.safe_load((shipped_atlas_path() / "claims.yaml").read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("claims") / "claims.yaml"
    path.write_text(yaml.safe_dump(shipped[:2], allow_unicode=True), encoding="utf-8")
    return path


def _commands(out: Path, claims: Path) -> dict[str, list[str]]:
    """The README table's commands, as a user types them (``--json`` added by the tests)."""
    return {
        "atlas validate": ["atlas", "validate"],
        "atlas show": ["atlas", "show"],
        "atlas export": ["atlas", "export", "--format", "geojson", str(out / "export")],
        "route": ["route", "Tashkent", "Karachi", "--year", "2030", "--open", "kabul-corridor"],
        "scenarios": ["scenarios"],
        "run": ["run", "baseline-2025", "--out", str(out / "run")],
        "compare": ["compare", "baseline-2025", "kabul-corridor", "--out", str(out / "cmp")],
        "ensemble": [
            "ensemble",
            "kabul-corridor",
            "--vs",
            "baseline-2025",
            "--draws",
            "4",
            "--in-process",
        ],
        "claims check": ["claims", "check", str(claims)],
        "report": ["report", "baseline-2025", "kabul-corridor", "--out", str(out / "b.html")],
        "security actors": ["security", "actors"],
        "security relations": ["security", "relations"],
        "security events": ["security", "events"],
        "security risk": ["security", "risk"],
        "security validate": ["security", "validate"],
        "security import": ["security", "import", str(ACLED_SAMPLE)],
        "tntp assign": ["tntp", "assign", str(SIOUX_FALLS), "--gap", "1e-4"],
    }


NAMES = list(_commands(Path("."), Path(".")))
#: Exit codes a clean run may end with (an import with bad rows says so with exit 1).
OK_CODES = {"security import": {0, 1}}


@pytest.mark.parametrize("name", NAMES)
def test_json_output_parses_strictly(name: str, tmp_path: Path, two_claims: Path) -> None:
    result = _invoke([*_commands(tmp_path, two_claims)[name], "--json"])
    assert result.exit_code in OK_CODES.get(name, {0}), result.output
    data = _strict(result.stdout)
    assert data not in (None, {}, [])


@pytest.mark.parametrize("name", NAMES)
def test_table_output_fits_80_columns(name: str, tmp_path: Path, two_claims: Path) -> None:
    result = _invoke(_commands(tmp_path, two_claims)[name])
    assert result.exit_code in OK_CODES.get(name, {0}), result.output
    assert "Traceback" not in result.output
    for line in result.stdout.splitlines():
        if BOX & set(line):
            assert len(line) <= 80, f"{name}: table line of {len(line)} columns:\n{line}"
        assert "…" not in line, f"{name}: a cell was cut:\n{line}"


def test_security_lists_are_arrays_and_missing_is_null() -> None:
    rows = _strict(_invoke(["security", "relations", "--json"]).stdout)
    assert all(isinstance(r["source_ids"], list) for r in rows)
    open_ended = [r for r in rows if r["valid_from"] and not r["valid_to"]]
    assert open_ended and all(r["valid_to"] is None for r in open_ended)
    actors = _strict(_invoke(["security", "actors", "--json"]).stdout)
    assert all(isinstance(a["aliases"], list) for a in actors)


def test_scenarios_lists_every_name_whole() -> None:
    result = _invoke(["scenarios"])
    names = [s["name"] for s in _strict(_invoke(["scenarios", "--json"]).stdout)["scenarios"]]
    assert len(names) >= 10
    for name in names:
        assert re.search(rf"│ {re.escape(name)} +│", result.stdout), name
    assert len(result.stdout.splitlines()) < 80  # compact: one or two lines a scenario
    wide = _invoke(["scenarios", "--wide"])
    assert wide.exit_code == 0 and "description" in wide.stdout


def test_claims_check_ends_with_a_tally(two_claims: Path) -> None:
    result = _invoke(["claims", "check", str(two_claims)])
    assert re.search(r"^2 claims: \d+ \w+", result.stdout.splitlines()[-1])


def test_compare_says_where_it_wrote(tmp_path: Path) -> None:
    result = _invoke(["compare", "baseline-2025", "kabul-corridor", "--out", str(tmp_path / "c")])
    assert f"comparison written to {(tmp_path / 'c').resolve()}" in result.stdout


# -- help and conventions -------------------------------------------------------------------


def _all_commands() -> list[list[str]]:
    import typer.main

    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]

    def walk(cmd: Any, path: list[str]) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            found.append([*path, name])
            walk(sub, [*path, name])

    walk(root, [])
    return found


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "caravan")
def test_help_follows_the_conventions(path: list[str]) -> None:
    result = _invoke([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert not re.search(r"\{[a-z]", result.output), "arguments are named in capitals"
    if path in (["atlas", "validate"], ["atlas", "show"], ["route"], ["report"], ["run"]):
        assert "--atlas" in result.output


def test_version() -> None:
    result = _invoke(["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"caravan \S+\n", result.stdout)


def test_route_k_short_option_and_default_match_the_api() -> None:
    from caravan.cli._route import route as cli_route
    from caravan.results.routes import route as api_route

    help_text = _invoke(["route", "--help"]).output
    assert re.search(r"-k\b", help_text)
    cli_default = inspect.signature(cli_route).parameters["k"].default.default
    assert cli_default == inspect.signature(api_route).parameters["k"].default == 3
    one = _strict(_invoke(["route", "Tashkent", "Karachi", "-k", "1", "--json"]).stdout)
    assert len(one["routes"]) == 1


def test_export_format_shows_its_choices() -> None:
    assert "geojson|gpkg|gmns" in _invoke(["atlas", "export", "--help"]).output


def test_report_pdf_without_converter_fails_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import caravan.io.report as io_report
    import caravan.results.runs as runs

    monkeypatch.setattr(io_report, "find_pdf_converter", lambda: None)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("ran a scenario before checking for a PDF converter")

    monkeypatch.setattr(runs, "run_scenario", never)
    result = _invoke(["report", "baseline-2025", "kabul-corridor", "--pdf", "--out", "x.html"])
    assert result.exit_code == 2
    assert "apt-get install chromium" in result.output and "CARAVAN_CHROMIUM" in result.output
