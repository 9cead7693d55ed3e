"""Routes on the route atlas, with every number worked out on paper.

Defaults (modes.yaml): rail 50 km/h, 0.05 USD/tkm; road 40 km/h, 0.10; sea 25 km/h, 0.01.
Containers: value of time 1 USD/t/h, value 10,000 USD/t -> risk 0.02 USD/t per km at zone risk 1
(0.5 x (risk_a + risk_b) x km; sea exposure capped at 100 km). Zones: AFG 0.5, IRN 0.1,
PAK 0.2 but PAK North (dune) 0.6; UZB and IND none.

Amber -> Dune, 2025, through AFG (rank 1):
  r-amber-bolt   rail 200 km          4.0 h   10.0 USD   risk 0
  r-bolt-cobalt  rail 20 km + border  0.4+10  1+5        0.25 x 20 x 0.02 = 0.1
  cobalt         rail 1520 -> road    4       6
  d-cobalt-dune  road 300 km + border 7.5+6   30+10      0.55 x 300 x 0.02 = 3.3
  total 520 km, 31.9 h, money 62, risk 3.4, cost 62 + 31.9 + 3.4 = 97.3
Amber -> Dune through IRN and by sea (rank 2):
  r-amber-ember 500 km + border 10+5 h, 25+0; risk 0.05 x 500 x 0.02 = 0.5
  ember gauge break 1520/1435 12 h, 15;  r-ember-fjord 400 km 8 h, 20, risk 0.8
  fjord port (its own row) 36 h, 12;  s-fjord-harbor 1000 km 40 h, 10, risk 0.15 x 100 x 0.02 = 0.3
  harbor port 12 h, 8;  d-harbor-dune 100 km 2.5 h, 10, risk 0.4 x 100 x 0.02 = 0.8
  total 2000 km, 125.5 h, money 100, risk 2.4, cost 227.9
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.errors import InputError, NoRouteError, NotFoundError
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.network import build_network
from caravan.results import find_routes, route

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas(ROUTE_ATLAS)


def test_least_cost_route_by_paper(atlas: Atlas) -> None:
    best, second = route(atlas, "Amber", "Dune", year=2025, k=2)
    assert best.node_ids == ("amber", "bolt", "cobalt", "dune")
    assert best.link_ids == ("r-amber-bolt", "r-bolt-cobalt", "d-cobalt-dune")
    assert best.countries == ("UZB", "AFG", "PAK")
    assert best.length_km == pytest.approx(520)
    assert best.time_h == pytest.approx(31.9)
    assert best.money_usd_per_t == pytest.approx(62)
    assert best.risk_usd_per_t == pytest.approx(3.4)
    assert best.cost_usd_per_t == pytest.approx(97.3)
    assert [
        (b.border_id, b.from_iso3, b.to_iso3, b.dwell_h, b.fee_usd_per_t) for b in best.borders
    ] == [
        ("bolt-cobalt", "UZB", "AFG", 10, 5),
        ("cobalt-dune-road", "AFG", "PAK", 6, 10),
    ]
    (t,) = best.transfers
    assert (t.node_id, t.kind, t.from_mode, t.from_gauge_mm, t.to_mode) == (
        "cobalt",
        "mode change",
        "rail",
        1520,
        "road",
    )
    # rank 2 goes round by Iran and the sea
    assert second.node_ids == ("amber", "ember", "fjord", "harbor", "dune")
    assert second.time_h == pytest.approx(125.5)
    assert second.money_usd_per_t == pytest.approx(100)
    assert second.cost_usd_per_t == pytest.approx(227.9)
    assert second.corridors == ("southern-corridor",)
    # each bypasses what the other crosses
    assert best.bypassed_countries == ("IRN",)
    assert second.bypassed_countries == ("AFG",)


def test_break_of_gauge_and_port_transfers(atlas: Atlas) -> None:
    second = route(atlas, "Amber", "Dune", k=2)[1]
    kinds = [(t.node_id, t.kind, t.dwell_h, t.fee_usd_per_t) for t in second.transfers]
    assert kinds == [
        ("ember", "gauge break", 12, 15),
        ("fjord", "port", 36, 12),  # fjord's own row overrides the default 24 h, USD 10
        ("harbor", "port", 12, 8),
    ]
    ember = second.transfers[0]
    assert (ember.from_gauge_mm, ember.to_gauge_mm) == (1520, 1435)


def test_border_dwell_differs_by_direction(atlas: Atlas) -> None:
    # Dune -> Amber: road back 13.5 h, transfer 4, bolt-cobalt the other way 0.4 + 30, rail 4
    back = route(atlas, "Dune", "Amber")[0]
    assert back.countries == ("PAK", "AFG", "UZB")
    assert back.time_h == pytest.approx(51.9)  # 31.9 + (30 - 10)
    assert back.money_usd_per_t == pytest.approx(65)  # 62 + (8 - 5)
    assert back.cost_usd_per_t == pytest.approx(65 + 51.9 + 3.4)
    (b,) = [x for x in back.borders if x.border_id == "bolt-cobalt"]
    assert (b.from_iso3, b.to_iso3, b.dwell_h, b.fee_usd_per_t) == ("AFG", "UZB", 30, 8)


def test_forbidding_restriction_reroutes_indian_cargo(atlas: Atlas) -> None:
    # Amber -> Indigo (UZB cargo) may cross PAK: 4 + 10.4 + 4 + 13.5 + (10 + 12) = 53.9 h,
    # money 10 + 6 + 6 + 40 + 60 = 122, risk 0.1 + 3.3 + 0.3 x 400 x 0.02 = 5.8 -> 181.7.
    out = route(atlas, "Amber", "Indigo")[0]
    assert out.countries == ("UZB", "AFG", "PAK", "IND")
    assert out.cost_usd_per_t == pytest.approx(181.7)
    # Indian cargo may not enter PAK: by sea to Fjord, rail to Ember, break, rail to Amber.
    # 60 + 36 + 8 + 12 + 15 = 131 h; 15 + 12 + 20 + 15 + 25 = 87; risk 0.1 + 0.8 + 0.5 = 1.4
    back = route(atlas, "Indigo", "Amber")[0]
    assert "PAK" not in back.countries
    assert back.node_ids == ("indigo", "fjord", "ember", "amber")
    assert back.time_h == pytest.approx(131)
    assert back.money_usd_per_t == pytest.approx(87)
    assert back.cost_usd_per_t == pytest.approx(219.4)
    assert [t.kind for t in back.transfers] == ["port", "gauge break"]


def test_no_route_names_the_restriction(atlas: Atlas) -> None:
    with pytest.raises(NoRouteError) as err:
        route(atlas, "Indigo", "Dune")
    msg = str(err.value)
    assert "pak-no-indian-transit" in msg and "IND->PAK" in msg
    assert "indigo-dune" in msg  # what the route would be without it


def test_link_that_opens_later(atlas: Atlas) -> None:
    # r-cobalt-dune: rail 1676, 280 km, expected 2028. Amber -> Dune with it open:
    # 4 + 10.4 + break 6 + (5.6 + 4) = 30.0 h; 10 + 6 + 8 + (14 + 10) = 48;
    # risk 0.1 + 0.55 x 280 x 0.02 = 3.18 -> cost 81.18 (cheaper and faster than 97.3, 31.9).
    opened = route(atlas, "Amber", "Dune", year=2030, open_projects=["cobalt-link"])[0]
    assert opened.link_ids[-1] == "r-cobalt-dune"
    assert opened.projects == ("cobalt-link",)
    assert opened.time_h == pytest.approx(30.0)
    assert opened.money_usd_per_t == pytest.approx(48)
    assert opened.cost_usd_per_t == pytest.approx(81.18)
    assert [(t.kind, t.from_gauge_mm, t.to_gauge_mm) for t in opened.transfers] == [
        ("gauge break", 1520, 1676)
    ]
    # not opened, or opened too early: the 2025 road route
    for kwargs in ({"year": 2030}, {"year": 2025, "open_projects": ["cobalt-link"]}):
        assert route(atlas, "Amber", "Dune", **kwargs)[0].cost_usd_per_t == pytest.approx(97.3)


def test_no_route_names_the_missing_project(atlas: Atlas) -> None:
    with pytest.raises(NoRouteError) as err:
        route(atlas, "Amber", "Garnet")
    msg = str(err.value)
    assert "only connection is d-cobalt-garnet" in msg
    assert "project garnet-road" in msg and "--open garnet-road" in msg and "2032" in msg
    assert route(atlas, "Amber", "Garnet", year=2032, open_projects=["Garnet Road"])


def test_no_route_before_a_link_opened(atlas: Atlas) -> None:
    with pytest.raises(NoRouteError, match="r-bolt-cobalt only opened after 2010"):
        route(atlas, "Amber", "Dune", year=2010)


def test_objectives_pick_different_routes(atlas: Atlas) -> None:
    # bulk: value of time 0.05, so money decides; 7 USD/t levy entering IRN for PAK-bound bulk
    bulk = route(atlas, "Amber", "Dune", commodity="bulk", k=2)
    assert bulk[0].countries == ("UZB", "AFG", "PAK")
    assert bulk[1].surcharges == (("irn-bulk-levy", 7.0),)
    assert bulk[1].money_usd_per_t == pytest.approx(107)
    # Indian bulk by money: only the sea route is allowed
    assert route(atlas, "Indigo", "Amber", commodity="bulk", by="money")[0].money_usd_per_t == (
        pytest.approx(87)
    )
    by_km = route(atlas, "Amber", "Dune", by="distance", k=2)
    assert [r.length_km for r in by_km] == pytest.approx([520, 2000])
    assert by_km[0].objective_value == pytest.approx(520)
    assert route(atlas, "Amber", "Dune", by="time")[0].objective_value == pytest.approx(31.9)


def test_alternatives_are_distinct_and_ordered(atlas: Atlas) -> None:
    routes = route(atlas, "Amber", "Dune", k=5)
    assert [r.rank for r in routes] == list(range(1, len(routes) + 1))
    assert len({r.link_ids for r in routes}) == len(routes)
    costs = [r.cost_usd_per_t for r in routes]
    assert costs == sorted(costs)


def test_frames_and_dicts(atlas: Atlas) -> None:
    best = route(atlas, "Amber", "Dune")[0]
    frame = best.to_frame()
    assert list(frame["kind"]) == ["link", "link", "transfer", "link"]
    assert frame["cost_usd_per_t"].sum() == pytest.approx(best.cost_usd_per_t)
    d = best.to_dict()
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
        assert key in d
    assert d["by_country"][1] == {
        "iso3": "AFG",
        "length_km": pytest.approx(160),  # half of 20 + half of 300
        "time_h": pytest.approx(0.2 + 10 + 4 + 3.75),
        "money_usd_per_t": pytest.approx(0.5 + 5 + 6 + 15),
        "risk_usd_per_t": pytest.approx(0.05 + 1.65),
    }
    shares = best.by_country
    assert sum(s.length_km for s in shares) == pytest.approx(best.length_km)
    assert sum(s.money_usd_per_t for s in shares) == pytest.approx(best.money_usd_per_t)
    feature = best.to_feature()
    assert feature["geometry"]["coordinates"][0] == [66.0, 41.0]


def test_input_errors(atlas: Atlas) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'Amber'"):
        route(atlas, "Ambr", "Dune")
    with pytest.raises(NotFoundError, match="bulk"):
        route(atlas, "Amber", "Dune", commodity="bulc")
    with pytest.raises(InputError, match="year"):
        route(atlas, "Amber", "Dune", year=3000)
    with pytest.raises(InputError, match="cost, money, time, distance"):
        route(atlas, "Amber", "Dune", by="cheapest")
    with pytest.raises(InputError, match="same place"):
        route(atlas, "Amber", "amberabad")
    with pytest.raises(InputError, match="k must"):
        find_routes(build_network(atlas, year=2025), "amber", "dune", k=0)
