"""Where a project's cargo came from (caravan.results.diversion), on the route test atlas:
Uzbekistan (amber) to Pakistan (dune) goes overland through Afghanistan (cobalt) or by rail
through Iran (ember, fjord) and a ship to Pakistan (harbor); the cobalt-link railway is the
project."""

from __future__ import annotations

import pytest

from caravan.model.atlas import Atlas
from caravan.pipeline import Pipeline
from caravan.results.compare import Comparison
from caravan.results.diversion import (
    RouteKind,
    diversion_by_origin,
    diversion_table,
    route_kinds,
)

DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,year,basis,source_ids
amber-dune,amber,dune,container,1000000,2025,estimate: test,fixture
indigo-dune,indigo,dune,container,200000,2025,estimate: test,fixture
"""

SCENARIOS = {
    "base": "name: base\ndescription: as is\nyear: 2030\n"
    "assignment: {method: sue, k_routes: 3, logit_scale_per_usd: 0.02, max_iter: 200, "
    "gap: 1e-6}\n",
    "rail": "name: rail\ndescription: open the railway\nbase: base\nopen_projects: [cobalt-link]\n",
}


@pytest.fixture(scope="module")
def cmp(atlas: Atlas) -> Comparison:
    return Pipeline(atlas).compare("base", "rail")


def test_route_kinds_put_the_project_first_then_iran_then_the_sea(atlas: Atlas) -> None:
    kinds = route_kinds(atlas, ["cobalt-link"])
    assert kinds.project_link_ids == {"r-cobalt-dune"}
    # Iran's land links; the sea lane from the Iranian port is a sea link, not Iran's
    assert {"r-amber-ember", "r-ember-fjord"} <= kinds.iran_link_ids
    assert "s-fjord-harbor" not in kinds.iran_link_ids
    assert {"s-fjord-harbor", "s-indigo-fjord"} <= kinds.sea_link_ids
    assert kinds.of(["r-amber-ember", "r-ember-fjord", "s-fjord-harbor"]) is RouteKind.IRAN
    assert kinds.of(["s-indigo-fjord", "s-fjord-harbor", "d-harbor-dune"]) is RouteKind.SEA
    assert kinds.of(["r-amber-bolt", "r-bolt-cobalt", "d-cobalt-dune"]) is RouteKind.OVERLAND
    assert kinds.of(["r-amber-bolt", "r-bolt-cobalt", "r-cobalt-dune"]) is RouteKind.PROJECT


def test_cargo_onto_the_project_is_what_left_each_kind_plus_new_cargo(cmp: Comparison) -> None:
    table = diversion_table(cmp, ["cobalt-link"])
    row = table.set_index("flow_id").loc["amber-dune"]
    assert row["origin_iso3"] == "UZB" and row["destination_iso3"] == "PAK"
    assert row["project_tonnes_a"] == 0.0
    assert row["project_tonnes_b"] > 1e5
    # the railway takes cargo from both the Afghan road and the route through Iran
    assert row["from_overland_tonnes"] > 0
    assert row["from_iran_tonnes"] > 0
    moved = table["from_iran_tonnes"] + table["from_sea_tonnes"] + table["from_overland_tonnes"]
    assert (moved + table["new_tonnes"]).to_numpy() == pytest.approx(
        table["onto_project_tonnes"].to_numpy(), abs=1e-3
    )
    # each row's B-side tonnes are those the run puts on the project's link
    on_link = cmp.b.link_flows.set_index("link_id").at["r-cobalt-dune", "tonnes_per_year"]
    assert table["project_tonnes_b"].sum() == pytest.approx(on_link, rel=1e-9)


def test_flows_off_the_project_are_left_out_and_origins_sum_up(cmp: Comparison) -> None:
    table = diversion_table(cmp, ["cobalt-link"])
    # India's cargo cannot reach the railway (it lands at harbor): not a user
    assert "indigo-dune" not in set(table["flow_id"])
    by_origin = diversion_by_origin(table).set_index("origin_iso3")
    assert by_origin.at["UZB", "onto_project_tonnes"] == pytest.approx(
        table.loc[table["origin_iso3"] == "UZB", "onto_project_tonnes"].sum()
    )


def test_a_scenario_against_itself_moves_nothing(atlas: Atlas) -> None:
    same = Pipeline(atlas).compare("rail", "rail")
    table = diversion_table(same, ["cobalt-link"])
    assert not table.empty
    for col in ("onto_project_tonnes", "from_iran_tonnes", "from_sea_tonnes", "new_tonnes"):
        assert table[col].abs().max() < 1e-6
