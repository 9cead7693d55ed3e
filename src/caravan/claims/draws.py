"""The draws a claims check runs over: one set of drawn inputs shared by every check.

Every model check of a claim is evaluated under the same ``n`` draws of the uncertain inputs
(link lengths, tariffs and capacities, demand: the ranges of the atlas, with the distributions
of the ``baseline-2025`` ensemble section), so draw ``i`` is one world in which all the checks
of all the claims are tested together, and a claim's probability is the share of draws in which
all its checks hold. Projects are complete: a claim says what a line *would* do, and a scenario
realises it; whether the line is built by a year is another question (``caravan ensemble``).

- Flow checks settle each scenario once per draw (:func:`caravan.ensemble.evaluate.
  settle_scenario`, on the scenario compiled once); the central estimate is the settlement at
  the chosen values, which equals a run.
- Route and compare checks recost their candidate routes under each draw's lengths and tariffs
  and take the best; like the ensemble, they do not search routes again under drawn inputs.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from caravan.ensemble.compile import NetworkCache, compile_ensemble
from caravan.ensemble.evaluate import central_values, draw_values, settle_scenario
from caravan.ensemble.spec import EnsembleSpec
from caravan.errors import CaravanError
from caravan.results.run_tables import CORRIDOR_MIN_LENGTH_SHARE
from caravan.security.files import atlas_events

if TYPE_CHECKING:
    from caravan.ensemble.compile import EnsembleInputs
    from caravan.model.atlas import Atlas
    from caravan.network.model import Network
    from caravan.pipeline import Pipeline
    from caravan.security.records import Event

__all__ = ["DEFAULT_DRAWS", "ClaimDraws", "ScenarioDraws", "band_of"]

#: Draws per check by default: keeps ``caravan claims check`` near a minute on two busy cores
#: (benchmarks/claims_check.py measures it).
DEFAULT_DRAWS = 30
#: The spread of a margin over the draws: half its 10-90% range.
BAND_QUANTILES = (0.1, 0.9)


def band_of(values: np.ndarray) -> float:
    """Half the 10-90% range of the finite values (0 when there are none).

    Examples
    --------
    >>> round(band_of(np.arange(11.0)), 6)
    4.0
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0
    lo, hi = np.quantile(finite, BAND_QUANTILES)
    return float(hi - lo) / 2.0


@dataclass(frozen=True, eq=False)
class ScenarioDraws:
    """A scenario settled at the chosen values (row 0) and under each draw (rows 1..n).

    ``transit`` has shape (n + 1, n_countries, 3): transit tonnes, tonne-km, revenue (USD);
    ``route_tonnes`` (n + 1, n_routes); ``ok`` says which draws settled.
    """

    countries: tuple[str, ...]
    route_link_ids: tuple[tuple[str, ...], ...]
    transit: np.ndarray
    route_tonnes: np.ndarray
    ok: np.ndarray

    def country(self, iso3: str, metric: str) -> np.ndarray:
        """A country's transit metric, central then per draw."""
        column = {"transit_tonnes": 0, "transit_tkm": 1, "transit_revenue_usd": 2}[metric]
        if iso3 not in self.countries:
            return np.zeros(self.transit.shape[0])
        return self.transit[:, self.countries.index(iso3), column]

    def project(
        self,
        link_ids: set[str],
        link_length_km: dict[str, float],
        metric: str,
        *,
        sea_link_ids: set[str] | frozenset[str] = frozenset(),
        port: bool = False,
    ) -> Any:
        """What a project or corridor carries on its own links, central then per draw, counted
        as runs and comparisons count it (:func:`caravan.results.run_tables.corridor_flows`).

        ``tkm_per_year``: the tonne-km on its links. Otherwise (tonnes): the tonnes of routes
        that run on at least :data:`~caravan.results.run_tables.CORRIDOR_MIN_LENGTH_SHARE` of
        its length (its land and ferry links; a route that touches one link of a long corridor
        is not its cargo); for a corridor of sea lanes only (a strait or canal), every route
        through it. A ``port`` (a project whose links all meet at the port) carries every route
        on any of its links: each of them calls there.

        Examples
        --------
        >>> d = ScenarioDraws((), (("a", "b"), ("b",), ("c",)), np.zeros((1, 0, 3)),
        ...                   np.array([[10.0, 5.0, 7.0]]), np.array([True]))
        >>> km = {"a": 100.0, "b": 300.0, "c": 50.0}
        >>> d.project({"a", "b"}, km, "transit_tonnes").tolist()  # 'b' is 3/4 of it
        [15.0]
        >>> d.project({"a", "c"}, km, "transit_tonnes").tolist()  # 'c' is a third of it
        [10.0]
        >>> d.project({"a", "b"}, km, "tkm_per_year").tolist()
        [5500.0]
        """
        weight = np.zeros(len(self.route_link_ids))
        measured = (link_ids - sea_link_ids) or link_ids
        chokepoint = link_ids <= sea_link_ids
        total_km = sum(link_length_km[x] for x in sorted(measured))  # not hash order
        for i, ids in enumerate(self.route_link_ids):
            used = [lid for lid in ids if lid in link_ids]
            if not used:
                continue
            if metric == "tkm_per_year":
                weight[i] = sum(link_length_km[x] for x in used)
                continue
            km = sum(link_length_km[x] for x in used if x in measured)
            if port or chokepoint or (total_km > 0 and km >= CORRIDOR_MIN_LENGTH_SHARE * total_km):
                weight[i] = 1.0
        return self.route_tonnes @ weight


@dataclass(frozen=True, eq=False)
class _Settled:
    """What settling one scenario under the draws gives: its draws, and the drawn inputs (the
    compiled routes left out, so that a worker process sends back little)."""

    draws: ScenarioDraws
    inputs: EnsembleInputs
    values: np.ndarray


def _settle_draws(
    pipeline: Pipeline,
    spec: EnsembleSpec,
    name: str,
    events: tuple[Event, ...] | None,
    values: np.ndarray | None,
) -> _Settled:
    """Compile a scenario once and settle it at the chosen values and under every draw."""
    scenario = pipeline.scenario(name)
    world, key = pipeline.world(scenario)

    def network_of(commodity: str) -> Network:
        return pipeline.network(world, key, year=scenario.year, commodity=commodity)

    cache = NetworkCache(world, network_of, pipeline.explaining_network)
    inputs = compile_ensemble(pipeline.atlas, scenario, spec=spec, events=events, cache=cache)
    if values is None:
        values = np.vstack(
            [central_values(inputs)] + [draw_values(inputs, i) for i in range(spec.draws)]
        )
    compiled = inputs.scenarios[0].full
    transit, tonnes, ok = [], [], []
    for row in values:
        try:
            drawn = settle_scenario(inputs, compiled, row)
        except (ArithmeticError, ValueError, FloatingPointError):
            transit.append(np.full((len(inputs.countries), 3), np.nan))
            tonnes.append(np.full(compiled.problem.routes.n_routes, np.nan))
            ok.append(False)
            continue
        transit.append(drawn.transit)
        tonnes.append(drawn.route_tonnes)
        ok.append(True)
    link_ids = [str(x) for x in world.links_frame["link_id"]]
    per_route: list[list[str]] = [[] for _ in range(compiled.problem.routes.n_routes)]
    for r, li in zip(compiled.entry_route_idx, compiled.entry_link_idx, strict=True):
        per_route[int(r)].append(link_ids[int(li)])
    draws = ScenarioDraws(
        countries=tuple(inputs.countries),
        route_link_ids=tuple(tuple(x) for x in per_route),
        transit=np.stack(transit),
        route_tonnes=np.stack(tonnes),
        ok=np.asarray(ok, dtype=bool),
    )
    return _Settled(draws, dataclasses.replace(inputs, scenarios=()), values)


# The claim draws a forked worker settles scenarios for (set before the pool forks).
_WORKER_DRAWS: list[ClaimDraws] = []


def _worker_settle(name: str) -> _Settled | None:
    draws = _WORKER_DRAWS[0]
    try:
        return _settle_draws(
            draws.pipeline, draws.spec, name, draws.events_for(name), draws.values_if_known
        )
    except CaravanError:
        return None  # settled again in the parent, which reports the error where it is asked


class ClaimDraws:
    """Drawn inputs for a claims check, and scenarios settled under them (computed once).

    Parameters
    ----------
    pipeline : Pipeline
        The pipeline of the atlas (scenarios, worlds, networks).
    draws : int
        Number of draws.
    seed : int
        Seed of the draws.
    """

    def __init__(self, pipeline: Pipeline, *, draws: int, seed: int = 1) -> None:
        self.pipeline = pipeline
        self.atlas: Atlas = pipeline.atlas
        self.n = int(draws)
        base = pipeline.ensemble_spec("baseline-2025", draws=max(self.n, 1), seed=seed)
        self.spec: EnsembleSpec = dataclasses.replace(base, project_completion={})
        self._scenarios: dict[str, ScenarioDraws] = {}
        self._inputs: EnsembleInputs | None = None
        self._values: np.ndarray | None = None
        self._link_col: dict[str, int] = {}
        self._multipliers: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._events: tuple[Event, ...] | None = None

    def events_for(self, name: str) -> tuple[Event, ...] | None:
        """The atlas's security events when the scenario takes its zone risks from them (read
        once per check), else None."""
        if not self.pipeline.scenario(name).security_as_of:
            return None
        if self._events is None:
            self._events = atlas_events(self.atlas)
        return self._events

    def _first_inputs(self) -> EnsembleInputs:
        if self._inputs is None:
            self.scenario("baseline-2025")
        assert self._inputs is not None
        return self._inputs

    @property
    def values_if_known(self) -> np.ndarray | None:
        """The drawn input values, if a scenario has been settled already."""
        return self._values

    @property
    def values(self) -> np.ndarray:
        """Drawn input values: row 0 the chosen values, then one row per draw.

        The inputs are the atlas's ranges (the claims' spec opens no uncertain project), so
        every scenario draws the same values.
        """
        if self._values is None:
            self._first_inputs()
        assert self._values is not None
        return self._values

    def _keep(self, name: str, settled: _Settled) -> ScenarioDraws:
        if self._inputs is None or self._values is None:
            self._inputs = settled.inputs
            self._values = settled.values
            self._link_col = {lid: i for i, lid in enumerate(settled.inputs.link_ids)}
        elif not np.array_equal(settled.values, self._values):
            msg = f"claims draws: {name} drew other input values than the first scenario"
            raise AssertionError(msg)
        self._scenarios[name] = settled.draws
        return settled.draws

    def scenario(self, name: str) -> ScenarioDraws:
        """A scenario settled centrally and under every draw."""
        found = self._scenarios.get(name)
        if found is None:
            settled = _settle_draws(
                self.pipeline, self.spec, name, self.events_for(name), self._values
            )
            found = self._keep(name, settled)
        return found

    def prepare(self, names: Sequence[str], *, workers: int | None = None) -> None:
        """Settle the scenarios not settled yet, on ``workers`` forked processes at once
        (default: the machine's cores); where the platform cannot fork, in this process."""
        todo = [n for n in dict.fromkeys(names) if n not in self._scenarios]
        n_workers = min(len(todo), workers if workers is not None else (os.cpu_count() or 1))
        if n_workers < 2 or not sys.platform.startswith("linux"):
            return  # each is settled in this process when first asked for
        # Every worker draws the same values (the atlas's ranges, one seed); _keep checks it.
        context = multiprocessing.get_context("fork")
        _WORKER_DRAWS[:] = [self]
        try:
            with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
                for name, settled in zip(todo, pool.map(_worker_settle, todo), strict=True):
                    if settled is not None:
                        self._keep(name, settled)
        finally:
            _WORKER_DRAWS.clear()

    def multipliers(self, network: Network) -> tuple[np.ndarray, np.ndarray]:
        """Length and tariff multipliers of the network's links: (n + 1, n_links) each."""
        found = self._multipliers.get(network.link_ids)
        if found is not None:
            return found
        inputs = self._first_inputs()
        values = self.values
        cols = [self._link_col.get(lid, -1) for lid in network.link_ids]

        def of(index: np.ndarray) -> np.ndarray:
            out = np.ones((values.shape[0], len(cols)))
            for j, c in enumerate(cols):
                i = int(index[c]) if c >= 0 else -1
                if i >= 0 and inputs.inputs[i].value > 0:
                    out[:, j] = values[:, i] / inputs.inputs[i].value
            return out

        found = of(inputs.link_length_input), of(inputs.link_tariff_input)
        self._multipliers[network.link_ids] = found
        return found

    def route_values(self, route: Any, network: Network, field: str) -> np.ndarray:
        """A route's ``field`` (``length_km``, ``time_h``, ``money_usd_per_t``,
        ``cost_usd_per_t``) at the chosen values (index 0) and under each draw."""
        m_len, m_tar = self.multipliers(network)
        pos = {lid: i for i, lid in enumerate(network.link_ids)}
        idx = np.asarray([pos[lid] for lid in route.link_ids], dtype=np.int64)
        costs = network.costs
        d_len = (m_len[:, idx] - 1.0) @ np.asarray(costs.link_length_km)[idx]
        d_time = (m_len[:, idx] - 1.0) @ np.asarray(costs.link_run_time_h)[idx]
        d_money = (m_len[:, idx] * m_tar[:, idx] - 1.0) @ np.asarray(costs.link_tariff_usd_per_t)[
            idx
        ]
        length = float(route.length_km) + d_len
        time_h = float(route.time_h) + d_time
        money = float(route.money_usd_per_t) + d_money
        if field == "length_km":
            return np.asarray(length)
        if field == "time_h":
            return np.asarray(time_h)
        if field == "money_usd_per_t":
            return np.asarray(money)
        vot = float(network.value_of_time_usd_per_t_h)
        return np.asarray(money + vot * time_h + float(route.risk_usd_per_t))
