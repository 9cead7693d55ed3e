"""GMNS (General Modeling Network Specification) out and in.

Out: ``node.csv``, ``link.csv`` (directed links: a two-way atlas link becomes two GMNS links, one
each way), ``use_definition.csv``, ``config.csv`` (the units) and ``README.txt``, plus a
``caravan/`` folder with the atlas files GMNS has no place for (borders, transfers, projects,
restrictions, zones, demand, commodities, modes, sources), so that export then import gives
back the same network and the same routes.

In: any GMNS folder with ``node.csv``, ``link.csv`` and ``config.csv``; lengths and speeds are
converted from the units ``config.csv`` declares. The files are read under the input limits of
every reader (size, rows, UTF-8 without NUL bytes, inside the folder); every cell stays text
until a field parser turns it into a number, so ``1_000``, ``0x10`` or ``٣`` are refused with
the file, line and column, never read as numbers. Values GMNS does not carry (a link's status,
a node's country) are taken from Caravan's extra columns when the folder came from Caravan,
and otherwise left empty for ``caravan atlas validate`` to report.

Specification: Zephyr Foundation, *General Modeling Network Specification* 0.96,
https://github.com/zephyr-data-specs/GMNS.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from caravan.errors import AtlasValidationError, InputError, Problem
from caravan.io._atomic import atomic_path, make_folder, write_text_atomic
from caravan.io._limits import InputLimits, input_limits, read_limited
from caravan.io.atlas import ATLAS_FILES
from caravan.io.atlas_write import AtlasTables
from caravan.model.atlas import Atlas
from caravan.model.geometry import line_wkt, parse_line_wkt
from caravan.model.records import Mode
from caravan.model.values import parse_decimal, parse_whole

__all__ = ["GMNS_VERSION", "gmns_tables", "read_gmns", "write_gmns"]

#: GMNS specification version the export follows.
GMNS_VERSION = "0.96"
#: The folder inside a GMNS export that holds the atlas files GMNS has no place for.
EXTRA_FOLDER = "caravan"

#: Length units GMNS ``config.csv`` may declare, in km.
_LENGTH_KM = {"km": 1.0, "m": 0.001, "mi": 1.609344, "mile": 1.609344, "ft": 0.0003048}
#: Speed units, in km/h.
_SPEED_KMH = {"km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "mi/h": 1.609344}
#: GMNS ``allowed_uses`` / ``facility_type`` words that name a Caravan mode.
_USE_MODE = {
    **{m.value: m.value for m in Mode},
    "auto": "road",
    "truck": "road",
    "hgv": "road",
    "freight_rail": "rail",
    "train": "rail",
    "railway": "rail",
    "ship": "sea",
    "vessel": "sea",
}
_USES = {
    "rail": "Freight train (Caravan mode rail); capacity in capacity_mtpa (Mt a year).",
    "road": "Freight truck (Caravan mode road); capacity in capacity_mtpa (Mt a year).",
    "ferry": "Rail or road ferry (Caravan mode ferry), e.g. across the Caspian.",
    "sea": "Sea shipping lane (Caravan mode sea) between ports.",
}
#: Atlas link columns carried in link.csv besides the GMNS ones (each says its unit).
_LINK_EXTRAS = (
    "gauge_mm",
    "length_km_low",
    "length_km_high",
    "length_basis",
    "speed_basis",
    "tariff_usd_per_tkm",
    "tariff_usd_per_tkm_low",
    "tariff_usd_per_tkm_high",
    "tariff_basis",
    "capacity_mtpa",
    "capacity_mtpa_low",
    "capacity_mtpa_high",
    "status",
    "open_year",
    "expected_open_year",
    "source_ids",
    "notes",
)
_NODE_EXTRAS = ("aliases", "country_iso3", "admin1", "coord_basis", "source_ids", "notes")


def _joined(value: Any) -> Any:
    return ";".join(map(str, value)) if isinstance(value, (tuple, list)) else value


def gmns_tables(atlas: Atlas) -> dict[str, pd.DataFrame]:
    """The atlas as GMNS tables: ``node``, ``link``, ``use_definition`` and ``config``.

    GMNS ids are integers: nodes are numbered from 1 in atlas order; each atlas link gives one
    GMNS link per direction it may be travelled (``directed`` is always true), the from-to
    direction first. ``length`` is in km and ``free_speed`` in km/h (``config.csv``),
    ``toll`` is the border fee in USD per tonne for that direction (empty off borders),
    ``allowed_uses`` is the mode (``use_definition.csv``), ``dir_flag`` -1 marks a link drawn
    against its ``geometry``. The atlas ids are kept in ``caravan_node_id`` and
    ``caravan_link_id``; other atlas columns follow with their units in their names.

    Examples
    --------
    >>> from caravan import load_atlas
    >>> tables = gmns_tables(load_atlas("tests/data/tiny-atlas"))
    >>> list(tables["link"].columns[:6])
    ['link_id', 'from_node_id', 'to_node_id', 'directed', 'dir_flag', 'length']
    >>> bool(tables["link"]["directed"].all()), tables["config"].at[0, "long_length"]
    (True, 'km')
    """
    nodes = atlas.nodes
    links = atlas.links
    number = {nid: i for i, nid in enumerate(nodes["node_id"], start=1)}
    node = pd.DataFrame(
        {
            "node_id": range(1, len(nodes) + 1),
            "name": nodes["name"],
            "x_coord": nodes["lon"],
            "y_coord": nodes["lat"],
            "node_type": nodes["kind"],
            "caravan_node_id": nodes["node_id"],
            **{c: [_joined(v) for v in nodes[c]] for c in _NODE_EXTRAS if c in nodes},
        }
    )
    fees: dict[tuple[str, str], float] = {}
    for row in atlas.borders.to_dict("records"):
        fees[(row["link_id"], "ab")] = float(row["fee_usd_per_t_ab"])
        fees[(row["link_id"], "ba")] = float(row["fee_usd_per_t_ba"])
    lines = atlas.link_lines
    rows: list[dict[str, Any]] = []
    for link in links.to_dict("records"):
        directions = ("ab",) if bool(link["oneway"]) else ("ab", "ba")
        for direction in directions:
            a, b = link["from_node_id"], link["to_node_id"]
            if direction == "ba":
                a, b = b, a
            rows.append(
                {
                    "link_id": len(rows) + 1,
                    "from_node_id": number[a],
                    "to_node_id": number[b],
                    "directed": True,
                    "dir_flag": 1 if direction == "ab" else -1,
                    "length": link["length_km"],
                    "free_speed": link["speed_kmh"],
                    "allowed_uses": link["mode"],
                    "toll": fees.get((link["link_id"], direction)),
                    "geometry": line_wkt(lines[link["link_id"]]),
                    "caravan_link_id": link["link_id"],
                    **{c: _joined(link[c]) for c in _LINK_EXTRAS if c in link},
                }
            )
    link_frame = pd.DataFrame(rows)
    for column in ("gauge_mm", "open_year", "expected_open_year"):
        if column in link_frame:
            link_frame[column] = pd.array(list(link_frame[column]), dtype="Int64")
    uses = sorted(set(links["mode"]))
    use_definition = pd.DataFrame(
        {
            "use": uses,
            "persons_per_vehicle": [0] * len(uses),
            "pce": [1] * len(uses),
            "special_conditions": [""] * len(uses),
            "description": [_USES[u] for u in uses],
        }
    )
    config = pd.DataFrame(
        [
            {
                "dataset_name": atlas.name,
                "short_length": "m",
                "long_length": "km",
                "speed": "km/h",
                "crs": "EPSG:4326",
                "geometry_field_format": "WKT",
                "currency": "USD",
                "version_number": GMNS_VERSION,
                "id_type": "integer",
            }
        ]
    )
    return {"node": node, "link": link_frame, "use_definition": use_definition, "config": config}


_README = """GMNS export of the Caravan atlas {name!r} (version {version}, as of {as_of}).

node.csv, link.csv, use_definition.csv and config.csv follow the General Modeling Network
Specification {gmns} (https://github.com/zephyr-data-specs/GMNS). Units (config.csv): link length
in km, free_speed in km/h, toll in USD per tonne, coordinates in WGS84 (EPSG:4326).

- Every link is directed. A two-way atlas link gives two GMNS links, one per direction, with the
  same caravan_link_id; dir_flag -1 marks the one that runs against its geometry.
- allowed_uses is the mode (rail, road, ferry, sea), described in use_definition.csv.
- toll is the border fee in USD per tonne in that link's direction (empty off borders); the
  border's dwell and capacity are in caravan/borders.csv.
- capacity (vehicles per hour per lane in GMNS) is left out: freight capacity is in
  capacity_mtpa (million tonnes a year; empty = unconstrained).
- node_id and link_id are integers; the atlas ids are caravan_node_id and caravan_link_id.
- Other columns are the atlas's own (docs/atlas-format.md), units in their names; lists are
  ';'-separated; source_ids cite caravan/sources.yaml.
- caravan/ holds the atlas files GMNS has no place for; `caravan atlas import --from gmns`
  reads them back, so export then import gives the same routes.
"""


def write_gmns(atlas: Atlas, out: str | Path) -> list[Path]:
    """Write the GMNS tables, ``README.txt`` and the ``caravan/`` extras into ``out``.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{str(folder)!r} is a file; give a folder to write the export into")
    make_folder(folder)
    written: list[Path] = []
    for name, table in gmns_tables(atlas).items():
        target = folder / f"{name}.csv"
        with atomic_path(target) as tmp:
            table.to_csv(tmp, index=False)
        written.append(target)
    text = _README.format(
        name=atlas.name, version=atlas.version, as_of=atlas.as_of, gmns=GMNS_VERSION
    )
    written.append(write_text_atomic(text, folder / "README.txt"))
    source = Path(atlas.path) if atlas.path else None
    if source is not None and source.is_dir():
        extra = make_folder(folder / EXTRA_FOLDER)
        for name in (*ATLAS_FILES, "tariffs.yaml"):
            if name in ("nodes.csv", "links.csv") or not (source / name).is_file():
                continue
            with atomic_path(extra / name) as tmp:
                tmp.write_bytes((source / name).read_bytes())
            written.append(extra / name)
    return written


# -- import ----------------------------------------------------------------------------------


def _unit(config: Mapping[Any, Any], key: str, table: Mapping[str, float]) -> float:
    unit = str(config.get(key) or "").strip().lower()
    if unit not in table:
        msg = (
            f"config.csv: {key} is {unit or 'empty'!r}; GMNS import needs one of "
            f"{', '.join(table)} to convert lengths and speeds"
        )
        raise InputError(msg)
    return table[unit]


def _given(value: Any) -> bool:
    return not (value is None or (isinstance(value, float) and math.isnan(value)) or value == "")


def _mode(row: Mapping[Any, Any]) -> str | None:
    for column in ("allowed_uses", "facility_type"):
        for word in str(row.get(column) or "").replace(",", ";").split(";"):
            mode = _USE_MODE.get(word.strip().lower())
            if mode is not None:
                return mode
    return None


#: Columns GMNS requires (spec 0.96), by file.
_REQUIRED = {
    "node.csv": ("node_id", "x_coord", "y_coord"),
    "link.csv": ("link_id", "from_node_id", "to_node_id"),
    "config.csv": (),
}


def _read_csv(folder: Path, name: str, limits: InputLimits) -> list[dict[str, str]]:
    """The rows of a GMNS CSV file as text, each with its line (``_line``)."""
    path = folder / name
    if not path.is_file():
        raise InputError(f"{name} is missing from the GMNS folder {str(folder)!r}")
    text = read_limited(path, root=folder, limits=limits, what=name)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, str]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        for n_rows, cells in enumerate(reader, start=1):
            if n_rows > limits.max_rows:
                msg = (
                    f"{name} has more than {limits.max_rows:,} rows (the limit); split the "
                    "network, or raise CARAVAN_MAX_ROWS"
                )
                raise InputError(msg)
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                msg = (
                    f"{name}, line {reader.line_num}: {len(cells)} cells for "
                    f"{len(header)} columns; quote cells that hold commas"
                )
                raise InputError(msg)
            row = dict(zip(header, (c.strip() for c in cells), strict=True))
            row["_line"] = str(reader.line_num)
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"{name}, line {reader.line_num}: not valid CSV ({exc})") from None
    missing = [c for c in _REQUIRED[name] if c not in header]
    if missing:
        msg = f"{name} lacks the required GMNS column(s) {', '.join(missing)}; add them"
        raise InputError(msg)
    return rows


class _Numbers:
    """Plain decimal numbers out of text cells; every bad one is kept as a problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def decimal(self, name: str, row: Mapping[str, str], column: str) -> float | None:
        text = row.get(column, "")
        if not text:
            return None
        try:
            return parse_decimal(text)
        except ValueError as exc:
            self._bad(name, row, column, str(exc), "give a plain decimal number (digits 0-9)")
            return None

    def whole(self, name: str, row: Mapping[str, str], column: str, default: int) -> int:
        text = row.get(column, "")
        if not text:
            return default
        try:
            return parse_whole(text)
        except ValueError as exc:
            self._bad(name, row, column, str(exc), "give a whole number in digits 0-9")
            return default

    def _bad(self, name: str, row: Mapping[str, str], column: str, what: str, fix: str) -> None:
        self.problems.append(Problem(name, int(row["_line"]), column, what, fix))


def read_gmns(
    folder: str | Path,
    *,
    source_id: str = "gmns-import",
    status: str | None = None,
    limits: InputLimits | None = None,
) -> AtlasTables:
    """Read a GMNS folder into atlas tables (not yet validated).

    Parameters
    ----------
    folder : str or Path
        Holds ``node.csv``, ``link.csv`` and ``config.csv`` (for the units); ``caravan/`` when
        the folder is a Caravan export.
    source_id : str
        The source every imported row cites (added to ``sources.yaml``).
    status : str, optional
        The status of links whose GMNS row has none (e.g. ``"operational"``); without it such
        links are left without a status, for validation to report.
    limits : InputLimits, optional
        File size and row limits (default: :func:`~caravan.io._limits.input_limits`).

    Raises
    ------
    InputError
        When a required file is missing, breaks the input limits (size, rows, NUL bytes, not
        UTF-8), is not CSV, or ``config.csv`` does not declare the units.
    AtlasValidationError
        When cells that must be numbers are not plain decimals (each with file, line, column).
    """
    root = Path(folder)
    lim = limits or input_limits()
    config = _read_csv(root, "config.csv", lim)
    settings = config[0] if config else {}
    km_per_unit = _unit(settings, "long_length", _LENGTH_KM)
    kmh_per_unit = _unit(settings, "speed", _SPEED_KMH)
    node = _read_csv(root, "node.csv", lim)
    link = _read_csv(root, "link.csv", lim)
    numbers = _Numbers()
    node_id_of: dict[Any, str] = {}
    nodes = []
    for row in node:
        nid = str(row["caravan_node_id"]) if _given(row.get("caravan_node_id")) else None
        nid = nid or f"n{row['node_id']}"
        node_id_of[row["node_id"]] = nid
        nodes.append(
            {
                "node_id": nid,
                "name": row.get("name") if _given(row.get("name")) else nid,
                "lat": numbers.decimal("node.csv", row, "y_coord"),
                "lon": numbers.decimal("node.csv", row, "x_coord"),
                "kind": row.get("node_type") if _given(row.get("node_type")) else "junction",
                "coord_basis": "GMNS node.csv",
                "source_ids": [source_id],
                **{c: row[c] for c in _NODE_EXTRAS if c in row and _given(row[c])},
            }
        )
    links: dict[str, dict[str, Any]] = {}
    for row in link:
        caravan_id = row.get("caravan_link_id")
        lid = str(caravan_id) if _given(caravan_id) else f"g{row['link_id']}"
        if lid in links:  # the other direction of a two-way Caravan link
            links[lid]["oneway"] = False
            continue
        a, b = node_id_of.get(row["from_node_id"]), node_id_of.get(row["to_node_id"])
        directed = str(row.get("directed", "true")).strip().lower() in ("true", "1", "t", "yes")
        dir_flag = numbers.whole("link.csv", row, "dir_flag", 1)
        length = numbers.decimal("link.csv", row, "length")
        free_speed = numbers.decimal("link.csv", row, "free_speed")
        if _given(caravan_id) and dir_flag == -1:
            a, b = b, a  # a Caravan export lists the from-to direction first; be safe anyway
        record: dict[str, Any] = {
            "link_id": lid,
            "from_node_id": a if a is not None else f"n{row['from_node_id']}",
            "to_node_id": b if b is not None else f"n{row['to_node_id']}",
            "mode": _mode(row),
            "length_km": length * km_per_unit if length is not None else None,
            "length_basis": "GMNS link.csv",
            "oneway": bool(directed) if not _given(caravan_id) else True,
            "source_ids": [source_id],
            **{c: row[c] for c in _LINK_EXTRAS if c in row and _given(row[c])},
        }
        if "status" not in record and status is not None:
            record["status"] = status
        # figures the atlas filled in (mode defaults, the tariff model) are not the link's own
        filled = ("mode default", "tariff model")
        if free_speed is not None and row.get("speed_basis") not in filled:
            record["speed_kmh"] = free_speed * kmh_per_unit
        if record.get("tariff_basis") in filled:
            for key in ("tariff_usd_per_tkm", "tariff_usd_per_tkm_low", "tariff_usd_per_tkm_high"):
                record.pop(key, None)
        if _given(row.get("geometry")):
            try:
                coords = parse_line_wkt(str(row["geometry"]))
            except ValueError as exc:
                numbers.problems.append(
                    Problem(
                        "link.csv",
                        int(row["_line"]),
                        "geometry",
                        f"geometry {exc}",
                        "give a WKT LINESTRING of lon lat vertices",
                    )
                )
                continue
            # dir_flag -1: the vertices run from to_node to from_node (a Caravan export stores
            # each link's own from-to line on both directions, and was swapped back above).
            reverse = dir_flag == -1 and not _given(caravan_id)
            record["geometry"] = line_wkt(coords[::-1] if reverse else coords)
        links[lid] = record
    if numbers.problems:
        raise AtlasValidationError(numbers.problems, source=f"GMNS folder {root}")
    tables = AtlasTables(
        csv={"nodes.csv": nodes, "links.csv": list(links.values())},
        meta={"name": str(settings.get("dataset_name") or root.name), "version": "gmns"},
    )
    extra = root / EXTRA_FOLDER
    for name in _extra_files(extra):
        tables.copies[name] = extra / name
    return tables


def _extra_files(folder: Path) -> Iterable[str]:
    if not folder.is_dir():
        return ()
    return [
        n
        for n in (*ATLAS_FILES, "tariffs.yaml")
        if n not in ("nodes.csv", "links.csv") and (folder / n).is_file()
    ]
