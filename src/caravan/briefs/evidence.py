"""The evidence sections of a brief: routes of the main flows, sources and provenance."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from caravan.briefs.sections import BriefContext
from caravan.briefs.tables import Cell, Citation, Column, Table, make_table, num, split_ids, text
from caravan.errors import CaravanError, NotFoundError
from caravan.results.runs import route_flows

__all__ = [
    "provenance_section",
    "route_objects",
    "routes_section",
    "sources_section",
]

#: Routes carrying less than this share of their flow are left out of the routes tables.
MIN_ROUTE_SHARE = 0.005


def route_objects(run: Any, flow_ids: tuple[str, ...]) -> dict[tuple[str, int], Any]:
    """The :class:`~caravan.results.routes.Route` records behind a run's routes of some flows.

    The run's tables keep each route's totals; its breakdown by country, borders and transfers
    come from routing those flows again on the run's scenario-applied atlas (deterministic).
    A route is returned only when its links are those of the run's route of the same rank.
    """

    demand = run.atlas.demand_frame
    subset = demand[demand["flow_id"].isin(flow_ids)].reset_index(drop=True)
    if subset.empty:
        return {}
    world = dataclasses.replace(run.atlas, demand_frame=subset)
    try:
        _flow_rows, route_rows = route_flows(world, run.scenario)
    except CaravanError:
        return {}
    expected = {
        (str(r["flow_id"]), int(r["rank"])): str(r["link_ids"])
        for r in run.routes.to_dict("records")
    }
    out: dict[tuple[str, int], Any] = {}
    for row in route_rows:
        key = (str(row["flow_id"]), int(row["rank"]))
        if expected.get(key) == ";".join(row["route"].link_ids):
            out[key] = row["route"]
    return out


def _route_cites(
    ctx: BriefContext,
    links: pd.DataFrame,
    projects: Mapping[str, Any],
    link_ids: tuple[str, ...],
) -> tuple[Citation, ...]:
    """A route's citations: its links' sources, then those of the projects its links are in."""
    known = [lid for lid in link_ids if lid in links.index]
    ids = [sid for lid in known for sid in split_ids(links.at[lid, "source_ids"])]
    project_ids = dict.fromkeys(p for lid in known for p in split_ids(links.at[lid, "project_ids"]))
    ids += [sid for pid in project_ids if pid in projects for sid in projects[pid].source_ids]
    return ctx.citations.cite(ids)


def _layer(mode: str, gauge_mm: int | None) -> str:
    return f"{mode} {gauge_mm} mm" if gauge_mm else mode


def _side(
    ctx: BriefContext, run: Any, role: str, flow_id: str, details: dict[tuple[str, int], Any]
) -> dict[str, Any]:
    routes = run.routes[run.routes["flow_id"] == flow_id].sort_values("rank")
    flows = run.flows[run.flows["flow_id"] == flow_id]
    if flows.empty:
        reason = "this flow is not in this scenario's demand"
    else:
        reason = str(flows.iloc[0].get("unserved_reason", "") or "")
    cols = (
        Column("rank", "rank", True),
        Column("share", "share", True),
        Column("tonnes_per_year", "tonnes", True),
        Column("length_km", "km", True),
        Column("time_h", "hours", True),
        Column("money_usd_per_t", "money, USD/t", True),
        Column("cost_usd_per_t", "cost, USD/t", True),
        Column("countries", "countries"),
        Column("projects", "projects"),
        Column("sources", "sources"),
    )
    links = run.atlas.links_frame.set_index("link_id")
    projects = {p.project_id: p for p in run.atlas.projects}
    rows = []
    for r in routes.to_dict("records"):
        if float(r["share"]) < MIN_ROUTE_SHARE:
            continue
        cites = _route_cites(ctx, links, projects, split_ids(r["link_ids"]))
        rows.append(
            (
                str(int(r["rank"])),
                {
                    "rank": num(r["rank"], digits=0),
                    "share": Cell(f"{100 * float(r['share']):.1f}%", float(r["share"]), "num"),
                    "tonnes_per_year": num(r["tonnes_per_year"], "tonnes"),
                    "length_km": num(r["length_km"], digits=0),
                    "time_h": num(r["time_h"]),
                    "money_usd_per_t": num(r["money_usd_per_t"], digits=2),
                    "cost_usd_per_t": num(r["cost_usd_per_t"], digits=2),
                    "countries": text(" → ".join(split_ids(r["countries"]))),
                    "projects": text(", ".join(split_ids(r["projects"]))),
                    "sources": text("", cites=cites),
                },
            )
        )
    table = make_table(
        f"routes-{flow_id}-{role.lower()}",
        f"{role}: routes and their shares",
        cols,
        rows,
    )
    side: dict[str, Any] = {
        "role": role,
        "label": ctx.label_a if role == "A" else ctx.label_b,
        "routes": table,
        "unserved": reason,
        "breakdown": None,
        "borders": [],
        "transfers": [],
        "main_rank": None,
    }
    if routes.empty:
        return side
    main = routes.sort_values(["share", "rank"], ascending=[False, True]).iloc[0]
    route = details.get((flow_id, int(main["rank"])))
    side["main_rank"] = int(main["rank"])
    if route is None:
        return side
    bcols = (
        Column("country", "country"),
        Column("length_km", "km", True),
        Column("time_h", "hours", True),
        Column("money_usd_per_t", "money, USD/t", True),
        Column("risk_usd_per_t", "risk, USD/t", True),
    )
    brows = [
        (
            part.iso3,
            {
                "country": text(part.iso3),
                "length_km": num(part.length_km, digits=0),
                "time_h": num(part.time_h),
                "money_usd_per_t": num(part.money_usd_per_t, digits=2),
                "risk_usd_per_t": num(part.risk_usd_per_t, digits=2),
            },
        )
        for part in route.by_country
    ]
    side["breakdown"] = make_table(
        f"breakdown-{flow_id}-{role.lower()}",
        f"{role}: route {int(main['rank'])} by country (free-flow)",
        bcols,
        brows,
        "A cross-border link is split half and half; border dwell and fees count in the "
        "country entered.",
    )
    side["borders"] = [
        f"{b.name} ({b.from_iso3} → {b.to_iso3}): {b.dwell_h:g} h, {b.fee_usd_per_t:g} USD/t"
        for b in route.borders
    ]
    side["transfers"] = [
        f"{t.name}: {t.kind}, {_layer(t.from_mode, t.from_gauge_mm)} → "
        f"{_layer(t.to_mode, t.to_gauge_mm)}, {t.dwell_h:g} h, {t.fee_usd_per_t:g} USD/t"
        for t in route.transfers
    ]
    return side


def routes_section(ctx: BriefContext) -> list[dict[str, Any]]:
    """For each main flow, its routes in A and B and the main route's breakdown by country."""
    details_a = route_objects(ctx.run_a, ctx.main_flows)
    details_b = route_objects(ctx.run_b, ctx.main_flows)
    blocks = []
    for flow_id in ctx.main_flows:
        blocks.append(
            {
                "flow_id": flow_id,
                "label": ctx.flow_label(flow_id),
                "sides": [
                    _side(ctx, ctx.run_a, "A", flow_id, details_a),
                    _side(ctx, ctx.run_b, "B", flow_id, details_b),
                ],
            }
        )
    return blocks


# -- sources and provenance --------------------------------------------------------------------


def sources_section(ctx: BriefContext) -> list[dict[str, Any]]:
    """Every source cited in the brief, in citation order, resolved through the atlas."""

    out = []
    for cite_id in ctx.citations.ids:
        entry: dict[str, Any] = {"number": ctx.citations.cite([cite_id])[0].number, "id": cite_id}
        try:
            s = ctx.run_a.atlas.source(cite_id)
        except NotFoundError:
            try:
                s = ctx.run_b.atlas.source(cite_id)
            except NotFoundError:
                entry.update(missing=True, title="(not a source of the atlas)")
                out.append(entry)
                continue
        entry.update(
            missing=False,
            title=s.title,
            author=s.author or "",
            publisher=s.publisher or "",
            date=s.date or "",
            url=s.url or "",
            kind=s.kind,
            supports=s.supports,
        )
        out.append(entry)
    return out


def provenance_section(ctx: BriefContext, generated_utc: str) -> Table:
    """Caravan version, input digests, seeds and dates of both runs and of the brief."""
    pa, pb = ctx.run_a.provenance, ctx.run_b.provenance
    keys = (
        ("caravan_version", "Caravan version"),
        ("python", "Python"),
        ("atlas_name", "atlas"),
        ("atlas_version", "atlas version"),
        ("atlas_digest", "atlas digest (SHA-256)"),
        ("scenario", "scenario"),
        ("scenario_lineage", "scenario lineage"),
        ("scenario_digest", "scenario digest (SHA-256)"),
        ("seed", "seed"),
        ("created_utc", "run created (UTC)"),
    )
    cols = (Column("item", "item"), Column("a", "A"), Column("b", "B"))

    def show(value: Any) -> Cell:
        if isinstance(value, list | tuple):
            value = " → ".join(map(str, value))
        return text("–" if value in (None, "") else value)

    rows = [
        (k, {"item": text(label), "a": show(pa.get(k)), "b": show(pb.get(k))}) for k, label in keys
    ]
    rows.append(
        (
            "report_generated_utc",
            {"item": text("brief generated (UTC)"), "a": text(generated_utc), "b": text("")},
        )
    )
    return make_table("provenance", "Provenance", cols, rows)
