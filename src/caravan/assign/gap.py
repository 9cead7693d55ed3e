"""The relative gap of an assignment, computed at the flows given (never lagged).

``relative_gap = (TSC - SPTC) / TSC`` where TSC is the total system (generalised) cost at the
flows and SPTC the total cost if every trip used a least-cost path at those same costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from caravan.assign._problem import Problem, build_problem
from caravan.assign.aon import shortest_path_total_cost
from caravan.assign.records import AssignmentNetwork, DemandClass
from caravan.assign.vdf import get_vdf
from caravan.errors import InputError, NoRouteError
from caravan.model.arrays import FloatArray

__all__ = ["GapReport", "gap_report", "problem_gap", "relative_gap", "sptc_from_distances"]


@dataclass(frozen=True)
class GapReport:
    """Cost totals at a set of flows.

    Attributes
    ----------
    relative_gap : float
        ``(tsc - sptc) / tsc`` (0 when both are 0).
    tsc : float
        Total system generalised cost.
    sptc : float
        Shortest-path total cost at the same link costs.
    tstt : float
        Total system travel time (time only, no fixed costs).
    """

    relative_gap: float
    tsc: float
    sptc: float
    tstt: float


def sptc_from_distances(dist: FloatArray, demand: FloatArray) -> float:
    """Shortest-path total cost: demand times least cost, over positive off-diagonal demand.

    Raises
    ------
    NoRouteError
        If positive demand has no path.
    """
    mask = demand > 0
    np.fill_diagonal(mask, False)
    if np.isinf(dist[mask]).any():
        o, d = (int(i) for i in np.argwhere(mask & np.isinf(dist))[0])
        msg = f"no path from zone index {o} to zone index {d}, which has demand {demand[o, d]:g}"
        raise NoRouteError(msg)
    return float(np.sum(demand[mask] * dist[mask]))


def _gap(tsc: float, sptc: float) -> float:
    if tsc <= 0.0:
        return 0.0 if sptc <= 0.0 else float("inf")
    return (tsc - sptc) / tsc


def problem_gap(problem: Problem, class_flow: FloatArray) -> GapReport:
    """Gap report of stacked class flows (one shortest-path pass per class at these flows).

    The pass streams origins (memory per thread, not origins x nodes).
    """
    volume = problem.pce @ class_flow
    time = problem.link_time(volume)
    sptc = 0.0
    for c in range(problem.n_classes):
        sptc += shortest_path_total_cost(
            problem.network, problem.class_cost(c, time), problem.demand[c]
        )
    return gap_report(problem, class_flow, sptc, time)


def gap_report(
    problem: Problem, class_flow: FloatArray, sptc: float, link_time: FloatArray
) -> GapReport:
    """Gap report from a shortest-path total cost already computed at ``link_time``."""
    tsc = float(np.sum(class_flow * (link_time[None, :] + problem.fixed_cost)))
    tstt = float(np.sum(class_flow * link_time[None, :]))
    return GapReport(_gap(tsc, sptc), tsc, sptc, tstt)


def relative_gap(
    network: AssignmentNetwork,
    classes: Sequence[DemandClass],
    class_flow: FloatArray,
    *,
    vdf: str = "bpr",
) -> GapReport:
    """Relative gap of given link flows.

    Parameters
    ----------
    network : AssignmentNetwork
    classes : sequence of DemandClass
    class_flow : ndarray of float64, shape (n_classes, n_links) or (n_links,) for one class
        Link flows of each class.
    vdf : str
        Volume-delay function key (see :data:`caravan.assign.vdf.VDF_REGISTRY`).

    Returns
    -------
    GapReport

    Examples
    --------
    Two parallel links with time ``1 + v`` and ``2``; 3 trips: equilibrium puts 1 on the first.

    >>> net = AssignmentNetwork.from_links([0, 0], [1, 1], [1.0, 2.0], [1.0, 1.0], [1.0, 0.0],
    ...     [1.0, 1.0], n_nodes=2, n_zones=2)
    >>> car = DemandClass("car", np.array([[0.0, 3.0], [0.0, 0.0]]))
    >>> relative_gap(net, [car], np.array([1.0, 2.0])).relative_gap
    0.0
    """
    problem = build_problem(network, classes, get_vdf(vdf))
    flows = np.atleast_2d(np.asarray(class_flow, dtype=np.float64))
    if flows.shape != (problem.n_classes, network.n_links):
        msg = f"class_flow has shape {flows.shape}, need ({problem.n_classes}, {network.n_links})"
        raise InputError(msg)
    return problem_gap(problem, flows)
