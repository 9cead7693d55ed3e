"""Observed against modelled volumes for one scenario run (``caravan validate counts``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caravan.errors import InputError
from caravan.model.atlas import Atlas
from caravan.model.counts import ObservedCount
from caravan.model.plain import to_plain
from caravan.results.counts import count_fit, count_incidence, fit_summary
from caravan.results.runs import RunResult, run_scenario

__all__ = ["CountValidation", "fit_of_run", "holdout_counts", "validate_counts"]

#: The scenario whose run is the base year.
BASE_SCENARIO = "baseline-2025"


@dataclass(frozen=True, eq=False)
class CountValidation:
    """Observed and modelled tonnes per count, and the pass rates.

    ``table`` has one row per count (see :func:`caravan.results.counts.count_fit`); ``summary``
    the in-sample share within +-25 % and the held-out share within +-40 %.
    """

    scenario: str
    table: pd.DataFrame = field(repr=False)
    summary: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``caravan validate counts --json``."""
        columns = ["count_id", "kind", "name", "year", "observed_tonnes", "modelled_tonnes"]
        columns += ["ratio", "abs_error_tonnes", "geh", "holdout"]
        counts = [
            {k: to_plain(v, digits=6) for k, v in row.items()}
            for row in self.table[columns].to_dict("records")
        ]
        return {
            "scenario": self.scenario,
            "counts": counts,
            "in_sample_within_25pct": self.summary["in_sample_within_25pct"],
            "holdout_within_40pct": self.summary["holdout_within_40pct"],
            "summary": {k: to_plain(v, digits=6) for k, v in self.summary.items()},
            "calibration": to_plain(self.calibration),
        }


def holdout_counts(
    counts: Sequence[ObservedCount], holdout: Sequence[str] | None
) -> tuple[ObservedCount, ...]:
    """The counts with their ``holdout`` flag set from a list of count ids (when given).

    Raises
    ------
    InputError
        When an id names no count.
    """
    if holdout is None:
        return tuple(counts)
    known = {c.count_id for c in counts}
    unknown = [h for h in holdout if h not in known]
    if unknown:
        raise InputError(
            f"unknown count id(s) {', '.join(unknown)} in the hold-out list: "
            f"use ids from observed.csv ({', '.join(sorted(known))})"
        )
    chosen = set(holdout)
    return tuple(ObservedCount(**{**c.__dict__, "holdout": c.count_id in chosen}) for c in counts)


def fit_of_run(run: RunResult, counts: Sequence[ObservedCount]) -> pd.DataFrame:
    """The fit table of a finished run against counts."""
    matrix = count_incidence(run.atlas, run.routes, run.flows, counts)
    modelled = matrix @ run.routes["tonnes_per_year"].to_numpy(dtype=float)
    return count_fit(counts, np.asarray(modelled))


def validate_counts(
    scenario: str | Path = BASE_SCENARIO,
    *,
    atlas: Atlas | None = None,
    observed: str | Path | None = None,
    holdout: Sequence[str] | None = None,
) -> CountValidation:
    """Run a scenario and compare it with the atlas's observed volumes.

    Parameters
    ----------
    scenario : str or Path
        The scenario to run (default: the base year, ``baseline-2025``).
    atlas : Atlas, optional
        The atlas (the shipped one by default); its calibration, when it has one, is used.
    observed : str or Path, optional
        The counts file (default: ``observed.csv`` in the atlas folder).
    holdout : sequence of str, optional
        Count ids held out. Default: those held out when the atlas was calibrated, else the
        ``holdout`` column of ``observed.csv``.
    """
    from caravan.io.atlas import load_atlas
    from caravan.io.observed import load_observed
    from caravan.io.scenario import load_scenario
    from caravan.security.files import scenario_events

    base = atlas if atlas is not None else load_atlas()
    calibration = dict(base.meta.get("calibration") or {})
    if holdout is None and calibration.get("holdout_count_ids") is not None:
        holdout = list(calibration["holdout_count_ids"])
    counts = holdout_counts(load_observed(base, path=observed), holdout)
    resolved = load_scenario(scenario, base)
    # the user's run: seasons and capacities, as `caravan run` and as the calibration fits it
    run = run_scenario(resolved, atlas=base, events=scenario_events(base, resolved))
    table = fit_of_run(run, counts)
    summary = fit_summary(table)
    keys = ("created_utc", "method", "logit_scale_per_usd")
    info = {k: calibration[k] for k in keys if k in calibration}
    return CountValidation(scenario=run.name, table=table, summary=summary, calibration=info)
