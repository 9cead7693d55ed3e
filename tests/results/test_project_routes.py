"""A flow's cheapest route over a project its scenario opens (caravan.results.project_routes),
on the route test atlas: Uzbekistan (amber) to Pakistan (dune), the cobalt-link railway being
the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.network.build import build_network
from caravan.network.model import Network
from caravan.results.project_routes import project_alternatives
from caravan.results.routes import find_routes

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas(ROUTE_ATLAS)


@pytest.fixture(scope="module")
def network(atlas: Atlas) -> Network:
    return build_network(atlas, year=2030, open_projects=["cobalt-link"])


def test_a_set_without_the_project_gets_its_cheapest_route_over_it(network: Network) -> None:
    routes = find_routes(network, "amber", "dune", k=3)
    without = [r for r in routes if "r-cobalt-dune" not in r.link_ids]
    assert without, "the fixture should have a route that avoids the railway"
    added = project_alternatives(network, "amber", "dune", ["cobalt-link"], without)
    assert len(added) == 1
    (route,) = added
    assert "r-cobalt-dune" in route.link_ids
    assert route.rank == len(without) + 1
    # it is the cheapest route over the railway that k shortest paths find
    over = [r for r in routes if "r-cobalt-dune" in r.link_ids]
    assert route.cost_usd_per_t == pytest.approx(min(r.cost_usd_per_t for r in over))


def test_nothing_is_added_when_a_route_uses_it_or_it_costs_too_much(network: Network) -> None:
    routes = find_routes(network, "amber", "dune", k=3)
    assert any("r-cobalt-dune" in r.link_ids for r in routes)
    assert project_alternatives(network, "amber", "dune", ["cobalt-link"], routes) == []
    without = [r for r in routes if "r-cobalt-dune" not in r.link_ids]
    best = min(r.cost_usd_per_t for r in without)
    over = project_alternatives(network, "amber", "dune", ["cobalt-link"], without)
    ratio = over[0].cost_usd_per_t / best
    assert (
        project_alternatives(
            network, "amber", "dune", ["cobalt-link"], without, max_cost_ratio=ratio * 0.999
        )
        == []
    )
    # a project that is not open (or unknown) adds nothing
    assert project_alternatives(network, "amber", "dune", ["garnet-road"], without) == []
    assert project_alternatives(network, "amber", "dune", [], without) == []
