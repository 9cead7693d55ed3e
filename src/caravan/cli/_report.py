"""``caravan report``: the analyst brief of a scenario comparison, as HTML (and PDF)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from caravan.cli._common import console, fail_on_caravan_error
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
    atlas: Path | None = typer.Option(
        None, "--atlas", help="Atlas folder (default: the shipped atlas)."
    ),
) -> None:
    """Run scenarios A and B and write a self-contained brief comparing B against A."""
    from caravan.briefs import report as write_report
    from caravan.io.atlas import load_atlas
    from caravan.io.report import write_brief_pdf
    from caravan.results.runs import run_scenario

    con = console()
    with fail_on_caravan_error():
        loaded = load_atlas(atlas)
        with _progress(True) as update:

            def stage(name: str) -> Callable[[str, int, int], None]:
                def progress(what: str, done: int, total: int) -> None:
                    update(f"{name}: {what}", done, total)

                return progress

            run_a = run_scenario(a, atlas=loaded, progress=stage(a))
            run_b = run_scenario(b, atlas=loaded, progress=stage(b))
        written = write_report(run_a, run_b, out, top_flows=top_flows)
    con.print(f"brief written to {written}", highlight=False)
    if pdf:
        with fail_on_caravan_error():
            pdf_path = write_brief_pdf(written, written.with_suffix(".pdf"))
        con.print(f"PDF written to {pdf_path}", highlight=False)
