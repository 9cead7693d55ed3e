"""``caravan validate routes``: the shipped route validation table, run in-process."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.claims.check import ClaimEvaluator
from caravan.claims.model import RouteSpec
from caravan.cli import app
from caravan.errors import InputError
from caravan.io.atlas import load_atlas
from caravan.io.validation import read_route_cases, route_cases_path
from caravan.model.route_cases import LENGTH_TOLERANCE, RouteCase, case_from_row
from caravan.validation.routes import _legs, validate_routes

runner = CliRunner()

#: The pass rate the shipped table reached when it was written was 36 of 47 (3eb0541); 40 of 47
#: after the CPMM 2022 Chinese crossings and the sourced Middle Corridor ranges; 43 of 47 after
#: the CPMM per-country Central Asian rail borders and the Chabahar rows read as their sources
#: have them (issue 16, whose target is 0.9). A drop below this floor is a regression to look
#: at: see docs/validation.md for the pairs that fail and why.
PASS_RATE_FLOOR = 0.9


@pytest.fixture(scope="module")
def payload() -> dict[str, object]:
    result = runner.invoke(app, ["validate", "routes", "--json"])
    assert result.exit_code == 0, result.stderr
    out: dict[str, object] = json.loads(result.stdout)
    return out


def test_json_shape_and_size(payload: dict[str, object]) -> None:
    pairs = payload["pairs"]
    assert isinstance(pairs, list) and len(pairs) >= 40
    for p in pairs:
        for key in ("origin", "destination", "passed", "length_km", "time_h",
                    "money_usd_per_t", "expected", "failures"):  # fmt: skip
            assert key in p
        assert p["passed"] == (not p["failures"])
    n_passed = sum(p["passed"] for p in pairs)
    assert payload["pass_rate"] == pytest.approx(n_passed / len(pairs), abs=1e-4)
    assert payload["pass_rate"] >= PASS_RATE_FLOOR


def test_passing_pairs_lie_inside_their_ranges(payload: dict[str, object]) -> None:
    for p in payload["pairs"]:  # type: ignore[attr-defined]
        if not p["passed"]:
            continue
        e = p["expected"]
        if "length_km" in e:
            real = e["length_km_real"]
            assert abs(p["length_km"] / real - 1) <= LENGTH_TOLERANCE + 1e-3
        for key in ("time_h", "money_usd_per_t"):
            if key in e:
                low, high = e[key]
                assert low is None or p[key] >= low - 0.05
                assert high is None or p[key] <= high + 0.05


def test_the_planner_answers() -> None:
    atlas = load_atlas()
    cases = {c.pair_id: c for c in read_route_cases(route_cases_path(atlas), atlas)}
    wanted = (
        "erai-dostyk-brest",
        "instc-almaty-bandar-abbas",
        "sea-istanbul-rotterdam",
        "khaf-herat-bandar-abbas-bulk",
    )
    picked = [cases[k] for k in wanted]
    results = {r.case.pair_id: r for r in validate_routes(picked, atlas)}
    assert all(r.passed for r in results.values()), [r.failures for r in results.values()]
    almaty = results["instc-almaty-bandar-abbas"]
    assert {"KAZ", "TKM", "IRN"} <= set(almaty.countries) and "PAK" not in almaty.countries
    # bulk from the Gulf to Herat by rail costs tens of dollars a tonne, not hundreds
    assert results["khaf-herat-bandar-abbas-bulk"].money_usd_per_t < 60


def test_a_case_that_checks_nothing_is_an_error() -> None:
    with pytest.raises(InputError, match="checks nothing"):
        case_from_row(
            {"pair_id": "x", "origin": "a", "destination": "b", "source_ids": "s"}, line=2
        )


def test_unknown_sources_are_named(tmp_path: Path) -> None:
    atlas = load_atlas()
    bad = tmp_path / "routes.csv"
    bad.write_text(
        "pair_id,origin,destination,length_km,source_ids\nx,kabul,herat,800,no-such-source\n"
    )
    with pytest.raises(InputError, match="no-such-source"):
        read_route_cases(bad, atlas)


def test_a_via_place_charges_its_change_of_layer() -> None:
    # Tashkent-Istanbul through Turkmenbashi, Alat and Akhalkalaki: arriving by rail and leaving
    # by ferry (and the gauge change at Akhalkalaki) pays the transfers, as a train that passes
    # through does; before, each via place switched layer for free.
    atlas = load_atlas()
    cases = {c.pair_id: c for c in read_route_cases(route_cases_path(atlas), atlas)}
    case = cases["mc-tashkent-istanbul-turkmenbashi"]
    spec = RouteSpec(case.origin, case.destination, scenario=case.scenario, via=case.via)
    legs = _legs(ClaimEvaluator(atlas).best_route(spec))
    stops = {(g.from_node_id, g.from_layer, g.to_layer) for g in legs if g.kind == "transfer"}
    assert ("turkmenbashi", "rail 1520", "ferry") in stops
    assert ("alat-port", "ferry", "rail 1520") in stops
    assert ("akhalkalaki", "rail 1520", "rail 1435") in stops
    # the joined legs are continuous: each starts on the layer the one before ended on
    for a, b in itertools.pairwise(legs):
        if a.kind != "handling" and b.kind != "handling":
            assert a.to_layer == b.from_layer and a.to_node_id == b.from_node_id


def test_closed_countries_are_closed_for_the_case(tmp_path: Path) -> None:
    atlas = load_atlas()
    cases = {c.pair_id: c for c in read_route_cases(route_cases_path(atlas), atlas)}
    case = cases["mc-almaty-poti"]
    assert case.closed_countries == ("RUS",)
    (result,) = validate_routes([case], atlas)
    assert "RUS" not in result.countries and "AZE" in result.countries
    bad = tmp_path / "routes.csv"
    bad.write_text(
        "pair_id,origin,destination,closed_countries,expect_pass,source_ids\n"
        "x,almaty,poti,XXX,AZE,reportaz-titr-2025\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="closed_countries XXX"):
        read_route_cases(bad, atlas)


def test_a_case_timed_from_a_ship_pays_the_port_not_the_loading() -> None:
    # Chabahar to Kabul (by road through Milak while the Pakistani crossings are closed), timed
    # from the ship's arrival: the port's ship-to-shore transfer (transfers.csv, truck-ship at a
    # sea port: 48 h, 11 US$/t) replaces the road loading (4 h, 1 US$/t); the unloading at
    # Kabul is counted either way.
    atlas = load_atlas()
    base = dict(
        origin="chabahar",
        destination="kabul",
        scenario="afpak-border-closure",
        source_ids=("metromorning-kabul-2025",),
    )
    by_road, by_ship = validate_routes(
        [
            RouteCase("road", **base, ends="terminal"),  # type: ignore[arg-type]
            RouteCase("ship", **base, ends="ship"),  # type: ignore[arg-type]
        ],
        atlas,
    )
    assert by_road.node_ids == by_ship.node_ids and "milak" in by_road.node_ids
    assert by_road.time_h is not None and by_road.money_usd_per_t is not None
    assert by_ship.time_h == pytest.approx(by_road.time_h - 4 + 48)
    assert by_ship.money_usd_per_t == pytest.approx(by_road.money_usd_per_t - 1 + 11)
    with pytest.raises(InputError, match="ends must be one of"):
        case_from_row(
            {"pair_id": "x", "origin": "a", "destination": "b", "source_ids": "s",
             "length_km": "10", "ends": "port"},
            line=2,
        )  # fmt: skip
