"""Evaluating claims against the model: routes, comparisons, flows, reachability.

Route and comparison checks are deterministic: they use the least-cost (or shortest, fastest,
cheapest) route of the scenario. Flow checks compare two scenario runs; given an ensemble size,
they also report the probability that the change goes the claimed way across draws, and the
verdict follows it: supported at 0.8 or more, refuted at 0.2 or less, inconclusive between.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from caravan.claims.model import (
    Check,
    CheckKind,
    CheckResult,
    Claim,
    ClaimResult,
    RouteSpec,
    Verdict,
    combine,
)
from caravan.errors import CaravanError, NoRouteError, NotFoundError
from caravan.model.atlas import Atlas
from caravan.model.modes import ModeLayer
from caravan.model.scenario import Scenario

if TYPE_CHECKING:
    from caravan.network.model import Network

__all__ = ["P_REFUTED", "P_SUPPORTED", "ClaimEvaluator", "check_claims"]

#: Across an ensemble, a check holding in at least this share of draws is supported ...
P_SUPPORTED = 0.8
#: ... and one holding in at most this share is refuted; in between, inconclusive.
P_REFUTED = 0.2
#: Mode groups a route spec's ``mode`` may name, by layer (``modes.yaml``); any other value
#: names one mode.
MODE_GROUPS = {"overland": ModeLayer.LAND, "sea": ModeLayer.WATER}


def allowed_modes(atlas: Atlas, mode: str) -> tuple[str, ...]:
    """The modes a route spec's ``mode`` allows: a layer's modes, or the one mode named, or
    several joined by ``+`` (``rail+ferry``: a rail service that crosses the Caspian by ferry).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> allowed_modes(SimpleNamespace(mode_traits={}), "road+ferry")
    ('road', 'ferry')
    """
    out: list[str] = []
    for part in mode.split("+"):
        layer = MODE_GROUPS.get(part)
        if layer is None:
            out.append(part)
        else:
            out.extend(m for m, t in atlas.mode_traits.items() if t.layer is layer)
    return tuple(dict.fromkeys(out))


class ClaimEvaluator:
    """Evaluates checks on one atlas, caching scenarios, networks and runs.

    Parameters
    ----------
    atlas : Atlas
        The atlas the scenarios apply to.
    ensemble_draws : int, optional
        When given, flow checks also run an ensemble of this many draws.
    seed : int
        Seed of those ensembles.
    executor : str
        Where ensemble draws run (``in-process``, ``process``, ``dask``).
    """

    def __init__(
        self,
        atlas: Atlas,
        *,
        ensemble_draws: int | None = None,
        seed: int = 1,
        executor: str = "process",
    ) -> None:
        self.atlas = atlas
        self.ensemble_draws = ensemble_draws
        self.seed = seed
        self.executor = executor
        from caravan.pipeline import Pipeline  # the whole run machinery: only when evaluating

        self.pipeline = Pipeline(atlas)
        self._worlds: dict[tuple[str, tuple[str, ...], str | None], tuple[Atlas, str]] = {}
        self._runs: dict[str, Any] = {}

    # -- inputs ---------------------------------------------------------------------------

    def scenario(self, name: str) -> Scenario:
        """A shipped (or file) scenario, resolved once."""
        return self.pipeline.scenario(name)

    def world(self, spec: RouteSpec) -> tuple[Atlas, int]:
        """The scenario's atlas, with the spec's avoided countries and modes closed."""
        key = _world_key(spec)
        scenario = self.scenario(spec.scenario)
        if key not in self._worlds:
            extra_close: list[str] = []
            if spec.mode is not None:
                allowed = allowed_modes(self.atlas, spec.mode)
                links = self.atlas.links_frame
                extra_close = [str(x) for x in links.loc[~links["mode"].isin(allowed), "link_id"]]
            changed = dataclasses.replace(
                scenario,
                close_countries=(*scenario.close_countries, *spec.avoid_countries),
                close_links=(*scenario.close_links, *extra_close),
            )
            self._worlds[key] = self.pipeline.world(changed)
        return self._worlds[key][0], scenario.year

    def network(self, spec: RouteSpec) -> Network:
        """The network of the spec's world, year and commodity, built once."""
        world, year = self.world(spec)
        world_key = self._worlds[_world_key(spec)][1]
        return self.pipeline.network(world, world_key, year=year, commodity=spec.commodity)

    def best_route(self, spec: RouteSpec) -> Any:
        """The best route of a spec (through its ``via`` places, leg by leg)."""
        from caravan.results.routes import find_routes
        from caravan.routing.shortest import Kernel

        world, _ = self.world(spec)
        stops = [spec.origin, *spec.via, spec.destination]
        legs = []
        layer: str | None = None
        for a, b in itertools.pairwise(stops):
            world.node(a), world.node(b)  # as in route(): unknown places fail before the build
            network = self.network(spec)
            # A via place is passed through: the next part goes on from the layer the last one
            # arrived on, and a change of layer there pays its transfer (dwell and fee).
            part = find_routes(
                network, a, b, by=spec.by, k=1, kernel=Kernel.PYTHON, from_layer=layer
            )[0]
            layer = next(leg.to_layer for leg in reversed(part.legs) if leg.kind == "link")
            legs.append(part)
        if len(legs) == 1:
            return legs[0]
        return _JoinedRoute(legs)

    def run(self, name: str) -> Any:
        """A scenario run, computed once."""
        if name not in self._runs:
            self._runs[name] = self.pipeline.run(self.scenario(name))
        return self._runs[name]

    # -- checks ---------------------------------------------------------------------------

    def check(self, check: Check) -> CheckResult:
        """Evaluate one check; a check the model cannot decide is inconclusive, with why."""
        try:
            if check.kind is CheckKind.ROUTE:
                return self._route_check(check)
            if check.kind is CheckKind.COMPARE:
                return self._compare_check(check)
            if check.kind is CheckKind.FLOW:
                return self._flow_check(check)
            return self._reach_check(check)
        except NoRouteError as exc:
            return CheckResult(
                check.kind, Verdict.INCONCLUSIVE, f"no route: {exc}", {"no_route": str(exc)}
            )

    def _matches(self, item: str, r: Any) -> bool:
        kind, target = resolve_item(self.atlas, item)
        if kind == "country":
            return target in r.countries
        if kind == "project":
            return target in (*r.projects, *r.corridors)
        return target in r.node_ids

    def _route_check(self, check: Check) -> CheckResult:
        assert check.route is not None
        r = self.best_route(check.route)
        missing = [p for p in check.passes if not self._matches(p, r)]
        crossed = [a for a in check.avoids if self._matches(a, r)]
        ok = not missing and not crossed
        parts = []
        if check.passes:
            parts.append(
                "passes " + ", ".join(check.passes)
                if not missing
                else "does not pass " + ", ".join(missing)
            )
        if check.avoids:
            parts.append(
                "avoids " + ", ".join(check.avoids)
                if not crossed
                else "crosses " + ", ".join(crossed)
            )
        summary = (
            f"best route by {check.route.by} {check.route.origin} -> {check.route.destination} "
            f"({check.route.scenario}) {'; '.join(parts)}: via {'-'.join(r.countries)}, "
            f"{r.length_km:,.0f} km, {r.time_h:,.0f} h, {r.cost_usd_per_t:,.1f} USD/t"
        )
        verdict = Verdict.SUPPORTED if ok else Verdict.REFUTED
        return CheckResult(check.kind, verdict, summary, {"route": _route_evidence(r)})

    def _compare_check(self, check: Check) -> CheckResult:
        assert check.route is not None and check.other is not None
        a = self.best_route(check.route)
        b = self.best_route(check.other)
        field = {
            "shorter": "length_km",
            "cheaper": "cost_usd_per_t",
            "faster": "time_h",
            "cheaper_money": "money_usd_per_t",
        }[check.expect or "shorter"]
        va, vb = float(getattr(a, field)), float(getattr(b, field))
        saving = (vb - va) / vb if vb > 0 else 0.0
        ok = saving >= check.by_at_least and va < vb
        summary = (
            f"route 1 {field} {va:,.1f} vs route 2 {vb:,.1f}: route 1 is "
            f"{saving:+.1%} {'less' if saving >= 0 else 'more'} "
            f"(claim: {check.expect} by at least {check.by_at_least:.0%})"
        )
        return CheckResult(
            check.kind,
            Verdict.SUPPORTED if ok else Verdict.REFUTED,
            summary,
            {"route_1": _route_evidence(a), "route_2": _route_evidence(b), "saving": saving},
        )

    def _metric(self, run: Any, check: Check) -> float:
        if check.project is not None:
            table = run.corridor_flows.set_index("project_id")
            key = self.atlas.project(check.project).project_id
            column = "tonnes_per_year" if check.metric == "transit_tonnes" else check.metric
            return float(table.at[key, column]) if key in table.index else 0.0
        table = run.country_transit.set_index("country_iso3")
        return float(table.at[check.country, check.metric]) if check.country in table.index else 0.0

    def _flow_check(self, check: Check) -> CheckResult:
        assert check.from_scenario and check.to_scenario
        before = self._metric(self.run(check.from_scenario), check)
        after = self._metric(self.run(check.to_scenario), check)
        delta = after - before
        rises = check.direction == "rises"
        holds = delta > check.by_at_least if rises else delta < -check.by_at_least
        who = check.country or check.project
        summary = (
            f"{who} {check.metric}: {before:,.0f} in {check.from_scenario} -> {after:,.0f} in "
            f"{check.to_scenario} ({delta:+,.0f}; claim: {check.direction})"
        )
        evidence: dict[str, Any] = {"before": before, "after": after, "delta": delta}
        verdict = Verdict.SUPPORTED if holds else Verdict.REFUTED
        probability = None
        if self.ensemble_draws and check.country is not None:
            probability = self._ensemble_probability(check)
            evidence["probability"] = probability
            summary += f"; holds in {probability:.0%} of {self.ensemble_draws} draws"
            if probability >= P_SUPPORTED:
                verdict = Verdict.SUPPORTED
            elif probability <= P_REFUTED:
                verdict = Verdict.REFUTED
            else:
                verdict = Verdict.INCONCLUSIVE
        return CheckResult(check.kind, verdict, summary, evidence, probability)

    def _ensemble_probability(self, check: Check) -> float:
        target = self.scenario(str(check.to_scenario))
        spec = self.pipeline.ensemble_spec(target, draws=self.ensemble_draws, seed=self.seed)
        result = self.pipeline.ensemble(
            target,
            reference=self.scenario(str(check.from_scenario)),
            spec=spec,
            executor=self.executor,
        )
        rows = result.draws[result.draws["country_iso3"] == check.country]
        if rows.empty:
            return float("nan")
        delta = rows[f"delta_{check.metric}"].to_numpy()
        holds = (
            delta > check.by_at_least
            if check.direction == "rises"
            else (delta < -check.by_at_least)
        )
        return float(np.mean(holds))

    def _reach_check(self, check: Check) -> CheckResult:
        assert check.route is not None
        try:
            r = self.best_route(check.route)
        except NoRouteError as exc:
            verdict = Verdict.REFUTED if check.exists else Verdict.SUPPORTED
            return CheckResult(check.kind, verdict, f"no route: {exc}", {"no_route": str(exc)})
        verdict = Verdict.SUPPORTED if check.exists else Verdict.REFUTED
        return CheckResult(
            check.kind,
            verdict,
            f"a route exists via {'-'.join(r.countries)} ({r.length_km:,.0f} km)",
            {"route": _route_evidence(r)},
        )

    def evaluate(self, claim: Claim) -> ClaimResult:
        """Every check of a claim, and the claim's verdict."""
        results = tuple(self.check(c) for c in claim.checks)
        return ClaimResult(claim, combine([r.verdict for r in results]), results)


def _world_key(spec: RouteSpec) -> tuple[str, tuple[str, ...], str | None]:
    return spec.scenario, tuple(sorted(spec.avoid_countries)), spec.mode


def resolve_item(atlas: Atlas, item: str) -> tuple[str, str]:
    """What a ``passes``/``avoids`` item names: ``("country"|"place"|"project", id)``.

    An ISO3 code of an atlas country is a country; otherwise a place (id, name or alias) comes
    before a project, so ``Chabahar`` is the port, not the Chabahar port project. Prefix
    ``place:`` or ``project:`` to say which.

    Raises
    ------
    NotFoundError
        When nothing in the atlas has that name.
    """
    if item.startswith("project:"):
        return "project", atlas.project(item.removeprefix("project:")).project_id
    if item.startswith("place:"):
        return "place", atlas.node(item.removeprefix("place:")).node_id
    if item in atlas.countries:
        return "country", item
    try:
        return "place", atlas.node(item).node_id
    except NotFoundError as place_error:
        try:
            return "project", atlas.project(item).project_id
        except NotFoundError:
            raise place_error from None


class _JoinedRoute:
    """Several routes end to end (through ``via`` places), with summed totals."""

    def __init__(self, legs: Sequence[Any]) -> None:
        self.legs = list(legs)
        self.node_ids = tuple(n for i, leg in enumerate(legs) for n in leg.node_ids[i > 0 :])
        self.link_ids = tuple(lid for leg in legs for lid in leg.link_ids)
        self.countries = tuple(dict.fromkeys(c for leg in legs for c in leg.countries))
        self.projects = tuple(dict.fromkeys(p for leg in legs for p in leg.projects))
        self.corridors = tuple(dict.fromkeys(p for leg in legs for p in leg.corridors))
        for name in ("length_km", "time_h", "money_usd_per_t", "risk_usd_per_t", "cost_usd_per_t"):
            setattr(self, name, float(sum(getattr(leg, name) for leg in legs)))


def _route_evidence(r: Any) -> dict[str, Any]:
    return {
        "node_ids": list(r.node_ids),
        "countries": list(r.countries),
        "projects": list(r.projects),
        "length_km": round(float(r.length_km), 1),
        "time_h": round(float(r.time_h), 1),
        "money_usd_per_t": round(float(r.money_usd_per_t), 2),
        "cost_usd_per_t": round(float(r.cost_usd_per_t), 2),
    }


def check_claims(
    claims: Sequence[Claim],
    atlas: Atlas,
    *,
    ensemble_draws: int | None = None,
    seed: int = 1,
    executor: str = "process",
    progress: Callable[[int, int], None] | None = None,
) -> list[ClaimResult]:
    """Evaluate claims in order; a claim whose evaluation fails is inconclusive with the error."""
    evaluator = ClaimEvaluator(atlas, ensemble_draws=ensemble_draws, seed=seed, executor=executor)
    out = []
    for i, claim in enumerate(claims):
        try:
            out.append(evaluator.evaluate(claim))
        except CaravanError as exc:
            result = CheckResult(
                CheckKind.ROUTE, Verdict.INCONCLUSIVE, f"could not evaluate: {exc}"
            )
            out.append(ClaimResult(claim, Verdict.INCONCLUSIVE, (result,)))
        if progress is not None:
            progress(i + 1, len(claims))
    return out
