"""Arrays shared by every algorithm: per-class fixed costs, masks, demand and the VDF bound in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from caravan.assign.records import AssignmentNetwork, DemandClass
from caravan.assign.vdf import VolumeDelayFunction
from caravan.errors import InputError
from caravan.model.arrays import FloatArray

__all__ = ["Problem", "ProgressFn", "Solution", "build_problem"]


@dataclass(frozen=True)
class Problem:
    """An assignment problem as stacked arrays (one row per demand class)."""

    network: AssignmentNetwork
    vdf: VolumeDelayFunction
    names: tuple[str, ...]
    demand: FloatArray  # (n_classes, n_zones, n_zones), diagonal zeroed
    fixed_cost: FloatArray  # (n_classes, n_links)
    usable: NDArray[np.bool_]  # (n_classes, n_links)
    pce: FloatArray  # (n_classes,)

    @property
    def n_classes(self) -> int:
        return len(self.names)

    def link_time(self, volume: FloatArray) -> FloatArray:
        n = self.network
        return self.vdf.time(volume, n.free_flow_time, n.capacity, n.alpha, n.beta)

    def link_derivative(self, volume: FloatArray) -> FloatArray:
        n = self.network
        return self.vdf.derivative(volume, n.free_flow_time, n.capacity, n.alpha, n.beta)

    def beckmann(self, class_flow: FloatArray) -> float:
        n = self.network
        volume = self.pce @ class_flow
        integral = self.vdf.integral(volume, n.free_flow_time, n.capacity, n.alpha, n.beta)
        fixed = float(np.sum(self.pce[:, None] * self.fixed_cost * class_flow))
        return float(integral.sum()) + fixed

    def class_cost(self, c: int, link_time: FloatArray) -> FloatArray:
        """Generalised cost of class ``c``; ``inf`` on links it may not use."""
        cost = link_time + self.fixed_cost[c]
        return np.where(self.usable[c], cost, np.inf)


def build_problem(
    network: AssignmentNetwork, classes: Sequence[DemandClass], vdf: VolumeDelayFunction
) -> Problem:
    """Stack and check demand classes against a network."""
    if not classes:
        raise InputError("assignment needs at least one demand class")
    n_z, n_l = network.n_zones, network.n_links
    names = tuple(c.name for c in classes)
    if len(set(names)) != len(names):
        raise InputError(f"demand class names must be unique, got {list(names)}")
    demand = np.zeros((len(classes), n_z, n_z))
    fixed = np.zeros((len(classes), n_l))
    usable = np.ones((len(classes), n_l), dtype=np.bool_)
    for i, c in enumerate(classes):
        if c.demand.shape != (n_z, n_z):
            msg = f"demand class {c.name!r}: demand is {c.demand.shape}, network has {n_z} zones"
            raise InputError(msg)
        demand[i] = c.demand
        np.fill_diagonal(demand[i], 0.0)
        if c.fixed_cost is not None:
            if c.fixed_cost.shape != (n_l,):
                size = c.fixed_cost.size
                msg = f"demand class {c.name!r}: fixed_cost has {size} values, need {n_l}"
                raise InputError(msg)
            fixed[i] = c.fixed_cost
        if c.link_mask is not None:
            if c.link_mask.shape != (n_l,):
                msg = (
                    f"demand class {c.name!r}: link_mask has {c.link_mask.size} values, need {n_l}"
                )
                raise InputError(msg)
            usable[i] = c.link_mask
    pce = np.array([c.pce for c in classes], dtype=np.float64)
    return Problem(network, vdf, names, demand, fixed, usable, pce)


ProgressFn = Callable[[int, float], None]


@dataclass(frozen=True)
class Solution:
    """What an algorithm hands back: final class flows and its gap trace (gap at those flows).

    ``sptc`` is the shortest-path total cost at the returned flows when the algorithm's last
    shortest-path pass was made at exactly those flows (so the final gap needs no new pass).
    """

    class_flow: FloatArray
    iterations: int
    gap_history: tuple[float, ...]
    sptc: float | None = None
