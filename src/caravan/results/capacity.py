"""Capacity in a run: routes round full facilities, and the check that none is over capacity.

:func:`capacity_report` recomputes, from a run's routes and tonnes alone (not from the
solver), the load on every link, border crossing and port with a capacity: link and crossing
tonnes in both directions together, port tonnes loaded plus unloaded to and from ships
(:func:`caravan.results.sue.handled_ports`). A facility is *over* when its load exceeds its
capacity by more than :data:`caravan.results.sue.CAPACITY_TOLERANCE`.

:func:`routes_around` adds choice: a flow whose every route crosses a facility that is over
capacity gets the cheapest route avoiding all such facilities (queue prices cannot move a
flow that has no other route), as column generation does for side-constrained assignment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from caravan.errors import NoRouteError
from caravan.model.atlas import Atlas
from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits, modes_where
from caravan.network.build import build_network
from caravan.network.model import Network
from caravan.results.sue import CAPACITY_TOLERANCE, handled_ports

__all__ = [
    "capacity_report",
    "capacity_summary",
    "facility_capacities",
    "facility_of_route",
    "routes_around",
]


def facility_capacities(world: Atlas) -> dict[tuple[str, str], float]:
    """(kind, id) -> capacity in tonnes a year, for every facility with one."""
    out: dict[tuple[str, str], float] = {}
    for kind, frame, key in (
        ("link", world.links_frame, "link_id"),
        ("border", world.borders_frame, "border_id"),
        ("port", world.nodes_frame, "node_id"),
    ):
        if "capacity_mtpa" not in frame.columns:
            continue
        for ident, cap in zip(frame[key], frame["capacity_mtpa"], strict=True):
            if pd.notna(cap) and float(cap) > 0:
                out[(kind, str(ident))] = float(cap) * 1e6
    return out


def facility_of_route(
    route: Any,
    ports: Mapping[str, Any] | set[str],
    *,
    modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS,
) -> list[tuple[str, str]]:
    """The (kind, id) facilities a route uses: its links, crossings and the ports it handles at
    (``modes``: which modes are water modes, ``world.mode_traits``)."""
    out = [("link", lid) for lid in dict.fromkeys(route.link_ids)]
    out += [("border", b.border_id) for b in route.borders]
    out += [("port", p) for p in handled_ports(route, ports, modes=modes)]
    return out


def capacity_report(
    world: Atlas, route_rows: Sequence[Mapping[str, Any]], route_tonnes: np.ndarray
) -> pd.DataFrame:
    """Load, capacity and ratio of every facility with a capacity (one row each)."""
    caps = facility_capacities(world)
    ports = {i for k, i in caps if k == "port"}
    load = dict.fromkeys(caps, 0.0)
    for row, tonnes in zip(route_rows, route_tonnes, strict=True):
        for key in facility_of_route(row["route"], ports, modes=world.mode_traits):
            if key in load:
                load[key] += float(tonnes)
    frame = pd.DataFrame(
        {
            "kind": [k for k, _ in caps],
            "facility_id": [i for _, i in caps],
            "tonnes_per_year": [load[key] for key in caps],
            "capacity_tonnes_per_year": list(caps.values()),
        }
    )
    frame["ratio"] = frame["tonnes_per_year"] / frame["capacity_tonnes_per_year"]
    return frame


def capacity_summary(
    report: pd.DataFrame, *, tolerance: float = CAPACITY_TOLERANCE
) -> dict[str, Any]:
    """For a run's summary: the tolerance, how many facilities were checked, the fullest ones
    and every one above capacity by more than the tolerance."""
    over = report[report["ratio"] > 1.0 + tolerance]
    full = report[report["ratio"] >= 1.0 - tolerance].sort_values("ratio", ascending=False)

    def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "kind": str(kind),
                "facility_id": str(ident),
                "tonnes_per_year": round(float(tonnes), 1),
                "capacity_tonnes_per_year": round(float(cap), 1),
                "ratio": round(float(ratio), 4),
            }
            for kind, ident, tonnes, cap, ratio in zip(
                frame["kind"],
                frame["facility_id"],
                frame["tonnes_per_year"].to_numpy(float),
                frame["capacity_tonnes_per_year"].to_numpy(float),
                frame["ratio"].to_numpy(float),
                strict=True,
            )
        ]

    return {
        "tolerance": tolerance,
        "facilities_checked": len(report),
        "max_ratio": round(float(report["ratio"].max()), 4) if len(report) else 0.0,
        "at_capacity": rows(full),
        "over_capacity": rows(over),
    }


def routes_around(
    world: Atlas,
    flow_rows: Sequence[Mapping[str, Any]],
    route_rows: Sequence[dict[str, Any]],
    networks: Mapping[str, Network],
    saturated: set[tuple[str, str]],
    full: set[tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """New route rows: for each flow that uses a ``saturated`` (over capacity) facility and
    whose every route uses a ``full`` one (over capacity, or at capacity with a queue price),
    the cheapest route on the network with the full facilities closed (none when there is
    none).

    Full links and crossings are closed by closing their link; a full port by closing its sea
    and ferry links.
    """
    full = saturated | (full or set())
    from caravan.results.routes import find_routes

    if not saturated or not networks:
        return []
    ports = {i for k, i in full if k == "port"}
    by_flow: dict[str, list[Any]] = {}
    for row in route_rows:
        by_flow.setdefault(str(row["flow_id"]), []).append(row["route"])
    uses = {
        fid: [set(facility_of_route(r, ports, modes=world.mode_traits)) for r in routes]
        for fid, routes in by_flow.items()
    }
    captive = [
        f
        for f in flow_rows
        if uses.get(str(f["flow_id"]))
        and any(saturated & u for u in uses[str(f["flow_id"])])
        and all(full & u for u in uses[str(f["flow_id"])])
    ]
    if not captive:
        return []
    links = world.links_frame.copy()
    border_link = dict(
        zip(world.borders_frame["border_id"], world.borders_frame["link_id"], strict=True)
    )
    shut = {i for k, i in full if k == "link"}
    shut |= {border_link[i] for k, i in full if k == "border" and i in border_link}
    water = links["mode"].isin(modes_where(world.mode_traits, lambda t: t.water))
    at_port = links["from_node_id"].isin(ports) | links["to_node_id"].isin(ports)
    links.loc[links["link_id"].isin(shut) | (water & at_port), "status"] = "closed"
    closed = dataclasses.replace(world, links_frame=links)
    year = next(iter(networks.values())).year
    built: dict[str, Network] = {}
    out: list[dict[str, Any]] = []
    for flow in captive:
        cid = str(flow["commodity_id"])
        if cid not in built:
            built[cid] = build_network(closed, year=year, commodity=cid)
        try:
            found = find_routes(
                built[cid], str(flow["origin_node_id"]), str(flow["destination_node_id"]), k=1
            )
        except NoRouteError:
            continue
        rank = len(by_flow[str(flow["flow_id"])]) + 1
        out += [{"flow_id": flow["flow_id"], "rank": rank, "route": r} for r in found]
    return out
