"""The registry of freight assignment methods: what each is and how it settles routed flows.

A run routes every flow (``routes_per_flow`` routes each), then hands the routed flows to its
method's ``settle``. Adding a method is one :class:`AssignmentMethod` member and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from caravan.model.arrays import FloatArray
from caravan.model.atlas import Atlas
from caravan.model.scenario import AssignmentMethod, AssignmentSettings
from caravan.network.model import Network
from caravan.results.capacity import routes_around
from caravan.results.elastic import base_costs, settle_elastic
from caravan.results.freight_ue import settle_ue
from caravan.results.sue import routed_problem

__all__ = ["METHODS", "MethodSpec", "Settlement", "method_spec"]

Progress = Callable[[str, int, int], None]

#: Rounds of routes round full facilities for flows that have no other route (``sue``).
MAX_ROUTE_ROUNDS = 3


@dataclass(frozen=True, eq=False)
class Settlement:
    """Routes with their tonnes, shares and congested cost and time, and how the solver ended.

    ``route_rows`` are the routed rows the method kept or made (``ue`` makes its own from the
    equilibrium link flows). ``stop_value`` is what the stopping rule measures: the largest
    change of a route share for ``sue`` and ``aon``, the relative gap for ``ue``.
    """

    route_rows: list[dict[str, Any]]
    route_tonnes: FloatArray
    route_share: FloatArray
    route_cost_usd_per_t: FloatArray
    route_time_h: FloatArray
    iterations: int
    stop_value: float
    converged: bool


Settle = Callable[
    [
        Atlas,
        list[dict[str, Any]],
        list[dict[str, Any]],
        Mapping[str, Network],
        AssignmentSettings,
        Progress | None,
    ],
    Settlement,
]


@dataclass(frozen=True)
class MethodSpec:
    """One freight assignment method."""

    method: AssignmentMethod
    description: str
    routes_per_flow: Callable[[AssignmentSettings], int]
    settle: Settle
    #: The name of ``Settlement.stop_value`` in a run's summary.
    stop_measure: str


def _settle_logit(
    world: Atlas,
    flow_rows: list[dict[str, Any]],
    route_rows: list[dict[str, Any]],
    networks: Mapping[str, Network],
    settings: AssignmentSettings,
    progress: Progress | None,
) -> Settlement:
    """Path-size logit over the generated routes (``aon``: one route, all of the flow on it)."""
    if not route_rows:
        empty = np.zeros(0)
        return Settlement([], empty, empty, empty, empty, 0, 0.0, True)
    flow_pos, problem = routed_problem(world, flow_rows, route_rows, networks, settings)

    def report(it: int, _chg: float) -> None:
        if progress is not None:
            progress("settling", it, settings.max_iter)

    res = problem.solve(max_iter=settings.max_iter, tolerance=settings.gap, progress=report)
    for _ in range(MAX_ROUTE_ROUNDS):
        if res.within_capacity or problem.capacity_tolerance is None:
            break
        ratio = res.group_tonnes / problem.group_capacity_t
        saturated = {
            problem.group_ids[g]
            for g in np.flatnonzero(ratio > 1.0 + problem.capacity_tolerance).tolist()
        }
        priced = (res.group_price_usd_per_t > 0) & (ratio >= 1.0 - problem.capacity_tolerance)
        full = {problem.group_ids[g] for g in np.flatnonzero(priced).tolist()}
        extra = routes_around(world, flow_rows, route_rows, networks, saturated, full)
        if not extra:
            break
        route_rows = [*route_rows, *extra]
        flow_pos, problem = routed_problem(world, flow_rows, route_rows, networks, settings)
        res = problem.solve(max_iter=settings.max_iter, tolerance=settings.gap, progress=report)
    elasticity, base = base_costs(world, flow_pos)
    if elasticity is not None:
        prices = [res.group_price_usd_per_t]

        def resolve(tonnes: np.ndarray) -> Any:
            """Settle again for elastic demand, from the last queue prices."""
            again = problem.solve(
                max_iter=settings.max_iter,
                tolerance=settings.gap,
                flow_tonnes=tonnes,
                initial_price_usd_per_t=prices[-1],
            )
            prices.append(again.group_price_usd_per_t)
            return again

        res = settle_elastic(
            resolve,
            res,
            problem.flow_tonnes,
            problem.routes.route_flow_idx,
            elasticity,
            base,
        )
    return Settlement(
        list(route_rows),
        res.route_tonnes,
        res.route_probability,
        res.route_cost_usd_per_t,
        res.route_time_h,
        res.iterations,
        res.relative_change,
        res.converged,
    )


def _settle_ue(
    world: Atlas,
    flow_rows: list[dict[str, Any]],
    route_rows: list[dict[str, Any]],
    networks: Mapping[str, Network],
    settings: AssignmentSettings,
    progress: Progress | None,
) -> Settlement:
    """User equilibrium on the network (the routes found only tell which flows are served); the
    capacities and closures are ``world``'s (a season's)."""
    served = set(r["flow_id"] for r in route_rows)
    flows = [f for f in flow_rows if f["flow_id"] in served]
    res = settle_ue(
        networks,
        flows,
        gap=settings.gap,
        max_iter=settings.max_iter,
        progress=(lambda it, _gap: progress("settling", it, settings.max_iter))
        if progress is not None
        else None,
        world=world,
    )
    return Settlement(
        res.route_rows,
        res.route_tonnes,
        res.route_share,
        res.route_cost_usd_per_t,
        res.route_time_h,
        res.iterations,
        res.relative_gap,
        res.converged,
    )


METHODS: Mapping[AssignmentMethod, MethodSpec] = {
    AssignmentMethod.AON: MethodSpec(
        AssignmentMethod.AON,
        "all-or-nothing: each flow on its least-cost route",
        lambda settings: 1,
        _settle_logit,
        "max_share_change",
    ),
    AssignmentMethod.SUE: MethodSpec(
        AssignmentMethod.SUE,
        "path-size logit over up to k_routes generated routes, under capacity",
        lambda settings: settings.k_routes,
        _settle_logit,
        "max_share_change",
    ),
    AssignmentMethod.UE: MethodSpec(
        AssignmentMethod.UE,
        "deterministic user equilibrium on the network with capacity-dependent costs",
        lambda settings: 1,
        _settle_ue,
        "relative_gap",
    ),
}


def method_spec(method: str | AssignmentMethod) -> MethodSpec:
    """The registered method; an unknown name is an :class:`~caravan.errors.InputError`."""
    return METHODS[AssignmentMethod.parse(method)]
