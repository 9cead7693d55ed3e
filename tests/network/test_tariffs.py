"""The tariff and speed model of the shipped atlas: sourced ranges, priced links, sea lanes."""

from __future__ import annotations

import pytest

from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.network.build import build_network
from caravan.results.routes import find_routes


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()


def test_every_figure_has_a_range_and_known_sources(atlas: Atlas) -> None:
    model = atlas.tariffs
    assert model is not None
    known = {s.source_id for s in atlas.sources}
    assert set(model.source_ids) <= known
    for row in model.line_haul:
        assert row.source_ids and row.basis
        for p in (row.tariff_usd_per_tkm, row.speed_kmh):
            assert 0 < p.low <= p.value <= p.high
    links = atlas.links_frame
    priced = links[links["tariff_basis"] == "tariff model"]
    assert (priced["tariff_usd_per_tkm_low"] <= priced["tariff_usd_per_tkm"]).all()
    assert (priced["tariff_usd_per_tkm"] <= priced["tariff_usd_per_tkm_high"]).all()


def test_rail_is_cheaper_than_road_per_tonne_km(atlas: Atlas) -> None:
    model = atlas.tariffs
    assert model is not None
    for iso3 in ("KAZ", "UZB", "PAK", "IRN"):
        gauge = {"PAK": 1676, "IRN": 1435}.get(iso3, 1520)
        rail = model.line_haul_row("rail", gauge, iso3)
        road = model.line_haul_row("road", None, iso3)
        assert rail is not None and road is not None
        assert rail.tariff_usd_per_tkm.value < road.tariff_usd_per_tkm.value, iso3


def test_bulk_pays_less_per_tonne_km_than_containers(atlas: Atlas) -> None:
    box = build_network(atlas, year=2025, commodity="container")
    bulk = build_network(atlas, year=2025, commodity="bulk")
    assert bulk.costs.link_tariff_usd_per_t.sum() < box.costs.link_tariff_usd_per_t.sum()


def test_sea_legs_belong_to_the_sea_not_to_port_countries(atlas: Atlas) -> None:
    net = build_network(atlas, year=2025)
    r = find_routes(net, "chabahar", "istanbul")[0]
    areas = {c.iso3: c for c in r.by_country}
    assert "sea" in areas and "EGY" not in areas and "PAK" not in areas
    assert areas["sea"].length_km == pytest.approx(r.length_km)
    assert "suez-canal" in r.corridors


def test_closing_suez_sends_ships_round_the_cape(atlas: Atlas) -> None:
    from caravan.model.scenario import Scenario, apply_scenario

    closed = apply_scenario(
        atlas, Scenario("no-suez", "Suez closed", 2025, close_projects=("suez-canal",))
    )
    via_suez = find_routes(build_network(atlas, year=2025), "nhava-sheva", "rotterdam")[0]
    cape = find_routes(build_network(closed, year=2025), "nhava-sheva", "rotterdam")[0]
    assert "suez-canal" in via_suez.corridors and "suez-canal" not in cape.corridors
    assert cape.length_km > 1.5 * via_suez.length_km


def test_no_road_shuttle_between_railways_at_a_border(atlas: Atlas) -> None:
    net = build_network(atlas, year=2025)
    r = find_routes(net, "xian", "duisburg", by="time")[0]
    kinds = {(t.node_id, t.kind) for t in r.transfers}
    assert ("dostyk", "gauge break") in kinds and ("malaszewicze", "gauge break") in kinds
    assert not any(t.kind == "mode change" for t in r.transfers)
