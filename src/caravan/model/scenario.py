"""Scenarios: a what-if as data, and applying it to an atlas to make a new atlas.

A scenario opens projects or links, closes links, borders, places, countries or risk zones,
changes attributes (tariff, speed, capacity, dwell, fees), changes demand and risk, and says how
to assign the freight. ``apply_scenario`` never changes the atlas it is given: it returns a new one.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from caravan.errors import AtlasValidationError, InputError, Problem
from caravan.model.atlas import Atlas
from caravan.model.plain import to_plain
from caravan.model.records import LinkStatus, Zone
from caravan.model.schema import bound_problem

__all__ = [
    "AssignmentMethod",
    "AssignmentSettings",
    "AttributeChange",
    "ChangeOp",
    "ChangeTarget",
    "DemandAdd",
    "DemandScale",
    "RiskChange",
    "Scenario",
    "apply_scenario",
    "with_method",
]


class ChangeTarget(enum.StrEnum):
    """What an attribute change applies to."""

    LINK = "link"
    BORDER = "border"
    PROJECT = "project"  # every link of the project
    MODE = "mode"  # every link of the mode


class ChangeOp(enum.StrEnum):
    """How an attribute change acts on the current value."""

    SET = "set"
    SCALE = "scale"
    ADD = "add"


#: Fields a change may touch, by target; border fields without a direction touch both.
CHANGE_FIELDS: dict[ChangeTarget, tuple[str, ...]] = {
    ChangeTarget.LINK: ("tariff_usd_per_tkm", "speed_kmh", "capacity_mtpa", "length_km"),
    ChangeTarget.PROJECT: ("tariff_usd_per_tkm", "speed_kmh", "capacity_mtpa", "length_km"),
    ChangeTarget.MODE: ("tariff_usd_per_tkm", "speed_kmh", "capacity_mtpa"),
    ChangeTarget.BORDER: (
        "dwell_h",
        "dwell_h_ab",
        "dwell_h_ba",
        "fee_usd_per_t",
        "fee_usd_per_t_ab",
        "fee_usd_per_t_ba",
        "capacity_mtpa",
    ),
}


@dataclass(frozen=True)
class AttributeChange:
    """Set, scale or add to one field of some links or borders."""

    target: ChangeTarget
    ids: tuple[str, ...]
    field: str
    op: ChangeOp
    value: float
    origin: str = ""  # where the change is written ("kabul.yaml changes[2]"), for messages
    origin_line: int | None = None  # its line in that file


@dataclass(frozen=True)
class DemandScale:
    """Multiply the flows that match (empty filter lists match everything)."""

    factor: float
    flow_ids: tuple[str, ...] = ()
    origin_countries: tuple[str, ...] = ()
    destination_countries: tuple[str, ...] = ()
    commodities: tuple[str, ...] = ()
    origin: str = ""  # where it is written ("kabul.yaml demand.scale[1]"), for messages
    origin_line: int | None = None  # its line in that file


@dataclass(frozen=True)
class DemandAdd:
    """A new freight flow."""

    flow_id: str
    origin_node_id: str
    destination_node_id: str
    commodity_id: str
    tonnes_per_year: float
    basis: str
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class RiskChange:
    """Set a risk zone's risk (0..1), or add a new zone."""

    zone_id: str
    risk: float
    name: str | None = None
    country_iso3: str | None = None
    admin1: str | None = None
    basis: str = ""
    source_ids: tuple[str, ...] = ()


class AssignmentMethod(enum.StrEnum):
    """How freight is assigned (the implementations: :mod:`caravan.results.methods`)."""

    AON = "aon"  # all-or-nothing: each flow on its least-cost route
    SUE = "sue"  # path-size logit over up to k generated routes, under capacity
    UE = "ue"  # deterministic user equilibrium on the network, capacity-dependent costs

    @classmethod
    def parse(cls, value: str | AssignmentMethod) -> AssignmentMethod:
        """The method named ``value``; an unknown name is an :class:`InputError`.

        Examples
        --------
        >>> AssignmentMethod.parse("ue").value
        'ue'
        >>> AssignmentMethod.parse("wardrop")
        Traceback (most recent call last):
        ...
        caravan.errors.InputError: unknown assignment method 'wardrop'; choose one of aon, sue, ue
        """
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(m.value for m in cls)
            raise InputError(
                f"unknown assignment method {value!r}; choose one of {names}"
            ) from None


@dataclass(frozen=True)
class AssignmentSettings:
    """How a scenario's freight is assigned to routes.

    ``gap`` is the stopping rule of the method: the largest change of a route share between
    iterations for ``sue``, the relative gap of the equilibrium for ``ue``.
    """

    method: AssignmentMethod = AssignmentMethod.SUE
    k_routes: int = 5
    logit_scale_per_usd: float = 0.05
    max_iter: int = 50
    gap: float = 1e-3
    seed: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", AssignmentMethod.parse(self.method))


@dataclass(frozen=True)
class Scenario:
    """A what-if, with its inheritance already resolved.

    Examples
    --------
    >>> s = Scenario(name="s", description="open a line", year=2030,
    ...              open_projects=("kabul-corridor",))
    >>> s.open_projects
    ('kabul-corridor',)
    """

    name: str
    description: str
    year: int
    title: str = ""
    base: str = "atlas"
    lineage: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
    open_projects: tuple[str, ...] = ()
    open_links: tuple[str, ...] = ()
    close_links: tuple[str, ...] = ()
    close_borders: tuple[str, ...] = ()
    close_nodes: tuple[str, ...] = ()
    close_countries: tuple[str, ...] = ()
    close_zones: tuple[str, ...] = ()
    close_projects: tuple[str, ...] = ()
    changes: tuple[AttributeChange, ...] = ()
    demand_scale: tuple[DemandScale, ...] = ()
    demand_add: tuple[DemandAdd, ...] = ()
    risk: tuple[RiskChange, ...] = ()
    assignment: AssignmentSettings = field(default_factory=AssignmentSettings)
    ensemble: Mapping[str, Any] = field(default_factory=dict)
    security_as_of: str | None = None
    date: str | None = None
    path: str | None = None
    digest: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain data (for provenance and JSON)."""
        out: dict[str, Any] = to_plain(dataclasses.asdict(self))
        return out


def _apply_op(current: pd.Series, op: ChangeOp, value: float) -> pd.Series:
    if op is ChangeOp.SET:
        return pd.Series(value, index=current.index, dtype="float64")
    if op is ChangeOp.SCALE:
        return current * value
    return current + value


def _out_of_bounds(
    rows: pd.DataFrame,
    column: str,
    key: str,
    change: AttributeChange | DemandScale,
    scenario: Scenario,
) -> list[Problem]:
    """One problem naming the scenario line when a change leaves values outside their bounds."""
    bad: list[tuple[str, str]] = []
    modes = rows["mode"] if "mode" in rows else pd.Series(None, index=rows.index)
    for ident, value, mode in zip(rows[key], rows[column], modes, strict=True):
        if value is None or pd.isna(value):
            continue
        wrong = (
            "not a finite number"
            if not math.isfinite(float(value))
            else bound_problem(column, float(value), mode=mode if isinstance(mode, str) else None)
        )
        if wrong:
            bad.append((str(ident), wrong))
    if not bad:
        return []
    where, _, field = change.origin.partition(" ")
    shown = ", ".join(ident for ident, _ in bad[:3]) + (
        f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    )
    return [
        Problem(
            where or f"scenario {scenario.name}",
            change.origin_line,
            field or None,
            f"after this change, {bad[0][1]} ({_KEY_NOUN[key]} {shown})",
            "change the value so the result stays within the bounds",
        )
    ]


_KEY_NOUN = {"link_id": "link", "border_id": "border", "flow_id": "flow"}


def apply_scenario(atlas: Atlas, scenario: Scenario) -> Atlas:
    """A new atlas with the scenario's openings, closures and changes applied.

    Opened links become ``operational`` from ``min(expected_open_year, scenario.year)``
    (the scenario year when no date is expected); closed links become ``closed``. A link
    is closed when it is named, when its border is closed, when either end is a closed place,
    lies in a closed country, or lies in a closed risk zone. The demand table and the risk
    zones carry the scenario's changes. Ids were checked when the scenario was read.

    Parameters
    ----------
    atlas : Atlas
        The atlas to start from (unchanged).
    scenario : Scenario
        The resolved scenario.

    Returns
    -------
    Atlas
        A new atlas; ``meta["scenario"]`` names the scenario.

    Raises
    ------
    AtlasValidationError
        When a change leaves a value outside its bounds (``caravan.model.schema.BOUNDS``),
        naming the scenario file and the change.
    """
    links = atlas.links
    nodes = atlas.nodes
    borders = atlas.borders
    demand = atlas.demand
    project_links = {p.project_id: set(p.link_ids) for p in atlas.projects}

    opened: set[str] = set(scenario.open_links)
    for project_id in scenario.open_projects:
        opened |= project_links.get(project_id, set())
    already_open = {LinkStatus.OPERATIONAL.value}
    to_open = links["link_id"].isin(opened) & ~links["status"].isin(already_open)
    expected = links["expected_open_year"].astype("Float64")
    open_year = expected.where(expected.notna() & (expected <= scenario.year), scenario.year)
    links.loc[to_open, "open_year"] = open_year[to_open].astype("int64")
    links.loc[to_open, "status"] = LinkStatus.OPERATIONAL.value

    closed: set[str] = set(scenario.close_links)
    for project_id in scenario.close_projects:
        closed |= project_links.get(project_id, set())
    closed |= set(borders.loc[borders["border_id"].isin(scenario.close_borders), "link_id"])
    bad_nodes = set(scenario.close_nodes)
    bad_nodes |= set(nodes.loc[nodes["country_iso3"].isin(scenario.close_countries), "node_id"])
    for zone in atlas.zones:
        if zone.zone_id in scenario.close_zones:
            in_zone = nodes["country_iso3"] == zone.country_iso3
            if zone.admin1:
                in_zone &= nodes["admin1"] == zone.admin1
            bad_nodes |= set(nodes.loc[in_zone, "node_id"])
    touches = links["from_node_id"].isin(bad_nodes) | links["to_node_id"].isin(bad_nodes)
    to_close = links["link_id"].isin(closed) | touches
    links.loc[to_close, "status"] = LinkStatus.CLOSED.value

    problems: list[Problem] = []
    for change in scenario.changes:
        if change.target is ChangeTarget.BORDER:
            rows = borders["border_id"].isin(change.ids)
            fields = [change.field]
            if change.field in ("dwell_h", "fee_usd_per_t"):
                fields = [f"{change.field}_ab", f"{change.field}_ba"]
            for name in fields:
                borders.loc[rows, name] = _apply_op(
                    borders.loc[rows, name], change.op, change.value
                )
                problems += _out_of_bounds(borders[rows], name, "border_id", change, scenario)
            continue
        if change.target is ChangeTarget.LINK:
            rows = links["link_id"].isin(change.ids)
        elif change.target is ChangeTarget.PROJECT:
            ids = set().union(*(project_links.get(p, set()) for p in change.ids))
            rows = links["link_id"].isin(ids)
        else:
            rows = links["mode"].isin(change.ids)
        links.loc[rows, change.field] = _apply_op(
            links.loc[rows, change.field].astype("float64"), change.op, change.value
        )
        problems += _out_of_bounds(links[rows], change.field, "link_id", change, scenario)
        if change.field in ("tariff_usd_per_tkm", "speed_kmh"):
            basis = change.field.split("_")[0] + "_basis"
            links.loc[rows, basis] = f"scenario {scenario.name}"

    for scale in scenario.demand_scale:
        rows = pd.Series(True, index=demand.index)
        if scale.flow_ids:
            rows &= demand["flow_id"].isin(scale.flow_ids)
        node_country = dict(zip(nodes["node_id"], nodes["country_iso3"], strict=True))
        if scale.origin_countries:
            rows &= demand["origin_node_id"].map(node_country).isin(scale.origin_countries)
        if scale.destination_countries:
            dest = demand["destination_node_id"].map(node_country)
            rows &= dest.isin(scale.destination_countries)
        if scale.commodities:
            rows &= demand["commodity_id"].isin(scale.commodities)
        for col in ("tonnes_per_year", "tonnes_per_year_low", "tonnes_per_year_high"):
            demand.loc[rows, col] = demand.loc[rows, col] * scale.factor
        problems += _out_of_bounds(demand[rows], "tonnes_per_year", "flow_id", scale, scenario)
    if scenario.demand_add:
        added = pd.DataFrame(
            [
                {
                    "flow_id": a.flow_id,
                    "origin_node_id": a.origin_node_id,
                    "destination_node_id": a.destination_node_id,
                    "commodity_id": a.commodity_id,
                    "tonnes_per_year": a.tonnes_per_year,
                    "year": scenario.year,
                    "basis": a.basis,
                    "source_ids": a.source_ids,
                    "notes": f"added by scenario {scenario.name}",
                }
                for a in scenario.demand_add
            ]
        )
        demand = pd.concat([demand, added], ignore_index=True)
    if problems:
        raise AtlasValidationError(problems, source=f"scenario {scenario.name}")

    zones = {z.zone_id: z for z in atlas.zones}
    for rc in scenario.risk:
        old = zones.get(rc.zone_id)
        if old is not None:
            zones[rc.zone_id] = dataclasses.replace(
                old,
                risk=rc.risk,
                basis=rc.basis or f"set by scenario {scenario.name}",
                source_ids=rc.source_ids or old.source_ids,
            )
        else:
            if rc.name is None or rc.country_iso3 is None:
                msg = (
                    f"scenario {scenario.name!r}: new zone {rc.zone_id!r} "
                    "needs a name and a country"
                )
                raise InputError(msg)
            zones[rc.zone_id] = Zone(
                zone_id=rc.zone_id,
                name=rc.name,
                country_iso3=rc.country_iso3,
                risk=rc.risk,
                source_ids=rc.source_ids,
                admin1=rc.admin1,
                basis=rc.basis,
            )

    return dataclasses.replace(
        atlas,
        links_frame=links,
        borders_frame=borders,
        demand_frame=demand,
        zones=tuple(zones.values()),
        meta={**atlas.meta, "scenario": scenario.name, "scenario_year": scenario.year},
    )


def with_method(scenario: Scenario, method: str | AssignmentMethod) -> Scenario:
    """The scenario with another assignment method (its other settings kept; for ``ue`` its
    ``gap`` is the relative gap to reach).

    Examples
    --------
    >>> s = Scenario(name="s", description="", year=2025)
    >>> with_method(s, "ue").assignment.method.value
    'ue'
    """
    settings = dataclasses.replace(scenario.assignment, method=AssignmentMethod.parse(method))
    return dataclasses.replace(scenario, assignment=settings)
