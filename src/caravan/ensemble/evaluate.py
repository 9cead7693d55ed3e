"""One ensemble draw: draw the inputs, rescale the compiled arrays, settle, measure transit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from caravan.ensemble.compile import CompiledGroup, CompiledScenario, EnsembleInputs
from caravan.ensemble.spec import draw_uniforms, inverse_cdf_many
from caravan.network.costs import link_costs
from caravan.results.diversion import RouteKind
from caravan.results.elastic import settle_elastic

__all__ = [
    "DrawResult",
    "ScenarioDraw",
    "central_values",
    "draw_values",
    "evaluate_chunk",
    "evaluate_draw",
    "kind_tonnes",
    "settle_scenario",
]


@dataclass(frozen=True)
class DrawResult:
    """The outcome of one draw.

    ``transit`` maps each scenario name to an array of shape (n_countries, 3): transit tonnes,
    transit tonne-km and transit revenue (USD) a year, in ``EnsembleInputs.countries`` order.
    ``kind_tonnes`` maps each scenario name to its tonnes by flow (``EnsembleInputs.flow_ids``)
    and kind of route (:class:`caravan.results.diversion.RouteKind`), when compiled with them.
    """

    draw_idx: int
    ok: bool
    reason: str
    values: tuple[float, ...]
    transit: dict[str, np.ndarray]
    kind_tonnes: dict[str, np.ndarray] = field(default_factory=dict)


def draw_values(inputs: EnsembleInputs, draw_idx: int) -> np.ndarray:
    """The drawn value of every uncertain input (1.0/0.0 for a project complete or not).

    Vectorised over the inputs: each distribution's inverse CDF runs once on all the inputs
    that use it (:func:`caravan.ensemble.spec.inverse_cdf_many`), giving the same numbers as
    :func:`caravan.ensemble.spec.inverse_cdf` input by input.
    """
    a = inputs.arrays
    value, low, high, is_project = a.value, a.low, a.high, a.is_project
    u = draw_uniforms(inputs.spec.seed, draw_idx, value.shape[0])
    out = np.empty(value.shape[0])
    out[is_project] = np.where(u[is_project] < value[is_project], 1.0, 0.0)
    for dist, mask in a.by_distribution:
        if mask.any():
            out[mask] = inverse_cdf_many(u[mask], value[mask], low[mask], high[mask], dist)
    return out


def _chosen_values(inputs: EnsembleInputs) -> np.ndarray:
    """The chosen (central) value of every input, in input order."""
    return inputs.arrays.value


def _multiplier(
    values: np.ndarray, inputs: EnsembleInputs, index: np.ndarray, chosen: np.ndarray | None = None
) -> np.ndarray:
    """Drawn over chosen value of each entry's input (1 where the entry has none)."""
    base_all = _chosen_values(inputs) if chosen is None else chosen
    m = np.ones(index.shape[0])
    has = index >= 0
    base = base_all[index[has]]
    m[has] = values[index[has]] / np.where(base > 0, base, 1.0)
    return m


def _variant(
    inputs: EnsembleInputs, group: CompiledGroup, values: np.ndarray
) -> tuple[CompiledScenario | None, str]:
    """The scenario compiled with exactly the projects complete in this draw open.

    A draw in which a flow routed with every project complete has no route at all fails,
    with the reason (which projects were not complete).
    """
    mask = 0
    missing = []
    for bit, j in enumerate(group.project_idx):
        if values[inputs.project_input[j]] > 0.5:
            mask |= 1 << bit
        else:
            missing.append(inputs.project_ids[j])
    sc = group.variants[mask]
    lost = sorted(set(group.full.flow_ids) - set(sc.flow_ids))
    if lost:
        return None, (
            f"{group.name}: no route left for {', '.join(lost)} "
            f"(projects not complete by {group.year} in this draw: {', '.join(missing)})"
        )
    return sc, ""


def central_values(inputs: EnsembleInputs) -> np.ndarray:
    """Every uncertain input at its chosen value (projects complete): a draw equal to a run."""
    return np.array(
        [1.0 if i.kind == "project_completion" else i.value for i in inputs.inputs], dtype=float
    )


@dataclass(frozen=True)
class ScenarioDraw:
    """One scenario settled under one draw: transit by country and tonnes by route.

    ``transit`` has shape (n_countries, 3) as in :class:`DrawResult`; ``route_tonnes`` is in
    the order of the compiled scenario's routes (``CompiledScenario.problem.routes``);
    ``kind_tonnes`` (n_flows, n_kinds) as in :class:`DrawResult`, or None.
    """

    transit: np.ndarray
    route_tonnes: np.ndarray
    kind_tonnes: np.ndarray | None = None


def kind_tonnes(
    inputs: EnsembleInputs, sc: CompiledScenario, route_tonnes: np.ndarray
) -> np.ndarray | None:
    """Tonnes by flow (``inputs.flow_ids``) and kind of route, or None when not compiled."""
    if sc.route_kind_idx is None or sc.route_flow_union_idx is None:
        return None
    out = np.zeros((len(inputs.flow_ids), len(RouteKind)))
    np.add.at(out, (sc.route_flow_union_idx, sc.route_kind_idx), route_tonnes)
    return out


def settle_scenario(
    inputs: EnsembleInputs, sc: CompiledScenario, values: np.ndarray
) -> ScenarioDraw:
    """Settle one compiled scenario with the drawn values of the uncertain inputs."""
    p = sc.problem
    n_routes = p.routes.n_routes
    chosen = _chosen_values(inputs)
    m_len = _multiplier(values, inputs, inputs.link_length_input, chosen)
    m_tar = _multiplier(values, inputs, inputs.link_tariff_input, chosen)
    m_cap = _multiplier(values, inputs, inputs.link_capacity_input, chosen)
    link_time, link_money = link_costs(
        sc.link_length_km * m_len, sc.link_speed_kmh, sc.link_tariff_usd_per_tkm * m_tar
    )
    route_money = sc.route_fixed_money_usd_per_t + np.bincount(
        sc.entry_route_idx, weights=link_money[sc.entry_link_idx], minlength=n_routes
    )
    route_time = sc.route_fixed_time_h + np.bincount(
        sc.entry_route_idx, weights=link_time[sc.entry_link_idx], minlength=n_routes
    )
    if sc.fixed_route_idx.size:
        d_money = sc.fixed_money_usd_per_t * (
            _multiplier(values, inputs, sc.fixed_money_input, chosen) - 1
        )
        d_time = sc.fixed_time_h * (_multiplier(values, inputs, sc.fixed_time_input, chosen) - 1)
        route_money = route_money + np.bincount(
            sc.fixed_route_idx, weights=d_money, minlength=n_routes
        )
        route_time = route_time + np.bincount(
            sc.fixed_route_idx, weights=d_time, minlength=n_routes
        )
    base_time, _ = link_costs(sc.link_length_km, sc.link_speed_kmh, sc.link_tariff_usd_per_tkm)
    route_base_time = sc.route_fixed_time_h + np.bincount(
        sc.entry_route_idx, weights=base_time[sc.entry_link_idx], minlength=n_routes
    )
    # A route's arc carries more than its tariff and running time (risk, surcharges, ...): the
    # draw changes it by the drawn change of tariff and time only.
    private = np.arange(n_routes) + p.first_private_arc
    arc_money = p.arc_money_usd_per_t.copy()
    arc_money[private] += route_money - sc.route_base_money_usd_per_t
    arc_time = p.arc_time_h.copy()
    arc_time[private] += route_time - route_base_time
    arc_length = p.arc_length_km.copy()
    n_links = m_len.shape[0]
    arc_length[:n_links] = arc_length[:n_links] * m_len
    capacity = sc.group_base_capacity_t.copy()
    grouped = sc.link_group_idx >= 0
    capacity[sc.link_group_idx[grouped]] *= m_cap[grouped]
    delay = p.group_base_delay_h.copy()
    delay[sc.link_group_idx[grouped]] *= m_len[grouped]
    # A multiplier on the scenario's own tonnes, so its demand changes are kept.
    demand_idx = sc.flow_demand_input
    drawn = demand_idx >= 0
    drawn[drawn] = chosen[demand_idx[drawn]] > 0
    tonnes = p.flow_tonnes.copy()
    tonnes[drawn] = p.flow_tonnes[drawn] * values[demand_idx[drawn]] / chosen[demand_idx[drawn]]

    prices: list[np.ndarray] = []

    def solve(flow_tonnes: np.ndarray) -> Any:
        # as a run does: each settle starts from the last one's queue prices
        extra: dict[str, Any] = {"initial_price_usd_per_t": prices[-1]} if prices else {}
        out = p.solve(
            max_iter=sc.max_iter,
            tolerance=sc.tolerance,
            flow_tonnes=flow_tonnes,
            arc_money_usd_per_t=arc_money,
            arc_time_h=arc_time,
            arc_length_km=arc_length,
            group_capacity_t=capacity,
            group_base_delay_h=delay,
            **extra,
        )
        prices.append(out.group_price_usd_per_t)
        return out

    res = solve(tonnes)
    if sc.elasticity is not None and sc.flow_base_cost_usd_per_t is not None:
        # As a run does: each flow's tonnes respond to its cost against the base year.
        res = settle_elastic(
            solve,
            res,
            tonnes,
            p.routes.route_flow_idx,
            float(values[inputs.elasticity_input])
            if inputs.elasticity_input >= 0
            else sc.elasticity,
            sc.flow_base_cost_usd_per_t,
        )
    route_t = res.route_tonnes
    base_len = sc.route_base_length_km
    drawn_len = base_len + np.bincount(
        sc.entry_route_idx,
        weights=(np.asarray(arc_length[:n_links]) - p.arc_length_km[:n_links])[sc.entry_link_idx],
        minlength=n_routes,
    )
    length_ratio = np.where(base_len > 0, drawn_len / np.where(base_len > 0, base_len, 1.0), 1.0)
    base_money = sc.route_base_money_usd_per_t
    money_ratio = np.where(
        base_money > 0, route_money / np.where(base_money > 0, base_money, 1.0), 1.0
    )
    n_c = len(inputs.countries)
    out = np.zeros((n_c, 3))
    r = sc.part_route_idx
    t = route_t[r] * sc.part_is_transit
    seen = np.zeros((n_routes, n_c), dtype=bool)
    seen[r[sc.part_is_transit], sc.part_country_idx[sc.part_is_transit]] = True
    out[:, 0] = (route_t[:, None] * seen).sum(axis=0)  # once per route, however many parts
    out[:, 1] = np.bincount(
        sc.part_country_idx, weights=t * sc.part_length_km * length_ratio[r], minlength=n_c
    )
    out[:, 2] = np.bincount(
        sc.part_country_idx, weights=t * sc.part_money_usd_per_t * money_ratio[r], minlength=n_c
    )
    route_t = np.asarray(route_t)
    return ScenarioDraw(out, route_t, kind_tonnes(inputs, sc, route_t))


def evaluate_draw(inputs: EnsembleInputs, draw_idx: int) -> DrawResult:
    """Evaluate one draw of every compiled scenario; a failure is recorded, not raised."""
    values = draw_values(inputs, draw_idx)
    transit: dict[str, np.ndarray] = {}
    kinds: dict[str, np.ndarray] = {}
    # variants that settle alike (same settle key) are settled once in a draw
    settled: dict[str, ScenarioDraw] = {}
    try:
        for group in inputs.scenarios:
            sc, reason = _variant(inputs, group, values)
            if sc is None:
                return DrawResult(draw_idx, False, reason, tuple(map(float, values)), {})
            drawn = settled.get(sc.settle_key) if sc.settle_key else None
            if drawn is None:
                drawn = settle_scenario(inputs, sc, values)
                settled[sc.settle_key] = drawn
            transit[group.name] = drawn.transit.copy()
            if drawn.kind_tonnes is not None:
                kinds[group.name] = drawn.kind_tonnes.copy()
    except (ArithmeticError, ValueError, FloatingPointError) as exc:
        return DrawResult(
            draw_idx, False, f"{type(exc).__name__}: {exc}", tuple(map(float, values)), {}
        )
    return DrawResult(draw_idx, True, "", tuple(map(float, values)), transit, kinds)


def evaluate_chunk(inputs: Any, draw_indices: Sequence[int]) -> list[DrawResult]:
    """Evaluate several draws (the unit of work sent to a worker)."""
    return [evaluate_draw(inputs, int(i)) for i in draw_indices]
