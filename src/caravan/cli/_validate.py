"""``caravan validate counts``: the model against observed volumes."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from caravan.cli._common import (
    CaravanCommand,
    CaravanGroup,
    console,
    fail_on_caravan_error,
    print_json,
)

__all__ = ["app", "counts"]

app = typer.Typer(
    cls=CaravanGroup,
    help="Check the model against what is observed.",
    no_args_is_help=True,
    add_completion=False,
)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


@app.command("counts", cls=CaravanCommand)
def counts(
    scenario: str = typer.Argument("baseline-2025", help="Scenario to run (the base year)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    holdout: str | None = typer.Option(
        None, "--holdout", help="Comma-separated count ids to report as held out."
    ),
    atlas: Path | None = typer.Option(None, "--atlas", help="Atlas folder (default: shipped)."),
    observed: Path | None = typer.Option(None, "--observed", help="Counts CSV (default: atlas)."),
) -> None:
    """Observed against modelled tonnes per count: ratio, absolute error, GEH, pass rates."""
    from caravan.calibration.validation import validate_counts
    from caravan.io.atlas import load_atlas

    ids = [h.strip() for h in holdout.split(",") if h.strip()] if holdout else None
    with fail_on_caravan_error():
        base = load_atlas(atlas) if atlas is not None else load_atlas()
        result = validate_counts(scenario, atlas=base, observed=observed, holdout=ids)
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(title=f"Observed against modelled, {result.scenario}")
    for col in ("count", "kind", "year", "observed Mt", "modelled Mt", "ratio", "GEH", "held"):
        left = col in ("count", "kind", "held")
        table.add_column(col, justify="left" if left else "right", no_wrap=col == "count")
    for row in result.table.to_dict("records"):
        table.add_row(
            str(row["count_id"]),
            str(row["kind"]),
            str(row["year"]),
            f"{float(row['observed_tonnes']) / 1e6:,.2f}",
            f"{float(row['modelled_tonnes']) / 1e6:,.2f}",
            f"{float(row['ratio']):.2f}",
            f"{float(row['geh']):.1f}",
            "out" if row["holdout"] else "in",
        )
    con = console()
    con.print(table)
    s = result.summary
    con.print(
        f"in sample: {_pct(s['in_sample_within_25pct'])} of {s['in_sample_counts']} counts "
        f"within ±25% (target 85%); held out: {_pct(s['holdout_within_40pct'])} of "
        f"{s['holdout_counts']} within ±40% (target 70%)"
    )
