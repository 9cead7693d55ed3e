"""Claims as checks: analysts' sentences evaluated against the model, with evidence."""

from __future__ import annotations

from caravan.claims.check import ClaimEvaluator, check_claims
from caravan.claims.model import (
    Check,
    CheckKind,
    CheckResult,
    Claim,
    ClaimResult,
    RouteSpec,
    Verdict,
)

__all__ = [
    "Check",
    "CheckKind",
    "CheckResult",
    "Claim",
    "ClaimEvaluator",
    "ClaimResult",
    "RouteSpec",
    "Verdict",
    "check_claims",
]
