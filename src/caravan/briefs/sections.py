"""The results sections of a brief: what was compared, transit, corridors, flows and links.

Each builder turns the two runs and their comparison into plain data for the template: short
texts, and :class:`~caravan.briefs.tables.Table` objects whose cells carry the exact numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from caravan.briefs.tables import (
    Citations,
    Column,
    Table,
    fmt_tonnes,
    make_table,
    num,
    split_ids,
    text,
)

__all__ = [
    "BriefContext",
    "compared_section",
    "corridors_section",
    "flows_section",
    "key_points",
    "links_table",
    "main_flow_ids",
    "transit_section",
]

#: Changes smaller than this (tonnes a year) count as no change.
TONNES_EPS = 0.5
#: Changes of tonne-km a year smaller than this show as 0.000 bn tkm: no change.
TKM_EPS = 5e5


@dataclass
class BriefContext:
    """The inputs every section reads, and the citation register they share."""

    run_a: Any
    run_b: Any
    comparison: Any
    citations: Citations
    label_a: str
    label_b: str
    main_flows: tuple[str, ...] = ()
    node_names: dict[str, str] = field(default_factory=dict)

    def flow_label(self, flow_id: str) -> str:
        """``Origin → Destination (commodity)`` for a flow of A or B."""
        for run in (self.run_a, self.run_b):
            rows = run.flows[run.flows["flow_id"] == flow_id]
            if not rows.empty:
                r = rows.iloc[0]
                o = self.node_names.get(str(r["origin_node_id"]), str(r["origin_node_id"]))
                d = self.node_names.get(
                    str(r["destination_node_id"]), str(r["destination_node_id"])
                )
                return f"{o} → {d} ({r['commodity_id']})"
        return flow_id

    def place(self, node_id: str) -> str:
        """A place's name (its id when unknown)."""
        return self.node_names.get(node_id, node_id)


def _tonnes_of(run: Any) -> dict[str, float]:
    return {
        str(k): float(v)
        for k, v in zip(run.flows["flow_id"], run.flows["tonnes_per_year"], strict=True)
    }


def main_flow_ids(run_a: Any, run_b: Any, n: int) -> tuple[str, ...]:
    """The ``n`` largest flows by tonnes in A or B (ties by id), largest first."""
    ta, tb = _tonnes_of(run_a), _tonnes_of(run_b)
    ids = list(dict.fromkeys([*ta, *tb]))
    ids.sort(key=lambda f: (-max(ta.get(f, 0.0), tb.get(f, 0.0)), f))
    return tuple(ids[:n])


# -- what was compared -------------------------------------------------------------------------


def _project_name(run: Any, project_id: str) -> str:
    for p in run.atlas.projects:
        if p.project_id == project_id:
            return f"{p.name} ({project_id})"
    return project_id


def _scenario_card(ctx: BriefContext, run: Any, role: str) -> dict[str, Any]:
    s = run.scenario
    opens = [_project_name(run, p) for p in s.open_projects]
    opens += [f"link {lid}" for lid in s.open_links]
    closes: list[str] = []
    for label, ids in (
        ("project", s.close_projects),
        ("link", s.close_links),
        ("border", s.close_borders),
        ("place", s.close_nodes),
        ("country", s.close_countries),
        ("risk zone", s.close_zones),
    ):
        closes += [f"{label} {i}" for i in ids]
    changes = [
        f"{c.target.value} {', '.join(c.ids)}: {c.field} {c.op.value} {c.value:g}"
        for c in s.changes
    ]
    demand: list[str] = []
    for sc in s.demand_scale:
        who = []
        for label, ids in (
            ("flows", sc.flow_ids),
            ("from", sc.origin_countries),
            ("to", sc.destination_countries),
            ("cargo", sc.commodities),
        ):
            if ids:
                who.append(f"{label} {', '.join(ids)}")
        demand.append(f"scale {'; '.join(who) or 'every flow'} by {sc.factor:g}")
    for add in s.demand_add:
        demand.append(
            f"add {add.flow_id}: {ctx.place(add.origin_node_id)} → "
            f"{ctx.place(add.destination_node_id)}, {add.commodity_id}, "
            f"{fmt_tonnes(add.tonnes_per_year)} a year ({add.basis})"
        )
    risk = [f"zone {r.zone_id}: risk {r.risk:g}" for r in s.risk]
    a = s.assignment
    add_cites = [sid for add in s.demand_add for sid in add.source_ids]
    risk_cites = [sid for r in s.risk for sid in r.source_ids]
    return {
        "role": role,
        "name": s.name,
        "title": s.title or s.name,
        "description": s.description,
        "year": s.year,
        "lineage": " → ".join(s.lineage) if s.lineage else s.base,
        "opens": opens,
        "closes": closes,
        "changes": changes,
        "demand": demand,
        "risk": risk,
        "assignment": (
            f"{a.method}, up to {a.k_routes} routes a flow, logit scale "
            f"{a.logit_scale_per_usd:g} per USD, at most {a.max_iter} iterations, "
            f"tolerance {a.gap:g}, seed {a.seed}"
        ),
        "cites": ctx.citations.cite([*s.source_ids, *add_cites, *risk_cites]),
    }


def compared_section(ctx: BriefContext) -> dict[str, Any]:
    """The two scenarios, their year, openings and closures, and the demand each used."""
    cards = [_scenario_card(ctx, ctx.run_a, "A"), _scenario_card(ctx, ctx.run_b, "B")]
    cols = (
        Column("year", "year", True),
        Column("flows", "flows", True),
        Column("demand_tonnes_per_year", "demand", True),
        Column("served_tonnes_per_year", "served", True),
        Column("unserved_tonnes_per_year", "unserved", True),
        Column("routes", "routes used", True),
        Column("converged", "settled"),
    )
    rows = []
    for role, run in (("A", ctx.run_a), ("B", ctx.run_b)):
        s = run.summary
        rows.append(
            (
                role,
                {
                    "year": num(run.scenario.year, "year"),
                    "flows": num(s.get("flows", len(run.flows)), digits=0),
                    "demand_tonnes_per_year": num(s.get("demand_tonnes_per_year"), "tonnes"),
                    "served_tonnes_per_year": num(s.get("served_tonnes_per_year"), "tonnes"),
                    "unserved_tonnes_per_year": num(s.get("unserved_tonnes_per_year"), "tonnes"),
                    "routes": num(s.get("routes", len(run.routes)), digits=0),
                    "converged": text(
                        f"{'yes' if s.get('converged') else 'no'} "
                        f"({s.get('iterations', '?')} iterations)"
                    ),
                },
            )
        )
    summary = make_table("compared-summary", "The two runs", cols, rows)
    return {"cards": cards, "summary": summary, "demand": _demand_table(ctx)}


def _demand_rows(run: Any) -> dict[str, dict[str, Any]]:
    return {str(r["flow_id"]): r for r in run.atlas.demand_frame.to_dict("records")}


def _demand_table(ctx: BriefContext) -> Table:
    da, db = _demand_rows(ctx.run_a), _demand_rows(ctx.run_b)
    cols = (
        Column("flow", "flow"),
        Column("origin", "from"),
        Column("destination", "to"),
        Column("commodity", "cargo"),
        Column("tonnes_a", f"A: {ctx.label_a}", True),
        Column("tonnes_b", f"B: {ctx.label_b}", True),
        Column("basis", "basis"),
    )
    rows = []
    for flow_id in dict.fromkeys([*da, *db]):
        r = da.get(flow_id) or db[flow_id]
        cites = ctx.citations.cite(
            [*split_ids(r.get("source_ids")), *split_ids(db.get(flow_id, {}).get("source_ids"))]
        )
        rows.append(
            (
                flow_id,
                {
                    "flow": text(flow_id),
                    "origin": text(ctx.place(str(r["origin_node_id"]))),
                    "destination": text(ctx.place(str(r["destination_node_id"]))),
                    "commodity": text(r["commodity_id"]),
                    "tonnes_a": num(da[flow_id]["tonnes_per_year"], "tonnes")
                    if flow_id in da
                    else num(None),
                    "tonnes_b": num(db[flow_id]["tonnes_per_year"], "tonnes")
                    if flow_id in db
                    else num(None),
                    "basis": text(r.get("basis", ""), cites=cites),
                },
            )
        )
    return make_table(
        "demand",
        "Demand used: freight flows in tonnes a year, after each scenario's demand changes",
        cols,
        rows,
        "Ranges of these figures are under Assumptions.",
    )


# -- transit, corridors, flows, links ----------------------------------------------------------


def _largest_change_first(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows by the size of their change in ``column``, largest first (ties kept in order)."""
    return frame.reindex(frame[column].abs().sort_values(ascending=False, kind="stable").index)


def transit_section(ctx: BriefContext) -> dict[str, Any]:
    """Transit tonnes, tonne-km and revenue by country, A versus B (countries with transit)."""
    c = ctx.comparison.countries
    shown = c[
        (c["transit_tonnes_a"].abs() > TONNES_EPS)
        | (c["transit_tonnes_b"].abs() > TONNES_EPS)
        | (c["delta_transit_revenue_usd"].abs() > TONNES_EPS)
    ]
    cols = (
        Column("country", "country"),
        Column("transit_tonnes_a", "tonnes A", True),
        Column("transit_tonnes_b", "tonnes B", True),
        Column("delta_transit_tonnes", "change", True),
        Column("transit_revenue_usd_a", "revenue A", True),
        Column("transit_revenue_usd_b", "revenue B", True),
        Column("delta_transit_revenue_usd", "change", True),
        Column("transit_tkm_a", "tonne-km A", True),
        Column("transit_tkm_b", "tonne-km B", True),
    )
    rows = []
    for r in shown.to_dict("records"):
        rows.append(
            (
                str(r["country_iso3"]),
                {
                    "country": text(r["country_iso3"]),
                    "transit_tonnes_a": num(r["transit_tonnes_a"], "tonnes"),
                    "transit_tonnes_b": num(r["transit_tonnes_b"], "tonnes"),
                    "delta_transit_tonnes": num(r["delta_transit_tonnes"], "tonnes", signed=True),
                    "transit_revenue_usd_a": num(r["transit_revenue_usd_a"], "usd"),
                    "transit_revenue_usd_b": num(r["transit_revenue_usd_b"], "usd"),
                    "delta_transit_revenue_usd": num(
                        r["delta_transit_revenue_usd"], "usd", signed=True
                    ),
                    "transit_tkm_a": num(r["transit_tkm_a"], "tkm"),
                    "transit_tkm_b": num(r["transit_tkm_b"], "tkm"),
                },
            )
        )
    table = make_table(
        "transit",
        "Transit by country, a year (cargo crossing a country with neither end there)",
        cols,
        rows,
        "Revenue is the tariffs on the country's links and the fees at the borders entering it. "
        "Countries gaining most are listed first.",
    )
    return {"table": table, "frame": shown.reset_index(drop=True)}


def corridors_section(ctx: BriefContext, *, top: int) -> dict[str, Any]:
    """Tonnes carried by each project or corridor in A and B; the largest shifts first."""
    c = ctx.comparison.corridors
    used = c[
        (c["tonnes_per_year_a"].abs() > TONNES_EPS) | (c["tonnes_per_year_b"].abs() > TONNES_EPS)
    ]
    moves = (used["delta_tonnes_per_year"].abs() > TONNES_EPS) | (
        used["delta_tkm_per_year"].abs() >= TKM_EPS
    )
    unchanged = int((~moves).sum())
    shown = _largest_change_first(used[moves], "delta_tonnes_per_year")
    projects = {p.project_id: p for p in ctx.run_a.atlas.projects}
    cols = (
        Column("project", "project or corridor"),
        Column("kind", "kind"),
        Column("tonnes_per_year_a", "tonnes A", True),
        Column("tonnes_per_year_b", "tonnes B", True),
        Column("delta_tonnes_per_year", "change", True),
        Column("delta_tkm_per_year", "change, tonne-km", True),
    )
    rows = []
    for r in shown.to_dict("records"):
        pid = str(r["project_id"])
        p = projects.get(pid)
        rows.append(
            (
                pid,
                {
                    "project": text(
                        p.name if p else pid, cites=ctx.citations.cite(p.source_ids if p else ())
                    ),
                    "kind": text(p.kind.value if p else ""),
                    "tonnes_per_year_a": num(r["tonnes_per_year_a"], "tonnes"),
                    "tonnes_per_year_b": num(r["tonnes_per_year_b"], "tonnes"),
                    "delta_tonnes_per_year": num(r["delta_tonnes_per_year"], "tonnes", signed=True),
                    "delta_tkm_per_year": num(r["delta_tkm_per_year"], "tkm", signed=True),
                },
            )
        )
    table = make_table(
        "corridors",
        "Projects and corridors: tonnes a year of the flows that use them",
        cols,
        rows,
        "A flow counts once for each project or corridor its routes use."
        + (
            f" {unchanged} more used in A or B carry the same tonnes and tonne-km in both "
            "and are left out."
            if unchanged
            else ""
        ),
    )
    moved = shown[shown["delta_tonnes_per_year"].abs() > TONNES_EPS].head(top)
    labels = [projects[p].name if p in projects else p for p in moved["project_id"]]
    return {
        "table": table,
        "chart_labels": labels,
        "chart_values": [float(v) for v in moved["delta_tonnes_per_year"]],
    }


def flows_section(ctx: BriefContext) -> dict[str, Any]:
    """Cost, time and route changes of the main flows."""
    f = ctx.comparison.flows.set_index("flow_id")
    ta, tb = _tonnes_of(ctx.run_a), _tonnes_of(ctx.run_b)
    cols = (
        Column("flow", "flow"),
        Column("tonnes_a", "tonnes A", True),
        Column("tonnes_b", "tonnes B", True),
        Column("cost_usd_per_t_a", "cost A, USD/t", True),
        Column("cost_usd_per_t_b", "cost B, USD/t", True),
        Column("delta_cost_usd_per_t", "change", True),
        Column("time_h_a", "time A, h", True),
        Column("time_h_b", "time B, h", True),
        Column("delta_time_h", "change", True),
        Column("now_bypasses", "B bypasses"),
        Column("now_crosses", "B newly crosses"),
    )
    rows = []
    labels, d_cost, d_time = [], [], []
    for flow_id in ctx.main_flows:
        if flow_id not in f.index:
            continue
        r = f.loc[flow_id]
        label = ctx.flow_label(flow_id)
        labels.append(label)
        d_cost.append(float(r["delta_cost_usd_per_t"]))
        d_time.append(float(r["delta_time_h"]))
        rows.append(
            (
                flow_id,
                {
                    "flow": text(label),
                    "tonnes_a": num(ta.get(flow_id), "tonnes"),
                    "tonnes_b": num(tb.get(flow_id), "tonnes"),
                    "cost_usd_per_t_a": num(r["cost_usd_per_t_a"], digits=2),
                    "cost_usd_per_t_b": num(r["cost_usd_per_t_b"], digits=2),
                    "delta_cost_usd_per_t": num(
                        r["delta_cost_usd_per_t"], digits=2, signed=True, lower_is_better=True
                    ),
                    "time_h_a": num(r["time_h_a"]),
                    "time_h_b": num(r["time_h_b"]),
                    "delta_time_h": num(r["delta_time_h"], signed=True, lower_is_better=True),
                    "now_bypasses": text(str(r["now_bypasses"]).replace(";", ", ")),
                    "now_crosses": text(str(r["now_crosses"]).replace(";", ", ")),
                },
            )
        )
    table = make_table(
        "flows",
        "Main flows: mean generalised cost and time over their routes, weighted by tonnes",
        cols,
        rows,
        "Cost is money plus value of time plus risk, USD per tonne, under the settled loads; "
        "a dash means the flow has no route in that scenario.",
    )
    return {"table": table, "labels": labels, "delta_cost": d_cost, "delta_time": d_time}


def links_table(ctx: BriefContext, segments: pd.DataFrame, *, top: int) -> Table:
    """The links whose tonnes change most between A and B (the numbers behind the map)."""
    moved = segments[segments["delta_tonnes"].abs() > TONNES_EPS]
    moved = _largest_change_first(moved, "delta_tonnes").head(top)
    links = ctx.run_a.atlas.links_frame.set_index("link_id")
    cols = (
        Column("link", "link"),
        Column("between", "between"),
        Column("mode", "mode"),
        Column("tonnes_a", "tonnes A", True),
        Column("tonnes_b", "tonnes B", True),
        Column("delta_tonnes", "change", True),
    )
    rows = []
    for r in moved.to_dict("records"):
        lid = str(r["link_id"])
        link = links.loc[lid]
        rows.append(
            (
                lid,
                {
                    "link": text(lid),
                    "between": text(
                        f"{ctx.place(str(link['from_node_id']))} – "
                        f"{ctx.place(str(link['to_node_id']))}"
                    ),
                    "mode": text(link["mode"]),
                    "tonnes_a": num(r["tonnes_a"], "tonnes"),
                    "tonnes_b": num(r["tonnes_b"], "tonnes"),
                    "delta_tonnes": num(r["delta_tonnes"], "tonnes", signed=True),
                },
            )
        )
    return make_table(
        "links",
        f"Links whose tonnes a year change most (top {top})",
        cols,
        rows,
        "Both directions together.",
    )


def key_points(ctx: BriefContext, transit: pd.DataFrame, corridors: dict[str, Any]) -> list[str]:
    """A few plain sentences on the largest changes, for the top of the brief."""
    out: list[str] = []
    if not transit.empty:
        gain = transit.sort_values("delta_transit_tonnes", ascending=False).iloc[0]
        loss = transit.sort_values("delta_transit_tonnes").iloc[0]
        from caravan.briefs.summary import explain_transit  # summary imports this module

        if float(gain["delta_transit_tonnes"]) > TONNES_EPS:
            out.append(explain_transit(str(gain["country_iso3"]), gain.to_dict()))
        if float(loss["delta_transit_tonnes"]) < -TONNES_EPS:
            out.append(explain_transit(str(loss["country_iso3"]), loss.to_dict()))
    if corridors["chart_labels"]:
        v = corridors["chart_values"][0]
        out.append(
            f"Largest corridor shift: {corridors['chart_labels'][0]}, "
            f"{'+' if v > 0 else ''}{fmt_tonnes(v)} a year."
        )
    f = ctx.comparison.flows
    main = f[f["flow_id"].isin(ctx.main_flows)]
    d = main["delta_cost_usd_per_t"].astype(float)
    cheaper = int((d < -0.005).sum())
    dearer = int((d > 0.005).sum())
    if len(main):
        out.append(
            f"Of the {len(main)} main flows, {cheaper} are cheaper and {dearer} dearer in B."
        )
    for role, run in (("A", ctx.run_a), ("B", ctx.run_b)):
        unserved = float(run.summary.get("unserved_tonnes_per_year", 0.0) or 0.0)
        if unserved > TONNES_EPS and not math.isnan(unserved):
            n = len(run.summary.get("unserved_flows", []))
            out.append(f"In {role}, {n} flow(s), {fmt_tonnes(unserved)} a year, find no route.")
    if not out:
        out.append("No transit, corridor or flow changes between the two scenarios.")
    return out
