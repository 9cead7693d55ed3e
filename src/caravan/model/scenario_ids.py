"""The ids a scenario names, checked against the atlas it runs on.

A scenario file is read and parsed by :mod:`caravan.io.scenario`; this module checks the parsed
record's ids (the projects it opens, the links and borders it closes, the fields it changes,
the flows and zones it scales) and reports every unknown one at once, with close matches.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from caravan.errors import Problem
from caravan.model.atlas import Atlas
from caravan.model.scenario import CHANGE_FIELDS, ChangeOp, ChangeTarget

__all__ = ["check_scenario_ids"]

_SINGULAR = {
    "projects": "project",
    "links": "link",
    "borders": "border",
    "nodes": "place",
    "countries": "country",
    "zones": "zone",
    "sources": "source",
    "commodities": "commodity",
    "flows": "flow",
    "modes": "mode",
}


def _suggest(value: str, known: set[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)
    return f"did you mean {', '.join(close)}?" if close else "use an id from the atlas"


def check_scenario_ids(record: Mapping[str, Any], atlas: Atlas, file: str) -> list[Problem]:
    """Every id a parsed scenario record names (projects, links, borders, places, countries,
    zones, sources, flows, modes and commodities) checked against the atlas: one problem per
    unknown id with close matches, and per change of a field that cannot change.
    """
    problems: list[Problem] = []
    known = {
        "projects": {p.project_id for p in atlas.projects},
        "links": set(atlas.links_frame["link_id"]),
        "borders": set(atlas.borders_frame["border_id"]),
        "nodes": set(atlas.nodes_frame["node_id"]),
        "countries": set(atlas.nodes_frame["country_iso3"]),
        "zones": {z.zone_id for z in atlas.zones},
        "sources": {s.source_id for s in atlas.sources},
        "commodities": {c.commodity_id for c in atlas.commodities},
        "flows": set(atlas.demand_frame["flow_id"]),
        "modes": set(atlas.links_frame["mode"]),
    }

    def check(values: Any, kind: str, key: str) -> None:
        for value in values or ():
            if value not in known[kind]:
                problems.append(
                    Problem(
                        file,
                        None,
                        key,
                        f"unknown {_SINGULAR[kind]} {value!r}",
                        _suggest(value, known[kind]),
                    )
                )

    check(record.get("open_projects"), "projects", "open_projects")
    check(record.get("open_links"), "links", "open_links")
    check(record.get("source_ids"), "sources", "source_ids")
    close = record.get("close") or {}
    for key, kind in (
        ("links", "links"),
        ("borders", "borders"),
        ("nodes", "nodes"),
        ("countries", "countries"),
        ("zones", "zones"),
        ("projects", "projects"),
    ):
        check(close.get(key), kind, f"close.{key}")
    for i, change in enumerate(record.get("changes") or [], start=1):
        key = f"changes[{i}]"
        target = ChangeTarget(change["target"])
        kind = {
            ChangeTarget.LINK: "links",
            ChangeTarget.BORDER: "borders",
            ChangeTarget.PROJECT: "projects",
            ChangeTarget.MODE: "modes",
        }[target]
        check(change["ids"], kind, f"{key}.ids")
        if change["field"] not in CHANGE_FIELDS[target]:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{key}.field",
                    f"{change['field']!r} cannot be changed on a {target.value}",
                    f"use one of: {', '.join(CHANGE_FIELDS[target])}",
                )
            )
        ops = [op for op in ChangeOp if change.get(op.value) is not None]
        if len(ops) != 1:
            problems.append(
                Problem(file, None, key, "needs exactly one of set, scale, add", "e.g. scale: 0.8")
            )
    demand = record.get("demand") or {}
    for i, scale in enumerate(demand.get("scale") or [], start=1):
        check(scale.get("flow_ids"), "flows", f"demand.scale[{i}].flow_ids")
        check(scale.get("origin_countries"), "countries", f"demand.scale[{i}].origin_countries")
        check(
            scale.get("destination_countries"),
            "countries",
            f"demand.scale[{i}].destination_countries",
        )
        check(scale.get("commodities"), "commodities", f"demand.scale[{i}].commodities")
    for i, add in enumerate(demand.get("add") or [], start=1):
        key = f"demand.add[{i}]"
        check([add["origin_node_id"]], "nodes", f"{key}.origin_node_id")
        check([add["destination_node_id"]], "nodes", f"{key}.destination_node_id")
        check([add["commodity_id"]], "commodities", f"{key}.commodity_id")
        check(add["source_ids"], "sources", f"{key}.source_ids")
        if add["flow_id"] in known["flows"]:
            problems.append(
                Problem(
                    file,
                    None,
                    f"{key}.flow_id",
                    f"flow {add['flow_id']!r} already exists",
                    "pick a new flow_id, or scale the existing flow",
                )
            )
    for i, risk in enumerate(record.get("risk") or [], start=1):
        key = f"risk[{i}]"
        check(risk.get("source_ids"), "sources", f"{key}.source_ids")
        if risk["zone_id"] not in known["zones"] and not (
            risk.get("name") and risk.get("country_iso3")
        ):
            problems.append(
                Problem(
                    file,
                    None,
                    f"{key}.zone_id",
                    f"unknown zone {risk['zone_id']!r}",
                    _suggest(risk["zone_id"], known["zones"])
                    + " (or give name and country_iso3 to add a zone)",
                )
            )
    return problems
