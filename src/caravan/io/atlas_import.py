"""``caravan atlas import``: a GMNS folder or an OpenStreetMap file becomes an atlas folder.

The folder is written whole, then read back and validated; every value the source could not
give (a tariff, a border's dwell and fees, an opening year, a country) is left empty and comes
back as a :class:`~caravan.errors.Problem` to fill, never as a default. ``defaults_from`` names
an atlas whose mode defaults, commodities and default transfers (with the sources they cite)
are carried over: an explicit choice, recorded in the new atlas's ``modes.yaml``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caravan.errors import InputError, Problem
from caravan.io.atlas import read_atlas_tables
from caravan.io.atlas_write import AtlasTables, defaults_from, write_atlas_folder
from caravan.io.gmns import read_gmns
from caravan.io.osm import BBox, read_osm
from caravan.io.outlines import countries_at
from caravan.model.records import Mode
from caravan.model.validate import validate_tables

__all__ = ["ImportFormat", "ImportResult", "import_atlas"]

_LAND = frozenset({Mode.RAIL.value, Mode.ROAD.value})


class ImportFormat(enum.StrEnum):
    """What ``caravan atlas import --from`` reads."""

    GMNS = "gmns"
    OSM = "osm"


@dataclass(frozen=True)
class ImportResult:
    """An imported atlas folder and what is left to fill in it."""

    out: Path
    written: tuple[Path, ...]
    n_nodes: int
    n_links: int
    n_borders: int
    problems: tuple[Problem, ...]


def _source_record(fmt: ImportFormat, source: Path, source_id: str) -> dict[str, Any]:
    if fmt is ImportFormat.OSM:
        return {
            "source_id": source_id,
            "title": f"OpenStreetMap extract {source.name}",
            "publisher": "OpenStreetMap contributors",
            "url": "https://www.openstreetmap.org/copyright",
            "kind": "dataset",
            "supports": "node coordinates, link geometry and length, gauge, status",
            "notes": "© OpenStreetMap contributors, ODbL 1.0",
        }
    return {
        "source_id": source_id,
        "title": f"GMNS network {source.name}",
        "kind": "dataset",
        "supports": "node coordinates, link geometry, length and speed",
    }


def _fill_countries(nodes: list[dict[str, Any]]) -> None:
    missing = [n for n in nodes if not n.get("country_iso3")]
    if not missing:
        return
    found = countries_at([float(n["lon"]) for n in missing], [float(n["lat"]) for n in missing])
    for node, iso3 in zip(missing, found, strict=True):
        if iso3:
            node["country_iso3"] = iso3
            node["coord_basis"] = f"{node['coord_basis']}; country from the Natural Earth outline"


def _borders(tables: AtlasTables, source_id: str) -> list[dict[str, Any]]:
    """A border row, dwell and fees left to fill, for each land link between two countries."""
    nodes = {n["node_id"]: n for n in tables.csv["nodes.csv"]}
    rows = []
    for link in tables.csv["links.csv"]:
        if link.get("mode") not in _LAND:
            continue
        a, b = nodes.get(link["from_node_id"]), nodes.get(link["to_node_id"])
        if a is None or b is None:
            continue
        ca, cb = a.get("country_iso3"), b.get("country_iso3")
        if not ca or not cb or ca == cb:
            continue
        post = a if a.get("kind") == "border" else b
        rows.append(
            {
                "border_id": f"b-{link['link_id']}",
                "name": f"{post['name']} ({ca}-{cb}, {link['mode']})",
                "link_id": link["link_id"],
                "country_a_iso3": ca,
                "country_b_iso3": cb,
                "source_ids": [source_id],
                "notes": "found at import: the link joins two countries; fill in dwell and fees",
            }
        )
    return rows


def _merge_defaults(
    tables: AtlasTables, defaults: AtlasTables | None, modes: Iterable[str]
) -> None:
    if defaults is not None:
        for name in ("modes.yaml", "commodities.yaml"):
            tables.yaml[name] = defaults.yaml[name]
        tables.yaml["sources.yaml"] += defaults.yaml["sources.yaml"]
        tables.csv["transfers.csv"] = defaults.csv["transfers.csv"]
        return
    tables.yaml["modes.yaml"] = [
        {"mode": m, "speed_kmh": None, "tariff_usd_per_tkm": None, "source_ids": []}
        for m in sorted(set(modes))
    ]


def import_atlas(
    source: str | Path,
    out: str | Path,
    *,
    fmt: ImportFormat | str,
    bbox: str | None = None,
    modes: Iterable[str] | None = None,
    defaults: str | Path | None = None,
    status: str | None = None,
    assume_open_by: int | None = None,
) -> ImportResult:
    """Import a GMNS folder or an OpenStreetMap file as an atlas folder, and validate it.

    Parameters
    ----------
    source : str or Path
        A GMNS folder (``fmt="gmns"``) or an ``.osm.pbf`` file (``fmt="osm"``).
    out : str or Path
        The atlas folder to write (created; files in it are replaced).
    fmt : ImportFormat or str
        ``"gmns"`` or ``"osm"``.
    bbox : str, optional
        OSM only: ``"W,S,E,N"``; ways with no vertex inside are skipped.
    modes : iterable of str, optional
        OSM only: which of rail, road and ferry to import (default all three).
    defaults : str or Path, optional
        An atlas whose ``modes.yaml``, ``commodities.yaml`` and default transfers to carry over.
    status : str, optional
        GMNS only: the status of links whose row has none.
    assume_open_by : int, optional
        OSM only: the opening year of operational ways that have no ``start_date``.

    Returns
    -------
    ImportResult
        The files written, counts, and every problem ``caravan atlas validate`` reports.
    """
    try:
        chosen = ImportFormat(fmt)
    except ValueError:
        raise InputError(f"unknown import format {fmt!r}; use gmns or osm") from None
    path = Path(source)
    source_id = f"{chosen.value}-import"
    used_modes = tuple(modes or ("rail", "road", "ferry"))
    if chosen is ImportFormat.GMNS:
        tables = read_gmns(path, source_id=source_id, status=status)
    else:
        box = BBox.parse(bbox) if bbox else None
        tables = read_osm(
            path, modes=used_modes, bbox=box, source_id=source_id, assume_open_by=assume_open_by
        ).tables
    _fill_countries(tables.csv["nodes.csv"])
    if "sources.yaml" not in tables.copies:
        tables.yaml["sources.yaml"] = [_source_record(chosen, path, source_id)]
    if "borders.csv" not in tables.copies:
        tables.csv["borders.csv"] = _borders(tables, source_id)
    if "modes.yaml" not in tables.copies:
        present = {str(link["mode"]) for link in tables.csv["links.csv"] if link.get("mode")}
        extra = defaults_from(defaults) if defaults is not None else None
        _merge_defaults(tables, extra, present or used_modes)
    if "atlas.yaml" not in tables.copies:
        tables.meta = {
            "name": tables.meta.get("name") or path.stem,
            "version": "import",
            "as_of": dt.date.today().isoformat(),
            "description": f"Imported from {chosen.value} {path.name} by caravan atlas import.",
        }
        if chosen is ImportFormat.OSM:
            tables.meta["licence"] = "ODbL-1.0: contains OpenStreetMap data"
    written = write_atlas_folder(tables, out)
    read, problems, _ = read_atlas_tables(out)
    problems += validate_tables(read)
    return ImportResult(
        out=Path(out),
        written=tuple(written),
        n_nodes=len(tables.csv["nodes.csv"]),
        n_links=len(tables.csv["links.csv"]),
        n_borders=len(tables.csv["borders.csv"])
        if "borders.csv" in tables.csv
        else len(read["borders.csv"]),
        problems=tuple(problems),
    )
