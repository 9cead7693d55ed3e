"""Analysts' claims as data: the quoted sentence, its source, and the checks that test it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FACT_FIELDS",
    "Check",
    "CheckKind",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "NotTestable",
    "RouteSpec",
    "Verdict",
]


class Verdict(enum.StrEnum):
    """What the model says of a check or a claim."""

    SUPPORTED = "supported"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"
    NOT_TESTABLE = "not testable"


class NotTestable(enum.StrEnum):
    """Why a sentence (or part of one) gets no verdict from the model."""

    FORECAST = "forecast"  # a projection of the future the model cannot confirm or refute
    INTENT = "statement of intent"  # plans, aims, announcements
    ESTIMATE = "reported estimate"  # a figure reported by others, with no model counterpart
    CIRCULAR = "circular"  # the atlas encodes the claim itself, so the model only echoes it


#: The facts a ``facts`` check compares, and the project field each is read from.
FACT_FIELDS = {
    "start_year": "announced_year",
    "length_km": "length_km",
    "financier": "sponsors",
    "status": "status",
}


class CheckKind(enum.StrEnum):
    """The vocabulary of checks."""

    ROUTE = "route"  # a property of the best route from A to B in a scenario
    COMPARE = "compare"  # route 1 versus route 2
    FLOW = "flow"  # a country's transit (or a corridor's flow) rises or falls between scenarios
    REACHABILITY = "reachability"  # a route exists, or does not
    FACTS = "facts"  # dated facts of a project (start year, length, financier, status)
    NOT_TESTABLE = "not_testable"  # a part the model cannot test, with the reason


@dataclass(frozen=True)
class RouteSpec:
    """A route to evaluate: places, scenario, objective, and constraints.

    ``via`` entries are passed in order: a place, a country (ISO3), ``project:ID`` (a project or
    sea passage) or several places joined by ``|`` (any one of them). ``leg_modes``, when given,
    holds one mode (or mode group: ``overland``, ``sea``) per leg between the stops, so
    ``via: [Hamburg], leg_modes: [sea, rail]`` is "by sea to Hamburg, then by rail".
    """

    origin: str
    destination: str
    scenario: str = "baseline-2025"
    by: str = "cost"
    via: tuple[str, ...] = ()
    avoid_countries: tuple[str, ...] = ()
    mode: str | None = None
    commodity: str = "container"
    leg_modes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One check of a claim.

    ``route``: ``route`` is evaluated; ``passes`` (places, countries or projects it must use)
    and ``avoids`` (those it must not) are tested.
    ``compare``: ``route`` versus ``other``; ``expect`` is ``shorter``, ``cheaper`` or
    ``faster`` (route than other) by at least ``by_at_least`` (a fraction of the other's) and,
    when given, by at most ``by_at_most`` (a sentence that names a size: "nearly one-third").
    ``flow``: ``metric`` of ``country`` (or of ``project``) from scenario ``from_scenario`` to
    ``to_scenario`` ``rises`` or ``falls`` (``direction``) by at least ``by_at_least`` (tonnes
    or the metric's unit).
    ``reachability``: ``exists`` says whether ``route`` should exist.
    ``facts``: ``facts`` (``(field, claimed value)`` pairs: ``start_year``, ``length_km``,
    ``financier``, ``status``) of ``project`` are compared with the atlas and its sources.
    ``not_testable``: ``reason`` (a :class:`NotTestable`) says why; ``note`` says which part.
    """

    kind: CheckKind
    route: RouteSpec | None = None
    other: RouteSpec | None = None
    passes: tuple[str, ...] = ()
    avoids: tuple[str, ...] = ()
    expect: str | None = None
    by_at_least: float = 0.0
    by_at_most: float | None = None
    metric: str = "transit_tonnes"
    country: str | None = None
    project: str | None = None
    from_scenario: str | None = None
    to_scenario: str | None = None
    direction: str | None = None
    exists: bool | None = None
    facts: tuple[tuple[str, Any], ...] = ()
    reason: NotTestable | None = None
    note: str = ""


@dataclass(frozen=True)
class Claim:
    """A sentence from an article, exactly as written, with its source and checks."""

    claim_id: str
    quote: str
    source_ids: tuple[str, ...]
    checks: tuple[Check, ...]
    author: str = ""
    article: str = ""
    date: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check, with the evidence that decided it.

    ``probability``: the share of ensemble draws in which the check holds (``None`` when no
    draw can change it: facts, parts not testable). ``margin``: how far the central estimate is
    on the claimed side of the threshold (negative: on the other side), in ``unit``; ``band``:
    half the 10-90% range of the margin over the draws. ``holds``: per draw, whether the check
    held (``None`` when it has no draws); it is what makes a claim's joint probability.
    """

    kind: CheckKind
    verdict: Verdict
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    probability: float | None = None
    margin: float | None = None
    band: float | None = None
    unit: str = ""
    reason: str | None = None
    holds: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "kind": self.kind.value,
            "verdict": self.verdict.value,
            "probability": _rounded(self.probability, 3),
            "margin": _rounded(self.margin, 4),
            "band": _rounded(self.band, 4),
            "unit": self.unit,
            "reason": self.reason,
            "summary": self.summary,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class ClaimResult:
    """A claim's verdict (see :func:`combine`), its joint probability and its deciding check.

    ``probability`` is the share of draws in which every model check of the claim holds
    (``None`` without model checks); ``margin``, ``band`` and ``unit`` are those of the check
    that decides the verdict; ``reason`` says why a claim (or a part of it) is not testable.
    """

    claim: Claim
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    probability: float | None = None
    margin: float | None = None
    band: float | None = None
    unit: str = ""
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "claim_id": self.claim.claim_id,
            "quote": self.claim.quote,
            "source_ids": list(self.claim.source_ids),
            "author": self.claim.author,
            "article": self.claim.article,
            "verdict": self.verdict.value,
            "probability": _rounded(self.probability, 3),
            "margin": _rounded(self.margin, 4),
            "band": _rounded(self.band, 4),
            "unit": self.unit,
            "reason": self.reason,
            "checks": [c.to_dict() for c in self.checks],
        }


def _rounded(value: float | None, digits: int) -> float | None:
    if value is None or value != value:  # None or NaN
        return None
    return round(float(value), digits)


def combine(verdicts: list[Verdict]) -> Verdict:
    """Refuted if any check is; else inconclusive if any is; not testable if no check is
    testable; otherwise supported (every testable check is; the parts not testable are listed).

    Examples
    --------
    >>> combine([Verdict.SUPPORTED, Verdict.SUPPORTED]).value
    'supported'
    >>> combine([Verdict.SUPPORTED, Verdict.REFUTED, Verdict.INCONCLUSIVE]).value
    'refuted'
    >>> combine([Verdict.NOT_TESTABLE, Verdict.NOT_TESTABLE]).value
    'not testable'
    >>> combine([Verdict.SUPPORTED, Verdict.NOT_TESTABLE]).value
    'supported'
    """
    if any(v is Verdict.REFUTED for v in verdicts):
        return Verdict.REFUTED
    if not verdicts or any(v is Verdict.INCONCLUSIVE for v in verdicts):
        return Verdict.INCONCLUSIVE
    if all(v is Verdict.NOT_TESTABLE for v in verdicts):
        return Verdict.NOT_TESTABLE
    return Verdict.SUPPORTED
