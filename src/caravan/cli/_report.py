"""``caravan report``: the analyst brief of a scenario comparison, as HTML (and PDF)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from caravan.cli._common import console, err_console, fail_on_caravan_error, print_json
from caravan.cli._runs import _progress

__all__ = ["report"]


def report(
    a: str = typer.Argument(
        ..., metavar="A", help="Scenario A (the reference): a shipped name or a YAML file."
    ),
    b: str = typer.Argument(..., metavar="B", help="Scenario B (the what-if)."),
    out: Path = typer.Option(Path("brief.html"), "--out", help="The HTML file to write."),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also write a PDF beside it (needs Chromium or WeasyPrint)."
    ),
    top_flows: int = typer.Option(8, "--top-flows", min=1, help="Main flows to show in detail."),
    ensemble: int | None = typer.Option(
        None,
        "--ensemble",
        min=1,
        metavar="N",
        help="Also run N draws of B's uncertain inputs against A and show their spread.",
    ),
    seed: int | None = typer.Option(
        None, "--seed", min=0, help="Seed of the ensemble's draws (default: B's ensemble seed)."
    ),
    in_process: bool = typer.Option(
        False, "--in-process", help="Run the ensemble's draws in this process (no worker pool)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Worker processes for the ensemble's draws."
    ),
    atlas: Path | None = typer.Option(
        None, "--atlas", help="Atlas folder (default: the shipped atlas)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the files written and the ensemble's run as JSON."
    ),
) -> None:
    """Run scenarios A and B and write a self-contained brief comparing B against A."""
    from caravan.briefs import report as write_report
    from caravan.io.atlas import load_atlas
    from caravan.io.report import PdfConverterError, find_pdf_converter, write_brief_pdf
    from caravan.pipeline import Pipeline

    if ensemble is None and (seed is not None or in_process or workers is not None):
        err_console().print("error: --seed, --in-process and --workers need --ensemble N")
        raise typer.Exit(2)
    if pdf and find_pdf_converter() is None:  # say so before minutes of work, not after
        with fail_on_caravan_error():
            raise PdfConverterError(
                "--pdf needs a PDF converter and none was found; install one: "
                "'apt-get install chromium' (Debian/Ubuntu, or set CARAVAN_CHROMIUM to its path) "
                "or 'pip install weasyprint'; or drop --pdf and print the HTML brief from a browser"
            )
    con = console()
    with fail_on_caravan_error():
        loaded = load_atlas(atlas)
        pipeline = Pipeline(loaded)
        result = spec = None
        with _progress(not as_json) as update:

            def stage(name: str) -> Callable[[str, int, int], None]:
                def progress(what: str, done: int, total: int) -> None:
                    if update is not None:
                        update(f"{name}: {what}", done, total)

                return progress

            # One choice set per flow for both (see Pipeline.compare).
            compared = pipeline.compare(a, b, progress=stage(f"{a} vs {b}"))
            run_a, run_b = compared.a, compared.b
            if ensemble is not None:
                spec = pipeline.ensemble_spec(run_b.scenario, draws=ensemble, seed=seed)
                result = pipeline.ensemble(
                    run_b.scenario,
                    reference=run_a.scenario,
                    spec=spec,
                    executor="in-process" if in_process else "process",
                    workers=workers,
                    progress=None
                    if update is None
                    else lambda done, total: update(
                        f"ensemble of {run_b.name} vs {run_a.name}: draws", done, total
                    ),
                )
        written = write_report(
            run_a, run_b, out, top_flows=top_flows, ensemble=result, ensemble_spec=spec
        )
    pdf_path = None
    if pdf:
        with fail_on_caravan_error():
            pdf_path = write_brief_pdf(written, written.with_suffix(".pdf"))
    if as_json:
        print_json(
            {
                "html": str(written.resolve()),
                "pdf": None if pdf_path is None else str(pdf_path.resolve()),
                "scenario_a": a,
                "scenario_b": b,
                "ensemble": None if result is None else result.meta,
            }
        )
        return
    con.print(f"brief written to {written}", highlight=False)
    if result is not None:
        meta = result.meta
        con.print(
            f"ensemble: {meta.get('succeeded')} of {meta.get('draws')} draws succeeded "
            f"({meta.get('executor')}, seed {meta.get('seed')})",
            highlight=False,
        )
    if pdf_path is not None:
        con.print(f"PDF written to {pdf_path}", highlight=False)
