"""``caravan ensemble SCENARIO``: many draws of the uncertain inputs, and what survives them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from caravan.cli._common import console, err_console, fail_on_caravan_error, new_table, print_json

__all__ = ["MAX_FAILED_SHARE", "ensemble"]

#: Largest share of failed draws ``caravan ensemble`` accepts before it exits 1.
MAX_FAILED_SHARE = 0.1


class _RateColumn(ProgressColumn):
    """Draws per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} draws/s" if speed else "- draws/s")


def ensemble(
    scenario: str = typer.Argument(..., help="Shipped scenario name or scenario YAML file."),
    vs: str | None = typer.Option(None, "--vs", help="Compare with this scenario in every draw."),
    draws: int | None = typer.Option(None, "--draws", help="Number of draws (default 1000)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the draws (default 1)."),
    workers: int | None = typer.Option(None, "--workers", help="Worker processes."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786)."
    ),
    local_cluster: bool = typer.Option(
        False, "--local-cluster", help="Start a local Dask cluster instead of a process pool."
    ),
    in_process: bool = typer.Option(False, "--in-process", help="Run every draw in this process."),
    spec_file: Path | None = typer.Option(
        None, "--spec", help="Ensemble spec YAML (default: the scenario's ensemble: section)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the tables and summary here."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    atlas: Path | None = typer.Option(None, "--atlas", help="Atlas folder."),
    max_failed_share: float = typer.Option(
        MAX_FAILED_SHARE,
        "--max-failed-share",
        min=0.0,
        max=1.0,
        help="Exit 1 when a larger share of the draws fails (their statistics would be biased).",
    ),
) -> None:
    """Draw every ranged input and project completion; who gains and loses, how surely."""
    from caravan.ensemble.spec import read_spec
    from caravan.io.atlas import load_atlas
    from caravan.pipeline import Pipeline

    chosen = [
        flag
        for flag, given in (
            ("--scheduler", scheduler is not None),
            ("--local-cluster", local_cluster),
            ("--in-process", in_process),
        )
        if given
    ]
    if len(chosen) > 1:
        err_console().print(
            f"error: {' and '.join(chosen)} choose different places to run the draws; "
            "give at most one of --scheduler, --local-cluster and --in-process",
            highlight=False,
        )
        raise typer.Exit(2)
    executor = (
        "dask"
        if (scheduler is not None or local_cluster)
        else "in-process"
        if in_process
        else "process"
    )
    with fail_on_caravan_error():
        pipeline = Pipeline(load_atlas(atlas))
        resolved = pipeline.scenario(scenario)
        if spec_file is not None:
            spec = read_spec(spec_file, draws=draws, seed=seed)
        else:
            spec = pipeline.ensemble_spec(resolved, draws=draws, seed=seed)
        bar = Progress(
            TextColumn("draws"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeRemainingColumn(),
            console=err_console(),
            transient=True,
            disable=as_json,
        )
        with bar:
            task = bar.add_task("draws", total=spec.draws)
            result = pipeline.ensemble(
                resolved,
                reference=vs,
                spec=spec,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if out is not None:
            from caravan.io.ensemble import write_ensemble

            write_ensemble(result, out)
    meta = result.meta
    failed, total = int(meta["failed"]), int(meta["draws"])
    share = failed / total if total else 0.0
    too_many = share > max_failed_share
    if as_json:
        print_json(
            {**result.to_dict(), "failed_share": share, "max_failed_share": max_failed_share}
        )
        if too_many:
            raise typer.Exit(1)
        return
    con = console()
    failed_note = f", [yellow]{failed} failed ({share:.0%})[/yellow]" if failed else ""
    con.print(
        f"[bold]{result.scenario}[/bold]"
        + (f" vs [bold]{result.reference}[/bold]" if vs else "")
        + f": {meta['succeeded']} of {total} draws succeeded{failed_note}, "
        f"{meta['draws_per_second']} draws/s ({meta['executor']}), seed {meta['seed']}"
    )
    metric = "delta_transit_tonnes" if vs else "transit_tonnes"
    columns = ["id:country", "num:mean", "num:p5", "num:p50", "num:p95"]
    columns += ["num:P(gain)", "num:P(loss)"] if vs else []
    table = new_table(
        "Transit tonnes by country across draws (Mt a year" + (", B - A)" if vs else ")"),
        columns,
    )
    drivers: list[str] = []
    for row in result.countries.to_dict("records"):
        if f"{metric}_mean" not in row or row.get(f"{metric}_p95") is None:
            continue
        if abs(row[f"{metric}_p5"]) < 1 and abs(row[f"{metric}_p95"]) < 1:
            continue
        cells = [str(row["country_iso3"])]
        cells += [f"{row[f'{metric}_{q}'] / 1e6:+,.3f}" for q in ("mean", "p5", "p50", "p95")]
        if vs:
            cells += [f"{row['p_gain']:.2f}", f"{row['p_loss']:.2f}"]
        table.add_row(*cells)
        if row.get("drivers"):
            drivers.append(f"  {row['country_iso3']}: {row['drivers']}")
    con.print(table)
    if drivers:
        con.print("main drivers (inputs whose draws move the result most):", highlight=False)
        for line in drivers:
            con.print(line, highlight=False)
    if meta.get("seasons"):
        con.print(f"seasons: {meta['seasons']}", highlight=False)
    for failure in result.failures.head(5).to_dict("records"):
        con.print(f"[yellow]draw {failure['draw']} failed[/yellow]: {failure['reason']}")
    if out is not None:
        con.print(f"ensemble written to {out}")
    if too_many:
        err_console().print(
            f"[bold red]error:[/bold red] {failed} of {total} draws failed ({share:.0%}), above "
            f"the allowed {max_failed_share:.0%} (--max-failed-share); the statistics above "
            f"cover only the {meta['succeeded']} draws that succeeded",
            highlight=False,
        )
        raise typer.Exit(1)
