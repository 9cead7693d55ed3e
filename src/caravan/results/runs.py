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
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from caravan import __version__
from caravan.errors import CaravanError, InputError, NoRouteError
from caravan.model.atlas import Atlas
from caravan.model.events import (
    StatusEvent,
    atlas_on_date,
    default_date,
    event_warning,
    events_on,
    link_states,
    parse_day,
)
from caravan.model.modes import modes_where
from caravan.model.plain import to_plain
from caravan.model.scenario import Scenario, apply_scenario
from caravan.network.build import build_network
from caravan.network.model import Network
from caravan.results import geo
from caravan.results import run_tables as tables
from caravan.results.capacity import capacity_report, capacity_summary
from caravan.results.facilities import border_flows, port_flows
from caravan.results.methods import method_spec
from caravan.results.no_route import every_link_network
from caravan.results.project_routes import project_alternatives
from caravan.results.routes import FoundPaths, find_paths
from caravan.results.run_tables import land_countries
from caravan.results.seasons import settle_seasons
from caravan.results.sue import SueProblem, sue_problem
from caravan.security.records import Event
from caravan.security.risk import security_atlas

__all__ = [
    "RoutedScenario",
    "RunResult",
    "SueProblem",
    "land_countries",
    "route_flows",
    "route_scenario",
    "run_scenario",
    "scenario_world",
    "security_day",
    "settle_routed",
    "sue_problem",
]


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

    def links_gdf(self) -> Any:
        """``link_flows`` as a GeoDataFrame: every link along its line (EPSG:4326)."""
        return geo.links_gdf(self.atlas, self.link_flows)

    def routes_gdf(self) -> Any:
        """``routes`` as a GeoDataFrame: each route as the multi-line of its links."""
        return geo.routes_gdf(self.atlas, self.routes)

    def to_dict(self) -> dict[str, Any]:
        """Summary, transit by country, corridors, flows, borders, ports, links and provenance.

        ``borders`` gives tonnes a year by direction at each crossing, ``ports`` the tonnes
        loaded and unloaded at each port, ``links`` the tonnes on each link each way.
        """
        return {
            "scenario": self.scenario.name,
            "year": self.scenario.year,
            "summary": self.summary,
            "countries": _records(self.country_transit),
            "corridors": _records(self.corridor_flows),
            "flows": _records(self.flows),
            "borders": _records(border_flows(self.atlas, self.link_flows)),
            "ports": _records(port_flows(self.atlas, self.link_flows)),
            "links": _records(
                self.link_flows[["link_id", "mode", "tonnes_ab", "tonnes_ba", "tonnes_per_year"]]
            ),
            "provenance": self.provenance,
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        out.append({str(k): to_plain(v, digits=6) for k, v in row.items()})
    return out


def route_flows(
    world: Atlas,
    scenario: Scenario,
    *,
    k: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    networks: MutableMapping[str, Network] | None = None,
    network_of: Callable[[str], Network] | None = None,
    explaining: Callable[[Network], Network] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Route every flow of a scenario-applied atlas's demand table.

    Returns the flow rows (with ``unserved_reason`` when no route exists) and the route rows
    (``flow_id``, ``rank``, ``route``). One network is used per commodity: ``network_of(commodity)``
    when given (the pipeline's cache), else built here; each is put in ``networks`` (by
    commodity id) when given, so the caller can read their cost model.

    The choice set of a flow is made of distinct corridors, not of variants of one voyage: the
    ``k`` cheapest routes (Yen) are merged when they share every land link (they differ only in
    the ports a ship calls at), and a flow whose best route goes by sea also gets the cheapest
    routes that use no sea link (the overland alternative: China-Europe rail against the
    sea, for example), up to ``k + LAND_ALTERNATIVES`` routes in all; and, in a scenario that
    opens projects, the cheapest route over each of them that the set lacks
    (:func:`caravan.results.project_routes.project_alternatives`).
    """

    settings = scenario.assignment
    n_routes = k if k is not None else method_spec(settings.method).routes_per_flow(settings)
    if networks is None:
        networks = {}
    land_networks: dict[str, Network] = {}
    if explaining is None:
        # Unserved flows are explained on the network with every link usable: built once per
        # network of this run, not once per unserved flow.
        explained: dict[int, tuple[Network, Network]] = {}

        def explaining(net: Network) -> Network:
            if id(net) not in explained:
                explained[id(net)] = (net, every_link_network(net))
            return explained[id(net)][1]

    sea_modes = modes_where(world.mode_traits, lambda t: t.deep_sea)
    sea_ids = set(world.links_frame.loc[world.links_frame["mode"].isin(sea_modes), "link_id"])
    land_world: list[Atlas] = []
    # the builds of this run share what does not depend on the commodity
    shared_builds: dict[Any, Any] = {}

    def network(commodity_id: str, land_only: bool) -> Network:
        store = land_networks if land_only else networks
        if commodity_id not in store:
            base = world
            if land_only:
                if not land_world:
                    land_world.append(_without_sea(world))
                base = land_world[0]
            store[commodity_id] = (
                network_of(commodity_id)
                if network_of is not None and not land_only
                else build_network(
                    base, year=scenario.year, commodity=commodity_id, shared=shared_builds
                )
            )
        return store[commodity_id]

    land_part: dict[str, int] = {}

    def land_linked(o: str, d: str) -> bool:
        """Whether two places are joined by some chain of non-sea links (any status)."""
        if not land_part:
            land_part.update(_land_components(world))
        return land_part.get(o, -1) == land_part.get(d, -2)

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
        o, d = flow["origin_node_id"], flow["destination_node_id"]
        # (found paths, index) pairs: a route's record is made once it is kept
        routes: tuple[tuple[FoundPaths, int], ...] = ()
        try:
            found = find_paths(
                network(commodity_id, False), o, d, by="cost", k=n_routes, explaining=explaining
            )
            routes = tuple((found, i) for i in range(len(found)))
        except NoRouteError as exc:
            row["unserved_reason"] = str(exc)
        if n_routes > 1 and routes:
            routes = _distinct_corridors(routes, sea_ids)
            if sea_ids.intersection(_link_ids(routes[0])) and land_linked(o, d):
                land: tuple[tuple[FoundPaths, int], ...] = ()
                try:
                    on_land = find_paths(
                        network(commodity_id, True), o, d, by="cost", k=2, explain=False
                    )
                    land = tuple((on_land, i) for i in range(len(on_land)))
                except NoRouteError:
                    pass
                routes = _distinct_corridors((*routes, *land), sea_ids)
            routes = routes[: n_routes + LAND_ALTERNATIVES]
        flow_rows.append(row)
        kept = [paths.route(i) for paths, i in routes]
        if n_routes > 1 and kept and scenario.open_projects:
            kept += project_alternatives(
                network(commodity_id, False), o, d, scenario.open_projects, kept
            )
        for rank, route in enumerate(kept, start=1):
            route_rows.append({"flow_id": flow["flow_id"], "rank": rank, "route": route})
    if progress is not None:
        progress("routing", total, total)
    return flow_rows, route_rows


#: Overland routes added to the choice set of a flow whose best route goes by sea.
LAND_ALTERNATIVES = 2


def _link_ids(found: tuple[FoundPaths, int]) -> tuple[str, ...]:
    paths, i = found
    return paths.link_ids(i)


def _distinct_corridors(
    routes: Sequence[tuple[FoundPaths, int]], sea_ids: set[str]
) -> tuple[tuple[FoundPaths, int], ...]:
    """Routes in the order given, dropping any whose land links repeat an earlier route's."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for r in routes:
        key = tuple(lid for lid in _link_ids(r) if lid not in sea_ids)
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
    return tuple(out)


def _land_components(world: Atlas) -> dict[str, int]:
    """Connected component of every node over the atlas's non-sea links (any status)."""

    nodes = list(world.nodes_frame["node_id"])
    pos = {n: i for i, n in enumerate(nodes)}
    sea_modes = modes_where(world.mode_traits, lambda t: t.deep_sea)
    links = world.links_frame[~world.links_frame["mode"].isin(sea_modes)]
    rows = [pos[a] for a in links["from_node_id"]]
    cols = [pos[b] for b in links["to_node_id"]]
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    return {n: int(labels[i]) for n, i in pos.items()}


def _without_sea(world: Atlas) -> Atlas:
    """The same atlas with its sea links closed (for overland alternatives)."""

    links = world.links_frame
    sea = links["mode"].isin(modes_where(world.mode_traits, lambda t: t.deep_sea))
    return world.with_link_status(links.loc[sea, "link_id"], "closed")


def run_scenario(
    scenario: Scenario,
    *,
    atlas: Atlas,
    events: Sequence[Event] | None = None,
    as_of: str | None = None,
    date: str | dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    seasons: bool = True,
) -> RunResult:
    """Route and settle the demand of a scenario.

    Parameters
    ----------
    scenario : Scenario
        The scenario, resolved (by name or file: :func:`caravan.pipeline.run_scenario`).
    atlas : Atlas
        The atlas to start from.
    events : sequence of Event, optional
        The atlas's security events, needed when the run takes its zone risks from the
        security layer (see :func:`scenario_world`).
    as_of : str, optional
        Date (YYYY-MM-DD) of the security picture that sets zone risks (default: the
        scenario's ``security_as_of``, else the atlas's zone figures).
    date : str or datetime.date, optional
        The day whose dated link closures and openings apply (see :func:`run_date`).
    progress : callable, optional
        Called as ``progress(stage, done, total)`` while routing flows and settling them.
    seasons : bool
        Split the year into the seasons of its seasonal closures and sum them
        (:mod:`caravan.results.seasons`); ``False`` settles the year as one season.

    Returns
    -------
    RunResult

    See Also
    --------
    route_scenario, settle_routed : the two halves, for a caller that keeps the scenario's
        world and networks (:class:`caravan.pipeline.Pipeline`).
    """
    routed = route_scenario(
        scenario, atlas=atlas, events=events, as_of=as_of, date=date, progress=progress
    )
    return settle_routed(routed, progress=progress, seasons=seasons)


@dataclass(frozen=True, eq=False)
class RoutedScenario:
    """A scenario's flows with their route sets, before route choice settles them.

    ``networks`` are the networks (by commodity id) the routes are priced on; ``base`` is the
    atlas the scenario applies to and ``world`` the atlas it runs on (on ``day``).
    """

    scenario: Scenario
    base: Atlas = field(repr=False)
    world: Atlas = field(repr=False)
    day: dt.date
    flow_rows: list[dict[str, Any]] = field(repr=False)
    route_rows: list[dict[str, Any]] = field(repr=False)
    networks: dict[str, Network] = field(repr=False)


def route_scenario(
    scenario: Scenario,
    *,
    atlas: Atlas,
    events: Sequence[Event] | None = None,
    as_of: str | None = None,
    date: str | dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    world: Atlas | None = None,
    network_of: Callable[[str], Network] | None = None,
    explaining: Callable[[Network], Network] | None = None,
) -> RoutedScenario:
    """The first half of :func:`run_scenario`: the scenario's world and each flow's routes."""
    resolved, base = scenario, atlas
    day = run_date(base, resolved, date)
    if world is None:
        world = scenario_world(base, resolved, as_of=as_of, date=day, events=events)
    if world.demand.empty:
        raise CaravanError(
            f"scenario {resolved.name!r}: the atlas has no demand table (demand.csv) to assign"
        )
    networks: dict[str, Network] = {}
    flow_rows, route_rows = route_flows(
        world,
        resolved,
        progress=progress,
        networks=networks,
        network_of=network_of,
        explaining=explaining,
    )
    return RoutedScenario(resolved, base, world, day, flow_rows, route_rows, networks)


def settle_routed(
    routed: RoutedScenario,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    seasons: bool = True,
) -> RunResult:
    """The second half of :func:`run_scenario`: route choice over the routed flows (season by
    season unless ``seasons`` is false), and the run's tables."""
    resolved, base, world, day = routed.scenario, routed.base, routed.world, routed.day
    settings = resolved.assignment
    flow_rows, route_rows, networks = routed.flow_rows, routed.route_rows, routed.networks
    flows = pd.DataFrame(flow_rows)
    method = method_spec(settings.method)
    settled, season_rows, per_season = settle_seasons(
        method.settle,
        world,
        flow_rows,
        route_rows,
        networks,
        settings,
        progress,
        year=resolved.year,
        split=seasons,
    )
    route_rows = settled.route_rows
    route_tonnes = settled.route_tonnes
    flows = _elastic_demand(flows, route_rows, route_tonnes)
    routes_table = tables.routes_table(
        route_rows,
        route_tonnes,
        settled.route_share,
        settled.route_cost_usd_per_t,
        settled.route_time_h,
    )
    flows = tables.flows_table(
        flows, routes_table, logit_scale_per_usd=_choice_scale(world, settings)
    )
    link_flows = tables.link_flows(world, route_rows, route_tonnes)
    origin_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    country_transit = tables.country_transit(world, route_rows, route_tonnes, origin_country)
    corridor_flows = tables.corridor_flows(world, route_rows, route_tonnes)
    # seasons that settle alike share one settlement (and so one capacity summary)
    capacities: dict[int, dict[str, Any]] = {}

    def season_capacity(s_world: Atlas, res: Any) -> dict[str, Any]:
        if id(res) not in capacities:
            report = capacity_report(s_world, res.route_rows, res.route_tonnes)
            capacities[id(res)] = capacity_summary(report)
        return capacities[id(res)]

    demand_t = float(flows["tonnes_per_year"].sum())
    served_t = float(flows["served_tonnes_per_year"].sum())
    summary = {
        "scenario": resolved.name,
        "year": resolved.year,
        "date": day.isoformat(),
        "status_warnings": reopened_warnings(base, world, day, resolved),
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
        "method": settings.method.value,
        "iterations": settled.iterations,
        method.stop_measure: settled.stop_value,
        "converged": settled.converged,
        "capacity": capacity_summary(capacity_report(world, route_rows, route_tonnes)),
        "seasons": [
            {**s, "capacity": season_capacity(s_world, res)}
            for s, (_, s_world, res) in zip(season_rows, per_season, strict=True)
        ],
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


def _elastic_demand(
    flows: pd.DataFrame, route_rows: Sequence[dict[str, Any]], route_tonnes: np.ndarray
) -> pd.DataFrame:
    """Flows with ``tonnes_per_year`` set to what their routes carry (elastic demand).

    ``fixed_tonnes_per_year`` keeps the demand table's tonnes; the two differ only on a
    calibrated atlas, whose demand responds to cost (:mod:`caravan.results.elastic`).
    """
    carried: dict[str, float] = {}
    for row, t in zip(route_rows, route_tonnes, strict=True):
        carried[row["flow_id"]] = carried.get(row["flow_id"], 0.0) + float(t)
    out = flows.copy()
    out["fixed_tonnes_per_year"] = out["tonnes_per_year"]
    served = out["flow_id"].map(carried)
    out["tonnes_per_year"] = served.where(served.notna(), out["tonnes_per_year"])
    return out


def _choice_scale(world: Atlas, settings: Any) -> float:
    """The logit scale (per USD) of the run's route choice: the calibration's when the atlas
    carries one, infinite for all-or-nothing and user equilibrium."""
    if settings.method.value in ("aon", "ue"):
        return float("inf")
    calibration = world.meta.get("calibration") or {}
    if calibration.get("logit_scale_per_usd") is not None:
        return float(calibration["logit_scale_per_usd"])
    return float(settings.logit_scale_per_usd)


def run_date(atlas: Atlas, scenario: Scenario, date: str | dt.date | None = None) -> dt.date:
    """The day a scenario runs on: ``date``, else the scenario's ``date`` when it lies in the
    scenario's year, else :func:`caravan.model.events.default_date` of the scenario year."""
    if date is not None:
        return parse_day(date)
    if scenario.date is not None and int(scenario.date[:4]) == scenario.year:
        return parse_day(scenario.date)
    return default_date(atlas, scenario.year)


def reopened_warnings(
    atlas: Atlas, world: Atlas, day: dt.date, scenario: Scenario | None = None
) -> list[dict[str, Any]]:
    """Warnings for links closed or suspended by a dated event on ``day`` that the scenario
    nevertheless runs as operational (it reopens them), naming the event and its sources.

    Each is :func:`caravan.model.events.event_warning`'s record plus ``reopened_link_ids`` (the
    event's links the scenario reopens) and ``assumption``: what the run assumes, why, and
    what the atlas alone would say of that day.
    """
    if not atlas.status_events:
        return []
    states = link_states(atlas, day)
    now = dict(zip(world.links_frame["link_id"], world.links_frame["status"], strict=True))
    reopened = [
        lid
        for lid, st in states.items()
        if st.event is not None
        and st.status.value in ("closed", "suspended")
        and now.get(lid) == "operational"
    ]
    out = []
    for event in events_on(atlas, day, reopened):
        links = [lid for lid in event.link_ids if lid in set(reopened)]
        warning = event_warning(atlas, event, day)
        out.append(
            {
                **warning,
                "reopened_link_ids": links,
                "assumption": _assumption(scenario, links, event, day),
            }
        )
    return out


def _assumption(
    scenario: Scenario | None, links: Sequence[str], event: StatusEvent, day: dt.date
) -> str:
    """What a run assumes of links a dated closure would shut on its day, and why."""
    who = f"scenario {scenario.name}" if scenario is not None else "the scenario"
    bases = [] if scenario is None else [b for b in scenario.lineage if b != scenario.name]
    by = "its scenario file" + (f" or its base ({', '.join(bases)})" if bases else "")
    if event.every_year:
        when = f"every year, {event.season_text()}"
    elif event.end_date:
        when = f"from {event.start_date} to {event.end_date}"
    else:
        when = f"from {event.start_date} with no end recorded, so the atlas takes it to last"
    return (
        f"{who} assumes {', '.join(links)} open on {day.isoformat()}: {by} reopens them "
        f"(open_links or open_projects), setting aside {event.name!r} ({when}). Without "
        f"that assumption they would be {event.status.value} on that day"
    )


def security_day(scenario: Scenario, as_of: str | None = None) -> str | None:
    """The day of the security picture a scenario's zone risks come from (``as_of``, else the
    scenario's ``security_as_of``), or None when they are the atlas's own figures."""
    return as_of or scenario.security_as_of


def scenario_world(
    atlas: Atlas,
    scenario: Scenario,
    *,
    as_of: str | None = None,
    date: str | dt.date | None = None,
    events: Sequence[Event] | None = None,
) -> Atlas:
    """The atlas a scenario runs on: link states on its day, the security picture as of a
    date (if any), then its changes.

    The link states are those of ``date`` (default :func:`run_date`): the dated closures,
    suspensions and openings of ``status_events.yaml``; the scenario's openings and closures
    apply on top. Seasonal closures and restrictions are left out: a yearly run applies them
    season by season (:mod:`caravan.results.seasons`).

    The date is ``as_of`` when given, else the scenario's ``security_as_of``
    (:func:`security_day`); the zone risks then come from ``events``, the atlas's security
    layer (:func:`caravan.security.files.atlas_events` reads them), through
    :func:`caravan.security.security_atlas`, and the scenario's own ``risk:`` entries apply on
    top.

    Raises
    ------
    InputError
        When the zone risks come from the security layer and no ``events`` are given.
    """
    if atlas.status_events:
        atlas = atlas_on_date(atlas, run_date(atlas, scenario, date), seasonal=False)
    day = security_day(scenario, as_of)
    if day:
        if events is None:
            msg = (
                f"scenario {scenario.name!r} takes its zone risks from the security layer as "
                f"of {day}: pass the atlas's events (caravan.security.files.atlas_events)"
            )
            raise InputError(msg)
        atlas = security_atlas(atlas, as_of=day, events=events)
    return apply_scenario(atlas, scenario)


def _provenance(atlas: Atlas, scenario: Scenario) -> dict[str, Any]:

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
