"""``caravan claims check``: analysts' sentences evaluated against the model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import typer

from caravan.cli._common import (
    CaravanCommand,
    CaravanGroup,
    console,
    err_console,
    fail_on_caravan_error,
    new_table,
    print_json,
)

__all__ = ["app"]

app = typer.Typer(
    cls=CaravanGroup, help="Check analysts' claims against the model.", no_args_is_help=True
)

_STYLE = {"supported": "green", "refuted": "red", "inconclusive": "yellow"}


@app.command("check", cls=CaravanCommand)
def check(
    file: Path | None = typer.Argument(None, help="Claims YAML (default: the atlas's claims)."),
    ensemble: int | None = typer.Option(
        None, "--ensemble", help="Also run an ensemble of N draws for each flow claim."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print verdicts and evidence as JSON."),
    report: Path | None = typer.Option(None, "--report", help="Write an HTML page of verdicts."),
    atlas: Path | None = typer.Option(None, "--atlas", help="Atlas folder."),
) -> None:
    """Evaluate every claim: supported, refuted or inconclusive, with the evidence."""
    from rich.progress import Progress

    from caravan.claims import check_claims
    from caravan.io.atlas import load_atlas
    from caravan.io.claims import read_claims, shipped_claims_path

    if ensemble is not None and ensemble < 1:
        err_console().print("error: --ensemble must be at least 1 draw")
        raise typer.Exit(2)
    with fail_on_caravan_error():
        loaded = load_atlas(atlas)
        claims = read_claims(file if file is not None else shipped_claims_path(loaded), loaded)
        with Progress(console=err_console(), transient=True, disable=as_json) as bar:
            task = bar.add_task("claims", total=len(claims))
            results = check_claims(
                claims,
                loaded,
                ensemble_draws=ensemble,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if report is not None:
            from caravan.claims.html import claims_html
            from caravan.io._atomic import write_text_atomic

            write_text_atomic(claims_html(results, loaded), report)
    if as_json:
        print_json({"claims": [r.to_dict() for r in results]})
        return
    table = new_table("Claims", ["id:claim", "verdict", "quote / evidence"], lines=True)
    for r in results:
        verdict = r.verdict.value
        style = _STYLE.get(verdict, "default")
        evidence = "\n".join(f"  [{c.verdict.value}] {c.summary}" for c in r.checks)
        table.add_row(
            r.claim.claim_id,
            f"[{style}]{verdict}[/{style}]",
            f'"{r.claim.quote}"\n{evidence}',
        )
    console().print(table)
    console().print(tally(r.verdict.value for r in results), highlight=False)
    if report is not None:
        console().print(f"report written to {report.resolve()}", highlight=False)


def tally(verdicts: Iterable[str]) -> str:
    """A closing line: how many claims, and how many of each verdict (most common first).

    Examples
    --------
    >>> tally(["supported", "refuted", "supported"])
    '3 claims: 2 supported, 1 refuted'
    """
    counts = Counter(verdicts)
    total = sum(counts.values())
    parts = [f"{n} {verdict}" for verdict, n in counts.most_common()]
    return f"{total} claim{'' if total == 1 else 's'}: " + (", ".join(parts) or "none")
