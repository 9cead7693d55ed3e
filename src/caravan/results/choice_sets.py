"""One choice set per flow for both scenarios of a comparison.

Each scenario's own route search (Yen's k cheapest routes, plus overland alternatives) depends
on its network, so two scenarios routed apart may offer a flow different alternatives even
where nothing on the flow's way changed; the comparison then reports changes that come from
the route sets, not from the network. :func:`share_choice_sets` gives every flow the union of
the routes found in either scenario, and each scenario keeps (and prices on its own network)
the routes that exist in it: every link usable there, in the same direction and on the same
layers, with every transfer. A flow's result can then change only because a route of its set
opened, closed, or changed cost (or because capacity moved other flows), never because a new
search found other alternatives.

The union is made in one order for both scenarios: A's routes, then B's routes that A lacks.
Routes that share every land link (they differ only in the sea legs of a voyage) stand for one
corridor: in each scenario the first of them that exists is kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from caravan.model.modes import modes_where
from caravan.network.cargo import CargoArcs, cargo_arcs
from caravan.network.model import ArcKind, Network
from caravan.results.routes import Route, route_of_path
from caravan.results.runs import RoutedScenario
from caravan.routing.shortest import ArcPath

__all__ = ["ArcIndex", "route_key", "share_choice_sets", "share_choice_sets_among"]

#: A route's arcs as ids: ("link", link id, from place, to place, from layer, to layer) or
#: ("transfer", place, from layer, to layer).
ArcKey = tuple[str, ...]


def route_key(route: Route) -> tuple[ArcKey, ...]:
    """The route's arcs as ids, independent of any network's numbering."""
    out: list[ArcKey] = []
    for leg in route.legs:
        if leg.kind == "link":
            out.append(
                (
                    "link",
                    str(leg.link_id),
                    leg.from_node_id,
                    leg.to_node_id,
                    leg.from_layer,
                    leg.to_layer,
                )
            )
        elif leg.kind == "transfer":
            out.append(("transfer", leg.from_node_id, leg.from_layer, leg.to_layer))
    return tuple(out)


class ArcIndex:
    """The arcs of one network by id (:data:`ArcKey`), and its layer nodes by place and layer."""

    def __init__(self, network: Network) -> None:
        self.network = network
        places, layers = network.place_ids, network.layers
        tail, head = network.arc_tail_vidx, network.arc_head_vidx
        v_place = network.vnode_place_idx
        v_layer = network.vnode_layer_idx
        self.vnode: dict[tuple[str, str], int] = {
            (places[int(v_place[v])], str(layers[int(v_layer[v])])): v
            for v in range(network.n_vnodes)
        }
        self.arcs: dict[ArcKey, list[int]] = {}
        for a in range(network.n_arcs):
            t, h = int(tail[a]), int(head[a])
            tp, hp = places[int(v_place[t])], places[int(v_place[h])]
            tl, hl = str(layers[int(v_layer[t])]), str(layers[int(v_layer[h])])
            if int(network.arc_kind[a]) == ArcKind.LINK:
                link_id = network.link_ids[int(network.arc_link_idx[a])]
                key: ArcKey = ("link", link_id, tp, hp, tl, hl)
            else:
                key = ("transfer", tp, tl, hl)
            self.arcs.setdefault(key, []).append(a)

    def path(self, route: Route, cargo: CargoArcs) -> ArcPath | None:
        """The route as a path of this network, or None when one of its arcs is not usable
        here (closed, not built, or forbidden to this cargo)."""
        key = route_key(route)
        if not key:
            return None
        first = key[0]
        start = (first[2], first[4]) if first[0] == "link" else (first[1], first[2])
        source = self.vnode.get(start)
        if source is None:
            return None
        weight = cargo.arc_cost_usd_per_t
        arcs: list[int] = []
        at = source
        for k in key:
            usable = [
                a
                for a in self.arcs.get(k, ())
                if cargo.arc_usable[a] and int(self.network.arc_tail_vidx[a]) == at
            ]
            if not usable:
                return None
            best = min(usable, key=lambda a: float(weight[a]))
            arcs.append(best)
            at = int(self.network.arc_head_vidx[best])
        nodes = (source, *(int(self.network.arc_head_vidx[a]) for a in arcs))
        return ArcPath(source, tuple(arcs), nodes, float(np.sum(weight[arcs])))


def _land_key(route: Route, sea_ids: frozenset[str]) -> tuple[str, ...]:
    return tuple(lid for lid in route.link_ids if lid not in sea_ids)


def _priced(route: Route, index: ArcIndex, cargo: CargoArcs, *, rank: int) -> Route | None:
    path = index.path(route, cargo)
    if path is None:
        return None
    priced = route_of_path(index.network, cargo, path, rank=rank, objective=route.objective)
    return dataclasses.replace(priced, bypassed_countries=route.bypassed_countries)


def _sea_ids(routed: RoutedScenario) -> frozenset[str]:
    links = routed.world.links_frame
    sea_modes = modes_where(routed.world.mode_traits, lambda t: t.deep_sea)
    return frozenset(links.loc[links["mode"].isin(sea_modes), "link_id"].astype(str))


def share_choice_sets(
    a: RoutedScenario, b: RoutedScenario
) -> tuple[RoutedScenario, RoutedScenario]:
    """Both scenarios with one choice set per flow: the union of their routes, each scenario
    keeping (and pricing on its own networks) the routes that exist in it.

    Flows present in one scenario only, or whose origin, destination or commodity differ,
    keep their own routes.
    """
    shared_a, shared_b = share_choice_sets_among((a, b))
    return shared_a, shared_b


def share_choice_sets_among(routed: Sequence[RoutedScenario]) -> list[RoutedScenario]:
    """:func:`share_choice_sets` for any number of scenarios (an ensemble's reference and
    each pattern of completion of its scenario): the union is made in the order given.

    A flow is shared when every scenario has it, with the same origin, destination and
    commodity; the others keep their own routes.
    """
    by_flow = [_routes_by_flow(r.route_rows) for r in routed]
    flows = [{f["flow_id"]: f for f in r.flow_rows} for r in routed]
    if not flows:
        return []
    first = flows[0]
    shared = [
        fid
        for fid in first
        if all(
            fid in other
            and all(
                first[fid][c] == other[fid][c]
                for c in ("origin_node_id", "destination_node_id", "commodity_id")
            )
            for other in flows[1:]
        )
    ]
    union: dict[str, list[Route]] = {}
    for fid in shared:
        seen: set[tuple[ArcKey, ...]] = set()
        routes = []
        for own in by_flow:
            for r in own.get(fid, ()):
                key = route_key(r)
                if key not in seen:
                    seen.add(key)
                    routes.append(r)
        union[fid] = routes
    return [_restricted(r, union, own) for r, own in zip(routed, by_flow, strict=True)]


def _routes_by_flow(route_rows: Sequence[dict[str, Any]]) -> dict[str, list[Route]]:
    out: dict[str, list[Route]] = {}
    for row in route_rows:
        out.setdefault(row["flow_id"], []).append(row["route"])
    return out


def _restricted(
    routed: RoutedScenario, union: dict[str, list[Route]], own: dict[str, list[Route]]
) -> RoutedScenario:
    """The scenario with each shared flow's routes replaced by those of ``union`` that exist
    in it (its own routes as found; the others priced on its networks)."""
    sea_ids = _sea_ids(routed)
    indexes: dict[str, ArcIndex] = {}
    cargos: dict[tuple[str, str, str], CargoArcs] = {}
    nodes = routed.world.nodes_frame
    node_country = dict(zip(nodes["node_id"], nodes["country_iso3"], strict=True))
    flow_rows = []
    route_rows: list[dict[str, Any]] = []
    for flow in routed.flow_rows:
        fid = flow["flow_id"]
        if fid not in union:
            flow_rows.append(flow)
            route_rows += [
                {"flow_id": fid, "rank": i, "route": r}
                for i, r in enumerate(own.get(fid, ()), start=1)
            ]
            continue
        mine = {route_key(r): r for r in own.get(fid, ())}
        commodity = str(flow["commodity_id"])
        kept: list[Route] = []
        corridors: set[tuple[str, ...]] = set()
        for r in union[fid]:
            land = _land_key(r, sea_ids)
            if land in corridors:
                continue
            found = mine.get(route_key(r))
            if found is None:
                network = routed.networks.get(commodity)
                if network is None:
                    continue
                if commodity not in indexes:
                    indexes[commodity] = ArcIndex(network)
                o, d = str(flow["origin_node_id"]), str(flow["destination_node_id"])
                ckey = (commodity, node_country[o], node_country[d])
                if ckey not in cargos:
                    cargos[ckey] = cargo_arcs(
                        network, origin_iso3=ckey[1], destination_iso3=ckey[2]
                    )
                found = _priced(r, indexes[commodity], cargos[ckey], rank=len(kept) + 1)
                if found is None:
                    continue
            corridors.add(land)
            kept.append(
                found
                if found.rank == len(kept) + 1
                else dataclasses.replace(found, rank=len(kept) + 1)
            )
        row = dict(flow)
        if kept and row.get("unserved_reason"):
            row["unserved_reason"] = ""
        flow_rows.append(row)
        route_rows += [{"flow_id": fid, "rank": i, "route": r} for i, r in enumerate(kept, 1)]
    return dataclasses.replace(routed, flow_rows=flow_rows, route_rows=route_rows)
