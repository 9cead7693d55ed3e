"""Link geometry: the ``geometry`` column is read, checked, drawn and followed by routes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import caravan
from caravan.errors import AtlasValidationError
from caravan.io.atlas import load_atlas
from caravan.model.geodesy import geodesic_km, line_length_km
from caravan.model.geometry import parse_line_wkt
from tests._edits import atlas_copy

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"
# Amber (66.0 41.0) to Bolt (66.5 39.3), bending west through (65.8 40.2).
BENT = "LINESTRING (66.0 41.0, 65.8 40.2, 66.5 39.3)"


def _with_geometry(folder: Path, geometry: dict[str, str]) -> Path:
    path = folder / "links.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[0].append("geometry")
    for row in rows[1:]:
        row.append(geometry.get(row[0], ""))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return folder


def test_geometry_is_drawn_and_followed_by_routes(tmp_path: Path) -> None:
    atlas = load_atlas(
        _with_geometry(atlas_copy(ROUTE_ATLAS, tmp_path / "a"), {"r-amber-bolt": BENT})
    )
    gdf = atlas.links_gdf()
    bent = gdf.set_index("link_id").geometry["r-amber-bolt"]
    assert list(bent.coords) == [(66.0, 41.0), (65.8, 40.2), (66.5, 39.3)]
    assert len(gdf.set_index("link_id").geometry["r-bolt-cobalt"].coords) == 2
    # A route from Dune back to Amber travels the bent link backwards: its line is reversed.
    there = caravan.route(atlas, "Amber", "Dune")[0]
    back = caravan.route(atlas, "Dune", "Amber")[0]
    assert there.leg_lines[0] == parse_line_wkt(BENT)
    assert back.leg_lines[-1] == parse_line_wkt(BENT)[::-1]
    assert there.line[0] == (66.0, 41.0) and there.line[-1] == there.coordinates[-1]
    assert len(there.line) == len(there.coordinates) + 1  # one extra vertex: the bend
    frame = there.to_geodataframe()
    assert frame.crs.to_epsg() == 4326
    assert frame["link_id"].tolist() == list(there.link_ids)
    assert len(frame.geometry.iloc[0].coords) == 3
    assert there.to_feature()["geometry"]["coordinates"][1] == [65.8, 40.2]


@pytest.mark.parametrize(
    ("wkt", "fragment"),
    [
        ("LINESTRING (66.5 39.3, 65.8 40.2, 66.0 41.0)", "first vertex is 194 km from its node"),
        ("LINESTRING (66.0 41.0", "is not valid WKT"),
        ("POINT (66 41)", "is a Point, not a LINESTRING"),
        ("LINESTRING (66.0 41.0, 400 39.3)", "outside lon -360..360"),
    ],
)
def test_bad_geometry_is_a_problem(tmp_path: Path, wkt: str, fragment: str) -> None:
    folder = _with_geometry(atlas_copy(ROUTE_ATLAS, tmp_path / "a"), {"r-amber-bolt": wkt})
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(folder)
    hits = [p for p in info.value.problems if p.field == "geometry" and p.row == 2]
    assert any(fragment in p.message for p in hits), info.value


def test_length_below_the_drawn_line_is_a_problem(tmp_path: Path) -> None:
    # The bent line is about 210 km long; a 150 km link along it cannot be right.
    assert 200 < line_length_km(parse_line_wkt(BENT)) < 220
    folder = _with_geometry(atlas_copy(ROUTE_ATLAS, tmp_path / "a"), {"r-amber-bolt": BENT})
    text = (folder / "links.csv").read_text(encoding="utf-8")
    (folder / "links.csv").write_text(
        text.replace("amber,bolt,rail,1520,200", "amber,bolt,rail,1520,195")
    )
    load_atlas(folder)  # 195 >= 0.9 x 213: fine
    (folder / "links.csv").write_text(
        text.replace("amber,bolt,rail,1520,200", "amber,bolt,rail,1520,150")
    )
    with pytest.raises(AtlasValidationError, match="below the geometry's own length"):
        load_atlas(folder)


def test_geodesic_agrees_with_a_line_of_one_segment() -> None:
    assert line_length_km([(66.0, 41.0), (66.5, 39.3)]) == pytest.approx(
        geodesic_km(41.0, 66.0, 39.3, 66.5)
    )
