"""Evaluating claims against the model: routes, comparisons, flows, reachability, facts.

Every model check runs over the same ensemble draws of the uncertain inputs (see
:mod:`caravan.claims.draws`): it reports the probability ``P`` that it holds across the draws,
its ``margin`` (how far the central estimate lies on the claimed side of the threshold) and the
``band`` (half the 10-90% range of the margin over the draws). A check is supported only when
``P >= 0.8`` and the margin is positive and outside the band, refuted only when ``P <= 0.2`` and
the margin is negative and outside the band, and inconclusive otherwise. Reachability does not
depend on the drawn inputs (no draw opens or closes a link: its P is exactly 1 or 0, and its
evidence says so); facts are compared with the atlas's sources;
parts of a sentence the model cannot test are ``not testable``, with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from caravan.claims.draws import DEFAULT_DRAWS, ClaimDraws, band_of
from caravan.claims.facts import facts_check
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
from caravan.claims.paths import route_evidence, route_through
from caravan.errors import CaravanError, InputError, NoRouteError, NotFoundError
from caravan.model.atlas import Atlas
from caravan.model.modes import ModeLayer
from caravan.model.scenario import Scenario
from caravan.results.run_tables import CORRIDOR_MIN_LENGTH_SHARE

if TYPE_CHECKING:
    from caravan.network.model import Network

__all__ = ["P_REFUTED", "P_SUPPORTED", "ClaimEvaluator", "check_claims", "decide"]

#: A check holding in at least this share of draws (margin outside the band) is supported ...
P_SUPPORTED = 0.8
#: ... and one holding in at most this share is refuted; in between, inconclusive.
P_REFUTED = 0.2
#: Mode groups a route spec's ``mode`` may name, by layer (``modes.yaml``); any other value
#: names one mode.
MODE_GROUPS = {"overland": ModeLayer.LAND, "sea": ModeLayer.WATER}
#: Where the scenarios of flow checks are settled (see :class:`ClaimEvaluator`).
EXECUTORS = ("process", "in-process")
#: Candidate routes per route spec, recosted under each draw.
CANDIDATES = 5
#: The route field each objective (``by``) and each comparison (``expect``) reads.
BY_FIELD = {
    "cost": "cost_usd_per_t",
    "money": "money_usd_per_t",
    "time": "time_h",
    "distance": "length_km",
}
EXPECT_FIELD = {
    "shorter": "length_km",
    "cheaper": "cost_usd_per_t",
    "faster": "time_h",
    "cheaper_money": "money_usd_per_t",
}


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


def decide(probability: float, margin: float | None, band: float | None) -> Verdict:
    """The verdict of a check from its probability, margin and band.

    Examples
    --------
    >>> decide(0.9, 0.3, 0.1).value, decide(0.9, 0.05, 0.1).value, decide(0.1, -0.3, 0.1).value
    ('supported', 'inconclusive', 'refuted')
    >>> decide(1.0, None, None).value, decide(0.5, 0.3, 0.1).value
    ('supported', 'inconclusive')
    """
    if probability != probability:  # NaN: no draw settled
        return Verdict.INCONCLUSIVE
    width = band or 0.0
    if probability >= P_SUPPORTED and (margin is None or margin > width):
        return Verdict.SUPPORTED
    if probability <= P_REFUTED and (margin is None or margin < -width):
        return Verdict.REFUTED
    return Verdict.INCONCLUSIVE


def _decided(
    check: Check,
    summary: str,
    evidence: dict[str, Any],
    holds: Any,
    probability: float,
    margin: float | None,
    band: float | None,
    unit: str,
) -> CheckResult:
    """A check decided over the ensemble draws: the verdict :func:`decide` gives for its
    probability, margin and band, with the summary, evidence and per-draw ``holds``."""
    return CheckResult(
        check.kind,
        decide(probability, margin, band),
        summary,
        evidence,
        probability=probability,
        margin=margin,
        band=band,
        unit=unit,
        holds=holds,
    )


#: What a flow check's margin is measured in, by its metric.
_FLOW_UNITS = {
    "transit_tonnes": "t/yr",
    "transit_tkm": "t-km/yr",
    "tkm_per_year": "t-km/yr",
    "transit_revenue_usd": "USD/yr",
}


def _p_text(p: float | None, margin: float | None, band: float | None, unit: str) -> str:
    if p is None:
        return ""
    text = f"; P = {p:.2f}"
    if margin is not None:
        if unit.startswith("share"):  # route checks: a relative margin
            text += f", margin {margin:+.1%} ± {band or 0:.1%}"
        else:  # flow checks: tonnes, tonne-km or US$ a year
            text += f", margin {margin:+,.0f} ± {band or 0:,.0f} {unit}"
    return text


class ClaimEvaluator:
    """Evaluates checks on one atlas, caching scenarios, networks, routes and draws.

    Parameters
    ----------
    atlas : Atlas
        The atlas the scenarios apply to.
    ensemble_draws : int, optional
        Draws of the uncertain inputs every model check runs over (default
        :data:`~caravan.claims.draws.DEFAULT_DRAWS`).
    seed : int
        Seed of the draws.
    executor : {"process", "in-process"}
        Where the scenarios of flow checks are settled under the draws when
        :meth:`prepare` is given them: ``process`` on forked worker processes, one per core
        (Linux; elsewhere in this process), ``in-process`` here. Routes are always found here.
    """

    def __init__(
        self,
        atlas: Atlas,
        *,
        ensemble_draws: int | None = None,
        seed: int = 1,
        executor: str = "process",
    ) -> None:
        if executor not in EXECUTORS:
            msg = f"unknown executor {executor!r}; use one of: {', '.join(EXECUTORS)}"
            raise InputError(msg)
        self.atlas = atlas
        self.ensemble_draws = DEFAULT_DRAWS if ensemble_draws is None else int(ensemble_draws)
        self.seed = seed
        self.executor = executor
        from caravan.pipeline import Pipeline  # the whole run machinery: only when evaluating

        self.pipeline = Pipeline(atlas)
        self.draws = ClaimDraws(self.pipeline, draws=self.ensemble_draws, seed=seed)
        self._worlds: dict[tuple[str, tuple[str, ...], str | None], tuple[Atlas, str]] = {}
        self._candidates: dict[tuple[RouteSpec, int], list[Any]] = {}

    # -- inputs ---------------------------------------------------------------------------

    def prepare(self, claims: Sequence[Claim]) -> None:
        """Settle every scenario the claims' flow checks compare under the draws, at once (on
        worker processes with the ``process`` executor); each is settled once, however many
        checks ask for it."""
        names = [
            name
            for claim in claims
            for c in claim.checks
            if c.kind is CheckKind.FLOW
            for name in (c.from_scenario, c.to_scenario)
            if name
        ]
        if self.executor == "process":
            self.draws.prepare(names)

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

    def candidates(self, spec: RouteSpec, k: int = CANDIDATES) -> list[Any]:
        """The best route of a spec first, then up to ``k - 1`` distinct alternatives (only
        the best one for a route through ``via`` stops or with modes by leg)."""
        key = (spec, k)
        if key not in self._candidates:
            # Routing only when a route check is evaluated (reading claims stays light).
            from caravan.results.routes import find_routes
            from caravan.routing.shortest import Kernel

            world, _ = self.world(spec)
            for place in (spec.origin, spec.destination):
                world.node(place)  # unknown places fail before the build
            network = self.network(spec)
            if spec.via or spec.leg_modes:
                stops = [
                    ("place", v) if "|" in v else resolve_item(self.atlas, v) for v in spec.via
                ]
                modes = [allowed_modes(self.atlas, m) for m in spec.leg_modes]
                found = [
                    route_through(
                        network, spec.origin, spec.destination, stops, by=spec.by, leg_modes=modes
                    )
                ]
            else:
                found = list(
                    find_routes(
                        network,
                        spec.origin,
                        spec.destination,
                        by=spec.by,
                        k=k,
                        kernel=Kernel.PYTHON,
                        explaining=self.pipeline.explaining_network,
                    )
                )
            self._candidates[key] = found
        return self._candidates[key]

    def best_route(self, spec: RouteSpec) -> Any:
        """The best route of a spec (through its ``via`` stops in order, as one route)."""
        return self.candidates(spec, 1)[0]

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
            if check.kind is CheckKind.FACTS:
                return facts_check(self.atlas, check)
            if check.kind is CheckKind.NOT_TESTABLE:
                reason = check.reason.value if check.reason is not None else "not testable"
                return CheckResult(
                    check.kind,
                    Verdict.NOT_TESTABLE,
                    f"not testable ({reason}): {check.note}",
                    {"reason": reason},
                    reason=reason,
                )
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

    def _drawn(self, routes: Sequence[Any], spec: RouteSpec, field: str) -> np.ndarray:
        """(n + 1, n_routes): each route's field centrally (row 0) and under each draw."""
        network = self.network(spec)
        return np.column_stack([self.draws.route_values(r, network, field) for r in routes])

    def _route_check(self, check: Check) -> CheckResult:
        assert check.route is not None
        spec = check.route

        def satisfies(route: Any) -> bool:
            return not any(not self._matches(p, route) for p in check.passes) and not any(
                self._matches(a, route) for a in check.avoids
            )

        cands = list(self.candidates(spec))
        if not any(satisfies(c) for c in cands):
            cands += [c for c in self._avoiding(check, spec) if satisfies(c)]
        r = cands[0]
        ok = np.array([satisfies(c) for c in cands])
        values = self._drawn(cands, spec, BY_FIELD[spec.by])
        best = np.argmin(values, axis=1)
        best[0] = 0  # the central best is the search's own
        holds = ok[best]
        probability = float(np.mean(holds[1:])) if holds.size > 1 else float(holds[0])
        margin: float | None = None
        band: float | None = None
        if ok.any() and (~ok).any():
            v_ok = values[:, ok].min(axis=1)
            v_bad = values[:, ~ok].min(axis=1)
            gap = (v_bad - v_ok) / np.minimum(v_ok, v_bad)
            margin, band = float(gap[0]), band_of(gap[1:])
        missing = [p for p in check.passes if not self._matches(p, r)]
        crossed = [a for a in check.avoids if self._matches(a, r)]
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
        unit = f"share of {BY_FIELD[spec.by]}"
        alt = (
            "no alternative on the other side among the routes found"
            if margin is None
            else "best route on the other side of the claim "
            + f"{'dearer' if margin > 0 else 'cheaper'} by {abs(margin):.1%}"
        )
        summary = (
            f"best route by {spec.by} {spec.origin} -> {spec.destination} "
            f"({spec.scenario}) {'; '.join(parts)}: via {'-'.join(r.countries)}, "
            f"{r.length_km:,.0f} km, {r.time_h:,.0f} h, {r.cost_usd_per_t:,.1f} USD/t; {alt}"
            + _p_text(probability, margin, band, unit)
        )
        evidence: dict[str, Any] = {"route": route_evidence(r)}
        other = next((c for c, good in zip(cands, ok, strict=True) if good != ok[0]), None)
        if other is not None:
            evidence["best_other_side"] = route_evidence(other)
        return _decided(check, summary, evidence, holds[1:], probability, margin, band, unit)

    def _avoiding(self, check: Check, spec: RouteSpec) -> list[Any]:
        """The best route with the claim's avoided countries closed (none if there is none).

        The candidates of one search are the cheapest routes, often variants of one corridor: a
        route on the claim's side that is a little dearer is then never among them, and the
        check read as refuted with P = 0 and "no alternative on the other side". The Five
        Nations line's Kashgar-Tehran rail route through Termez (Uzbekistan) came first and its
        own Panji Poyon-Sherkhan Bandar branch, which avoids Uzbekistan, was not found. When no
        candidate is on the claim's side, the search is repeated as ``avoid_countries`` would.
        """
        countries = []
        for item in check.avoids:
            kind, target = resolve_item(self.atlas, item)
            if kind == "country":
                countries.append(target)
        if not countries:
            return []
        forced = dataclasses.replace(
            spec, avoid_countries=tuple(sorted({*spec.avoid_countries, *countries}))
        )
        try:
            return list(self.candidates(forced, 1))
        except NoRouteError:
            return []

    def _compare_check(self, check: Check) -> CheckResult:
        assert check.route is not None and check.other is not None
        field = EXPECT_FIELD[check.expect or "shorter"]
        cands_a = self.candidates(check.route)
        cands_b = self.candidates(check.other)
        va_all = self._drawn(cands_a, check.route, field)
        vb_all = self._drawn(cands_b, check.other, field)
        va = np.concatenate([[va_all[0, 0]], va_all[1:].min(axis=1)])
        vb = np.concatenate([[vb_all[0, 0]], vb_all[1:].min(axis=1)])
        saving = np.where(vb > 0, (vb - va) / np.where(vb > 0, vb, 1.0), 0.0)
        margins = saving - check.by_at_least
        size = f"by at least {check.by_at_least:.0%}"
        if check.by_at_most is not None:  # a size named: the saving must lie in the range
            margins = np.minimum(margins, check.by_at_most - saving)
            size = f"by {check.by_at_least:.0%} to {check.by_at_most:.0%}"
        holds = (margins >= 0) & (va < vb)
        probability = float(np.mean(holds[1:])) if holds.size > 1 else float(holds[0])
        margin = float(margins[0])
        band = band_of(margins[1:])
        unit = f"share of route 2's {field}"
        summary = (
            f"route 1 {field} {va[0]:,.1f} vs route 2 {vb[0]:,.1f}: route 1 is "
            f"{saving[0]:+.1%} {'less' if saving[0] >= 0 else 'more'} "
            f"(claim: {check.expect} {size})" + _p_text(probability, margin, band, unit)
        )
        evidence = {
            "route_1": route_evidence(cands_a[0]),
            "route_2": route_evidence(cands_b[0]),
            "saving": round(float(saving[0]), 4),
        }
        return _decided(check, summary, evidence, holds[1:], probability, margin, band, unit)

    def _metric(self, scenario: str, check: Check) -> np.ndarray:
        drawn = self.draws.scenario(scenario)
        if check.project is not None:
            project = self.atlas.project(check.project)
            links = self.atlas.links_frame
            lengths = dict(zip(links["link_id"], links["length_km"].astype(float), strict=True))
            sea = {str(x) for x in links.loc[links["mode"] == "sea", "link_id"]}
            members = set(project.link_ids)
            return np.asarray(
                drawn.project(
                    members, lengths, check.metric, sea_link_ids=sea, port=self._is_port(members)
                )
            )
        return drawn.country(str(check.country), check.metric)

    def _is_port(self, link_ids: set[str]) -> bool:
        """Whether a project is a port: it has water links and all its links meet at one place
        (so a route on any of them calls there)."""
        links = self.atlas.links_frame
        mine = links[links["link_id"].isin(link_ids)]
        water = {m for m, t in self.atlas.mode_traits.items() if t.water}
        if mine.empty or not mine["mode"].isin(water).any():
            return False
        shared = set(mine["from_node_id"]) | set(mine["to_node_id"])
        for a, b in zip(mine["from_node_id"], mine["to_node_id"], strict=True):
            shared &= {a, b}
        return bool(shared)

    def _flow_check(self, check: Check) -> CheckResult:
        assert check.from_scenario and check.to_scenario
        before = self._metric(check.from_scenario, check)
        after = self._metric(check.to_scenario, check)
        ok = self.draws.scenario(check.from_scenario).ok & self.draws.scenario(check.to_scenario).ok
        delta = after - before
        rises = check.direction == "rises"
        margin_all = (delta if rises else -delta) - check.by_at_least
        holds = margin_all > 0
        drawn_ok = ok[1:]
        probability = float(np.mean(holds[1:][drawn_ok])) if drawn_ok.any() else float("nan")
        margin = float(margin_all[0])
        band = band_of(margin_all[1:][drawn_ok])
        who = check.country or check.project
        unit = _FLOW_UNITS[check.metric]
        measure = check.metric
        if check.project is not None and check.metric == "tkm_per_year":
            measure = "tonne-km on its own links"
        if check.project is not None and check.metric == "transit_tonnes":
            share = f"{CORRIDOR_MIN_LENGTH_SHARE:.0%}"
            measure = (
                "tonnes calling at the port (routes on any of its links)"
                if self._is_port(set(self.atlas.project(check.project).link_ids))
                else f"tonnes through (on >= {share} of its length)"
            )
        summary = (
            f"{who} {measure}: {before[0]:,.0f} in {check.from_scenario} -> "
            f"{after[0]:,.0f} in {check.to_scenario} ({delta[0]:+,.0f}; claim: "
            f"{check.direction} by more than {check.by_at_least:,.0f})"
            + _p_text(probability, margin, band, unit)
        )
        evidence: dict[str, Any] = {
            "before": round(float(before[0]), 1),
            "after": round(float(after[0]), 1),
            "delta": round(float(delta[0]), 1),
            "delta_p10_p90": [
                round(float(x), 1) for x in np.quantile(delta[1:][drawn_ok], [0.1, 0.9])
            ]
            if drawn_ok.any()
            else None,
            "failed_draws": int((~drawn_ok).sum()),
        }
        held = np.where(drawn_ok, holds[1:], False)
        return _decided(check, summary, evidence, held, probability, margin, band, unit)

    def _reach_check(self, check: Check) -> CheckResult:
        """Whether a route exists: deterministic. The draws vary lengths, tariffs, capacities,
        demand and fixed costs, never whether a link is open (projects are complete in every
        draw, closures are the scenario's), so the answer is the same in every draw and P is
        exactly 1 or 0; the evidence says so."""
        assert check.route is not None
        n = self.ensemble_draws
        note = (
            "deterministic: no drawn input (lengths, tariffs, capacities, demand) opens or "
            "closes a link, so the answer holds in every draw or in none"
        )
        try:
            r = self.best_route(check.route)
        except NoRouteError as exc:
            holds = not check.exists
            return CheckResult(
                check.kind,
                Verdict.SUPPORTED if holds else Verdict.REFUTED,
                f"no route: {exc} ({note}: P = {float(holds):.0f})",
                {"no_route": str(exc), "probability_basis": note},
                probability=float(holds),
                holds=np.full(n, holds),
            )
        holds = bool(check.exists)
        return CheckResult(
            check.kind,
            Verdict.SUPPORTED if holds else Verdict.REFUTED,
            f"a route exists via {'-'.join(r.countries)} ({r.length_km:,.0f} km, "
            f"{r.time_h:,.0f} h, {r.cost_usd_per_t:,.1f} USD/t; {note}: P = {float(holds):.0f})",
            {"route": route_evidence(r), "probability_basis": note},
            probability=float(holds),
            holds=np.full(n, holds),
        )

    def evaluate(self, claim: Claim) -> ClaimResult:
        """Every check of a claim, and the claim's verdict, joint probability and margin."""
        results = tuple(self.check(c) for c in claim.checks)
        return summarise_claim(claim, results)


def summarise_claim(claim: Claim, results: tuple[CheckResult, ...]) -> ClaimResult:
    """The claim's verdict (:func:`combine`), the share of draws in which all its model checks
    hold together, and the margin and band of the check that decides the verdict.

    A claim whose checks are each supported but hold together in fewer than ``P_SUPPORTED`` of
    the draws is inconclusive.
    """
    verdict = combine([r.verdict for r in results])
    drawn = [r.holds for r in results if r.holds is not None and len(r.holds)]
    probability: float | None = None
    if drawn:
        probability = float(np.mean(np.logical_and.reduce([np.asarray(h) for h in drawn])))
        if verdict is Verdict.SUPPORTED and probability < P_SUPPORTED:
            verdict = Verdict.INCONCLUSIVE
    deciding: CheckResult | None
    if verdict is Verdict.REFUTED:
        deciding = next(r for r in results if r.verdict is Verdict.REFUTED)
    elif verdict is Verdict.INCONCLUSIVE:
        deciding = next((r for r in results if r.verdict is Verdict.INCONCLUSIVE), None)
        if deciding is None:  # each supported, not together: the least likely check
            deciding = min(
                (r for r in results if r.probability is not None),
                key=lambda r: r.probability or 0.0,
            )
    else:
        scored = [r for r in results if r.probability is not None]
        deciding = min(scored, key=_weakness) if scored else None
    reasons = [r.reason for r in results if r.reason]
    return ClaimResult(
        claim,
        verdict,
        results,
        probability=probability,
        margin=None if deciding is None else deciding.margin,
        band=None if deciding is None else deciding.band,
        unit="" if deciding is None else deciding.unit,
        reason="; ".join(dict.fromkeys(reasons)) or None,
    )


def _weakness(r: CheckResult) -> tuple[float, float]:
    """Lower is weaker: probability first, then margin over band."""
    p = r.probability if r.probability is not None else 1.0
    if r.margin is None:
        return (p, float("inf"))
    return (p, abs(r.margin) / (r.band or 1e-9))


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


def check_claims(
    claims: Sequence[Claim],
    atlas: Atlas,
    *,
    ensemble_draws: int | None = None,
    seed: int = 1,
    executor: str = "process",
    progress: Callable[[int, int], None] | None = None,
) -> list[ClaimResult]:
    """Evaluate claims in order; a claim whose evaluation fails is inconclusive with the error.

    ``ensemble_draws``: draws every model check runs over (default
    :data:`~caravan.claims.draws.DEFAULT_DRAWS`); ``executor``: where the scenarios of the
    flow checks are settled under them (:class:`ClaimEvaluator`), all before the first claim.
    """
    evaluator = ClaimEvaluator(atlas, ensemble_draws=ensemble_draws, seed=seed, executor=executor)
    if progress is not None:
        progress(0, len(claims))
    evaluator.prepare(claims)
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
