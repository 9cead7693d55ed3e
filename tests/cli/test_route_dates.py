"""``caravan route --date`` / ``--year`` on the shipped atlas: dated closures, warnings, and the
same link states as ``caravan run baseline-2025`` on the scenario's day."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from caravan.cli import app
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario
from caravan.model.events import atlas_on_date
from caravan.results.runs import reopened_warnings, run_date, scenario_world

runner = CliRunner()


def _route(*args: str) -> tuple[dict[str, object], str]:
    result = runner.invoke(app, ["route", "kandahar", "chaman", "--json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_2024_takes_the_spin_boldak_chaman_road() -> None:
    for args in (("--year", "2024"), ("--date", "2024-06-01")):
        payload, err = _route(*args)
        best = payload["routes"][0]  # type: ignore[index]
        assert "rd-spin-boldak-chaman" in best["link_ids"]
        assert best["length_km"] < 150
        assert payload["warnings"] == []
        assert "warning" not in err


def test_inside_the_october_2025_closure_the_road_is_avoided_and_named() -> None:
    payload, err = _route("--date", "2025-10-20")
    assert payload["date"] == "2025-10-20"
    for r in payload["routes"]:  # type: ignore[attr-defined]
        assert "rd-spin-boldak-chaman" not in r["link_ids"]
    (warning,) = payload["warnings"]  # type: ignore[misc]
    assert warning["event_id"] == "afpak-closure-2025-10"
    assert "rd-spin-boldak-chaman" in warning["link_ids"]
    urls = [s["url"] for s in warning["sources"]]
    assert "https://tribune.com.pk/story/2572427/trade-suspended-amid-afghan-border-closure" in urls
    assert "warning:" in err and "2025-10-12" in err and "tribune.com.pk" in err


def test_bad_date_is_a_clean_error() -> None:
    result = runner.invoke(app, ["route", "kandahar", "chaman", "--date", "2025-02-30"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_route_and_baseline_run_agree_on_every_link() -> None:
    atlas = load_atlas()
    scenario = load_scenario("baseline-2025", atlas=atlas)
    day = run_date(atlas, scenario)
    assert day.isoformat() == "2025-06-01"
    world = scenario_world(atlas, scenario)
    dated = atlas_on_date(atlas, day)
    assert world.links_frame["status"].tolist() == dated.links_frame["status"].tolist()


def test_run_takes_a_date_and_names_the_closure_it_reopens() -> None:
    result = runner.invoke(app, ["run", "baseline-2025", "--date", "2025-10-20", "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["date"] == "2025-10-20"
    (warning,) = summary["status_warnings"]
    assert warning["event_id"] == "afpak-closure-2025-10"
    assert any("tribune.com.pk" in s["url"] for s in warning["sources"])


def test_a_scenario_that_reopens_closed_crossings_says_what_it_assumes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from caravan.cli._runs import print_status_warnings

    atlas = load_atlas()
    scenario = load_scenario("kabul-corridor", atlas=atlas)
    day = run_date(atlas, scenario)
    (warning,) = reopened_warnings(atlas, scenario_world(atlas, scenario), day, scenario)
    assert warning["event_id"] == "afpak-closure-2025-10"
    assert "rd-torkham-peshawar" in warning["reopened_link_ids"]
    print_status_warnings({"status_warnings": [warning]})
    err = " ".join(capsys.readouterr().err.split())
    assert "scenario kabul-corridor assumes rd-torkham-peshawar" in err
    assert f"open on {day.isoformat()}" in err
    assert "its base (baseline-2025) reopens them" in err
    assert "no end recorded, so the atlas takes it to last" in err
    assert "Without that assumption they would be suspended on that day" in err
    assert "tribune.com.pk" in err


def test_route_and_run_agree_on_every_link_on_a_given_date() -> None:
    from caravan.pipeline import Pipeline

    atlas = load_atlas()
    for day in ("2024-06-01", "2025-10-20"):
        world, _ = Pipeline(atlas).world("baseline-2025", date=day)
        dated = atlas_on_date(atlas, day)
        opened = set(load_scenario("baseline-2025", atlas=atlas).open_links)
        states = dict(zip(dated.links_frame["link_id"], dated.links_frame["status"], strict=True))
        for link_id, status in zip(
            world.links_frame["link_id"], world.links_frame["status"], strict=True
        ):
            expected = "operational" if link_id in opened else states[link_id]
            assert status == expected, (day, link_id)


def test_run_refuses_a_bad_date() -> None:
    result = runner.invoke(app, ["run", "baseline-2025", "--date", "2025-13-01"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_a_closure_the_routes_go_round_is_named() -> None:
    """On the atlas's as-of day Torkham and Chaman are shut, so Tashkent-Karachi cargo goes
    through Iran and passes none of the closed crossings; the warning still names the closure
    (the best route would take it were it open). On 1 July 2025 the road through Afghanistan
    wins and nothing is gone round."""
    shut = runner.invoke(app, ["route", "tashkent", "karachi", "--json", "-k", "1"])
    assert shut.exit_code == 0, shut.stderr
    payload = json.loads(shut.stdout)
    assert "AFG" not in payload["routes"][0]["countries"]
    (warning,) = [w for w in payload["warnings"] if w["event_id"] == "afpak-closure-2025-10"]
    assert warning["gone_round"] is True
    assert "go round it" in shut.stderr
    open_ = runner.invoke(
        app, ["route", "tashkent", "karachi", "--json", "-k", "1", "--date", "2025-07-01"]
    )
    assert open_.exit_code == 0, open_.stderr
    payload = json.loads(open_.stdout)
    assert payload["routes"][0]["countries"] == ["UZB", "AFG", "PAK"]
    assert payload["warnings"] == []
