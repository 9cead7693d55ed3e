"""Deterministic user equilibrium of freight flows on the network (``method: ue``).

The freight network becomes an assignment problem for :func:`caravan.assign.assign` (the
engine checked on the TNTP networks): its layer nodes and arcs, plus one zone per place that
sends or receives freight, joined to each layer of its place by free connectors. Every flow is
its own demand class, so each keeps the restrictions of its origin and destination countries
(forbidden arcs masked out, surcharges added) and its commodity's value of time.

Costs are in hours of the flow's value of time: an arc's class cost is its volume-dependent
running time plus a fixed part ``(money + risk) / value_of_time + dwell``, which ranks routes
exactly as the generalised cost does. Capacities are those of the path-size logit method
(:mod:`caravan.results.sue`): an atlas link with ``capacity_mtpa`` delays by the BPR function
of its running time, a border crossing with a capacity by the BPR function of its mean dwell
(at least ``MIN_BORDER_DELAY_H``; such an arc is split in two, link then crossing, the
crossing's free time being the direction's dwell). Unlike the logit method, each direction of a
link or crossing has the whole capacity in its delay.

Capacity binds as in the logit method, by queue prices (US$/t, the Lagrange multipliers of the
capacity side constraints; Larsson and Patriksson 1995, 1999): every link, crossing and port
with a capacity (:func:`caravan.results.capacity.facility_capacities`, both directions
together; a port's loading and unloading to and from ships) is a group whose price is added to
every engine link of it, as ``price / value_of_time`` hours for each flow. The flows and the
prices come out of one side-constrained equilibrium of the engine
(:func:`caravan.results.ue_capacity.constrained_equilibrium`, by
:mod:`caravan.assign.side_constrained`: disaggregate simplicial decomposition, Larsson and
Patriksson 1992; every flow keeps its own paths, a linear master programme bounds each group at
``1 + CAPACITY_TOLERANCE / 2`` times its capacity and its dual values are the prices; the flows
move towards the master's by a line search on the delays). Flows indifferent between routes at
the prices are split between them. Should it miss the gap or the capacity band, the older queue
price rounds and mix of equilibria take over (:mod:`caravan.results.ue_capacity`). The relative
gap is measured at the returned flows with the queue prices in the cost.

Equilibrium link flows are then cut into paths per flow (the largest remaining path first),
which become the run's routes with their tonnes and congested times and costs.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from caravan.assign.aon import shortest_path_total_cost
from caravan.assign.gap import relative_gap
from caravan.assign.records import AssignmentNetwork, DemandClass
from caravan.assign.vdf import bpr_time
from caravan.errors import InputError, NoRouteError
from caravan.model.arrays import FloatArray
from caravan.model.atlas import Atlas
from caravan.network.cargo import cargo_arcs
from caravan.network.costs import generalised_cost
from caravan.network.model import ArcKind, Network, Objective
from caravan.results.capacity import facility_capacities, facility_of_route
from caravan.results.routes import route_of_path
from caravan.results.sue import (
    BPR_ALPHA,
    BPR_BETA,
    CAPACITY_TOLERANCE,
    MIN_BORDER_DELAY_H,
)
from caravan.results.ue_capacity import (
    UE_ALGORITHM,
    CapacityGroups,
    Equilibria,
    constrained_equilibrium,
)
from caravan.routing.shortest import ArcPath

__all__ = ["MAX_PATHS_PER_FLOW", "UE_ALGORITHM", "UeSettlement", "settle_ue"]


#: Paths a flow's equilibrium link flows are cut into, at most (the rest is spread over them).
MAX_PATHS_PER_FLOW = 10
#: Link flows below this share of a flow's tonnes are taken as zero when cutting paths.
_PATH_TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class UeSettlement:
    """Equilibrium routes of the served flows, with tonnes, shares and congested costs."""

    route_rows: list[dict[str, Any]]
    route_tonnes: FloatArray
    route_share: FloatArray
    route_cost_usd_per_t: FloatArray
    route_time_h: FloatArray
    iterations: int
    relative_gap: float
    converged: bool
    #: Capacity groups ((kind, id)), their queue prices (US$/t) and tonnes at the flows returned.
    group_ids: tuple[tuple[str, str], ...] = ()
    group_price_usd_per_t: FloatArray = dataclasses.field(default_factory=lambda: np.zeros(0))
    group_tonnes: FloatArray = dataclasses.field(default_factory=lambda: np.zeros(0))
    #: Whether every group is within ``(1 + CAPACITY_TOLERANCE)`` of its capacity.
    within_capacity: bool = True


@dataclass(frozen=True)
class _Layout:
    """Engine links: network arcs (the link part of a split arc), connectors, crossings."""

    network: AssignmentNetwork
    arc_link: NDArray[np.int64]  # engine link of each network arc (its link part)
    arc_crossing: NDArray[np.int64]  # engine link of its crossing part, -1 if not split
    crossing_time_h: FloatArray  # free time of each network arc's crossing part (0 if none)
    zone_of_place: dict[str, int]
    groups: CapacityGroups


def _capacity_t(value: Any) -> float:
    return float(value) * 1e6 if pd.notna(value) and float(value) > 0 else 0.0


def _by_id(frame: pd.DataFrame, id_column: str, ids: Sequence[str]) -> pd.DataFrame:
    """The rows of ``frame`` in the order of ``ids``."""
    return frame.set_index(id_column).reindex(list(ids))


def _layout(net: Network, places: Sequence[str], world: Atlas) -> _Layout:
    links = _by_id(world.links_frame, "link_id", net.link_ids)
    link_cap = np.array([_capacity_t(v) for v in links["capacity_mtpa"]])
    borders = _by_id(world.borders_frame, "border_id", net.border_ids)
    border_cap = np.array([_capacity_t(v) for v in borders["capacity_mtpa"]])
    border_base = np.maximum(
        0.5 * (borders["dwell_h_ab"].to_numpy(float) + borders["dwell_h_ba"].to_numpy(float)),
        MIN_BORDER_DELAY_H,
    )
    zone_of_place = {p: z for z, p in enumerate(places)}
    n_zones = len(places)
    n_nodes = n_zones + net.n_vnodes
    capacities = facility_capacities(world)
    group_ids = tuple(capacities)
    group_idx = {key: g for g, key in enumerate(group_ids)}
    water = np.array([net.mode_traits[layer.mode].water for layer in net.layers], dtype=np.bool_)
    tail: list[int] = []
    head: list[int] = []
    fft: list[float] = []
    cap: list[float] = []
    alpha: list[float] = []
    group: list[int] = []

    def add(
        t: int,
        h: int,
        time_h: float,
        capacity_t: float,
        delay_h: float = 0.0,
        key: tuple[str, str] | None = None,
    ) -> int:
        """An engine link; its BPR delay is ``delay_h (or time_h) x alpha x (v/c)^beta``; it
        belongs to the capacity group ``key`` (if it has one)."""
        tail.append(t)
        head.append(h)
        fft.append(time_h)
        cap.append(capacity_t if capacity_t > 0 else 1.0)
        scale = delay_h / time_h if delay_h and time_h > 0 else 1.0
        alpha.append(BPR_ALPHA * scale if capacity_t > 0 else 0.0)
        group.append(group_idx.get(key, -1) if key is not None else -1)
        return len(tail) - 1

    def port_key(vidx: int) -> tuple[str, str] | None:
        """The port group of a layer node on a water layer (None elsewhere)."""
        if not water[int(net.vnode_layer_idx[vidx])]:
            return None
        return ("port", net.place_ids[int(net.vnode_place_idx[vidx])])

    arc_link = np.zeros(net.n_arcs, dtype=np.int64)
    arc_crossing = np.full(net.n_arcs, -1, dtype=np.int64)
    crossing_time = np.zeros(net.n_arcs)
    for a in range(net.n_arcs):
        tv, hv = int(net.arc_tail_vidx[a]), int(net.arc_head_vidx[a])
        t, h = n_zones + tv, n_zones + hv
        li, bi = int(net.arc_link_idx[a]), int(net.arc_border_idx[a])
        run_h = float(net.arc_run_time_h[a])
        is_link = int(net.arc_kind[a]) == ArcKind.LINK
        capacity = link_cap[li] if is_link else 0.0
        # a link's own group; a transfer to or from a ship at a port is that port's handling
        key = ("link", net.link_ids[li]) if is_link else (port_key(tv) or port_key(hv))
        if bi >= 0 and border_cap[bi] > 0:
            mid = n_nodes
            n_nodes += 1
            arc_link[a] = add(t, mid, run_h, capacity, key=key)
            base = float(border_base[bi])
            dwell = float(net.arc_dwell_h[a])
            # free time: the direction's dwell (the base delay where that is zero)
            crossing = ("border", net.border_ids[bi])
            arc_crossing[a] = add(mid, h, dwell or base, float(border_cap[bi]), base, crossing)
            crossing_time[a] = dwell or base
        else:
            arc_link[a] = add(t, h, run_h, capacity, key=key)
    for place_id, z in zone_of_place.items():
        for v in net.vnodes_of(place_id).tolist():
            # a flow that starts or ends on a ship loads or unloads it at its port
            add(z, n_zones + v, 0.0, 0.0, key=port_key(v))
            add(n_zones + v, z, 0.0, 0.0, key=port_key(v))
    n_links = len(tail)
    engine = AssignmentNetwork.from_links(
        np.asarray(tail, dtype=np.int64),
        np.asarray(head, dtype=np.int64),
        np.asarray(fft, dtype=np.float64),
        np.asarray(cap, dtype=np.float64),
        np.asarray(alpha, dtype=np.float64),
        np.full(n_links, BPR_BETA),
        n_nodes=n_nodes,
        n_zones=n_zones,
        first_thru_node_idx=n_zones,
    )
    return _Layout(
        engine,
        arc_link,
        arc_crossing,
        crossing_time,
        zone_of_place,
        CapacityGroups(
            group_ids,
            np.asarray(list(capacities.values()), dtype=np.float64),
            np.asarray(group, dtype=np.int64),
        ),
    )


def _closed_arcs(net: Network, world: Atlas) -> NDArray[np.bool_]:
    """Arcs of ``net`` on links that ``world`` closes (a season's closures)."""
    status = world.links_frame.set_index("link_id")["status"]
    closed = np.array([status.get(lid) == "closed" for lid in net.link_ids], dtype=np.bool_)
    is_link = np.asarray(net.arc_kind == ArcKind.LINK, dtype=np.bool_)
    out: NDArray[np.bool_] = is_link & closed[np.where(is_link, net.arc_link_idx, 0)]
    return out


def _reachable(network: AssignmentNetwork, demand_class: DemandClass) -> bool:
    """Whether every O-D pair of the class has a path on the links it may use."""
    cost = network.free_flow_time + (
        0.0 if demand_class.fixed_cost is None else demand_class.fixed_cost
    )
    if demand_class.link_mask is not None:
        cost = np.where(demand_class.link_mask, cost, np.inf)
    try:
        shortest_path_total_cost(network, cost, demand_class.demand)
    except NoRouteError:
        return False
    return True


def _class(
    layout: _Layout, net: Network, flow: Mapping[str, Any], name: str, closed: NDArray[np.bool_]
) -> tuple[DemandClass, Any]:
    atlas = net.atlas
    o, d = atlas.node(flow["origin_node_id"]), atlas.node(flow["destination_node_id"])
    cargo = cargo_arcs(net, origin_iso3=o.country_iso3, destination_iso3=d.country_iso3)
    vot = net.value_of_time_usd_per_t_h
    if not vot > 0:
        msg = (
            f"method ue: commodity {net.commodity.commodity_id!r} has no positive value of time; "
            "give value_of_time_usd_per_t_h in commodities.yaml"
        )
        raise InputError(msg)
    n_links = layout.network.n_links
    fixed = np.zeros(n_links)
    usable = np.ones(n_links, dtype=np.bool_)
    money_h = (cargo.arc_money_usd_per_t + net.arc_risk_usd_per_t) / vot
    split = layout.arc_crossing >= 0
    fixed[layout.arc_link] = money_h + np.where(split, 0.0, net.arc_dwell_h)
    open_arc = cargo.arc_usable & ~closed
    usable[layout.arc_link] = open_arc
    usable[layout.arc_crossing[split]] = open_arc[split]
    n_zones = layout.network.n_zones
    demand = np.zeros((n_zones, n_zones))
    zo, zd = layout.zone_of_place[o.node_id], layout.zone_of_place[d.node_id]
    demand[zo, zd] = float(flow["tonnes_per_year"])
    return DemandClass(name, demand, link_mask=usable, fixed_cost=fixed), cargo


def _paths(
    net: Network,
    arc_flow: FloatArray,
    arc_weight: FloatArray,
    sources: Sequence[int],
    targets: Sequence[int],
    tonnes: float,
) -> list[tuple[ArcPath, float]]:
    """Cut one flow's arc flows into paths: cheapest path over arcs still carrying flow, take
    the least flow along it off every arc, repeat."""
    residual = arc_flow.copy()
    eps = _PATH_TOLERANCE * tonnes
    target_set = set(targets)
    out: list[tuple[ArcPath, float]] = []
    left = tonnes
    while left > eps and len(out) < MAX_PATHS_PER_FLOW:
        dist = {s: 0.0 for s in sources}
        via: dict[int, int] = {}
        heap = [(0.0, s) for s in sources]
        heapq.heapify(heap)
        reached = -1
        done: set[int] = set()
        while heap:
            dv, v = heapq.heappop(heap)
            if v in done:
                continue
            done.add(v)
            if v in target_set:
                reached = v
                break
            for a in range(int(net.indptr[v]), int(net.indptr[v + 1])):
                if residual[a] <= eps:
                    continue
                h = int(net.arc_head_vidx[a])
                nd = dv + float(arc_weight[a])
                if nd < dist.get(h, np.inf):
                    dist[h] = nd
                    via[h] = a
                    heapq.heappush(heap, (nd, h))
        if reached < 0:
            break
        arcs: list[int] = []
        v = reached
        while v in via:
            arcs.append(via[v])
            v = int(net.arc_tail_vidx[via[v]])
        arcs.reverse()
        if not arcs:
            break
        amount = min(left, float(residual[arcs].min()))
        residual[arcs] -= amount
        left -= amount
        nodes = (v, *(int(net.arc_head_vidx[a]) for a in arcs))
        out.append((ArcPath(v, tuple(arcs), nodes, dist[reached]), amount))
    if out and left > 0:  # what tolerance left uncut goes to the paths found, pro rata
        found = sum(t for _, t in out)
        out = [(p, t * tonnes / found) for p, t in out]
    return out


def settle_ue(
    networks: Mapping[str, Network],
    flows: Sequence[Mapping[str, Any]],
    *,
    gap: float,
    max_iter: int,
    progress: Callable[[int, float], None] | None = None,
    capacity_tolerance: float | None = CAPACITY_TOLERANCE,
    world: Atlas | None = None,
) -> UeSettlement:
    """User equilibrium of the served ``flows`` (flow rows with origin, destination, commodity
    and tonnes) on the scenario's networks (by commodity id).

    ``world`` (default: the networks' own atlas) gives the capacities and closures: a season's
    world settles on the year's networks with the season's closed links shut to every flow and
    its capacities (no network is compiled for the season).

    With ``capacity_tolerance`` (the default: ``CAPACITY_TOLERANCE``), no link, crossing or
    port carries more than ``(1 + capacity_tolerance)`` times its capacity where queue prices
    can prevent it (module docstring); ``None``: capacity acts through the delay only.

    Returns
    -------
    UeSettlement
        Routes ranked by tonnes within each flow; ``relative_gap`` is recomputed at the flows
        returned, with the queue prices in the cost, and ``converged`` says whether it reached
        ``gap`` with every group within its capacity.
    """
    if not flows:
        empty = np.zeros(0)
        return UeSettlement([], empty, empty, empty, empty, 0, 0.0, True)
    first = networks[str(flows[0]["commodity_id"])]
    places = list(
        dict.fromkeys(p for f in flows for p in (f["origin_node_id"], f["destination_node_id"]))
    )
    world = first.atlas if world is None else world
    layout = _layout(first, [first.atlas.node(p).node_id for p in places], world)
    closed = _closed_arcs(first, world)
    classes = []
    cargos = []
    vot = np.zeros(len(flows))
    for i, flow in enumerate(flows):
        net = networks[str(flow["commodity_id"])]
        if net.n_arcs != first.n_arcs:
            raise InputError("method ue: the commodities' networks differ in their arcs")
        demand_class, cargo = _class(layout, net, flow, f"{i}:{flow['flow_id']}", closed)
        classes.append(demand_class)
        cargos.append(cargo)
        vot[i] = net.value_of_time_usd_per_t_h
    if closed.any():
        # a season's closures may cut a flow off: it is not served in that season
        reach = np.array([_reachable(layout.network, c) for c in classes], dtype=np.bool_)
        if not reach.all():
            flows = [f for f, r in zip(flows, reach, strict=True) if r]
            classes = [c for c, r in zip(classes, reach, strict=True) if r]
            cargos = [c for c, r in zip(cargos, reach, strict=True) if r]
            vot = vot[reach]
            if not flows:
                empty = np.zeros(0)
                return UeSettlement([], empty, empty, empty, empty, 0, 0.0, True)
    groups = layout.groups
    solver = Equilibria(
        layout.network, groups, classes, vot, gap=gap, max_iter=max_iter, progress=progress
    )
    n_groups = len(groups.ids)
    if capacity_tolerance is None or n_groups == 0:
        last = solver.solve(np.zeros(n_groups))
        class_flow, price = last.class_flow.toarray(), last.price_usd_per_t
    else:
        class_flow, price = constrained_equilibrium(solver, tolerance=capacity_tolerance, gap=gap)
    engine = layout.network
    volume = class_flow.sum(axis=0)
    link_time = bpr_time(volume, engine.free_flow_time, engine.capacity, engine.alpha, engine.beta)
    group_t = groups.tonnes(volume)
    within = bool(
        capacity_tolerance is None
        or np.all(group_t <= groups.capacity_t * (1.0 + capacity_tolerance))
    )
    final_gap = relative_gap(engine, solver.classes_at(price), class_flow).relative_gap
    extra_h = link_time - engine.free_flow_time  # congestion delay, hours
    split = layout.arc_crossing >= 0
    arc_delay_h = extra_h[layout.arc_link] + np.where(
        split, extra_h[np.where(split, layout.arc_crossing, 0)], 0.0
    )
    group_idx = {key: g for g, key in enumerate(groups.ids)}
    ports = {i for k, i in groups.ids if k == "port"}
    rows: list[dict[str, Any]] = []
    tonnes: list[float] = []
    shares: list[float] = []
    costs: list[float] = []
    times: list[float] = []
    for i, flow in enumerate(flows):
        net = networks[str(flow["commodity_id"])]
        cargo = cargos[i]
        arc_flow = class_flow[i][layout.arc_link]
        total = float(flow["tonnes_per_year"])
        paths = _paths(
            net,
            arc_flow,
            cargo.arc_cost_usd_per_t,
            net.vnodes_of(str(flow["origin_node_id"])).tolist(),
            net.vnodes_of(str(flow["destination_node_id"])).tolist(),
            total,
        )
        paths.sort(key=lambda item: -item[1])
        for rank, (path, t) in enumerate(paths, start=1):
            r = route_of_path(net, cargo, path, rank=rank, objective=Objective.COST)
            time_h = r.time_h + float(arc_delay_h[list(path.arcs)].sum())
            rows.append({"flow_id": flow["flow_id"], "rank": rank, "route": r})
            tonnes.append(t)
            shares.append(t / total if total > 0 else 0.0)
            times.append(time_h)
            queue = sum(
                float(price[group_idx[key]])
                for key in facility_of_route(r, ports, modes=net.mode_traits)
                if key in group_idx
            )
            costs.append(
                generalised_cost(
                    r.money_usd_per_t, time_h, r.risk_usd_per_t, net.value_of_time_usd_per_t_h
                )
                + queue
            )
    return UeSettlement(
        route_rows=rows,
        route_tonnes=np.asarray(tonnes, dtype=np.float64),
        route_share=np.asarray(shares, dtype=np.float64),
        route_cost_usd_per_t=np.asarray(costs, dtype=np.float64),
        route_time_h=np.asarray(times, dtype=np.float64),
        iterations=solver.iterations,
        relative_gap=float(final_gap),
        converged=bool(final_gap <= gap and within),
        group_ids=groups.ids,
        group_price_usd_per_t=np.asarray(price, dtype=np.float64),
        group_tonnes=group_t,
        within_capacity=within,
    )
