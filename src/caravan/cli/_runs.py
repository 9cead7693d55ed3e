"""``caravan run``, ``caravan compare`` and ``caravan scenarios``: what-ifs and their effects."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from caravan.cli._common import console, err_console, fail_on_caravan_error, new_table, print_json

__all__ = ["compare", "run", "scenarios"]

#: Changes smaller than this (tonnes a year) are left out of the readable tables.
MIN_SHOWN_CHANGE_T = 1000.0
#: Smallest change of a flow's expected cost shown in the compare table (its precision is 0.1).
MIN_SHOWN_COST_CHANGE_USD_PER_T = 0.05

_ATLAS = typer.Option(None, "--atlas", help="Atlas folder (default: the shipped atlas).")
_AS_OF = typer.Option(
    None, "--as-of", help="Date (YYYY-MM-DD) of the security picture that sets zone risks."
)
_DATE = typer.Option(
    None,
    "--date",
    help="Day (YYYY-MM-DD) whose dated closures and openings apply (default: the scenario's "
    "date, else the atlas's as-of date or 1 July of the scenario's year).",
)
_METHOD = typer.Option(
    None,
    "--method",
    help="Assignment method (aon, sue or ue) instead of the scenario's own; capacity binds "
    "under sue and ue.",
)


def _scenario(pipeline: Any, name: str, method: str | None) -> Any:
    """The scenario by name, with ``method`` in place of its own when one is given."""
    if method is None:
        return name
    from caravan.model.scenario import with_method

    return with_method(pipeline.scenario(name), method)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console(),
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update


def _pipeline(atlas_path: Path | None) -> Any:
    from caravan.io.atlas import load_atlas
    from caravan.pipeline import Pipeline

    return Pipeline(load_atlas(atlas_path))


def _run(
    pipeline: Any,
    name: Any,
    show_progress: bool,
    as_of: str | None = None,
    date: str | None = None,
) -> Any:
    with _progress(show_progress) as update:
        return pipeline.run(name, as_of=as_of, date=date, progress=update)


def print_status_warnings(summary: dict[str, Any]) -> None:
    """The run's dated closures and suspensions that its scenario runs as open, with sources."""
    for w in summary.get("status_warnings", []):
        cited = "; ".join(f"{x['title']} <{x['url']}>" for x in w["sources"])
        err_console().print(f"warning: {w['assumption']}. Sources: {cited}", highlight=False)


def _fmt_t(value: float) -> str:
    return f"{value / 1e6:,.2f} Mt"


def run(
    scenario: str = typer.Argument(..., help="Shipped scenario name or a scenario YAML file."),
    out: Path | None = typer.Option(None, "--out", help="Write the run folder here."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    atlas: Path | None = _ATLAS,
    as_of: str | None = _AS_OF,
    date: str | None = _DATE,
    method: str | None = _METHOD,
) -> None:
    """Route and settle a scenario's freight; print transit by country."""
    with fail_on_caravan_error():
        pipeline = _pipeline(atlas)
        result = _run(pipeline, _scenario(pipeline, scenario, method), not as_json, as_of, date)
        if out is not None:
            from caravan.io.runs import write_run

            write_run(result, out)
    if as_json:
        print_json(result.to_dict())
        return
    s = result.summary
    print_status_warnings(s)
    con = console()
    con.print(
        f"[bold]{result.name}[/bold] ({s['year']}): {s['flows']} flows, "
        f"{_fmt_t(s['served_tonnes_per_year'])} served of {_fmt_t(s['demand_tonnes_per_year'])}; "
        f"{s['iterations']} iterations, converged={s['converged']}"
    )
    table = Table(title="Transit by country")
    for col in ("country", "transit", "transit Gtkm", "transit revenue (USD m)"):
        table.add_column(col, justify="right" if col != "country" else "left")
    for row in result.country_transit.itertuples(index=False):
        if row.transit_tonnes <= 0:
            continue
        table.add_row(
            str(row.country_iso3),
            _fmt_t(float(row.transit_tonnes)),
            f"{float(row.transit_tkm) / 1e9:,.2f}",
            f"{float(row.transit_revenue_usd) / 1e6:,.1f}",
        )
    con.print(table)
    _print_corridors(result)
    _print_ports(result)
    for item in s["unserved_flows"]:
        con.print(f"[yellow]unserved[/yellow] {item['flow_id']}: {item['reason']}")
    if out is not None:
        con.print(f"run written to {out.resolve()}", highlight=False)


def _print_corridors(result: Any, *, top: int = 12) -> None:
    """Corridors and projects by what they carry on their own links."""
    corr = result.corridor_flows
    corr = corr[corr["max_link_tonnes"] > 0].sort_values("tkm_per_year", ascending=False)
    if corr.empty:
        return
    share = float(corr["min_length_share"].iloc[0])
    table = new_table(
        f"Corridors on their own links (through: on >= {share:.0%} of the length)",
        ["id:project", "num:through", "num:busiest link", "num:mean load"],
    )
    for row in corr.head(top).itertuples(index=False):
        table.add_row(
            str(row.project_id),
            _fmt_t(float(row.tonnes_per_year)),
            _fmt_t(float(row.max_link_tonnes)),
            _fmt_t(float(row.mean_load_tonnes)),
        )
    console().print(table)


def _print_ports(result: Any, *, top: int = 10) -> None:
    """The busiest ports by throughput (tonnes loaded plus unloaded; never transit)."""
    from caravan.results.facilities import port_flows

    ports = port_flows(result.atlas, result.link_flows)
    ports = ports[ports["tonnes_per_year"] > 0].sort_values("tonnes_per_year", ascending=False)
    if ports.empty:
        return
    table = new_table(
        "Ports: throughput (loaded + unloaded)",
        ["id:port", "id:country", "num:loaded", "num:unloaded", "num:throughput"],
    )
    for rec in ports.head(top).to_dict("records"):
        table.add_row(
            str(rec["node_id"]),
            str(rec["country_iso3"]),
            _fmt_t(float(rec["tonnes_loaded"])),
            _fmt_t(float(rec["tonnes_unloaded"])),
            _fmt_t(float(rec["tonnes_per_year"])),
        )
    console().print(table)


def compare(
    a: str = typer.Argument(..., help="Scenario A (the reference)."),
    b: str = typer.Argument(..., help="Scenario B."),
    out: Path | None = typer.Option(None, "--out", help="Write the comparison folder here."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    atlas: Path | None = _ATLAS,
    as_of: str | None = _AS_OF,
    date: str | None = _DATE,
    method: str | None = _METHOD,
) -> None:
    """Compare two scenarios: who gains and loses transit, which corridors and flows move.

    Every flow is offered the same routes in both (those found in either that exist in each).
    """

    with fail_on_caravan_error():
        pipeline = _pipeline(atlas)
        scenario_a, scenario_b = _scenario(pipeline, a, method), _scenario(pipeline, b, method)
        with _progress(not as_json) as update:
            comparison = pipeline.compare(
                scenario_a, scenario_b, as_of=as_of, date=date, progress=update
            )
        if out is not None:
            from caravan.io.runs import write_comparison

            write_comparison(comparison, out)
    if as_json:
        print_json(comparison.to_dict())
        return
    print_status_warnings(comparison.a.summary)
    print_status_warnings(comparison.b.summary)
    print_comparison(comparison)
    if out is not None:
        console().print(f"comparison written to {out.resolve()}", highlight=False)


def print_comparison(comparison: Any, *, top: int = 12) -> None:
    """Readable tables of a comparison: countries that gain and lose first."""
    con = console()
    con.print(f"[bold]{comparison.b.name}[/bold] versus [bold]{comparison.a.name}[/bold]")
    table = new_table(
        "Transit by country (B - A)",
        ["id:country", "num:A", "num:B", "num:change", "num:revenue change (USD m)"],
    )
    countries = comparison.countries
    moved = countries[countries["delta_transit_tonnes"].abs() >= MIN_SHOWN_CHANGE_T]
    unchanged = len(countries[countries["transit_tonnes_a"] > 0]) - len(moved)
    for row in moved.itertuples(index=False):
        delta = float(row.delta_transit_tonnes)
        colour = "green" if delta > 1 else "red" if delta < -1 else "white"
        table.add_row(
            str(row.country_iso3),
            _fmt_t(float(row.transit_tonnes_a)),
            _fmt_t(float(row.transit_tonnes_b)),
            f"[{colour}]{delta / 1e6:+,.2f} Mt[/{colour}]",
            f"{float(row.delta_transit_revenue_usd) / 1e6:+,.1f}",
        )
    if moved.empty:
        con.print(f"no country's transit changes by {MIN_SHOWN_CHANGE_T / 1e3:g} kt or more")
    else:
        con.print(table)
    if unchanged > 0:
        con.print(
            f"({unchanged} other transit countries change by less than "
            f"{MIN_SHOWN_CHANGE_T / 1e3:g} kt)"
        )
    _print_corridor_changes(comparison.corridors, top=top)
    flows = comparison.flows
    # Changes below the table's precision (0.1 USD/t) would print as "74.9 -> 74.9": leave them
    # to --json, and show the largest changes first.
    shown = (flows["delta_expected_cost_usd_per_t"].abs() >= MIN_SHOWN_COST_CHANGE_USD_PER_T) | (
        flows["now_bypasses"] != ""
    )
    flows = flows[shown].reindex(
        flows.loc[shown, "delta_expected_cost_usd_per_t"].abs().sort_values(ascending=False).index
    )
    if not flows.empty:
        t3 = new_table(
            "Flows whose cost or route changed, largest first (USD/t: paid = route costs "
            "weighted by shares; logsum = the logit composite cost, which also falls when "
            "alternatives are added)",
            [
                "id:flow",
                "num:paid A",
                "num:paid B",
                "num:logsum Δ",
                "num:hours Δ",
                "now bypasses",
                "now crosses",
            ],
        )
        for row in flows.head(top).itertuples(index=False):
            t3.add_row(
                str(row.flow_id),
                f"{float(row.cost_usd_per_t_a):,.1f}",
                f"{float(row.cost_usd_per_t_b):,.1f}",
                f"{float(row.delta_expected_cost_usd_per_t):+,.1f}",
                f"{float(row.delta_time_h):+,.1f}",
                str(row.now_bypasses).replace(";", " "),
                str(row.now_crosses).replace(";", " "),
            )
        con.print(t3)
        hidden = int((~shown).sum())
        if hidden:
            con.print(
                f"({hidden} other flows change by less than "
                f"{MIN_SHOWN_COST_CHANGE_USD_PER_T:g} USD/t; --json has every flow)"
            )


def _print_corridor_changes(corridors: Any, *, top: int) -> None:
    """The corridors whose tonnes change as the table shows them (Mt, two decimals): one whose
    through and busiest-link tonnes print the same in A and B is left out, and counted."""
    con = console()

    def mt(value: Any) -> str:
        return f"{float(value) / 1e6:,.2f}"

    loads = ["tonnes_per_year_a", "tonnes_per_year_b", "max_link_tonnes_a", "max_link_tonnes_b"]
    used = corridors[corridors[loads].abs().max(axis=1) > 0]
    moved = [
        (
            abs(r.delta_tonnes_per_year) >= MIN_SHOWN_CHANGE_T
            and mt(r.tonnes_per_year_a) != mt(r.tonnes_per_year_b)
        )
        or (
            abs(r.delta_max_link_tonnes) >= MIN_SHOWN_CHANGE_T
            and mt(r.max_link_tonnes_a) != mt(r.max_link_tonnes_b)
        )
        for r in used.itertuples(index=False)
    ]
    corr = used[moved]
    if not corr.empty:
        t2 = new_table(
            "Corridors on their own links, Mt (B - A; through: on half the length)",
            ["id:project", "num:through A → B", "num:change", "num:busiest link A → B"],
        )
        ordered = corr.reindex(
            (corr["delta_tonnes_per_year"].abs() + corr["delta_max_link_tonnes"].abs())
            .sort_values(ascending=False)
            .index
        )
        for row in ordered.head(top).itertuples(index=False):
            t2.add_row(
                str(row.project_id),
                f"{mt(row.tonnes_per_year_a)} → {mt(row.tonnes_per_year_b)}",
                f"{float(row.delta_tonnes_per_year) / 1e6:+,.2f}",
                f"{mt(row.max_link_tonnes_a)} → {mt(row.max_link_tonnes_b)}",
            )
        con.print(t2)
    smaller, same = max(0, len(corr) - top), len(used) - len(corr)
    notes = [f"{smaller} smaller changes"] if smaller else []
    notes += [f"{same} corridors in use unchanged at 0.01 Mt"] if same else []
    if notes:
        con.print(f"({'; '.join(notes)}; --json has every corridor)")


def scenarios(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
    wide: bool = typer.Option(
        False, "--wide", help="Also the base, description and sources, unwrapped."
    ),
    atlas: Path | None = _ATLAS,
) -> None:
    """List the shipped scenarios: name, year and title (--wide: description and sources)."""
    from caravan.io.atlas import load_atlas
    from caravan.io.scenario import list_scenarios

    with fail_on_caravan_error():
        loaded = load_atlas(atlas)
        items = list_scenarios(loaded)
        titles = {s.source_id: s.title for s in loaded.sources}
    if as_json:
        print_json({"scenarios": items})
        return
    if not wide:
        table = new_table(f"Scenarios of {loaded.name}", ["id:name", "num:year", "title"])
        for item in items:
            table.add_row(item["name"], str(item["year"] or ""), item["title"] or "")
        out = console()
        out.print(table)
        out.print(
            "caravan run NAME runs one; --wide adds descriptions and sources",
            highlight=False,
        )
        return
    table = Table(title=f"Scenarios of {loaded.name}")
    for col in ("name", "year", "base", "description", "sources"):
        table.add_column(col)
    for item in items:
        table.add_row(
            item["name"],
            str(item["year"] or ""),
            item["base"],
            item["description"],
            "; ".join(titles.get(s, s) for s in item["source_ids"]),
        )
    console(wide=True).print(table)
