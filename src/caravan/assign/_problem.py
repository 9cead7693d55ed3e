"""Arrays shared by every algorithm: per-class fixed costs, masks, demand and the VDF bound in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from caravan.assign.records import AssignmentNetwork, DemandClass
from caravan.assign.vdf import VolumeDelayFunction
from caravan.errors import InputError
from caravan.model.arrays import FloatArray

__all__ = [
    "INNER_GAP_RATIO",
    "Problem",
    "ProgressFn",
    "Solution",
    "SolveOptions",
    "build_problem",
    "grown",
    "sweep_until_balanced",
]


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


#: Flow-shift sweeps stop once the cost above the cheapest path within each set (path set or
#: bush) is at most this fraction of the last relative gap of the total cost.
INNER_GAP_RATIO = 0.05


@dataclass(frozen=True)
class SolveOptions:
    """How far and how long a high-precision algorithm (``gp``, ``b``) runs.

    Attributes
    ----------
    gap : float
        Relative-gap target.
    max_iter : int
        Maximum number of iterations (shortest-path passes for ``gp``, bush updates for ``b``).
    progress : callable, optional
        Called as ``progress(iteration, relative_gap)`` whenever the relative gap is computed.
    inner_sweeps : int
        Most flow-shift sweeps per iteration (see :func:`sweep_until_balanced`).
    """

    gap: float = 1e-6
    max_iter: int = 500
    progress: ProgressFn | None = None
    inner_sweeps: int = 25


def sweep_until_balanced(
    sweep: Callable[[float], tuple[float, float]], last_gap: float, most: int
) -> int:
    """Run flow-shift sweeps until the sets are much closer to balance than ``last_gap``.

    ``sweep(target)`` makes one sweep and returns ``(cost, least_cost)``: the cost of the flow
    of the sets it saw and the cost were each trip on the cheapest path of its set (sets
    already within ``target`` may be left alone and counted as they were). Sweeping stops
    after ``most`` sweeps, or once ``cost - least_cost <= INNER_GAP_RATIO * last_gap * cost``:
    sweeps are cheap next to a shortest-path pass, so each pass is used to the full, but only
    new paths (the next pass) can bring the gap down further. Returns the sweeps made.
    """
    target = INNER_GAP_RATIO * last_gap
    for done in range(1, max(1, most) + 1):
        cost, least = sweep(target)
        if cost <= 0.0 or cost - least <= target * cost:
            return done
    return max(1, most)


def grown(array: NDArray[Any], size: int) -> NDArray[Any]:
    """``array`` enlarged to ``size`` elements, in place where the allocator can (no copy peak)."""
    array.resize(size, refcheck=False)
    return array
