"""Skims and OD matrices: each cell is the route Caravan finds; OMX files read back equal."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import openmatrix as omx
import pandas as pd
import pytest
from typer.testing import CliRunner

import caravan
from caravan.cli import app
from caravan.errors import NoRouteError, NotFoundError
from caravan.io.omx import write_skims_omx
from caravan.io.runs import write_run
from caravan.io.scenario import load_scenario
from caravan.model.atlas import Atlas
from caravan.pipeline import scenario_skims
from caravan.results.compare import compare_runs
from caravan.results.runs import run_scenario
from caravan.results.skims import SKIM_UNITS, skims

DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,year,basis,source_ids
amber-dune,amber,dune,container,1000000,2025,estimate: test,fixture
indigo-amber,indigo,amber,container,20000,2025,estimate: test,fixture
amber-garnet,amber,garnet,container,50000,2025,estimate: test,fixture
"""
SCENARIOS = {
    "base": "name: base\ndescription: as is\nyear: 2030\n",
    "rail": "name: rail\ndescription: open the railway\nbase: base\nopen_projects: [cobalt-link]\n",
}


def test_every_cell_is_the_least_cost_route(atlas: Atlas) -> None:
    result = scenario_skims("base", atlas=atlas)
    assert result.zone_ids == ("amber", "dune", "garnet", "indigo")
    m = result.matrices["container"]
    for i, origin in enumerate(result.zone_ids):
        for j, destination in enumerate(result.zone_ids):
            if i == j:
                assert all(m[name][i, j] == 0 for name in SKIM_UNITS)
                continue
            try:
                r = caravan.route(atlas, origin, destination, year=2030, commodity="container")[0]
            except NoRouteError:  # Garnet is only reached by a proposed road
                assert all(math.isnan(m[name][i, j]) for name in SKIM_UNITS)
                continue
            assert m["cost_usd_per_t"][i, j] == pytest.approx(r.cost_usd_per_t)
            assert m["time_h"][i, j] == pytest.approx(r.time_h)
            assert m["length_km"][i, j] == pytest.approx(r.length_km)
            assert m["money_usd_per_t"][i, j] == pytest.approx(r.money_usd_per_t)
    # The loop covers Indigo -> Amber, where the fixture forbids Indian cargo through Pakistan.


def test_skims_written_by_the_cli_read_back_with_openmatrix(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "skims.omx"
    result = CliRunner().invoke(
        app, ["skims", "base", "--out", str(out), "--atlas", str(atlas.path)]
    )
    assert result.exit_code == 0, result.output
    assert "4 x 4 zones" in result.output
    expected = scenario_skims("base", atlas=atlas)
    handle = omx.open_file(str(out))
    try:
        assert list(handle.root._v_attrs.zone_ids) == list(expected.zone_ids)
        assert handle.shape() == (4, 4)
        assert sorted(handle.list_matrices()) == sorted(
            f"{q}__{c}" for c in expected.commodity_ids for q in SKIM_UNITS
        )
        for c in expected.commodity_ids:
            for q in SKIM_UNITS:
                stored = np.array(handle[f"{q}__{c}"])
                np.testing.assert_array_equal(stored, expected.matrices[c][q])
                assert handle[f"{q}__{c}"].attrs.units == SKIM_UNITS[q]
        assert handle.mapping("zone_number") == {1: 0, 2: 1, 3: 2, 4: 3}
    finally:
        handle.close()


def test_skims_json_names_what_was_written(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "skims.omx"
    result = CliRunner().invoke(
        app, ["skims", "base", "--out", str(out), "--atlas", str(atlas.path), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output, parse_constant=_refuse)
    expected = scenario_skims("base", atlas=atlas)
    assert payload["path"] == str(out) and out.exists()
    assert payload["zone_ids"] == list(expected.zone_ids)
    assert payload["matrices"] == {c: sorted(SKIM_UNITS) for c in expected.commodity_ids}


def _refuse(name: str) -> None:
    raise AssertionError(f"non-strict JSON constant {name}")


def test_unknown_zone_is_refused(atlas: Atlas) -> None:
    with pytest.raises(NotFoundError, match="nowhere"):
        skims(atlas, year=2030, zone_ids=["amber", "nowhere"])


def test_run_folder_has_od_matrices_and_geo_layers(atlas: Atlas, tmp_path: Path) -> None:
    run = run_scenario(load_scenario("base", atlas), atlas=atlas)
    folder = write_run(run, tmp_path / "run")
    handle = omx.open_file(str(folder / "od.omx"))
    try:
        zones = list(handle.root._v_attrs.zone_ids)
        demand = np.array(handle["demand_tonnes_per_year__container"])
        assigned = np.array(handle["assigned_tonnes_per_year__container"])
    finally:
        handle.close()
    assert demand[zones.index("amber"), zones.index("dune")] == 1_000_000
    served = run.flows.set_index("flow_id")["served_tonnes_per_year"]
    assert assigned[zones.index("amber"), zones.index("dune")] == pytest.approx(
        served["amber-dune"]
    )
    assert assigned.sum() == pytest.approx(served.sum()) and demand.sum() == 1_070_000
    links = gpd.read_parquet(folder / "link_flows.geo.parquet")
    routes = gpd.read_parquet(folder / "routes.geo.parquet")
    assert links.crs.to_epsg() == 4326 and len(links) == len(atlas.links)
    assert set(routes.geometry.geom_type) == {"MultiLineString"} and len(routes) == len(run.routes)
    layers = gpd.list_layers(folder / "flows.gpkg")
    assert set(layers["name"]) == {"link_flows", "routes"}
    gpkg = gpd.read_file(folder / "flows.gpkg", layer="link_flows")
    pd.testing.assert_series_equal(
        gpkg.set_index("link_id")["tonnes_per_year"].sort_index(),
        run.link_flows.set_index("link_id")["tonnes_per_year"].sort_index(),
    )


def test_results_as_geodataframes(atlas: Atlas) -> None:
    a = run_scenario(load_scenario("base", atlas), atlas=atlas)
    b = run_scenario(load_scenario("rail", atlas), atlas=atlas)
    links = a.links_gdf()
    assert links.crs.to_epsg() == 4326 and "tonnes_ab" in links.columns
    assert links.set_index("link_id").geometry["r-amber-bolt"].coords[0] == (66.0, 41.0)
    change = compare_runs(a, b).links_gdf()
    assert "delta_tonnes" in change.columns and change.geometry.notna().all()
    assert a.routes_gdf()["flow_id"].tolist() == a.routes["flow_id"].tolist()


def test_skims_of_written_file_equal(atlas: Atlas, tmp_path: Path) -> None:
    s = skims(atlas, year=2025, zone_ids=["amber", "dune"], commodity_ids=["container"])
    path = write_skims_omx(s, tmp_path / "s.omx")
    handle = omx.open_file(str(path))
    try:
        assert handle.root._v_attrs.year == 2025
        np.testing.assert_array_equal(
            np.array(handle["time_h__container"]), s.matrices["container"]["time_h"]
        )
    finally:
        handle.close()


def test_skims_on_a_winter_day_close_khunjerab_and_say_so() -> None:
    """Skims are of the yearly network unless given a day; a day inside Khunjerab's winter
    closure (30 Nov - 1 May) skims that season, with the Karakoram Highway closed."""
    zones, commodity = ["kashgar", "islamabad"], ["container"]
    yearly = scenario_skims("baseline-2025", zone_ids=zones, commodity_ids=commodity)
    winter = scenario_skims(
        "baseline-2025", zone_ids=zones, commodity_ids=commodity, date="2025-01-15"
    )
    summer = scenario_skims(
        "baseline-2025", zone_ids=zones, commodity_ids=commodity, date="2025-06-15"
    )
    assert yearly.seasons.startswith("not applied: the yearly network without")
    assert "rd-gilgit-khunjerab-pass" in winter.seasons
    assert "rd-gilgit-khunjerab-pass" not in summer.seasons
    km = {s: float(s_.matrices["container"]["length_km"][0, 1]) for s, s_ in
          (("yearly", yearly), ("winter", winter), ("summer", summer))}  # fmt: skip
    assert km["summer"] == km["yearly"]
    assert km["winter"] > km["summer"] + 500  # round by the Kazakh or Tajik crossings
