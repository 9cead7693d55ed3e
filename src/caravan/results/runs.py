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
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caravan.assign.path_logit import RouteSets, solve_path_logit_sue
from caravan.errors import CaravanError, NoRouteError
from caravan.model.atlas import Atlas
from caravan.model.plain import to_plain
from caravan.model.scenario import Scenario, apply_scenario
from caravan.network.build import build_network
from caravan.network.model import Network
from caravan.results import run_tables as tables
from caravan.results.run_tables import land_countries

__all__ = [
    "RunResult",
    "SueProblem",
    "land_countries",
    "route_flows",
    "run_scenario",
    "scenario_world",
    "sue_problem",
]

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
        out.append({str(k): to_plain(v, digits=6) for k, v in row.items()})
    return out


def _resolve(scenario: str | Path | Scenario, atlas: Atlas | None) -> tuple[Scenario, Atlas]:
    from caravan.io.atlas import load_atlas
    from caravan.io.scenario import load_scenario

    base = atlas if atlas is not None else load_atlas()
    if isinstance(scenario, Scenario):
        return scenario, base
    return load_scenario(scenario, base), base


def route_flows(
    world: Atlas,
    scenario: Scenario,
    *,
    k: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    networks: MutableMapping[str, Network] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Route every flow of a scenario-applied atlas's demand table.

    Returns the flow rows (with ``unserved_reason`` when no route exists) and the route rows
    (``flow_id``, ``rank``, ``route``). One network is built per commodity, into ``networks``
    (by commodity id) when given, so the caller can read their cost model.
    """
    from caravan.results.routes import find_routes

    settings = scenario.assignment
    n_routes = k if k is not None else (settings.k_routes if settings.method == "sue" else 1)
    if networks is None:
        networks = {}
    flow_rows: list[dict[str, Any]] = []
    route_rows: list[dict[str, Any]] = []
    demand = world.demand
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
                world, year=scenario.year, commodity=commodity_id
            )
        try:
            routes = find_routes(
                networks[commodity_id],
                flow["origin_node_id"],
                flow["destination_node_id"],
                by="cost",
                k=n_routes,
            )
        except NoRouteError as exc:
            row["unserved_reason"] = str(exc)
            routes = ()
        flow_rows.append(row)
        for rank, r in enumerate(routes, start=1):
            route_rows.append({"flow_id": flow["flow_id"], "rank": rank, "route": r})
    if progress is not None:
        progress("routing", total, total)
    return flow_rows, route_rows


def run_scenario(
    scenario: str | Path | Scenario,
    *,
    atlas: Atlas | None = None,
    as_of: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunResult:
    """Route and settle the demand of a scenario.

    Parameters
    ----------
    scenario : str, Path or Scenario
        A shipped scenario name, a scenario file, or a resolved scenario.
    atlas : Atlas, optional
        The atlas to start from (the shipped one by default).
    as_of : str, optional
        Date (YYYY-MM-DD) of the security picture that sets zone risks (default: the
        scenario's ``security_as_of``, else the atlas's zone figures).
    progress : callable, optional
        Called as ``progress(stage, done, total)`` while routing flows and settling them.

    Returns
    -------
    RunResult
    """
    resolved, base = _resolve(scenario, atlas)
    world = scenario_world(base, resolved, as_of=as_of)
    settings = resolved.assignment
    demand = world.demand
    if demand.empty:
        raise CaravanError(
            f"scenario {resolved.name!r}: the atlas has no demand table (demand.csv) to assign"
        )
    networks: dict[str, Network] = {}
    flow_rows, route_rows = route_flows(world, resolved, progress=progress, networks=networks)

    flows = pd.DataFrame(flow_rows)
    served_flow_ids = list(dict.fromkeys(r["flow_id"] for r in route_rows))
    flow_pos = {f: i for i, f in enumerate(served_flow_ids)}
    flows_by_id = {r["flow_id"]: r for r in flow_rows}
    result = _settle(world, route_rows, flow_pos, flows_by_id, networks, resolved, progress)
    route_tonnes, shares, costs, times, iterations, change, converged = result

    routes_table = tables.routes_table(route_rows, route_tonnes, shares, costs, times)
    flows = tables.flows_table(flows, routes_table)
    link_flows = tables.link_flows(world, route_rows, route_tonnes)
    origin_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    country_transit = tables.country_transit(world, route_rows, route_tonnes, origin_country)
    corridor_flows = tables.corridor_flows(world, route_rows, route_tonnes)
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
    provenance["security_as_of"] = world.meta.get("security_as_of")
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


def scenario_world(atlas: Atlas, scenario: Scenario, *, as_of: str | None = None) -> Atlas:
    """The atlas a scenario runs on: security picture as of a date (if any), then its changes.

    The date is ``as_of`` when given, else the scenario's ``security_as_of``; the zone risks
    then come from the atlas's security layer (:func:`caravan.security.security_atlas`), and
    the scenario's own ``risk:`` entries apply on top.
    """
    day = as_of or scenario.security_as_of
    if day:
        from caravan.security.risk import security_atlas

        atlas = security_atlas(atlas, as_of=day)
    return apply_scenario(atlas, scenario)


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


@dataclass(frozen=True, eq=False)
class SueProblem:
    """The arrays of a path-size logit problem built from routed flows.

    Arcs are, in order: one per atlas link (``link_arc_idx``), one per border crossing, then
    one private arc per route carrying that route's free-flow money, time and risk. Capacity
    groups are the links and borders with a capacity; a group's delay scale is the link's
    running time, or the border's mean dwell (at least ``MIN_BORDER_DELAY_H``).
    """

    routes: RouteSets
    first_private_arc: int
    link_arc_idx: dict[str, int]
    group_of_arc: np.ndarray
    flow_tonnes: np.ndarray
    flow_value_of_time_usd_per_t_h: np.ndarray
    flow_theta_per_usd: np.ndarray
    arc_money_usd_per_t: np.ndarray
    arc_time_h: np.ndarray
    arc_risk_usd_per_t: np.ndarray
    arc_length_km: np.ndarray
    group_capacity_t: np.ndarray
    group_base_delay_h: np.ndarray

    def solve(
        self,
        *,
        max_iter: int,
        tolerance: float,
        progress: Callable[[int, float], None] | None = None,
        routes: RouteSets | None = None,
        **overrides: np.ndarray,
    ) -> Any:
        """Solve, optionally on fewer routes or with some arrays replaced (ensemble draws)."""
        arrays: dict[str, Any] = {
            "flow_tonnes": self.flow_tonnes,
            "flow_theta_per_usd": self.flow_theta_per_usd,
            "flow_value_of_time_usd_per_t_h": self.flow_value_of_time_usd_per_t_h,
            "arc_money_usd_per_t": self.arc_money_usd_per_t,
            "arc_time_h": self.arc_time_h,
            "arc_risk_usd_per_t": self.arc_risk_usd_per_t,
            "arc_length_km": self.arc_length_km,
            "arc_group_idx": self.group_of_arc,
            "group_capacity_t": self.group_capacity_t,
            "group_base_delay_h": self.group_base_delay_h,
        }
        arrays.update(overrides)
        return solve_path_logit_sue(
            self.routes if routes is None else routes,
            alpha=BPR_ALPHA,
            beta=BPR_BETA,
            max_iter=max_iter,
            tolerance=tolerance,
            progress=progress,
            **arrays,
        )


def sue_problem(
    world: Atlas,
    route_rows: Sequence[dict[str, Any]],
    flow_pos: dict[str, int],
    flows_by_id: dict[str, dict[str, Any]],
    networks: Mapping[str, Network],
    *,
    method: str,
    logit_scale_per_usd: float,
) -> SueProblem:
    """Build the route sets and capacity groups of routed flows.

    Running times and values of time come from the networks' cost model (``networks`` by
    commodity id: the networks the flows were routed on).
    """
    n_routes = len(route_rows)
    run_time_h = next(iter(networks.values())).costs.link_run_time_h if networks else None
    arc_of_link: dict[str, int] = {}
    arc_of_border: dict[str, int] = {}
    arc_length: list[float] = []
    arc_group: list[int] = []
    group_cap: list[float] = []
    group_delay: list[float] = []
    for pos, link in enumerate(world.links_frame.to_dict("records")):
        arc_of_link[str(link["link_id"])] = len(arc_length)
        arc_length.append(float(link["length_km"]))
        cap = link["capacity_mtpa"]
        if pd.notna(cap) and float(cap) > 0:
            arc_group.append(len(group_cap))
            group_cap.append(float(cap) * 1e6)
            group_delay.append(float(run_time_h[pos]) if run_time_h is not None else 0.0)
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
        vot[pos] = networks[flow["commodity_id"]].value_of_time_usd_per_t_h
    theta = np.full(n_flows, 1e6 if method == "aon" else logit_scale_per_usd)
    return SueProblem(
        routes=RouteSets(
            np.asarray(ptr, dtype=np.int64),
            np.asarray(arcs, dtype=np.int64),
            np.asarray(flow_idx, dtype=np.int64),
        ),
        first_private_arc=first_private,
        link_arc_idx=arc_of_link,
        group_of_arc=np.asarray(arc_group + [-1] * n_routes, dtype=np.int64),
        flow_tonnes=tonnes,
        flow_value_of_time_usd_per_t_h=vot,
        flow_theta_per_usd=theta,
        arc_money_usd_per_t=money,
        arc_time_h=time_h,
        arc_risk_usd_per_t=risk,
        arc_length_km=np.asarray(arc_length + [0.0] * n_routes),
        group_capacity_t=np.asarray(group_cap, dtype=np.float64),
        group_base_delay_h=np.asarray(group_delay, dtype=np.float64),
    )


def _settle(
    world: Atlas,
    route_rows: Sequence[dict[str, Any]],
    flow_pos: dict[str, int],
    flows_by_id: dict[str, dict[str, Any]],
    networks: Mapping[str, Network],
    scenario: Scenario,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, float, bool]:
    """Solve the path-size logit SUE of the routed flows."""
    if not route_rows:
        empty = np.zeros(0)
        return empty, empty, empty, empty, 0, 0.0, True
    settings = scenario.assignment
    problem = sue_problem(
        world,
        route_rows,
        flow_pos,
        flows_by_id,
        networks,
        method=settings.method,
        logit_scale_per_usd=settings.logit_scale_per_usd,
    )
    res = problem.solve(
        max_iter=settings.max_iter,
        tolerance=settings.gap,
        progress=(lambda it, _chg: progress("settling", it, settings.max_iter))
        if progress is not None
        else None,
    )
    return (
        res.route_tonnes,
        res.route_probability,
        res.route_cost_usd_per_t,
        res.route_time_h,
        res.iterations,
        res.relative_change,
        res.converged,
    )


def __getattr__(name: str) -> Any:
    # ``Comparison`` and ``compare_runs`` live in :mod:`caravan.results.compare`.
    if name in ("Comparison", "compare_runs"):
        from caravan.results import compare

        return getattr(compare, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
