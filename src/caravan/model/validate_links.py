"""Semantic checks of the network tables: links, borders and transfers."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from caravan.errors import Problem
from caravan.model._checks import (
    ISO3,
    Row,
    given,
    iter_rows,
    line_of,
    number,
    range_problems,
    suggest,
    whole,
)
from caravan.model.geodesy import geodesic_km
from caravan.model.geometry import line_problems
from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits
from caravan.model.records import NodeKind
from caravan.model.schema import bound_problem

__all__ = [
    "LONG_FACTOR",
    "MIN_GREAT_CIRCLE_KM",
    "SHORT_FACTOR",
    "check_borders",
    "check_links",
    "check_transfers",
]

#: A link shorter than this share of the great-circle distance between its nodes is an error.
SHORT_FACTOR = 0.9
#: A link longer than this multiple of the great-circle distance must say why in ``notes``.
LONG_FACTOR = 2.5
#: Links whose nodes are closer than this are exempt from the length checks.
MIN_GREAT_CIRCLE_KM = 5.0

_LINKS = "links.csv"
_BORDERS = "borders.csv"
_TRANSFERS = "transfers.csv"


def _endpoint_problems(row: Row, nodes: Mapping[str, Row]) -> list[Problem]:
    problems: list[Problem] = []
    link_id, line = row.get("link_id"), line_of(row)
    for column in ("from_node_id", "to_node_id"):
        node_id = row.get(column)
        if given(node_id) and str(node_id) not in nodes:
            problems.append(
                Problem(
                    _LINKS,
                    line,
                    column,
                    f"link {link_id!r} names unknown node {node_id!r}"
                    f"{suggest(str(node_id), nodes)}",
                    "add the node to nodes.csv or correct the id",
                )
            )
    a, b = row.get("from_node_id"), row.get("to_node_id")
    if given(a) and a == b:
        problems.append(
            Problem(
                _LINKS,
                line,
                "to_node_id",
                f"link {link_id!r} starts and ends at the same node {a!r}",
                "give the link two different nodes, or delete it",
            )
        )
    return problems


def _length_problems(row: Row, a: Row, b: Row) -> list[Problem]:
    length = row.get("length_km")
    if not given(length):
        return []
    gc = geodesic_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))
    if gc < MIN_GREAT_CIRCLE_KM:
        return []
    link_id, line, length = row.get("link_id"), line_of(row), number(length)
    pair = f"between {a['node_id']!r} and {b['node_id']!r}"
    if length < SHORT_FACTOR * gc:
        return [
            Problem(
                _LINKS,
                line,
                "length_km",
                f"link {link_id!r}: length_km {length:g} is far below the great-circle "
                f"distance {gc:.0f} km {pair}",
                "check the length and both nodes' coordinates; a line cannot be shorter "
                "than the straight line",
            )
        ]
    if length > LONG_FACTOR * gc and not given(row.get("notes")):
        return [
            Problem(
                _LINKS,
                line,
                "length_km",
                f"link {link_id!r}: length_km {length:g} is more than {LONG_FACTOR:g} times "
                f"the great-circle distance {gc:.0f} km {pair}, with no reason given",
                "check the length, or say in notes why the line is so indirect "
                "(e.g. 'around the Caspian', 'via Suez')",
            )
        ]
    return []


def _geometry_problems(row: Row, a: Row, b: Row) -> list[Problem]:
    text = row.get("geometry")
    if not given(text):
        return []
    length = row.get("length_km")
    found = line_problems(
        str(text),
        (float(a["lon"]), float(a["lat"])),
        (float(b["lon"]), float(b["lat"])),
        number(length) if given(length) else None,
    )
    return [
        Problem(_LINKS, line_of(row), field, f"link {row.get('link_id')!r}: {message}", fix)
        for field, message, fix in found
    ]


def _gauge_problems(row: Row, modes: Mapping[str, ModeTraits]) -> list[Problem]:
    link_id, line, mode = row.get("link_id"), line_of(row), row.get("mode")
    gauge = row.get("gauge_mm")
    traits = modes.get(str(mode)) if given(mode) else None
    if given(mode) and traits is None:
        return [
            Problem(
                _LINKS,
                line,
                "mode",
                f"link {link_id!r} has unknown mode {mode!r}{suggest(str(mode), modes)}",
                f"use one of {', '.join(modes)}, or add a '{mode}' row to modes.yaml",
            )
        ]
    if traits is not None and traits.has_gauge and not given(gauge):
        return [
            Problem(
                _LINKS,
                line,
                "gauge_mm",
                f"{mode} link {link_id!r} has no gauge",
                "fill in gauge_mm: 1435, 1520 or 1676",
            )
        ]
    if traits is not None and not traits.has_gauge and given(gauge):
        gauged = ", ".join(m for m, t in modes.items() if t.has_gauge)
        return [
            Problem(
                _LINKS,
                line,
                "gauge_mm",
                f"{mode} link {link_id!r} has gauge_mm {gauge}, but only {gauged} links have a "
                "gauge",
                f"empty the gauge_mm cell, or set mode to {gauged}",
            )
        ]
    return []


_SPEED_FIX = "give the running speed without border and transfer delays (those are modelled apart)"


def _cost_problems(row: Row, default_modes: Collection[str]) -> list[Problem]:
    problems: list[Problem] = []
    link_id, line, mode = row.get("link_id"), line_of(row), row.get("mode")
    speed = row.get("speed_kmh")
    if given(mode) and given(speed):
        wrong = bound_problem("speed_kmh", number(speed), mode=str(mode))
        if wrong:
            problems.append(
                Problem(_LINKS, line, "speed_kmh", f"{mode} link {link_id!r}: {wrong}", _SPEED_FIX)
            )
    if not given(mode) or str(mode) in default_modes:
        return problems
    for column in ("speed_kmh", "tariff_usd_per_tkm"):
        if not given(row.get(column)):
            problems.append(
                Problem(
                    _LINKS,
                    line,
                    column,
                    f"{mode} link {link_id!r} has no {column} and modes.yaml has no default "
                    f"for {mode}",
                    f"fill in {column}, or add a '{mode}' entry to modes.yaml",
                )
            )
    return problems


def _status_problems(row: Row, as_of_year: int | None) -> list[Problem]:
    link_id, line = row.get("link_id"), line_of(row)
    if row.get("status") != "operational":
        return []
    open_year = row.get("open_year")
    if not given(open_year):
        return [
            Problem(
                _LINKS,
                line,
                "open_year",
                f"operational link {link_id!r} has no open_year",
                "fill in the year it opened (an estimate, cited, if need be)",
            )
        ]
    if as_of_year is not None and whole(open_year) > as_of_year:
        return [
            Problem(
                _LINKS,
                line,
                "open_year",
                f"link {link_id!r} is operational but opens in {whole(open_year)}, after the "
                f"atlas date {as_of_year}",
                "set status to under_construction with expected_open_year, or fix open_year",
            )
        ]
    return []


def _sea_problems(row: Row, a: Row, b: Row, modes: Mapping[str, ModeTraits]) -> list[Problem]:
    """A deep-sea link (``sea``: see :attr:`ModeTraits.deep_sea`) must end at two ports."""
    traits = modes.get(str(row.get("mode")))
    if traits is None or not traits.deep_sea:
        return []
    problems = []
    for column, node in (("from_node_id", a), ("to_node_id", b)):
        if node.get("kind") != NodeKind.PORT.value:
            problems.append(
                Problem(
                    _LINKS,
                    line_of(row),
                    column,
                    f"sea link {row.get('link_id')!r} ends at {node['node_id']!r}, a "
                    f"{node.get('kind')}, not a port",
                    "join sea links to port nodes (add a port node and a link to it)",
                )
            )
    return problems


def check_links(
    links: object,
    nodes: Mapping[str, Row],
    *,
    default_modes: Collection[str],
    modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS,
    as_of_year: int | None = None,
) -> list[Problem]:
    """Every problem of ``links.csv``: endpoints, length, gauge, costs, status, ranges.

    Parameters
    ----------
    links : pandas.DataFrame
        The parsed links table.
    nodes : mapping
        Node rows by ``node_id``.
    default_modes : collection of str
        Modes that ``modes.yaml`` gives defaults for.
    modes : mapping
        What each known mode means (``modes.yaml`` rows and the built-in modes).
    as_of_year : int, optional
        The atlas year; an operational link may not open after it.
    """
    problems: list[Problem] = []
    for row in iter_rows(links):
        link_id = row.get("link_id")
        problems += _endpoint_problems(row, nodes)
        a, b = nodes.get(str(row.get("from_node_id"))), nodes.get(str(row.get("to_node_id")))
        if a is not None and b is not None and a is not b:
            problems += _length_problems(row, a, b)
            problems += _sea_problems(row, a, b, modes)
            problems += _geometry_problems(row, a, b)
        problems += _gauge_problems(row, modes)
        problems += _cost_problems(row, default_modes)
        problems += _status_problems(row, as_of_year)
        for column in ("length_km", "tariff_usd_per_tkm", "capacity_mtpa"):
            problems += range_problems(_LINKS, row, column, f"link {link_id!r}")
    return problems


def _border_link_problems(
    row: Row, links: Mapping[str, Row], nodes: Mapping[str, Row]
) -> list[Problem]:
    border_id, line, link_id = row.get("border_id"), line_of(row), row.get("link_id")
    if not given(link_id):
        return []
    link = links.get(str(link_id))
    if link is None:
        return [
            Problem(
                _BORDERS,
                line,
                "link_id",
                f"border {border_id!r} sits on unknown link {link_id!r}"
                f"{suggest(str(link_id), links)}",
                "add the link to links.csv or correct the id",
            )
        ]
    a = nodes.get(str(link.get("from_node_id")))
    b = nodes.get(str(link.get("to_node_id")))
    if a is None or b is None:
        return []
    problems = []
    for column, node, end in (("country_a_iso3", a, "from"), ("country_b_iso3", b, "to")):
        if row.get(column) != node.get("country_iso3"):
            problems.append(
                Problem(
                    _BORDERS,
                    line,
                    column,
                    f"border {border_id!r}: {column} is {row.get(column)!r} but link "
                    f"{link_id!r}'s {end} node {node['node_id']!r} is in "
                    f"{node.get('country_iso3')!r}",
                    f"set {column} to {node.get('country_iso3')!r} (a is the link's from node, "
                    "b its to node)",
                )
            )
    return problems


def check_borders(
    borders: object,
    links: Mapping[str, Row],
    nodes: Mapping[str, Row],
    *,
    modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS,
) -> list[Problem]:
    """Every problem of ``borders.csv``, and every cross-border link without its border row.

    Land links (rail, road) whose two nodes lie in different countries need exactly one border
    row; water links (sea, ferry) may have one (at most one), for the port formalities.
    """
    problems: list[Problem] = []
    rows_by_link: dict[str, list[Row]] = {}
    for row in iter_rows(borders):
        for column in ("country_a_iso3", "country_b_iso3"):
            code = row.get(column)
            if given(code) and not ISO3.match(str(code)):
                problems.append(
                    Problem(
                        _BORDERS,
                        line_of(row),
                        column,
                        f"border {row.get('border_id')!r}: {code!r} is not an ISO3 country code",
                        "use three upper-case letters (ISO 3166-1 alpha-3, e.g. 'AFG')",
                    )
                )
        problems += _border_link_problems(row, links, nodes)
        if given(row.get("link_id")):
            rows_by_link.setdefault(str(row["link_id"]), []).append(row)
    for link_id, rows in rows_by_link.items():
        for extra in rows[1:]:
            problems.append(
                Problem(
                    _BORDERS,
                    line_of(extra),
                    "link_id",
                    f"link {link_id!r} has more than one border row (also line {line_of(rows[0])})",
                    "keep one border row per link; dwell and fee each way go in one row",
                )
            )
    for link_id, link in links.items():
        a = nodes.get(str(link.get("from_node_id")))
        b = nodes.get(str(link.get("to_node_id")))
        if a is None or b is None or a.get("country_iso3") == b.get("country_iso3"):
            continue
        traits = modes.get(str(link.get("mode")))
        if (traits is not None and traits.water) or link_id in rows_by_link:
            continue
        problems.append(
            Problem(
                _LINKS,
                line_of(link),
                "link_id",
                f"{link.get('mode')} link {link_id!r} crosses from {a.get('country_iso3')} to "
                f"{b.get('country_iso3')} but has no row in borders.csv",
                f"add a borders.csv row with link_id {link_id!r}, its dwell hours and fees",
            )
        )
    return problems


def _layer(row: Row, side: str) -> tuple[str, int | None]:
    gauge = row.get(f"{side}_gauge_mm")
    return str(row.get(f"{side}_mode")), whole(gauge) if given(gauge) else None


def check_transfers(
    transfers: object,
    nodes: Mapping[str, Row],
    *,
    modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS,
) -> list[Problem]:
    """Every problem of ``transfers.csv``: nodes, modes, gauges, repeated and empty pairs."""
    problems: list[Problem] = []
    seen: dict[tuple[str, frozenset[tuple[str, int | None]]], int | None] = {}
    for row in iter_rows(transfers):
        line, node_id = line_of(row), row.get("node_id")
        where = f"at {node_id!r}" if given(node_id) else "(default row)"
        if given(node_id) and str(node_id) not in nodes:
            problems.append(
                Problem(
                    _TRANSFERS,
                    line,
                    "node_id",
                    f"transfer names unknown node {node_id!r}{suggest(str(node_id), nodes)}",
                    "add the node to nodes.csv, correct the id, or leave it empty for a default",
                )
            )
        for side in ("from", "to"):
            mode, gauge = row.get(f"{side}_mode"), row.get(f"{side}_gauge_mm")
            traits = modes.get(str(mode)) if given(mode) else None
            if given(mode) and traits is None:
                problems.append(
                    Problem(
                        _TRANSFERS,
                        line,
                        f"{side}_mode",
                        f"transfer {where}: unknown mode {mode!r}{suggest(str(mode), modes)}",
                        f"use one of {', '.join(modes)}, or add a '{mode}' row to modes.yaml",
                    )
                )
            elif traits is not None and traits.has_gauge and not given(gauge):
                problems.append(
                    Problem(
                        _TRANSFERS,
                        line,
                        f"{side}_gauge_mm",
                        f"transfer {where}: {side}_mode is {mode} but {side}_gauge_mm is empty",
                        f"fill in {side}_gauge_mm: 1435, 1520 or 1676",
                    )
                )
            elif traits is not None and not traits.has_gauge and given(gauge):
                problems.append(
                    Problem(
                        _TRANSFERS,
                        line,
                        f"{side}_gauge_mm",
                        f"transfer {where}: {side}_mode is {mode} but {side}_gauge_mm is {gauge}",
                        f"empty {side}_gauge_mm (only "
                        f"{', '.join(m for m, t in modes.items() if t.has_gauge)} has a gauge)",
                    )
                )
        pair = frozenset({_layer(row, "from"), _layer(row, "to")})
        if len(pair) == 1:
            problems.append(
                Problem(
                    _TRANSFERS,
                    line,
                    "to_mode",
                    f"transfer {where} joins a layer to itself ({row.get('from_mode')})",
                    "name two different modes, or two different rail gauges",
                )
            )
            continue
        key = (str(node_id) if given(node_id) else "", pair)
        if key in seen:
            problems.append(
                Problem(
                    _TRANSFERS,
                    line,
                    "node_id",
                    f"transfer {where} repeats the pair of line {seen[key]} (a row applies "
                    "both ways)",
                    "keep one row per pair of layers and node",
                )
            )
        else:
            seen[key] = line
    return problems
