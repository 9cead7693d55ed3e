"""``caravan tntp ...``: solve TNTP benchmark networks and score them against best-known flows."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from caravan.cli._common import (
    CaravanCommand,
    CaravanGroup,
    console,
    err_console,
    fail_on_caravan_error,
    print_json,
)

if TYPE_CHECKING:
    from caravan.assign._problem import ProgressFn

__all__ = ["app"]

app = typer.Typer(
    cls=CaravanGroup, help="TNTP benchmark networks: equilibrium assignment.", no_args_is_help=True
)


@app.command("assign", cls=CaravanCommand)
def assign_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder with *_net.tntp, *_trips.tntp [and *_flow.tntp].")
    ],
    algorithm: Annotated[
        str,
        typer.Option(
            "--algorithm", "-a", help="fw, cfw, bfw, gp (gradient projection) or b (Algorithm B)."
        ),
    ] = "gp",
    gap: Annotated[float, typer.Option(help="Relative-gap target.")] = 1e-6,
    max_iter: Annotated[int | None, typer.Option(help="Iteration cap.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write link flows (CSV: init_node,term_node,volume,time).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object on stdout.")
    ] = False,
    toll_factor: Annotated[
        float | None, typer.Option(help="Time units per toll unit (default: known table, else 0).")
    ] = None,
    distance_factor: Annotated[
        float | None,
        typer.Option(help="Time units per length unit (default: known table, else 0)."),
    ] = None,
) -> None:
    """Solve user equilibrium on a TNTP network and compare TSTT with the best-known flows.

    Generalised-cost weights come from the network's metadata, else from the table
    caravan.assign.tntp.TNTP_COST_WEIGHTS (ChicagoSketch: 0.02 per toll unit, 0.04 per mile),
    else 0; --toll-factor and --distance-factor override them.
    """
    from caravan.assign.tntp import assign_tntp
    from caravan.io.tntp import read_tntp_dir, write_link_flows_csv

    with fail_on_caravan_error():
        data = read_tntp_dir(directory)
        with _progress_bar(f"{data.name} {algorithm}", gap) as progress:
            run = assign_tntp(
                data,
                algorithm=algorithm,
                gap=gap,
                max_iter=max_iter,
                toll_factor=toll_factor,
                distance_factor=distance_factor,
                progress=progress,
            )
        if out is not None:
            write_link_flows_csv(out, data.net, run.result.total_flow, run.result.link_time)
    summary = run.summary()
    if as_json:
        print_json(summary)
        return
    from rich.table import Table  # only for the table: --json and the tests need no rich

    table = Table(title=f"{data.name}: {algorithm}", show_header=False)
    for key, value in summary.items():
        table.add_row(key, f"{value:.10g}" if isinstance(value, float) else str(value))
    console().print(table)
    if not run.result.converged:
        err_console().print(
            f"[yellow]warning:[/yellow] gap {run.result.relative_gap:.3e} did not reach {gap:g} "
            f"in {run.result.iterations} iterations"
        )


@contextmanager
def _progress_bar(label: str, gap: float) -> Iterator[ProgressFn | None]:
    """A progress bar on standard error, filled on a log scale from the first gap to ``gap``;
    none where standard error is no terminal (a pipe, a file, a test)."""
    if not sys.stderr.isatty():
        yield None
        return
    # rich's live display is imported only when there is a terminal to draw it on
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("iteration {task.fields[iteration]}  gap {task.fields[gap]}"),
        TimeElapsedColumn(),
    )
    start_gap: list[float] = []
    with Progress(*columns, console=err_console(), transient=True) as bar:
        task = bar.add_task(label, total=1.0, iteration=0, gap="-")

        def progress(iteration: int, rel_gap: float) -> None:
            if not start_gap and rel_gap > 0:
                start_gap.append(rel_gap)
            done = 0.0
            if start_gap and 0 < rel_gap < start_gap[0]:  # share of the way on a log scale
                span = math.log10(start_gap[0] / gap) if start_gap[0] > gap else 1.0
                done = min(1.0, math.log10(start_gap[0] / rel_gap) / span)
            bar.update(task, completed=done, iteration=iteration, gap=f"{rel_gap:.2e}")

        yield progress
