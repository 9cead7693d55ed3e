"""All-or-nothing loading: every O-D flow on its least-cost path, origins in parallel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from caravan.assign.records import AssignmentNetwork
from caravan.errors import InputError, NoRouteError
from caravan.routing.trees import PARALLEL_MIN_WORK, all_origins_distances, dijkstra_kernel

__all__ = ["AonLoad", "all_or_nothing", "aon_kernel"]

FloatArray = NDArray[np.float64]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _aon_chunk(
    t: int, indptr: Any, csr_link_idx: Any, from_idx: Any, to_idx: Any, link_cost: Any,
    blocked_node_mask: Any, demand: Any, flows_out: Any, sptc_out: Any, unreachable_out: Any,
) -> None:  # fmt: skip
    n_nodes = indptr.size - 1
    n_links = csr_link_idx.size
    n_zones = demand.shape[0]
    n_chunks = flows_out.shape[0]
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, np.int64)
    order = np.empty(n_nodes, np.int64)
    done = np.empty(n_nodes, np.uint8)
    heap_key = np.empty(n_links + 1)
    heap_node = np.empty(n_links + 1, np.int64)
    node_load = np.zeros(n_nodes)
    flows = flows_out[t]
    for i in range(n_links):
        flows[i] = 0.0
    sptc = 0.0
    lost = 0.0
    for o in range(t, n_zones, n_chunks):
        row_total = 0.0
        for d in range(n_zones):
            if d != o:
                row_total += demand[o, d]
        if row_total <= 0.0:
            continue
        n_settled = dijkstra_kernel(
            indptr, csr_link_idx, to_idx, link_cost, blocked_node_mask, o,
            dist, pred, order, done, heap_key, heap_node,
        )  # fmt: skip
        for d in range(n_zones):
            q = demand[o, d]
            if d == o or q <= 0.0:
                continue
            if dist[d] == np.inf:
                lost += q
                continue
            node_load[d] += q
            sptc += q * dist[d]
        for k in range(n_settled - 1, 0, -1):
            u = order[k]
            q = node_load[u]
            if q != 0.0:
                a = pred[u]
                flows[a] += q
                node_load[from_idx[a]] += q
                node_load[u] = 0.0
        node_load[o] = 0.0
    sptc_out[t] = sptc
    unreachable_out[t] = lost


@njit(cache=True, nogil=True, parallel=True)  # type: ignore[untyped-decorator]
def aon_kernel(
    indptr: Any, csr_link_idx: Any, from_idx: Any, to_idx: Any, link_cost: Any,
    blocked_node_mask: Any, demand: Any, flows_out: Any, sptc_out: Any, unreachable_out: Any,
) -> None:  # fmt: skip
    """Load ``demand`` (zones x zones) on least-cost trees.

    Origins are dealt round-robin to ``flows_out.shape[0]`` chunks that run in parallel; chunk
    ``t`` writes row ``t`` of ``flows_out`` (so the result does not depend on thread timing),
    its shortest-path total cost to ``sptc_out[t]`` and its unreachable demand to
    ``unreachable_out[t]``.
    """
    for t in prange(flows_out.shape[0]):
        _aon_chunk(
            t, indptr, csr_link_idx, from_idx, to_idx, link_cost, blocked_node_mask, demand,
            flows_out, sptc_out, unreachable_out,
        )  # fmt: skip


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _aon_serial(
    indptr: Any, csr_link_idx: Any, from_idx: Any, to_idx: Any, link_cost: Any,
    blocked_node_mask: Any, demand: Any, flows_out: Any, sptc_out: Any, unreachable_out: Any,
) -> None:  # fmt: skip
    for t in range(flows_out.shape[0]):
        _aon_chunk(
            t, indptr, csr_link_idx, from_idx, to_idx, link_cost, blocked_node_mask, demand,
            flows_out, sptc_out, unreachable_out,
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
    parallel = network.n_zones * network.n_links >= PARALLEL_MIN_WORK
    n_chunks = max(1, min(numba.get_num_threads(), network.n_zones)) if parallel else 1
    flows = np.empty((n_chunks, network.n_links))
    sptc = np.zeros(n_chunks)
    lost = np.zeros(n_chunks)
    (aon_kernel if parallel else _aon_serial)(
        network.indptr,
        network.csr_link_idx,
        network.from_idx,
        network.to_idx,
        cost,
        network.blocked_node_mask,
        dem,
        flows,
        sptc,
        lost,
    )
    if lost.sum() > 0:
        raise _no_route(network, cost, dem)
    return AonLoad(flows.sum(axis=0), float(sptc.sum()))


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
