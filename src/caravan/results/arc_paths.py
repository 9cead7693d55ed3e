"""Paths on a built network: its routing graph, the distinct paths between two places' nodes,
and the places a path visits (what :mod:`caravan.results.routes` makes routes of, and
:mod:`caravan.results.no_route` searches when there is none).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from caravan.network.cargo import CargoArcs
from caravan.network.model import ArcKind, Network, Objective
from caravan.routing.kshortest import distinct_shortest_paths
from caravan.routing.shortest import ArcPath, CsrGraph, Kernel

__all__ = ["MAX_PATHS_PER_ROUTE", "graph_of", "paths_between", "places_of"]

#: Yen's paths examined per route asked for, at most, while looking for paths that pass the
#: overlap filter; past that, fewer routes than asked are returned.
MAX_PATHS_PER_ROUTE = 25


def graph_of(network: Network) -> CsrGraph:
    """The network's arcs as a routing graph (no copy)."""
    return CsrGraph(network.indptr, network.arc_tail_vidx, network.arc_head_vidx)


def paths_between(
    network: Network,
    cargo: CargoArcs,
    sources: np.ndarray[Any, Any],
    targets: np.ndarray[Any, Any],
    *,
    objective: Objective,
    n_routes: int,
    max_overlap: float,
    arc_mask: np.ndarray[Any, Any] | None = None,
    kernel: Kernel = Kernel.NUMBA,
    max_paths: int | None = None,
    origin_transfers: bool = False,
) -> list[ArcPath]:
    """Up to ``n_routes`` distinct paths, lightest first (empty when there is none).

    At most ``max_paths`` of Yen's paths are examined (default ``MAX_PATHS_PER_ROUTE`` per
    route asked for). With ``origin_transfers`` a path may change layer at its sources, paying
    the transfer (a route that continues from one layer of a place it passes through).
    """
    if sources.size == 0 or targets.size == 0:
        return []
    mask = (cargo.arc_usable if arc_mask is None else arc_mask).copy()
    # The origin and destination attach to all their layers at no cost, so a transfer there is
    # never needed; removing those arcs stops "alternatives" that only add one.
    is_source = np.zeros(network.n_vnodes, bool)
    is_source[sources] = True
    is_target = np.zeros_like(is_source)
    is_target[targets] = True
    ends = is_target[network.arc_head_vidx]
    if not origin_transfers:
        ends = ends | is_source[network.arc_tail_vidx]
    mask &= ~(ends & (network.arc_kind == ArcKind.TRANSFER))
    return distinct_shortest_paths(
        graph_of(network),
        cargo.weight(objective),
        sources,
        targets,
        arc_key=network.arc_link_idx,  # -1 for transfers
        arc_length=network.arc_length_km,
        max_overlap=max_overlap,
        n_paths=n_routes,
        max_paths=max_paths if max_paths is not None else MAX_PATHS_PER_ROUTE * n_routes,
        arc_mask=mask,
        node_group=network.vnode_place_idx,
        kernel=kernel,
    )


def places_of(network: Network, path: ArcPath) -> list[int]:
    """The places a path visits, in order (a transfer stays at its place)."""
    places = [int(network.vnode_place_idx[path.source])]
    for a in path.arcs:
        if int(network.arc_kind[a]) == ArcKind.LINK:
            places.append(int(network.vnode_place_idx[network.arc_head_vidx[a]]))
    return places
