"""Path-size logit assignment of routed flows under capacity (``method: sue`` and ``aon``).

The routed flows' routes become private arcs carrying each route's free-flow money, time and
risk (from the network's cost model); atlas links and border crossings with a capacity form the
capacity groups whose BPR delay raises the cost of every route through them. ``aon`` is the
same problem with one route a flow and a logit scale so steep that all of it takes that route.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from caravan.assign.path_logit import RouteSets, solve_path_logit_sue
from caravan.model.atlas import Atlas
from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits
from caravan.model.scenario import AssignmentSettings
from caravan.network.model import Network

__all__ = [
    "BPR_ALPHA",
    "BPR_BETA",
    "CAPACITY_TOLERANCE",
    "CONSTANT_FLOOR_SHARE",
    "MIN_BORDER_DELAY_H",
    "PORT_DELAY_H",
    "SueProblem",
    "handled_ports",
    "routed_problem",
    "sue_problem",
]

#: BPR parameters of the capacity delay (the conventional 0.15 and 4; Bureau of Public Roads 1964).
BPR_ALPHA = 0.15
BPR_BETA = 4.0
#: Delay scale at a capacitated border crossing when its dwell is zero, hours.
MIN_BORDER_DELAY_H = 1.0
#: Delay scale at a capacitated port (its BPR delay), hours.
PORT_DELAY_H = 24.0
#: A facility may carry at most this share above its capacity (``sue``: queue prices keep it so).
CAPACITY_TOLERANCE = 0.02


def handled_ports(
    route: Any,
    ports: Mapping[str, int] | frozenset[str] | set[str],
    *,
    modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS,
) -> list[str]:
    """The ports among ``ports`` where a route loads or unloads a ship or ferry (a transfer to
    or from a water layer, or the route's own start or end on one); ``modes`` says which
    modes are water modes (``world.mode_traits``)."""
    out: list[str] = []
    for leg in route.legs:
        if leg.kind not in ("transfer", "handling"):
            continue
        node = str(leg.from_node_id)
        if node not in ports or node in out:
            continue
        # the modes of Layer.parse(from_layer) and Layer.parse(to_layer)
        from_mode = str(leg.from_layer).partition(" ")[0]
        to_mode = str(leg.to_layer).partition(" ")[0]
        if modes[from_mode].water or modes[to_mode].water:
            out.append(node)
    return out


@dataclass(frozen=True, eq=False)
class SueProblem:
    """The arrays of a path-size logit problem built from routed flows.

    Arcs are, in order: one per atlas link (``link_arc_idx``), one per border crossing, then
    one private arc per route carrying that route's free-flow money, time and risk. Capacity
    groups are the links and borders with a capacity; a group's delay scale is the link's
    running time, or the border's mean dwell (at least ``MIN_BORDER_DELAY_H``).
    """

    routes: RouteSets
    first_private_arc: int
    link_arc_idx: Mapping[str, int]
    group_of_arc: np.ndarray
    flow_tonnes: np.ndarray
    flow_value_of_time_usd_per_t_h: np.ndarray
    flow_theta_per_usd: np.ndarray
    arc_money_usd_per_t: np.ndarray
    arc_time_h: np.ndarray
    arc_risk_usd_per_t: np.ndarray
    arc_length_km: np.ndarray
    group_capacity_t: np.ndarray
    group_base_delay_h: np.ndarray
    #: ``CAPACITY_TOLERANCE`` for ``sue`` (queue prices bind capacity), None for ``aon``.
    capacity_tolerance: float | None = None
    #: What each capacity group is: ("link" | "border" | "port", id).
    group_ids: tuple[tuple[str, str], ...] = ()

    def solve(
        self,
        *,
        max_iter: int,
        tolerance: float,
        progress: Callable[[int, float], None] | None = None,
        routes: RouteSets | None = None,
        **overrides: np.ndarray,
    ) -> Any:
        """Solve, optionally on fewer routes or with some arrays replaced (ensemble draws)."""
        arrays: dict[str, Any] = {
            "flow_tonnes": self.flow_tonnes,
            "flow_theta_per_usd": self.flow_theta_per_usd,
            "flow_value_of_time_usd_per_t_h": self.flow_value_of_time_usd_per_t_h,
            "arc_money_usd_per_t": self.arc_money_usd_per_t,
            "arc_time_h": self.arc_time_h,
            "arc_risk_usd_per_t": self.arc_risk_usd_per_t,
            "arc_length_km": self.arc_length_km,
            "arc_group_idx": self.group_of_arc,
            "group_capacity_t": self.group_capacity_t,
            "group_base_delay_h": self.group_base_delay_h,
        }
        arrays.update(overrides)
        return solve_path_logit_sue(
            self.routes if routes is None else routes,
            alpha=BPR_ALPHA,
            beta=BPR_BETA,
            max_iter=max_iter,
            tolerance=tolerance,
            progress=progress,
            capacity_tolerance=self.capacity_tolerance,
            **arrays,
        )


#: Route-choice constants may lower a route's money cost by at most this share of it (several
#: counts' constants can apply to one route; their sum never makes a cost negative).
CONSTANT_FLOOR_SHARE = 0.5


def sue_problem(
    world: Atlas,
    route_rows: Sequence[dict[str, Any]],
    flow_pos: dict[str, int],
    flows_by_id: dict[str, dict[str, Any]],
    networks: Mapping[str, Network],
    *,
    method: str,
    logit_scale_per_usd: float,
) -> SueProblem:
    """Build the route sets and capacity groups of routed flows.

    Running times and values of time come from the networks' cost model (``networks`` by
    commodity id: the networks the flows were routed on).

    When the atlas carries a calibration (``meta["calibration"]``, see
    :func:`caravan.model.calibration.apply_calibration`), its logit scale replaces
    ``logit_scale_per_usd`` and its route-choice constants are added to the cost of every
    route that uses one of a constant's links (unless the flow starts or ends in one of the
    constant's exempt countries).
    """
    calibration = world.meta.get("calibration") or {}
    if calibration.get("logit_scale_per_usd") is not None:
        logit_scale_per_usd = float(calibration["logit_scale_per_usd"])
    constants = [
        (
            frozenset(c["link_ids"]),
            float(c["usd_per_t"]),
            frozenset(c.get("exempt_countries") or ()),
        )
        for c in calibration.get("constants") or ()
    ]
    node_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    n_routes = len(route_rows)
    network = next(iter(networks.values()), None)  # any: they share the atlas's index maps
    run_time_h = network.costs.link_run_time_h if network is not None else None
    link_idx: Mapping[str, int] = network.link_index if network is not None else {}
    border_idx: Mapping[str, int] = network.border_index if network is not None else {}
    arc_of_port: dict[str, int] = {}
    group_ids: list[tuple[str, str]] = []
    arc_length: list[float] = []
    arc_group: list[int] = []
    group_cap: list[float] = []
    group_delay: list[float] = []
    links = world.links_frame
    link_rows = zip(links["link_id"], links["length_km"], links["capacity_mtpa"], strict=True)
    for pos, (link_id, length_km, cap) in enumerate(link_rows):
        arc_length.append(float(length_km))
        if pd.notna(cap) and float(cap) > 0:
            arc_group.append(len(group_cap))
            group_ids.append(("link", str(link_id)))
            group_cap.append(float(cap) * 1e6)
            group_delay.append(float(run_time_h[pos]) if run_time_h is not None else 0.0)
        else:
            arc_group.append(-1)
    first_border = len(arc_length)
    borders = world.borders_frame
    border_rows = zip(
        borders["border_id"],
        borders["capacity_mtpa"],
        borders["dwell_h_ab"],
        borders["dwell_h_ba"],
        strict=True,
    )
    for border_id, cap, dwell_ab, dwell_ba in border_rows:
        arc_length.append(0.0)
        if pd.notna(cap) and float(cap) > 0:
            arc_group.append(len(group_cap))
            group_ids.append(("border", str(border_id)))
            group_cap.append(float(cap) * 1e6)
            dwell = 0.5 * (float(dwell_ab) + float(dwell_ba))
            group_delay.append(max(dwell, MIN_BORDER_DELAY_H))
        else:
            arc_group.append(-1)
    nodes = world.nodes_frame
    if "capacity_mtpa" in nodes.columns:
        for node_id, cap in zip(nodes["node_id"], nodes["capacity_mtpa"], strict=True):
            if pd.notna(cap) and float(cap) > 0:
                arc_of_port[str(node_id)] = len(arc_length)
                arc_length.append(0.0)
                arc_group.append(len(group_cap))
                group_ids.append(("port", str(node_id)))
                group_cap.append(float(cap) * 1e6)
                group_delay.append(PORT_DELAY_H)
    first_private = len(arc_length)
    ptr = [0]
    arcs: list[int] = []
    flow_idx: list[int] = []
    money = np.zeros(first_private + n_routes)
    time_h = np.zeros(first_private + n_routes)
    risk = np.zeros(first_private + n_routes)
    for i, row in enumerate(route_rows):
        r = row["route"]
        arcs += [link_idx[link_id] for link_id in dict.fromkeys(r.link_ids)]
        arcs += [
            first_border + border_idx[b.border_id] for b in r.borders if b.border_id in border_idx
        ]
        if arc_of_port:
            arcs += [arc_of_port[p] for p in handled_ports(r, arc_of_port, modes=world.mode_traits)]
        arcs.append(first_private + i)
        ptr.append(len(arcs))
        flow_idx.append(flow_pos[row["flow_id"]])
        ends = {node_country[r.node_ids[0]], node_country[r.node_ids[-1]]}
        constant = sum(
            usd
            for links, usd, exempt in constants
            if not links.isdisjoint(r.link_ids) and exempt.isdisjoint(ends)
        )
        money[first_private + i] = r.money_usd_per_t + max(
            constant, -CONSTANT_FLOOR_SHARE * r.money_usd_per_t
        )
        time_h[first_private + i] = r.time_h
        risk[first_private + i] = r.risk_usd_per_t
    n_flows = len(flow_pos)
    tonnes = np.zeros(n_flows)
    vot = np.zeros(n_flows)
    for flow_id, pos in flow_pos.items():
        flow = flows_by_id[flow_id]
        tonnes[pos] = flow["tonnes_per_year"]
        vot[pos] = networks[flow["commodity_id"]].value_of_time_usd_per_t_h
    theta = np.full(n_flows, 1e6 if method == "aon" else logit_scale_per_usd)
    return SueProblem(
        routes=RouteSets(
            np.asarray(ptr, dtype=np.int64),
            np.asarray(arcs, dtype=np.int64),
            np.asarray(flow_idx, dtype=np.int64),
        ),
        first_private_arc=first_private,
        link_arc_idx=link_idx,
        group_of_arc=np.asarray(arc_group + [-1] * n_routes, dtype=np.int64),
        flow_tonnes=tonnes,
        flow_value_of_time_usd_per_t_h=vot,
        flow_theta_per_usd=theta,
        arc_money_usd_per_t=money,
        arc_time_h=time_h,
        arc_risk_usd_per_t=risk,
        arc_length_km=np.asarray(arc_length + [0.0] * n_routes),
        group_capacity_t=np.asarray(group_cap, dtype=np.float64),
        group_base_delay_h=np.asarray(group_delay, dtype=np.float64),
        capacity_tolerance=CAPACITY_TOLERANCE if method == "sue" else None,
        group_ids=tuple(group_ids),
    )


def routed_problem(
    world: Atlas,
    flow_rows: Sequence[dict[str, Any]],
    route_rows: Sequence[dict[str, Any]],
    networks: Mapping[str, Network],
    settings: AssignmentSettings,
) -> tuple[dict[str, int], SueProblem]:
    """The position of each routed flow (in the order of its first route) and the path-size
    logit problem of the routed flows, with the scenario's assignment settings."""
    flow_pos = {f: i for i, f in enumerate(dict.fromkeys(r["flow_id"] for r in route_rows))}
    problem = sue_problem(
        world,
        route_rows,
        flow_pos,
        {r["flow_id"]: r for r in flow_rows},
        networks,
        method=settings.method,
        logit_scale_per_usd=settings.logit_scale_per_usd,
    )
    return flow_pos, problem
