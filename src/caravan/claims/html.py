"""A self-contained HTML page of claims and verdicts, with the evidence one level down."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from caravan.claims.model import ClaimResult, Verdict
from caravan.model.atlas import Atlas

__all__ = ["claims_html"]

_COLOURS = {
    Verdict.SUPPORTED: "#1a7f37",
    Verdict.REFUTED: "#cf222e",
    Verdict.INCONCLUSIVE: "#9a6700",
    Verdict.NOT_TESTABLE: "#0550ae",
}


def claims_html(results: Sequence[ClaimResult], atlas: Atlas, *, title: str = "Claims") -> str:
    """The page: one section per claim (quote, source, verdict), checks in a details element."""
    esc = html.escape
    counts = {v: sum(r.verdict is v for r in results) for v in Verdict}
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title><style>",
        "body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}",
        "blockquote{margin:.5rem 0;padding-left:1rem;border-left:3px solid #ccc;font-style:italic}",
        ".v{font-weight:600;text-transform:uppercase}pre{white-space:pre-wrap;font-size:12px}",
        "</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>Atlas {esc(atlas.name)} {esc(atlas.version)} (digest {esc(atlas.digest[:12])}). ",
        ", ".join(f"{counts[v]} {v.value}" for v in Verdict),
        ".</p>",
    ]
    for r in results:
        claim = r.claim
        colour = _COLOURS[r.verdict]
        sources = []
        for sid in claim.source_ids:
            s = atlas.source(sid)
            sources.append(
                f"{esc(s.author or '')} — {esc(s.title)}" + (f" ({esc(s.date)})" if s.date else "")
            )
        parts += [
            f"<section id='{esc(claim.claim_id)}' data-verdict='{r.verdict.value}'>",
            f"<h2>{esc(claim.claim_id)} <span class='v' style='color:{colour}'>"
            f"{r.verdict.value}</span></h2>",
            "<p>"
            + ("P = -" if r.probability is None else f"P = {r.probability:.2f}")
            + (
                ""
                if r.margin is None
                else f"; margin {r.margin:+.4g} ± {r.band or 0:.4g} {esc(r.unit)}"
            )
            + (f"; not testable: {esc(r.reason)}" if r.reason else "")
            + "</p>",
            f"<blockquote>{esc(claim.quote)}</blockquote>",
            f"<p>Source: {'; '.join(sources)}</p><ul>",
        ]
        for c in r.checks:
            parts.append(
                f"<li><span style='color:{_COLOURS[c.verdict]}'>{c.verdict.value}</span> "
                f"({c.kind.value}): {esc(c.summary)}<details><summary>evidence</summary>"
                f"<pre>{esc(json.dumps(c.evidence, indent=1, default=str))}</pre></details></li>"
            )
        parts.append("</ul></section>")
    parts.append("</body></html>")
    return "".join(parts)
