"""``caravan validate counts`` and ``caravan validate routes``: the model against what is known."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from caravan.cli._common import (
    CaravanCommand,
    CaravanGroup,
    console,
    err_console,
    fail_on_caravan_error,
    print_json,
    split_ids,
)

__all__ = ["app", "counts", "routes"]

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

    with fail_on_caravan_error():
        ids = split_ids(holdout, option="--holdout", example="dostyk,aktau")
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


@app.command("routes", cls=CaravanCommand)
def routes(
    file: Path | None = typer.Argument(
        None, help="Validation table CSV (default: the atlas's validation/routes.csv)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print every pair and the pass rate as JSON."
    ),
    atlas: Path | None = typer.Option(None, "--atlas", help="Atlas folder (default: shipped)."),
) -> None:
    """Route every pair of the validation table; print modelled figures and pass or fail."""
    from caravan.io.atlas import load_atlas
    from caravan.io.validation import read_route_cases, route_cases_path
    from caravan.validation.routes import pass_rate, validate_routes

    with fail_on_caravan_error():
        loaded = load_atlas(atlas) if atlas is not None else load_atlas()
        cases = read_route_cases(file if file is not None else route_cases_path(loaded), loaded)
        results = validate_routes(cases, loaded)
    rate = pass_rate(results)
    if as_json:
        print_json(
            {
                "pairs": [r.to_dict() for r in results],
                "n_pairs": len(results),
                "n_passed": sum(r.passed for r in results),
                "pass_rate": round(rate, 4),
            }
        )
        return
    n_passed = sum(r.passed for r in results)
    table = Table(title=f"Route validation: {n_passed} of {len(results)} pairs pass ({rate:.0%})")
    for col in ("pair", "", "km", "hours", "USD/t", "expected", "why not"):
        table.add_column(col, overflow="fold")
    for r in results:
        e = r.case.expected()
        expected = "; ".join(
            f"{k} {v[0]:g}-{v[1]:g}" if isinstance(v, list) and len(v) == 2 and None not in v
            else f"{k} {v}"
            for k, v in (("km", e.get("length_km")), ("h", e.get("time_h")),
                         ("USD/t", e.get("money_usd_per_t")))
            if v is not None
        )  # fmt: skip
        table.add_row(
            f"{r.case.origin} → {r.case.destination}",
            "[green]pass[/green]" if r.passed else "[red]FAIL[/red]",
            "–" if r.length_km is None else f"{r.length_km:,.0f}",
            "–" if r.time_h is None else f"{r.time_h:,.0f}",
            "–" if r.money_usd_per_t is None else f"{r.money_usd_per_t:,.1f}",
            expected,
            "; ".join(r.failures),
        )
    console().print(table)
    if not results:
        err_console().print("no pairs in the table")
