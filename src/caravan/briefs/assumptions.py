"""The assumptions section of a brief: settings, ranges, disputes, risk and rules behind it."""

from __future__ import annotations

import dataclasses
from typing import Any

from caravan.briefs.sections import BriefContext
from caravan.briefs.tables import Cell, Column, Table, _finite, make_table, num, split_ids, text
from caravan.results import sue

__all__ = ["assumptions_section"]


def _settings_table(ctx: BriefContext) -> Table:

    cols = (Column("setting", "setting"), Column("a", "A", True), Column("b", "B", True))
    sa, sb = ctx.run_a.scenario.assignment, ctx.run_b.scenario.assignment
    rows: list[tuple[str, dict[str, Cell]]] = [
        ("method", {"setting": text("route choice"), "a": text(sa.method), "b": text(sb.method)}),
    ]
    numeric = (
        ("k_routes", "routes per flow, at most", sa.k_routes, sb.k_routes, 0),
        (
            "logit_scale_per_usd",
            "logit scale, per USD/t",
            sa.logit_scale_per_usd,
            sb.logit_scale_per_usd,
            3,
        ),
        ("max_iter", "iterations, at most", sa.max_iter, sb.max_iter, 0),
        ("gap", "convergence tolerance", sa.gap, sb.gap, 4),
        ("seed", "seed", sa.seed, sb.seed, 0),
        ("bpr_alpha", "capacity delay: BPR alpha", sue.BPR_ALPHA, sue.BPR_ALPHA, 2),
        ("bpr_beta", "capacity delay: BPR beta", sue.BPR_BETA, sue.BPR_BETA, 1),
        (
            "min_border_delay_h",
            "border delay scale when dwell is 0, h",
            sue.MIN_BORDER_DELAY_H,
            sue.MIN_BORDER_DELAY_H,
            1,
        ),
        (
            "iterations",
            "iterations run",
            ctx.run_a.summary.get("iterations"),
            ctx.run_b.summary.get("iterations"),
            0,
        ),
    )
    for key, label, va, vb, digits in numeric:
        rows.append(
            (
                key,
                {"setting": text(label), "a": num(va, digits=digits), "b": num(vb, digits=digits)},
            )
        )
    return make_table(
        "settings",
        "How freight was assigned",
        cols,
        rows,
        "Path-size logit route choice over up to k routes a flow; link and border times rise "
        "with volume over capacity (BPR function, Bureau of Public Roads 1964).",
    )


def _demand_ranges(ctx: BriefContext) -> Table:
    cols = (
        Column("flow", "flow"),
        Column("tonnes_per_year", "chosen", True),
        Column("tonnes_per_year_low", "low", True),
        Column("tonnes_per_year_high", "high", True),
    )
    rows = []
    figures_a: dict[str, tuple[Any, ...]] = {}
    for role, run in (("A", ctx.run_a), ("B", ctx.run_b)):
        for r in run.atlas.demand_frame.to_dict("records"):
            fid = str(r["flow_id"])
            lo, hi = r.get("tonnes_per_year_low"), r.get("tonnes_per_year_high")
            if _finite(lo) is None and _finite(hi) is None:
                continue
            figures = (_finite(r["tonnes_per_year"]), _finite(lo), _finite(hi))
            if role == "A":
                figures_a[fid] = figures
            elif figures_a.get(fid) == figures:
                continue  # B uses the same figures as A
            key = fid if role == "A" else f"{fid}@B"
            label = ctx.flow_label(fid) + ("" if role == "A" else " (in B)")
            rows.append(
                (
                    key,
                    {
                        "flow": text(label),
                        "tonnes_per_year": num(r["tonnes_per_year"], "tonnes"),
                        "tonnes_per_year_low": num(lo, "tonnes"),
                        "tonnes_per_year_high": dataclasses.replace(
                            num(hi, "tonnes"),
                            cites=ctx.citations.cite(split_ids(r["source_ids"])),
                        ),
                    },
                )
            )
    return make_table(
        "demand-ranges",
        "Demand figures stored as ranges",
        cols,
        rows,
        "A row marked (in B) gives the figures after scenario B's demand changes. The basis of "
        "each figure is in the demand table (Demand used), not repeated here.",
    )


def _shown_links(ctx: BriefContext) -> list[str]:
    ids: list[str] = []
    for run in (ctx.run_a, ctx.run_b):
        routes = run.routes[run.routes["flow_id"].isin(ctx.main_flows)]
        for value in routes["link_ids"]:
            ids += split_ids(value)
    return list(dict.fromkeys(ids))


def _link_ranges(ctx: BriefContext, link_ids: list[str]) -> Table:
    la = ctx.run_a.atlas.links_frame.set_index("link_id")
    lb = ctx.run_b.atlas.links_frame.set_index("link_id")
    fields = [c[: -len("_low")] for c in la.columns if c.endswith("_low")]
    cols = (
        Column("link", "link"),
        Column("field", "figure"),
        Column("value_a", "A", True),
        Column("value_b", "B", True),
        Column("low", "low", True),
        Column("high", "high", True),
        Column("basis", "sources"),
    )
    rows = []
    for lid in link_ids:
        if lid not in la.index:
            continue
        for f in fields:
            lo, hi = la.at[lid, f"{f}_low"], la.at[lid, f"{f}_high"]
            if _finite(lo) is None and _finite(hi) is None:
                continue
            vb = lb.at[lid, f] if lid in lb.index else None
            rows.append(
                (
                    f"{lid}:{f}",
                    {
                        "link": text(lid),
                        "field": text(f),
                        "value_a": num(la.at[lid, f], digits=3),
                        "value_b": num(vb, digits=3),
                        "low": num(lo, digits=3),
                        "high": num(hi, digits=3),
                        "basis": text(
                            str(la.at[lid, "length_basis"]) if f == "length_km" else "",
                            cites=ctx.citations.cite(split_ids(la.at[lid, "source_ids"])),
                        ),
                    },
                )
            )
    return make_table(
        "link-ranges",
        "Disputed link figures on the main flows' routes (chosen value and range)",
        cols,
        rows,
    )


def _relevant_projects(ctx: BriefContext, link_ids: list[str]) -> list[Any]:
    wanted: set[str] = set()
    for run in (ctx.run_a, ctx.run_b):
        s = run.scenario
        wanted |= set(s.open_projects) | set(s.close_projects)
        cf = run.corridor_flows
        wanted |= set(cf.loc[cf["tonnes_per_year"] > 0, "project_id"].astype(str))
    links = ctx.run_a.atlas.links_frame.set_index("link_id")
    for lid in link_ids:
        if lid in links.index:
            wanted |= set(split_ids(links.at[lid, "project_ids"]))
    return [p for p in ctx.run_a.atlas.projects if p.project_id in wanted]


def _range_cells(r: Any, digits: int) -> tuple[Cell, Cell, Cell]:
    if r is None:
        return num(None), num(None), num(None)
    return num(r.value, digits=digits), num(r.low, digits=digits), num(r.high, digits=digits)


def _projects_tables(ctx: BriefContext, projects: list[Any]) -> tuple[Table, Table]:
    opened_a = set(ctx.run_a.scenario.open_projects)
    opened_b = set(ctx.run_b.scenario.open_projects)
    cols = (
        Column("project", "project or corridor"),
        Column("status", "status"),
        Column("expected_open_year", "expected", True),
        Column("opened", "opened in"),
        Column("investment_musd", "investment, USD m", True),
        Column("investment_musd_low", "low", True),
        Column("investment_musd_high", "high", True),
        Column("capacity_mtpa", "capacity, Mt/yr", True),
        Column("capacity_mtpa_low", "low", True),
        Column("capacity_mtpa_high", "high", True),
    )
    rows = []
    drows = []
    for p in projects:
        inv = _range_cells(p.investment_musd, 0)
        cap = _range_cells(p.capacity_mtpa, 1)
        opened = [role for role, s in (("A", opened_a), ("B", opened_b)) if p.project_id in s]
        rows.append(
            (
                p.project_id,
                {
                    "project": text(p.name, cites=ctx.citations.cite(p.source_ids)),
                    "status": text(p.status.value.replace("_", " ")),
                    "expected_open_year": num(p.expected_open_year or p.open_year, "year"),
                    "opened": text(", ".join(opened) or "–"),
                    "investment_musd": inv[0],
                    "investment_musd_low": inv[1],
                    "investment_musd_high": inv[2],
                    "capacity_mtpa": cap[0],
                    "capacity_mtpa_low": cap[1],
                    "capacity_mtpa_high": cap[2],
                },
            )
        )
        for i, d in enumerate(p.disputes):
            drows.append(
                (
                    f"{p.project_id}:{i}",
                    {
                        "project": text(p.name),
                        "field": text(d.field),
                        "claim": text(d.claim),
                        "finding": text(d.finding, cites=ctx.citations.cite(d.source_ids)),
                    },
                )
            )
    table = make_table(
        "projects",
        "Projects and corridors the comparison turns on (opened, closed, used)",
        cols,
        rows,
    )
    dcols = (
        Column("project", "project"),
        Column("field", "figure"),
        Column("claim", "claim"),
        Column("finding", "what the atlas follows"),
    )
    return table, make_table("disputes", "Where sources disagree", dcols, drows)


def _zones_table(ctx: BriefContext) -> Table:
    za = {z.zone_id: z for z in ctx.run_a.atlas.zones}
    zb = {z.zone_id: z for z in ctx.run_b.atlas.zones}
    cols = (
        Column("zone", "risk zone"),
        Column("country", "country"),
        Column("risk_a", "risk A", True),
        Column("risk_b", "risk B", True),
        Column("risk_low", "low", True),
        Column("risk_high", "high", True),
        Column("closed", "closed in"),
        Column("basis", "basis"),
    )
    rows = []
    for zid in dict.fromkeys([*za, *zb]):
        z = za.get(zid) or zb[zid]
        closed = [
            role
            for role, run in (("A", ctx.run_a), ("B", ctx.run_b))
            if zid in run.scenario.close_zones
        ]
        rows.append(
            (
                zid,
                {
                    "zone": text(z.name),
                    "country": text(z.country_iso3 + (f" ({z.admin1})" if z.admin1 else "")),
                    "risk_a": num(za[zid].risk if zid in za else None, digits=2),
                    "risk_b": num(zb[zid].risk if zid in zb else None, digits=2),
                    "risk_low": num(z.risk_low, digits=2),
                    "risk_high": num(z.risk_high, digits=2),
                    "closed": text(", ".join(closed) or "–"),
                    "basis": _zone_basis(ctx, za.get(zid), zb.get(zid)),
                },
            )
        )
    return make_table(
        "zones",
        "Risk zones (0 = safe, 1 = impassable)",
        cols,
        rows,
        "Risk adds to the cost of a tonne crossing the zone: risk times the cargo's value "
        "times its risk aversion.",
    )


def _zone_basis(ctx: BriefContext, za: Any, zb: Any) -> Cell:
    first = za or zb
    basis = first.basis
    ids = list(first.source_ids)
    if za is not None and zb is not None and (zb.basis, zb.source_ids) != (za.basis, za.source_ids):
        basis = f"{za.basis or '–'}; in B: {zb.basis or '–'}"
        ids += zb.source_ids
    return text(basis, cites=ctx.citations.cite(ids))


def _commodities_table(ctx: BriefContext) -> Table:
    used = set(ctx.run_a.flows["commodity_id"]) | set(ctx.run_b.flows["commodity_id"])
    cols = (
        Column("commodity", "cargo"),
        Column("value_usd_per_t", "value, USD/t", True),
        Column("value_of_time_usd_per_t_h", "value of time, USD/t/h", True),
        Column("risk_aversion", "risk aversion", True),
        Column("basis", "basis"),
    )
    rows = [
        (
            c.commodity_id,
            {
                "commodity": text(c.name),
                "value_usd_per_t": num(c.value_usd_per_t, digits=0),
                "value_of_time_usd_per_t_h": num(c.value_of_time_usd_per_t_h, digits=3),
                "risk_aversion": num(c.risk_aversion, digits=2),
                "basis": text(c.basis, cites=ctx.citations.cite(c.source_ids)),
            },
        )
        for c in ctx.run_a.atlas.commodities
        if c.commodity_id in used
    ]
    return make_table("commodities", "Cargo classes: what a tonne is worth", cols, rows)


def _restrictions_table(ctx: BriefContext) -> Table:
    ya, yb = ctx.run_a.scenario.year, ctx.run_b.scenario.year
    cols = (
        Column("rule", "rule"),
        Column("effect", "effect"),
        Column("in_force", "in force in"),
        Column("surcharge_usd_per_t", "surcharge, USD/t", True),
    )
    rows = []
    for r in ctx.run_a.atlas.restrictions:
        roles = [role for role, y in (("A", ya), ("B", yb)) if r.in_force(y)]
        if not roles:
            continue
        rows.append(
            (
                r.restriction_id,
                {
                    "rule": text(r.name, cites=ctx.citations.cite(r.source_ids)),
                    "effect": text(r.effect.value),
                    "in_force": text(", ".join(roles)),
                    "surcharge_usd_per_t": num(r.surcharge_usd_per_t, digits=2),
                },
            )
        )
    return make_table("restrictions", "Policy rules on cargo in force", cols, rows)


def _fit_table(ctx: BriefContext) -> Table:
    """How well the base year reproduces the observed volumes (from the atlas's calibration)."""
    cols = (
        Column("measure", "base-year fit"),
        Column("before", "trade-based prior", True),
        Column("after", "calibrated", True),
    )
    cal = ctx.run_a.atlas.meta.get("calibration") or {}
    before, after = cal.get("fit_before") or {}, cal.get("fit_after") or {}

    def pct(value: Any) -> Cell:
        return text("n/a" if value is None else f"{100 * float(value):.0f}%")

    rows: list[tuple[str, dict[str, Cell]]] = []
    if not cal:
        rows.append(
            (
                "none",
                {
                    "measure": text("no calibration: demand is the trade-based prior, unchecked"),
                    "before": text(""),
                    "after": text(""),
                },
            )
        )
        return make_table("fit", "Base-year fit against observed volumes", cols, rows)
    measures = (
        ("in_sample", "counts used, within ±25% (target 85%)", "in_sample_within_25pct"),
        ("holdout", "held-out counts, within ±40% (target 70%)", "holdout_within_40pct"),
    )
    for key, label, field_name in measures:
        rows.append(
            (
                key,
                {
                    "measure": text(label),
                    "before": pct(before.get(field_name)),
                    "after": pct(after.get(field_name)),
                },
            )
        )
    n_in, n_out = after.get("in_sample_counts"), after.get("holdout_counts")
    rows.append(
        (
            "sizes",
            {
                "measure": text(
                    f"{n_in} counts used, {n_out} held out; logit scale "
                    f"{cal.get('logit_scale_per_usd')} per USD/t; "
                    f"{len(cal.get('constants') or [])} route-choice constants "
                    f"(caravan validate counts; docs/validation.md)"
                ),
                "before": text(""),
                "after": text(""),
            },
        )
    )
    return make_table("fit", "Base-year fit against observed volumes", cols, rows)


def assumptions_section(ctx: BriefContext) -> dict[str, Any]:
    """Settings, ranges, disputes, risk zones, cargo values and rules that drive the result."""
    link_ids = _shown_links(ctx)
    projects, disputes = _projects_tables(ctx, _relevant_projects(ctx, link_ids))
    unserved = []
    for role, run in (("A", ctx.run_a), ("B", ctx.run_b)):
        for item in run.summary.get("unserved_flows", []):
            unserved.append(f"{role}: {item['flow_id']}: {item['reason']}")
    return {
        "tables": [
            _fit_table(ctx),
            _settings_table(ctx),
            _demand_ranges(ctx),
            _commodities_table(ctx),
            projects,
            disputes,
            _link_ranges(ctx, link_ids),
            _zones_table(ctx),
            _restrictions_table(ctx),
        ],
        "unserved": unserved,
    }
