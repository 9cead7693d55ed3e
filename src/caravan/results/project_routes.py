"""A flow's cheapest route over each project its scenario opens, added to its choice set.

Yen's k cheapest routes are often variants of one corridor: Tashkent to Jebel Ali's five are
five ways across Iran, so a scenario that opens the Trans-Afghan railway never offered that
flow the railway, and could not say whether it takes any of the cargo. A flow is therefore
also offered the cheapest route that uses a link of each project the scenario opens (when no
route of its set uses one already), unless that route costs more than
:data:`MAX_COST_RATIO` times its best: then it is no alternative. Route choice decides how
much cargo it gets, as for any route of the set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from caravan.model.atlas import Atlas
from caravan.network.cargo import cargo_arcs
from caravan.network.model import ArcKind, Network, Objective
from caravan.results.routes import Route, route_of_path
from caravan.routing.via import shortest_path_via

__all__ = ["MAX_COST_RATIO", "project_alternatives"]

#: A route over a project that costs more than this many times the flow's best is not offered.
MAX_COST_RATIO = 2.0


def _project_link_ids(world: Atlas, project_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    wanted = set(project_ids)
    return {p.project_id: frozenset(p.link_ids) for p in world.projects if p.project_id in wanted}


def project_alternatives(
    network: Network,
    origin: str,
    destination: str,
    project_ids: Sequence[str],
    routes: Sequence[Route],
    *,
    max_cost_ratio: float = MAX_COST_RATIO,
) -> list[Route]:
    """The cheapest route over each of ``project_ids`` that none of ``routes`` uses yet.

    ``routes`` are the flow's routes so far, best first (their cost sets the cap). A route
    that passes a place twice (out and back to reach the project) is not offered.
    """
    if not routes or not project_ids:
        return []
    best = min(r.cost_usd_per_t for r in routes)
    used = {lid for r in routes for lid in r.link_ids}
    atlas = network.atlas
    o, d = atlas.node(origin), atlas.node(destination)
    cargo = cargo_arcs(network, origin_iso3=o.country_iso3, destination_iso3=d.country_iso3)
    sources, targets = network.vnodes_of(o.node_id), network.vnodes_of(d.node_id)
    # as in caravan.results.routes.paths_between: no transfer at either end
    is_end = np.zeros(network.n_vnodes, dtype=bool)
    is_end[sources] = True
    is_end[targets] = True
    end_transfer = (network.arc_kind == ArcKind.TRANSFER) & (
        is_end[network.arc_tail_vidx] | is_end[network.arc_head_vidx]
    )
    weight = np.where(cargo.arc_usable & ~end_transfer, cargo.arc_cost_usd_per_t, np.inf)
    out: list[Route] = []
    for links in _project_link_ids(atlas, project_ids).values():
        if links & used:
            continue
        idx = [network.link_index[lid] for lid in links if lid in network.link_index]
        via = np.isin(network.arc_link_idx, idx) & (network.arc_link_idx >= 0)
        path = shortest_path_via(
            network.arc_tail_vidx,
            network.arc_head_vidx,
            weight,
            sources,
            targets,
            via,
            n_nodes=network.n_vnodes,
        )
        if path is None:
            continue
        places = network.vnode_place_idx[list(path.nodes)]
        changes = places[np.r_[True, places[1:] != places[:-1]]]
        if np.unique(changes).size != changes.size:
            continue  # out and back
        route = route_of_path(
            network, cargo, path, rank=len(routes) + len(out) + 1, objective=Objective.COST
        )
        if route.cost_usd_per_t <= max_cost_ratio * best:
            out.append(route)
            used |= set(route.link_ids)
    return out
