"""OpenStreetMap import: a small .osm.pbf with a break of gauge, a border post and a Caspian ferry
is imported, validated (with its gaps reported), filled, and routed across."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import osmium
import pandas as pd
import pytest

import caravan
from caravan.errors import InputError
from caravan.io.atlas import load_atlas, shipped_atlas_path
from caravan.io.atlas_import import import_atlas
from caravan.io.osm import BBox, read_osm
from caravan.model.geodesy import line_length_km

#: node id: (lon, lat, tags). Urumqi-Alashankou (1435 mm, China), the border post, Dostyk where
#: the 1520 mm line to Almaty and Aktau begins (Kazakhstan), the ferry Aktau-Baku, and the
#: trunk road Baku-Ganja (Azerbaijan).
NODES: dict[int, tuple[float, float, dict[str, str]]] = {
    1: (87.6, 43.8, {"railway": "station", "name": "Urumqi"}),
    2: (85.0, 44.6, {}),
    3: (82.7, 45.15, {"railway": "station", "name": "Alashankou"}),
    4: (82.45, 45.25, {"barrier": "border_control", "name": "Dostyk-Alashankou"}),
    5: (82.3, 45.3, {"railway": "station", "name": "Dostyk"}),
    6: (80.0, 44.5, {}),
    7: (76.9, 43.25, {"railway": "station", "name": "Almaty", "name:en": "Almaty"}),
    8: (70.0, 44.0, {}),
    9: (60.0, 44.5, {}),
    10: (55.2, 45.3, {}),
    11: (51.2, 43.65, {"name": "Aktau"}),
    12: (50.5, 42.0, {}),
    13: (49.87, 40.4, {"name": "Baku"}),
    14: (48.0, 40.6, {}),
    15: (46.36, 40.68, {"place": "city", "name": "Ganja"}),
    16: (76.5, 43.5, {}),
    17: (76.2, 43.6, {}),
    18: (77.0, 43.3, {}),
}
#: way id: (node ids, tags).
WAYS: dict[int, tuple[list[int], dict[str, str]]] = {
    100: ([1, 2, 3], {"railway": "rail", "gauge": "1435", "usage": "main", "start_date": "1990"}),
    101: ([3, 4, 5], {"railway": "rail", "gauge": "1435", "usage": "main"}),
    102: ([5, 6, 7], {"railway": "rail", "gauge": "1520", "electrified": "contact_line"}),
    103: ([7, 8, 9, 10, 11], {"railway": "rail", "gauge": "1520", "usage": "main"}),
    104: ([11, 12, 13], {"route": "ferry", "name": "Aktau-Baku ferry"}),
    105: ([13, 14, 15], {"highway": "trunk", "ref": "M2"}),
    106: ([7, 16, 17], {"railway": "disused", "gauge": "1520"}),
    107: ([7, 18], {"highway": "residential"}),  # not a freight road: skipped
    108: ([7, 18], {"railway": "rail", "gauge": "1520", "service": "yard"}),  # yard track: skipped
}


def write_fixture(path: Path, nodes: Any = NODES, ways: Any = WAYS) -> Path:
    """Write nodes and ways as an OSM file (the format follows the suffix, e.g. .osm.pbf)."""
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid, (lon, lat, tags) in sorted(nodes.items()):
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat), tags=tags))
        for wid, (refs, tags) in sorted(ways.items()):
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path


@pytest.fixture
def pbf(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "caspian.osm.pbf")


def _fill_borders(folder: Path, dwell_h: float, fee_usd_per_t: float) -> None:
    path = folder / "borders.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        for column in ("dwell_h_ab", "dwell_h_ba"):
            row[column] = str(dwell_h)
        for column in ("fee_usd_per_t_ab", "fee_usd_per_t_ba"):
            row[column] = str(fee_usd_per_t)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_osm_import_simplifies_and_measures(pbf: Path) -> None:
    network = read_osm(pbf)
    links = pd.DataFrame(network.tables.csv["links.csv"]).set_index("link_id")
    nodes = pd.DataFrame(network.tables.csv["nodes.csv"]).set_index("node_id")
    # Ways are cut at stations and the border post; vertices between stay as geometry.
    assert sorted(links.index) == [
        "osm-w100-0", "osm-w101-0", "osm-w101-1", "osm-w102-0", "osm-w103-0", "osm-w104-0",
        "osm-w105-0", "osm-w106-0",
    ]  # fmt: skip
    aktau = links.loc["osm-w103-0"]
    assert (aktau["from_node_id"], aktau["to_node_id"]) == ("osm-n7", "osm-n11")
    coords = [(NODES[n][0], NODES[n][1]) for n in (7, 8, 9, 10, 11)]
    assert aktau["length_km"] == pytest.approx(line_length_km(coords), abs=0.001)
    assert aktau["geometry"].count(",") == 4 and aktau["gauge_mm"] == 1520
    assert links.at["osm-w100-0", "open_year"] == 1990  # from start_date
    assert pd.isna(links.at["osm-w101-0", "open_year"])  # nothing assumed
    assert links.at["osm-w106-0", "status"] == "closed"
    assert links.at["osm-w104-0", "mode"] == "ferry"
    assert nodes.at["osm-n4", "kind"] == "border"
    assert nodes.at["osm-n11", "kind"] == "port"  # a ferry ends there
    assert nodes.at["osm-n5", "kind"] == "station" and nodes.at["osm-n5", "name"] == "Dostyk"


def test_import_validate_fill_and_route(pbf: Path, tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    result = import_atlas(pbf, out, fmt="osm", defaults=shipped_atlas_path(), assume_open_by=2000)
    # The border Alashankou (CHN) - Dostyk post (KAZ) is found; OSM gives no dwell or fee, so
    # validation asks for them (and, until they are there, counts the link as having no border
    # row), and for nothing else.
    assert result.n_borders == 1
    assert {(p.file, p.field) for p in result.problems} == {
        ("borders.csv", "dwell_h_ab"),
        ("borders.csv", "dwell_h_ba"),
        ("borders.csv", "fee_usd_per_t_ab"),
        ("borders.csv", "fee_usd_per_t_ba"),
        ("links.csv", "link_id"),
    }
    border = pd.read_csv(out / "borders.csv").iloc[0]
    assert (border["link_id"], border["country_a_iso3"], border["country_b_iso3"]) == (
        "osm-w101-0", "CHN", "KAZ",
    )  # fmt: skip
    _fill_borders(out, dwell_h=5.0, fee_usd_per_t=10.0)
    atlas = load_atlas(out)
    r = caravan.route(atlas, "Urumqi", "Ganja", year=2025, by="time")[0]
    assert r.link_ids == (
        "osm-w100-0", "osm-w101-0", "osm-w101-1", "osm-w102-0", "osm-w103-0", "osm-w104-0",
        "osm-w105-0",
    )  # fmt: skip
    assert r.countries == ("CHN", "KAZ", "AZE")
    assert [b.border_id for b in r.borders] == ["b-osm-w101-0"]
    changes = [
        (t.name, t.from_mode, t.from_gauge_mm, t.to_mode, t.to_gauge_mm) for t in r.transfers
    ]
    assert changes == [
        ("Dostyk", "rail", 1435, "rail", 1520),  # the break of gauge
        ("Aktau", "rail", 1520, "ferry", None),
        ("Baku", "ferry", None, "road", None),
    ]
    # The route follows the OSM geometry: every vertex of every way travelled.
    assert r.line == tuple((NODES[n][0], NODES[n][1]) for n in range(1, 16))
    gdf = r.to_geodataframe()
    assert gdf.geometry.iloc[4].coords[2] == (60.0, 44.5)


def test_bbox_and_modes_filter(pbf: Path) -> None:
    only_rail = read_osm(pbf, modes=["rail"]).tables.csv["links.csv"]
    assert {link["mode"] for link in only_rail} == {"rail"}
    west = read_osm(pbf, bbox=BBox.parse("45,39,52,44")).tables.csv["links.csv"]
    assert sorted(link["link_id"] for link in west) == ["osm-w103-0", "osm-w104-0", "osm-w105-0"]
    with pytest.raises(InputError, match="unknown OSM import mode"):
        read_osm(pbf, modes=["air"])
    with pytest.raises(InputError, match="W,S,E,N"):
        BBox.parse("1,2,3")
