"""Ensemble results as tables, and their summaries: percentiles, P(gain), what drives the spread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from caravan.ensemble.compile import EnsembleInputs
from caravan.ensemble.evaluate import DrawResult
from caravan.model.plain import to_plain
from caravan.results.diversion import FORMER_KINDS, RouteKind

__all__ = [
    "DIVERSION_MEASURES",
    "EnsembleResult",
    "diversion_draws",
    "diversion_summary",
    "summarise",
]

#: A change smaller than this many tonnes a year counts as no change.
NO_CHANGE_T = 1.0
METRICS: tuple[str, ...] = ("transit_tonnes", "transit_tkm", "transit_revenue_usd")
#: How the draws treat seasons (stated in the output): a draw settles its year once, so splitting
#: it into seasons would cost every draw one settlement per season.
SEASONS_NOTE = (
    "not applied: every draw settles the year as one season on the yearly network, without "
    "the seasonal closures and restrictions (status_events.yaml, every_year) by which a run "
    "splits its year and sums the seasons"
)


@dataclass(frozen=True, eq=False)
class EnsembleResult:
    """Per-draw tables and summaries of an ensemble.

    - ``draws``: one row per draw, scenario and country (transit metrics; and the change
      against the reference when there is one);
    - ``inputs``: one row per draw, one column per drawn input;
    - ``failures``: the draws that failed, with the reason;
    - ``countries``: per country, mean and 5/50/95th percentiles of transit tonnes (and of
      the change), P(gain), P(loss), and the inputs that drive the change most;
    - ``diversion``: with a reference, one row per draw: whether the projects the scenario
      opens (and the reference does not) are complete in it, the tonnes they carry and where
      the cargo of the flows that use them came from (:func:`diversion_draws`);
      :meth:`diversion_summary` gives its percentiles over all draws and over the draws in
      which the projects are complete.
    """

    scenario: str
    reference: str | None
    draws: pd.DataFrame
    inputs: pd.DataFrame
    failures: pd.DataFrame
    countries: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    diversion: pd.DataFrame = field(default_factory=pd.DataFrame)

    def diversion_summary(self) -> pd.DataFrame:
        """Per measure of :attr:`diversion`: mean and 5/50/95th percentiles over every draw
        (``all_*``) and over the draws in which the projects are complete (``complete_*``,
        NaN when there is none), and how many draws each covers."""
        return diversion_summary(self.diversion)

    def to_dict(self) -> dict[str, Any]:
        """Summaries as plain data (for ``--json``)."""
        records = []
        for row in self.countries.to_dict("records"):
            records.append({str(k): to_plain(v, digits=6) for k, v in row.items()})
        return {
            "scenario": self.scenario,
            "reference": self.reference,
            **self.meta,
            "failures": [
                {"draw": int(r["draw"]), "reason": str(r["reason"])}
                for r in self.failures.to_dict("records")
            ],
            "countries": records,
            "diversion": [
                {str(k): to_plain(v, digits=6) for k, v in row.items()}
                for row in self.diversion_summary().to_dict("records")
            ],
        }


#: Per draw: what the projects carry and where their users' cargo came from (B - A), in tonnes.
DIVERSION_MEASURES: tuple[str, ...] = (
    "project_tonnes",
    "onto_project_tonnes",
    "from_iran_tonnes",
    "from_sea_tonnes",
    "from_overland_tonnes",
    "new_tonnes",
)


def diversion_draws(inputs: EnsembleInputs, results: Sequence[DrawResult]) -> pd.DataFrame:
    """Per successful draw, the cargo of the flows that use the focus projects
    (``inputs.focus_project_ids``) in the scenario or its reference, by kind of route
    (:mod:`caravan.results.diversion`: per flow, onto the projects = from Iran + from the sea
    + from other overland + new cargo), and whether every focus project that is drawn is
    complete in the draw. Empty without a reference, focus projects or route kinds."""
    columns = ["draw", "complete", *DIVERSION_MEASURES]
    if len(inputs.scenarios) < 2 or not inputs.focus_project_ids:
        return pd.DataFrame(columns=columns)
    scenario, reference = inputs.scenarios[0].name, inputs.scenarios[1].name
    focus = set(inputs.focus_project_ids)
    drawn = [
        int(i) for pid, i in zip(inputs.project_ids, inputs.project_input, strict=True)
        if pid in focus
    ]  # fmt: skip
    p = RouteKind.PROJECT.value
    rows = []
    for r in results:
        b, a = r.kind_tonnes.get(scenario), r.kind_tonnes.get(reference)
        if not r.ok or a is None or b is None:
            continue
        users = (a[:, p] >= 1.0) | (b[:, p] >= 1.0)
        a, b = a[users], b[users]
        row: dict[str, Any] = {
            "draw": r.draw_idx,
            "complete": all(r.values[i] > 0.5 for i in drawn),
            "project_tonnes": float(b[:, p].sum()),
            "onto_project_tonnes": float((b[:, p] - a[:, p]).sum()),
        }
        for kind in FORMER_KINDS:
            row[f"from_{kind.name.lower()}_tonnes"] = float((a[:, kind] - b[:, kind]).sum())
        row["new_tonnes"] = float(b.sum() - a.sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def diversion_summary(diversion: pd.DataFrame) -> pd.DataFrame:
    """Mean and 5/50/95th percentiles of each :data:`DIVERSION_MEASURES` column of
    :func:`diversion_draws`, over all draws and over the complete ones.

    Examples
    --------
    >>> d = pd.DataFrame({"draw": [0, 1, 2, 3], "complete": [False, True, False, True],
    ...                   **{m: [0.0, 10.0, 0.0, 30.0] for m in DIVERSION_MEASURES}})
    >>> row = diversion_summary(d).to_dict("records")[0]
    >>> row["measure"], row["all_mean"], row["complete_p50"], row["n_complete"]
    ('project_tonnes', 10.0, 20.0, 2)
    """
    rows = []
    complete = diversion["complete"].astype(bool) if not diversion.empty else pd.Series([])
    for measure in DIVERSION_MEASURES:
        row: dict[str, Any] = {
            "measure": measure,
            "n_draws": len(diversion),
            "n_complete": int(complete.sum()),
        }
        for label, part in (("all", diversion), ("complete", diversion[complete])):
            v = part[measure].to_numpy(dtype=float) if len(part) else np.zeros(0)
            row[f"{label}_mean"] = float(v.mean()) if v.size else float("nan")
            for q in (5, 50, 95):
                row[f"{label}_p{q}"] = float(np.percentile(v, q)) if v.size else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    rx, ry = rankdata(x), rankdata(y)
    return float(np.corrcoef(rx, ry)[0, 1])


class _RankedInputs:
    """The drawn inputs ranked once, for Spearman correlations with many outputs (the same
    values as :func:`_spearman` of each column, up to rounding)."""

    def __init__(self, values: np.ndarray) -> None:
        n = values.shape[0]
        self.flat = (np.ptp(values, axis=0) == 0) if n else np.ones(values.shape[1], bool)
        ranks = rankdata(values, axis=0) if n else values.astype(np.float64)
        centred = ranks - ranks.mean(axis=0) if n else ranks
        self.centred = centred
        self.norm = np.sqrt(np.einsum("ij,ij->j", centred, centred))
        self.n = n

    def spearman(self, y: np.ndarray) -> np.ndarray:
        """Each input's rank correlation with ``y`` (0 where either does not vary)."""
        out = np.zeros(self.centred.shape[1])
        if self.n < 3 or np.ptp(y) == 0:
            return out
        ry = rankdata(y)
        ry = ry - ry.mean()
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = (self.centred.T @ ry) / (self.norm * np.sqrt(ry @ ry))
        return np.where(self.flat, 0.0, np.clip(rho, -1.0, 1.0))


def summarise(
    inputs: EnsembleInputs, results: Sequence[DrawResult], *, top_drivers: int = 3
) -> EnsembleResult:
    """Tables and summaries of evaluated draws.

    Drivers are the inputs with the largest absolute Spearman rank correlation between their
    drawn values and the country's change in transit tonnes (or its transit tonnes, without a
    reference), over the successful draws.
    """
    scenario = inputs.scenarios[0].name
    reference = inputs.scenarios[1].name if len(inputs.scenarios) > 1 else None
    countries = list(inputs.countries)
    rows = []
    ok = [r for r in results if r.ok]
    for r in ok:
        a = r.transit[scenario]
        b = r.transit[reference] if reference else None
        for c, iso3 in enumerate(countries):
            row: dict[str, Any] = {"draw": r.draw_idx, "country_iso3": iso3}
            for m, metric in enumerate(METRICS):
                row[metric] = a[c, m]
                if b is not None:
                    row[f"{metric}_reference"] = b[c, m]
                    row[f"delta_{metric}"] = a[c, m] - b[c, m]
            rows.append(row)
    draws = pd.DataFrame(rows)
    names = [i.name for i in inputs.inputs]
    input_table = pd.DataFrame([[r.draw_idx, *r.values] for r in results], columns=["draw", *names])
    failures = pd.DataFrame(
        [{"draw": r.draw_idx, "reason": r.reason} for r in results if not r.ok],
        columns=["draw", "reason"],
    )
    summary_rows = []
    values = np.array([r.values for r in ok]).reshape(len(ok), len(names))
    target = "delta_transit_tonnes" if reference else "transit_tonnes"
    ranked = _RankedInputs(values)
    for iso3 in countries:
        sub = draws[draws["country_iso3"] == iso3] if not draws.empty else draws
        row = {"country_iso3": iso3, "n_draws": len(sub)}
        if sub.empty:
            summary_rows.append(row)
            continue
        for metric in ("transit_tonnes", "transit_revenue_usd") + (
            ("delta_transit_tonnes", "delta_transit_revenue_usd") if reference else ()
        ):
            v = sub[metric].to_numpy()
            row[f"{metric}_mean"] = float(v.mean())
            for q in (5, 50, 95):
                row[f"{metric}_p{q}"] = float(np.percentile(v, q))
        y = sub[target].to_numpy()
        if reference:
            row["p_gain"] = float((y > NO_CHANGE_T).mean())
            row["p_loss"] = float((y < -NO_CHANGE_T).mean())
        scores = [(abs(rho), rho, names[j]) for j, rho in enumerate(ranked.spearman(y).tolist())]
        scores = [s for s in scores if s[0] > 0]
        scores.sort(key=lambda s: (-s[0], s[2]))
        row["drivers"] = "; ".join(f"{n} ({rho:+.2f})" for _, rho, n in scores[:top_drivers])
        summary_rows.append(row)
    table = pd.DataFrame(summary_rows)
    sort_key = "delta_transit_tonnes_mean" if reference else "transit_tonnes_mean"
    if sort_key in table:
        table = table.sort_values(sort_key, ascending=False, na_position="last")
    meta = {
        "draws": len(results),
        "succeeded": len(ok),
        "failed": len(results) - len(ok),
        "seed": inputs.spec.seed,
        "inputs": len(names),
        "uncertain_projects": list(inputs.project_ids),
        "project_completion": {
            pid: inputs.inputs[int(i)].value
            for pid, i in zip(inputs.project_ids, inputs.project_input, strict=True)
        },
        "route_sets": "one per completion pattern of the uncertain projects",
        "seasons": SEASONS_NOTE,
    }
    if inputs.focus_project_ids and reference:
        meta["focus_projects"] = list(inputs.focus_project_ids)
    return EnsembleResult(
        scenario,
        reference,
        draws,
        input_table,
        failures,
        table.reset_index(drop=True),
        meta,
        diversion_draws(inputs, results),
    )
