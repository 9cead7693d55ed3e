"""Observed freight volumes (``observed.csv``): what the base year is calibrated and checked on.

A count is a published tonnage a year at one place the model can measure: a border crossing
(one or more border ids), a port (a node: tonnes loaded and unloaded on its sea and ferry
links), a corridor (a set of link or border ids: tonnes of the routes that use any of them),
or a country's transit total (tonnes that cross it with neither end there). Each count keeps
the published figure and unit, how it was turned into tonnes a year, a low/high range, its
sources and whether it is held out of calibration.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from caravan.errors import Problem
from caravan.model.schema import Field, Kind, vocabulary

__all__ = [
    "OBSERVED_FIELDS",
    "OBSERVED_FILE",
    "CountKind",
    "CountScope",
    "ObservedCount",
    "check_counts",
    "count_from_record",
]

OBSERVED_FILE = "observed.csv"


class CountKind(enum.StrEnum):
    """What a count measures."""

    BORDER = "border"
    PORT = "port"
    CORRIDOR = "corridor"
    TRANSIT = "transit"


class CountScope(enum.StrEnum):
    """Which cargo a count includes: all of it, only cargo in transit through the country, or
    (ports only) only transit cargo that enters the country at the port.

    ``transit_in`` matches customs statistics that book transit at its gateway of entry: Iran's
    customs (IRICA) ranks "transit routes" by the customs house where the cargo entered Iran, so
    the Iraqi fuel oil that leaves through Bandar Abbas is booked at Parviz Khan or Bashmaq, not
    at Shahid Rajaee.
    """

    ALL = "all"
    TRANSIT = "transit"
    TRANSIT_IN = "transit_in"


OBSERVED_FIELDS: tuple[Field, ...] = (
    Field("count_id", required=True),
    Field("kind", required=True, vocab=vocabulary(CountKind)),
    Field("name", required=True),
    Field("element_ids", Kind.LIST, required=True),
    Field("scope", vocab=vocabulary(CountScope)),
    Field("year", Kind.INT, required=True, minimum=1900, maximum=2100),
    Field("observed_tonnes", Kind.FLOAT, required=True, minimum=0),
    Field("observed_tonnes_low", Kind.FLOAT, minimum=0),
    Field("observed_tonnes_high", Kind.FLOAT, minimum=0),
    Field("unit", required=True),
    Field("figure", required=True),
    Field("basis", required=True),
    Field("holdout", Kind.BOOL),
    Field("source_ids", Kind.LIST, required=True),
    Field("notes"),
)


@dataclass(frozen=True)
class ObservedCount:
    """One observed volume, in tonnes a year (both directions).

    ``element_ids`` are border ids (``border``), node ids (``port``), link or border ids
    (``corridor``) or ISO3 country codes (``transit``).
    """

    count_id: str
    kind: CountKind
    name: str
    element_ids: tuple[str, ...]
    year: int
    observed_tonnes: float
    observed_tonnes_low: float
    observed_tonnes_high: float
    unit: str
    figure: str
    basis: str
    source_ids: tuple[str, ...]
    scope: CountScope = CountScope.ALL
    holdout: bool = False
    notes: str = ""


def count_from_record(record: Mapping[str, Any]) -> ObservedCount:
    """A count from a parsed ``observed.csv`` row (low/high default to the figure itself)."""
    value = float(record["observed_tonnes"])
    low = record.get("observed_tonnes_low")
    high = record.get("observed_tonnes_high")
    return ObservedCount(
        count_id=str(record["count_id"]),
        kind=CountKind(record["kind"]),
        name=str(record["name"]),
        element_ids=tuple(record["element_ids"]),
        year=int(record["year"]),
        observed_tonnes=value,
        observed_tonnes_low=value if low is None or low != low else float(low),
        observed_tonnes_high=value if high is None or high != high else float(high),
        unit=str(record["unit"]),
        figure=str(record["figure"]),
        basis=str(record["basis"]),
        source_ids=tuple(record["source_ids"]),
        scope=CountScope(record.get("scope") or CountScope.ALL),
        holdout=bool(record.get("holdout") or False),
        notes=str(record.get("notes") or ""),
    )


def check_counts(
    rows: Iterable[tuple[int, ObservedCount]],
    *,
    border_ids: set[str],
    link_ids: set[str],
    node_ids: set[str],
    port_node_ids: set[str],
    countries: set[str],
    source_ids: set[str],
) -> list[Problem]:
    """Every problem with the counts' ids, ranges and sources, each with its line and fix."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for line, c in rows:
        if c.count_id in seen:
            problems.append(
                Problem(OBSERVED_FILE, line, "count_id", f"duplicate id {c.count_id!r}", "rename")
            )
        seen.add(c.count_id)
        if c.kind is CountKind.BORDER:
            known, what = border_ids, "border id (borders.csv)"
        elif c.kind is CountKind.CORRIDOR:
            known, what = border_ids | link_ids, "link id (links.csv) or border id"
        elif c.kind is CountKind.PORT:
            known, what = port_node_ids, "port node id (nodes.csv, a node with sea or ferry links)"
        else:
            known, what = countries, "ISO3 code of a country in nodes.csv"
        for element in c.element_ids:
            if element not in known:
                hint = " (a node, but it has no sea or ferry link)" if element in node_ids else ""
                problems.append(
                    Problem(
                        OBSERVED_FILE,
                        line,
                        "element_ids",
                        f"count {c.count_id}: {element!r} is not a {what}{hint}",
                        f"use a {what}",
                    )
                )
        if c.scope is CountScope.TRANSIT_IN and c.kind is not CountKind.PORT:
            problems.append(
                Problem(
                    OBSERVED_FILE,
                    line,
                    "scope",
                    f"count {c.count_id}: scope transit_in applies to port counts only "
                    f"(this count is a {c.kind.value} count)",
                    "use scope all or transit, or make it a port count",
                )
            )
        if not c.observed_tonnes_low <= c.observed_tonnes <= c.observed_tonnes_high:
            problems.append(
                Problem(
                    OBSERVED_FILE,
                    line,
                    "observed_tonnes",
                    f"count {c.count_id}: {c.observed_tonnes:g} is outside its range "
                    f"{c.observed_tonnes_low:g}-{c.observed_tonnes_high:g}",
                    "make observed_tonnes_low <= observed_tonnes <= observed_tonnes_high",
                )
            )
        for sid in c.source_ids:
            if sid not in source_ids:
                problems.append(
                    Problem(
                        OBSERVED_FILE,
                        line,
                        "source_ids",
                        f"count {c.count_id}: unknown source id {sid!r}",
                        "add it to sources.yaml or fix the id",
                    )
                )
    return problems
