"""``caravan demo``: the main job on the shipped atlas.

It validates the atlas and prints its summary, plans the routes the analysts ask about first,
runs every shipped scenario and compares each with ``baseline-2025``, then writes the analyst
brief of one comparison and says where it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from caravan.cli._atlas import handled, print_problems, print_summary
from caravan.cli._common import console, err_console
from caravan.errors import AtlasValidationError, CaravanError

if TYPE_CHECKING:  # the atlas model imports pandas: not for commands that do not need it
    from caravan.model.atlas import Atlas
    from caravan.results.compare import Comparison

__all__ = ["demo"]

#: The example routes: (from, to, year, projects to open).
EXAMPLE_ROUTES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("Tashkent", "Karachi", 2025, ()),
    ("Tashkent", "Karachi", 2030, ("kabul-corridor",)),
    ("Mumbai", "Tashkent", 2025, ()),
    ("Aqina", "Istanbul", 2025, ()),
)
BASELINE = "baseline-2025"


def _routes(atlas: Atlas) -> None:
    from caravan.cli._route import _projects_lines, _summary_table
    from caravan.results.routes import route

    out = console()
    out.rule("Routes the analysts ask about first")
    for origin, destination, year, projects in EXAMPLE_ROUTES:
        try:
            routes = route(atlas, origin, destination, year=year, k=2, open_projects=projects)
        except CaravanError as exc:
            out.print(f"{origin} -> {destination} ({year}): {exc}", highlight=False)
            continue
        out.print(_summary_table(routes))
        for line in _projects_lines(atlas, routes):
            out.print(line, highlight=False)


def _scenarios(atlas: Atlas, out_dir: Path) -> None:
    from caravan.briefs import DEMO_COMPARISON, write_demo_brief
    from caravan.cli._runs import print_comparison
    from caravan.io.scenario import list_scenarios
    from caravan.pipeline import Pipeline

    out = console()
    names = [s["name"] for s in list_scenarios(atlas)]
    if BASELINE not in names:
        out.print(f"no {BASELINE} scenario in this atlas: skipping the scenario runs")
        return
    out.rule(f"Every shipped scenario against {BASELINE}")
    pipeline = Pipeline(atlas)
    for_brief: Comparison | None = None  # the brief's comparison is one of these: not run again
    for name in names:
        if name == BASELINE:
            continue
        with err_console().status(f"running {name} and {BASELINE}"):
            comparison = pipeline.compare(BASELINE, name)
        if (BASELINE, name) == DEMO_COMPARISON:
            for_brief = comparison
        print_comparison(comparison, top=6)
    if DEMO_COMPARISON[1] not in names:
        return
    with err_console().status("writing the analyst brief"):
        path = write_demo_brief(atlas, out_dir, pipeline=pipeline, compared=for_brief)
    out.print(f"[bold]analyst brief:[/bold] {path.resolve()}", highlight=False)


def demo(
    out: Path = typer.Option(Path("out/demo"), "--out", help="Folder for the demo's files."),
) -> None:
    """Validate the atlas, plan example routes, run every scenario, write an analyst brief."""
    from caravan.io.atlas import load_atlas, shipped_atlas_path

    con = console()
    with handled():
        try:
            atlas = load_atlas()
        except AtlasValidationError as exc:
            print_problems(con, exc.problems, str(shipped_atlas_path()))
            raise typer.Exit(1) from None
        con.print("[green]✓[/green] the shipped atlas validates: no problems", highlight=False)
        print_summary(con, atlas.summary())
        _routes(atlas)
        if not atlas.demand_frame.empty:
            _scenarios(atlas, out)
