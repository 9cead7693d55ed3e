"""Ensembles draw the fixed costs of routes: handling, transfers and lane charges."""

from __future__ import annotations

import numpy as np
import pytest

from caravan.ensemble.fixed_costs import fixed_cost_inputs, route_fixed_entries
from caravan.ensemble.spec import RANGE_KINDS, EnsembleSpec, spec_from_mapping
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.network.build import build_network
from caravan.results.routes import find_routes


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()


def test_every_ranged_row_is_an_input(atlas: Atlas) -> None:
    inputs, keys = fixed_cost_inputs(atlas, EnsembleSpec(), first=100)
    kinds = {i.kind for i in inputs}
    assert kinds == {
        "handling_usd_per_t",
        "handling_dwell_h",
        "transfer_fee_usd_per_t",
        "transfer_dwell_h",
        "lane_usd_per_t",
        "lane_dwell_h",
    }
    assert kinds <= set(RANGE_KINDS)
    assert len({i.name for i in inputs}) == len(inputs)
    assert all(i.low <= i.value <= i.high and i.low < i.high for i in inputs)
    # indices count on from `first`, and every key points at inputs of its own row
    used = sorted(j for pair in keys.values() for j in pair if j >= 0)
    assert used == list(range(100, 100 + len(inputs)))
    sarakhs = keys[("transfer", "sarakhs", "rail 1520", "rail 1435")]
    assert inputs[sarakhs[1] - 100].name == "transfer:sarakhs:rail 1520>rail 1435:dwell_h"


def test_a_distribution_can_be_named_for_fixed_costs() -> None:
    spec = spec_from_mapping({"distributions": {"transfer_dwell_h": "uniform"}})
    assert spec.distribution("transfer_dwell_h").value == "uniform"


def test_a_route_takes_the_rows_it_pays(atlas: Atlas) -> None:
    _, keys = fixed_cost_inputs(atlas, EnsembleSpec(), first=0)
    network = build_network(atlas, year=2025)
    (route,) = find_routes(network, "chabahar", "nhava-sheva", by="time", k=1)
    entries = route_fixed_entries(atlas, route, keys)
    handling = [g for g in route.legs if g.kind == "handling"]
    lanes = [g for g in route.legs if g.kind == "link" and g.from_layer == "sea"]
    assert handling and lanes
    assert len(entries) == len(handling) + len(lanes) + sum(
        g.kind == "transfer" for g in route.legs
    )
    # the direct Chabahar-Nhava Sheva lane row (no wait for a sailing: 0 h), not the deep-sea
    # row (120 h)
    assert any(e.time_h == pytest.approx(0.0) for e in entries)
    assert not any(e.time_h == pytest.approx(120.0) for e in entries)
    fixed_money = sum(e.money_usd_per_t for e in entries)
    assert 0 < fixed_money < route.money_usd_per_t
    assert np.isclose(
        sum(e.time_h for e in entries), sum(g.dwell_h for g in route.legs if g.border_id is None)
    )
