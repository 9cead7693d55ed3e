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

_STYLE = {
    "supported": "green",
    "refuted": "red",
    "inconclusive": "yellow",
    "not testable": "blue",
}


@app.command("check", cls=CaravanCommand)
def check(
    file: Path | None = typer.Argument(None, help="Claims YAML (default: the atlas's claims)."),
    ensemble: int | None = typer.Option(
        None,
        "--ensemble",
        help="Draws of the uncertain inputs every model check runs over (default 30).",
    ),
    in_process: bool = typer.Option(
        False,
        "--in-process",
        help="Settle the flow checks' scenarios in this process (default: one worker per core).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print verdicts and evidence as JSON."),
    report: Path | None = typer.Option(None, "--report", help="Write an HTML page of verdicts."),
    atlas: Path | None = typer.Option(None, "--atlas", help="Atlas folder."),
) -> None:
    """Evaluate every claim over ensemble draws: supported, refuted, inconclusive or not
    testable, with P, margin, band and the evidence."""
    from rich.progress import Progress

    from caravan.claims import check_claims
    from caravan.claims.parse import read_claims
    from caravan.io.atlas import load_atlas
    from caravan.io.claims import shipped_claims_path

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
                executor="in-process" if in_process else "process",
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if report is not None:
            from caravan.claims.html import claims_html
            from caravan.io._atomic import write_text_atomic

            write_text_atomic(claims_html(results, loaded), report)
    if as_json:
        print_json({"claims": [r.to_dict() for r in results]})
        return
    table = new_table(
        "Claims", ["id:claim", "verdict", "P", "margin ± band", "quote / evidence"], lines=True
    )
    for r in results:
        verdict = r.verdict.value
        style = _STYLE.get(verdict, "default")
        evidence = "\n".join(f"  [{c.verdict.value}] {c.summary}" for c in r.checks)
        table.add_row(
            r.claim.claim_id,
            f"[{style}]{verdict}[/{style}]" + (f"\n({r.reason})" if r.reason else ""),
            "-" if r.probability is None else f"{r.probability:.2f}",
            margin_text(r.margin, r.band, r.unit),
            f'"{r.claim.quote}"\n{evidence}',
        )
    console().print(table)
    console().print(tally(r.verdict.value for r in results), highlight=False)
    if report is not None:
        console().print(f"report written to {report.resolve()}", highlight=False)


def margin_text(margin: float | None, band: float | None, unit: str) -> str:
    """A margin and its band as one short text.

    Examples
    --------
    >>> margin_text(-0.05, 0.06, "share of route 2's money_usd_per_t")
    '-5.0% ± 6.0%'
    >>> margin_text(128607.0, 40740.0, "t/yr")
    '+128,607 ± 40,740 t/yr'
    >>> margin_text(None, None, "")
    '-'
    """
    if margin is None:
        return "-"
    if unit.startswith("share"):
        return f"{margin:+.1%} ± {band or 0:.1%}"
    return f"{margin:+,.0f} ± {band or 0:,.0f} {unit}".rstrip()


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
