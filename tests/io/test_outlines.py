"""The shipped country outlines: valid polygons, each within its Natural Earth extent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point

from caravan.io.outlines import countries_at, read_outlines

#: Each country's lon/lat extent in Natural Earth 1:50m (world-atlas 2.0.2), measured with rings
#: that cross the antimeridian unwrapped to continuous longitudes (so Russia runs 19.6-190.3°E).
EXTENTS = json.loads(
    (Path(__file__).parents[1] / "data" / "natural-earth-50m-extents.json").read_text()
)
#: The box the shipped outlines are clipped to (data/README.md).
BOX = (-25.0, -12.0, 150.0, 84.0)
#: Snapping to a 0.001° grid can move an edge by half a step.
TOL = 0.001


def test_every_country_polygon_is_valid_and_within_its_extent() -> None:
    outlines = read_outlines()
    assert len(outlines) == len(EXTENTS) == 161
    for name, geom in zip(outlines["name"], outlines.geometry, strict=True):
        assert geom.is_valid and not geom.is_empty, name
        assert geom.geom_type in ("Polygon", "MultiPolygon"), name
        west, south, east, north = geom.bounds
        ext = EXTENTS[name]
        assert west >= max(ext[0], BOX[0]) - TOL, (name, geom.bounds, ext)
        assert south >= max(ext[1], BOX[1]) - TOL, (name, geom.bounds, ext)
        assert east <= min(ext[2], BOX[2]) + TOL, (name, geom.bounds, ext)
        assert north <= min(ext[3], BOX[3]) + TOL, (name, geom.bounds, ext)


def test_russia_is_whole_and_stays_out_of_scandinavia() -> None:
    outlines = read_outlines().set_index("name")
    russia = outlines.geometry["Russia"]
    # The old file cut the mainland at 65.05°N and drew a sliver across Norway and Finland.
    for lon, lat in [(100.0, 66.0), (130.0, 70.0), (60.0, 68.0), (37.6, 55.75)]:
        assert russia.contains(Point(lon, lat)), (lon, lat)
    for lon, lat in [(10.0, 67.0), (25.0, 66.0), (18.0, 68.5), (-20.0, 66.0)]:
        assert not russia.contains(Point(lon, lat)), (lon, lat)
    assert outlines.geometry["Norway"].contains(Point(10.0, 62.0))


@pytest.mark.parametrize(
    ("lon", "lat", "iso3"),
    [(69.17, 34.52, "AFG"), (37.6, 55.75, "RUS"), (66.9, 39.65, "UZB"), (60.0, 20.0, None)],
)
def test_countries_at(lon: float, lat: float, iso3: str | None) -> None:
    assert countries_at([lon], [lat]) == [iso3]
