"""GeoJSON and plain JSON of the atlas, routes, flows and comparisons, for the web API.

Every function here is pure: it reads an :class:`~caravan.model.atlas.Atlas` (and a result) and
returns JSON-ready dictionaries: no NaN, no numpy scalars, no tuples. Links are drawn as straight
segments between their two places (the atlas stores no line shapes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from caravan.model.atlas import Atlas
from caravan.model.plain import to_plain

__all__ = [
    "FLOW_COLUMNS",
    "AtlasIndex",
    "atlas_index",
    "atlas_links_geojson",
    "atlas_nodes_geojson",
    "bounding_box",
    "comparison_links_geojson",
    "flow_records",
    "flows_geojson",
    "plain",
    "project_records",
    "projects_geojson",
    "route_geojson",
    "source_records",
]

FeatureCollection = dict[str, Any]

#: Columns of a run's link flows that the API gives, after ``link_id`` (those the run has).
FLOW_COLUMNS = ("tonnes_per_year", "tonnes_ab", "tonnes_ba", "capacity_mtpa", "vc_ratio")


def plain(value: Any) -> Any:
    """A value made JSON-ready (see :func:`caravan.model.plain.to_plain`).

    Examples
    --------
    >>> plain({"a": (1, float("nan")), "b": 3})
    {'a': [1, None], 'b': 3}
    """
    return to_plain(value)


def _collection(features: list[dict[str, Any]]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": features}


def _coords(atlas: Atlas) -> dict[str, tuple[float, float]]:
    nodes = atlas.nodes_frame
    return {
        str(n): (round(float(lon), 5), round(float(lat), 5))
        for n, lon, lat in zip(
            nodes["node_id"].tolist(), nodes["lon"].tolist(), nodes["lat"].tolist(), strict=True
        )
    }


@dataclasses.dataclass(frozen=True)
class AtlasIndex:
    """Look-ups of an atlas that drawing links needs, built once (plain dicts, fast to read).

    Parameters
    ----------
    coords : dict
        ``node_id -> (lon, lat)``, rounded to 5 decimals.
    link_mode, link_status : dict
        ``link_id -> mode`` and ``link_id -> status``.
    link_ends : dict
        ``link_id -> (from_node_id, to_node_id)``.
    """

    coords: dict[str, tuple[float, float]]
    link_mode: dict[str, str]
    link_status: dict[str, str]
    link_ends: dict[str, tuple[str, str]]


def atlas_index(atlas: Atlas) -> AtlasIndex:
    """The look-ups of :class:`AtlasIndex` for an atlas."""
    links = atlas.links_frame
    ids = [str(v) for v in links["link_id"].tolist()]
    ends = zip(
        map(str, links["from_node_id"].tolist()),
        map(str, links["to_node_id"].tolist()),
        strict=True,
    )
    return AtlasIndex(
        coords=_coords(atlas),
        link_mode=dict(zip(ids, map(str, links["mode"].tolist()), strict=True)),
        link_status=dict(zip(ids, map(str, links["status"].tolist()), strict=True)),
        link_ends=dict(zip(ids, ends, strict=True)),
    )


def bounding_box(points: Iterable[Sequence[float]]) -> list[float] | None:
    """``[west, south, east, north]`` of ``(lon, lat)`` points, or ``None`` for no points.

    Examples
    --------
    >>> bounding_box([(60.5, 25.0), (72.9, 18.9)]), bounding_box([])
    ([60.5, 18.9, 72.9, 25.0], None)
    """
    xy = list(points)
    if not xy:
        return None
    return [
        min(p[0] for p in xy),
        min(p[1] for p in xy),
        max(p[0] for p in xy),
        max(p[1] for p in xy),
    ]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def atlas_nodes_geojson(atlas: Atlas) -> FeatureCollection:
    """Places as GeoJSON points, with every column of ``nodes.csv`` as properties.

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> tiny = Path(caravan.__file__).parents[2] / "tests/data/tiny-atlas"
    >>> from caravan.io.atlas import load_atlas
    >>> fc = atlas_nodes_geojson(load_atlas(tiny))
    >>> fc["features"][0]["properties"]["node_id"], fc["features"][0]["geometry"]["type"]
    ('nhava-sheva', 'Point')
    """
    features = []
    for row in _records(atlas.nodes_frame):
        features.append(
            {
                "type": "Feature",
                "id": row["node_id"],
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": row,
            }
        )
    return _collection(features)


def atlas_links_geojson(atlas: Atlas) -> FeatureCollection:
    """Links as GeoJSON line segments, with every column of the links table as properties.

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> tiny = Path(caravan.__file__).parents[2] / "tests/data/tiny-atlas"
    >>> from caravan.io.atlas import load_atlas
    >>> fc = atlas_links_geojson(load_atlas(tiny))
    >>> sorted({f["properties"]["mode"] for f in fc["features"]})
    ['rail', 'road', 'sea']
    """
    features = []
    lines = atlas.link_lines
    for row in _records(atlas.links_frame.drop(columns="geometry", errors="ignore")):
        line = [list(c) for c in lines[row["link_id"]]]
        features.append(
            {
                "type": "Feature",
                "id": row["link_id"],
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": row,
            }
        )
    return _collection(features)


def project_records(atlas: Atlas) -> list[dict[str, Any]]:
    """Projects and corridors as plain records, each with the bounding box of its links.

    ``bbox`` is ``[west, south, east, north]`` in degrees, or ``None`` for a project with no
    links in the atlas.
    """
    return _project_records(atlas, atlas_index(atlas))


def _project_records(atlas: Atlas, index: AtlasIndex) -> list[dict[str, Any]]:
    xy, ends = index.coords, index.link_ends
    out = []
    for project in atlas.projects:
        record = plain(project)
        record["bbox"] = bounding_box(
            xy[n] for lid in project.link_ids if lid in ends for n in ends[lid]
        )
        out.append(record)
    return out


def projects_geojson(atlas: Atlas) -> FeatureCollection:
    """Projects and corridors as GeoJSON multi-lines (one feature each) with their attributes."""
    index = atlas_index(atlas)
    xy, ends = index.coords, index.link_ends
    features = []
    for record, project in zip(_project_records(atlas, index), atlas.projects, strict=True):
        lines = [
            [list(xy[ends[lid][0]]), list(xy[ends[lid][1]])]
            for lid in project.link_ids
            if lid in ends
        ]
        features.append(
            {
                "type": "Feature",
                "id": project.project_id,
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": record,
            }
        )
    return _collection(features)


def source_records(atlas: Atlas) -> list[dict[str, Any]]:
    """Sources as plain records (id, title, publisher, date, URL, what each supports)."""
    out = []
    for source in atlas.sources:
        record = plain(source)
        record["extra"] = {str(k): v for k, v in source.extra}
        out.append(record)
    return out


def route_geojson(
    atlas: Atlas, route: Mapping[str, Any], *, index: AtlasIndex | None = None
) -> FeatureCollection:
    """A route as GeoJSON: one line feature per link travelled, in travel order.

    Parameters
    ----------
    atlas : Atlas
        The atlas the route was found on.
    route : mapping
        A route record (``Route.to_dict()``): its ``legs`` give each link with the direction
        travelled; ``rank`` is kept on every feature.
    index : AtlasIndex, optional
        The atlas's look-ups, when already built (a web app keeps one).

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> tiny = Path(caravan.__file__).parents[2] / "tests/data/tiny-atlas"
    >>> from caravan.io.atlas import load_atlas
    >>> atlas = load_atlas(tiny)
    >>> leg = {"kind": "link", "link_id": "s-nhava-sheva-chabahar", "from_node_id": "chabahar",
    ...        "to_node_id": "nhava-sheva", "length_km": 1560.0}
    >>> fc = route_geojson(atlas, {"rank": 1, "legs": [leg]})
    >>> fc["features"][0]["geometry"]["coordinates"]
    [[60.643, 25.292], [72.95, 18.95]]
    """
    index = index or atlas_index(atlas)
    modes, statuses = index.link_mode, index.link_status
    features = []
    seq = 0
    for leg in route.get("legs", ()):
        link_id = leg.get("link_id")
        if leg.get("kind", "link") != "link" or link_id is None:
            continue
        seq += 1
        a, b = str(leg["from_node_id"]), str(leg["to_node_id"])
        props = {
            k: v for k, v in leg.items() if k not in ("project_ids", "corridor_ids", "seq", "kind")
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": _drawn(atlas, link_id, a, b)},
                "properties": {
                    "rank": route.get("rank", 1),
                    "seq": seq,
                    **props,
                    "mode": str(modes.get(link_id, "")),
                    "status": str(statuses.get(link_id, "")),
                },
            }
        )
    return _collection(features)


def _drawn(atlas: Atlas, link_id: str, from_id: str, to_id: str) -> list[list[float]]:
    """A link's drawn line (its geometry, or straight) from ``from_id`` towards ``to_id``."""
    line = atlas.link_lines[link_id]
    ends = atlas.link_ends.get(link_id)
    if ends is not None and ends[0] != from_id:
        line = line[::-1]
    return [list(c) for c in line]


def _link_lines(
    atlas: Atlas, table: pd.DataFrame, columns: Iterable[str], index: AtlasIndex | None
) -> FeatureCollection:
    index = index or atlas_index(atlas)
    ends = index.link_ends
    features = []
    for row in _records(table[["link_id", *columns]]):
        link_id = row["link_id"]
        if link_id not in ends:
            continue
        a, b = ends[link_id]
        features.append(
            {
                "type": "Feature",
                "id": link_id,
                "geometry": {"type": "LineString", "coordinates": _drawn(atlas, link_id, a, b)},
                "properties": {
                    **row,
                    "mode": index.link_mode[link_id],
                    "status": index.link_status[link_id],
                },
            }
        )
    return _collection(features)


def _used_links(link_flows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    columns = [c for c in FLOW_COLUMNS if c in link_flows.columns]
    return link_flows[link_flows["tonnes_per_year"] > 0], columns


def flow_records(link_flows: pd.DataFrame) -> list[dict[str, Any]]:
    """Link flows of a run as plain records (links with no tonnes are left out).

    Keys: ``link_id`` and those of :data:`FLOW_COLUMNS` that the run has.
    """
    used, columns = _used_links(link_flows)
    return _records(used[["link_id", *columns]])


def flows_geojson(
    atlas: Atlas, link_flows: pd.DataFrame, *, index: AtlasIndex | None = None
) -> FeatureCollection:
    """Link flows of a run as GeoJSON lines (links with no tonnes are left out).

    Properties: ``link_id``, ``tonnes_per_year``, ``tonnes_ab``, ``tonnes_ba``,
    ``capacity_mtpa``, ``vc_ratio``, ``mode``, ``status``. ``index`` is the atlas's look-ups,
    when already built (a web app keeps one).
    """
    used, columns = _used_links(link_flows)
    return _link_lines(atlas, used, columns, index)


def comparison_links_geojson(
    atlas: Atlas, links: pd.DataFrame, *, index: AtlasIndex | None = None
) -> FeatureCollection:
    """The change in link tonnes between two runs as GeoJSON lines (changed links only).

    Properties: ``link_id``, ``tonnes_a``, ``tonnes_b``, ``delta_tonnes`` (B minus A),
    ``mode``, ``status``. ``index`` is the atlas's look-ups, when already built.
    """
    changed = links[links["delta_tonnes"].abs() > 0]
    return _link_lines(atlas, changed, ["tonnes_a", "tonnes_b", "delta_tonnes"], index)
