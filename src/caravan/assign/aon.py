"""All-or-nothing loading: every O-D flow on its least-cost path, origins in parallel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numba import njit, prange

from caravan._numba import load_numba
from caravan.assign.records import AssignmentNetwork
from caravan.errors import InputError, NoRouteError
from caravan.model.arrays import FloatArray
from caravan.routing.trees import PARALLEL_MIN_WORK, all_origins_distances, dijkstra_kernel

load_numba()  # before any kernel runs: see caravan._numba

__all__ = ["AonLoad", "all_or_nothing", "aon_kernel", "shortest_path_total_cost"]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _aon_chunk(
    t: int, indptr: Any, head: Any, tail: Any, entry_cost: Any, blocked_node_mask: Any,
    demand: Any, load: bool, flows_out: Any, sptc_out: Any, unreachable_out: Any,
) -> None:  # fmt: skip
    n_nodes = indptr.size - 1
    n_zones = demand.shape[0]
    n_chunks = sptc_out.shape[0]
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, np.int64)
    order = np.empty(n_nodes, np.int64)
    heap_node = np.empty(n_nodes, np.int64)
    heap_key = np.empty(n_nodes)
    pos = np.empty(n_nodes, np.int64)
    node_load = np.zeros(n_nodes)
    mask = np.zeros(n_nodes, np.uint8)
    flows = flows_out[t]
    if load:
        for i in range(flows.size):
            flows[i] = 0.0
    sptc = 0.0
    lost = 0.0
    for o in range(t, n_zones, n_chunks):
        n_dest = 0  # the search stops once every destination of this origin is settled
        for d in range(n_zones):
            if d != o and demand[o, d] > 0.0:
                mask[d] = 1
                n_dest += 1
        if n_dest == 0:
            continue
        n_settled = dijkstra_kernel(
            indptr, head, entry_cost, blocked_node_mask, o, mask, n_dest,
            dist, pred, order, heap_node, heap_key, pos,
        )  # fmt: skip
        for d in range(n_zones):
            mask[d] = 0
        for d in range(n_zones):
            q = demand[o, d]
            if d == o or q <= 0.0:
                continue
            if dist[d] == np.inf or pos[d] != -2:
                lost += q
                continue
            node_load[d] += q
            sptc += q * dist[d]
        if not load:
            for d in range(n_zones):
                node_load[d] = 0.0
            continue
        for k in range(n_settled - 1, 0, -1):
            u = order[k]
            q = node_load[u]
            if q != 0.0:
                e = pred[u]
                flows[e] += q
                node_load[tail[e]] += q
                node_load[u] = 0.0
        node_load[o] = 0.0
    sptc_out[t] = sptc
    unreachable_out[t] = lost


@njit(cache=True, nogil=True, parallel=True)  # type: ignore[untyped-decorator]
def aon_kernel(
    indptr: Any, head: Any, tail: Any, entry_cost: Any, blocked_node_mask: Any, demand: Any,
    load: bool, flows_out: Any, sptc_out: Any, unreachable_out: Any,
) -> None:  # fmt: skip
    """Load ``demand`` (zones x zones) on least-cost trees of a search graph.

    The graph is given in scan order (see :class:`caravan.routing.search_graph.SearchGraph`).
    Origins are dealt round-robin to ``sptc_out.shape[0]`` chunks that run in parallel; chunk
    ``t`` writes row ``t`` of ``flows_out`` (flow per entry; so the result does not depend on
    thread timing), its shortest-path total cost to ``sptc_out[t]`` and its unreachable demand
    to ``unreachable_out[t]``. With ``load`` false only the costs are computed (``flows_out``
    is not touched and may have zero columns).
    """
    for t in prange(sptc_out.shape[0]):
        _aon_chunk(
            t, indptr, head, tail, entry_cost, blocked_node_mask, demand, load, flows_out,
            sptc_out, unreachable_out,
        )  # fmt: skip


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _aon_serial(
    indptr: Any, head: Any, tail: Any, entry_cost: Any, blocked_node_mask: Any, demand: Any,
    load: bool, flows_out: Any, sptc_out: Any, unreachable_out: Any,
) -> None:  # fmt: skip
    for t in range(sptc_out.shape[0]):
        _aon_chunk(
            t, indptr, head, tail, entry_cost, blocked_node_mask, demand, load, flows_out,
            sptc_out, unreachable_out,
        )  # fmt: skip


@dataclass(frozen=True)
class AonLoad:
    """An all-or-nothing load: link flows and the shortest-path total cost."""

    flow: FloatArray
    sptc: float


def all_or_nothing(
    network: AssignmentNetwork, link_cost: FloatArray, demand: FloatArray
) -> AonLoad:
    """Load every O-D flow on its least-cost path at fixed link costs.

    Parameters
    ----------
    network : AssignmentNetwork
        The network (zones are its first ``n_zones`` nodes; blocked nodes are honoured).
    link_cost : ndarray of float64
        Non-negative cost per link; ``inf`` removes a link.
    demand : ndarray of float64, shape (n_zones, n_zones)
        O-D demand (diagonal ignored).

    Returns
    -------
    AonLoad

    Raises
    ------
    NoRouteError
        If some positive demand has no path; the message names the first such O-D pair.

    Examples
    --------
    >>> from caravan.assign.records import AssignmentNetwork
    >>> net = AssignmentNetwork.from_links([0, 0, 2], [1, 2, 1], [5.0, 1.0, 1.0], [1.0] * 3,
    ...     [0.0] * 3, [0.0] * 3, n_nodes=3, n_zones=2)
    >>> load = all_or_nothing(net, np.array([5.0, 1.0, 1.0]), np.array([[0, 3.0], [0, 0]]))
    >>> load.flow.tolist(), load.sptc
    ([0.0, 3.0, 3.0], 6.0)
    """
    cost = np.ascontiguousarray(link_cost, dtype=np.float64)
    if cost.shape != (network.n_links,) or np.isnan(cost).any() or (cost < 0).any():
        msg = f"link_cost must hold {network.n_links} non-negative numbers"
        raise InputError(msg)
    dem = np.ascontiguousarray(demand, dtype=np.float64)
    flow, sptc, lost = _run_aon(network, cost, dem, load=True)
    if lost > 0:
        raise _no_route(network, cost, dem)
    return AonLoad(flow, sptc)


def shortest_path_total_cost(
    network: AssignmentNetwork, link_cost: FloatArray, demand: FloatArray
) -> float:
    """Demand times least cost, summed over O-D pairs: all-or-nothing without the loading.

    One search per origin, run across origins in parallel with memory per thread (no
    origins x nodes matrix).

    Raises
    ------
    NoRouteError
        If some positive demand has no path.
    """
    cost = np.ascontiguousarray(link_cost, dtype=np.float64)
    dem = np.ascontiguousarray(demand, dtype=np.float64)
    _, sptc, lost = _run_aon(network, cost, dem, load=False)
    if lost > 0:
        raise _no_route(network, cost, dem)
    return sptc


def _run_aon(
    network: AssignmentNetwork, cost: FloatArray, demand: FloatArray, *, load: bool
) -> tuple[FloatArray, float, float]:
    sg = network.search_graph
    parallel = network.n_zones * sg.n_entries >= PARALLEL_MIN_WORK
    n_chunks = max(1, min(numba.get_num_threads(), network.n_zones)) if parallel else 1
    flows = np.empty((n_chunks, sg.n_entries if load else 0))
    sptc = np.zeros(n_chunks)
    lost = np.zeros(n_chunks)
    (aon_kernel if parallel else _aon_serial)(
        sg.indptr, sg.head, sg.tail, sg.entry_cost(cost), sg.blocked_node_mask, demand, load,
        flows, sptc, lost,
    )  # fmt: skip
    flow = sg.link_values(flows.sum(axis=0), network.n_links) if load else np.zeros(0)
    return flow, float(sptc.sum()), float(lost.sum())


def _no_route(network: AssignmentNetwork, cost: FloatArray, demand: FloatArray) -> NoRouteError:
    zones = np.arange(network.n_zones)
    dist = all_origins_distances(
        network.indptr,
        network.csr_link_idx,
        network.to_idx,
        cost,
        zones,
        blocked_node_mask=network.blocked_node_mask,
    )[:, : network.n_zones]
    bad = (demand > 0) & np.isinf(dist)
    np.fill_diagonal(bad, False)
    o, d = (int(i) for i in np.argwhere(bad)[0])
    msg = (
        f"no path from zone index {o} to zone index {d} (demand {demand[o, d]:g}); "
        f"{int(bad.sum())} O-D pair(s) with demand are cut off. Check link masks, blocked zones "
        "and dead ends."
    )
    return NoRouteError(msg)
