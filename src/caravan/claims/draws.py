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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from caravan.ensemble.compile import NetworkCache, compile_ensemble
from caravan.ensemble.evaluate import central_values, draw_values, settle_scenario
from caravan.ensemble.spec import EnsembleSpec
from caravan.security.files import scenario_events

if TYPE_CHECKING:
    from caravan.ensemble.compile import CompiledScenario, EnsembleInputs
    from caravan.model.atlas import Atlas
    from caravan.network.model import Network
    from caravan.pipeline import Pipeline

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

    compiled: CompiledScenario
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

    def project(self, link_ids: set[str], link_length_km: dict[str, float], metric: str) -> Any:
        """Tonnes (or tonne-km) a year of the routes using any of a project's links."""
        weight = np.zeros(len(self.route_link_ids))
        for i, ids in enumerate(self.route_link_ids):
            used = [lid for lid in ids if lid in link_ids]
            if used:
                weight[i] = sum(link_length_km[x] for x in used) if metric == "tkm_per_year" else 1
        return self.route_tonnes @ weight


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

    def _first_inputs(self) -> EnsembleInputs:
        if self._inputs is None:
            self.scenario("baseline-2025")
        assert self._inputs is not None
        return self._inputs

    @property
    def values(self) -> np.ndarray:
        """Drawn input values: row 0 the chosen values, then one row per draw."""
        if self._values is None:
            inputs = self._first_inputs()
            rows = [central_values(inputs)] + [draw_values(inputs, i) for i in range(self.n)]
            self._values = np.vstack(rows)
        return self._values

    def scenario(self, name: str) -> ScenarioDraws:
        """A scenario settled centrally and under every draw."""
        if name not in self._scenarios:
            scenario = self.pipeline.scenario(name)
            world, key = self.pipeline.world(scenario)

            def network_of(commodity: str) -> Network:
                return self.pipeline.network(world, key, year=scenario.year, commodity=commodity)

            cache = NetworkCache(world, network_of, self.pipeline.explaining_network)
            events = scenario_events(self.atlas, scenario)
            inputs = compile_ensemble(
                self.atlas, scenario, spec=self.spec, events=events, cache=cache
            )
            if self._inputs is None:
                self._inputs = inputs
                self._link_col = {lid: i for i, lid in enumerate(inputs.link_ids)}
            compiled = inputs.scenarios[0].full
            values = self.values
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
            self._scenarios[name] = ScenarioDraws(
                compiled=compiled,
                countries=tuple(inputs.countries),
                route_link_ids=tuple(tuple(x) for x in per_route),
                transit=np.stack(transit),
                route_tonnes=np.stack(tonnes),
                ok=np.asarray(ok, dtype=bool),
            )
        return self._scenarios[name]

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
