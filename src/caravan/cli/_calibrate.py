"""``caravan calibrate``: fit the base year to the observed volumes."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from caravan.cli._common import console, fail_on_caravan_error, print_json, split_ids

__all__ = ["calibrate"]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def calibrate(
    holdout: str | None = typer.Option(
        None, "--holdout", help="Comma-separated count ids never used in calibration."
    ),
    atlas: Path | None = typer.Option(None, "--atlas", help="Atlas folder (default: shipped)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Estimate but write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Estimate demand, route-choice constants and scale from observed.csv; write them."""
    from caravan.calibration.workflow import calibrate_atlas
    from caravan.model.plain import to_plain

    with fail_on_caravan_error():
        ids = split_ids(holdout, option="--holdout", example="dostyk,aktau")
        result = calibrate_atlas(atlas, holdout=ids, write=not dry_run)
    cal = result.calibration
    if as_json:
        print_json(to_plain(cal.summary()))
        return
    table = Table(title="Base-year fit, before and after calibration")
    for col in ("count", "observed Mt", "before Mt", "after Mt", "after ratio", "held"):
        left = col in ("count", "held")
        table.add_column(col, justify="left" if left else "right", no_wrap=col == "count")
    before = dict(zip(result.before["count_id"], result.before["modelled_tonnes"], strict=True))
    for row in result.after.to_dict("records"):
        table.add_row(
            str(row["count_id"]),
            f"{float(row['observed_tonnes']) / 1e6:,.2f}",
            f"{float(before[row['count_id']]) / 1e6:,.2f}",
            f"{float(row['modelled_tonnes']) / 1e6:,.2f}",
            f"{float(row['ratio']):.2f}",
            "out" if row["holdout"] else "in",
        )
    con = console()
    con.print(table)
    for name, fit in (("before", cal.fit_before), ("after", cal.fit_after)):
        con.print(
            f"{name}: in sample {_pct(fit['in_sample_within_25pct'])} within ±25%, "
            f"held out {_pct(fit['holdout_within_40pct'])} within ±40%"
        )
    con.print(f"logit scale {cal.logit_scale_per_usd:g} per US$; {len(cal.constants)} constants")
    if not dry_run:
        con.print("written: calibration.yaml and calibrated_demand.csv in the atlas folder")
