"""Dated facts of a sentence (start year, length, financier, status) against the atlas.

The atlas's project records carry these facts with their sources, and a ``disputes`` entry
where a source (often the article itself) says otherwise. A fact is ``matches``, ``differs``
(refuting the check, with the finding and its sources) or ``undocumented`` (the atlas's
sources neither confirm nor deny it: the check is then inconclusive on that part).
"""

from __future__ import annotations

from typing import Any

from caravan.claims.model import FACT_FIELDS, Check, CheckKind, CheckResult, Verdict
from caravan.errors import NotFoundError
from caravan.model.atlas import Atlas

__all__ = ["FACT_FIELDS", "facts_check"]

#: A length within this share of the atlas's value (or inside its low-high range) matches.
LENGTH_TOLERANCE = 0.02


def _cite(atlas: Atlas, source_ids: tuple[str, ...]) -> list[str]:
    out = []
    for sid in source_ids:
        try:
            s = atlas.source(sid)
        except NotFoundError:  # a missing source is named by its id
            out.append(sid)
            continue
        who = f"{s.author}, " if s.author else (f"{s.publisher}, " if s.publisher else "")
        out.append(f"{who}{s.title}" + (f" ({s.date})" if s.date else "") + f" [{sid}]")
    return out


def _dispute(project: Any, field: str) -> Any:
    return next((d for d in project.disputes if d.field == field), None)


def facts_check(atlas: Atlas, check: Check) -> CheckResult:
    """Compare each claimed fact of the check's project with the atlas and its sources."""
    project = atlas.project(str(check.project))
    rows: list[dict[str, Any]] = []
    for name, claimed in check.facts:
        attr = FACT_FIELDS[name]
        atlas_value = getattr(project, attr)
        dispute = _dispute(project, attr)
        if name == "length_km":
            value = atlas_value.value if atlas_value is not None else None
            low = atlas_value.low if atlas_value is not None and atlas_value.low else value
            high = atlas_value.high if atlas_value is not None and atlas_value.high else value
            if value is None:
                outcome = "undocumented"
            else:
                c = float(claimed)
                ok = (
                    (low or 0) * (1 - LENGTH_TOLERANCE) <= c <= (high or 0) * (1 + LENGTH_TOLERANCE)
                )
                outcome = "matches" if ok else "differs"
            shown: Any = value if low == high else f"{value} ({low}-{high})"
        elif name == "financier":
            sponsors = tuple(atlas_value or ())
            outcome = "matches" if str(claimed) in sponsors else "undocumented"
            shown = ", ".join(sponsors) or "none recorded"
        elif name == "status":
            shown = getattr(atlas_value, "value", atlas_value)
            outcome = "matches" if str(claimed) == str(shown) else "differs"
        else:
            shown = atlas_value
            if atlas_value is None:
                outcome = "undocumented"
            else:
                outcome = "matches" if int(claimed) == int(atlas_value) else "differs"
        row: dict[str, Any] = {
            "fact": name,
            "claimed": claimed,
            "atlas": shown,
            "outcome": outcome,
            "sources": _cite(atlas, project.source_ids),
        }
        if dispute is not None:
            row["finding"] = dispute.finding
            row["sources"] = _cite(atlas, dispute.source_ids)
        rows.append(row)
    differs = [r for r in rows if r["outcome"] == "differs"]
    unknown = [r for r in rows if r["outcome"] == "undocumented"]
    if differs:
        verdict = Verdict.REFUTED
    elif unknown:
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.SUPPORTED
    parts = []
    for r in rows:
        text = f"{r['fact']} {r['claimed']}: {r['outcome']} (atlas: {r['atlas']})"
        if r["outcome"] != "matches" and "finding" in r:
            text += f"; {r['finding']}"
        if r["outcome"] != "matches":
            text += f"; sources: {'; '.join(r['sources'][:3])}"
        parts.append(text)
    summary = f"{project.name}: " + " | ".join(parts)
    return CheckResult(
        CheckKind.FACTS,
        verdict,
        summary,
        {"project_id": project.project_id, "facts": rows},
        probability=None,
    )
