"""The security layer: actors, dated relations and events, turned into zone risk as of a date.

Nothing here opens a file: :mod:`caravan.io.security` reads and writes the ``security/`` part of
an atlas and ACLED exports.
"""

from __future__ import annotations

from caravan.security.acled import AcledImport, merge_events, parse_acled, resolve_actor_ids
from caravan.security.records import (
    Actor,
    ActorKind,
    BasedIn,
    Confidence,
    Event,
    EventType,
    Predicate,
    Relation,
    SecurityData,
)
from caravan.security.risk import (
    Blend,
    Contribution,
    RiskModel,
    ZoneRisk,
    scenario_risk_changes,
    security_atlas,
    zone_risk_table,
    zone_risks,
)
from caravan.security.validate import build_security, validate_security

__all__ = [
    "AcledImport",
    "Actor",
    "ActorKind",
    "BasedIn",
    "Blend",
    "Confidence",
    "Contribution",
    "Event",
    "EventType",
    "Predicate",
    "Relation",
    "RiskModel",
    "SecurityData",
    "ZoneRisk",
    "build_security",
    "merge_events",
    "parse_acled",
    "resolve_actor_ids",
    "scenario_risk_changes",
    "security_atlas",
    "validate_security",
    "zone_risk_table",
    "zone_risks",
]
