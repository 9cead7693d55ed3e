"""GMNS round trip: export an atlas, import it back, find the same routes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import caravan
from caravan.errors import InputError
from caravan.io.atlas import load_atlas, shipped_atlas_path
from caravan.io.atlas_import import import_atlas
from caravan.io.export import export_atlas
from caravan.model.atlas import Atlas

PAIRS = [
    ("Tashkent", "Karachi"),
    ("Termez", "Mazar-i-Sharif"),
    ("Almaty", "Istanbul"),
    ("Mumbai", "Moscow"),
    ("Urumqi", "Tehran"),
]


def _summary(atlas: Atlas, origin: str, destination: str) -> tuple[object, ...]:
    r = caravan.route(atlas, origin, destination, year=2025)[0]
    return r.link_ids, round(r.cost_usd_per_t, 6), round(r.time_h, 6), round(r.length_km, 6)


@pytest.mark.slow
def test_shipped_atlas_round_trips_through_gmns(tmp_path: Path) -> None:
    atlas = load_atlas()
    export_atlas(atlas, tmp_path / "gmns", fmt="gmns")
    result = import_atlas(tmp_path / "gmns", tmp_path / "back", fmt="gmns")
    assert result.problems == ()
    back = load_atlas(result.out)
    assert len(back.links) == len(atlas.links) and len(back.nodes) == len(atlas.nodes)
    cols = ["link_id", "from_node_id", "to_node_id", "mode", "length_km", "status", "oneway"]
    pd.testing.assert_frame_equal(
        atlas.links[cols].reset_index(drop=True), back.links[cols].reset_index(drop=True)
    )
    assert (back.links["speed_basis"] == atlas.links["speed_basis"]).all()
    for origin, destination in PAIRS:
        assert _summary(back, origin, destination) == _summary(atlas, origin, destination)


def test_tiny_atlas_round_trips(tiny_atlas: Atlas, tmp_path: Path) -> None:
    export_atlas(tiny_atlas, tmp_path / "gmns", fmt="gmns")
    result = import_atlas(tmp_path / "gmns", tmp_path / "back", fmt="gmns")
    assert result.problems == ()
    back = load_atlas(result.out)
    assert back.link_lines == tiny_atlas.link_lines
    origin, destination = "Herat", "Nhava Sheva"
    assert _summary(back, origin, destination) == _summary(tiny_atlas, origin, destination)


def _foreign_gmns(folder: Path, *, config: bool = True) -> Path:
    """A GMNS network from another tool: miles and mph, no Caravan columns."""
    folder.mkdir()
    (folder / "node.csv").write_text(
        "node_id,name,x_coord,y_coord,node_type\n"
        "1,Termez,67.278,37.224,city\n"
        "2,Hairatan,67.417,36.998,\n"
        "3,Mazar,67.11,36.709,city\n"
    )
    (folder / "link.csv").write_text(
        "link_id,from_node_id,to_node_id,directed,length,free_speed,allowed_uses,geometry\n"
        '1,1,2,false,17.4,31.07,rail,"LINESTRING (67.278 37.224, 67.35 37.1, 67.417 36.998)"\n'
        "2,2,3,true,46.6,24.85,truck,\n"
    )
    if config:
        (folder / "config.csv").write_text(
            "dataset_name,long_length,speed,crs\nAmu Darya,mi,mph,EPSG:4326\n"
        )
    return folder


def test_foreign_gmns_converts_units_and_reports_what_to_fill(tmp_path: Path) -> None:
    source = _foreign_gmns(tmp_path / "g")
    result = import_atlas(source, tmp_path / "atlas", fmt="gmns")
    links = pd.read_csv(tmp_path / "atlas" / "links.csv").set_index("link_id")
    assert links.at["g1", "length_km"] == pytest.approx(17.4 * 1.609344)
    assert links.at["g1", "speed_kmh"] == pytest.approx(31.07 * 1.609344)
    assert links.at["g2", "mode"] == "road" and bool(links.at["g2", "oneway"])
    assert links.at["g1", "geometry"].startswith("LINESTRING (67.278 37.224, 67.35 37.1")
    nodes = pd.read_csv(tmp_path / "atlas" / "nodes.csv").set_index("node_id")
    assert set(nodes["country_iso3"]) == {"UZB", "AFG"}  # from the outlines
    found = {(p.file, p.field) for p in result.problems}
    # Nothing GMNS cannot say is filled in: status, tariffs, border dwell and fees.
    assert ("links.csv", "status") in found
    assert ("modes.yaml", "tariff_usd_per_tkm") in found
    assert ("borders.csv", "dwell_h_ab") in found and ("borders.csv", "fee_usd_per_t_ba") in found
    assert result.n_borders == 1  # Termez (UZB) - Hairatan (AFG); Hairatan - Mazar is in AFG


def test_foreign_gmns_routes_once_filled(tmp_path: Path) -> None:
    source = _foreign_gmns(tmp_path / "g")
    result = import_atlas(
        source, tmp_path / "atlas", fmt="gmns", status="operational", defaults=shipped_atlas_path()
    )
    left = {(p.file, p.field) for p in result.problems}
    assert ("links.csv", "status") not in left and ("modes.yaml", "tariff_usd_per_tkm") not in left
    assert ("links.csv", "open_year") in left  # operational, but GMNS gives no opening year
    assert ("links.csv", "gauge_mm") in left  # a rail link, and GMNS has no gauge


def test_gmns_without_units_is_refused(tmp_path: Path) -> None:
    source = _foreign_gmns(tmp_path / "g", config=False)
    with pytest.raises(InputError, match=r"config\.csv"):
        import_atlas(source, tmp_path / "atlas", fmt="gmns")


def test_gmns_without_required_columns_is_refused(tmp_path: Path) -> None:
    source = _foreign_gmns(tmp_path / "g")
    (source / "node.csv").write_text("node_id,name\n1,Termez\n")
    with pytest.raises(InputError, match="x_coord, y_coord"):
        import_atlas(source, tmp_path / "atlas", fmt="gmns")
