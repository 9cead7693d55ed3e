"""A base-year calibration: the estimated demand, choice constants, logit scale and elasticity.

``caravan calibrate`` writes one into the atlas folder (``calibration.yaml`` and
``calibrated_demand.csv``); loading the atlas applies it (:func:`apply_calibration`): the demand
table's tonnes become the estimated ones (low and high scaled alike), and the run's route
choice uses the estimated scale and constants. The trade-based prior stays in ``demand.csv``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from caravan.model.atlas import Atlas

__all__ = ["Calibration", "ChoiceConstant", "DemandElasticity", "apply_calibration"]


@dataclass(frozen=True)
class ChoiceConstant:
    """A constant (US$ per tonne) added to the choice cost of every route using any of the links.

    Estimated from one count (``count_id``): positive when the model sent too much cargo over
    the counted place (an unmodelled cost: queues, informal fees, closures), negative when too
    little. Flows that start or end in one of ``exempt_countries`` do not pay it (the
    constant of a count of transit cargo through a port applies to transit cargo only).
    """

    count_id: str
    link_ids: tuple[str, ...]
    usd_per_t: float
    exempt_countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemandElasticity:
    """Elasticity of a flow's tonnes to its generalised cost: ``T = T0 (C / C0) ** value``."""

    value: float
    low: float
    high: float
    basis: str
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Calibration:
    """What ``caravan calibrate`` estimated, with its provenance."""

    method: str
    reference: str
    scenario: str
    created_utc: str
    caravan_version: str
    prior_digest: str
    logit_scale_per_usd: float
    constants: tuple[ChoiceConstant, ...]
    holdout_count_ids: tuple[str, ...]
    flow_tonnes: Mapping[str, float] = field(default_factory=dict)
    flow_base_cost_usd_per_t: Mapping[str, float] = field(default_factory=dict)
    elasticity: DemandElasticity | None = None
    fit_before: Mapping[str, Any] = field(default_factory=dict)
    fit_after: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The calibration's parameters and provenance as plain data (no per-flow tables)."""
        return {
            "method": self.method,
            "reference": self.reference,
            "scenario": self.scenario,
            "created_utc": self.created_utc,
            "caravan_version": self.caravan_version,
            "prior_digest": self.prior_digest,
            "logit_scale_per_usd": self.logit_scale_per_usd,
            "holdout_count_ids": list(self.holdout_count_ids),
            "constants": [dataclasses.asdict(c) for c in self.constants],
            "elasticity": dataclasses.asdict(self.elasticity) if self.elasticity else None,
            "fit_before": dict(self.fit_before),
            "fit_after": dict(self.fit_after),
        }


def apply_calibration(atlas: Atlas, calibration: Calibration) -> Atlas:
    """The atlas with the calibrated demand in its demand table and the calibration in ``meta``.

    Each flow named in the calibration gets the estimated tonnes, its low and high scaled by
    the same factor; flows it does not name (added since) keep their tonnes.
    """
    demand = atlas.demand_frame.copy()
    prior = demand["tonnes_per_year"].to_numpy(dtype=float)
    new = np.array(
        [
            float(calibration.flow_tonnes.get(str(f), p))
            for f, p in zip(demand["flow_id"], prior, strict=True)
        ]
    )
    factor = np.divide(new, prior, out=np.ones_like(new), where=prior > 0)
    demand["tonnes_per_year"] = new
    for col in ("tonnes_per_year_low", "tonnes_per_year_high"):
        if col in demand:
            demand[col] = demand[col].astype(float) * factor
    meta = dict(atlas.meta)
    meta["calibration"] = {
        **calibration.summary(),
        "flow_base_cost_usd_per_t": dict(calibration.flow_base_cost_usd_per_t),
    }
    return dataclasses.replace(atlas, demand_frame=demand, meta=meta)
