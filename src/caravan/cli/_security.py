"""``caravan security ...``: actors, relations, events, zone risk as of a date, ACLED import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from caravan.cli._common import console, err_console, fail_on_caravan_error

__all__ = ["app"]

app = typer.Typer(
    help="The security layer: actors, relations, events, and zone risk as of a date.",
    no_args_is_help=True,
)

_AtlasOpt = Annotated[
    Path | None,
    typer.Option("--atlas", help="Atlas folder (default: the shipped atlas).", show_default=False),
]
_JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
_ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="Only this actor (id, name or alias).")
]
_CountryOpt = Annotated[str | None, typer.Option("--country", help="Only this country (ISO3).")]
_SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Only on or after this date (YYYY[-MM[-DD]]).")
]


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _data(atlas: Path | None) -> Any:
    from caravan.io.security import read_security

    return read_security(atlas)


def _since(text: str | None) -> Any:
    from caravan.security.risk import as_of_date

    return None if text is None else as_of_date(text)


@app.command("actors")
def actors(
    actor: _ActorOpt = None,
    country: _CountryOpt = None,
    json_: _JsonOpt = False,
    atlas: _AtlasOpt = None,
) -> None:
    """List actors: states, governments, armed groups, organisations, persons."""
    from caravan.security.records import records_frame

    with fail_on_caravan_error():
        found = _data(atlas).find_actors(actor=actor, country=country)
    frame = records_frame(found)
    if json_:
        _print_json(frame.to_dict("records"))
        return
    columns = ["actor_id", "name", "kind", "based_in", "source_ids"]
    console().print(_table(f"{len(found)} actor(s)", frame.to_dict("records"), columns))


def _table(title: str, rows: list[dict[Any, Any]], columns: list[str]) -> Table:
    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    return table


@app.command("relations")
def relations(
    actor: _ActorOpt = None,
    country: _CountryOpt = None,
    since: _SinceOpt = None,
    predicate: Annotated[
        str | None, typer.Option("--predicate", help="Only this predicate (e.g. shelters).")
    ] = None,
    json_: _JsonOpt = False,
    atlas: _AtlasOpt = None,
) -> None:
    """List dated relations between actors, each with its source and quote."""
    from caravan.security.records import records_frame

    with fail_on_caravan_error():
        found = _data(atlas).find_relations(
            actor=actor, country=country, since=_since(since), predicate=predicate
        )
    rows = records_frame(found).to_dict("records")
    if json_:
        _print_json(rows)
        return
    for row in rows:
        span = (row["valid_from"] or "") + ("–" + row["valid_to"] if row["valid_to"] else "")
        row["when"] = row["date"] or span
    columns = ["subject_id", "predicate", "object_id", "when", "confidence", "source_ids"]
    console().print(_table(f"{len(rows)} relation(s)", rows, columns))


@app.command("events")
def events(
    actor: _ActorOpt = None,
    country: _CountryOpt = None,
    since: _SinceOpt = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only on or before this date.")
    ] = None,
    json_: _JsonOpt = False,
    atlas: _AtlasOpt = None,
) -> None:
    """List events (ACLED columns plus Caravan's), oldest first."""
    from caravan.security.records import records_frame

    with fail_on_caravan_error():
        found = _data(atlas).find_events(
            actor=actor, country=country, since=_since(since), until=_since(until)
        )
    rows = records_frame(found).to_dict("records")
    if json_:
        _print_json(rows)
        return
    for row in rows:
        row["type"] = f"{row['event_type']}: {row['sub_event_type']}"
        row["actors"] = row["actor1"] + (f" / {row['actor2']}" if row["actor2"] else "")
        row["place"] = row["iso3"] + (f" {row['admin1']}" if row["admin1"] else "")
    columns = ["event_id", "event_date", "type", "actors", "place", "fatalities", "event_count"]
    console().print(_table(f"{len(rows)} event(s)", rows, columns))


@app.command("risk")
def risk(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Day of the security picture (default: the atlas's as_of)."),
    ] = None,
    half_life_days: Annotated[
        float, typer.Option("--half-life", help="Days after which an event weighs half.")
    ] = 365.0,
    blend: Annotated[
        str, typer.Option("--blend", help="max, mean, events or override (see docs/security.md).")
    ] = "max",
    top: Annotated[int, typer.Option("--top", help="Events shown per zone.")] = 3,
    json_: _JsonOpt = False,
    atlas: _AtlasOpt = None,
) -> None:
    """Rank the zones by risk as of a date, with the events behind each."""
    from caravan.io.atlas import load_atlas
    from caravan.security.risk import RiskModel, zone_risks

    with fail_on_caravan_error():
        world = load_atlas(atlas)
        day = as_of or world.as_of
        model = RiskModel(half_life_days=half_life_days, blend=blend)  # type: ignore[arg-type]
        risks = zone_risks(world.zones, _data(atlas), as_of=day, model=model)
    if json_:
        _print_json([r.to_dict() for r in risks])
        return
    table = Table(title=f"Zone risk as of {risks[0].as_of if risks else day}")
    for col in ("zone", "risk", "events", "analyst", "rows", "deaths", "main events"):
        table.add_column(col, overflow="fold")
    for r in risks:
        main = "; ".join(
            f"{c.event_id} ({c.event_date}, {c.decayed_weight:.1f})"
            for c in r.contributions[:top]
            if c.weight > 0
        )
        name = r.zone_id + ("" if r.in_atlas else " (no zone)")
        table.add_row(
            name,
            f"{r.risk:.2f}",
            f"{r.event_risk:.2f}",
            "" if r.override is None else f"{r.override:.2f}",
            str(r.n_events),
            str(r.fatalities),
            main,
        )
    console().print(table)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="An ACLED CSV export.")],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Atlas copy to merge the good rows into (its security/events.csv); "
            "without it nothing is written.",
            show_default=False,
        ),
    ] = None,
    json_: _JsonOpt = False,
    atlas: _AtlasOpt = None,
) -> None:
    """Import an ACLED export: bad rows are listed by line, good rows kept (exit 1 if any bad)."""
    from caravan.io.security import import_acled

    with fail_on_caravan_error():
        report = import_acled(file, atlas=atlas, into=into)
    data = report.to_dict()
    if json_:
        _print_json(data)
    else:
        out = console()
        out.print(
            f"{data['n_rows']} row(s): {data['n_good']} good, {data['n_bad']} bad"
            + (
                f"; {data['n_added']} added, {data['n_replaced']} replaced in {data['written']}"
                if report.written
                else " (nothing written: pass --into DIR to merge them into an atlas copy)"
            )
        )
        if report.problems:
            err = err_console()
            for p in report.problems:
                err.print(f"line {p.row}, {p.field}: {p.message} (fix: {p.fix})", highlight=False)
    if report.problems:
        raise typer.Exit(1)


@app.command("validate")
def validate(atlas: _AtlasOpt = None, json_: _JsonOpt = False) -> None:
    """Check the security layer and list every problem (exit 0 when clean, 1 with problems)."""
    from caravan.io.security import security_problems

    problems = security_problems(atlas)
    if json_:
        _print_json([p.__dict__ for p in problems])
    elif problems:
        for p in problems:
            err_console().print(str(p), highlight=False)
    else:
        console().print("security layer: no problems")
    if problems:
        raise typer.Exit(1)
