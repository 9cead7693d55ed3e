"""A route that changes when a province's risk rises past the cost of its detour, and back as
the events behind the risk age out (issue 9, "Must show")."""

from __future__ import annotations

import pytest

from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.results.routes import route
from caravan.security import security_atlas
from caravan.security.files import atlas_events
from tests.security._atlas import make_security_atlas

DIRECT = ("amber", "bolt", "cobalt", "dune")  # through Cobalt, in Paktika
DETOUR = ("amber", "ember", "fjord", "harbor", "dune")  # round by Iran and the sea


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    return load_atlas(make_security_atlas(tmp_path_factory.mktemp("sec") / "atlas"))


def _best(atlas: Atlas, as_of: str) -> tuple[tuple[str, ...], float]:
    world = security_atlas(atlas, as_of=as_of, events=atlas_events(atlas))
    paktika = next(z for z in world.zones if z.zone_id == "afg-paktika")
    return route(world, "Amber", "Dune", year=2025, commodity="gems")[0].node_ids, paktika.risk


def test_route_leaves_paktika_while_the_strikes_are_recent(atlas: Atlas) -> None:
    # Before the strikes: the analysts' 0.1 for Paktika; the direct route through Cobalt wins.
    assert _best(atlas, "2024-12-31") == (DIRECT, 0.1)
    # The day after 100 strikes with 200 deaths: Paktika's risk outweighs the detour.
    node_ids, risk = _best(atlas, "2025-01-02")
    assert node_ids == DETOUR and risk > 0.7
    # Two half-lives later the strikes weigh a quarter: back through Cobalt.
    node_ids, risk = _best(atlas, "2027-01-02")
    assert node_ids == DIRECT and 0.1 < risk < 0.4
    # Long after, only the analysts' floor is left.
    assert _best(atlas, "2040-01-01") == (DIRECT, 0.1)


def test_the_switch_is_at_the_detour_cost(atlas: Atlas) -> None:
    direct = route(atlas, "Amber", "Dune", year=2025, commodity="gems", k=2)
    costs = {r.node_ids: r.cost_usd_per_t for r in direct}
    hot = route(
        security_atlas(atlas, as_of="2025-01-02", events=atlas_events(atlas)),
        "Amber",
        "Dune",
        year=2025,
        commodity="gems",
        k=2,
    )
    hot_costs = {r.node_ids: r.cost_usd_per_t for r in hot}
    assert costs[DIRECT] < costs[DETOUR]  # calm: the detour costs more
    assert hot_costs[DIRECT] > hot_costs[DETOUR]  # hot: Paktika's risk costs more than it
    assert hot_costs[DETOUR] == pytest.approx(costs[DETOUR])  # the detour avoids Paktika
