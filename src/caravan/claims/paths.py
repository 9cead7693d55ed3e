"""Routes as a claim states them: through ``via`` stops in order, one mode per leg, as one route.

A route through stops is searched on a *staged* copy of the network: one copy of every arc per
leg, and between copy ``s`` and ``s + 1`` an arc at each layer node of stop ``s`` (or, for a
project, each arc of its links). The least-cost path from the origin in the first copy to the
destination in the last is the best route that visits the stops in order, and, as one path of
the network, it carries every transfer it makes at the stops (ship to rail at a port, a gauge
change at a border station) and terminal handling only at its two ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from caravan.errors import NoRouteError
from caravan.network.cargo import cargo_arcs
from caravan.network.model import ArcKind
from caravan.results.routes import Objective, route_of_path
from caravan.routing.shortest import ArcPath, CsrGraph, Kernel, shortest_path

if TYPE_CHECKING:
    from caravan.network.model import Network
    from caravan.results.routes import Route

__all__ = ["route_evidence", "route_through"]


def _stop_vnodes(network: Network, kind: str, target: str) -> np.ndarray:
    if kind == "country":
        countries = np.asarray(network.place_country_iso3)
        return np.flatnonzero(countries[network.vnode_place_idx] == target).astype(np.int64)
    places = target.split("|")
    return np.concatenate([network.vnodes_of(p) for p in places]).astype(np.int64)


def _project_arcs(network: Network, project_id: str) -> np.ndarray:
    links = {i for i, ids in enumerate(network.link_project_ids) if project_id in ids}
    links |= {i for i, ids in enumerate(network.link_corridor_ids) if project_id in ids}
    arc_link = network.arc_link_idx
    return np.flatnonzero([int(x) in links for x in arc_link]).astype(np.int64)


def route_through(
    network: Network,
    origin: str,
    destination: str,
    stops: Sequence[tuple[str, str]],
    *,
    by: str = "cost",
    leg_modes: Sequence[tuple[str, ...] | None] = (),
) -> Route:
    """The best route from ``origin`` to ``destination`` through ``stops`` in order.

    Parameters
    ----------
    network : Network
        The network of the scenario, year and commodity.
    origin, destination : str
        Place ids.
    stops : sequence of (kind, id)
        ``("place", "a|b")`` (any one of the places), ``("country", ISO3)`` or
        ``("project", id)`` (any link of the project).
    by : str
        The objective (``cost``, ``money``, ``time``, ``distance``).
    leg_modes : sequence of tuple of str or None
        Per leg (``len(stops) + 1``), the modes its links may use (``None``: any).

    Raises
    ------
    NoRouteError
        When no route visits the stops in order.
    """
    objective = Objective(by)
    atlas = network.atlas
    o, d = atlas.node(origin), atlas.node(destination)
    cargo = cargo_arcs(network, origin_iso3=o.country_iso3, destination_iso3=d.country_iso3)
    n, m = network.n_vnodes, int(network.arc_head_vidx.size)
    tail, head = network.arc_tail_vidx, network.arc_head_vidx
    weight = np.asarray(cargo.weight(objective), dtype=float)
    sources, targets = network.vnodes_of(o.node_id), network.vnodes_of(d.node_id)
    base = np.asarray(cargo.arc_usable, dtype=bool).copy()
    # As for any route: the origin and destination attach to all their layers, so no transfer
    # is needed there; a transfer at a stop is a real one and stays.
    is_end = np.zeros(n, bool)
    is_end[sources] = True
    is_end[targets] = True
    base &= ~((is_end[tail] | is_end[head]) & (network.arc_kind == ArcKind.TRANSFER))
    link_mode = np.asarray(
        atlas.links_frame.set_index("link_id").loc[list(network.link_ids), "mode"]
    )
    arc_mode = np.where(
        network.arc_link_idx >= 0, link_mode[np.maximum(network.arc_link_idx, 0)], ""
    )
    n_legs = len(stops) + 1
    modes = list(leg_modes) or [None] * n_legs
    tails, heads, weights, masks, orig = [], [], [], [], []
    for s in range(n_legs):
        mask = base.copy()
        if modes[s] is not None:
            mask &= (network.arc_kind == ArcKind.TRANSFER) | np.isin(arc_mode, list(modes[s] or ()))
        tails.append(tail + s * n)
        heads.append(head + s * n)
        weights.append(weight)
        masks.append(mask)
        orig.append(np.arange(m))
        if s == n_legs - 1:
            break
        kind, target = stops[s]
        if kind == "project":
            arcs = _project_arcs(network, target)
            tails.append(tail[arcs] + s * n)
            heads.append(head[arcs] + (s + 1) * n)
            weights.append(weight[arcs])
            masks.append(base[arcs])
            orig.append(arcs)
        else:
            v = _stop_vnodes(network, kind, target)
            tails.append(v + s * n)
            heads.append(v + (s + 1) * n)
            weights.append(np.zeros(v.size))
            masks.append(np.ones(v.size, bool))
            orig.append(np.full(v.size, -1))
    all_tail = np.concatenate(tails)
    order = np.argsort(all_tail, kind="stable")
    graph = CsrGraph.from_arcs(n * n_legs, all_tail[order], np.concatenate(heads)[order])
    w = np.concatenate(weights)[order]
    ok = np.concatenate(masks)[order] & np.isfinite(w)
    back = np.concatenate(orig)[order]
    found = shortest_path(
        graph,
        np.where(ok, w, 0.0),
        sources,
        targets + (n_legs - 1) * n,
        arc_mask=ok,
        kernel=Kernel.PYTHON,
    )
    if found is None:
        through = ", ".join(t for _, t in stops)
        legs = f" with legs by {', '.join('any' if x is None else '/'.join(x) for x in modes)}"
        raise NoRouteError(
            f"no route from {o.node_id} to {d.node_id} through {through}"
            + (legs if leg_modes else "")
        )
    kept = tuple(int(back[a]) for a in found.arcs if back[a] >= 0)
    nodes = [int(found.source) % n] + [int(head[a]) for a in kept]
    path = ArcPath(int(found.source) % n, kept, tuple(nodes), float(found.weight))
    return route_of_path(network, cargo, path, rank=1, objective=objective)


def route_evidence(r: Any) -> dict[str, Any]:
    """A route in full for the evidence: places, countries, transfers, borders and totals."""
    return {
        "node_ids": list(r.node_ids),
        "countries": list(r.countries),
        "projects": list(r.projects),
        "transfers": [
            f"{t.node_id}: {t.from_mode} -> {t.to_mode} "
            f"({t.dwell_h:g} h, {t.fee_usd_per_t:g} USD/t)"
            for t in r.transfers
        ],
        "borders": [
            f"{b.name} ({b.from_iso3}->{b.to_iso3}, {b.dwell_h:g} h, {b.fee_usd_per_t:g} USD/t)"
            for b in r.borders
        ],
        "length_km": round(float(r.length_km), 1),
        "time_h": round(float(r.time_h), 1),
        "money_usd_per_t": round(float(r.money_usd_per_t), 2),
        "risk_usd_per_t": round(float(r.risk_usd_per_t), 2),
        "cost_usd_per_t": round(float(r.cost_usd_per_t), 2),
    }
