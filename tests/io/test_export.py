"""GeoJSON, GeoPackage and GMNS exports read back with every layer, row and attribute."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from caravan.errors import InputError
from caravan.io.export import ExportFormat, export_atlas, gis_layers, gmns_tables
from caravan.model.atlas import Atlas


def test_gis_layers_flatten_lists(tiny_atlas: Atlas) -> None:
    layers = gis_layers(tiny_atlas)
    nodes = layers["nodes"].set_index("node_id")
    assert nodes.at["chabahar", "source_ids"] == "tiny-gazetteer;umarova-2025-chabahar-gwadar"
    assert nodes.at["zaranj", "aliases"] == "Zarang;Nimroz crossing"
    links = layers["links"].set_index("link_id")
    assert links.at["r-chabahar-zahedan", "project_ids"] == "chabahar-zahedan"
    assert len(layers["projects"]) == 3 and len(layers["borders"]) == 2


def test_geopackage_round_trip(tiny_atlas: Atlas, tmp_path: Path) -> None:
    (path,) = export_atlas(tiny_atlas, tmp_path / "tiny", fmt="gpkg")
    assert path.name == "tiny.gpkg"
    layers = {str(name): kind for name, kind in pyogrio.list_layers(path)}
    assert layers == {
        "nodes": "Point",
        "links": "LineString",
        "borders": "LineString",
        "projects": "MultiLineString",
        "sources": None,
    }
    nodes = pyogrio.read_dataframe(path, layer="nodes")
    assert len(nodes) == 8
    assert nodes.crs.to_epsg() == 4326
    assert set(tiny_atlas.nodes.columns) <= set(nodes.columns)
    links = pyogrio.read_dataframe(path, layer="links")
    assert len(links) == 9
    assert set(tiny_atlas.links.columns) <= set(links.columns)
    herat = links.set_index("link_id").loc["d-delaram-herat"]
    assert herat["length_km"] == 330 and herat["source_ids"] == "est-gc-circuity"
    assert list(herat.geometry.coords) == [(63.431, 32.164), (62.204, 34.353)]
    sources = pyogrio.read_dataframe(path, layer="sources", read_geometry=False)
    assert set(sources["source_id"]) == {
        "umarova-2025-chabahar-gwadar",
        "tiny-gazetteer",
        "est-gc-circuity",
    }


def test_geojson_round_trip(tiny_atlas: Atlas, tmp_path: Path) -> None:
    written = export_atlas(tiny_atlas, tmp_path / "gj", fmt=ExportFormat.GEOJSON)
    assert {p.name for p in written} == {
        "nodes.geojson",
        "links.geojson",
        "borders.geojson",
        "projects.geojson",
        "sources.csv",
    }
    data = json.loads((tmp_path / "gj" / "links.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 9
    props = {f["properties"]["link_id"]: f["properties"] for f in data["features"]}
    assert props["r-chabahar-zahedan"]["gauge_mm"] == 1435
    assert props["d-milak-zaranj"]["notes"] == "Silk Bridge over the Helmand"
    nodes = pyogrio.read_dataframe(tmp_path / "gj" / "nodes.geojson")
    assert len(nodes) == 8 and "coord_basis" in nodes.columns
    assert len(pd.read_csv(tmp_path / "gj" / "sources.csv")) == 3


def test_gmns_tables(tiny_atlas: Atlas) -> None:
    tables = gmns_tables(tiny_atlas)
    node, link = tables["node"], tables["link"]
    assert list(node["node_id"]) == list(range(1, 9))
    assert pd.api.types.is_integer_dtype(link["from_node_id"])
    ids = dict(zip(node["caravan_node_id"], node["node_id"], strict=True))
    both = link[link["caravan_link_id"] == "d-delaram-herat"]
    # A two-way link gives two directed GMNS links, the from-to direction first.
    assert both["directed"].tolist() == [True, True] and both["dir_flag"].tolist() == [1, -1]
    assert list(zip(both["from_node_id"], both["to_node_id"], strict=True)) == [
        (ids["delaram"], ids["herat"]),
        (ids["herat"], ids["delaram"]),
    ]
    row = both.iloc[0]
    assert row["length"] == 330 and row["allowed_uses"] == "road"
    assert row["free_speed"] == 45  # the road default from modes.yaml, marked as such
    assert row["speed_basis"] == "mode default"
    assert set(tables["use_definition"]["use"]) == set(link["allowed_uses"])
    assert tables["config"].at[0, "long_length"] == "km"
    assert tables["config"].at[0, "speed"] == "km/h"


def test_gmns_toll_is_the_border_fee_each_way(tiny_atlas: Atlas) -> None:
    link = gmns_tables(tiny_atlas)["link"]
    borders = tiny_atlas.borders.set_index("link_id")
    for link_id, border in borders.iterrows():
        tolls = link.loc[link["caravan_link_id"] == link_id, "toll"].tolist()
        assert tolls == [border["fee_usd_per_t_ab"], border["fee_usd_per_t_ba"]]
    assert link.loc[~link["caravan_link_id"].isin(borders.index), "toll"].isna().all()


def test_gmns_files_follow_the_spec(tiny_atlas: Atlas, tmp_path: Path) -> None:
    export_atlas(tiny_atlas, tmp_path / "gmns", fmt="gmns")
    node = pd.read_csv(tmp_path / "gmns" / "node.csv")
    link = pd.read_csv(tmp_path / "gmns" / "link.csv")
    uses = pd.read_csv(tmp_path / "gmns" / "use_definition.csv")
    assert {"node_id", "name", "x_coord", "y_coord", "node_type"} <= set(node.columns)
    assert {"link_id", "from_node_id", "to_node_id", "directed", "dir_flag", "length",
            "free_speed", "allowed_uses", "toll", "geometry"} <= set(link.columns)  # fmt: skip
    assert {"use", "persons_per_vehicle", "pce", "special_conditions", "description"} == set(
        uses.columns
    )
    # No value twice: the atlas columns that GMNS columns already hold are not repeated.
    for duplicate in ("length_km", "speed_kmh", "mode", "facility_type", "capacity", "lat", "lon"):
        assert duplicate not in link.columns and duplicate not in node.columns, duplicate
    n_two_way = int((~tiny_atlas.links["oneway"]).sum())
    assert len(node) == 8 and len(link) == len(tiny_atlas.links) + n_two_way
    assert link["directed"].all()
    assert set(link["from_node_id"]) | set(link["to_node_id"]) <= set(node["node_id"])
    assert link.set_index("caravan_link_id").loc["d-delaram-herat", "open_year"].tolist() == [
        1970,
        1970,
    ]
    assert "1970.0" not in (tmp_path / "gmns" / "link.csv").read_text(encoding="utf-8")
    readme = (tmp_path / "gmns" / "README.txt").read_text(encoding="utf-8")
    assert "km/h" in readme and "USD per tonne" in readme
    assert (tmp_path / "gmns" / "caravan" / "borders.csv").is_file()


def test_export_overwrites_atomically(tiny_atlas: Atlas, tmp_path: Path) -> None:
    export_atlas(tiny_atlas, tmp_path / "g", fmt="gmns")
    export_atlas(tiny_atlas, tmp_path / "g", fmt="gmns")
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == [
        "README.txt",
        "caravan",
        "config.csv",
        "link.csv",
        "node.csv",
        "use_definition.csv",
    ]
    export_atlas(tiny_atlas, tmp_path / "x.gpkg", fmt="gpkg")
    export_atlas(tiny_atlas, tmp_path / "x.gpkg", fmt="gpkg")
    assert len(pyogrio.read_dataframe(tmp_path / "x.gpkg", layer="nodes")) == 8
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_unknown_format(tiny_atlas: Atlas, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown export format 'shp'"):
        export_atlas(tiny_atlas, tmp_path, fmt="shp")


def test_folder_export_onto_a_file(tiny_atlas: Atlas, tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is a file"):
        export_atlas(tiny_atlas, target, fmt="gmns")


def test_unwritable_place_is_an_input_error(tiny_atlas: Atlas, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write"):
        export_atlas(tiny_atlas, blocker / "sub" / "out.gpkg", fmt="gpkg")
