"""Analysts' claims as data: the quoted sentence, its source, and the checks that test it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Check",
    "CheckKind",
    "CheckResult",
    "Claim",
    "ClaimResult",
    "RouteSpec",
    "Verdict",
]


class Verdict(enum.StrEnum):
    """What the model says of a check or a claim."""

    SUPPORTED = "supported"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"


class CheckKind(enum.StrEnum):
    """The vocabulary of checks."""

    ROUTE = "route"  # a property of the best route from A to B in a scenario
    COMPARE = "compare"  # route 1 versus route 2
    FLOW = "flow"  # a country's transit (or a corridor's flow) rises or falls between scenarios
    REACHABILITY = "reachability"  # a route exists, or does not


@dataclass(frozen=True)
class RouteSpec:
    """A route to evaluate: places, scenario, objective, and constraints."""

    origin: str
    destination: str
    scenario: str = "baseline-2025"
    by: str = "cost"
    via: tuple[str, ...] = ()
    avoid_countries: tuple[str, ...] = ()
    mode: str | None = None
    commodity: str = "container"


@dataclass(frozen=True)
class Check:
    """One check of a claim.

    ``route``: ``route`` is evaluated; ``passes`` (places, countries or projects it must use)
    and ``avoids`` (those it must not) are tested.
    ``compare``: ``route`` versus ``other``; ``expect`` is ``shorter``, ``cheaper`` or
    ``faster`` (route than other) by at least ``by_at_least`` (a fraction of the other's).
    ``flow``: ``metric`` of ``country`` (or of ``project``) from scenario ``from_scenario`` to
    ``to_scenario`` ``rises`` or ``falls`` (``direction``) by at least ``by_at_least`` (tonnes
    or the metric's unit).
    ``reachability``: ``exists`` says whether ``route`` should exist.
    """

    kind: CheckKind
    route: RouteSpec | None = None
    other: RouteSpec | None = None
    passes: tuple[str, ...] = ()
    avoids: tuple[str, ...] = ()
    expect: str | None = None
    by_at_least: float = 0.0
    metric: str = "transit_tonnes"
    country: str | None = None
    project: str | None = None
    from_scenario: str | None = None
    to_scenario: str | None = None
    direction: str | None = None
    exists: bool | None = None
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
    """The verdict of one check, with the evidence that decided it."""

    kind: CheckKind
    verdict: Verdict
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    probability: float | None = None


@dataclass(frozen=True)
class ClaimResult:
    """A claim's verdict: supported if every check is, refuted if any is, else inconclusive."""

    claim: Claim
    verdict: Verdict
    checks: tuple[CheckResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "claim_id": self.claim.claim_id,
            "quote": self.claim.quote,
            "source_ids": list(self.claim.source_ids),
            "author": self.claim.author,
            "article": self.claim.article,
            "verdict": self.verdict.value,
            "checks": [
                {
                    "kind": c.kind.value,
                    "verdict": c.verdict.value,
                    "summary": c.summary,
                    "probability": c.probability,
                    "evidence": c.evidence,
                }
                for c in self.checks
            ],
        }


def combine(verdicts: list[Verdict]) -> Verdict:
    """Supported if every check is, refuted if any is, otherwise inconclusive.

    Examples
    --------
    >>> combine([Verdict.SUPPORTED, Verdict.SUPPORTED]).value
    'supported'
    >>> combine([Verdict.SUPPORTED, Verdict.REFUTED, Verdict.INCONCLUSIVE]).value
    'refuted'
    """
    if any(v is Verdict.REFUTED for v in verdicts):
        return Verdict.REFUTED
    if verdicts and all(v is Verdict.SUPPORTED for v in verdicts):
        return Verdict.SUPPORTED
    return Verdict.INCONCLUSIVE
