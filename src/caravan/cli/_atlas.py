"""``caravan atlas ...``: validate, show and export an atlas."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from caravan.cli._common import (
    CaravanCommand,
    CaravanGroup,
    console,
    err_console,
    print_json,
)
from caravan.errors import AtlasValidationError, CaravanError, Problem

__all__ = ["app", "print_problems", "print_summary"]

app = typer.Typer(
    cls=CaravanGroup, help="Validate, summarise and export an atlas.", no_args_is_help=True
)

_PathArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="PATH",
        help="Atlas folder, as an alternative to --atlas.",
        show_default=False,
    ),
]
_AtlasOpt = Annotated[
    Path | None,
    typer.Option(
        "--atlas",
        help="Atlas folder (default: the shipped Trans-Eurasian atlas).",
        show_default=False,
    ),
]


class ExportFormat(enum.StrEnum):
    """The formats of ``caravan.io.export.ExportFormat`` (kept here so the CLI imports fast)."""

    GEOJSON = "geojson"
    GPKG = "gpkg"
    GMNS = "gmns"


class ImportFormat(enum.StrEnum):
    """The network formats ``caravan atlas import`` reads."""

    GMNS = "gmns"
    OSM = "osm"


_JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _atlas_path(path: Path | None, atlas: Path | None) -> Path | None:
    """The atlas given as ``PATH`` or ``--atlas`` (not both)."""
    if path is not None and atlas is not None and path != atlas:
        _error(f"give the atlas once: PATH {path} or --atlas {atlas}", 2)
    return atlas if atlas is not None else path


@contextmanager
def handled(exit_code: int = 2) -> Iterator[None]:
    """Turn any error into a one-paragraph message and an exit code, never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except CaravanError as exc:
        _error(str(exc), exit_code)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        _error(f"{exc.strerror or exc}{where}", exit_code)
    except Exception as exc:  # a bug: still no traceback, but say so
        _error(
            f"unexpected {type(exc).__name__}: {exc} (this is a bug in caravan; please report it)",
            exit_code,
        )


def _error(message: str, exit_code: int) -> None:
    err_console().print(f"[bold red]error:[/bold red] {message}", markup=True, highlight=False)
    raise typer.Exit(exit_code)


#: Most problems printed as a table (``--json`` lists them all).
MAX_PRINTED = 200


def print_problems(out: Console, problems: Sequence[Problem], source: str) -> None:
    """Print problems as a table: file, row, field, problem, fix (the first ``MAX_PRINTED``)."""
    out.print(f"[bold red]✗ {source}: {len(problems)} problem(s)[/bold red]", highlight=False)
    table = Table(show_lines=False)
    for column in ("file", "row", "field", "problem", "fix"):
        table.add_column(column, overflow="fold")
    for p in problems[:MAX_PRINTED]:
        row = "" if p.row is None else str(p.row)
        table.add_row(p.file, row, p.field or "", p.message, p.fix)
    out.print(table, highlight=False, markup=False)
    if len(problems) > MAX_PRINTED:
        out.print(
            f"… and {len(problems) - MAX_PRINTED} more problem(s); --json lists them all",
            highlight=False,
            markup=False,
        )


def _counts_table(title: str, counts: Mapping[str, Any], *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify="right" if i else "left")
    for key, value in counts.items():
        values = value if isinstance(value, tuple) else (value,)
        table.add_row(key, *(f"{v:,}" if isinstance(v, (int, float)) else str(v) for v in values))
    return table


def print_summary(out: Console, summary: Mapping[str, Any]) -> None:
    """Print :meth:`caravan.model.atlas.Atlas.summary` as readable tables."""
    out.print(
        f"[bold]{summary['name']}[/bold] {summary['version']} (as of {summary['as_of']}): "
        f"{summary['n_nodes']} nodes, {summary['n_links']} links, {summary['n_borders']} "
        f"borders, {summary['n_transfers']} transfers, {summary['n_projects']} projects, "
        f"{summary['n_sources']} sources",
        highlight=False,
    )
    km = summary.get("km_by_mode", {})
    by_mode = {m: (n, km.get(m, 0.0)) for m, n in summary["links_by_mode"].items()}
    out.print(_counts_table("Links by mode", by_mode, "mode", "links", "km"))
    out.print(_counts_table("Links by status", summary["links_by_status"], "status", "links"))
    out.print(_counts_table("Nodes by country", summary["nodes_by_country"], "country", "nodes"))
    out.print(_projects_table(summary["projects"]))


def _projects_table(projects: Sequence[Mapping[str, Any]]) -> Table:
    """Projects with the name under the id (indented, wrapped at words), so that at 80 columns
    the name has the width of the longest id and the id is never cut."""
    table = Table(title="Projects and corridors", title_justify="left")
    longest = max((len(str(p["project_id"])) for p in projects), default=0)
    table.add_column("project, name", min_width=longest + 2, overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("status")
    table.add_column("links", justify="right", no_wrap=True)
    for p in projects:
        cell = Group(
            Text(str(p["project_id"]), no_wrap=True),
            Padding(Text(str(p["name"]), style="dim"), (0, 0, 0, 2)),
        )
        table.add_row(cell, str(p["kind"]), str(p["status"]).replace("_", " "), str(p["n_links"]))
    return table


@app.command("validate", cls=CaravanCommand)
def validate(
    path: _PathArg = None, atlas_path: _AtlasOpt = None, as_json: _JsonOpt = False
) -> None:
    """Check an atlas and list every problem (exit 0 when clean, 1 with problems)."""
    from caravan.io.atlas import load_atlas, shipped_atlas_path

    path = _atlas_path(path, atlas_path)
    where = str(path if path is not None else shipped_atlas_path())
    problems: tuple[Problem, ...] = ()
    with handled():
        try:
            atlas = load_atlas(path)
        except AtlasValidationError as exc:
            problems = exc.problems
    if as_json:
        payload = {
            "path": where,
            "ok": not problems,
            "problems": [
                {"file": p.file, "row": p.row, "field": p.field, "message": p.message, "fix": p.fix}
                for p in problems
            ],
        }
        print_json(payload, indent=2)
    elif problems:
        print_problems(console(), problems, where)
    else:
        s = atlas.summary()
        console().print(
            f"[green]✓[/green] {s['name']}: {s['n_nodes']} nodes, {s['n_links']} links, "
            f"{s['n_borders']} borders, {s['n_projects']} projects, {s['n_sources']} sources "
            "— no problems",
            highlight=False,
        )
    raise typer.Exit(1 if problems else 0)


@app.command("show", cls=CaravanCommand)
def show(
    path: _PathArg = None,
    atlas_path: _AtlasOpt = None,
    as_json: _JsonOpt = False,
    wide: Annotated[
        bool, typer.Option("--wide", help="Do not wrap the tables at 80 columns.")
    ] = False,
) -> None:
    """Summarise an atlas: counts by mode, status, country and project."""
    from caravan.io.atlas import load_atlas

    with handled():
        summary = load_atlas(_atlas_path(path, atlas_path)).summary()
    if as_json:
        print_json(summary, indent=2)
    else:
        print_summary(console(wide=wide), summary)


@app.command("export", cls=CaravanCommand)
def export(
    out: Annotated[Path, typer.Argument(help="Output folder (geojson, gmns) or .gpkg file.")],
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="GeoJSON or GeoPackage layers, or GMNS node.csv/link.csv.",
            show_default=False,
        ),
    ],
    atlas_path: _AtlasOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the files written as JSON.")
    ] = False,
) -> None:
    """Export an atlas as GeoJSON or GeoPackage layers (for QGIS) or GMNS CSV tables."""
    from caravan.io.atlas import load_atlas
    from caravan.io.export import export_atlas

    with handled():
        written = export_atlas(load_atlas(atlas_path), out, fmt=fmt.value)
    if as_json:
        print_json({"format": fmt.value, "written": [str(p) for p in written]})
        return
    for p in written:
        console().print(f"wrote {p}", highlight=False)


@app.command("import", cls=CaravanCommand)
def import_(
    source: Annotated[Path, typer.Argument(help="GMNS folder or OpenStreetMap .osm.pbf file.")],
    out: Annotated[Path, typer.Argument(help="Atlas folder to write.")],
    fmt: Annotated[
        ImportFormat,
        typer.Option("--from", help="GMNS folder or OpenStreetMap file.", show_default=False),
    ],
    bbox: Annotated[
        str | None, typer.Option(help="OSM: keep ways within W,S,E,N.", show_default=False)
    ] = None,
    modes: Annotated[str, typer.Option(help="OSM: modes to import.")] = "rail,road,ferry",
    defaults: Annotated[
        Path | None,
        typer.Option(
            "--defaults-from",
            help="Atlas whose mode defaults, commodities and transfers to carry over.",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="GMNS: status of links without one.", show_default=False)
    ] = None,
    assume_open_by: Annotated[
        int | None,
        typer.Option(help="OSM: opening year of ways without start_date.", show_default=False),
    ] = None,
    as_json: _JsonOpt = False,
) -> None:
    """Import a network as an atlas folder and list every value left to fill (exit 1 if any)."""
    from caravan.io.atlas_import import import_atlas

    with handled():
        result = import_atlas(
            source, out, fmt=fmt.value, bbox=bbox, modes=modes.split(","), defaults=defaults,
            status=status, assume_open_by=assume_open_by,
        )  # fmt: skip
    if as_json:
        print_json(
            {
                "out": str(result.out),
                "n_nodes": result.n_nodes,
                "n_links": result.n_links,
                "n_borders": result.n_borders,
                "ok": not result.problems,
                "problems": [
                    {"file": p.file, "row": p.row, "field": p.field, "message": p.message,
                     "fix": p.fix}
                    for p in result.problems
                ],
            },
            indent=2,
        )  # fmt: skip
        raise typer.Exit(1 if result.problems else 0)
    console().print(
        f"wrote {result.out}: {result.n_nodes:,} nodes, {result.n_links:,} links, "
        f"{result.n_borders:,} borders",
        highlight=False,
    )
    if result.problems:
        print_problems(console(), result.problems, f"{result.out} (values to fill)")
    raise typer.Exit(1 if result.problems else 0)
