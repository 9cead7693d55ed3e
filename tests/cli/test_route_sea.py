"""``caravan route --json`` on the shipped atlas: sea legs belong to the sea, not to port countries.

A route that only calls at a country's port by sea (or sails past it through a canal) makes no
transit country there: its ``by_country`` lists the sea legs under ``sea`` (or a named sea area
such as ``caspian``), and a country appears only where the route runs on its land or starts or
ends in it.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from caravan.cli import app

runner = CliRunner()

WATER_LAYERS = ("sea", "ferry")


def _routes(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["route", *args, "--json", "--date", "2025-06-01"])
    assert result.exit_code == 0, result.stderr
    routes: list[dict[str, object]] = json.loads(result.stdout)["routes"]
    return routes


@pytest.mark.parametrize(
    ("origin", "destination", "sailed_past"),
    [
        ("moscow", "nhava-sheva", {"EGY", "TUR", "SAU"}),  # rail to the Black Sea, then Suez
        ("chabahar", "istanbul", {"EGY", "PAK", "OMN"}),  # by sea only
        ("aktau", "baku", set()),  # the Caspian ferry, a sea of its own
    ],
)
def test_sea_legs_are_under_sea_in_by_country(
    origin: str, destination: str, sailed_past: set[str]
) -> None:
    routes = _routes(origin, destination, "--k", "2")
    assert any(
        leg["from_layer"] in WATER_LAYERS
        for route in routes
        for leg in route["legs"]  # type: ignore[attr-defined]
    ), "no route here uses the water: the test checks nothing"
    for route in routes:
        legs: list[dict[str, object]] = route["legs"]  # type: ignore[assignment]
        on_land = {legs[0]["from_iso3"], legs[-1]["to_iso3"]}
        water_km = 0.0
        for leg in legs:
            if leg["kind"] == "handling":
                continue
            if leg["kind"] == "link" and leg["from_layer"] in WATER_LAYERS:
                water_km += float(leg["length_km"])  # type: ignore[arg-type]
            else:
                on_land |= {leg["from_iso3"], leg["to_iso3"]}
        areas = {c["iso3"]: c for c in route["by_country"]}  # type: ignore[attr-defined]
        countries = {a for a in areas if a.isupper()}
        assert countries <= on_land, (route["node_ids"], countries - on_land)
        assert not countries & sailed_past
        sea_km = sum(float(c["length_km"]) for a, c in areas.items() if not a.isupper())
        assert sea_km == pytest.approx(water_km, abs=0.5)
        if water_km:
            assert set(areas) - countries, "sea legs but no sea area in by_country"
