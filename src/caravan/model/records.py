"""Frozen records of the atlas: places, projects, rules, zones, cargo classes and sources."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from caravan.model.modes import ModeTraits

__all__ = [
    "Commodity",
    "Dispute",
    "LinkStatus",
    "Mode",
    "ModeDefault",
    "Node",
    "NodeKind",
    "Project",
    "ProjectKind",
    "Range",
    "Restriction",
    "RestrictionEffect",
    "Source",
    "Zone",
]


class NodeKind(enum.StrEnum):
    """What a place is."""

    CITY = "city"
    STATION = "station"
    PORT = "port"
    BORDER = "border"
    JUNCTION = "junction"
    TERMINAL = "terminal"
    PASS = "pass"


class Mode(enum.StrEnum):
    """The four built-in modes. An atlas's modes are the rows of its ``modes.yaml`` (any name),
    and what a mode means is its traits there (:mod:`caravan.model.modes`)."""

    RAIL = "rail"
    ROAD = "road"
    FERRY = "ferry"
    SEA = "sea"


class LinkStatus(enum.StrEnum):
    """Status of a link or project as of the atlas date."""

    OPERATIONAL = "operational"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"
    PROPOSED = "proposed"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class ProjectKind(enum.StrEnum):
    """A project is built; a corridor is a named route over existing and new links."""

    PROJECT = "project"
    CORRIDOR = "corridor"


class RestrictionEffect(enum.StrEnum):
    """What a restriction does to the cargo it matches."""

    FORBID = "forbid"
    SURCHARGE = "surcharge"


GAUGES_MM: tuple[int, ...] = (1435, 1520, 1676)


@dataclass(frozen=True)
class Range:
    """A figure with its chosen value and, when disputed, its range."""

    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Node:
    """A place: city, station, port, border post, junction, terminal or pass."""

    node_id: str
    name: str
    country_iso3: str
    lat: float
    lon: float
    kind: NodeKind
    aliases: tuple[str, ...] = ()
    admin1: str | None = None
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dispute:
    """Where sources disagree about a project, and what the atlas follows."""

    field: str
    claim: str
    finding: str
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    """A project or corridor: a named set of links with status, dates, money and capacity."""

    project_id: str
    name: str
    kind: ProjectKind
    status: LinkStatus
    link_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    sponsors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    announced_year: int | None = None
    open_year: int | None = None
    expected_open_year: int | None = None
    investment_musd: Range | None = None
    capacity_mtpa: Range | None = None
    length_km: Range | None = None
    notes: str = ""
    disputes: tuple[Dispute, ...] = ()


@dataclass(frozen=True)
class Restriction:
    """A policy rule on cargo: where it applies, which cargo, and its effect."""

    restriction_id: str
    name: str
    effect: RestrictionEffect
    source_ids: tuple[str, ...]
    countries: tuple[str, ...] = ()
    link_ids: tuple[str, ...] = ()
    border_ids: tuple[str, ...] = ()
    node_ids: tuple[str, ...] = ()
    origin_countries: tuple[str, ...] = ()
    destination_countries: tuple[str, ...] = ()
    except_origin_countries: tuple[str, ...] = ()
    commodities: tuple[str, ...] = ()
    surcharge_usd_per_t: float | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    notes: str = ""

    def matches_cargo(self, *, origin_iso3: str, destination_iso3: str, commodity_id: str) -> bool:
        """Whether cargo of this origin, destination and commodity falls under the rule.

        Examples
        --------
        >>> r = Restriction("r", "no Indian transit", RestrictionEffect.FORBID, ("s",),
        ...                 countries=("PAK",), origin_countries=("IND",))
        >>> r.matches_cargo(origin_iso3="IND", destination_iso3="AFG", commodity_id="container")
        True
        >>> r.matches_cargo(origin_iso3="UZB", destination_iso3="PAK", commodity_id="container")
        False
        """
        if self.origin_countries and origin_iso3 not in self.origin_countries:
            return False
        if self.destination_countries and destination_iso3 not in self.destination_countries:
            return False
        if origin_iso3 in self.except_origin_countries:
            return False
        return not (self.commodities and commodity_id not in self.commodities)

    def in_force(self, year: int) -> bool:
        """Whether the rule is in force during (any part of) ``year``."""
        if self.valid_from is not None and int(self.valid_from[:4]) > year:
            return False
        return not (self.valid_to is not None and int(self.valid_to[:4]) < year)


@dataclass(frozen=True)
class Zone:
    """A risk zone: a country, or a province of one."""

    zone_id: str
    name: str
    country_iso3: str
    risk: float
    source_ids: tuple[str, ...]
    admin1: str | None = None
    risk_low: float | None = None
    risk_high: float | None = None
    basis: str = ""


@dataclass(frozen=True)
class Commodity:
    """A cargo class with its value and value of time."""

    commodity_id: str
    name: str
    value_usd_per_t: float
    value_of_time_usd_per_t_h: float
    risk_aversion: float
    source_ids: tuple[str, ...]
    basis: str = ""


@dataclass(frozen=True)
class ModeDefault:
    """A row of ``modes.yaml``: a mode's default running speed and tariff (used where a link
    gives none) and its traits (:mod:`caravan.model.modes`)."""

    mode: str
    speed_kmh: float
    tariff_usd_per_tkm: float
    source_ids: tuple[str, ...]
    basis: str = ""
    traits: ModeTraits = field(default_factory=ModeTraits)


@dataclass(frozen=True)
class Source:
    """A source that figures in the atlas cite."""

    source_id: str
    title: str
    kind: str
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    supports: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())
