"""OpenStreetMap in: railways, trunk and primary roads, ferries, ports and border posts from an
``.osm.pbf`` (or ``.osm``) file, simplified to a routable atlas network.

Read with ``osmium`` (pyosmium, the Python bindings of libosmium). Simplification keeps an OSM
node as an atlas node when it ends a way, is shared by two or more ways, or is itself a place
that matters (a border post, a station, a port); the vertices between become the link's
``geometry`` and its ``length_km`` is measured along them on the WGS84 ellipsoid.

What OSM says is kept: ``gauge``, ``usage``, ``electrified``, ``maxspeed`` (as the link's
speed only when the user asks for it; see :func:`read_osm`), the lifecycle tags (``railway=
construction`` is under construction, ``disused`` closed, ...), ``start_date`` (the opening
year). What OSM does not say (tariffs, border dwell and fees, most opening years) is left empty
for ``caravan atlas validate`` to report, never filled in.

The input limits of every reader apply: the file's size (``InputLimits.max_osm_bytes``: OSM
extracts are compressed and large, so the limit is its own), the ways imported
(``max_rows``), and tags that reach the atlas: a NUL or other control character in one is
refused with the OSM id and key, and numbers in tags (``gauge``, ``maxspeed``, ``start_date``)
are read only when written in digits 0-9 (``١٤٣٥`` is not 1435: such a tag is noted and left
for validation to report, like any value the atlas does not model).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from caravan.errors import AtlasValidationError, InputError, Problem
from caravan.io._limits import InputLimits, input_limits
from caravan.io.atlas_write import AtlasTables
from caravan.model.geodesy import geodesic_km_array
from caravan.model.geometry import line_wkt
from caravan.model.records import GAUGES_MM, Mode

__all__ = ["OSM_ROAD_CLASSES", "BBox", "OsmNetwork", "read_osm"]

#: ``highway=*`` values imported as road links.
OSM_ROAD_CLASSES = frozenset({"motorway", "trunk", "primary", "motorway_link", "trunk_link"})
#: Lifecycle values of ``railway=*`` / ``highway=*`` and the atlas status they mean.
_LIFECYCLE = {
    "construction": "under_construction",
    "proposed": "proposed",
    "disused": "closed",
    "abandoned": "closed",
}
#: ``service=*`` values of railway tracks that are not lines (yards, sidings): not imported.
_YARD_TRACKS = frozenset({"yard", "siding", "crossover"})
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,6}", re.ASCII)
#: Control characters no tag that reaches the atlas may hold (tab and newline included: a
#: name is one line).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Tags that reach the atlas files (names, notes, numbers).
_KEPT_TAGS = ("name", "name:en", "ref", "usage", "electrified", "maxspeed", "service", "gauge")


@dataclass(frozen=True)
class BBox:
    """A lon/lat box: ``west, south, east, north`` in degrees (EPSG:4326)."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """Parse ``"W,S,E,N"``.

        Examples
        --------
        >>> BBox.parse("60,35,75,45")
        BBox(west=60.0, south=35.0, east=75.0, north=45.0)
        """
        try:
            west, south, east, north = (float(p) for p in text.split(","))
        except ValueError:
            msg = f"bbox {text!r} is not four numbers W,S,E,N (e.g. 60,35,75,45)"
            raise InputError(msg) from None
        if not (west < east and south < north):
            raise InputError(f"bbox {text!r}: need west < east and south < north")
        return cls(west, south, east, north)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point is inside (edges included)."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@dataclass(frozen=True)
class _Way:
    way_id: int
    mode: str
    node_ids: tuple[int, ...]
    coords: tuple[tuple[float, float], ...]
    tags: dict[str, str]


@dataclass(frozen=True)
class OsmNetwork:
    """What :func:`read_osm` found, before it is turned into atlas tables."""

    n_ways: int
    n_nodes_read: int
    tables: AtlasTables


def _way_mode(tags: dict[str, str], modes: frozenset[str]) -> tuple[str, str] | None:
    """The mode and status of a way, or None when it is not imported."""
    railway, highway, route = tags.get("railway"), tags.get("highway"), tags.get("route")
    if railway is not None and Mode.RAIL.value in modes:
        if tags.get("service") in _YARD_TRACKS:
            return None
        if railway == "rail":
            return Mode.RAIL.value, "operational"
        if railway in _LIFECYCLE and tags.get(railway, "rail") == "rail":
            return Mode.RAIL.value, _LIFECYCLE[railway]
    if highway is not None and Mode.ROAD.value in modes:
        if highway in OSM_ROAD_CLASSES:
            return Mode.ROAD.value, "operational"
        if highway in _LIFECYCLE and tags.get(highway) in OSM_ROAD_CLASSES:
            return Mode.ROAD.value, _LIFECYCLE[highway]
    if route == "ferry" and Mode.FERRY.value in modes:
        return Mode.FERRY.value, "operational"
    return None


def _node_kind(tags: dict[str, str]) -> str | None:
    if tags.get("barrier") == "border_control":
        return "border"
    if tags.get("harbour") == "yes" or tags.get("amenity") == "ferry_terminal":
        return "port"
    if tags.get("railway") in ("station", "yard") or tags.get("public_transport") == "station":
        return "station"
    if tags.get("place") in ("city", "town"):
        return "city"
    return None


def _control_problems(kind: str, osm_id: int, tags: dict[str, str], file: str) -> list[Problem]:
    """A problem for each kept tag that holds a control character (a NUL byte included)."""
    problems = []
    for key in _KEPT_TAGS:
        found = _CONTROL.search(tags.get(key, ""))
        if found is not None:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{kind} {osm_id}: {key}",
                    f"the tag holds a control character ({found.group()!r})",
                    "fix the tag in OpenStreetMap or in the extract",
                )
            )
    return problems


def _read_ways(
    path: Path, modes: frozenset[str], bbox: BBox | None, limits: InputLimits
) -> tuple[list[_Way], dict[int, dict[str, str]], dict[int, dict[str, str]], int]:
    import osmium

    problems: list[Problem] = []
    ways: list[_Way] = []
    tagged: dict[int, dict[str, str]] = {}
    names: dict[int, dict[str, str]] = {}
    n_nodes = 0
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
    for obj in processor.with_locations():
        if isinstance(obj, osmium.osm.Node):
            n_nodes += 1
            if len(obj.tags):
                tags = dict(obj.tags)
                if _node_kind(tags) is not None:
                    tagged[obj.id] = tags
                elif "name" in tags or "name:en" in tags:  # a name, kept for the place
                    names[obj.id] = {k: tags[k] for k in ("name", "name:en") if k in tags}
                else:
                    continue
                problems += _control_problems("node", obj.id, tags, path.name)
            continue
        if not isinstance(obj, osmium.osm.Way):
            continue
        tags = dict(obj.tags)
        found = _way_mode(tags, modes)
        if found is None:
            continue
        ids, coords = [], []
        for ref in obj.nodes:
            if not ref.location.valid():
                continue
            ids.append(ref.ref)
            coords.append((ref.location.lon, ref.location.lat))
        if bbox is not None and not any(bbox.contains(x, y) for x, y in coords):
            continue
        if len(ids) >= 2:
            problems += _control_problems("way", obj.id, tags, path.name)
            if len(ways) >= limits.max_rows:
                msg = (
                    f"{path.name} has more than {limits.max_rows:,} ways to import (the limit); "
                    "cut the extract (--bbox, fewer --modes), or raise CARAVAN_MAX_ROWS"
                )
                raise InputError(msg)
            tags["_status"] = found[1]
            ways.append(_Way(obj.id, found[0], tuple(ids), tuple(coords), tags))
    if problems:
        raise AtlasValidationError(problems, source=f"OSM file {path.name}")
    return ways, tagged, names, n_nodes


def _gauge(tags: dict[str, str]) -> int | None:
    first = tags.get("gauge", "").split(";")[0].strip()
    return int(first) if _DIGITS.fullmatch(first) else None


def _year(tags: dict[str, str]) -> int | None:
    for key in ("start_date", "opening_date"):
        match = _YEAR.search(tags.get(key, ""))
        if match:
            return int(match.group(1))
    return None


def _notes(way: _Way) -> str:
    keep = ("name", "ref", "usage", "electrified", "maxspeed", "service", "gauge")
    parts = [f"{k}={way.tags[k]}" for k in keep if k in way.tags]
    return f"OSM way {way.way_id}" + (f" ({', '.join(parts)})" if parts else "")


def _split(ways: Sequence[_Way], tagged: dict[int, dict[str, str]]) -> list[tuple[_Way, int, int]]:
    """Cut every way at the nodes that become atlas nodes: ``(way, start, end)`` vertex spans."""
    uses: Counter[int] = Counter()
    for way in ways:
        uses.update(way.node_ids)
        uses[way.node_ids[0]] += 1
        uses[way.node_ids[-1]] += 1
    spans = []
    for way in ways:
        start = 0
        last = len(way.node_ids) - 1
        for i in range(1, last + 1):
            nid = way.node_ids[i]
            if i == last or uses[nid] >= 2 or nid in tagged:
                spans.append((way, start, i))
                start = i
    return spans


def read_osm(
    path: str | Path,
    *,
    modes: Iterable[str] = ("rail", "road", "ferry"),
    bbox: BBox | None = None,
    source_id: str = "osm-import",
    assume_open_by: int | None = None,
    use_maxspeed: bool = False,
    limits: InputLimits | None = None,
) -> OsmNetwork:
    """Read an OpenStreetMap file into atlas tables (nodes and links; not yet validated).

    Parameters
    ----------
    path : str or Path
        An ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.
    modes : iterable of str
        Which of ``rail``, ``road`` and ``ferry`` to import.
    bbox : BBox, optional
        Keep only ways with at least one vertex inside.
    source_id : str
        The source every imported row cites.
    assume_open_by : int, optional
        The opening year to record for operational ways without ``start_date``; the link's
        notes say it was assumed. Without it such links have no ``open_year`` and validation
        reports each one.
    use_maxspeed : bool
        Take ``maxspeed`` (km/h) as the link's freight speed; otherwise the speed is left to
        the mode default of ``modes.yaml``.
    limits : InputLimits, optional
        File size and way limits (default: :func:`~caravan.io._limits.input_limits`).

    Returns
    -------
    OsmNetwork
        Counts and the ``nodes.csv`` / ``links.csv`` rows (``country_iso3`` still empty).
    """
    file = Path(path)
    lim = limits or input_limits()
    if not file.is_file():
        raise InputError(f"OSM file {str(file)!r} does not exist")
    size = file.stat().st_size
    if size > lim.max_osm_bytes:
        msg = (
            f"{file.name} is {size / 1e6:,.0f} MB, above the limit of "
            f"{lim.max_osm_bytes / 1e6:,.0f} MB for OSM files; cut the extract (osmium extract "
            "--bbox, osmium tags-filter), or raise CARAVAN_MAX_OSM_MB"
        )
        raise InputError(msg)
    chosen = frozenset(m.strip() for m in modes)
    unknown = chosen - {Mode.RAIL.value, Mode.ROAD.value, Mode.FERRY.value}
    if unknown:
        msg = f"unknown OSM import mode(s) {', '.join(sorted(unknown))}; use rail, road, ferry"
        raise InputError(msg)
    try:
        ways, tagged, names, n_nodes = _read_ways(file, chosen, bbox, lim)
    except RuntimeError as exc:
        raise InputError(f"cannot read OSM file {str(file)!r}: {exc}") from exc
    spans = _split(ways, tagged)
    lengths = _span_lengths(spans)
    ferry_ends = {w.node_ids[i] for w, s, e in spans if w.mode == "ferry" for i in (s, e)}
    node_rows: dict[int, dict[str, Any]] = {}
    link_rows = []
    for (way, start, end), length_km in zip(spans, lengths, strict=True):
        a, b = way.node_ids[start], way.node_ids[end]
        for nid, (lon, lat) in ((a, way.coords[start]), (b, way.coords[end])):
            if nid not in node_rows:
                tags = tagged.get(nid) or names.get(nid, {})
                node_rows[nid] = _node_row(nid, lon, lat, tags, nid in ferry_ends, source_id)
        link_rows.append(
            _link_row(
                way,
                start,
                end,
                length_km,
                source_id=source_id,
                assume_open_by=assume_open_by,
                use_maxspeed=use_maxspeed,
            )
        )
    tables = AtlasTables(csv={"nodes.csv": list(node_rows.values()), "links.csv": link_rows})
    return OsmNetwork(n_ways=len(ways), n_nodes_read=n_nodes, tables=tables)


def _span_lengths(spans: Sequence[tuple[_Way, int, int]]) -> np.ndarray:
    """Geodesic length of every span, in km, with one call into PROJ."""
    counts = np.array([end - start for _, start, end in spans], dtype=np.int64)
    if len(counts) == 0:
        return np.zeros(0)
    xy = np.array(
        [c for way, start, end in spans for c in way.coords[start : end + 1]], dtype=np.float64
    )
    # Vertex pairs of one span are consecutive; skip the pair that joins two spans.
    starts = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))
    pair_first = np.ones(len(xy) - 1, dtype=bool)
    pair_first[(starts[1:] - 1)] = False
    a, b = xy[:-1][pair_first], xy[1:][pair_first]
    km = geodesic_km_array(a[:, 1], a[:, 0], b[:, 1], b[:, 0])
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.add.reduceat(km, offsets) if len(km) else np.zeros(len(counts))


def _node_row(
    nid: int, lon: float, lat: float, tags: dict[str, str], ferry_end: bool, source_id: str
) -> dict[str, Any]:
    kind = _node_kind(tags) or ("port" if ferry_end else "junction")
    name = tags.get("name:en") or tags.get("name") or f"OSM node {nid}"
    return {
        "node_id": f"osm-n{nid}",
        "name": name,
        "aliases": [tags["name"]] if "name:en" in tags and tags.get("name") else [],
        "lat": round(lat, 7),
        "lon": round(lon, 7),
        "kind": kind,
        "coord_basis": f"OSM node {nid}",
        "source_ids": [source_id],
        "notes": "border_control" if kind == "border" else None,
    }


def _link_row(
    way: _Way,
    start: int,
    end: int,
    length_km: float,
    *,
    source_id: str,
    assume_open_by: int | None,
    use_maxspeed: bool,
) -> dict[str, Any]:
    tags = way.tags
    status = tags["_status"]
    notes = _notes(way)
    open_year = _year(tags) if status == "operational" else None
    if status == "operational" and open_year is None and assume_open_by is not None:
        open_year = assume_open_by
        notes += f"; open_year {assume_open_by} assumed at import (no start_date in OSM)"
    speed = None
    if use_maxspeed and "maxspeed" in tags:
        if _DIGITS.fullmatch(tags["maxspeed"].strip()):
            speed = float(tags["maxspeed"])
        else:
            notes += f"; OSM maxspeed {tags['maxspeed'][:20]!r} is not km/h in digits 0-9"
    gauge = _gauge(tags) if way.mode == Mode.RAIL.value else None
    if way.mode == Mode.RAIL.value and gauge not in GAUGES_MM:
        notes += f"; OSM gauge {tags.get('gauge', 'missing')!r} is not one the atlas models"
        gauge = None
    return {
        "link_id": f"osm-w{way.way_id}-{start}",
        "from_node_id": f"osm-n{way.node_ids[start]}",
        "to_node_id": f"osm-n{way.node_ids[end]}",
        "mode": way.mode,
        "gauge_mm": gauge,
        "length_km": round(float(length_km), 3),
        "length_basis": "measured: geodesic length of the OSM way geometry",
        "speed_kmh": speed,
        "status": status,
        "open_year": open_year,
        "oneway": tags.get("oneway") == "yes",
        "source_ids": [source_id],
        "notes": notes,
        "geometry": line_wkt(way.coords[start : end + 1], digits=6),
    }
