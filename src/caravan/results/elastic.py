"""Elastic demand: a flow's tonnes respond to its generalised cost.

On an atlas with a calibration (:func:`caravan.model.calibration.apply_calibration`), a flow's
tonnes follow ``T = T0 (C / C0) ** e``: ``T0`` the demand table's tonnes, ``C`` the flow's
expected generalised cost in the scenario (its route shares times its route costs), ``C0`` the
same in the calibrated base year, ``e`` the calibration's elasticity (negative). A corridor that
makes a flow cheaper attracts cargo that did not move before; a closure that makes it dearer
suppresses some. Demand and route choice are settled in ``ELASTIC_ROUNDS`` alternating rounds.
Flows with no base-year cost (added by a scenario) keep ``T0``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from caravan.model.atlas import Atlas

__all__ = ["ELASTIC_ROUNDS", "base_costs", "settle_elastic"]

#: Alternating rounds of demand (from costs) and route choice (from demand).
ELASTIC_ROUNDS = 2


def base_costs(world: Atlas, flow_pos: dict[str, int]) -> tuple[float | None, np.ndarray]:
    """The calibrated elasticity (``None`` when there is none) and each flow's base-year cost.

    Examples
    --------
    >>> from caravan import load_atlas
    >>> value, costs = base_costs(load_atlas(calibrated=False), {"a": 0})
    >>> value is None, costs.tolist()
    (True, [0.0])
    """
    calibration = world.meta.get("calibration") or {}
    el = calibration.get("elasticity")
    costs = calibration.get("flow_base_cost_usd_per_t") or {}
    base = np.zeros(len(flow_pos))
    if not el or not costs:
        return None, base
    for flow_id, pos in flow_pos.items():
        base[pos] = float(costs.get(flow_id, 0.0))
    return float(el["value"]), base


def settle_elastic(
    solve: Callable[[np.ndarray], Any],
    first: Any,
    fixed_tonnes: np.ndarray,
    route_flow_idx: np.ndarray,
    elasticity: float,
    base_cost_usd_per_t: np.ndarray,
) -> Any:
    """Re-settle with elastic tonnes; ``solve(tonnes)`` returns a result like ``first``.

    Examples
    --------
    A flow whose cost doubles with e = -0.5 keeps 2 ** -0.5 of its tonnes:

    >>> import numpy as np
    >>> from types import SimpleNamespace as NS
    >>> def solve(t):
    ...     return NS(route_probability=np.ones(1), route_cost_usd_per_t=np.array([20.0]),
    ...               route_tonnes=t)
    >>> res = settle_elastic(solve, solve(np.array([100.0])), np.array([100.0]), np.array([0]),
    ...                      -0.5, np.array([10.0]))
    >>> round(float(res.route_tonnes[0]), 2)
    70.71
    """
    res = first
    known = base_cost_usd_per_t > 0
    safe_base = np.where(known, base_cost_usd_per_t, 1.0)
    for _ in range(ELASTIC_ROUNDS):
        cost = np.bincount(
            route_flow_idx,
            weights=np.asarray(res.route_probability) * np.asarray(res.route_cost_usd_per_t),
            minlength=len(fixed_tonnes),
        )
        ratio = np.where(known & (cost > 0), cost / safe_base, 1.0)
        res = solve(fixed_tonnes * np.power(ratio, elasticity))
    return res
