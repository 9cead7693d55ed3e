"""The tables of a run, on hand-made routes: land transit, and transit by country."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from caravan.model.modes import BUILT_IN_TRAITS
from caravan.results.run_tables import country_transit, land_countries


def _leg(kind: str, layer: str, a: str, b: str) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, from_layer=layer, from_iso3=a, to_iso3=b)


def _part(iso3: str, km: float, usd: float) -> SimpleNamespace:
    return SimpleNamespace(iso3=iso3, length_km=km, money_usd_per_t=usd)


def test_a_ship_calling_at_a_port_is_not_transit() -> None:
    # Karachi -> Mundra -> Port Said -> Rotterdam by sea: no land transit anywhere.
    voyage = SimpleNamespace(
        legs=[
            _leg("link", "sea", "PAK", "IND"),
            _leg("link", "sea", "IND", "EGY"),
            _leg("link", "sea", "EGY", "NLD"),
        ]
    )
    assert land_countries(voyage) == set()
    # Unloaded at Bandar Abbas onto rail to Sarakhs: Iran is crossed on land.
    landed = SimpleNamespace(
        legs=[
            _leg("link", "sea", "IND", "IRN"),
            _leg("transfer", "sea", "IRN", "IRN"),
            _leg("link", "rail 1435", "IRN", "IRN"),
            _leg("link", "rail 1520", "IRN", "TKM"),
        ]
    )
    assert land_countries(landed) == {"IRN", "TKM"}


def test_transit_goes_to_the_countries_crossed_on_land_with_neither_end_there() -> None:
    # Tashkent (UZB) -> Kabul (AFG) -> Karachi (PAK), 1,000 t a year, with a sea leg via
    # Oman tacked on at the end to check that a country passed at sea earns no transit.
    route: Any = SimpleNamespace(
        node_ids=("tashkent", "kabul", "karachi", "muscat"),
        legs=[
            _leg("link", "rail 1520", "UZB", "AFG"),
            _leg("link", "road", "AFG", "PAK"),
            _leg("link", "sea", "PAK", "OMN"),
        ],
        by_country=[
            _part("UZB", 100.0, 5.0),
            _part("AFG", 600.0, 40.0),
            _part("PAK", 900.0, 30.0),
            _part("OMN", 50.0, 2.0),
        ],
    )
    world: Any = SimpleNamespace(
        countries=["AFG", "IRN", "OMN", "PAK", "UZB"], mode_traits=BUILT_IN_TRAITS, markets={}
    )
    node_country = {"tashkent": "UZB", "kabul": "AFG", "karachi": "PAK", "muscat": "OMN"}
    rows = [{"flow_id": "f1", "rank": 1, "route": route}]
    table = country_transit(world, rows, np.array([1000.0]), node_country).set_index("country_iso3")
    # The same route to a market region that Karachi's country belongs to: no Pakistani transit.
    world.markets = {"muscat": ("OMN", "PAK")}
    market = country_transit(world, rows, np.array([1000.0]), node_country)
    market = market.set_index("country_iso3")
    assert market.loc["PAK", "transit_tonnes"] == 0.0
    assert market.loc["PAK", "domestic_revenue_usd"] == 30_000.0
    assert market.loc["AFG", "transit_tonnes"] == 1000.0
    assert table.loc["AFG", "transit_tonnes"] == 1000.0
    assert table.loc["AFG", "transit_tkm"] == 600_000.0
    assert table.loc["AFG", "transit_revenue_usd"] == 40_000.0
    assert table.loc["PAK", "transit_tonnes"] == 1000.0  # crossed on land to the port
    assert table.loc["OMN", "transit_tonnes"] == 0.0  # the destination, reached by sea
    assert table.loc["OMN", "destination_tonnes"] == 1000.0
    assert table.loc["OMN", "domestic_revenue_usd"] == 2000.0
    assert table.loc["UZB", "origin_tonnes"] == 1000.0
    assert table.loc["UZB", "transit_tonnes"] == 0.0
    assert table.loc["IRN"].sum() == pytest.approx(0.0)  # every country has a row
    assert list(table.index[:2]) == ["AFG", "PAK"]  # most transit first


def test_the_corridors_a_route_runs_on_are_those_it_covers_half_of() -> None:
    from pathlib import Path

    from caravan.io.atlas import load_atlas
    from caravan.results.run_tables import corridors_run_on

    atlas = load_atlas(Path(__file__).parents[1] / "data" / "route-atlas")
    ids = ("southern-corridor", "cobalt-link")
    # the southern corridor is 900 km of rail (its sea lane is open water, not measured)
    assert corridors_run_on(atlas, ids, ["r-amber-ember", "r-ember-fjord"]) == (
        "southern-corridor",
    )
    assert corridors_run_on(atlas, ids, ["r-amber-ember"]) == ("southern-corridor",)  # 500
    assert corridors_run_on(atlas, ids, ["r-ember-fjord", "s-fjord-harbor"]) == ()  # 400
    assert corridors_run_on(atlas, ids, ["r-amber-ember"], min_length_share=0.6) == ()
    assert corridors_run_on(atlas, ids, ["r-bolt-cobalt", "r-cobalt-dune"]) == ("cobalt-link",)


# One corridor of 300 links of mixed lengths and loads, summed in a child process: a sum
# taken in set (hash) order changes in its last digits with PYTHONHASHSEED.
_SUM_IN_A_CHILD = """
from types import SimpleNamespace
import numpy as np
import pandas as pd
from caravan.claims.draws import ScenarioDraws
from caravan.model.modes import BUILT_IN_TRAITS
from caravan.results.run_tables import corridor_flows, corridors_run_on

rng = np.random.default_rng(7)
ids = [f"l{i:03d}" for i in range(300)]
km = dict(zip(ids, (rng.random(300) * 10.0 ** rng.integers(-3, 4, 300)).tolist()))
links = pd.DataFrame({"link_id": ids, "length_km": list(km.values()), "mode": "rail"})
project = SimpleNamespace(project_id="p", name="P", kind=SimpleNamespace(value="corridor"),
                          link_ids=tuple(ids))
world = SimpleNamespace(links_frame=links, projects=[project], mode_traits=BUILT_IN_TRAITS)
routes = [tuple(ids[:200]), tuple(ids[50:]), tuple(ids[::3])]
rows = [{"route": SimpleNamespace(link_ids=r)} for r in routes]
table = corridor_flows(world, rows, np.array([1.1e6, 2.3e5, 7.7e4]))
draws = ScenarioDraws((), tuple(routes), np.zeros((1, 0, 3)),
                      np.array([[1.1e6, 2.3e5, 7.7e4]]), np.array([True]))
print(table.drop(columns=["project_id", "name", "kind"]).to_numpy(dtype=float).tobytes().hex())
print(draws.project(set(ids), km, "tkm_per_year").tobytes().hex())
print(corridors_run_on(world, ["p"], ids[:150], min_length_share=0.5))
"""


def test_corridor_sums_are_the_same_to_the_bit_whatever_the_hash_seed() -> None:
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SUM_IN_A_CHILD],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
