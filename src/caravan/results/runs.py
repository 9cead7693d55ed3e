"""Scenario runs: freight flows routed under capacity, transit by country, and comparisons.

A run takes a scenario, applies it to the atlas, generates up to ``k`` alternative routes for
every freight flow of the demand table, and settles the flows over those routes with
path-size logit route choice under capacity (:mod:`caravan.assign.path_logit`). The result
keeps link flows, per-country transit (tonnes, tonne-km and revenue), corridor flows, each
flow's routes and shares, the flows no route could serve (with the reason), and provenance.

Transit accounting (DESIGN section 3): a country's transit tonnes are the tonnes of flows that
cross it with neither end there, counted once per flow and route; its transit tonne-km and
revenue come from the route's breakdown by country (kilometres, and the tariffs on its links
plus the border fees charged entering it).
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caravan.assign.path_logit import RouteSets, solve_path_logit_sue
from caravan.errors import CaravanError, NoRouteError
from caravan.model.atlas import Atlas
from caravan.model.scenario import Scenario, apply_scenario

__all__ = ["Comparison", "RunResult", "compare_runs", "run_scenario"]

#: BPR parameters of the capacity delay (the conventional 0.15 and 4; Bureau of Public Roads 1964).
BPR_ALPHA = 0.15
BPR_BETA = 4.0
#: Delay scale at a capacitated border crossing when its dwell is zero, hours.
MIN_BORDER_DELAY_H = 1.0


@dataclass(frozen=True, eq=False)
class RunResult:
    """The settled flows of one scenario, with their provenance.

    Tables (pandas DataFrames, one row per):

    - ``flows``: freight flow (served and unserved tonnes, mean cost and time, reason when
      unserved);
    - ``routes``: route of a flow (rank, share, tonnes, cost, time, countries, link ids);
    - ``link_flows``: atlas link (tonnes each way, capacity, volume-to-capacity ratio);
    - ``country_transit``: country (transit tonnes, tonne-km, revenue; also origin and
      destination tonnes);
    - ``corridor_flows``: project or corridor (tonnes of the flows that use it, tonne-km on it).
    """

    scenario: Scenario
    atlas: Atlas = field(repr=False)
    flows: pd.DataFrame = field(repr=False)
    routes: pd.DataFrame = field(repr=False)
    link_flows: pd.DataFrame = field(repr=False)
    country_transit: pd.DataFrame = field(repr=False)
    corridor_flows: pd.DataFrame = field(repr=False)
    summary: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    def to_dict(self) -> dict[str, Any]:
        """Summary, per-country transit, corridor flows and provenance as plain data."""
        return {
            "scenario": self.scenario.name,
            "year": self.scenario.year,
            "summary": self.summary,
            "countries": _records(self.country_transit),
            "corridors": _records(self.corridor_flows),
            "flows": _records(self.flows),
            "provenance": self.provenance,
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if np.isnan(f) else round(f, 6)
    if isinstance(value, tuple | list | np.ndarray):
        return [_plain(v) for v in value]
    if value is pd.NA:
        return None
    return value


def _resolve(scenario: str | Path | Scenario, atlas: Atlas | None) -> tuple[Scenario, Atlas]:
    from caravan.io.atlas import load_atlas
    from caravan.io.scenario import load_scenario

    base = atlas if atlas is not None else load_atlas()
    if isinstance(scenario, Scenario):
        return scenario, base
    return load_scenario(scenario, base), base


def run_scenario(
    scenario: str | Path | Scenario,
    *,
    atlas: Atlas | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunResult:
    """Route and settle the demand of a scenario.

    Parameters
    ----------
    scenario : str, Path or Scenario
        A shipped scenario name, a scenario file, or a resolved scenario.
    atlas : Atlas, optional
        The atlas to start from (the shipped one by default).
    progress : callable, optional
        Called as ``progress(stage, done, total)`` while routing flows and settling them.

    Returns
    -------
    RunResult
    """
    from caravan.network.build import build_network
    from caravan.results.routes import find_routes

    resolved, base = _resolve(scenario, atlas)
    world = apply_scenario(base, resolved)
    settings = resolved.assignment
    demand = world.demand
    if demand.empty:
        raise CaravanError(
            f"scenario {resolved.name!r}: the atlas has no demand table (demand.csv) to assign"
        )
    commodities = {c.commodity_id: c for c in world.commodities}
    networks: dict[str, Any] = {}
    flow_rows: list[dict[str, Any]] = []
    route_rows: list[dict[str, Any]] = []
    total = len(demand)
    for i, flow in enumerate(demand.to_dict("records")):
        if progress is not None:
            progress("routing", i, total)
        row = {
            "flow_id": flow["flow_id"],
            "origin_node_id": flow["origin_node_id"],
            "destination_node_id": flow["destination_node_id"],
            "commodity_id": flow["commodity_id"],
            "tonnes_per_year": float(flow["tonnes_per_year"]),
            "unserved_reason": "",
        }
        commodity_id = str(flow["commodity_id"])
        if commodity_id not in networks:
            networks[commodity_id] = build_network(
                world, year=resolved.year, commodity=commodity_id
            )
        try:
            routes = find_routes(
                networks[commodity_id],
                flow["origin_node_id"],
                flow["destination_node_id"],
                by="cost",
                k=settings.k_routes if settings.method == "sue" else 1,
            )
        except NoRouteError as exc:
            row["unserved_reason"] = str(exc)
            routes = ()
        flow_rows.append(row)
        for rank, r in enumerate(routes, start=1):
            route_rows.append({"flow_id": flow["flow_id"], "rank": rank, "route": r})
    if progress is not None:
        progress("routing", total, total)

    flows = pd.DataFrame(flow_rows)
    served_flow_ids = list(dict.fromkeys(r["flow_id"] for r in route_rows))
    flow_pos = {f: i for i, f in enumerate(served_flow_ids)}
    flows_by_id = {r["flow_id"]: r for r in flow_rows}
    result = _settle(world, route_rows, flow_pos, flows_by_id, commodities, resolved, progress)
    route_tonnes, shares, costs, times, iterations, change, converged = result

    routes_table = _routes_table(route_rows, route_tonnes, shares, costs, times)
    flows = _flows_table(flows, routes_table)
    link_flows = _link_flows(world, route_rows, route_tonnes)
    origin_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    country_transit = _country_transit(world, route_rows, route_tonnes, origin_country)
    corridor_flows = _corridor_flows(world, route_rows, route_tonnes)
    demand_t = float(flows["tonnes_per_year"].sum())
    served_t = float(flows["served_tonnes_per_year"].sum())
    summary = {
        "scenario": resolved.name,
        "year": resolved.year,
        "flows": len(flows),
        "routes": len(routes_table),
        "demand_tonnes_per_year": demand_t,
        "served_tonnes_per_year": served_t,
        "unserved_tonnes_per_year": demand_t - served_t,
        "unserved_flows": [
            {"flow_id": r["flow_id"], "reason": r["unserved_reason"]}
            for r in flow_rows
            if r["unserved_reason"]
        ],
        "method": settings.method,
        "iterations": iterations,
        "max_share_change": change,
        "converged": converged,
    }
    provenance = _provenance(base, resolved)
    return RunResult(
        scenario=resolved,
        atlas=world,
        flows=flows,
        routes=routes_table,
        link_flows=link_flows,
        country_transit=country_transit,
        corridor_flows=corridor_flows,
        summary=summary,
        provenance=provenance,
    )


def _provenance(atlas: Atlas, scenario: Scenario) -> dict[str, Any]:
    from caravan import __version__

    return {
        "caravan_version": __version__,
        "python": platform.python_version(),
        "atlas_name": atlas.name,
        "atlas_version": atlas.version,
        "atlas_digest": atlas.digest,
        "scenario": scenario.name,
        "scenario_lineage": list(scenario.lineage),
        "scenario_digest": scenario.digest,
        "seed": scenario.assignment.seed,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _settle(
    world: Atlas,
    route_rows: Sequence[dict[str, Any]],
    flow_pos: dict[str, int],
    flows_by_id: dict[str, dict[str, Any]],
    commodities: dict[str, Any],
    scenario: Scenario,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, float, bool]:
    """Build the route sets and capacity groups, then solve the path-size logit SUE."""
    n_routes = len(route_rows)
    if n_routes == 0:
        empty = np.zeros(0)
        return empty, empty, empty, empty, 0, 0.0, True
    # Arcs: one per atlas link (length, capacity group), one per border crossing (capacity
    # group), and one private arc per route carrying that route's free-flow cost.
    arc_of_link: dict[str, int] = {}
    arc_of_border: dict[str, int] = {}
    arc_length: list[float] = []
    arc_group: list[int] = []
    group_cap: list[float] = []
    group_delay: list[float] = []
    for link in world.links_frame.to_dict("records"):
        arc_of_link[str(link["link_id"])] = len(arc_length)
        arc_length.append(float(link["length_km"]))
        cap = link["capacity_mtpa"]
        if pd.notna(cap) and float(cap) > 0:
            arc_group.append(len(group_cap))
            group_cap.append(float(cap) * 1e6)
            group_delay.append(float(link["length_km"]) / float(link["speed_kmh"]))
        else:
            arc_group.append(-1)
    for border in world.borders_frame.to_dict("records"):
        arc_of_border[str(border["border_id"])] = len(arc_length)
        arc_length.append(0.0)
        cap = border["capacity_mtpa"]
        if pd.notna(cap) and float(cap) > 0:
            arc_group.append(len(group_cap))
            group_cap.append(float(cap) * 1e6)
            dwell = 0.5 * (float(border["dwell_h_ab"]) + float(border["dwell_h_ba"]))
            group_delay.append(max(dwell, MIN_BORDER_DELAY_H))
        else:
            arc_group.append(-1)
    first_private = len(arc_length)
    ptr = [0]
    arcs: list[int] = []
    flow_idx: list[int] = []
    money = np.zeros(first_private + n_routes)
    time_h = np.zeros(first_private + n_routes)
    risk = np.zeros(first_private + n_routes)
    for i, row in enumerate(route_rows):
        r = row["route"]
        arcs += [arc_of_link[link_id] for link_id in dict.fromkeys(r.link_ids)]
        arcs += [arc_of_border[b.border_id] for b in r.borders if b.border_id in arc_of_border]
        arcs.append(first_private + i)
        ptr.append(len(arcs))
        flow_idx.append(flow_pos[row["flow_id"]])
        money[first_private + i] = r.money_usd_per_t
        time_h[first_private + i] = r.time_h
        risk[first_private + i] = r.risk_usd_per_t
    n_flows = len(flow_pos)
    tonnes = np.zeros(n_flows)
    vot = np.zeros(n_flows)
    for flow_id, pos in flow_pos.items():
        flow = flows_by_id[flow_id]
        tonnes[pos] = flow["tonnes_per_year"]
        vot[pos] = commodities[flow["commodity_id"]].value_of_time_usd_per_t_h
    settings = scenario.assignment
    theta = np.full(n_flows, settings.logit_scale_per_usd)
    if settings.method == "aon":
        theta = np.full(n_flows, 1e6)
    n_arcs = first_private + n_routes
    res = solve_path_logit_sue(
        RouteSets(
            np.asarray(ptr, dtype=np.int64),
            np.asarray(arcs, dtype=np.int64),
            np.asarray(flow_idx, dtype=np.int64),
        ),
        flow_tonnes=tonnes,
        flow_theta_per_usd=theta,
        flow_value_of_time_usd_per_t_h=vot,
        arc_money_usd_per_t=money,
        arc_time_h=time_h,
        arc_risk_usd_per_t=risk,
        arc_length_km=np.asarray(arc_length + [0.0] * n_routes),
        arc_group_idx=np.asarray(arc_group + [-1] * n_routes, dtype=np.int64),
        group_capacity_t=np.asarray(group_cap),
        group_base_delay_h=np.asarray(group_delay),
        alpha=BPR_ALPHA,
        beta=BPR_BETA,
        max_iter=settings.max_iter,
        tolerance=settings.gap,
        progress=(lambda it, _chg: progress("settling", it, settings.max_iter))
        if progress is not None
        else None,
    )
    del n_arcs
    return (
        res.route_tonnes,
        res.route_probability,
        res.route_cost_usd_per_t,
        res.route_time_h,
        res.iterations,
        res.relative_change,
        res.converged,
    )


def _routes_table(
    route_rows: Sequence[dict[str, Any]],
    tonnes: np.ndarray,
    shares: np.ndarray,
    costs: np.ndarray,
    times: np.ndarray,
) -> pd.DataFrame:
    rows = []
    for i, row in enumerate(route_rows):
        r = row["route"]
        rows.append(
            {
                "flow_id": row["flow_id"],
                "rank": row["rank"],
                "share": float(shares[i]),
                "tonnes_per_year": float(tonnes[i]),
                "free_flow_cost_usd_per_t": float(r.cost_usd_per_t),
                "cost_usd_per_t": float(costs[i]),
                "time_h": float(times[i]),
                "money_usd_per_t": float(r.money_usd_per_t),
                "length_km": float(r.length_km),
                "countries": ";".join(r.countries),
                "projects": ";".join(r.projects),
                "link_ids": ";".join(r.link_ids),
            }
        )
    columns = [
        "flow_id",
        "rank",
        "share",
        "tonnes_per_year",
        "free_flow_cost_usd_per_t",
        "cost_usd_per_t",
        "time_h",
        "money_usd_per_t",
        "length_km",
        "countries",
        "projects",
        "link_ids",
    ]
    return pd.DataFrame(rows, columns=columns)


def _flows_table(flows: pd.DataFrame, routes: pd.DataFrame) -> pd.DataFrame:
    out = flows.copy()
    if routes.empty:
        out["served_tonnes_per_year"] = 0.0
        out["cost_usd_per_t"] = np.nan
        out["time_h"] = np.nan
        out["main_route_countries"] = ""
        out["unserved_tonnes_per_year"] = out["tonnes_per_year"]
        return out
    g = routes.assign(
        wc=routes["cost_usd_per_t"] * routes["share"], wt=routes["time_h"] * routes["share"]
    ).groupby("flow_id")
    served = g["tonnes_per_year"].sum()
    cost = g["wc"].sum()
    time_h = g["wt"].sum()
    main = (
        routes.sort_values(["flow_id", "share"], ascending=[True, False])
        .groupby("flow_id")["countries"]
        .first()
    )
    out["served_tonnes_per_year"] = out["flow_id"].map(served).fillna(0.0)
    out["unserved_tonnes_per_year"] = out["tonnes_per_year"] - out["served_tonnes_per_year"]
    out["cost_usd_per_t"] = out["flow_id"].map(cost)
    out["time_h"] = out["flow_id"].map(time_h)
    out["main_route_countries"] = out["flow_id"].map(main).fillna("")
    return out


def _link_flows(
    world: Atlas, route_rows: Sequence[dict[str, Any]], tonnes: np.ndarray
) -> pd.DataFrame:
    links = world.links_frame
    ab: dict[str, float] = {}
    ba: dict[str, float] = {}
    ends = {
        str(r["link_id"]): (str(r["from_node_id"]), str(r["to_node_id"]))
        for r in links[["link_id", "from_node_id", "to_node_id"]].to_dict("records")
    }
    for i, row in enumerate(route_rows):
        r = row["route"]
        nodes = list(r.node_ids)
        for j, link_id in enumerate(r.link_ids):
            a, _b = ends[link_id]
            forward = j < len(nodes) and nodes[j] == a
            target = ab if forward else ba
            target[link_id] = target.get(link_id, 0.0) + float(tonnes[i])
    out = links[
        ["link_id", "from_node_id", "to_node_id", "mode", "status", "length_km", "capacity_mtpa"]
    ].copy()
    out["tonnes_ab"] = out["link_id"].map(ab).fillna(0.0)
    out["tonnes_ba"] = out["link_id"].map(ba).fillna(0.0)
    out["tonnes_per_year"] = out["tonnes_ab"] + out["tonnes_ba"]
    out["tkm_per_year"] = out["tonnes_per_year"] * out["length_km"]
    cap_t = out["capacity_mtpa"] * 1e6
    out["vc_ratio"] = (out["tonnes_per_year"] / cap_t).where(cap_t > 0)
    return out


def _country_transit(
    world: Atlas,
    route_rows: Sequence[dict[str, Any]],
    tonnes: np.ndarray,
    node_country: dict[str, str],
) -> pd.DataFrame:
    acc: dict[str, dict[str, float]] = {}

    def bucket(iso3: str) -> dict[str, float]:
        return acc.setdefault(
            iso3,
            {
                "transit_tonnes": 0.0,
                "transit_tkm": 0.0,
                "transit_revenue_usd": 0.0,
                "origin_tonnes": 0.0,
                "destination_tonnes": 0.0,
                "domestic_revenue_usd": 0.0,
            },
        )

    for i, row in enumerate(route_rows):
        r = row["route"]
        t = float(tonnes[i])
        origin = node_country[r.node_ids[0]]
        destination = node_country[r.node_ids[-1]]
        bucket(origin)["origin_tonnes"] += t
        bucket(destination)["destination_tonnes"] += t
        for part in r.by_country:
            b = bucket(part.iso3)
            if part.iso3 in (origin, destination):
                b["domestic_revenue_usd"] += t * part.money_usd_per_t
                continue
            b["transit_tonnes"] += t
            b["transit_tkm"] += t * part.length_km
            b["transit_revenue_usd"] += t * part.money_usd_per_t
    for iso3 in world.countries:
        bucket(iso3)
    frame = pd.DataFrame([{"country_iso3": k, **v} for k, v in acc.items()])
    return frame.sort_values(
        ["transit_tonnes", "country_iso3"], ascending=[False, True]
    ).reset_index(drop=True)


def _corridor_flows(
    world: Atlas, route_rows: Sequence[dict[str, Any]], tonnes: np.ndarray
) -> pd.DataFrame:
    length = dict(zip(world.links_frame["link_id"], world.links_frame["length_km"], strict=True))
    rows = []
    for p in world.projects:
        members = set(p.link_ids)
        t_total = 0.0
        tkm = 0.0
        for i, row in enumerate(route_rows):
            used = [lid for lid in row["route"].link_ids if lid in members]
            if used:
                t_total += float(tonnes[i])
                tkm += float(tonnes[i]) * sum(float(length[lid]) for lid in used)
        rows.append(
            {
                "project_id": p.project_id,
                "name": p.name,
                "kind": p.kind.value,
                "tonnes_per_year": t_total,
                "tkm_per_year": tkm,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Run B against run A: per country, corridor, flow and link."""

    a: RunResult
    b: RunResult
    countries: pd.DataFrame
    corridors: pd.DataFrame
    flows: pd.DataFrame
    links: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain data (the ``caravan compare --json`` shape)."""
        return {
            "a": self.a.name,
            "b": self.b.name,
            "year_a": self.a.scenario.year,
            "year_b": self.b.scenario.year,
            "countries": _records(self.countries),
            "corridors": _records(self.corridors),
            "flows": _records(self.flows),
            "links": _records(self.links[self.links["delta_tonnes"].abs() > 0]),
            "provenance": {"a": self.a.provenance, "b": self.b.provenance},
        }


def _delta(a: pd.DataFrame, b: pd.DataFrame, key: str, columns: Sequence[str]) -> pd.DataFrame:
    left = a[[key, *columns]]
    right = b[[key, *columns]]
    joined = left.merge(right, on=key, how="outer", suffixes=("_a", "_b")).fillna(0.0)
    for col in columns:
        joined[f"delta_{col}"] = joined[f"{col}_b"] - joined[f"{col}_a"]
    return joined.reset_index(drop=True)


def compare_runs(a: RunResult, b: RunResult) -> Comparison:
    """Compare two runs: who gains and loses transit, which corridors and flows move.

    Countries are ordered by the change in transit tonnes, largest gain first and largest
    loss last.
    """
    countries = _delta(
        a.country_transit,
        b.country_transit,
        "country_iso3",
        ["transit_tonnes", "transit_tkm", "transit_revenue_usd"],
    ).sort_values(["delta_transit_tonnes", "country_iso3"], ascending=[False, True])
    corridors = _delta(
        a.corridor_flows[["project_id", "tonnes_per_year", "tkm_per_year"]],
        b.corridor_flows[["project_id", "tonnes_per_year", "tkm_per_year"]],
        "project_id",
        ["tonnes_per_year", "tkm_per_year"],
    ).sort_values("delta_tonnes_per_year", ascending=False)
    fa = a.flows.set_index("flow_id")
    fb = b.flows.set_index("flow_id")
    flows = []
    for flow_id in dict.fromkeys([*fa.index, *fb.index]):
        ra = fa.loc[flow_id] if flow_id in fa.index else None
        rb = fb.loc[flow_id] if flow_id in fb.index else None
        ca = set(str(ra["main_route_countries"]).split(";")) - {""} if ra is not None else set()
        cb = set(str(rb["main_route_countries"]).split(";")) - {""} if rb is not None else set()
        cost_a = float(ra["cost_usd_per_t"]) if ra is not None else float("nan")
        cost_b = float(rb["cost_usd_per_t"]) if rb is not None else float("nan")
        time_a = float(ra["time_h"]) if ra is not None else float("nan")
        time_b = float(rb["time_h"]) if rb is not None else float("nan")
        flows.append(
            {
                "flow_id": flow_id,
                "cost_usd_per_t_a": cost_a,
                "cost_usd_per_t_b": cost_b,
                "delta_cost_usd_per_t": cost_b - cost_a,
                "time_h_a": time_a,
                "time_h_b": time_b,
                "delta_time_h": time_b - time_a,
                "now_bypasses": ";".join(sorted(ca - cb)),
                "now_crosses": ";".join(sorted(cb - ca)),
                "main_route_a": str(ra["main_route_countries"]) if ra is not None else "",
                "main_route_b": str(rb["main_route_countries"]) if rb is not None else "",
            }
        )
    links = _delta(
        a.link_flows[["link_id", "tonnes_per_year"]].rename(columns={"tonnes_per_year": "tonnes"}),
        b.link_flows[["link_id", "tonnes_per_year"]].rename(columns={"tonnes_per_year": "tonnes"}),
        "link_id",
        ["tonnes"],
    )
    return Comparison(
        a=a,
        b=b,
        countries=countries.reset_index(drop=True),
        corridors=corridors.reset_index(drop=True),
        flows=pd.DataFrame(flows),
        links=links,
    )
