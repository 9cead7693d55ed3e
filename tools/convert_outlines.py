"""Make ``src/caravan/data/countries.geojson`` from Natural Earth 1:50m (npm ``world-atlas`` 2.0.2).

Usage::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/convert_outlines.py package/countries-50m.json countries.geojson -25 -12 150 84 \\
        --iso3 iso3.json

``iso3.json`` maps ISO 3166-1 numeric codes to alpha-3 codes (made once with ``pycountry``:
``{c.numeric: c.alpha_3 for c in pycountry.countries}``); Kosovo (no ISO code) is ``XKX``.

Steps: read the TopoJSON ``countries`` layer, set EPSG:4326; unwrap every ring that crosses the
antimeridian (Russia's Chukotka, Fiji) to continuous longitudes and split it at 180°E, so no
polygon spans the whole globe; mend invalid shapes with ``make_valid``; clip to the box; snap
to a 0.001° grid; keep polygon parts; write compact GeoJSON sorted by name with properties
``iso_n3``, ``iso_a3`` and ``name``.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon, box


def _unwrap(ring: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], bool]:
    crosses = any(abs(b[0] - a[0]) > 180 for a, b in itertools.pairwise(ring))
    if not crosses:
        return ring, False
    return [(x + 360 if x < 0 else x, y) for x, y in ring], True


def _fix(geom: shapely.Geometry) -> shapely.Geometry:
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    out = []
    for poly in polys:
        shell, crossed = _unwrap(list(poly.exterior.coords))
        holes = [_unwrap(list(r.coords))[0] for r in poly.interiors]
        part = shapely.make_valid(Polygon(shell, holes))
        if crossed:
            east = part.intersection(box(-180, -90, 180, 90))
            west = translate(part.intersection(box(180, -90, 540, 90)), xoff=-360)
            part = shapely.union(east, west)
        out.append(part)
    return shapely.make_valid(shapely.union_all(out))


def _polygons(geom: shapely.Geometry) -> shapely.Geometry | None:
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, (Polygon, MultiPolygon))]
    flat = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    flat = [p for p in flat if not p.is_empty and p.area > 0]
    return MultiPolygon(flat) if len(flat) > 1 else (flat[0] if flat else None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("topojson")
    parser.add_argument("out")
    parser.add_argument("box", nargs=4, type=float)
    parser.add_argument("--iso3", required=True)
    args = parser.parse_args()
    iso3 = json.loads(Path(args.iso3).read_text(encoding="utf-8"))
    frame = gpd.read_file(args.topojson, layer="countries").set_crs(
        "EPSG:4326", allow_override=True
    )
    extent = box(*args.box)
    features = []
    for _, row in frame.iterrows():
        geom = _fix(row.geometry)
        if not geom.intersects(extent):
            continue
        clipped = shapely.set_precision(geom.intersection(extent), 0.001)
        clipped = _polygons(shapely.make_valid(clipped))
        if clipped is None:
            continue
        code = str(row["id"]) if row["id"] is not None else ""
        a3 = iso3.get(code) or ("XKX" if row["name"] == "Kosovo" else None)
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_n3": code, "iso_a3": a3, "name": row["name"]},
                "geometry": shapely.geometry.mapping(clipped),
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    text = _round(text)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(text)


def _round(text: str) -> str:
    import re

    return re.sub(r"(-?\d+\.\d{3})\d+", r"\1", text)


if __name__ == "__main__":
    main()
