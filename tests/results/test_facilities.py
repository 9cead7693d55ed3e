"""Borders, ports and links in the run's JSON: they add up to the link flows."""

from __future__ import annotations

import pytest

from caravan.io.atlas import load_atlas
from caravan.pipeline import run_scenario


@pytest.fixture(scope="module")
def doc() -> dict:
    return run_scenario("baseline-2025", atlas=load_atlas(calibrated=False)).to_dict()


def test_borders_ports_links_arrays(doc: dict) -> None:
    links = {r["link_id"]: r for r in doc["links"]}
    assert doc["borders"] and doc["ports"] and len(links) > 300
    for b in doc["borders"]:
        link = links[b["link_id"]]
        assert b["tonnes_ab"] + b["tonnes_ba"] == pytest.approx(link["tonnes_per_year"], abs=1.0)
        assert {"border_id", "name", "country_a_iso3", "country_b_iso3"} <= set(b)
    hairatan = next(b for b in doc["borders"] if b["border_id"] == "termez-hairatan-rail")
    # UZB -> AFG is a -> b: flour, fuel and goods go in, almost nothing comes out by rail.
    assert hairatan["country_a_iso3"] == "UZB"
    assert hairatan["tonnes_ab"] > 10 * hairatan["tonnes_ba"]
    ports = {p["node_id"]: p for p in doc["ports"]}
    assert ports["aktau"]["tonnes_per_year"] > 0
    for p in doc["ports"]:
        assert p["tonnes_per_year"] == pytest.approx(p["tonnes_loaded"] + p["tonnes_unloaded"])
