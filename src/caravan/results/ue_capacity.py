"""Capacity in the user equilibrium (``method: ue``): queue prices by column generation.

Every link, crossing and port with a capacity is a *group* whose queue price (US$/t, the
Lagrange multiplier of its capacity side constraint; Larsson and Patriksson 1995, 1999) is
added to every engine link of it, as ``price / value_of_time`` hours for each flow.

:func:`constrained_equilibrium` finds the flows and prices in one solve of the engine's
side-constrained equilibrium (:mod:`caravan.assign.side_constrained`: disaggregate simplicial
decomposition, Larsson and Patriksson 1992, whose restricted master is a linear programme with
the capacity constraints; its dual values are the prices). Each flow keeps its own paths; the
prices come out of the master, not out of an outer loop of equilibria.

Should that miss the gap or the capacity band, the older scheme takes over:
:func:`price_rounds` moves the prices by the logit method's rule
(:func:`caravan.assign.path_logit.queue_price_rounds`), each round an equilibrium at the new
prices; :func:`mix_equilibria` then mixes the equilibria found (Dantzig-Wolfe decomposition: a
linear programme chooses the mix of least cost whose groups are within capacity; its dual values
are the new prices, and the equilibrium at those prices joins the mix until none is cheaper).
On the shipped scenarios the column generation alone meets both (``benchmarks/freight_ue.py``).

References
----------
Larsson and Patriksson (1992, 1995, 1999) and Dantzig and Wolfe (1960), listed in full in
:mod:`caravan.assign.side_constrained`, the algorithm's own module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from caravan.assign.assignment import assign
from caravan.assign.path_logit import MAX_QUEUE_PRICE_USD_PER_T, queue_price_rounds
from caravan.assign.records import AssignmentNetwork, DemandClass
from caravan.assign.side_constrained import side_constrained_equilibrium
from caravan.model.arrays import FloatArray, IntArray

__all__ = [
    "MAX_MIX_ROUNDS",
    "MAX_UE_PRICE_ROUNDS",
    "UE_ALGORITHM",
    "CapacityGroups",
    "Equilibria",
    "Equilibrium",
    "by_price_rounds",
    "constrained_equilibrium",
    "mix_equilibria",
    "price_rounds",
]

#: The engine's algorithm for freight: Algorithm B (one bush per flow, no paths kept). On
#: baseline-2025 with every flow x 30 it reached a gap of 4e-14 in 5 iterations where bi-conjugate
#: Frank-Wolfe needed 183 for 5.5e-7 (``benchmarks/freight_ue.py``).
UE_ALGORITHM = "b"
#: First guess of the queue price that moves a group's whole load elsewhere, US$/t (the first
#: price step; later steps use the response seen between rounds).
_PRICE_SCALE_USD_PER_T = 100.0
#: Rounds of the logit method's price rule at most, before the equilibria are mixed (on the
#: shipped scenarios the rule alone rarely lands a group inside its band: loads jump).
MAX_UE_PRICE_ROUNDS = 10
#: Rounds of the mixing step (each adds one equilibrium at the mix's prices), at most.
MAX_MIX_ROUNDS = 30
#: Master programmes of the column generation, at most.
MAX_COLUMN_ROUNDS = 60


@dataclass(frozen=True)
class CapacityGroups:
    """The capacity groups of an engine network."""

    ids: tuple[tuple[str, str], ...]  # ("link" | "border" | "port", id)
    capacity_t: FloatArray  # tonnes a year
    of_link: IntArray  # group of each engine link, -1 if none

    def tonnes(self, link_volume: FloatArray) -> FloatArray:
        """Tonnes on each group, given the engine links' volumes."""
        hit = self.of_link >= 0
        return np.bincount(
            self.of_link[hit], weights=link_volume[hit], minlength=len(self.ids)
        ).astype(np.float64)


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One equilibrium at one set of queue prices."""

    price_usd_per_t: FloatArray
    class_flow: sparse.csr_array  # (n_classes, n_links)
    group_tonnes: FloatArray
    cost_usd: float  # every flow's tonnes x its route's cost without queue prices
    relative_gap: float  # the engine's, at these prices
    iterations: int


class Equilibria:
    """The flows' equilibrium problem at given queue prices, and every equilibrium found."""

    def __init__(
        self,
        network: AssignmentNetwork,
        groups: CapacityGroups,
        classes: Sequence[DemandClass],
        value_of_time: FloatArray,
        *,
        gap: float,
        max_iter: int,
        progress: Callable[[int, float], None] | None,
    ) -> None:
        self.network = network
        self.groups = groups
        self.classes = list(classes)
        self.value_of_time = value_of_time
        self.fixed = np.stack(
            [c.fixed_cost if c.fixed_cost is not None else np.zeros(0) for c in self.classes]
        )
        self.gap, self.max_iter, self.progress = gap, max_iter, progress
        self.found: list[Equilibrium] = []
        self.iterations = 0

    def classes_at(self, price: FloatArray) -> list[DemandClass]:
        """The demand classes with each group's queue price added to its links, in hours of
        each flow's value of time."""
        hit = self.groups.of_link >= 0
        if not hit.any() or not np.any(price > 0):
            return self.classes
        link_price = price[self.groups.of_link[hit]]
        out = []
        for c, fixed, vot in zip(self.classes, self.fixed, self.value_of_time, strict=True):
            priced = fixed.copy()
            priced[hit] += link_price / vot
            out.append(dataclasses.replace(c, fixed_cost=priced))
        return out

    def solve(self, price: FloatArray) -> Equilibrium:
        """The equilibrium at ``price`` (kept in ``found``)."""
        first = self.iterations

        def report(it: int, gap: float) -> None:
            if self.progress is not None:
                self.progress(first + it, gap)

        res = assign(
            self.network,
            self.classes_at(price),
            algorithm=UE_ALGORITHM,
            gap=self.gap,
            max_iter=self.max_iter,
            progress=report,
        )
        self.iterations += res.iterations
        flows = res.class_flow
        hours = np.sum(flows * (res.link_time[None, :] + self.fixed), axis=1)
        found = Equilibrium(
            price.copy(),
            sparse.csr_array(flows),
            self.groups.tonnes(res.total_flow),
            float(np.dot(self.value_of_time, hours)),
            float(res.relative_gap),
            res.iterations,
        )
        self.found.append(found)
        return found


def price_rounds(solver: Equilibria, *, tolerance: float) -> tuple[Equilibrium, FloatArray, bool]:
    """Queue prices by the logit method's rule; each round is an equilibrium at new prices.

    Returns the last equilibrium, its prices and whether it is final: every group within
    ``(1 + tolerance)`` of its capacity and every priced group at least ``(1 - tolerance)``
    full.
    """
    capacity = solver.groups.capacity_t
    price = np.zeros(capacity.size)
    solver.solve(price)

    def settle(_state: FloatArray, _first: int) -> tuple[FloatArray, float, int]:
        found = solver.solve(price)
        # the state is the position of the equilibrium in ``solver.found``
        state = np.array([len(solver.found) - 1], dtype=np.float64)
        return state, found.relative_gap, found.iterations

    def load(state: FloatArray) -> FloatArray:
        return solver.found[int(state[0])].group_tonnes

    def sensitivity(state: FloatArray) -> FloatArray:
        # a deterministic equilibrium has no smooth response: first guess, a price of
        # _PRICE_SCALE_USD_PER_T moves the whole load (later rounds use the response seen)
        return np.maximum(load(state), capacity) / _PRICE_SCALE_USD_PER_T

    state, _, _, within = queue_price_rounds(
        np.array([0.0]),
        0.0,
        0,
        max_rounds=MAX_UE_PRICE_ROUNDS,
        settle=settle,
        load=load,
        price=price,
        capacity=capacity,
        tolerance=tolerance,
        sensitivity=sensitivity,
    )
    last = solver.found[int(state[0])]
    ratio = last.group_tonnes / capacity
    full = not bool(np.any((last.price_usd_per_t > 0) & (ratio < 1.0 - tolerance)))
    return last, last.price_usd_per_t, within and full


def mix_equilibria(solver: Equilibria, *, tolerance: float) -> tuple[FloatArray, FloatArray] | None:
    """Weights of the equilibria found and the queue prices at which their mix is an
    equilibrium within capacity (Dantzig-Wolfe decomposition; module docstring).

    The master programme: the mix of least cost (without queue prices) whose groups carry at
    most ``(1 + tolerance / 2)`` times their capacity; a group that no mix can relieve is
    allowed over at ``MAX_QUEUE_PRICE_USD_PER_T`` a tonne. Its dual values are the prices; the
    equilibrium at those prices joins the mix until it is no cheaper than the mix at them.
    None when the programme cannot be solved.
    """
    capacity = solver.groups.capacity_t
    n_groups = capacity.size
    scale = float(np.sum([c.total_demand for c in solver.classes])) or 1.0
    bound = capacity * (1.0 + 0.5 * tolerance) / scale
    answer: tuple[FloatArray, FloatArray] | None = None
    for _ in range(MAX_MIX_ROUNDS):
        found = solver.found
        n = len(found)
        cost = np.concatenate(
            [[f.cost_usd / scale for f in found], np.full(n_groups, MAX_QUEUE_PRICE_USD_PER_T)]
        )
        loads = np.stack([f.group_tonnes / scale for f in found], axis=1)
        a_ub = np.hstack([loads, -np.eye(n_groups)])
        a_eq = np.concatenate([np.ones(n), np.zeros(n_groups)])[None, :]
        res = linprog(cost, A_ub=a_ub, b_ub=bound, A_eq=a_eq, b_eq=[1.0], method="highs")
        if res.status != 0:
            return answer
        weights = np.clip(res.x[:n], 0.0, None)
        price = np.clip(-res.ineqlin.marginals, 0.0, MAX_QUEUE_PRICE_USD_PER_T)
        answer = (weights / weights.sum(), price)
        convexity = float(res.eqlin.marginals[0])
        new = solver.solve(price)
        reduced = new.cost_usd / scale + float(price @ new.group_tonnes) / scale - convexity
        if reduced >= -1e-9 * max(1.0, abs(float(res.fun))):
            break
    return answer


def constrained_equilibrium(
    solver: Equilibria, *, tolerance: float, gap: float
) -> tuple[FloatArray, FloatArray]:
    """Class flows and queue prices (US$/t) of the equilibrium within capacity.

    First by column generation (every group bounded at ``(1 + tolerance / 2)`` times its
    capacity; :func:`caravan.assign.side_constrained.side_constrained_equilibrium`); if its
    flows miss
    ``gap`` or a group ends above ``(1 + tolerance)`` times its capacity, by the queue-price
    rounds and the mix of their equilibria (:func:`price_rounds`, :func:`mix_equilibria`).
    """
    groups = solver.groups
    res = side_constrained_equilibrium(
        solver.network,
        solver.classes,
        class_weight=solver.value_of_time,
        link_group=groups.of_link,
        group_bound=groups.capacity_t * (1.0 + 0.5 * tolerance),
        overflow_price=MAX_QUEUE_PRICE_USD_PER_T,
        gap=gap,
        max_rounds=MAX_COLUMN_ROUNDS,
    )
    solver.iterations += res.rounds
    if solver.progress is not None:
        solver.progress(solver.iterations, res.relative_gap)
    within = bool(np.all(res.group_volume <= groups.capacity_t * (1.0 + tolerance)))
    if within and res.relative_gap <= gap:
        return res.class_flow, res.price
    return by_price_rounds(solver, tolerance=tolerance)


def by_price_rounds(solver: Equilibria, *, tolerance: float) -> tuple[FloatArray, FloatArray]:
    """Class flows and queue prices (US$/t) by the queue-price rounds (:func:`price_rounds`),
    then, if they end outside capacity, the mix of their equilibria (:func:`mix_equilibria`):
    the fallback of :func:`constrained_equilibrium`."""
    last, price, final = price_rounds(solver, tolerance=tolerance)
    class_flow = last.class_flow.toarray()
    mixed = None if final else mix_equilibria(solver, tolerance=tolerance)
    if mixed is not None:
        weights, price = mixed
        class_flow = np.zeros_like(class_flow)
        for w, eq in zip(weights, solver.found, strict=False):
            if w > 0:
                class_flow += w * eq.class_flow.toarray()
    return class_flow, price
