"""The tables of a scenario run: per route, per flow, per link, per country and per corridor.

Each function takes the run's routed rows (``{"flow_id", "rank", "route"}``, with the route's
:class:`~caravan.results.routes.Route`) and the tonnes each carries after route choice.
Transit accounting follows DESIGN section 3 (see :func:`country_transit`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from caravan.model.atlas import Atlas
from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits, modes_where
from caravan.network.model import Layer
from caravan.results.legs import WATER_AREAS

__all__ = [
    "CORRIDOR_MIN_LENGTH_SHARE",
    "corridor_flows",
    "corridors_run_on",
    "country_transit",
    "end_countries",
    "flows_table",
    "land_countries",
    "link_flows",
    "routes_table",
]


def routes_table(
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


def flows_table(
    flows: pd.DataFrame, routes: pd.DataFrame, *, logit_scale_per_usd: float = np.inf
) -> pd.DataFrame:
    """One row per flow: served tonnes, the share-weighted cost and time of its routes, the
    countries of its main route, and its expected cost.

    ``cost_usd_per_t`` is what the flow's tonnes pay on average (route costs weighted by the
    route shares). ``expected_cost_usd_per_t`` is the logit composite cost (the logsum
    ``-ln(sum exp(-scale * cost)) / scale`` over the flow's routes at their settled costs; the
    cheapest route's cost when the scale is infinite, as for ``aon`` and ``ue``): it never
    falls when a route is taken away and route costs stay the same, whereas the average can
    (closing a dear alternative drops its share), so comparisons report changes with it.
    """
    out = flows.copy()
    if routes.empty:
        out["served_tonnes_per_year"] = 0.0
        out["cost_usd_per_t"] = np.nan
        out["expected_cost_usd_per_t"] = np.nan
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
    out["expected_cost_usd_per_t"] = out["flow_id"].map(
        {
            fid: expected_cost(group["cost_usd_per_t"].to_numpy(), logit_scale_per_usd)
            for fid, group in routes.groupby("flow_id")
        }
    )
    return out


def expected_cost(costs: np.ndarray, scale_per_usd: float) -> float:
    """The logit composite cost of routes with ``costs``: ``-ln(sum(exp(-scale * c))) / scale``
    (the least cost when ``scale`` is infinite).

    Examples
    --------
    >>> float(expected_cost(np.array([100.0, 100.0]), np.inf))
    100.0
    >>> round(float(expected_cost(np.array([100.0, 100.0]), 0.05)), 3)  # 100 - ln 2 / 0.05
    86.137
    """
    c = np.asarray(costs, dtype=float)
    c = c[np.isfinite(c)]
    if c.size == 0:
        return float("nan")
    low = float(c.min())
    if not np.isfinite(scale_per_usd):
        return low
    return low - float(np.log(np.exp(-scale_per_usd * (c - low)).sum())) / scale_per_usd


def link_flows(
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


def land_countries(route: Any, modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS) -> set[str]:
    """Countries a route touches on land: its legs on modes that carry transit (rail, road,
    ferry: ``transit: true`` in ``modes.yaml``) and its transfers.

    A ship that passes or calls at a port without unloading (sea legs only) does not make that
    country a transit country; the Suez Canal's Egypt, or Mundra's India on a Karachi-Rotterdam
    voyage, are not counted as transit.
    """
    out: set[str] = set()
    for leg in route.legs:
        if leg.kind == "transfer":
            out.add(leg.from_iso3)
        elif modes[Layer.parse(str(leg.from_layer)).mode].transit:
            out.update((leg.from_iso3, leg.to_iso3))
    return out


def end_countries(
    route: Any, node_country: Mapping[str, str], markets: Mapping[str, Sequence[str]]
) -> set[str]:
    """The countries at a route's ends: those of its first and last places, and of the market
    regions those places stand for (``markets`` in atlas.yaml: Duisburg for north-west Europe).

    None of them is a transit country for the route's cargo.
    """
    out: set[str] = set()
    for node_id in (route.node_ids[0], route.node_ids[-1]):
        out.add(node_country[node_id])
        out.update(markets.get(node_id, ()))
    return out


def country_transit(
    world: Atlas,
    route_rows: Sequence[dict[str, Any]],
    tonnes: np.ndarray,
    node_country: dict[str, str],
) -> pd.DataFrame:
    acc: dict[str, dict[str, float]] = {}
    modes = world.mode_traits

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

    markets = world.markets
    for i, row in enumerate(route_rows):
        r = row["route"]
        t = float(tonnes[i])
        origin = node_country[r.node_ids[0]]
        destination = node_country[r.node_ids[-1]]
        bucket(origin)["origin_tonnes"] += t
        bucket(destination)["destination_tonnes"] += t
        ends = end_countries(r, node_country, markets)
        land = land_countries(r, modes)
        for part in r.by_country:
            if part.iso3 in WATER_AREAS:  # the sea and the Caspian are no country
                continue
            b = bucket(part.iso3)
            if part.iso3 in ends:
                b["domestic_revenue_usd"] += t * part.money_usd_per_t
                continue
            if part.iso3 not in land:
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


#: A route counts in a corridor's ``tonnes_per_year`` when it runs on at least this share of the
#: corridor's length (its land and ferry links; sea lanes only for a corridor made of them).
CORRIDOR_MIN_LENGTH_SHARE = 0.5


def corridor_flows(
    world: Atlas,
    route_rows: Sequence[dict[str, Any]],
    tonnes: np.ndarray,
    *,
    min_length_share: float = CORRIDOR_MIN_LENGTH_SHARE,
) -> pd.DataFrame:
    """What each project or corridor carries on its own links.

    - ``tonnes_per_year``: the tonnes of routes that run on at least ``min_length_share`` of
      the corridor's length (its land and ferry links: a sea lane is open water every ship
      uses); for a corridor of sea lanes only (a strait or canal: its lanes are alternatives
      that all pass one point), every route through it;
    - ``max_link_tonnes``: the load of its busiest link (both ways);
    - ``tkm_per_year``: the tonne-km on its links;
    - ``mean_load_tonnes``: that tonne-km over its length (the load of an average km);
    - ``touching_tonnes``: the tonnes of every route that uses any of its links (shown for
      comparison only: a route that touches one link of a long corridor is not its cargo).
    """
    length, sea = _lengths_and_sea(world)
    load: dict[str, float] = {}
    route_links = []
    for i, row in enumerate(route_rows):
        used = set(row["route"].link_ids)
        route_links.append(used)
        for lid in used:
            load[lid] = load.get(lid, 0.0) + float(tonnes[i])
    rows = []
    for p in world.projects:
        members = set(p.link_ids)
        measured, chokepoint = _measured(members, sea)
        total_km = sum(length[lid] for lid in sorted(measured))
        tkm = sum(load.get(lid, 0.0) * length[lid] for lid in sorted(members))
        own_tkm = sum(load.get(lid, 0.0) * length[lid] for lid in sorted(measured))
        through = touching = 0.0
        for i, used in enumerate(route_links):
            if used.isdisjoint(members):
                continue
            touching += float(tonnes[i])
            km = sum(length[lid] for lid in sorted(used & measured))
            if chokepoint or (total_km > 0 and km >= min_length_share * total_km):
                through += float(tonnes[i])
        rows.append(
            {
                "project_id": p.project_id,
                "name": p.name,
                "kind": p.kind.value,
                "tonnes_per_year": through,
                "max_link_tonnes": max((load.get(lid, 0.0) for lid in members), default=0.0),
                "tkm_per_year": tkm,
                "mean_load_tonnes": own_tkm / total_km if total_km > 0 else 0.0,
                "touching_tonnes": touching,
                "length_km": total_km,
                "min_length_share": min_length_share,
            }
        )
    return pd.DataFrame(rows)


def corridors_run_on(
    world: Atlas,
    ids: Sequence[str],
    link_ids: Sequence[str],
    *,
    min_length_share: float = CORRIDOR_MIN_LENGTH_SHARE,
) -> tuple[str, ...]:
    """The projects and corridors among ``ids`` that a route on ``link_ids`` runs on for at
    least ``min_length_share`` of their length: those it would count in for
    :func:`corridor_flows` (a strait or canal, made of sea lanes only, when it passes it).

    A long route touches many overlapping corridors for a link or two; these are the ones
    that carry it, in the order of ``ids``.
    """
    length, sea = _lengths_and_sea(world)
    used = set(link_ids)
    by_id = {p.project_id: p for p in world.projects}
    out = []
    for pid in ids:
        members = set(by_id[pid].link_ids)
        measured, chokepoint = _measured(members, sea)
        total_km = sum(length[lid] for lid in sorted(measured))
        km = sum(length[lid] for lid in sorted(used & measured))
        if (chokepoint and used & members) or (total_km > 0 and km >= min_length_share * total_km):
            out.append(pid)
    return tuple(out)


def _lengths_and_sea(world: Atlas) -> tuple[dict[str, float], set[str]]:
    """Each link's km, and the ids of the deep-sea links (open water every ship uses)."""
    links = world.links_frame
    length = dict(zip(links["link_id"], links["length_km"].astype(float), strict=True))
    deep_sea = links["mode"].isin(modes_where(world.mode_traits, lambda t: t.deep_sea))
    return length, set(links.loc[deep_sea, "link_id"])


def _measured(members: set[str], sea: set[str]) -> tuple[set[str], bool]:
    """The links that measure a corridor's length (its land and ferry links), and whether it
    is a chokepoint: a corridor of sea lanes only is a strait or canal, measured by its lanes,
    and every route through it counts.

    Sets iterate in hash order, which changes with ``PYTHONHASHSEED``: every float sum over
    these sets runs over ``sorted(...)`` so that a total is the same to the last bit in every
    process."""
    return (members - sea) or members, members <= sea
