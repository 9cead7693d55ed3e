"""``caravan skims``: zone-to-zone cost, time, distance and money matrices as OMX."""

from __future__ import annotations

from pathlib import Path

import typer

from caravan.cli._common import console, fail_on_caravan_error, print_json, split_ids

__all__ = ["skims"]


def skims(
    scenario: str = typer.Argument(..., help="Shipped scenario name or a scenario YAML file."),
    out: Path = typer.Option(..., "--out", help="The .omx file to write."),
    atlas: Path | None = typer.Option(None, "--atlas", help="Atlas folder (default: shipped)."),
    zones: str | None = typer.Option(
        None, help="Comma-separated place ids (default: every demand origin and destination)."
    ),
    commodity: str | None = typer.Option(
        None, help="Comma-separated commodity ids (default: all)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
    date: str | None = typer.Option(
        None,
        "--date",
        help="Day (YYYY-MM-DD): skim that day's links and season (seasonal closures applied); "
        "default: the yearly network without seasonal closures.",
    ),
) -> None:
    """Write skims (cost, time, distance, money between zones, per commodity) as OMX."""
    from caravan.io.atlas import load_atlas
    from caravan.io.omx import write_skims_omx
    from caravan.pipeline import scenario_skims

    with fail_on_caravan_error():
        result = scenario_skims(
            scenario,
            atlas=load_atlas(atlas),
            zone_ids=split_ids(zones, option="--zones", example="kabul,karachi"),
            commodity_ids=split_ids(commodity, option="--commodity", example="container,grain"),
            date=date,
        )
        path = write_skims_omx(result, out)
    n = len(result.zone_ids)
    if as_json:
        print_json(
            {
                "path": str(path),
                "zone_ids": list(result.zone_ids),
                "commodity_ids": list(result.commodity_ids),
                "matrices": {c: sorted(q) for c, q in result.matrices.items()},
                "seasons": result.seasons,
            },
            indent=2,
        )
        return
    console().print(
        f"wrote {path}: {n} x {n} zones, {len(result.commodity_ids)} commodities "
        f"({', '.join(result.commodity_ids)}), 4 matrices each",
        highlight=False,
    )
    console().print(f"seasons: {result.seasons}", highlight=False)
