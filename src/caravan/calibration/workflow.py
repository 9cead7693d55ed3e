"""``caravan calibrate``: estimate the base year's demand, choice constants and logit scale.

The base-year scenario is routed once on the trade-based prior (the choice sets do not depend
on the estimates). Then, for each logit scale on a short grid, a bi-level loop alternates
(Yang 1992; Spiess 1990): settle route choice under capacity (path-size logit SUE) with the
current demand and constants; estimate the demand from the in-sample counts by generalised
least squares towards the prior (:mod:`caravan.calibration.odme`); move the constant of each
counted border, corridor and port by the damped constant-adjustment step
(:mod:`caravan.calibration.constants`). The scale whose final fit is best (sum of squared log
ratios over the in-sample counts) is kept. Held-out counts are never used.

Yang, H. (1995). Heuristic algorithms for the bilevel origin-destination matrix estimation
problem. *Transportation Research B* 29(4), 231-242.
Spiess, H. (1990). A gradient approach for the O-D matrix adjustment problem. EMME/2 report,
Centre de recherche sur les transports, Montreal.
"""

from __future__ import annotations

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
from caravan.calibration.validation import BASE_SCENARIO, holdout_counts
from caravan.errors import CaravanError
from caravan.model.atlas import Atlas
from caravan.model.calibration import Calibration, ChoiceConstant, DemandElasticity
from caravan.model.counts import CountKind, CountScope, ObservedCount
from caravan.model.modes import modes_where
from caravan.results.counts import count_fit, count_incidence, fit_summary
from caravan.results.runs import route_flows, scenario_world
from caravan.results.sue import CONSTANT_FLOOR_SHARE, routed_problem
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


@dataclass(frozen=True, eq=False)
class _Base:
    problem: Any
    route_rows: list[dict[str, Any]]
    flow_ids: list[str]
    incidence: sp.csr_matrix
    constant_incidence: sp.csr_matrix
    route_to_flow: sp.csr_matrix
    prior: np.ndarray
    prior_sd: np.ndarray
    low: np.ndarray
    high: np.ndarray
    max_iter: int
    tolerance: float
    theta0: float


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
    base = _prepare(atlas, resolved, counts, progress)
    in_idx = np.array([i for i, c in enumerate(counts) if not c.holdout], dtype=np.int64)
    if not len(in_idx):
        raise CaravanError("every count is held out: keep some in sample to calibrate on")
    const_idx = np.array([i for i in in_idx if counts[i].kind in _CONSTANT_KINDS], dtype=np.int64)
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
    before_tonnes = _modelled(base, base.prior, np.zeros(len(counts)), base.theta0)[0]
    before = count_fit(counts, before_tonnes)
    best: tuple[float, float, np.ndarray, np.ndarray] | None = None
    by_scale: dict[float, float] = {}
    for s_i, theta in enumerate(scales):
        tonnes = base.prior.copy()
        kappa = np.zeros(len(counts))
        for it in range(iterations):
            if progress is not None:
                progress("calibrating", s_i * iterations + it, len(scales) * iterations)
            route_p = _shares(base, tonnes, kappa, theta)
            count_map = base.incidence[in_idx] @ sp.diags(route_p) @ base.route_to_flow
            est = gls_odme(
                base.prior,
                base.prior_sd,
                count_map,
                observed[in_idx],
                sd[in_idx],
                lower_tonnes=0.5 * base.low,
                upper_tonnes=2.0 * base.high,
            )
            tonnes = est.tonnes
            modelled = base.incidence @ sp.diags(route_p) @ base.route_to_flow @ tonnes
            kappa[const_idx] = update_constants(
                kappa[const_idx],
                observed[const_idx],
                modelled[const_idx],
                theta_per_usd=theta,
                bound_usd_per_t=bound[const_idx],
            )
        final, _ = _modelled(base, tonnes, kappa, theta)
        score = _score(final[in_idx], observed[in_idx])
        by_scale[float(theta)] = score
        if best is None or score < best[1]:
            best = (float(theta), score, tonnes.copy(), kappa.copy())
    assert best is not None
    theta, _score_best, tonnes, kappa = best
    after_tonnes, flow_cost = _modelled(base, tonnes, kappa, theta)
    after = count_fit(counts, after_tonnes)
    constants = tuple(
        ChoiceConstant(
            counts[i].count_id,
            _links_of(counts[i], atlas),
            round(float(kappa[i]), 3),
            _exempt_of(counts[i], atlas),
        )
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
        fit_after=fit_summary(after),
    )
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


def _prepare(
    atlas: Atlas,
    scenario: Any,
    counts: Sequence[ObservedCount],
    progress: Callable[[str, int, int], None] | None,
) -> _Base:
    world = scenario_world(atlas, scenario, events=scenario_events(atlas, scenario))
    networks: dict[str, Any] = {}
    flow_rows, route_rows = route_flows(world, scenario, progress=progress, networks=networks)
    served = list(dict.fromkeys(r["flow_id"] for r in route_rows))
    if len(served) < len(flow_rows):
        missing = [r["flow_id"] for r in flow_rows if r["unserved_reason"]]
        raise CaravanError(f"base year leaves flows unserved, cannot calibrate: {missing[:5]}")
    settings = scenario.assignment
    flow_pos, problem = routed_problem(world, flow_rows, route_rows, networks, settings)
    routes = pd.DataFrame(
        {
            "flow_id": [r["flow_id"] for r in route_rows],
            "link_ids": [";".join(r["route"].link_ids) for r in route_rows],
        }
    )
    flows = pd.DataFrame(flow_rows)
    incidence = count_incidence(world, routes, flows, counts)
    n_routes = len(route_rows)
    # The routes a count's constant reaches: any route using one of its links, as in a run.
    rows: list[int] = []
    cols: list[int] = []
    node_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    for i, count in enumerate(counts):
        links = set(_links_of(count, world))
        exempt = set(_exempt_of(count, world))
        for j, r in enumerate(route_rows):
            nodes = r["route"].node_ids
            ends = {node_country[nodes[0]], node_country[nodes[-1]]}
            if not links.isdisjoint(r["route"].link_ids) and exempt.isdisjoint(ends):
                rows.append(i)
                cols.append(j)
    constant_incidence = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(counts), n_routes)
    )
    route_to_flow = sp.csr_matrix(
        (np.ones(n_routes), (np.arange(n_routes), [flow_pos[r["flow_id"]] for r in route_rows])),
        shape=(n_routes, len(served)),
    )
    demand = world.demand.set_index("flow_id").loc[served]
    prior = demand["tonnes_per_year"].to_numpy(dtype=float)
    low = demand["tonnes_per_year_low"].fillna(demand["tonnes_per_year"]).to_numpy(dtype=float)
    high = demand["tonnes_per_year_high"].fillna(demand["tonnes_per_year"]).to_numpy(dtype=float)
    prior_sd = np.maximum((high - low) / 4.0, 0.05 * prior) + 1.0
    return _Base(
        problem=problem,
        route_rows=route_rows,
        flow_ids=served,
        incidence=incidence,
        constant_incidence=constant_incidence,
        route_to_flow=route_to_flow,
        prior=prior,
        prior_sd=prior_sd,
        low=low,
        high=high,
        max_iter=settings.max_iter,
        tolerance=settings.gap,
        theta0=settings.logit_scale_per_usd,
    )


def _solve(base: _Base, tonnes: np.ndarray, kappa: np.ndarray, theta: float) -> Any:
    problem = base.problem
    money = problem.arc_money_usd_per_t.copy()
    first = problem.first_private_arc
    route_money = problem.arc_money_usd_per_t[first:]
    money[first:] += np.maximum(
        base.constant_incidence.T @ kappa, -CONSTANT_FLOOR_SHARE * route_money
    )
    return problem.solve(
        max_iter=base.max_iter,
        tolerance=base.tolerance,
        flow_tonnes=tonnes,
        flow_theta_per_usd=np.full(len(tonnes), theta),
        arc_money_usd_per_t=money,
    )


def _shares(base: _Base, tonnes: np.ndarray, kappa: np.ndarray, theta: float) -> np.ndarray:
    return np.asarray(_solve(base, tonnes, kappa, theta).route_probability, dtype=float)


def _modelled(
    base: _Base, tonnes: np.ndarray, kappa: np.ndarray, theta: float
) -> tuple[np.ndarray, np.ndarray]:
    """Modelled counts and each flow's expected cost (US$/t) after settling."""
    res = _solve(base, tonnes, kappa, theta)
    route_t = np.asarray(res.route_tonnes, dtype=float)
    p = np.asarray(res.route_probability, dtype=float)
    cost = np.asarray(res.route_cost_usd_per_t, dtype=float)
    flow_cost = base.route_to_flow.T @ (p * cost)
    return np.asarray(base.incidence @ route_t), np.asarray(flow_cost)


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
    if count.scope is not CountScope.TRANSIT or count.kind is not CountKind.PORT:
        return ()
    country = dict(
        zip(atlas.nodes_frame["node_id"], atlas.nodes_frame["country_iso3"], strict=True)
    )
    return tuple(sorted({country[n] for n in count.element_ids}))
