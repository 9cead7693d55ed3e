"""Compiling a scenario (and its reference) once into the arrays every draw reuses.

Routing is done once per scenario, with every project the scenario opens open: each flow gets
its ``k`` routes. A draw then only rescales arrays: link lengths, tariffs and capacities,
demand, and masks out the routes that use a project that is not complete in that draw. So the
route sets are fixed across draws (a route that only becomes attractive under a drawn input
outside them is not found) — the usual price of fast ensembles, stated in the results.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from caravan.ensemble.spec import Distribution, EnsembleSpec, UncertainInput
from caravan.errors import InputError
from caravan.model.atlas import Atlas
from caravan.model.records import LinkStatus
from caravan.model.scenario import Scenario
from caravan.results.runs import (
    SueProblem,
    land_countries,
    route_flows,
    scenario_world,
    sue_problem,
)

__all__ = ["CompiledScenario", "EnsembleInputs", "compile_ensemble"]


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
    link_money_usd_per_t: np.ndarray  # tariff x length of each atlas link (scenario values)
    link_time_h: np.ndarray  # length / speed
    route_fixed_money_usd_per_t: np.ndarray  # fees, transfers, surcharges
    route_fixed_time_h: np.ndarray  # dwell
    route_base_money_usd_per_t: np.ndarray
    route_base_length_km: np.ndarray
    route_project_mask: np.ndarray  # routes x uncertain projects: route needs that project
    # route x country parts, for transit metrics
    part_route_idx: np.ndarray
    part_country_idx: np.ndarray
    part_length_km: np.ndarray
    part_money_usd_per_t: np.ndarray
    part_is_transit: np.ndarray
    link_group_idx: np.ndarray  # capacity group of each atlas link, -1 if none
    group_base_capacity_t: np.ndarray


@dataclass(frozen=True, eq=False)
class EnsembleInputs:
    """Everything a worker needs, sent to it once."""

    spec: EnsembleSpec
    inputs: tuple[UncertainInput, ...]
    countries: tuple[str, ...]
    link_ids: tuple[str, ...]
    project_ids: tuple[str, ...]  # uncertain projects, in input order
    scenarios: tuple[CompiledScenario, ...]  # the scenario, then its reference (if any)
    # input index of each link's ranges (-1 where the link has none)
    link_length_input: np.ndarray
    link_tariff_input: np.ndarray
    link_capacity_input: np.ndarray
    demand_input: dict[str, int]
    project_input: np.ndarray  # input index of each uncertain project


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


def _route_sets(
    atlas: Atlas, scenario: Scenario, uncertain: tuple[str, ...]
) -> tuple[Atlas, list[dict[str, Any]], list[dict[str, Any]]]:
    """Each flow's routes with the uncertain projects open, and (when the scenario opens any of
    them) also with them all unbuilt, so that a draw in which a project is not complete still
    finds the routes that do without it."""
    k = scenario.assignment.k_routes
    world = scenario_world(atlas, scenario)
    flow_rows, route_rows = route_flows(world, scenario, k=k)
    without = tuple(p for p in scenario.open_projects if p not in uncertain)
    if len(without) == len(scenario.open_projects):
        return world, flow_rows, route_rows
    bare = dataclasses.replace(scenario, open_projects=without)
    _, extra_rows = route_flows(scenario_world(atlas, bare), bare, k=k)
    seen = {(r["flow_id"], r["route"].node_ids, r["route"].link_ids) for r in route_rows}
    for row in extra_rows:
        key = (row["flow_id"], row["route"].node_ids, row["route"].link_ids)
        if key not in seen:
            seen.add(key)
            route_rows.append(row)
    route_rows.sort(key=lambda r: (r["flow_id"], r["route"].cost_usd_per_t))
    served = {r["flow_id"] for r in route_rows}
    for row in flow_rows:
        if row["flow_id"] in served:
            row["unserved_reason"] = ""
    return world, flow_rows, route_rows


def _compile_one(
    atlas: Atlas,
    scenario: Scenario,
    countries: list[str],
    uncertain_links: list[set[str]],
    uncertain: tuple[str, ...] = (),
) -> CompiledScenario:
    world, flow_rows, route_rows = _route_sets(atlas, scenario, uncertain)
    flows_by_id = {r["flow_id"]: r for r in flow_rows}
    routed = list(dict.fromkeys(r["flow_id"] for r in route_rows))
    flow_pos = {f: i for i, f in enumerate(routed)}
    commodities = {c.commodity_id: c for c in world.commodities}
    settings = scenario.assignment
    problem = sue_problem(
        world,
        route_rows,
        flow_pos,
        flows_by_id,
        commodities,
        method=settings.method,
        logit_scale_per_usd=settings.logit_scale_per_usd,
    )
    links = world.links_frame
    link_pos = {str(k): i for i, k in enumerate(links["link_id"])}
    length = links["length_km"].to_numpy(dtype=np.float64)
    link_money = links["tariff_usd_per_tkm"].to_numpy(dtype=np.float64) * length
    link_time = length / links["speed_kmh"].to_numpy(dtype=np.float64)
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
    mask = np.zeros((n_routes, len(uncertain_links)), dtype=bool)
    parts: list[tuple[int, int, float, float, bool]] = []
    country_pos = {c: i for i, c in enumerate(countries)}
    for i, row in enumerate(route_rows):
        r = row["route"]
        uniq = [link_pos[lid] for lid in dict.fromkeys(r.link_ids)]
        entry_r += [i] * len(uniq)
        entry_l += uniq
        fixed_money[i] = r.money_usd_per_t - float(link_money[uniq].sum())
        fixed_time[i] = r.time_h - float(link_time[uniq].sum())
        base_money[i] = r.money_usd_per_t
        base_length[i] = r.length_km
        used = set(r.link_ids)
        for j, members in enumerate(uncertain_links):
            mask[i, j] = bool(used & members)
        ends = {node_country[r.node_ids[0]], node_country[r.node_ids[-1]]}
        land = land_countries(r)
        for part in r.by_country:
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
    link_group = problem.group_of_arc[: len(links)]
    return CompiledScenario(
        name=scenario.name,
        year=scenario.year,
        problem=problem,
        max_iter=settings.max_iter,
        tolerance=settings.gap,
        flow_ids=tuple(routed),
        unrouted_flow_ids=tuple(r["flow_id"] for r in flow_rows if r["unserved_reason"]),
        entry_route_idx=np.asarray(entry_r, dtype=np.int64),
        entry_link_idx=np.asarray(entry_l, dtype=np.int64),
        link_money_usd_per_t=link_money,
        link_time_h=link_time,
        route_fixed_money_usd_per_t=fixed_money,
        route_fixed_time_h=fixed_time,
        route_base_money_usd_per_t=base_money,
        route_base_length_km=base_length,
        route_project_mask=mask,
        part_route_idx=arr[:, 0].astype(np.int64),
        part_country_idx=arr[:, 1].astype(np.int64),
        part_length_km=arr[:, 2],
        part_money_usd_per_t=arr[:, 3],
        part_is_transit=arr[:, 4].astype(bool),
        link_group_idx=link_group,
        group_base_capacity_t=problem.group_capacity_t,
    )


def compile_ensemble(
    atlas: Atlas, scenario: Scenario, *, reference: Scenario | None = None, spec: EnsembleSpec
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
    """
    scenarios = (scenario,) if reference is None else (scenario, reference)
    inputs, per_link, demand_index, projects = _ranged_inputs(atlas, spec, scenarios)
    project_input = []
    operational = set(
        atlas.links_frame.loc[
            atlas.links_frame["status"] == LinkStatus.OPERATIONAL.value, "link_id"
        ]
    )
    uncertain_links: list[set[str]] = []
    for project_id in projects:
        project = atlas.project(project_id)
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
        uncertain_links.append(set(project.link_ids) - operational)
    countries = sorted(atlas.countries)
    compiled = tuple(
        _compile_one(atlas, s, countries, uncertain_links, tuple(projects)) for s in scenarios
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
    )
