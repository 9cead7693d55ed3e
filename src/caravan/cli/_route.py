"""``caravan route FROM TO``: least-cost and alternative routes on the atlas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from caravan.cli._common import console, err_console, fail_on_caravan_error, new_table, print_json
from caravan.network.model import Objective
from caravan.results.routes import DEFAULT_K_ROUTES

__all__ = ["route"]


def _money(x: float) -> str:
    return f"{x:,.1f}"


def _summary_table(routes: tuple[Any, ...]) -> Table:
    first = routes[0]
    title = (
        f"{first.node_ids[0]} → {first.node_ids[-1]}, {first.year}, {first.commodity_id}, "
        f"by {first.objective.value} (value of time {first.value_of_time_usd_per_t_h:g} USD/t/h)"
    )
    table = new_table(
        title + "; money, risk and cost in USD/t",
        [
            "num:#",
            "countries",
            "num:km",
            "num:hours",
            "num:money",
            "num:risk",
            "num:cost",
            "bypasses",
        ],
    )
    for r in routes:
        table.add_row(
            str(r.rank),
            " ".join(r.countries),
            f"{r.length_km:,.0f}",
            f"{r.time_h:,.1f}",
            _money(r.money_usd_per_t),
            _money(r.risk_usd_per_t),
            _money(r.cost_usd_per_t),
            " ".join(r.bypassed_countries) or "–",
        )
    return table


def _projects_lines(atlas: Any, routes: tuple[Any, ...]) -> list[str]:
    """One line per route: the projects and corridors it runs on for at least half their
    length (a strait or canal: when it passes it), and how many more it only touches (ids are
    too long for a column; ``--json`` lists them all)."""
    from caravan.results.run_tables import CORRIDOR_MIN_LENGTH_SHARE, corridors_run_on

    share = f"{CORRIDOR_MIN_LENGTH_SHARE:.0%} of their length"
    lines = []
    for r in routes:
        touched = (*r.projects, *r.corridors)
        main = corridors_run_on(atlas, touched, r.link_ids)
        more = len(touched) - len(main)
        if not touched:
            text = "uses no project or corridor"
        elif not main:
            text = f"runs on no project or corridor for {share}; touches {more} (--json lists them)"
        else:
            text = "runs on " + ", ".join(main)
            if more:
                text += f"; touches {more} more for less than {share} (--json lists them)"
        lines.append(f"route {r.rank} {text}")
    return lines


def _detail_tables(r: Any) -> list[Table]:
    tables = []
    path = Table(title=f"route {r.rank}: {' – '.join(r.node_ids)}", title_justify="left")
    path.add_column("country")
    for col in ("km", "hours", "USD/t", "risk USD/t"):
        path.add_column(col, justify="right")
    for c in r.by_country:
        path.add_row(
            c.iso3,
            f"{c.length_km:,.0f}",
            f"{c.time_h:,.1f}",
            _money(c.money_usd_per_t),
            _money(c.risk_usd_per_t),
        )
    tables.append(path)
    if r.borders:
        borders = Table(title="borders", title_justify="left")
        for col in ("border", "from", "to", "dwell h", "fee USD/t"):
            borders.add_column(col, justify="right" if col[0] in "df" and col != "from" else "left")
        for b in r.borders:
            borders.add_row(
                b.name, b.from_iso3, b.to_iso3, f"{b.dwell_h:g}", f"{b.fee_usd_per_t:g}"
            )
        tables.append(borders)
    if r.transfers:
        transfers = Table(title="transfers", title_justify="left")
        for col in ("place", "kind", "from", "to", "dwell h", "fee USD/t"):
            transfers.add_column(
                col, justify="right" if col in ("dwell h", "fee USD/t") else "left"
            )
        for t in r.transfers:
            transfers.add_row(
                t.name,
                t.kind,
                f"{t.from_mode} {t.from_gauge_mm or ''}".strip(),
                f"{t.to_mode} {t.to_gauge_mm or ''}".strip(),
                f"{t.dwell_h:g}",
                f"{t.fee_usd_per_t:g}",
            )
        tables.append(transfers)
    return tables


def route(
    origin: str = typer.Argument(..., metavar="FROM", help="Place id, name or alias."),
    destination: str = typer.Argument(..., metavar="TO", help="Place id, name or alias."),
    year: int | None = typer.Option(
        None, "--year", help="Year of the network (1990..2100); default: the year of --date."
    ),
    date: str | None = typer.Option(
        None,
        "--date",
        metavar="YYYY-MM-DD",
        help="Day whose dated closures and openings apply (default: the atlas's as-of date, "
        "or 1 July of --year when that is another year).",
    ),
    commodity: str = typer.Option("container", "--commodity", help="Commodity id."),
    by: Objective = typer.Option(Objective.COST, "--by", help="What to minimise."),
    k: int = typer.Option(
        DEFAULT_K_ROUTES, "-k", "--k", min=1, help="Number of routes (best + alternatives)."
    ),
    open_projects: list[str] = typer.Option(
        [], "--open", metavar="PROJECT", help="Open a project (id, name or alias); repeatable."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    geojson: Path | None = typer.Option(
        None, "--geojson", metavar="OUT", help="Write the routes as GeoJSON lines to OUT."
    ),
    atlas_path: Path | None = typer.Option(
        None, "--atlas", help="Atlas folder (default: the shipped Trans-Eurasian atlas)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date (YYYY-MM-DD) of the security picture that sets zone risks."
    ),
) -> None:
    """Least-cost route between two places, with alternatives and breakdowns.

    Example: caravan route Tashkent Karachi --open kabul-corridor --year 2030
    """
    from caravan.io.atlas import load_atlas
    from caravan.io.geojson_routes import write_feature_collection
    from caravan.model.events import default_date, event_warning, events_touching, parse_day
    from caravan.results.closures_round import closures_gone_round
    from caravan.results.routes import route as find

    projects = [p.strip() for item in open_projects for p in item.split(",") if p.strip()]
    with fail_on_caravan_error():
        atlas = load_atlas(atlas_path)
        if as_of is not None:
            from caravan.security.files import atlas_events
            from caravan.security.risk import security_atlas

            atlas = security_atlas(atlas, as_of=as_of, events=atlas_events(atlas))
        day = parse_day(date) if date is not None else default_date(atlas, year)
        routes = find(
            atlas,
            origin,
            destination,
            year=year if year is not None else day.year,
            date=day,
            commodity=commodity,
            by=by,
            k=k,
            open_projects=projects,
        )
        if geojson is not None:
            write_feature_collection([r.to_feature() for r in routes], geojson)
        places = {n for r in routes for n in r.node_ids}
        touched = events_touching(atlas, day, places)
        round_ = closures_gone_round(
            atlas,
            origin,
            destination,
            day=day,
            year=year if year is not None else day.year,
            commodity=commodity,
            by=by,
            open_projects=projects,
            avoided_by=[lid for r in routes for lid in r.link_ids],
        )
        known = {e.event_id for e in touched}
        warnings = [event_warning(atlas, e, day) for e in touched]
        warnings += [
            {**event_warning(atlas, e, day), "gone_round": True}
            for e in round_
            if e.event_id not in known
        ]
    for w in warnings:
        cited = "; ".join(f"{s['title']} <{s['url']}>" for s in w["sources"])
        why = " (the routes go round it: with it lifted the best route uses it)"
        err_console().print(
            f"warning: {w['message']}{why if w.get('gone_round') else ''}. Sources: {cited}",
            highlight=False,
        )
    if as_json:
        payload: dict[str, object] = {
            "date": day.isoformat(),
            "warnings": warnings,
            "routes": [r.to_dict() for r in routes],
        }
        if as_of is not None:
            payload["security_as_of"] = atlas.meta.get("security_as_of")
        print_json(payload)
    else:
        out = console()
        if as_of is not None:
            out.print(f"zone risks as of {atlas.meta.get('security_as_of')} (security layer)")
        out.print(_summary_table(routes))
        for line in _projects_lines(atlas, routes):
            out.print(line, highlight=False)
        for r in routes:
            for table in _detail_tables(r):
                out.print(table)
    if geojson is not None:
        err_console().print(f"wrote {len(routes)} route(s) to {geojson}", highlight=False)
