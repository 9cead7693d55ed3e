"""Capacities of crossings, ports and lines, and the reason everything else is unconstrained.

``capacities.yaml`` holds one record per facility or rule (see ``docs/capacity.md``):

- ``line``: a capacity (Mt a year, both directions together) for each listed link;
- ``border``: a capacity for each listed border crossing (both directions together);
- ``port``: a capacity for each listed port: tonnes loaded plus unloaded to and from ships
  and ferries there (cargo that only sails past is not handled);
- ``unconstrained``: no capacity, for the listed links, crossings or ports, or for every link
  of the listed modes and the crossings on them; ``basis`` states why.

:func:`apply_capacities` writes the capacities into the atlas's frames (links keep any
capacity ``links.csv`` gives); :func:`check_capacities` is the validator: every id known,
each capacity inside its range, no link given two different capacities and, when the atlas has the
file, every link, crossing and port either with a capacity or a stated reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from caravan.errors import Problem
from caravan.model._checks import Row, as_list, given, iter_rows, line_of, range_problems, suggest

__all__ = [
    "CAPACITY_KINDS",
    "Capacity",
    "apply_capacities",
    "capacities_from_records",
    "check_capacities",
]

#: What a capacity record describes.
CAPACITY_KINDS = ("line", "border", "port", "unconstrained")
_FILE = "capacities.yaml"
_COLUMNS = ("capacity_mtpa", "capacity_mtpa_low", "capacity_mtpa_high")


@dataclass(frozen=True)
class Capacity:
    """One record of ``capacities.yaml``.

    Examples
    --------
    >>> c = Capacity("x", "X crossing", "border", border_ids=("x-road",), capacity_mtpa=3.6)
    >>> c.binds, c.kind
    (True, 'border')
    """

    capacity_id: str
    name: str
    kind: str
    link_ids: tuple[str, ...] = ()
    border_ids: tuple[str, ...] = ()
    node_ids: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    capacity_mtpa: float | None = None
    capacity_mtpa_low: float | None = None
    capacity_mtpa_high: float | None = None
    basis: str = ""
    source_ids: tuple[str, ...] = ()
    notes: str = ""

    @property
    def binds(self) -> bool:
        """Whether the record gives a capacity (not an ``unconstrained`` reason)."""
        return self.kind != "unconstrained" and self.capacity_mtpa is not None


def _float(value: Any) -> float | None:
    return float(value) if given(value) else None


def capacities_from_records(records: Sequence[Mapping[str, Any]]) -> tuple[Capacity, ...]:
    """The records of ``capacities.yaml`` (as read and type-checked) as :class:`Capacity`."""
    return tuple(
        Capacity(
            capacity_id=str(r["capacity_id"]),
            name=str(r["name"]),
            kind=str(r["kind"]),
            link_ids=as_list(r.get("link_ids")),
            border_ids=as_list(r.get("border_ids")),
            node_ids=as_list(r.get("node_ids")),
            modes=as_list(r.get("modes")),
            capacity_mtpa=_float(r.get("capacity_mtpa")),
            capacity_mtpa_low=_float(r.get("capacity_mtpa_low")),
            capacity_mtpa_high=_float(r.get("capacity_mtpa_high")),
            basis=str(r.get("basis") or ""),
            source_ids=as_list(r.get("source_ids")),
            notes=str(r.get("notes") or ""),
        )
        for r in records
    )


def _fill(frame: pd.DataFrame, key: str, values: Mapping[str, Capacity]) -> pd.DataFrame:
    """``frame`` with the capacity columns set for the rows whose ``key`` is in ``values``."""
    out = frame.copy()
    for column in _COLUMNS:
        if column not in out.columns:
            out[column] = np.nan
        out[column] = out[column].astype(float)
    if not values:
        return out
    idents = out[key].astype(str)
    for column in _COLUMNS:
        given_values = idents.map(
            lambda ident, c=column: getattr(values[ident], c) if ident in values else None
        )
        hit = idents.isin(list(values))
        out.loc[hit, column] = given_values[hit].astype(float)
    return out


def apply_capacities(
    capacities: Sequence[Capacity],
    links: pd.DataFrame,
    borders: pd.DataFrame,
    nodes: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Links, borders and nodes with the records' capacities in their capacity columns.

    A link keeps the capacity ``links.csv`` gives it (the validator forbids a second one);
    borders and nodes get ``capacity_mtpa`` (with ``_low`` and ``_high``) columns, NaN where
    no record gives a capacity.
    """
    by_link = {lid: c for c in capacities if c.binds and c.kind == "line" for lid in c.link_ids}
    by_border = {
        bid: c for c in capacities if c.binds and c.kind == "border" for bid in c.border_ids
    }
    by_node = {nid: c for c in capacities if c.binds and c.kind == "port" for nid in c.node_ids}
    own = links["capacity_mtpa"].notna()
    filled = _fill(links, "link_id", by_link)
    for column in _COLUMNS:
        filled.loc[own, column] = links.loc[own, column]
    return filled, _fill(borders, "border_id", by_border), _fill(nodes, "node_id", by_node)


def _problem(row: Row, field: str, what: str, fix: str) -> Problem:
    return Problem(_FILE, line_of(row), field, what, fix)


def _check_record(
    row: Row,
    index: Mapping[str, Mapping[str, Row]],
    modes: frozenset[str],
) -> list[Problem]:
    cid = repr(row.get("capacity_id"))
    kind = str(row.get("kind"))
    problems = range_problems(_FILE, row, "capacity_mtpa", f"capacity {cid}")
    targets = {
        "line": ("link_ids",),
        "border": ("border_ids",),
        "port": ("node_ids",),
        "unconstrained": ("link_ids", "border_ids", "node_ids", "modes"),
    }.get(kind, ())
    for field, table in (("link_ids", "links"), ("border_ids", "borders"), ("node_ids", "nodes")):
        for ident in as_list(row.get(field)):
            if ident not in index[table]:
                problems.append(
                    _problem(
                        row,
                        field,
                        f"capacity {cid} names unknown {field[:-4]} {ident!r}"
                        f"{suggest(ident, index[table])}",
                        f"use an id from {table}.csv",
                    )
                )
            elif (
                field == "node_ids" and kind == "port" and index[table][ident].get("kind") != "port"
            ):
                problems.append(
                    _problem(
                        row,
                        field,
                        f"capacity {cid}: node {ident!r} is not a port",
                        "give port capacities to nodes of kind port",
                    )
                )
        if as_list(row.get(field)) and field not in targets:
            problems.append(
                _problem(
                    row,
                    field,
                    f"capacity {cid} of kind {kind} cannot list {field}",
                    f"use {targets}",
                )
            )
    for mode in as_list(row.get("modes")):
        if mode not in modes:
            problems.append(
                _problem(
                    row,
                    "modes",
                    f"capacity {cid} names unknown mode {mode!r}{suggest(mode, modes)}",
                    "use a mode of modes.yaml",
                )
            )
    has_cap = given(row.get("capacity_mtpa"))
    if kind == "unconstrained" and has_cap:
        problems.append(
            _problem(
                row,
                "capacity_mtpa",
                f"capacity {cid} is unconstrained but gives a capacity",
                "drop the capacity, or give the record kind line, border or port",
            )
        )
    if kind in ("line", "border", "port") and not has_cap:
        problems.append(
            _problem(
                row,
                "capacity_mtpa",
                f"capacity {cid} ({kind}) gives no capacity",
                "fill in capacity_mtpa (Mt a year), or make it kind unconstrained with a reason",
            )
        )
    return problems


def check_capacities(
    table: Any,
    links: Mapping[str, Row],
    borders: Mapping[str, Row],
    nodes: Mapping[str, Row],
    modes: frozenset[str],
) -> list[Problem]:
    """The validator of ``capacities.yaml`` (see the module docstring).

    Coverage is checked only when the file has records: every link, border crossing and port
    then has a capacity or is covered by an ``unconstrained`` record (by id, or by mode for
    links and the crossings on them).
    """
    rows = list(iter_rows(table))
    index = {"links": links, "borders": borders, "nodes": nodes}
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        problems += _check_record(row, index, modes)
        kind = str(row.get("kind"))
        if kind == "unconstrained":
            continue
        field = {"line": "link_ids", "border": "border_ids", "port": "node_ids"}.get(kind)
        for ident in as_list(row.get(field)) if field else ():
            key = (kind, ident)
            if key in seen:
                problems.append(
                    _problem(
                        row,
                        field or "",
                        f"{ident!r} has a second capacity here (first in {seen[key]!r})",
                        "keep one capacity per facility",
                    )
                )
            seen[key] = str(row.get("capacity_id"))
            own: Any = links.get(ident, {}).get("capacity_mtpa")
            mine: Any = row.get("capacity_mtpa")
            if kind == "line" and given(own) and given(mine) and float(own) != float(mine):
                problems.append(
                    _problem(
                        row,
                        "link_ids",
                        f"link {ident!r} has another capacity in links.csv ({float(own):g})",
                        "give it in one place only",
                    )
                )
    if rows:
        problems += _coverage(rows, links, borders, nodes, seen)
    return problems


def _coverage(
    rows: Sequence[Row],
    links: Mapping[str, Row],
    borders: Mapping[str, Row],
    nodes: Mapping[str, Row],
    seen: Mapping[tuple[str, str], str],
) -> list[Problem]:
    free = [r for r in rows if str(r.get("kind")) == "unconstrained"]
    free_ids = {
        f: {i for r in free for i in as_list(r.get(f))}
        for f in ("link_ids", "border_ids", "node_ids")
    }
    free_modes = {m for r in free for m in as_list(r.get("modes"))}
    problems: list[Problem] = []
    fix = (
        "give it a capacity (kind line, border or port) or list it, or its mode, in an "
        "unconstrained record with the reason"
    )
    for lid, link in links.items():
        covered = (
            given(link.get("capacity_mtpa"))
            or ("line", lid) in seen
            or lid in free_ids["link_ids"]
            or str(link.get("mode")) in free_modes
        )
        if not covered:
            problems.append(
                Problem(_FILE, None, "link_ids", f"link {lid!r} has no capacity and no reason", fix)
            )
    for bid, border in borders.items():
        mode = str(links.get(str(border.get("link_id")), {}).get("mode"))
        if not (("border", bid) in seen or bid in free_ids["border_ids"] or mode in free_modes):
            problems.append(
                Problem(
                    _FILE,
                    None,
                    "border_ids",
                    f"border crossing {bid!r} has no capacity and no reason",
                    fix,
                )
            )
    for nid, node in nodes.items():
        if node.get("kind") == "port" and not (
            ("port", nid) in seen or nid in free_ids["node_ids"]
        ):
            problems.append(
                Problem(_FILE, None, "node_ids", f"port {nid!r} has no capacity and no reason", fix)
            )
    return problems
