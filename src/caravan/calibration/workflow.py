"""``caravan calibrate``: estimate the base year's demand, choice constants and logit scale.

The model calibrated is the one a user runs (``caravan run baseline-2025``): the year settled
season by season under capacities, with routes round full facilities
(:func:`caravan.results.runs.settle_routed`). The base-year scenario is routed once on the
trade-based prior (the choice sets do not depend on the estimates). Then, for each logit scale
on a short grid, a bi-level loop alternates (Yang 1995; Spiess 1990): run the base year with the
current demand and constants; estimate the demand from the in-sample counts by generalised
least squares towards the prior, with each flow's share seen by each count taken from that run
(:mod:`caravan.calibration.odme`); move the constant of each counted border, corridor, port and
country by the damped constant-adjustment step (:mod:`caravan.calibration.constants`). The scale
whose final fit is best (sum of squared log ratios over the in-sample counts) is kept. The
"after" fit is the run on the calibrated atlas, elastic demand included. Held-out counts are
never used.

Yang, H. (1995). Heuristic algorithms for the bilevel origin-destination matrix estimation
problem. *Transportation Research B* 29(4), 231-242.
Spiess, H. (1990). A gradient approach for the O-D matrix adjustment problem. EMME/2 report,
Centre de recherche sur les transports, Montreal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from caravan.calibration.constants import update_constants
from caravan.calibration.odme import gls_odme
from caravan.calibration.validation import BASE_SCENARIO, fit_of_run, holdout_counts
from caravan.errors import CaravanError
from caravan.model.atlas import Atlas
from caravan.model.calibration import (
    Calibration,
    ChoiceConstant,
    DemandElasticity,
    apply_calibration,
)
from caravan.model.counts import CountKind, CountScope, ObservedCount
from caravan.model.modes import modes_where
from caravan.results.counts import count_incidence, fit_summary
from caravan.results.runs import (
    RoutedScenario,
    RunResult,
    route_scenario,
    run_scenario,
    settle_routed,
)
from caravan.security.files import scenario_events

__all__ = ["DEFAULT_ELASTICITY", "CalibrationResult", "calibrate", "calibrate_atlas"]

METHOD = (
    "bi-level: path-size logit SUE; GLS OD estimation towards the trade-based prior "
    "(Cascetta 1984, Bell 1991); damped constant adjustment (Train 2009); scale by grid search"
)
REFERENCE = (
    "Cascetta (1984) Transp. Res. B 18:289-299; Bell (1991) Transp. Res. B 25:13-22; "
    "Yang (1995) Transp. Res. B 29:231-242; Train (2009) Discrete Choice Methods, s. 2.8"
)

#: Logit scales tried (per US$ of generalised cost per tonne).
SCALE_GRID = (0.015, 0.03, 0.06)
#: Outer iterations of the bi-level loop per scale.
OUTER_ITERATIONS = 8
#: Largest route-choice constant of a border, corridor or port (US$/t, either sign).
BOUND_USD_PER_T = 150.0
#: Largest transit constant of a country (US$/t): it reaches every route through the country,
#: so it stays small (a country-wide preference, not a stand-in for missing trade).
TRANSIT_BOUND_USD_PER_T = 40.0
#: Counts whose places get a route-choice constant (a country's transit count gets a transit
#: constant: on every route that crosses the country on land with neither end there).
_CONSTANT_KINDS = frozenset(
    {CountKind.BORDER, CountKind.CORRIDOR, CountKind.PORT, CountKind.TRANSIT}
)

#: Elasticity of tonnes to generalised cost (judgement inside the surveyed range; see docs).
DEFAULT_ELASTICITY = DemandElasticity(
    value=-0.5,
    low=-1.0,
    high=-0.2,
    basis=(
        "Judgement inside the spread of freight tonne elasticities to the freight rate "
        "surveyed by Oum, Waters and Yong (1992) and compared across 12 studies in Transport "
        "Policy (2011); central -0.5, range -1.0 to -0.2. Not a value read from one study."
    ),
    source_ids=("elast-oum-waters-yong-1992", "elast-transport-policy-2011"),
)


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """The estimated calibration and the fit tables before and after."""

    calibration: Calibration
    before: pd.DataFrame = field(repr=False)
    after: pd.DataFrame = field(repr=False)
    by_scale: dict[float, float] = field(default_factory=dict)


def calibrate(
    atlas: Atlas,
    counts: Sequence[ObservedCount],
    *,
    scenario: str = BASE_SCENARIO,
    holdout: Sequence[str] | None = None,
    scales: Sequence[float] = SCALE_GRID,
    iterations: int = OUTER_ITERATIONS,
    progress: Callable[[str, int, int], None] | None = None,
) -> CalibrationResult:
    """Estimate demand, constants and scale so that the base year reproduces the counts.

    Every evaluation is the run a user gets from ``caravan run`` on the scenario: its season
    by season settlement under capacity (:func:`caravan.results.runs.settle_routed`), with
    routes round full facilities; the "after" fit is that run on the calibrated atlas, elastic
    demand included, so ``caravan validate counts`` reproduces it.

    Parameters
    ----------
    atlas : Atlas
        The atlas with its trade-based prior (not an already calibrated one).
    counts : sequence of ObservedCount
        The observed volumes; those held out are never used.
    scenario : str
        The base-year scenario.
    holdout : sequence of str, optional
        Count ids to hold out (default: the ``holdout`` column of ``observed.csv``).
    scales, iterations
        The logit scales tried and the outer iterations per scale.
    """
    from caravan import __version__
    from caravan.io.scenario import load_scenario

    if atlas.meta.get("calibration"):
        raise CaravanError("calibrate starts from the prior: load the atlas without calibration")
    counts = holdout_counts(counts, holdout)
    resolved = load_scenario(scenario, atlas)
    base = _prepare(atlas, resolved, progress)
    in_idx = np.array([i for i, c in enumerate(counts) if not c.holdout], dtype=np.int64)
    if not len(in_idx):
        raise CaravanError("every count is held out: keep some in sample to calibrate on")
    const_idx = np.array([i for i in in_idx if counts[i].kind in _CONSTANT_KINDS], dtype=np.int64)
    links = [_links_of(c, atlas) for c in counts]
    exempt = [_exempt_of(c, atlas) for c in counts]
    observed = np.array([c.observed_tonnes for c in counts])
    bound = np.array(
        [
            TRANSIT_BOUND_USD_PER_T if c.kind is CountKind.TRANSIT else BOUND_USD_PER_T
            for c in counts
        ]
    )
    sd = np.array(
        [
            max((c.observed_tonnes_high - c.observed_tonnes_low) / 4, 0.1 * c.observed_tonnes)
            for c in counts
        ]
    )

    def settle(tonnes: np.ndarray, kappa: np.ndarray, theta: float | None) -> RunResult:
        meta: dict[str, Any] = {}
        if theta is not None:
            meta = {
                "logit_scale_per_usd": theta,
                "constants": [
                    {
                        "link_ids": links[i],
                        "usd_per_t": float(kappa[i]),
                        "exempt_countries": exempt[i],
                    }
                    for i in const_idx
                    if abs(kappa[i]) > 1e-9
                ],
            }
        return _settle(base, tonnes, meta)

    before = fit_of_run(settle(base.prior, np.zeros(len(counts)), None), counts)
    best: tuple[float, float, np.ndarray, np.ndarray] | None = None
    by_scale: dict[float, float] = {}
    for s_i, theta in enumerate(scales):
        tonnes = base.prior.copy()
        kappa = np.zeros(len(counts))
        for it in range(iterations):
            if progress is not None:
                progress("calibrating", s_i * iterations + it, len(scales) * iterations)
            run = settle(tonnes, kappa, theta)
            count_map = _count_map(base, run, counts)
            est = gls_odme(
                base.prior,
                base.prior_sd,
                count_map[in_idx],
                observed[in_idx],
                sd[in_idx],
                lower_tonnes=0.5 * base.low,
                upper_tonnes=2.0 * base.high,
            )
            tonnes = est.tonnes
            modelled = count_map @ tonnes
            kappa[const_idx] = update_constants(
                kappa[const_idx],
                observed[const_idx],
                modelled[const_idx],
                theta_per_usd=theta,
                bound_usd_per_t=bound[const_idx],
            )
        final = fit_of_run(settle(tonnes, kappa, theta), counts)["modelled_tonnes"].to_numpy()
        score = _score(final[in_idx], observed[in_idx])
        by_scale[float(theta)] = score
        if best is None or score < best[1]:
            best = (float(theta), score, tonnes.copy(), kappa.copy())
    assert best is not None
    theta, _score_best, tonnes, kappa = best
    flow_cost = _flow_costs(base, settle(tonnes, kappa, theta))
    constants = tuple(
        ChoiceConstant(counts[i].count_id, links[i], round(float(kappa[i]), 3), exempt[i])
        for i in const_idx
        if abs(kappa[i]) > 1e-9
    )
    calibration = Calibration(
        method=METHOD,
        reference=REFERENCE,
        scenario=resolved.name,
        created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        caravan_version=__version__,
        prior_digest=atlas.digest,
        logit_scale_per_usd=theta,
        constants=constants,
        holdout_count_ids=tuple(c.count_id for c in counts if c.holdout),
        flow_tonnes={f: round(float(t), 1) for f, t in zip(base.flow_ids, tonnes, strict=True)},
        flow_base_cost_usd_per_t={
            f: round(float(c), 4) for f, c in zip(base.flow_ids, flow_cost, strict=True)
        },
        elasticity=DEFAULT_ELASTICITY,
        fit_before=fit_summary(before),
    )
    # The after fit is the user's run on the calibrated atlas (elastic demand included).
    after = fit_of_run(
        run_scenario(
            resolved,
            atlas=apply_calibration(atlas, calibration),
            events=scenario_events(atlas, resolved),
        ),
        counts,
    )
    calibration = dataclasses.replace(calibration, fit_after=fit_summary(after))
    return CalibrationResult(calibration=calibration, before=before, after=after, by_scale=by_scale)


def calibrate_atlas(
    folder: str | Path | None = None,
    *,
    holdout: Sequence[str] | None = None,
    scenario: str = BASE_SCENARIO,
    write: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> CalibrationResult:
    """Calibrate an atlas folder's base year on its ``observed.csv`` and write the result there.

    Reads the trade-based prior (the folder's calibration, if any, is ignored), estimates
    (:func:`calibrate`) and, when ``write``, writes ``calibration.yaml`` and
    ``calibrated_demand.csv`` into the folder.
    """
    from caravan.io.atlas import load_atlas, shipped_atlas_path
    from caravan.io.calibration import write_calibration
    from caravan.io.observed import load_observed

    path = Path(folder) if folder is not None else shipped_atlas_path()
    atlas = load_atlas(path, calibrated=False)
    counts = load_observed(atlas)
    result = calibrate(atlas, counts, scenario=scenario, holdout=holdout, progress=progress)
    if write:
        prior = dict(
            zip(atlas.demand_frame["flow_id"], atlas.demand_frame["tonnes_per_year"], strict=True)
        )
        write_calibration(
            result.calibration, path, prior_tonnes={str(k): float(v) for k, v in prior.items()}
        )
    return result


@dataclass(frozen=True, eq=False)
class _Base:
    """The base year routed once on the prior: the choice sets do not depend on the estimates."""

    routed: RoutedScenario
    flow_ids: list[str]
    flow_pos: dict[str, int]
    prior: np.ndarray
    prior_sd: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _prepare(
    atlas: Atlas, scenario: Any, progress: Callable[[str, int, int], None] | None
) -> _Base:
    routed = route_scenario(
        scenario, atlas=atlas, events=scenario_events(atlas, scenario), progress=progress
    )
    unserved = [r["flow_id"] for r in routed.flow_rows if r["unserved_reason"]]
    if unserved:
        raise CaravanError(f"base year leaves flows unserved, cannot calibrate: {unserved[:5]}")
    flow_ids = [str(r["flow_id"]) for r in routed.flow_rows]
    demand = routed.world.demand.set_index("flow_id").loc[flow_ids]
    prior = demand["tonnes_per_year"].to_numpy(dtype=float)
    low = demand["tonnes_per_year_low"].fillna(demand["tonnes_per_year"]).to_numpy(dtype=float)
    high = demand["tonnes_per_year_high"].fillna(demand["tonnes_per_year"]).to_numpy(dtype=float)
    prior_sd = np.maximum((high - low) / 4.0, 0.05 * prior) + 1.0
    return _Base(
        routed=routed,
        flow_ids=flow_ids,
        flow_pos={f: i for i, f in enumerate(flow_ids)},
        prior=prior,
        prior_sd=prior_sd,
        low=low,
        high=high,
    )


def _settle(base: _Base, tonnes: np.ndarray, calibration: dict[str, Any]) -> RunResult:
    """The user's run of the base year (seasons, capacities) with these tonnes and, when given,
    this logit scale and these constants (no elastic demand: the tonnes are the estimate)."""
    routed = base.routed
    flow_rows = [
        {**row, "tonnes_per_year": float(t)}
        for row, t in zip(routed.flow_rows, tonnes, strict=True)
    ]
    meta = {k: v for k, v in routed.world.meta.items() if k != "calibration"}
    if calibration:
        meta["calibration"] = calibration
    world = dataclasses.replace(routed.world, meta=meta)
    return settle_routed(dataclasses.replace(routed, world=world, flow_rows=flow_rows))


def _count_map(base: _Base, run: RunResult, counts: Sequence[ObservedCount]) -> sp.csr_matrix:
    """``P[count, flow]``: the share of each flow's tonnes each count sees in the run."""
    routes = run.routes
    incidence = count_incidence(run.atlas, routes, run.flows, counts)
    cols = routes["flow_id"].map(base.flow_pos).to_numpy(dtype=np.int64)
    n_routes = len(routes)
    route_to_flow = sp.csr_matrix(
        (routes["share"].to_numpy(dtype=float), (np.arange(n_routes), cols)),
        shape=(n_routes, len(base.flow_ids)),
    )
    return sp.csr_matrix(incidence @ route_to_flow)


def _flow_costs(base: _Base, run: RunResult) -> np.ndarray:
    """Each flow's expected cost in the run (US$/t): its routes' costs weighted by tonnes."""
    routes = run.routes
    pos = routes["flow_id"].map(base.flow_pos).to_numpy(dtype=np.int64)
    t = routes["tonnes_per_year"].to_numpy(dtype=float)
    c = routes["cost_usd_per_t"].to_numpy(dtype=float)
    n = len(base.flow_ids)
    weight = np.bincount(pos, weights=t, minlength=n)
    cost = np.bincount(pos, weights=t * c, minlength=n)
    plain = np.bincount(pos, weights=c, minlength=n) / np.maximum(np.bincount(pos, minlength=n), 1)
    return np.where(weight > 0, cost / np.where(weight > 0, weight, 1.0), plain)


def _score(modelled: np.ndarray, observed: np.ndarray) -> float:
    m = np.maximum(modelled, 1e3)
    return float(np.sum(np.log(m / observed) ** 2))


def _links_of(count: ObservedCount, atlas: Atlas) -> tuple[str, ...]:
    """The links a count's constant applies to (border ids turned into their links).

    A country's transit count: every non-sea link with an end in the country (the links on
    which :func:`caravan.results.counts.count_incidence` sees a route cross it).
    """
    if count.kind is CountKind.TRANSIT:
        links = atlas.links_frame
        country = dict(
            zip(atlas.nodes_frame["node_id"], atlas.nodes_frame["country_iso3"], strict=True)
        )
        targets = set(count.element_ids)
        land = links[~links["mode"].isin(modes_where(atlas.mode_traits, lambda t: t.deep_sea))]
        touches = land["from_node_id"].map(country).isin(targets) | land["to_node_id"].map(
            country
        ).isin(targets)
        return tuple(sorted(land.loc[touches, "link_id"]))
    if count.kind is CountKind.PORT:
        links = atlas.links_frame
        water = links[links["mode"].isin(modes_where(atlas.mode_traits, lambda t: t.water))]
        ports = set(count.element_ids)
        hit = water["from_node_id"].isin(ports) | water["to_node_id"].isin(ports)
        return tuple(sorted(water.loc[hit, "link_id"]))
    border_link = dict(
        zip(atlas.borders_frame["border_id"], atlas.borders_frame["link_id"], strict=True)
    )
    return tuple(border_link.get(e, e) for e in count.element_ids)


def _exempt_of(count: ObservedCount, atlas: Atlas) -> tuple[str, ...]:
    """Countries whose own cargo a count's constant spares.

    The port's country for a count of transit cargo through a port; the country itself for a
    country's transit count (its own trade is not transit).
    """
    if count.kind is CountKind.TRANSIT:
        return tuple(sorted(count.element_ids))
    transit = (CountScope.TRANSIT, CountScope.TRANSIT_IN)
    if count.scope not in transit or count.kind is not CountKind.PORT:
        return ()
    country = dict(
        zip(atlas.nodes_frame["node_id"], atlas.nodes_frame["country_iso3"], strict=True)
    )
    return tuple(sorted({country[n] for n in count.element_ids}))
