"""Semantic checks of an atlas read into tables: ids, references, geometry, costs, sources.

:func:`validate_tables` runs after :func:`caravan.io.atlas.read_atlas_tables` has parsed and
type-checked every file. It reports every problem at once, each with the file, row, field, what
is wrong (naming the id and the offending value) and how to mend it. An atlas it passes can be
assembled without surprises. The rules are documented in ``docs/atlas-format.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from caravan.errors import Problem
from caravan.model._checks import (
    ISO3,
    IdIndex,
    IdSet,
    Row,
    as_list,
    duplicate_ids,
    given,
    iter_rows,
    line_of,
    number,
    range_problems,
    suggest,
)
from caravan.model.atlas import fold_name
from caravan.model.capacities import check_capacities
from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits, traits_from_row
from caravan.model.records import RestrictionEffect
from caravan.model.schema import bound_problem
from caravan.model.validate_links import check_borders, check_links, check_transfers

__all__ = ["validate_tables"]

#: (file, id column, what one row is) for every table with ids.
_ID_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("nodes.csv", "node_id", "node"),
    ("links.csv", "link_id", "link"),
    ("borders.csv", "border_id", "border"),
    ("demand.csv", "flow_id", "flow"),
    ("projects.yaml", "project_id", "project"),
    ("restrictions.yaml", "restriction_id", "restriction"),
    ("zones.yaml", "zone_id", "zone"),
    ("status_events.yaml", "event_id", "status event"),
    ("capacities.yaml", "capacity_id", "capacity"),
    ("commodities.yaml", "commodity_id", "commodity"),
    ("sources.yaml", "source_id", "source"),
)

#: Files that must hold at least one row, and why.
_NOT_EMPTY: tuple[tuple[str, str], ...] = (
    ("nodes.csv", "add at least one place"),
    ("links.csv", "add at least one link"),
    ("modes.yaml", "add the default speed and tariff of each mode"),
    ("commodities.yaml", "add at least one cargo class (e.g. container)"),
    ("sources.yaml", "add the sources the figures cite"),
)


def _by_id(table: Any, key: str) -> IdIndex:
    """Rows by id, the first row winning when an id repeats (duplicates are reported apart)."""
    out = IdIndex()
    for row in iter_rows(table):
        if given(row.get(key)):
            out.setdefault(str(row[key]), row)
    return out


def _row_id(row: Row, key: str) -> str:
    return repr(row.get(key)) if given(row.get(key)) else "(no id)"


def _check_not_empty(tables: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for file, fix in _NOT_EMPTY:
        if not any(True for _ in iter_rows(tables.get(file))):
            problems.append(Problem(file, None, None, "has no rows", fix))
    return problems


def _check_countries(file: str, row: Row, fields: Iterable[str], what: str) -> list[Problem]:
    problems = []
    for field in fields:
        head, _, sub = field.partition(".")
        value = row.get(head)
        if sub:
            value = value.get(sub) if isinstance(value, Mapping) else None
        codes = as_list(value) if isinstance(value, (tuple, list)) else (value,)
        for code in codes:
            if given(code) and not ISO3.match(str(code)):
                problems.append(
                    Problem(
                        file,
                        line_of(row),
                        field,
                        f"{what}: {code!r} is not an ISO3 country code",
                        "use three upper-case letters (ISO 3166-1 alpha-3, e.g. 'AFG')",
                    )
                )
    return problems


def _check_sources(tables: Mapping[str, Any], known: frozenset[str]) -> list[Problem]:
    """Every cited source id exists in ``sources.yaml``."""
    problems: list[Problem] = []
    keys = {
        "nodes.csv": ("node_id", "node"),
        "links.csv": ("link_id", "link"),
        "borders.csv": ("border_id", "border"),
        "transfers.csv": ("node_id", "transfer at"),
        "demand.csv": ("flow_id", "flow"),
        "projects.yaml": ("project_id", "project"),
        "restrictions.yaml": ("restriction_id", "restriction"),
        "zones.yaml": ("zone_id", "zone"),
        "status_events.yaml": ("event_id", "status event"),
        "capacities.yaml": ("capacity_id", "capacity"),
        "commodities.yaml": ("commodity_id", "commodity"),
        "modes.yaml": ("mode", "mode default"),
    }

    def check(file: str, row: Row, field: str, cited: Any, what: str) -> None:
        for source_id in as_list(cited):
            if source_id not in known:
                problems.append(
                    Problem(
                        file,
                        line_of(row),
                        field,
                        f"{what} cites unknown source {source_id!r}{suggest(source_id, known)}",
                        f"add {source_id!r} to sources.yaml, or correct the id",
                    )
                )

    for file, (key, noun) in keys.items():
        for row in iter_rows(tables.get(file)):
            what = f"{noun} {_row_id(row, key)}"
            if file == "transfers.csv" and not given(row.get(key)):
                what = "default transfer"
            check(file, row, "source_ids", row.get("source_ids"), what)
            if file == "projects.yaml" and isinstance(row.get("disputes"), list):
                for i, dispute in enumerate(row["disputes"], start=1):
                    if isinstance(dispute, Mapping):
                        check(
                            file,
                            row,
                            f"disputes[{i}].source_ids",
                            dispute.get("source_ids"),
                            f"dispute {i} of {what}",
                        )
    return problems


def _check_nodes(nodes: Any) -> list[Problem]:
    problems: list[Problem] = []
    for row in iter_rows(nodes):
        problems += _check_countries("nodes.csv", row, ["country_iso3"], f"node {row['node_id']!r}")
    return problems


def _check_projects(projects: Any, links: Mapping[str, Row]) -> list[Problem]:
    problems: list[Problem] = []
    for row in iter_rows(projects):
        pid, line = _row_id(row, "project_id"), line_of(row)
        problems += _check_countries(
            "projects.yaml", row, ["sponsors", "countries"], f"project {pid}"
        )
        seen: set[str] = set()
        for link_id in as_list(row.get("link_ids")):
            if link_id in seen:
                problems.append(
                    Problem(
                        "projects.yaml",
                        line,
                        "link_ids",
                        f"project {pid} lists link {link_id!r} twice",
                        "list each link once",
                    )
                )
            seen.add(link_id)
            if link_id not in links:
                problems.append(
                    Problem(
                        "projects.yaml",
                        line,
                        "link_ids",
                        f"project {pid} names missing link {link_id!r}{suggest(link_id, links)}",
                        "add the link to links.csv, or correct the id",
                    )
                )
        if row.get("status") == "operational" and not given(row.get("open_year")):
            problems.append(
                Problem(
                    "projects.yaml",
                    line,
                    "open_year",
                    f"operational project {pid} has no open_year",
                    "fill in the year it opened",
                )
            )
    return problems


def _check_restriction_targets(
    row: Row, index: Mapping[str, Mapping[str, Row] | frozenset[str]]
) -> list[Problem]:
    problems: list[Problem] = []
    rid, line = _row_id(row, "restriction_id"), line_of(row)
    applies = row.get("applies_to")
    applies = applies if isinstance(applies, Mapping) else {}
    targets = {
        "countries": ("country", index["countries"], "a country with places in nodes.csv"),
        "link_ids": ("link", index["links"], "an id from links.csv"),
        "border_ids": ("border", index["borders"], "an id from borders.csv"),
        "node_ids": ("node", index["nodes"], "an id from nodes.csv"),
    }
    for key, (what, known, hint) in targets.items():
        for ident in as_list(applies.get(key)):
            if ident not in known:
                problems.append(
                    Problem(
                        "restrictions.yaml",
                        line,
                        f"applies_to.{key}",
                        f"restriction {rid} applies to unknown {what} {ident!r}"
                        f"{suggest(ident, known)}",
                        f"use {hint}",
                    )
                )
    if not any(as_list(applies.get(key)) for key in targets):
        problems.append(
            Problem(
                "restrictions.yaml",
                line,
                "applies_to",
                f"restriction {rid} applies to nothing",
                "list the countries, link_ids, border_ids or node_ids it applies to",
            )
        )
    return problems


def _check_status_events(table: Any, links: Mapping[str, Row]) -> list[Problem]:
    """Events name known links and whole days, and end on or after they start."""
    file = "status_events.yaml"
    problems: list[Problem] = []
    for row in iter_rows(table):
        eid, line = _row_id(row, "event_id"), line_of(row)
        for link_id in as_list(row.get("link_ids")):
            if link_id not in links:
                problems.append(
                    Problem(
                        file,
                        line,
                        "link_ids",
                        f"status event {eid} names unknown link {link_id!r}"
                        f"{suggest(link_id, links)}",
                        "use an id from links.csv",
                    )
                )
        days = {}
        for key in ("start_date", "end_date"):
            value = row.get(key)
            if given(value) and len(str(value)) != 10:
                problems.append(
                    Problem(
                        file,
                        line,
                        key,
                        f"status event {eid}: {value!r} is not a whole day",
                        "give the day as YYYY-MM-DD (the first or last day the event is known for)",
                    )
                )
            elif given(value):
                days[key] = str(value)
        if len(days) == 2 and days["end_date"] < days["start_date"]:
            problems.append(
                Problem(
                    file,
                    line,
                    "end_date",
                    f"status event {eid} ends ({days['end_date']}) before it starts "
                    f"({days['start_date']})",
                    "swap start_date and end_date, or correct one",
                )
            )
    return problems


def _check_restriction_cargo(row: Row, commodities: Mapping[str, Row]) -> list[Problem]:
    problems: list[Problem] = []
    rid, line = _row_id(row, "restriction_id"), line_of(row)
    cargo = row.get("cargo")
    cargo = cargo if isinstance(cargo, Mapping) else {}
    for key in ("origin_countries", "destination_countries", "except_origin_countries"):
        problems += _check_countries(
            "restrictions.yaml", row, [f"cargo.{key}"], f"restriction {rid}"
        )
    # A rule must say which cargo it is about: by where it comes from or goes to, or (a physical
    # limit such as no tank wagons through a gauge change) by commodity alone.
    if not any(
        as_list(cargo.get(key))
        for key in ("origin_countries", "destination_countries", "commodities")
    ):
        problems.append(
            Problem(
                "restrictions.yaml",
                line,
                "cargo",
                f"restriction {rid} names neither origin nor destination countries nor commodities",
                "give cargo.origin_countries, cargo.destination_countries or cargo.commodities",
            )
        )
    for commodity_id in as_list(cargo.get("commodities")):
        if commodity_id not in commodities:
            problems.append(
                Problem(
                    "restrictions.yaml",
                    line,
                    "cargo.commodities",
                    f"restriction {rid} names unknown commodity {commodity_id!r}"
                    f"{suggest(commodity_id, commodities)}",
                    "use a commodity_id from commodities.yaml",
                )
            )
    return problems


def _check_restriction_terms(row: Row) -> list[Problem]:
    problems: list[Problem] = []
    rid, line = _row_id(row, "restriction_id"), line_of(row)
    effect, surcharge = row.get("effect"), row.get("surcharge_usd_per_t")
    if effect == RestrictionEffect.SURCHARGE.value and not given(surcharge):
        problems.append(
            Problem(
                "restrictions.yaml",
                line,
                "surcharge_usd_per_t",
                f"surcharge restriction {rid} has no surcharge_usd_per_t",
                "give the surcharge in USD per tonne",
            )
        )
    if effect == RestrictionEffect.FORBID.value and given(surcharge):
        problems.append(
            Problem(
                "restrictions.yaml",
                line,
                "surcharge_usd_per_t",
                f"restriction {rid} forbids cargo but also gives a surcharge of {surcharge:g}",
                "remove surcharge_usd_per_t, or set effect: surcharge",
            )
        )
    start, end = row.get("valid_from"), row.get("valid_to")
    if given(start) and given(end) and str(end) < str(start):
        problems.append(
            Problem(
                "restrictions.yaml",
                line,
                "valid_to",
                f"restriction {rid} ends ({end}) before it starts ({start})",
                "swap valid_from and valid_to, or correct one",
            )
        )
    return problems


def _check_zones(zones: Any, nodes: Mapping[str, Row]) -> list[Problem]:
    problems: list[Problem] = []
    admin1: dict[str, set[str]] = {}
    for node in nodes.values():
        if given(node.get("admin1")):
            admin1.setdefault(str(node.get("country_iso3")), set()).add(fold_name(node["admin1"]))
    countries = {str(n.get("country_iso3")) for n in nodes.values()}
    for row in iter_rows(zones):
        zid, line, country = _row_id(row, "zone_id"), line_of(row), row.get("country_iso3")
        problems += _check_countries("zones.yaml", row, ["country_iso3"], f"zone {zid}")
        if given(country) and ISO3.match(str(country)) and country not in countries:
            problems.append(
                Problem(
                    "zones.yaml",
                    line,
                    "country_iso3",
                    f"zone {zid} is in {country!r}, which has no places in nodes.csv",
                    "correct the country code, or remove the zone",
                )
            )
        region = row.get("admin1")
        known = admin1.get(str(country), set())
        if given(region) and country in countries and fold_name(str(region)) not in known:
            names = sorted({str(n["admin1"]) for n in nodes.values() if given(n.get("admin1"))})
            problems.append(
                Problem(
                    "zones.yaml",
                    line,
                    "admin1",
                    f"zone {zid}: no node in {country} has admin1 {region!r}"
                    f"{suggest(str(region), names)}",
                    "spell admin1 as in nodes.csv, or leave it empty for the whole country",
                )
            )
        problems += range_problems("zones.yaml", row, "risk", f"zone {zid}")
    return problems


def _traits(row: Row) -> ModeTraits:
    """A mode row's traits; a bad trait (reported by the field checks) counts as unstated."""
    try:
        return traits_from_row(row)
    except ValueError:
        return ModeTraits()


def _check_modes(modes: Any) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    for row in iter_rows(modes):
        mode = row.get("mode")
        if not given(mode):
            continue
        if mode in seen:
            problems.append(
                Problem(
                    "modes.yaml",
                    line_of(row),
                    "mode",
                    f"mode {mode!r} has a second default (the first is record {seen[mode]})",
                    "keep one record per mode",
                )
            )
        else:
            seen[str(mode)] = line_of(row)
        speed = row.get("speed_kmh")
        wrong = bound_problem("speed_kmh", number(speed), mode=str(mode)) if given(speed) else None
        if wrong:
            problems.append(
                Problem(
                    "modes.yaml",
                    line_of(row),
                    "speed_kmh",
                    f"mode default {mode!r}: {wrong}",
                    "give the mode's typical running speed",
                )
            )
    return problems


def _check_demand(
    demand: Any, nodes: Mapping[str, Row], commodities: Mapping[str, Row]
) -> list[Problem]:
    problems: list[Problem] = []
    for row in iter_rows(demand):
        fid, line = _row_id(row, "flow_id"), line_of(row)
        for column in ("origin_node_id", "destination_node_id"):
            node_id = row.get(column)
            if given(node_id) and str(node_id) not in nodes:
                problems.append(
                    Problem(
                        "demand.csv",
                        line,
                        column,
                        f"flow {fid} names unknown node {node_id!r}{suggest(str(node_id), nodes)}",
                        "use a node_id from nodes.csv",
                    )
                )
        if given(row.get("origin_node_id")) and row.get("origin_node_id") == row.get(
            "destination_node_id"
        ):
            problems.append(
                Problem(
                    "demand.csv",
                    line,
                    "destination_node_id",
                    f"flow {fid} starts and ends at {row['origin_node_id']!r}",
                    "give two different places, or delete the flow",
                )
            )
        commodity_id = row.get("commodity_id")
        if given(commodity_id) and str(commodity_id) not in commodities:
            problems.append(
                Problem(
                    "demand.csv",
                    line,
                    "commodity_id",
                    f"flow {fid} names unknown commodity {commodity_id!r}"
                    f"{suggest(str(commodity_id), commodities)}",
                    "use a commodity_id from commodities.yaml",
                )
            )
        problems += range_problems("demand.csv", row, "tonnes_per_year", f"flow {fid}")
    return problems


def _check_markets(meta: Any, nodes: Mapping[str, Row]) -> list[Problem]:
    """``markets`` in atlas.yaml name known nodes, each with a list of ISO3 country codes."""
    markets = meta.get("markets") if isinstance(meta, Mapping) else None
    problems: list[Problem] = []
    for i, market in enumerate(markets or (), start=1):
        if not isinstance(market, Mapping):
            continue  # reported by the reader
        node_id = str(market.get("node_id"))
        if node_id not in nodes:
            problems.append(
                Problem(
                    "atlas.yaml",
                    None,
                    f"markets[{i}].node_id",
                    f"market {node_id!r} is not a node{suggest(node_id, nodes)}",
                    "use a node_id from nodes.csv",
                )
            )
        for code in as_list(market.get("countries")):
            if not (len(code) == 3 and code.isalpha() and code.isupper()):
                problems.append(
                    Problem(
                        "atlas.yaml",
                        None,
                        f"markets[{i}].countries",
                        f"market {node_id!r}: {code!r} is not an ISO3 country code",
                        "write countries as ISO3 codes, e.g. [DEU, NLD]",
                    )
                )
    return problems


def _as_of_year(meta: Any) -> int | None:
    as_of = meta.get("as_of") if isinstance(meta, Mapping) else None
    text = str(as_of) if given(as_of) else ""
    return int(text[:4]) if text[:4].isdigit() else None


def validate_tables(tables: Mapping[str, Any]) -> list[Problem]:
    """Every semantic problem of the parsed atlas tables, at once.

    Parameters
    ----------
    tables : mapping
        As returned by :func:`caravan.io.atlas.read_atlas_tables`: CSV files as frames with a
        ``_line`` column, YAML list files as lists of dicts with ``_line``, ``"atlas.yaml"`` as
        a dict. Tables may be partial (rows the reader rejected are missing); this never raises.

    Returns
    -------
    list of Problem
        Duplicate and unknown ids, lengths against the great-circle distance, gauges, missing
        costs, border rows, sources, projects, restrictions, zones and demand; empty when clean.

    Examples
    --------
    >>> from caravan.io.atlas import read_atlas_tables, shipped_atlas_path
    >>> tables, problems, _ = read_atlas_tables(shipped_atlas_path())
    >>> validate_tables(tables)
    []
    """
    problems = _check_not_empty(tables)
    for file, key, what in _ID_COLUMNS:
        problems += duplicate_ids(file, iter_rows(tables.get(file)), key, what)
    nodes = _by_id(tables.get("nodes.csv"), "node_id")
    links = _by_id(tables.get("links.csv"), "link_id")
    borders = _by_id(tables.get("borders.csv"), "border_id")
    commodities = _by_id(tables.get("commodities.yaml"), "commodity_id")
    sources = IdSet(_by_id(tables.get("sources.yaml"), "source_id"))
    mode_rows = _by_id(tables.get("modes.yaml"), "mode")
    default_modes = frozenset(mode_rows)
    modes = {**BUILT_IN_TRAITS, **{m: _traits(row) for m, row in mode_rows.items()}}
    countries = IdSet(str(n.get("country_iso3")) for n in nodes.values())

    problems += _check_nodes(tables.get("nodes.csv"))
    problems += check_links(
        tables.get("links.csv"),
        nodes,
        default_modes=default_modes,
        modes=modes,
        as_of_year=_as_of_year(tables.get("atlas.yaml")),
    )
    problems += check_borders(tables.get("borders.csv"), links, nodes, modes=modes)
    problems += check_transfers(tables.get("transfers.csv"), nodes, modes=modes)
    problems += _check_projects(tables.get("projects.yaml"), links)
    index: dict[str, Mapping[str, Row] | frozenset[str]] = {
        "countries": countries,
        "links": links,
        "borders": borders,
        "nodes": nodes,
    }
    for row in iter_rows(tables.get("restrictions.yaml")):
        problems += _check_restriction_targets(row, index)
        problems += _check_restriction_cargo(row, commodities)
        problems += _check_restriction_terms(row)
    problems += _check_zones(tables.get("zones.yaml"), nodes)
    problems += _check_status_events(tables.get("status_events.yaml"), links)
    problems += check_capacities(
        tables.get("capacities.yaml"), links, borders, nodes, frozenset(modes)
    )
    problems += _check_modes(tables.get("modes.yaml"))
    problems += _check_demand(tables.get("demand.csv"), nodes, commodities)
    problems += _check_markets(tables.get("atlas.yaml"), nodes)
    problems += _check_sources(tables, sources)
    return problems
