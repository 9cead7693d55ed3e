"""TNTP benchmark networks as assignment problems, and one call that solves and scores them.

Cost rules (from bstabler/TransportationNetworks; see ``../shared/data/tntp/README.md``):
link time ``t = fft * (1 + b * (v / capacity) ** power)``; generalised cost
``t + toll_factor * toll + distance_factor * length``; TSTT is ``sum(v * t)`` (time only).
Nodes below ``<FIRST THRU NODE>`` are zones that paths may not pass through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from caravan.assign._problem import ProgressFn
from caravan.assign.assignment import assign
from caravan.assign.records import AssignmentNetwork, AssignmentResult, DemandClass
from caravan.assign.vdf import bpr_time
from caravan.errors import InputError
from caravan.model.arrays import FloatArray
from caravan.model.tntp import TntpData, TntpNet

__all__ = [
    "TNTP_COST_WEIGHTS",
    "TntpProblem",
    "TntpRun",
    "assign_tntp",
    "best_known_flow",
    "tntp_cost_weights",
    "tntp_problem",
]


#: Generalised-cost weights stated in the network READMEs of bstabler/TransportationNetworks
#: (not in the net files): name (lower case, letters only) -> (toll_factor, distance_factor),
#: in time units per toll unit and per length unit.
TNTP_COST_WEIGHTS: dict[str, tuple[float, float]] = {
    "chicagosketch": (0.02, 0.04),
    "chicagoregional": (0.1, 0.25),
    "philadelphia": (0.055, 0.0),
}


def tntp_cost_weights(
    name: str,
    net: TntpNet,
    *,
    toll_factor: float | None = None,
    distance_factor: float | None = None,
) -> tuple[float, float]:
    """Cost weights: explicit overrides, else ``<TOLL FACTOR>``/``<DISTANCE FACTOR>`` metadata,
    else :data:`TNTP_COST_WEIGHTS`, else 0.

    Examples
    --------
    >>> from caravan.model.tntp import TntpNet
    >>> z = np.zeros(0)
    >>> net = TntpNet("x", 1, 1, 1, {}, z.astype(int), z.astype(int), z, z, z, z, z, z, z,
    ...     z.astype(int))
    >>> tntp_cost_weights("Chicago-Sketch", net), tntp_cost_weights("Anaheim", net)
    ((0.02, 0.04), (0.0, 0.0))
    """
    key = re.sub(r"[^a-z]", "", name.lower())
    known_toll, known_dist = TNTP_COST_WEIGHTS.get(key, (0.0, 0.0))

    def pick(override: float | None, meta_key: str, known: float) -> float:
        if override is not None:
            return float(override)
        raw = net.metadata.get(meta_key, "").split()
        return float(raw[0]) if raw else known

    return (
        pick(toll_factor, "TOLL FACTOR", known_toll),
        pick(distance_factor, "DISTANCE FACTOR", known_dist),
    )


def best_known_flow(data: TntpData) -> FloatArray | None:
    """Best-known link flows of the flow file in net-file link order (``None`` if absent).

    Raises
    ------
    InputError
        If a link of the net file has no row in the flow file.
    """
    if data.flow is None:
        return None
    net, fl = data.net, data.flow
    if np.array_equal(fl.from_node, net.init_node) and np.array_equal(fl.to_node, net.term_node):
        return fl.volume.copy()
    lookup = {
        (int(a), int(b)): float(v)
        for a, b, v in zip(fl.from_node, fl.to_node, fl.volume, strict=True)
    }
    out = np.empty(net.n_links)
    for i, key in enumerate(zip(net.init_node.tolist(), net.term_node.tolist(), strict=True)):
        if key not in lookup:
            raise InputError(f"{fl.source}: no flow for link {key[0]} -> {key[1]} of the net file")
        out[i] = lookup[key]
    return out


@dataclass(frozen=True)
class TntpProblem:
    """A TNTP network as one demand class on an assignment network."""

    name: str
    network: AssignmentNetwork
    demand_class: DemandClass
    toll_factor: float
    distance_factor: float
    best_known_tstt: float | None


def tntp_problem(
    data: TntpData, *, toll_factor: float | None = None, distance_factor: float | None = None
) -> TntpProblem:
    """Compile TNTP data into an assignment problem (BPR from ``b`` and ``power``)."""
    net = data.net
    tf, df = tntp_cost_weights(
        data.name, net, toll_factor=toll_factor, distance_factor=distance_factor
    )
    network = AssignmentNetwork.from_links(
        net.init_node - 1,
        net.term_node - 1,
        net.free_flow_time,
        net.capacity,
        net.b,
        net.power,
        n_nodes=net.n_nodes,
        n_zones=net.n_zones,
        first_thru_node_idx=net.first_thru_node - 1,
    )
    fixed = tf * net.toll + df * net.length
    klass = DemandClass("all", data.trips, fixed_cost=fixed if np.any(fixed) else None)
    best = best_known_flow(data)
    best_tstt = None
    if best is not None:
        t = bpr_time(best, net.free_flow_time, net.capacity, net.b, net.power)
        best_tstt = float(np.sum(best * t))
    return TntpProblem(data.name, network, klass, tf, df, best_tstt)


@dataclass(frozen=True)
class TntpRun:
    """An assignment of a TNTP network and its score against the best-known solution."""

    problem: TntpProblem
    result: AssignmentResult

    @property
    def tstt_rel_diff(self) -> float | None:
        """(TSTT - best-known TSTT) / best-known TSTT, or ``None`` without a flow file."""
        best = self.problem.best_known_tstt
        return None if best is None else (self.result.tstt - best) / best

    def summary(self) -> dict[str, object]:
        """The JSON-ready summary printed by ``caravan tntp assign --json``."""
        r = self.result
        return {
            "network": self.problem.name,
            "algorithm": r.algorithm,
            "iterations": r.iterations,
            "relative_gap": r.relative_gap,
            "tstt": r.tstt,
            "best_known_tstt": self.problem.best_known_tstt,
            "tstt_rel_diff": self.tstt_rel_diff,
            "seconds": r.seconds,
            "converged": r.converged,
            "tsc": r.tsc,
            "beckmann": r.beckmann,
            "toll_factor": self.problem.toll_factor,
            "distance_factor": self.problem.distance_factor,
        }


def assign_tntp(
    data: TntpData,
    *,
    algorithm: str = "gp",
    gap: float = 1e-6,
    max_iter: int | None = None,
    toll_factor: float | None = None,
    distance_factor: float | None = None,
    progress: ProgressFn | None = None,
) -> TntpRun:
    """Solve a TNTP network to a relative gap and score it against the best-known flows."""
    problem = tntp_problem(data, toll_factor=toll_factor, distance_factor=distance_factor)
    result = assign(
        problem.network,
        [problem.demand_class],
        algorithm=algorithm,
        gap=gap,
        max_iter=max_iter,
        progress=progress,
    )
    return TntpRun(problem, result)
