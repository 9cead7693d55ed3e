"""Yearly runs split into seasons: each season settled on its own network, then summed.

Seasonal status events (``every_year: true`` in ``status_events.yaml``; see
:mod:`caravan.model.events`) close links or cut their capacity for part of every year. A run's
year is cut at every day such an event starts or ends; days with the same closures and
restrictions form one season (a winter may be two stretches, January to spring and the end of
the year). Each season is settled with its links closed (routes through them are dropped; a
flow left with none is routed again on the season's network) and its capacities scaled, with
the demand and capacities as yearly rates; the run's tonnes are the seasons' tonnes weighted by
their share of the year's days. Under ``method: ue`` the seasons with fewest closures are settled
first, and a season whose further closed links no route of a settled season (with the same
capacities) uses shares that settlement: its routes remain least-cost when unused links close.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from caravan.errors import NoRouteError
from caravan.model.atlas import Atlas
from caravan.model.events import StatusEvent
from caravan.model.scenario import AssignmentMethod, AssignmentSettings
from caravan.network.build import build_network
from caravan.network.model import Network

__all__ = ["Season", "settle_seasons", "year_seasons"]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Season:
    """Days of a year with the same seasonal closures and restrictions."""

    season_id: str
    days: int
    share: float
    periods: tuple[tuple[str, str], ...]  # (first day, last day) of each stretch
    events: tuple[StatusEvent, ...]
    closed_link_ids: tuple[str, ...]
    capacity_share: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a run's summary."""
        return {
            "season_id": self.season_id,
            "days": self.days,
            "share_of_year": round(self.share, 6),
            "periods": [list(p) for p in self.periods],
            "event_ids": [e.event_id for e in self.events],
            "closed_link_ids": list(self.closed_link_ids),
            "capacity_share": dict(self.capacity_share),
        }


def year_seasons(world: Atlas, year: int) -> list[Season]:
    """The seasons of ``year`` on a scenario's world (closures apply to its operational links).

    Examples
    --------
    >>> from caravan import load_atlas
    >>> seasons = year_seasons(load_atlas(), 2025)
    >>> [(s.season_id, s.days) for s in seasons][:2]
    [('season-1', 90), ('season-2', 32)]
    """
    seasonal = [e for e in world.status_events if e.every_year]
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if not seasonal:
        return []
    status = dict(zip(world.links_frame["link_id"], world.links_frame["status"], strict=True))
    cuts = {first, last + dt.timedelta(days=1)}
    for e in seasonal:
        (m0, d0), (m1, d1) = e.window()
        for y in (year - 1, year, year + 1):
            for day in (_day(y, m0, d0), _day(y, m1, d1) + dt.timedelta(days=1)):
                if first < day <= last:
                    cuts.add(day)
    bounds = sorted(cuts)
    groups: dict[tuple[Any, ...], list[tuple[dt.date, dt.date]]] = {}
    hit_of: dict[tuple[Any, ...], tuple[StatusEvent, ...]] = {}
    for start, stop in itertools.pairwise(bounds):
        now = tuple(e for e in seasonal if e.in_force(start))
        closed = tuple(
            sorted(
                {
                    lid
                    for e in now
                    if not e.restricts
                    for lid in e.link_ids
                    if status.get(lid) == "operational"
                }
            )
        )
        cut = tuple(
            sorted(
                (lid, float(e.capacity_share or 1.0))
                for e in now
                if e.restricts
                for lid in e.link_ids
            )
        )
        key = (closed, cut)
        groups.setdefault(key, []).append((start, stop - dt.timedelta(days=1)))
        hit_of[key] = tuple(dict.fromkeys((*hit_of.get(key, ()), *now)))
    if len(groups) == 1:
        return []
    n_days = (last - first).days + 1
    out = []
    for i, (key, periods) in enumerate(groups.items(), start=1):
        days = sum((b - a).days + 1 for a, b in periods)
        out.append(
            Season(
                season_id=f"season-{i}",
                days=days,
                share=days / n_days,
                periods=tuple((a.isoformat(), b.isoformat()) for a, b in periods),
                events=hit_of[key],
                closed_link_ids=key[0],
                capacity_share=dict(key[1]),
            )
        )
    return out


def _day(year: int, month: int, day: int) -> dt.date:
    """The day, with 29 February taken as 28 February outside leap years."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, day - 1)


def season_world(world: Atlas, season: Season) -> Atlas:
    """The world of one season: its closures applied and its capacities scaled."""
    links = world.links_frame.copy()
    links.loc[links["link_id"].isin(season.closed_link_ids), "status"] = "closed"
    for lid, share in season.capacity_share.items():
        hit = links["link_id"] == lid
        for column in ("capacity_mtpa", "capacity_mtpa_low", "capacity_mtpa_high"):
            if column in links.columns:
                links.loc[hit, column] = links.loc[hit, column] * share
    return dataclasses.replace(world, links_frame=links)


def _reroute(
    world: Atlas,
    flow_rows: Sequence[Mapping[str, Any]],
    route_rows: Sequence[dict[str, Any]],
    year: int,
    k: int,
) -> list[dict[str, Any]]:
    """Routes on ``world`` for the served flows that have none in ``route_rows``."""
    from caravan.results.routes import find_routes

    have = {str(r["flow_id"]) for r in route_rows}
    out: list[dict[str, Any]] = []
    built: dict[str, Network] = {}
    for flow in flow_rows:
        if flow.get("unserved_reason") or str(flow["flow_id"]) in have:
            continue
        cid = str(flow["commodity_id"])
        if cid not in built:
            built[cid] = build_network(world, year=year, commodity=cid)
        try:
            found = find_routes(
                built[cid], str(flow["origin_node_id"]), str(flow["destination_node_id"]), k=k
            )
        except NoRouteError:
            continue
        out += [
            {"flow_id": flow["flow_id"], "rank": rank, "route": r}
            for rank, r in enumerate(found, start=1)
        ]
    return out


def _add(
    merged: dict[tuple[Any, ...], dict[str, Any]],
    row: dict[str, Any],
    res: Any,
    i: int,
    share: float,
) -> None:
    """Add a season's route ``i`` (weighted by the season's share of the year) to ``merged``."""
    r = row["route"]
    key = (str(row["flow_id"]), r.link_ids, r.node_ids)
    slot = merged.setdefault(
        key, {"row": row, "tonnes": 0.0, "cost_t": 0.0, "time_t": 0.0, "cost": 0.0, "time": 0.0}
    )
    t = float(res.route_tonnes[i]) * share
    slot["tonnes"] += t
    slot["cost_t"] += t * float(res.route_cost_usd_per_t[i])
    slot["time_t"] += t * float(res.route_time_h[i])
    slot["cost"] = slot["cost"] or float(res.route_cost_usd_per_t[i])
    slot["time"] = slot["time"] or float(res.route_time_h[i])


def _ue_shared(season: Season, done: Mapping[tuple[Any, ...], tuple[Atlas, Any]]) -> Any:
    """A ``ue`` settlement already made that is an equilibrium of ``season`` too, or None.

    One made with the same capacities and a subset of the season's closed links, none of whose
    routes uses the links the season closes besides: closing links no route uses keeps every
    route, its cost and every capacity, and can only make other routes dearer, so the routes
    stay least-cost (the relative gap can only fall) and within capacity.
    """
    closed = set(season.closed_link_ids)
    shares = tuple(sorted(season.capacity_share.items()))
    for (d_closed, d_shares), (_, res) in done.items():
        if d_shares != shares or not closed.issuperset(d_closed):
            continue
        extra = closed.difference(d_closed)
        if all(extra.isdisjoint(row["route"].link_ids) for row in res.route_rows):
            return res
    return None


def settle_seasons(
    settle: Callable[..., Any],
    world: Atlas,
    flow_rows: list[dict[str, Any]],
    route_rows: list[dict[str, Any]],
    networks: Mapping[str, Network],
    settings: AssignmentSettings,
    progress: Progress | None,
    *,
    year: int,
    split: bool = True,
) -> tuple[Any, list[dict[str, Any]], list[tuple[Season, Atlas, Any]]]:
    """Settle a run season by season and sum (see the module docstring).

    ``settle`` is the method's (:class:`caravan.results.methods.MethodSpec`). Returns the
    summed settlement, each season's summary, and each season with its world and settlement
    (empty when the year has a single season).
    """
    seasons = year_seasons(world, year) if split else []
    if not seasons:
        return settle(world, flow_rows, route_rows, networks, settings, progress), [], []
    from caravan.results.methods import Settlement

    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    per_season: list[tuple[Season, Atlas, Any]] = []
    iterations = 0
    stop = 0.0
    converged = True
    used = {lid for r in route_rows for lid in r["route"].link_ids}
    done: dict[tuple[Any, ...], tuple[Atlas, Any]] = {}
    ue = settings.method is AssignmentMethod.UE
    settled: dict[int, tuple[Atlas, Any]] = {}
    # ue settles the seasons with fewest closures first, so that a season whose extra closed
    # links carry nothing in one already settled (with the same capacities) can share it
    order = list(range(len(seasons)))
    if ue:
        order = sorted(order, key=lambda i: len(seasons[i].closed_link_ids))
    for i in order:
        season = seasons[i]
        # seasons that differ only on links no route uses settle alike (for ue, the network
        # itself differs, so only identical seasons are shared, and see _ue_shared)
        key = (
            season.closed_link_ids if ue else tuple(sorted(set(season.closed_link_ids) & used)),
            tuple(sorted((k, v) for k, v in season.capacity_share.items() if ue or k in used)),
        )
        if key in done:
            settled[i] = done[key]
            continue
        shared = _ue_shared(season, done) if ue else None
        if shared is not None:
            settled[i] = (season_world(world, season), shared)
            continue
        s_world = season_world(world, season)
        closed = set(season.closed_link_ids)
        if ue:  # ue makes its own routes, and drops the flows the season cuts off
            rows = list(route_rows)
        else:
            rows = [r for r in route_rows if closed.isdisjoint(r["route"].link_ids)]
            rows += _reroute(s_world, flow_rows, rows, year, settings.k_routes)
        # (ue settles on the year's networks with the season's closures and capacities)
        res = settle(s_world, flow_rows, rows, networks, settings, progress)
        done[key] = settled[i] = (s_world, res)
        iterations += res.iterations
        stop = max(stop, float(res.stop_value))
        converged = converged and bool(res.converged)
    for i, season in enumerate(seasons):
        s_world, res = settled[i]
        per_season.append((season, s_world, res))
        for j, row in enumerate(res.route_rows):
            _add(merged, row, res, j, season.share)
    flow_t = {str(f["flow_id"]): float(f["tonnes_per_year"]) for f in flow_rows}
    ordered = sorted(merged.values(), key=lambda s: (str(s["row"]["flow_id"]), -s["tonnes"]))
    rows_out: list[dict[str, Any]] = []
    rank: dict[str, int] = {}
    for slot in ordered:
        fid = str(slot["row"]["flow_id"])
        rank[fid] = rank.get(fid, 0) + 1
        rows_out.append(
            {"flow_id": slot["row"]["flow_id"], "rank": rank[fid], "route": slot["row"]["route"]}
        )
    tonnes = np.array([s["tonnes"] for s in ordered], dtype=np.float64)
    cost = np.array(
        [s["cost_t"] / s["tonnes"] if s["tonnes"] > 0 else s["cost"] for s in ordered],
        dtype=np.float64,
    )
    time_h = np.array(
        [s["time_t"] / s["tonnes"] if s["tonnes"] > 0 else s["time"] for s in ordered],
        dtype=np.float64,
    )
    share = np.array(
        [
            s["tonnes"] / flow_t[str(s["row"]["flow_id"])]
            if flow_t.get(str(s["row"]["flow_id"]))
            else 0.0
            for s in ordered
        ],
        dtype=np.float64,
    )
    summed = Settlement(rows_out, tonnes, share, cost, time_h, iterations, stop, converged)
    summaries = []
    for season, _, res in per_season:
        on_closed: dict[str, float] = dict.fromkeys(season.closed_link_ids, 0.0)
        for i, row in enumerate(res.route_rows):
            for lid in set(row["route"].link_ids) & set(on_closed):
                on_closed[lid] += float(res.route_tonnes[i])
        summaries.append(
            {
                **season.to_dict(),
                "closed_link_tonnes_per_year": on_closed,
                "served_tonnes_per_year": float(np.sum(res.route_tonnes)),
            }
        )
    return summed, summaries, per_season
