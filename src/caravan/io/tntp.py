"""Read and write the TNTP formats: net, trips, flow and node files.

The format is that of Bar-Gera's Transportation Network Test Problems, as kept in
bstabler/TransportationNetworks: a metadata block of ``<KEY> value`` lines ending with
``<END OF METADATA>``, then rows ending with ``;``; lines starting with ``~`` are comments.
Node ids are kept as written (1-based); zones are nodes ``1..<NUMBER OF ZONES>``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from caravan.errors import InputError, NotFoundError
from caravan.io._atomic import write_text_atomic
from caravan.io._limits import input_limits
from caravan.model.arrays import FloatArray
from caravan.model.tntp import NET_COLUMNS, TntpData, TntpFlow, TntpNet, TntpNodes
from caravan.model.values import parse_decimal, parse_whole, shown

__all__ = [
    "NET_COLUMNS",
    "TNTP_BOUNDS",
    "TntpData",
    "TntpFlow",
    "TntpNet",
    "TntpNodes",
    "find_tntp_files",
    "read_flow",
    "read_net",
    "read_nodes",
    "read_tntp_dir",
    "read_trips",
    "write_flow",
    "write_link_flows_csv",
    "write_net",
    "write_nodes",
    "write_trips",
]

_META = re.compile(r"^\s*<([^>]+)>\s*(.*)$")


#: Bounds of the numbers of a net file (and of a trips cell), checked with the line before any
#: solver sees them: non-finite or absurd values would overflow inside the compiled kernels.
TNTP_BOUNDS: dict[str, tuple[float, float]] = {
    "capacity": (1e-9, 1e9),
    "length": (0.0, 1e7),
    "free_flow_time": (0.0, 1e6),
    "b": (0.0, 1e3),
    "power": (0.0, 20.0),
    "speed": (0.0, 1e6),
    "toll": (0.0, 1e9),
    "trips": (0.0, 1e9),
    "volume": (0.0, 1e12),
    "cost": (0.0, 1e12),
}
#: TNTP files may be this many times larger than the atlas file limit (``CARAVAN_MAX_FILE_MB``).
_SIZE_FACTOR = 16
#: Memory the dense trips matrix and the per-zone solver arrays may take, by default (bytes);
#: ``CARAVAN_TNTP_MEMORY_MB`` changes it.
DEFAULT_MEMORY_BUDGET = 4 * 1024**3


def memory_budget() -> int:
    """The memory budget for one TNTP network, in bytes (``CARAVAN_TNTP_MEMORY_MB``)."""
    text = os.environ.get("CARAVAN_TNTP_MEMORY_MB", "").strip()
    if not text:
        return DEFAULT_MEMORY_BUDGET
    try:
        return int(parse_decimal(text) * 1024 * 1024)
    except ValueError:
        raise InputError(f"CARAVAN_TNTP_MEMORY_MB={shown(text)} is not a number") from None


def _check_budget(path: Path, n_zones: int, n_nodes: int) -> None:
    need = 8 * n_zones * (n_zones + n_nodes)
    budget = memory_budget()
    if need > budget:
        msg = (
            f"{path}: {n_zones:,} zones and {n_nodes:,} nodes need about {need / 1e9:,.1f} GB "
            f"(the budget is {budget / 1e9:,.1f} GB); check <NUMBER OF ZONES> and <NUMBER OF "
            "NODES>, or raise CARAVAN_TNTP_MEMORY_MB"
        )
        raise InputError(msg)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    limits = input_limits()
    limits = dataclasses.replace(limits, max_file_bytes=limits.max_file_bytes * _SIZE_FACTOR)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFoundError(f"{path}: file not found") from None
    if size > limits.max_file_bytes:
        msg = (
            f"{path}: {size / 1e6:,.0f} MB is above the TNTP file limit of "
            f"{limits.max_file_bytes / 1e6:,.0f} MB (raise CARAVAN_MAX_FILE_MB)"
        )
        raise InputError(msg)
    text = path.read_bytes().decode("utf-8", errors="replace")
    nul = text.find("\0")
    if nul >= 0:
        raise InputError(f"{path}, line {text.count(chr(10), 0, nul) + 1}: holds a NUL byte")
    yield from enumerate(text.splitlines(), start=1)


def _split_metadata(path: Path) -> tuple[dict[str, str], list[tuple[int, str]]]:
    meta: dict[str, str] = {}
    body: list[tuple[int, str]] = []
    in_meta = True
    for number, line in _lines(path):
        if in_meta:
            m = _META.match(line)
            if m is None:
                if line.strip():
                    msg = f"{path}, line {number}: expected '<KEY> value' in the metadata block"
                    raise InputError(msg)
                continue
            key = m.group(1).strip().upper()
            if key == "END OF METADATA":
                in_meta = False
                continue
            meta[key] = m.group(2).strip()
        else:
            body.append((number, line))
    if in_meta:
        raise InputError(f"{path}: no '<END OF METADATA>' line (is the file truncated?)")
    return meta, body


def _meta_int(path: Path, meta: dict[str, str], key: str, default: int | None = None) -> int:
    raw = meta.get(key)
    if raw is None or not raw.split():
        if default is not None:
            return default
        raise InputError(f"{path}: metadata '<{key}>' is missing")
    try:
        return parse_whole(raw.split()[0])
    except ValueError as exc:
        raise InputError(f"{path}: metadata '<{key}>' is not a number: {exc}") from None


def _number(path: Path, number: int, column: str, raw: str) -> float:
    try:
        value = parse_decimal(raw)
    except ValueError as exc:
        msg = f"{path}, line {number}: column '{column}' is not a number: {exc}"
        raise InputError(msg) from None
    bounds = TNTP_BOUNDS.get(column)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        msg = (
            f"{path}, line {number}: {column} must be between {bounds[0]:g} and {bounds[1]:g} "
            f"(got {value:.6g})"
        )
        raise InputError(msg)
    return value


def _check_counts(path: Path, n_zones: int, n_nodes: int, n_links: int, ftn: int) -> None:
    """The metadata counts are positive and consistent before anything is allocated."""
    if n_nodes < 1:
        raise InputError(f"{path}: <NUMBER OF NODES> must be at least 1, got {n_nodes}")
    if not 1 <= n_zones <= n_nodes:
        msg = f"{path}: <NUMBER OF ZONES> must be between 1 and <NUMBER OF NODES> {n_nodes}"
        raise InputError(f"{msg}, got {n_zones}")
    if n_links < 1:
        raise InputError(f"{path}: <NUMBER OF LINKS> must be at least 1, got {n_links}")
    if not 1 <= ftn <= n_nodes + 1:
        msg = f"{path}: <FIRST THRU NODE> must be between 1 and {n_nodes + 1}, got {ftn}"
        raise InputError(msg)


def read_net(path: str | os.PathLike[str]) -> TntpNet:
    """Read a ``*_net.tntp`` file.

    Raises
    ------
    InputError
        With the file and line: missing metadata, short rows, non-numeric fields, node ids out
        of range, or fewer links than ``<NUMBER OF LINKS>`` declares.
    NotFoundError
        If the file does not exist.
    """
    p = Path(path)
    meta, body = _split_metadata(p)
    n_zones = _meta_int(p, meta, "NUMBER OF ZONES")
    n_nodes = _meta_int(p, meta, "NUMBER OF NODES")
    n_links = _meta_int(p, meta, "NUMBER OF LINKS")
    ftn = _meta_int(p, meta, "FIRST THRU NODE", 1)
    _check_counts(p, n_zones, n_nodes, n_links, ftn)
    rows: list[list[float]] = []
    row_lines: list[int] = []
    for number, line in body:
        s = line.strip()
        if not s or s.startswith("~"):
            continue
        fields = s.replace(";", " ").split()
        if len(fields) < len(NET_COLUMNS):
            msg = (
                f"{p}, line {number}: expected {len(NET_COLUMNS)} columns "
                f"({', '.join(NET_COLUMNS)}), found {len(fields)}"
            )
            raise InputError(msg)
        rows.append([_number(p, number, c, v) for c, v in zip(NET_COLUMNS, fields, strict=False)])
        row_lines.append(number)
    if len(rows) != n_links:
        msg = (
            f"{p}: metadata declares {n_links} links but the file has {len(rows)} (truncated file?)"
        )
        raise InputError(msg)
    table = np.array(rows, dtype=np.float64).reshape(-1, len(NET_COLUMNS))
    ids = table[:, :2]
    if ids.size and (ids.min() < 1 or ids.max() > n_nodes or np.any(ids != np.round(ids))):
        bad = int(
            np.flatnonzero((ids < 1).any(1) | (ids > n_nodes).any(1) | (ids % 1 != 0).any(1))[0]
        )
        msg = f"{p}, line {row_lines[bad]}: node id outside 1..{n_nodes} (<NUMBER OF NODES>)"
        raise InputError(msg)
    used = int(ids.max()) if ids.size else 0
    if n_nodes > max(used, n_zones) * 1.1 + 10:
        msg = (
            f"{p}: <NUMBER OF NODES> is {n_nodes:,} but the links use node ids up to {used:,}; "
            "give the real number of nodes"
        )
        raise InputError(msg)
    _check_budget(p, n_zones, n_nodes)
    col = {name: table[:, i] for i, name in enumerate(NET_COLUMNS)}
    return TntpNet(
        source=str(p),
        n_zones=n_zones,
        n_nodes=n_nodes,
        first_thru_node=ftn,
        metadata=meta,
        init_node=col["init_node"].astype(np.int64),
        term_node=col["term_node"].astype(np.int64),
        capacity=col["capacity"],
        length=col["length"],
        free_flow_time=col["free_flow_time"],
        b=col["b"],
        power=col["power"],
        speed=col["speed"],
        toll=col["toll"],
        link_type=col["link_type"].astype(np.int64),
    )


def read_trips(path: str | os.PathLike[str], n_zones: int | None = None) -> FloatArray:
    """Read a ``*_trips.tntp`` file into a dense (zones x zones) matrix; row = origin.

    Raises
    ------
    InputError
        With the file and line: entries before an ``Origin`` line, bad numbers, zone ids out of
        range.
    """
    p = Path(path)
    meta, body = _split_metadata(p)
    declared = _meta_int(p, meta, "NUMBER OF ZONES") if "NUMBER OF ZONES" in meta else None
    if n_zones is not None and declared is not None and declared != n_zones:
        msg = (
            f"{p}: <NUMBER OF ZONES> is {declared} but the net file has {n_zones} zones; "
            "the two files must describe the same network"
        )
        raise InputError(msg)
    zones = n_zones if n_zones is not None else _meta_int(p, meta, "NUMBER OF ZONES")
    if zones < 1:
        raise InputError(f"{p}: <NUMBER OF ZONES> must be at least 1, got {zones}")
    _check_budget(p, zones, 0)
    demand = np.zeros((zones, zones))
    origin = -1
    for number, line in body:
        s = line.strip()
        if not s or s.startswith("~"):
            continue
        if s.lower().startswith("origin"):
            parts = s.split()
            if len(parts) < 2:
                raise InputError(f"{p}, line {number}: 'Origin' without a zone id")
            o = _number(p, number, "origin", parts[1])
            if not (1 <= o <= zones and o == int(o)):
                raise InputError(f"{p}, line {number}: origin {parts[1]} outside 1..{zones}")
            origin = int(o) - 1
            continue
        if origin < 0:
            raise InputError(f"{p}, line {number}: demand entries before the first 'Origin' line")
        for entry in s.split(";"):
            if not entry.strip():
                continue
            dest_raw, sep, value_raw = entry.partition(":")
            if not sep:
                msg = (
                    f"{p}, line {number}: expected 'destination : trips;', found {entry.strip()!r}"
                )
                raise InputError(msg)
            d = _number(p, number, "destination", dest_raw.strip())
            if not (1 <= d <= zones and d == int(d)):
                msg = f"{p}, line {number}: destination {dest_raw.strip()} outside 1..{zones}"
                raise InputError(msg)
            v = _number(p, number, "trips", value_raw.strip())
            demand[origin, int(d) - 1] += v
            if demand[origin, int(d) - 1] > TNTP_BOUNDS["trips"][1]:
                msg = f"{p}, line {number}: trips from {origin + 1} to {int(d)} add up above 1e9"
                raise InputError(msg)
    return demand


def _table(path: Path) -> Iterator[tuple[int, list[str]]]:
    for number, line in _lines(path):
        fields = line.replace(";", " ").split()
        if fields and not fields[0].startswith("~") and fields[0].lstrip("-").isdigit():
            yield number, fields


def _numeric_rows(path: Path, columns: tuple[str, ...], expected: str) -> list[list[float]]:
    """The numbers of a table's rows: at least three each, at most one per column."""
    rows: list[list[float]] = []
    for number, fields in _table(path):
        if len(fields) < 3:
            raise InputError(f"{path}, line {number}: expected {expected}")
        rows.append([_number(path, number, c, v) for c, v in zip(columns, fields, strict=False)])
    return rows


def read_flow(path: str | os.PathLike[str]) -> TntpFlow:
    """Read a ``*_flow.tntp`` file (``From To Volume [Cost]``, one header line)."""
    p = Path(path)
    rows = _numeric_rows(p, ("from", "to", "volume", "cost"), "From, To, Volume[, Cost]")
    if not rows:
        raise InputError(f"{p}: no flow rows found")
    width = min(len(r) for r in rows)
    table = np.array([r[:width] for r in rows])
    return TntpFlow(
        source=str(p),
        from_node=table[:, 0].astype(np.int64),
        to_node=table[:, 1].astype(np.int64),
        volume=table[:, 2],
        cost=table[:, 3] if width >= 4 else None,
    )


def read_nodes(path: str | os.PathLike[str]) -> TntpNodes:
    """Read a ``*_node.tntp`` file (``node X Y``, one header line)."""
    p = Path(path)
    rows = _numeric_rows(p, ("node", "x", "y"), "node, X, Y")
    table = np.array(rows).reshape(-1, 3)
    return TntpNodes(str(p), table[:, 0].astype(np.int64), table[:, 1], table[:, 2])


def find_tntp_files(directory: str | os.PathLike[str]) -> dict[str, Path | None]:
    """The net, trips, flow and node files of a TNTP folder (``None`` when absent).

    Raises
    ------
    NotFoundError
        If the folder does not exist or lacks a net or trips file.
    """
    d = Path(directory)
    if not d.is_dir():
        raise NotFoundError(f"{d}: no such folder")

    def one(pattern: str) -> Path | None:
        hits = sorted(d.glob(pattern))
        return hits[0] if hits else None

    files = {
        "net": one("*_net.tntp"),
        "trips": one("*_trips*.tntp"),
        "flow": one("*_flow.tntp"),
        "node": one("*_node.tntp"),
    }
    missing = [k for k in ("net", "trips") if files[k] is None]
    if missing:
        msg = f"{d}: no {' or '.join(f'*_{k}.tntp' for k in missing)} file in this folder"
        raise NotFoundError(msg)
    return files


def read_tntp_dir(directory: str | os.PathLike[str]) -> TntpData:
    """Read a TNTP network folder; the network's name is the folder's name."""
    files = find_tntp_files(directory)
    net_path, trips_path = files["net"], files["trips"]
    assert net_path is not None and trips_path is not None
    net = read_net(net_path)
    trips = read_trips(trips_path, net.n_zones)
    flow = read_flow(files["flow"]) if files["flow"] is not None else None
    nodes = read_nodes(files["node"]) if files["node"] is not None else None
    return TntpData(Path(directory).resolve().name, net, trips, flow, nodes)


def _write(path: str | os.PathLike[str], text: str) -> None:
    write_text_atomic(text, path, newline="\n")


def write_net(path: str | os.PathLike[str], net: TntpNet) -> None:
    """Write a net file that :func:`read_net` reads back equal."""
    head = [
        f"<NUMBER OF ZONES> {net.n_zones}",
        f"<NUMBER OF NODES> {net.n_nodes}",
        f"<FIRST THRU NODE> {net.first_thru_node}",
        f"<NUMBER OF LINKS> {net.n_links}",
        "<END OF METADATA>",
        "",
        "~\t" + "\t".join(NET_COLUMNS) + "\t;",
    ]
    rows = []
    for i in range(net.n_links):
        vals = [
            str(int(net.init_node[i])),
            str(int(net.term_node[i])),
            *(
                repr(float(getattr(net, c)[i]))
                for c in ("capacity", "length", "free_flow_time", "b", "power", "speed", "toll")
            ),
            str(int(net.link_type[i])),
        ]
        rows.append("\t" + "\t".join(vals) + "\t;")
    _write(path, "\n".join(head + rows) + "\n")


def write_trips(path: str | os.PathLike[str], demand: FloatArray) -> None:
    """Write a trips file (all off-zero entries, five per line)."""
    zones = demand.shape[0]
    lines = [
        f"<NUMBER OF ZONES> {zones}",
        f"<TOTAL OD FLOW> {float(demand.sum())!r}",
        "<END OF METADATA>",
        "",
    ]
    for o in range(zones):
        lines.append(f"Origin \t{o + 1}")
        entries = [f"{d + 1:5d} : {float(demand[o, d])!r};" for d in np.flatnonzero(demand[o])]
        lines += ["    ".join(entries[i : i + 5]) for i in range(0, len(entries), 5)]
        lines.append("")
    _write(path, "\n".join(lines) + "\n")


def write_flow(path: str | os.PathLike[str], flow: TntpFlow) -> None:
    """Write a flow file (``From To Volume [Cost]``)."""
    header = "From \tTo \tVolume " + ("\tCost " if flow.cost is not None else "")
    rows = [header.rstrip()]
    for i in range(flow.from_node.size):
        vals = [str(int(flow.from_node[i])), str(int(flow.to_node[i])), repr(float(flow.volume[i]))]
        if flow.cost is not None:
            vals.append(repr(float(flow.cost[i])))
        rows.append(" \t".join(vals))
    _write(path, "\n".join(rows) + "\n")


def write_nodes(path: str | os.PathLike[str], nodes: TntpNodes) -> None:
    """Write a node file (``node X Y``)."""
    rows = ["node\tX\tY\t;"]
    for i in range(nodes.node_id.size):
        rows.append(f"{int(nodes.node_id[i])}\t{float(nodes.x[i])!r}\t{float(nodes.y[i])!r}\t;")
    _write(path, "\n".join(rows) + "\n")


def write_link_flows_csv(
    path: str | os.PathLike[str],
    net: TntpNet,
    volume: FloatArray,
    link_time: FloatArray,
) -> None:
    """Write ``init_node,term_node,volume,time`` per link as CSV (temporary file, then rename)."""
    rows = ["init_node,term_node,volume,time"]
    for i in range(net.n_links):
        rows.append(
            f"{int(net.init_node[i])},{int(net.term_node[i])},"
            f"{float(volume[i])!r},{float(link_time[i])!r}"
        )
    _write(path, "\n".join(rows) + "\n")
