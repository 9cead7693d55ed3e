"""``caravan route`` in-process on the route atlas: tables, JSON, GeoJSON, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.cli import app

ROUTE_ATLAS = str(Path(__file__).parents[1] / "data" / "route-atlas")
runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["route", *args, "--atlas", ROUTE_ATLAS])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}")
    return result.exit_code, result.stdout, result.stderr


def test_readable_tables_by_default() -> None:
    code, out, _ = _run("Amber", "Dune")
    assert code == 0
    assert "UZB AFG PAK" in out and "97.3" in out
    for title in ("route 1: amber – bolt – cobalt – dune", "borders", "transfers"):
        assert title in out
    assert "Bolt-Cobalt" in out and "mode change" in out


def test_the_uses_line_names_the_corridors_the_route_runs_on() -> None:
    _, out, _ = _run("Amber", "Fjord", "--k", "1")
    assert "route 1 runs on southern-corridor\n" in out
    _, out, _ = _run("Ember", "Harbor", "--k", "1")  # 400 of the corridor's 900 km of rail
    assert "route 1 runs on no project or corridor for 50% of their length; touches 1" in out
    _, out, _ = _run("Amber", "Dune", "--k", "1")
    assert "route 1 uses no project or corridor" in out


def test_json_has_the_documented_fields() -> None:
    code, out, _ = _run("Amber", "Dune", "--json", "--k", "2")
    assert code == 0
    payload = json.loads(out)
    first, second = payload["routes"]
    for key in (
        "node_ids",
        "link_ids",
        "countries",
        "length_km",
        "time_h",
        "money_usd_per_t",
        "cost_usd_per_t",
        "by_country",
        "borders",
        "transfers",
        "projects",
    ):
        assert key in first
    assert first["countries"] == ["UZB", "AFG", "PAK"]
    assert first["cost_usd_per_t"] == pytest.approx(97.3)
    assert second["bypassed_countries"] == ["AFG"]
    assert first["borders"][0]["border_id"] == "bolt-cobalt"


def test_options_year_open_by_commodity() -> None:
    code, out, _ = _run(
        "Amber",
        "Dune",
        "--year",
        "2030",
        "--open",
        "Cobalt Link",
        "--json",
        "--k",
        "1",
        "--by",
        "money",
        "--commodity",
        "bulk",
    )
    assert code == 0
    (r,) = json.loads(out)["routes"]
    assert r["projects"] == ["cobalt-link"] and r["objective"] == "money"
    assert r["commodity_id"] == "bulk" and r["money_usd_per_t"] == pytest.approx(48)


def test_geojson_is_written(tmp_path: Path) -> None:
    target = tmp_path / "routes.geojson"
    code, _, err = _run("Indigo", "Amber", "--geojson", str(target), "--k", "2")
    assert code == 0 and "wrote" in err
    collection = json.loads(target.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    feature = collection["features"][0]
    assert feature["geometry"]["type"] == "LineString"
    assert len(feature["geometry"]["coordinates"]) == len(feature["properties"]["node_ids"])
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("Ambr", "Dune"), "did you mean 'Amber'"),
        (("Amber", "Dune", "--commodity", "bulc"), "did you mean 'bulk'"),
        (("Amber", "Dune", "--year", "1066"), "outside 1990..2100"),
        (("Amber", "Dune", "--open", "cobalt"), "did you mean 'cobalt-link'"),
        (("Indigo", "Dune"), "pak-no-indian-transit"),
        (("Amber", "Garnet"), "--open garnet-road"),
        (("Amber", "Dune", "--geojson", "/no/such/folder/x.geojson"), "does not exist"),
    ],
)
def test_errors_exit_2_without_traceback(args: tuple[str, ...], expected: str) -> None:
    code, out, err = _run(*args)
    assert code == 2
    assert expected in err.replace("\n", " ")
    assert "Traceback" not in out + err


def test_bad_objective_is_refused_by_the_option() -> None:
    code, _, err = _run("Amber", "Dune", "--by", "cheapest")
    assert code == 2 and "cheapest" in err
