"""Compiling a scenario (and its reference) once into the arrays every draw reuses.

Routing is done once per pattern of completion of the uncertain projects the scenario opens
(2**n patterns for n projects): each flow gets its ``k`` routes in the scenario with exactly
those projects open. With a reference, every flow is then offered one choice set in the
reference and in every pattern, as ``caravan compare`` offers it in both scenarios: the union
of the routes found in any of them, each keeping those that exist in it
(:func:`caravan.results.choice_sets.share_choice_sets_among`). A draw picks the pattern of
the projects complete in it, then only rescales arrays: link lengths, tariffs and
capacities, demand, and the fixed handling, transfer and lane costs of each route. So a draw
equals a run of the scenario with the same projects open, except that route sets are not
searched again under the drawn lengths and tariffs (a route that only becomes attractive
under a drawn input outside them is not found) — the usual price of fast ensembles, stated
in the results.

Demand is drawn from each flow's low/high range. On a calibrated atlas it also responds to cost
in every draw, as in a run (:mod:`caravan.results.elastic`): ``T = T_drawn (C / C0) ** e``, with
``C0`` the calibrated base-year cost and the elasticity ``e`` itself drawn (triangular on the
calibration's low/high range; at its chosen value a draw equals the run).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from caravan.ensemble.fixed_costs import FixedKeys, fixed_cost_inputs, route_fixed_entries
from caravan.ensemble.spec import Distribution, EnsembleSpec, UncertainInput
from caravan.errors import InputError
from caravan.model.atlas import Atlas
from caravan.model.scenario import Scenario
from caravan.network.build import build_network, transfer_row_finder
from caravan.network.model import Network
from caravan.results.choice_sets import share_choice_sets_among
from caravan.results.diversion import RouteKinds, route_kinds
from caravan.results.elastic import base_costs
from caravan.results.run_tables import end_countries
from caravan.results.runs import (
    RoutedScenario,
    land_countries,
    route_flows,
    run_date,
    scenario_world,
)
from caravan.results.sue import SueProblem, routed_problem
from caravan.security.records import Event

__all__ = [
    "CompiledGroup",
    "CompiledScenario",
    "EnsembleInputs",
    "InputArrays",
    "NetworkCache",
    "compile_ensemble",
]


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """One scenario's routed flows as arrays, ready for draws."""

    name: str
    year: int
    problem: SueProblem
    max_iter: int
    tolerance: float
    flow_ids: tuple[str, ...]
    unrouted_flow_ids: tuple[str, ...]
    # route x link incidence (unique links per route), as entry arrays
    entry_route_idx: np.ndarray
    entry_link_idx: np.ndarray
    # cost-model inputs of each atlas link (scenario values); draws rescale length and tariff
    # and call caravan.network.costs.link_costs again
    link_length_km: np.ndarray
    link_speed_kmh: np.ndarray
    link_tariff_usd_per_tkm: np.ndarray
    route_fixed_money_usd_per_t: np.ndarray  # fees, transfers, surcharges
    route_fixed_time_h: np.ndarray  # dwell
    route_base_money_usd_per_t: np.ndarray
    route_base_length_km: np.ndarray
    # route x country parts, for transit metrics
    part_route_idx: np.ndarray
    part_country_idx: np.ndarray
    part_length_km: np.ndarray
    part_money_usd_per_t: np.ndarray
    part_is_transit: np.ndarray
    link_group_idx: np.ndarray  # capacity group of each atlas link, -1 if none
    group_base_capacity_t: np.ndarray
    # what each ranged handling, transfer and lane row adds to each route (entry arrays): the
    # money and hours, and the input drawing each (-1: not drawn)
    fixed_route_idx: np.ndarray
    fixed_money_input: np.ndarray
    fixed_time_input: np.ndarray
    fixed_money_usd_per_t: np.ndarray
    fixed_time_h: np.ndarray
    # elastic demand of the calibrated base year (as in a run): elasticity, or None, and each
    # routed flow's base-year cost
    elasticity: float | None = None
    flow_base_cost_usd_per_t: np.ndarray | None = None
    # each route's kind (caravan.results.diversion.RouteKind, with the ensemble's focus
    # projects) and its flow's position in EnsembleInputs.flow_ids, for where cargo came from
    route_kind_idx: np.ndarray | None = None
    route_flow_union_idx: np.ndarray | None = None
    #: input index of each routed flow's demand (-1: not drawn), in ``flow_ids`` order
    flow_demand_input: np.ndarray = dataclasses.field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    #: Digest of everything a draw settles (every field but the name, year and this key):
    #: variants with the same key settle alike in every draw (a scenario whose uncertain
    #: project is not complete is often its reference), so a draw settles them once.
    settle_key: str = ""


@dataclass(frozen=True, eq=False)
class CompiledGroup:
    """A scenario compiled once per completion pattern of the uncertain projects it opens.

    ``variants[m]`` is the scenario with exactly the projects whose bit is set in ``m`` open
    (bit ``j`` stands for ``EnsembleInputs.project_ids[project_idx[j]]``), so a draw equals a
    run of the scenario with the projects complete in that draw, and nothing else.
    """

    name: str
    year: int
    project_idx: tuple[int, ...]
    variants: dict[int, CompiledScenario]

    @property
    def full(self) -> CompiledScenario:
        """The variant with every uncertain project complete."""
        return self.variants[(1 << len(self.project_idx)) - 1]


#: At most this many uncertain projects per scenario (2**n route sets are compiled).
MAX_UNCERTAIN_PROJECTS = 6


@dataclass(frozen=True, eq=False)
class EnsembleInputs:
    """Everything a worker needs, sent to it once."""

    spec: EnsembleSpec
    inputs: tuple[UncertainInput, ...]
    countries: tuple[str, ...]
    link_ids: tuple[str, ...]
    project_ids: tuple[str, ...]  # uncertain projects, in input order
    scenarios: tuple[CompiledGroup, ...]  # the scenario, then its reference (if any)
    # input index of each link's ranges (-1 where the link has none)
    link_length_input: np.ndarray
    link_tariff_input: np.ndarray
    link_capacity_input: np.ndarray
    demand_input: dict[str, int]
    project_input: np.ndarray  # input index of each uncertain project
    #: input index of the demand elasticity (-1: not drawn; draws use the calibrated value)
    elasticity_input: int = -1
    #: every flow of the demand table (the rows of each draw's tonnes by kind of route)
    flow_ids: tuple[str, ...] = ()
    #: the projects the scenario opens and its reference does not (whose cargo is traced)
    focus_project_ids: tuple[str, ...] = ()

    @cached_property
    def arrays(self) -> InputArrays:
        """The inputs' figures as arrays (made once; every draw reads them)."""
        items = self.inputs
        is_project = np.array([i.kind == "project_completion" for i in items], dtype=bool)
        return InputArrays(
            value=np.array([i.value for i in items], dtype=float),
            low=np.array([i.low for i in items], dtype=float),
            high=np.array([i.high for i in items], dtype=float),
            is_project=is_project,
            by_distribution=tuple(
                (dist, ~is_project & np.array([i.distribution is dist for i in items], dtype=bool))
                for dist in Distribution
            ),
        )


@dataclass(frozen=True, eq=False)
class InputArrays:
    """The uncertain inputs' chosen values, ranges and kinds as arrays, in input order."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    is_project: np.ndarray
    #: each distribution with the inputs (not projects) drawn from it
    by_distribution: tuple[tuple[Distribution, np.ndarray], ...]


def _ranged_inputs(
    atlas: Atlas, spec: EnsembleSpec, scenarios: tuple[Scenario, ...]
) -> tuple[list[UncertainInput], dict[str, np.ndarray], dict[str, int], list[str]]:
    links = atlas.links_frame
    inputs: list[UncertainInput] = []
    per_link: dict[str, np.ndarray] = {}
    for kind, column in (
        ("link_length_km", "length_km"),
        ("link_tariff_usd_per_tkm", "tariff_usd_per_tkm"),
        ("link_capacity_mtpa", "capacity_mtpa"),
    ):
        index = np.full(len(links), -1, dtype=np.int64)
        dist = spec.distribution(kind)
        for pos, row in enumerate(
            links[["link_id", column, f"{column}_low", f"{column}_high"]].to_dict("records")
        ):
            value, low, high = row[column], row[f"{column}_low"], row[f"{column}_high"]
            if pd.isna(value) or pd.isna(low) or pd.isna(high) or float(high) <= float(low):
                continue
            index[pos] = len(inputs)
            inputs.append(
                UncertainInput(
                    f"link:{row['link_id']}:{column}",
                    kind,
                    str(row["link_id"]),
                    float(value),
                    float(low),
                    float(high),
                    dist,
                )
            )
        per_link[kind] = index
    demand_index: dict[str, int] = {}
    dist = spec.distribution("demand_tonnes_per_year")
    for row in atlas.demand_frame.to_dict("records"):
        low, high = row.get("tonnes_per_year_low"), row.get("tonnes_per_year_high")
        if low is None or high is None or pd.isna(low) or pd.isna(high) or high <= low:
            continue
        demand_index[str(row["flow_id"])] = len(inputs)
        inputs.append(
            UncertainInput(
                f"demand:{row['flow_id']}",
                "demand_tonnes_per_year",
                str(row["flow_id"]),
                float(row["tonnes_per_year"]),
                float(low),
                float(high),
                dist,
            )
        )
    projects: list[str] = []
    opened = {p for s in scenarios for p in s.open_projects}
    known = {p.project_id for p in atlas.projects}
    for project_id in spec.project_completion:
        if project_id not in known:
            raise InputError(f"ensemble spec: unknown project {project_id!r}")
        if project_id in opened:
            projects.append(project_id)
    return inputs, per_link, demand_index, projects


def _variants(scenario: Scenario, projects: list[str]) -> tuple[list[int], list[Scenario]]:
    """The uncertain projects a scenario opens (positions in ``projects``) and the scenario
    with exactly the projects of each completion pattern open (``variants[mask]``)."""
    opened = [j for j, p in enumerate(projects) if p in scenario.open_projects]
    if len(opened) > MAX_UNCERTAIN_PROJECTS:
        names = ", ".join(projects[j] for j in opened)
        msg = (
            f"ensemble of {scenario.name!r}: {len(opened)} uncertain projects ({names}); "
            f"at most {MAX_UNCERTAIN_PROJECTS} (each pattern of completion is routed)"
        )
        raise InputError(msg)
    variants = []
    for mask in range(1 << len(opened)):
        missing = {projects[j] for bit, j in enumerate(opened) if not mask & (1 << bit)}
        variants.append(
            dataclasses.replace(
                scenario,
                open_projects=tuple(p for p in scenario.open_projects if p not in missing),
            )
        )
    return opened, variants


def _route_one(
    atlas: Atlas,
    scenario: Scenario,
    events: Sequence[Event] | None = None,
    cache: NetworkCache | None = None,
) -> RoutedScenario:
    """A scenario's world and each flow's routes (the caller's cache when given)."""
    world = scenario_world(atlas, scenario, events=events) if cache is None else cache.world
    networks: dict[str, Network] = {}
    flow_rows, route_rows = route_flows(
        world,
        scenario,
        k=scenario.assignment.k_routes,
        networks=networks,
        network_of=None if cache is None else cache.network_of,
        explaining=None if cache is None else cache.explaining,
    )
    day = run_date(atlas, scenario)
    return RoutedScenario(scenario, atlas, world, day, flow_rows, route_rows, networks)


def _compile_one(
    routed: RoutedScenario,
    countries: list[str],
    fixed_keys: FixedKeys,
    *,
    kinds: RouteKinds | None = None,
    flow_union: dict[str, int] | None = None,
    demand_index: Mapping[str, int] | None = None,
) -> CompiledScenario:
    scenario, world, networks = routed.scenario, routed.world, routed.networks
    flow_rows, route_rows = routed.flow_rows, routed.route_rows
    settings = scenario.assignment
    flow_pos, problem = routed_problem(world, flow_rows, route_rows, networks, settings)
    elasticity, base_cost = base_costs(world, flow_pos)
    if not networks:  # no demand: a network for the link costs all the same
        networks["container"] = build_network(world, year=scenario.year)
    network = next(iter(networks.values()))
    costs = network.costs
    link_pos = network.link_index
    link_money = costs.link_tariff_usd_per_t
    link_time = costs.link_run_time_h
    modes = world.mode_traits
    markets = world.markets
    node_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    entry_r: list[int] = []
    entry_l: list[int] = []
    n_routes = len(route_rows)
    fixed_money = np.zeros(n_routes)
    fixed_time = np.zeros(n_routes)
    base_money = np.zeros(n_routes)
    base_length = np.zeros(n_routes)
    parts: list[tuple[int, int, float, float, bool]] = []
    fixed: list[tuple[int, int, int, float, float]] = []
    country_pos = {c: i for i, c in enumerate(countries)}
    find_transfer = transfer_row_finder(world)
    for i, row in enumerate(route_rows):
        r = row["route"]
        fixed += [
            (i, e.money_input, e.time_input, e.money_usd_per_t, e.time_h)
            for e in route_fixed_entries(world, r, fixed_keys, transfer_row_of=find_transfer)
        ]
        uniq = [link_pos[lid] for lid in dict.fromkeys(r.link_ids)]
        entry_r += [i] * len(uniq)
        entry_l += uniq
        fixed_money[i] = r.money_usd_per_t - float(link_money[uniq].sum())
        fixed_time[i] = r.time_h - float(link_time[uniq].sum())
        base_money[i] = r.money_usd_per_t
        base_length[i] = r.length_km
        ends = end_countries(r, node_country, markets)
        land = land_countries(r, modes)
        for part in r.by_country:
            if part.iso3 not in country_pos:  # a water area ("sea", "caspian")
                continue
            parts.append(
                (
                    i,
                    country_pos[part.iso3],
                    part.length_km,
                    part.money_usd_per_t,
                    part.iso3 not in ends and part.iso3 in land,
                )
            )
    arr = np.array(parts, dtype=np.float64).reshape(-1, 5)
    fix = np.array(fixed, dtype=np.float64).reshape(-1, 5)
    route_kind, route_flow = _route_kinds(route_rows, flow_rows, node_country, kinds, flow_union)
    link_group = problem.group_of_arc[: len(link_pos)]
    compiled = CompiledScenario(
        name=scenario.name,
        year=scenario.year,
        problem=problem,
        max_iter=settings.max_iter,
        tolerance=settings.gap,
        flow_ids=tuple(flow_pos),
        unrouted_flow_ids=tuple(r["flow_id"] for r in flow_rows if r["unserved_reason"]),
        entry_route_idx=np.asarray(entry_r, dtype=np.int64),
        entry_link_idx=np.asarray(entry_l, dtype=np.int64),
        link_length_km=costs.link_length_km,
        link_speed_kmh=costs.link_speed_kmh,
        link_tariff_usd_per_tkm=costs.link_tariff_usd_per_tkm,
        route_fixed_money_usd_per_t=fixed_money,
        route_fixed_time_h=fixed_time,
        route_base_money_usd_per_t=base_money,
        route_base_length_km=base_length,
        part_route_idx=arr[:, 0].astype(np.int64),
        part_country_idx=arr[:, 1].astype(np.int64),
        part_length_km=arr[:, 2],
        part_money_usd_per_t=arr[:, 3],
        part_is_transit=arr[:, 4].astype(bool),
        link_group_idx=link_group,
        group_base_capacity_t=problem.group_capacity_t,
        fixed_route_idx=fix[:, 0].astype(np.int64),
        fixed_money_input=fix[:, 1].astype(np.int64),
        fixed_time_input=fix[:, 2].astype(np.int64),
        fixed_money_usd_per_t=fix[:, 3],
        fixed_time_h=fix[:, 4],
        elasticity=elasticity,
        flow_base_cost_usd_per_t=base_cost,
        route_kind_idx=route_kind,
        route_flow_union_idx=route_flow,
        flow_demand_input=np.array(
            [(demand_index or {}).get(f, -1) for f in flow_pos], dtype=np.int64
        ),
    )
    return dataclasses.replace(compiled, settle_key=_settle_key(compiled))


def _settle_key(compiled: CompiledScenario) -> str:
    """A digest of every field of ``compiled`` but its name, year and settle key."""
    digest = hashlib.sha256()

    def add(x: object) -> None:
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            for f in dataclasses.fields(x):
                if f.name not in ("name", "year", "settle_key"):
                    digest.update(f.name.encode())
                    add(getattr(x, f.name))
        elif isinstance(x, np.ndarray):
            digest.update(f"{x.dtype}{x.shape}".encode())
            digest.update(np.ascontiguousarray(x).tobytes())
        elif isinstance(x, Mapping):
            for key in sorted(x, key=repr):
                add(key)
                add(x[key])
        elif isinstance(x, tuple | list):
            digest.update(f"[{len(x)}".encode())
            for item in x:
                add(item)
        else:
            digest.update(repr(x).encode())

    add(compiled)
    return digest.hexdigest()


def _route_kinds(
    route_rows: Sequence[dict[str, Any]],
    flow_rows: Sequence[dict[str, Any]],
    node_country: dict[str, str],
    kinds: RouteKinds | None,
    flow_union: dict[str, int] | None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each route's kind and its flow's position in the ensemble's flow list (None without
    a classifier)."""
    if kinds is None or flow_union is None:
        return None, None
    ends = {
        f["flow_id"]: (
            node_country.get(str(f["origin_node_id"]), ""),
            node_country.get(str(f["destination_node_id"]), ""),
        )
        for f in flow_rows
    }
    kind = [
        kinds.of(row["route"].link_ids, end_countries=ends.get(row["flow_id"], ())).value
        for row in route_rows
    ]
    # a flow a scenario adds (demand_add) is appended to the ensemble's flows
    flow = [flow_union.setdefault(row["flow_id"], len(flow_union)) for row in route_rows]
    return np.asarray(kind, dtype=np.int64), np.asarray(flow, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class NetworkCache:
    """A scenario's world and its cached networks (the pipeline's), so compiling reuses them."""

    world: Atlas
    network_of: Callable[[str], Network]
    explaining: Callable[[Network], Network]


def compile_ensemble(
    atlas: Atlas,
    scenario: Scenario,
    *,
    reference: Scenario | None = None,
    spec: EnsembleSpec,
    events: Sequence[Event] | None = None,
    cache: NetworkCache | None = None,
) -> EnsembleInputs:
    """Route the scenario (and its reference) once and list the inputs each draw draws.

    Parameters
    ----------
    atlas : Atlas
        The atlas both scenarios apply to.
    scenario : Scenario
        The scenario of interest.
    reference : Scenario, optional
        The scenario to compare with in every draw (same draws of shared inputs).
    spec : EnsembleSpec
        Draws, seed, distributions, project completion.
    events : sequence of Event, optional
        The atlas's security events, when a scenario takes its zone risks from the security
        layer (:func:`caravan.results.runs.scenario_world`).
    cache : NetworkCache, optional
        The scenario's world and networks, already built (the pipeline's).
    """
    scenarios = (scenario,) if reference is None else (scenario, reference)
    inputs, per_link, demand_index, projects = _ranged_inputs(atlas, spec, scenarios)
    project_input = []
    for project_id in projects:
        p_open = spec.p_open(project_id, scenario.year)
        project_input.append(len(inputs))
        inputs.append(
            UncertainInput(
                f"project:{project_id}",
                "project_completion",
                project_id,
                p_open,
                0.0,
                1.0,
                Distribution.UNIFORM,
            )
        )
    # Appended last, so the draws of the other inputs stay what they were without them.
    fixed_inputs, fixed_keys = fixed_cost_inputs(atlas, spec, first=len(inputs))
    inputs += fixed_inputs
    # The demand elasticity of a calibrated atlas, drawn from its low/high range (last too).
    elasticity_input = -1
    el = (atlas.meta.get("calibration") or {}).get("elasticity")
    if el and el.get("low") is not None and el.get("high") is not None:
        elasticity_input = len(inputs)
        low, high = sorted((float(el["low"]), float(el["high"])))
        inputs.append(
            UncertainInput(
                "demand:elasticity",
                "demand_elasticity",
                "elasticity",
                float(el["value"]),
                low,
                high,
                Distribution.TRIANGULAR,
            )
        )
    countries = sorted(atlas.countries)
    focus = tuple(
        p for p in scenario.open_projects if reference is None or p not in reference.open_projects
    )
    kinds = route_kinds(atlas, focus)
    demand_ids = atlas.demand.get("flow_id", ())
    flow_union = {f: i for i, f in enumerate(dict.fromkeys(map(str, demand_ids)))}
    patterns = [_variants(s, projects) for s in scenarios]
    routed = [
        [
            # The caller's cached world and networks are the scenario's own: only for the
            # variant with every project open (the only one when no project is uncertain).
            _route_one(atlas, v, events, cache if s is scenario and m == len(vs) - 1 else None)
            for m, v in enumerate(vs)
        ]
        for s, (_, vs) in zip(scenarios, patterns, strict=True)
    ]
    if reference is not None:
        # One choice set per flow for the reference and every pattern of the scenario, as
        # ``caravan compare`` does (caravan.results.choice_sets): a difference between them
        # then has a cause in the network, never in routes found in one search only.
        order = [*routed[1], *routed[0]]
        shared = iter(share_choice_sets_among(order))
        ref_shared = [next(shared) for _ in routed[1]]
        routed = [[next(shared) for _ in routed[0]], ref_shared]
    compiled = tuple(
        CompiledGroup(
            s.name,
            s.year,
            tuple(opened),
            {
                m: _compile_one(
                    r,
                    countries,
                    fixed_keys,
                    kinds=kinds,
                    flow_union=flow_union,
                    demand_index=demand_index,
                )
                for m, r in enumerate(rs)
            },
        )
        for s, (opened, _), rs in zip(scenarios, patterns, routed, strict=True)
    )
    return EnsembleInputs(
        spec=spec,
        inputs=tuple(inputs),
        countries=tuple(countries),
        link_ids=tuple(str(x) for x in atlas.links_frame["link_id"]),
        project_ids=tuple(projects),
        scenarios=compiled,
        link_length_input=per_link["link_length_km"],
        link_tariff_input=per_link["link_tariff_usd_per_tkm"],
        link_capacity_input=per_link["link_capacity_mtpa"],
        demand_input=demand_index,
        project_input=np.asarray(project_input, dtype=np.int64),
        elasticity_input=elasticity_input,
        flow_ids=tuple(flow_union),
        focus_project_ids=focus,
    )
