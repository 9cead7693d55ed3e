"""Write docs/scenarios.md: every shipped scenario against baseline-2025, from the model.

    .venv/bin/python tools/scenarios_doc.py [OUT] [--draws N]

Each comparison offers every flow the same routes in both scenarios (``Pipeline.compare``);
the Kabul Corridor section adds an ensemble (``--draws``, default 200, seed 1) and the cargo the
corridor takes from the sea and from Iran, flow by flow.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from caravan.io.atlas import load_atlas
from caravan.io.scenario import list_scenarios
from caravan.model.atlas import Atlas
from caravan.pipeline import Pipeline
from caravan.results.compare import Comparison
from caravan.results.diversion import (
    RouteKind,
    diversion_by_origin,
    diversion_table,
    route_kinds,
)
from caravan.results.project_routes import project_alternatives
from caravan.results.routes import Route
from caravan.results.run_tables import CORRIDOR_MIN_LENGTH_SHARE
from caravan.results.sue import CONSTANT_FLOOR_SHARE

ROOT = Path(__file__).resolve().parents[1]
BASE = "baseline-2025"
FOCUS = "kabul-corridor"
#: Changes smaller than this (tonnes a year) are left out of the tables.
SHOWN_T = 10_000.0


def _mt(t: float) -> str:
    return f"{t / 1e6:,.2f}"


def _dmt(t: float) -> str:
    return f"{t / 1e6:+,.2f}"


def _moves(frame: Any) -> str:
    """The countries of a comparison's rows with their change of transit tonnes."""
    return ", ".join(
        f"{r['country_iso3']} {_dmt(r['delta_transit_tonnes'])}" for r in frame.to_dict("records")
    )


def cite(atlas: Atlas, source_id: str) -> str:
    """A source by author and title (articles), else by title and publisher."""
    by_id = {s.source_id: s for s in atlas.sources}
    s = by_id.get(source_id)
    if s is None:
        return source_id
    year = (s.date or "")[:4]
    if s.author:
        surname = s.author.split()[-1]
        return f"{surname} {year}, *{s.title}*".strip()
    where = f" ({s.publisher}{', ' + year if year else ''})" if s.publisher else ""
    link = f" <{s.url}>" if s.url else ""
    return f"*{s.title}*{where}{link}"


def changes_of(scenario: Any, base: Any | None) -> list[str]:
    """What a scenario changes against its base scenario, one line each, from its fields."""

    def own(field: str) -> tuple[Any, ...]:
        mine = tuple(getattr(scenario, field))
        if base is None:
            return mine
        theirs = tuple(getattr(base, field))
        return tuple(x for x in mine if x not in theirs)

    out = []
    named = [
        ("opens projects", "open_projects"),
        ("opens links", "open_links"),
        ("closes links", "close_links"),
        ("closes border crossings", "close_borders"),
        ("closes places", "close_nodes"),
        ("closes countries", "close_countries"),
        ("closes zones", "close_zones"),
        ("closes projects", "close_projects"),
    ]
    for what, field in named:
        ids = own(field)
        if ids:
            out.append(f"{what}: {', '.join(map(str, ids))}")
    for what, field in (
        ("changes", "changes"),
        ("scales demand", "demand_scale"),
        ("adds demand", "demand_add"),
        ("sets risk", "risk"),
    ):
        for item in own(field):
            out.append(f"{what} {_plain(item)}")
    if base is None or scenario.year != base.year:
        out.append(f"runs in {scenario.year}")
    return out or ["nothing but its settings"]


def _plain(item: Any) -> str:
    """A scenario change as ``key=value`` pairs (empty fields left out)."""
    import dataclasses

    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        parts = [
            f"{k}={v}"
            for k, v in dataclasses.asdict(item).items()
            if v not in (None, "", (), [], {})
        ]
        return "(" + ", ".join(parts) + ")"
    return str(item)


def transit_table(cmp: Comparison) -> list[str]:
    c = cmp.countries
    c = c[c["delta_transit_tonnes"].abs() >= SHOWN_T]
    if c.empty:
        return [f"No country's transit changes by {SHOWN_T / 1e3:g} kt or more.", ""]
    lines = ["| country | transit A (Mt) | transit B (Mt) | change (Mt) | revenue change (US$ m) |"]
    lines.append("|---|---:|---:|---:|---:|")
    for r in c.to_dict("records"):
        lines.append(
            f"| {r['country_iso3']} | {_mt(r['transit_tonnes_a'])} | {_mt(r['transit_tonnes_b'])} "
            f"| {_dmt(r['delta_transit_tonnes'])} | {r['delta_transit_revenue_usd'] / 1e6:+,.1f} |"
        )
    return [*lines, ""]


def corridor_table(cmp: Comparison, *, top: int = 10) -> list[str]:
    c = cmp.corridors
    moved = (c["delta_tonnes_per_year"].abs() >= SHOWN_T) | (
        c["delta_max_link_tonnes"].abs() >= SHOWN_T
    )
    c = c[moved]
    if c.empty:
        return ["No corridor or project changes by 10 kt or more on its own links.", ""]
    c = c.reindex(
        (c["delta_tonnes_per_year"].abs() + c["delta_max_link_tonnes"].abs())
        .sort_values(ascending=False)
        .index
    ).head(top)
    lines = [
        "| corridor or project | through A → B (Mt) | busiest link A → B (Mt) "
        "| mean load A → B (Mt) | tonne-km change (bn) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in c.to_dict("records"):
        lines.append(
            f"| {r['project_id']} | {_mt(r['tonnes_per_year_a'])} → {_mt(r['tonnes_per_year_b'])} "
            f"| {_mt(r['max_link_tonnes_a'])} → {_mt(r['max_link_tonnes_b'])} "
            f"| {_mt(r['mean_load_tonnes_a'])} → {_mt(r['mean_load_tonnes_b'])} "
            f"| {r['delta_tkm_per_year'] / 1e9:+,.2f} |"
        )
    return [*lines, ""]


def flows_line(cmp: Comparison) -> str:
    f = cmp.flows
    dearer = int((f["delta_expected_cost_usd_per_t"] > 0.01).sum())
    cheaper = int((f["delta_expected_cost_usd_per_t"] < -0.01).sum())
    moved = int((f["now_bypasses"] != "").sum() + (f["now_crosses"] != "").sum())
    worst = f.sort_values("delta_expected_cost_usd_per_t").head(1).to_dict("records")
    best = ""
    if worst and worst[0]["delta_expected_cost_usd_per_t"] < -0.01:
        w = worst[0]
        best = (
            f" Largest saving: {w['flow_id']} {w['delta_expected_cost_usd_per_t']:+,.1f} US$/t"
            f" ({w['main_route_a'].replace(';', '-')} → {w['main_route_b'].replace(';', '-')})."
        )
    return (
        f"Flows: {cheaper} cheaper and {dearer} dearer by more than 1 US¢/t (expected cost over "
        f"the flow's routes); {moved} change the countries of their main route.{best}"
    )


def _flow_rows(table: pd.DataFrame, *, top: int) -> list[str]:
    lines = [
        "| flow | from → to | commodity | on the corridor (Mt) | from Iran (Mt) "
        "| from the sea (Mt) | from other overland (Mt) | new cargo (Mt) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in table.head(top).to_dict("records"):
        lines.append(
            f"| {r['flow_id']} | {r['origin_iso3']} → {r['destination_iso3']} "
            f"| {r['commodity_id']} | {_mt(r['project_tonnes_b'])} | {_dmt(r['from_iran_tonnes'])} "
            f"| {_dmt(r['from_sea_tonnes'])} | {_dmt(r['from_overland_tonnes'])} "
            f"| {_dmt(r['new_tonnes'])} |"
        )
    return lines


def diversion(cmp: Comparison, project_id: str) -> list[str]:
    """Tonnes the project carries in B, by flow and origin country, and where they came from."""
    table = diversion_table(cmp, [project_id], min_tonnes=1.0)
    shown = table[table["project_tonnes_b"].abs() + table["onto_project_tonnes"].abs() >= 1_000.0]
    if shown.empty or shown["project_tonnes_b"].sum() < SHOWN_T:
        return [f"No flow moves onto {project_id} (under {SHOWN_T / 1e3:g} kt).", ""]
    total = {c: float(table[c].sum()) for c in table.columns if c.endswith("_tonnes")}
    head = [
        f"The corridor's own links carry {_mt(float(table['project_tonnes_b'].sum()))} Mt a year "
        f"of {len(shown)} flows in `{cmp.b.name}`. Of it, {_mt(total['from_iran_tonnes'])} Mt "
        f"left routes through Iran, {_mt(total['from_sea_tonnes'])} Mt left routes by sea, "
        f"{_mt(total['from_overland_tonnes'])} Mt left other overland routes (the Afghan roads "
        f"and the Termez-Hairatan railway) and {_mt(total['new_tonnes'])} Mt is new cargo "
        "(elastic demand). Each flow's routes are of one kind, tested in this order: on the "
        "corridor; through Iran (a land or ferry leg with an end in Iran, sea legs or not); by "
        "sea (a deep-sea leg, e.g. Novorossiysk-Karachi); other overland "
        "(`caravan.results.diversion`). Per flow, on the corridor = from Iran + from the sea + "
        "from other overland + new cargo (B − A).",
        "",
        *_flow_rows(shown, top=15),
        "",
        "By origin country:",
        "",
        "| origin | on the corridor (Mt) | from Iran (Mt) | from the sea (Mt) | from other "
        "overland (Mt) | new cargo (Mt) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in diversion_by_origin(shown).to_dict("records"):
        head.append(
            f"| {r['origin_iso3']} | {_mt(r['project_tonnes_b'])} | {_dmt(r['from_iran_tonnes'])} "
            f"| {_dmt(r['from_sea_tonnes'])} | {_dmt(r['from_overland_tonnes'])} "
            f"| {_dmt(r['new_tonnes'])} |"
        )
    return [*head, ""]


#: Central Asia and Afghanistan: the flows whose sea and Iranian cargo the corridor could take.
CENTRAL_ASIA = frozenset({"UZB", "KAZ", "TJK", "KGZ", "TKM", "AFG"})
#: The markets Karachi faces (Pakistan itself, the Gulf, South Asia, East Asia by sea): the
#: other end of the flows the table of why_so_little reads.
KARACHI_MARKETS = frozenset({"PAK", "ARE", "OMN", "SAU", "IND", "BGD", "LKA", "CHN"})


def _choice_constant(route: Route, constants: list[tuple[set[str], float, set[str]]],
                     ends: set[str]) -> float:  # fmt: skip
    """The calibrated route-choice constant a route pays, as caravan.results.sue adds it."""
    total = sum(
        usd for links, usd, exempt in constants if links & set(route.link_ids) and not exempt & ends
    )
    return max(total, -CONSTANT_FLOOR_SHARE * route.money_usd_per_t)


def why_so_little(pipeline: Pipeline, cmp: Comparison, *, top: int = 14) -> list[str]:
    """For the largest flows between Central Asia or Afghanistan and the markets Karachi faces
    that went through Iran or by sea in A: the generalised cost of their best route in B
    against their cheapest route over the corridor, and the calibrated choice constants each
    pays."""
    routed = pipeline.routed(FOCUS)
    world = routed.world
    kinds = route_kinds(world, [FOCUS])
    node_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    calibration = world.meta.get("calibration") or {}
    constants = [
        (set(c["link_ids"]), float(c["usd_per_t"]), set(c.get("exempt_countries") or ()))
        for c in calibration.get("constants") or ()
    ]
    flows = {f["flow_id"]: f for f in routed.flow_rows}
    own: dict[str, list[Route]] = {}
    for row in routed.route_rows:
        own.setdefault(row["flow_id"], []).append(row["route"])

    def on_corridor(link_ids: object) -> bool:
        return bool(kinds.project_link_ids & set(str(link_ids).split(";")))

    on_b = cmp.b.routes[cmp.b.routes["link_ids"].map(on_corridor)]
    corridor_t = on_b.groupby("flow_id")["tonnes_per_year"].sum()
    picked = []
    for r in cmp.a.routes.to_dict("records"):
        f = flows.get(r["flow_id"])
        if f is None:
            continue
        pair = (node_country[f["origin_node_id"]], node_country[f["destination_node_id"]])
        if not (CENTRAL_ASIA & set(pair) and KARACHI_MARKETS & set(pair)):
            continue
        kind = kinds.of(str(r["link_ids"]).split(";"), end_countries=pair)
        if kind in (RouteKind.IRAN, RouteKind.SEA):
            picked.append((r["flow_id"], kind, float(r["tonnes_per_year"])))
    if not picked:
        return []
    table = pd.DataFrame(picked, columns=["flow_id", "kind", "t"])
    by_flow = table.groupby("flow_id")["t"].sum().sort_values(ascending=False).head(top)
    lines = [
        "Why so little comes from Iran and the sea: the largest flows between Central Asia or "
        "Afghanistan and the markets Karachi faces (Pakistan, the Gulf, South Asia, China) "
        "that went through Iran or by sea in the baseline, with the generalised "
        "cost (US$/t: money, time at the commodity's value of time, risk) of their best route "
        "in `kabul-corridor` and of their cheapest route over the corridor, and the calibrated "
        "route-choice constant each pays (calibration.yaml: added to the route's cost in "
        "route choice, at a logit scale of "
        f"{calibration.get('logit_scale_per_usd', '?')} per US$). *none*: no route over the "
        "corridor that passes no place twice (to India: Pakistan bars trade with India, "
        "including third-country transit, since 24 April 2025, restrictions.yaml).",
        "",
        "| flow | from → to | commodity | via Iran or sea in A (Mt) | best route in B "
        "| its cost | + constant | over the corridor: cost | + constant | on it in B (Mt) |",
        "|---|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for flow_id, tonnes in by_flow.items():
        f = flows[str(flow_id)]
        o, d = str(f["origin_node_id"]), str(f["destination_node_id"])
        ends = {node_country[o], node_country[d]}
        routes = own.get(str(flow_id), [])
        if not routes:
            continue
        best = min(routes, key=lambda r: r.cost_usd_per_t)
        over = [r for r in routes if kinds.project_link_ids & set(r.link_ids)]
        if not over:
            over = project_alternatives(
                routed.networks[str(f["commodity_id"])], o, d, [FOCUS], routes,
                max_cost_ratio=float("inf"),
            )  # fmt: skip
        if over:
            c = min(over, key=lambda r: r.cost_usd_per_t)
            corridor = f"{c.cost_usd_per_t:,.0f} | {_choice_constant(c, constants, ends):+,.0f}"
        else:
            corridor = "none | –"
        lines.append(
            f"| {flow_id} | {node_country[o]} → {node_country[d]} | {f['commodity_id']} "
            f"| {_mt(tonnes)} | {'-'.join(best.countries)} | {best.cost_usd_per_t:,.0f} "
            f"| {_choice_constant(best, constants, ends):+,.0f} | {corridor} "
            f"| {_mt(float(corridor_t.get(flow_id, 0.0)))} |"
        )
    return [*lines, ""]


def ensemble_section(pipeline: Pipeline, draws: int) -> list[str]:
    started = time.perf_counter()
    spec = pipeline.ensemble_spec(FOCUS, draws=draws, seed=1)
    result = pipeline.ensemble(FOCUS, reference=BASE, spec=spec, executor="in-process")
    seconds = time.perf_counter() - started
    c = result.countries
    c = c[c["delta_transit_tonnes_mean"].abs() >= 1_000.0]
    completion = result.meta.get("project_completion", {})
    lines = [
        f"`caravan ensemble {FOCUS} --vs {BASE} --draws {draws} --seed 1` ({draws} draws, "
        f"{result.meta.get('succeeded')} succeeded; {seconds:.0f} s here). Each draw takes link "
        "lengths, tariffs and capacities and the demand from their ranges, and whether the "
        f"corridor is complete by {pipeline.scenario(FOCUS).year} "
        f"(probability {completion}; the reference rule by project status in `sources.yaml`, "
        "est-completion). Route sets are fixed per completion pattern and shared with the baseline "
        "(one choice set per flow, as in the comparison), so a route that only pays "
        "under a drawn input is not found.",
        "",
        "| country | mean change (Mt) | 5 % | 50 % | 95 % | P(gain) | P(loss) | drivers |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in c.to_dict("records"):
        lines.append(
            f"| {r['country_iso3']} | {_dmt(r['delta_transit_tonnes_mean'])} "
            f"| {_dmt(r['delta_transit_tonnes_p5'])} | {_dmt(r['delta_transit_tonnes_p50'])} "
            f"| {_dmt(r['delta_transit_tonnes_p95'])} | {r['p_gain']:.2f} | {r['p_loss']:.2f} "
            f"| {r.get('drivers') or ''} |"
        )
    if c.empty:
        lines.append("| (no country's mean transit changes by 1 kt) | | | | | | | |")
    return [*lines, "", *diversion_uncertainty(result, year=pipeline.scenario(FOCUS).year)]


DIVERSION_LABELS = {
    "project_tonnes": "on the corridor",
    "onto_project_tonnes": "onto the corridor (B − A)",
    "from_iran_tonnes": "from routes through Iran",
    "from_sea_tonnes": "from routes by sea",
    "from_overland_tonnes": "from other overland routes",
    "new_tonnes": "new cargo",
}


def diversion_uncertainty(result: Any, *, year: int) -> list[str]:
    """The ensemble's percentiles of the corridor's cargo and where it came from, over every
    draw and over the draws in which the corridor is complete."""
    s = result.diversion_summary()
    if s.empty or int(s["n_draws"].max()) == 0:
        return ["The ensemble traced no cargo onto the corridor.", ""]
    n, k = int(s["n_draws"].iloc[0]), int(s["n_complete"].iloc[0])
    lines = [
        f"Where the corridor's cargo came from, draw by draw (Mt a year; flows that use the "
        f"corridor, B − A, as in the table above). *All draws*: the {n} draws, in "
        f"{n - k} of which the corridor is not complete by "
        f"{year} and moves nothing. *Complete*: the {k} draws in "
        "which it is.",
        "",
        "| cargo | all: mean | 5 % | 50 % | 95 % | complete: mean | 5 % | 50 % | 95 % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in s.to_dict("records"):
        cells = [
            _mt(r[f"{part}_{q}"]) if r["measure"] == "project_tonnes" else _dmt(r[f"{part}_{q}"])
            for part in ("all", "complete")
            for q in ("mean", "p5", "p50", "p95")
        ]
        lines.append(f"| {DIVERSION_LABELS[r['measure']]} | " + " | ".join(cells) + " |")
    return [
        *lines,
        "",
        "The ensemble settles each draw's year as one season and the comparison above splits "
        "it into seasons, so their central figures differ somewhat. *New cargo* falls below "
        "zero in some draws: there the drawn Afghan-Pakistani demand (cement, coal) fills "
        "the Torkham and Chaman queues in the baseline (queue prices of 80-110 US$/t), and "
        "the elastic-demand loop (`caravan.results.elastic`: two undamped rounds of demand "
        "from cost, then route choice) does not settle when queues form: its last round "
        "sets the tonnes from the previous round's cost, which the queue then raises. The "
        "corridor relieves the queues, so its side settles. This inflates *from other "
        "overland* as much; *from routes through Iran* and *by sea* do not involve these "
        "flows.",
        "",
    ]


#: A flow whose expected cost at least triples is "priced out" in the read-with-care notes.
PRICED_OUT_RATIO = 3.0
#: Revenue changes smaller than this (US$ a year) are not read against tonnes.
SHOWN_USD = 1e6


def own_projects(scenario: Any, baseline: Any) -> tuple[list[str], list[str]]:
    """The projects a scenario opens and closes that the baseline does not."""
    opened = [p for p in scenario.open_projects if p not in baseline.open_projects]
    closed = [p for p in scenario.close_projects if p not in baseline.close_projects]
    return opened, closed


def projects_cell(cmp: Comparison, project_ids: list[str]) -> str:
    """The busiest own link of each project, A → B (Mt): what a line carries even where it
    moves no transit between countries (Chabahar-Zahedan carries Iran's own transit)."""
    c = cmp.corridors.set_index("project_id")
    a, b = c["max_link_tonnes_a"].to_dict(), c["max_link_tonnes_b"].to_dict()
    parts = [f"{p} {_mt(float(a[p]))} → {_mt(float(b[p]))}" for p in project_ids if p in a]
    return ", ".join(parts) or "—"


def revenue_against_tonnes(cmp: Comparison) -> list[str]:
    """Countries whose transit revenue moves against their transit tonnes, with why."""
    c = cmp.countries
    against = c[
        (c["delta_transit_tonnes"].abs() >= SHOWN_T)
        & (c["delta_transit_revenue_usd"].abs() >= SHOWN_USD)
        & (c["delta_transit_tonnes"] * c["delta_transit_revenue_usd"] < 0)
    ]
    if against.empty:
        return []
    listed = "; ".join(
        f"{r['country_iso3']} {_dmt(r['delta_transit_tonnes'])} Mt, "
        f"{r['delta_transit_revenue_usd'] / 1e6:+,.1f} US$ m"
        for r in against.to_dict("records")
    )
    return [
        f"- Transit revenue moves against tonnes: {listed}. Revenue is the tariffs and border "
        "fees paid in a country (US$ per t-km times its kilometres, fees to the country "
        "entered), so cargo that moves to cheaper or shorter hauls there (rail instead of "
        "road, a shorter way across) pays less even as tonnes rise, and the reverse."
    ]


def priced_out(cmp: Comparison, *, top: int = 3) -> list[str]:
    """Flows whose expected cost at least triples yet keep much of their cargo."""
    f = cmp.flows.set_index("flow_id")
    served_a = cmp.a.flows.set_index("flow_id")["served_tonnes_per_year"]
    served_b = cmp.b.flows.set_index("flow_id")["served_tonnes_per_year"]
    base = f["expected_cost_usd_per_t_a"]
    ratio = f["expected_cost_usd_per_t_b"] / base.where(base > 0)
    hit = ratio[ratio >= PRICED_OUT_RATIO].index
    kept = served_b.reindex(hit).fillna(0.0)
    hit = kept[kept >= SHOWN_T].index
    if not len(hit):
        return []
    worst = kept.reindex(hit).sort_values(ascending=False).head(top).index
    cost_a, cost_b = base.to_dict(), f["expected_cost_usd_per_t_b"].to_dict()
    kept_t, served_t = kept.to_dict(), served_a.to_dict()
    examples = "; ".join(
        f"{i!s} {float(cost_a[i]):,.0f} → {float(cost_b[i]):,.0f} US$/t keeps "
        f"{_mt(float(kept_t[i]))} of {_mt(float(served_t.get(i, 0.0)))} Mt"
        for i in worst
    )
    el = ((cmp.b.atlas.meta.get("calibration") or {}).get("elasticity") or {}).get("value")
    demand = (
        "Demand is fixed (no calibrated elasticity)"
        if el is None
        else "Demand responds to the transport cost alone with a constant elasticity "
        f"({float(el):g}, calibration.yaml), which keeps "
        f"{PRICED_OUT_RATIO ** float(el):.0%} of a flow at {PRICED_OUT_RATIO:g} times its cost"
    )
    return [
        f"- {len(hit)} flows pay at least {PRICED_OUT_RATIO:g} times their cost and still move "
        f"{_mt(float(kept.sum()))} Mt (e.g. {examples}). {demand}; low-value trade (coal, "
        "cement, stone) would mostly stop at such prices. Read these tonnes as an upper bound."
    ]


def read_with_care(cmp: Comparison) -> list[str]:
    """What an analyst should not take at face value in a comparison (empty when nothing)."""
    notes = [*revenue_against_tonnes(cmp), *priced_out(cmp)]
    return ["Read with care:", "", *notes, ""] if notes else []


def main(out: Path, draws: int) -> None:
    started = time.perf_counter()
    atlas = load_atlas()
    pipeline = Pipeline(atlas)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    names = [s["name"] for s in list_scenarios(atlas) if s["name"] != BASE]
    baseline = pipeline.scenario(BASE)
    sections: list[str] = []
    summary = [
        "| scenario | year | largest transit gains (Mt) | largest transit losses (Mt) "
        "| its projects: busiest own link A → B (Mt) |",
        "|---|---:|---|---|---|",
    ]
    for name in names:
        scenario = pipeline.scenario(name)
        cmp = pipeline.compare(BASE, name)
        ch = cmp.countries
        gains = ch[ch["delta_transit_tonnes"] >= SHOWN_T].head(3)
        losses = ch[ch["delta_transit_tonnes"] <= -SHOWN_T].tail(3).iloc[::-1]
        opened, closed = own_projects(scenario, baseline)
        summary.append(
            f"| [{name}](#{name}) | {scenario.year} | {_moves(gains) or '—'} "
            f"| {_moves(losses) or '—'} | {projects_cell(cmp, [*opened, *closed])} |"
        )
        sources = "; ".join(cite(atlas, s) for s in scenario.source_ids) or "none given"
        base = pipeline.scenario(scenario.base) if scenario.base != "atlas" else None
        body = [
            f"## {name}",
            "",
            f"**{scenario.title or name}.** {' '.join(str(scenario.description).split())}",
            "",
            "What it changes against its base (`"
            + scenario.base
            + "`): "
            + "; ".join(changes_of(scenario, base))
            + f". Runs on {cmp.b.summary['date']} (baseline: {cmp.a.summary['date']}).",
            "",
            f"Sources: {sources}.",
            "",
        ]
        for w in cmp.b.summary.get("status_warnings", []):
            body += [f"Note: runs {', '.join(w['link_ids'])} as open although {w['message']}.", ""]
        body += ["Transit by country (B − A):", "", *transit_table(cmp)]
        body += ["Corridors and projects on their own links:", "", *corridor_table(cmp)]
        body += [flows_line(cmp), ""]
        body += read_with_care(cmp)
        if name == FOCUS:
            body += [f"### {FOCUS}: cargo taken from the sea and from Iran", ""]
            body += diversion(cmp, FOCUS)
            body += why_so_little(pipeline, cmp)
            body += [f"### {FOCUS}: uncertainty (ensemble)", ""]
            body += ensemble_section(pipeline, draws)
        sections += body
        print(f"{name}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    elapsed = time.perf_counter() - started
    header = [
        "# Shipped scenarios and what they do to freight flows",
        "",
        f"This page is written by `tools/scenarios_doc.py` (command: `.venv/bin/python "
        f"tools/scenarios_doc.py --draws {draws}`) at commit `{commit}` on "
        f'{dt.date.today().isoformat()}, atlas "{atlas.name}" {atlas.version} (digest '
        f"`{atlas.digest[:12]}…`), in {elapsed / 60:.1f} min. Every number comes from "
        f"`caravan compare {BASE} NAME --json`; rerun the script after a model or atlas change.",
        "",
        "**How to read it.**",
        "",
        "- Both scenarios of a comparison offer every flow the same routes: those found in "
        "either scenario that exist in each (`caravan.results.choice_sets`). A change in a "
        "flow's result has a cause in the network: a route opened, closed or changed cost, or "
        "capacity moved other cargo. Comparing a scenario with itself gives zero everywhere "
        "(tested).",
        "- *Transit* counts a country only where the cargo crosses it on land or inland water "
        "(rail, road, ferry legs and transfers); sea legs and port calls make no transit "
        "country, and neither do the countries at a flow's ends, including the market region "
        "an end node stands for (`markets` in atlas.yaml: Duisburg is north-west Europe, so "
        "Rotterdam's haul to Duisburg is not Dutch transit).",
        f"- *Corridors and projects* are measured on their own links: *through* is the tonnes "
        f"of routes that run on at least {CORRIDOR_MIN_LENGTH_SHARE:.0%} of the corridor's land "
        "and ferry length (a strait or canal: every route through it); *busiest link* is the "
        "load of its most loaded link; *mean load* its tonne-km over its length. A corridor of "
        "several branches (the INSTC) has little cargo *through* it by this rule; read its "
        "branches and its busiest link.",
        "- Ports report throughput (tonnes loaded plus unloaded, `ports` in the JSON), never "
        "transit.",
        "- A flow's cost is its *expected* cost over its routes (the logit composite cost); it "
        "cannot fall when a route closes unless capacity frees up elsewhere.",
        "- *Read with care* notes, where a section has them, are computed from its comparison: "
        "countries whose transit revenue moves against their tonnes, and flows whose cost at "
        f"least {PRICED_OUT_RATIO:g}-folds yet keep cargo.",
        "",
        "| | |",
        "|---|---|",
        "| Source articles (Central Asia-Caucasus Analyst, 2025) | "
        + "; ".join(
            cite(atlas, s.source_id) for s in atlas.sources if s.kind == "article" and s.author
        )
        + " |",
        "",
        f"## Summary: every shipped scenario against {BASE}",
        "",
        *summary,
        "",
    ]
    closing = [
        "## Closing note: what changed and why",
        "",
        "Against the previous version of this page: (1) route-set churn is gone, since both "
        "scenarios of a comparison now price one choice set per flow, so changes such as the "
        "Kabul Corridor's earlier Kyrgyz and Tajik 'losses' (flows re-searched per scenario, no "
        "cargo moving onto the line) no longer appear; (2) flow costs are expected costs, so "
        "no closure makes a flow cheaper except through capacity; (3) corridor tonnes are those "
        "on the corridor's own links instead of every flow touching one of its links (the "
        "earlier Lapis Lazuli, Middle Corridor, INSTC and Chabahar totals counted traffic that "
        "used a single shared link); (4) Rotterdam's hinterland haul is no longer Dutch "
        "transit; (5) the summary gives the busiest own link of each scenario's projects, so "
        "a line that carries cargo without moving it between countries (Chabahar-Zahedan "
        "takes Iran's own transit off the road) no longer reads as changing nothing; (6) each "
        "section ends, where it applies, with notes computed from the comparison on what not "
        "to take at face value: transit revenue that moves against tonnes, and flows priced "
        "out by a closure that keep cargo under the constant-elasticity demand.",
        "",
    ]
    text = "\n".join([*header, *sections, *closing])
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} in {elapsed:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "scenarios.md")
    parser.add_argument("--draws", type=int, default=200)
    args = parser.parse_args()
    main(args.out, args.draws)
