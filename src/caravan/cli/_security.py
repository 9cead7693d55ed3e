"""``caravan security ...``: actors, relations, events, zone risk as of a date, ACLED import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from caravan.cli._common import (
    CaravanCommand,
    CaravanGroup,
    console,
    err_console,
    fail_on_caravan_error,
    jsonable,
    new_table,
    print_json,
)

__all__ = ["app"]

app = typer.Typer(
    cls=CaravanGroup,
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
    print_json(data, indent=2)


def _rows(records: Any) -> list[dict[str, Any]]:
    """Records as JSON data: enums as text, dates ISO, lists as arrays, missing as None."""
    return [jsonable(r) for r in records]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict) and "country_iso3" in value:  # BasedIn
        admin1 = value.get("admin1") or []
        return str(value["country_iso3"]) + (f" ({', '.join(admin1)})" if admin1 else "")
    return str(value)


def _data(atlas: Path | None) -> Any:
    from caravan.security.files import read_security

    return read_security(atlas)


def _since(text: str | None) -> Any:
    from caravan.security.risk import as_of_date

    return None if text is None else as_of_date(text)


@app.command("actors", cls=CaravanCommand)
def actors(
    actor: _ActorOpt = None,
    country: _CountryOpt = None,
    json_: _JsonOpt = False,
    atlas: _AtlasOpt = None,
) -> None:
    """List actors: states, governments, armed groups, organisations, persons."""
    with fail_on_caravan_error():
        found = _data(atlas).find_actors(actor=actor, country=country)
    rows = _rows(found)
    if json_:
        _print_json(rows)
        return
    sources = _Sources()
    table = new_table(
        f"{len(found)} actor(s)", ["id:actor_id", "name", "kind", "based in", "num:sources"]
    )
    for row in rows:
        table.add_row(
            row["actor_id"],
            row["name"],
            _cell(row["kind"]),
            _cell(row["based_in"]),
            sources.refs(row["source_ids"]),
        )
    _print_with_sources(table, sources)


class _Sources:
    """Numbers for the source ids a table cites, listed once below it (ids are long)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def refs(self, source_ids: list[str] | None) -> str:
        numbers = [self.ids.setdefault(s, len(self.ids) + 1) for s in source_ids or []]
        return ",".join(str(n) for n in numbers)


def _print_with_sources(table: Table, sources: _Sources) -> None:
    out = console()
    out.print(table)
    if sources.ids:
        out.print("sources:", highlight=False)
        for source_id, n in sources.ids.items():
            out.print(f"  {n:>3}  {source_id}", highlight=False)


@app.command("relations", cls=CaravanCommand)
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
    with fail_on_caravan_error():
        found = _data(atlas).find_relations(
            actor=actor, country=country, since=_since(since), predicate=predicate
        )
    rows = _rows(found)
    if json_:
        _print_json(rows)
        return
    sources = _Sources()
    table = new_table(f"{len(rows)} relation(s)", ["relation", "when", "confidence", "num:sources"])
    for row in rows:
        span = (row["valid_from"] or "") + ("–" + row["valid_to"] if row["valid_to"] else "")
        table.add_row(
            f"{row['subject_id']} {row['predicate']} {row['object_id']}",
            row["date"] or span,
            _cell(row["confidence"]),
            sources.refs(row["source_ids"]),
        )
    _print_with_sources(table, sources)


@app.command("events", cls=CaravanCommand)
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
    with fail_on_caravan_error():
        found = _data(atlas).find_events(
            actor=actor, country=country, since=_since(since), until=_since(until)
        )
    rows = _rows(found)
    if json_:
        _print_json(rows)
        return
    table = new_table(f"{len(rows)} event(s)", ["id:event, date", "what, who, where", "num:deaths"])
    for row in rows:
        actors = (row["actor1"] or "") + (f" / {row['actor2']}" if row["actor2"] else "")
        place = (row["iso3"] or "") + (f" {row['admin1']}" if row["admin1"] else "")
        count = row.get("event_count") or 1
        table.add_row(
            f"{row['event_id']}\n{row['event_date']}" + (f" ({count} events)" if count > 1 else ""),
            f"{row['event_type']}: {row['sub_event_type']}; {actors}; {place}",
            _cell(row["fatalities"]),
        )
    console().print(table)


@app.command("risk", cls=CaravanCommand)
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
    table = new_table(
        f"Zone risk as of {risks[0].as_of if risks else day}",
        ["id:zone", "num:risk", "num:events", "num:analyst", "num:rows", "num:deaths"],
    )
    main_events: list[str] = []
    for r in risks:
        name = r.zone_id + ("" if r.in_atlas else " (no zone)")
        table.add_row(
            name,
            f"{r.risk:.2f}",
            f"{r.event_risk:.2f}",
            "" if r.override is None else f"{r.override:.2f}",
            str(r.n_events),
            str(r.fatalities),
        )
        shown = [c for c in r.contributions[:top] if c.weight > 0]
        if shown:
            main_events.append(f"{name}:")
            main_events += [
                f"  {c.event_id}  {c.event_date}  weight {c.decayed_weight:.1f}" for c in shown
            ]
    out = console()
    out.print(table)
    if main_events:
        out.print(f"main events (up to {top} a zone, weight after decay):", highlight=False)
        for line in main_events:
            out.print(line, highlight=False)


@app.command("import", cls=CaravanCommand)
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
    from caravan.security.files import import_acled

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


@app.command("validate", cls=CaravanCommand)
def validate(atlas: _AtlasOpt = None, json_: _JsonOpt = False) -> None:
    """Check the security layer and list every problem (exit 0 when clean, 1 with problems)."""
    from caravan.security.files import security_problems

    problems = security_problems(atlas)
    if json_:
        _print_json({"ok": not problems, "problems": [p.__dict__ for p in problems]})
    elif problems:
        for p in problems:
            err_console().print(str(p), highlight=False)
    else:
        console().print("security layer: no problems")
    if problems:
        raise typer.Exit(1)
