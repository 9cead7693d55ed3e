"""The atlas files' fields, types and vocabularies, declared once as data.

``docs/atlas-format.md`` describes the same fields for people; ``tests/model/test_schema.py``
checks that the two agree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from caravan.model.modes import GaugeRule, ModeLayer
from caravan.model.records import (
    GAUGES_MM,
    LinkStatus,
    Mode,
    NodeKind,
    ProjectKind,
    RestrictionEffect,
)

__all__ = [
    "BOUNDS",
    "CSV_FILES",
    "SPEED_KMH_BY_MODE",
    "YAML_LIST_FILES",
    "Field",
    "Kind",
    "bound_problem",
    "bounded",
    "quantity_of",
    "vocabulary",
]


class Kind(enum.StrEnum):
    """The type of a field, as read from text."""

    STR = "str"
    FLOAT = "float"
    INT = "int"
    BOOL = "bool"
    LIST = "list"  # ';'-separated in CSV, a YAML list in YAML
    DATE = "date"  # YYYY, YYYY-MM or YYYY-MM-DD
    RANGE = "range"  # YAML {value, low, high}
    MAPPING = "mapping"  # YAML mapping, checked by its own fields
    RECORDS = "records"  # YAML list of mappings


@dataclass(frozen=True)
class Field:
    """One column of a CSV file or key of a YAML record."""

    name: str
    kind: Kind = Kind.STR
    required: bool = False
    vocab: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


def vocabulary(enum_type: type[enum.StrEnum]) -> tuple[str, ...]:
    """The values of a closed vocabulary."""
    return tuple(member.value for member in enum_type)


#: Physical bounds of every quantity the atlas and scenarios hold, stated once. The readers check
#: each value against them (``_low``/``_high``/``_ab``/``_ba`` columns share their quantity's
#: bounds) and so do scenario changes after they are applied. Wide enough for any real corridor,
#: narrow enough that 0 km/h, 1e300 km or 1e308 t is an error rather than an answer.
BOUNDS: dict[str, tuple[float, float]] = {
    "length_km": (0.01, 40_000.0),  # no link is longer than the Earth's circumference
    "speed_kmh": (1.0, 150.0),  # running speed; per mode in SPEED_KMH_BY_MODE
    "tariff_usd_per_tkm": (0.0, 10.0),  # air freight is ~1-5 US$/t-km
    "capacity_mtpa": (0.0, 1_000.0),
    "capacity_share": (0.0, 1.0),  # share of a link's capacity left open (seasonal restriction)
    "dwell_h": (0.0, 2_160.0),  # 90 days
    "fee_usd_per_t": (0.0, 10_000.0),
    "surcharge_usd_per_t": (0.0, 100_000.0),
    "tonnes_per_year": (0.0, 5e9),  # world seaborne trade is ~12 Gt a year
    "value_usd_per_t": (0.0, 1e8),
    "value_of_time_usd_per_t_h": (0.0, 10_000.0),
    "risk_aversion": (0.0, 100.0),
    "investment_musd": (0.0, 1e6),
    "year": (1800.0, 2100.0),
    "risk": (0.0, 1.0),
}

#: Running speed bounds by mode (km/h), inside ``BOUNDS["speed_kmh"]``.
SPEED_KMH_BY_MODE: dict[str, tuple[float, float]] = {
    Mode.RAIL.value: (1.0, 150.0),
    Mode.ROAD.value: (1.0, 130.0),
    Mode.FERRY.value: (1.0, 60.0),
    Mode.SEA.value: (1.0, 60.0),
}

_SUFFIXES = ("_low", "_high", "_ab", "_ba")
_YEAR_FIELDS = frozenset({"year", "open_year", "expected_open_year", "announced_year"})


def quantity_of(name: str) -> str | None:
    """The quantity of ``BOUNDS`` a field holds, or ``None``.

    Examples
    --------
    >>> quantity_of("tariff_usd_per_tkm_high"), quantity_of("dwell_h_ab"), quantity_of("name")
    ('tariff_usd_per_tkm', 'dwell_h', None)
    """
    if name in _YEAR_FIELDS:
        return "year"
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in BOUNDS:
            return name[: -len(suffix)]
    return name if name in BOUNDS else None


def bound_problem(name: str, value: float, *, mode: str | None = None) -> str | None:
    """What is wrong when ``value`` is outside its quantity's bounds (per mode for speeds).

    Examples
    --------
    >>> bound_problem("speed_kmh", 0.0, mode="rail")
    'speed_kmh must be between 1 and 150 for rail (got 0)'
    >>> bound_problem("length_km", 1e300)
    'length_km must be between 0.01 and 40000 (got 1e+300)'
    >>> bound_problem("length_km", 12.0) is None
    True
    """
    quantity = quantity_of(name)
    if quantity is None:
        return None
    low, high = BOUNDS[quantity]
    where = ""
    if quantity == "speed_kmh" and mode in SPEED_KMH_BY_MODE:
        low, high = SPEED_KMH_BY_MODE[mode]
        where = f" for {mode}"
    if low <= value <= high:
        return None
    return f"{name} must be between {low:g} and {high:g}{where} (got {value:.6g})"


def bounded(name: str, kind: Kind = Kind.FLOAT, *, required: bool = False) -> Field:
    """A numeric field with its quantity's bounds from ``BOUNDS``."""
    quantity = quantity_of(name)
    if quantity is None:
        msg = f"{name} has no bounds in BOUNDS"
        raise KeyError(msg)
    low, high = BOUNDS[quantity]
    return Field(name, kind, required=required, minimum=low, maximum=high)


_STATUS = vocabulary(LinkStatus)
_GAUGES = tuple(str(g) for g in GAUGES_MM)
_SOURCES = Field("source_ids", Kind.LIST, required=True)

CSV_FILES: dict[str, tuple[Field, ...]] = {
    "nodes.csv": (
        Field("node_id", required=True),
        Field("name", required=True),
        Field("aliases", Kind.LIST),
        Field("country_iso3", required=True),
        Field("admin1"),
        Field("lat", Kind.FLOAT, required=True, minimum=-90, maximum=90),
        Field("lon", Kind.FLOAT, required=True, minimum=-180, maximum=180),
        Field("kind", required=True, vocab=vocabulary(NodeKind)),
        Field("coord_basis", required=True),
        _SOURCES,
        Field("notes"),
    ),
    "links.csv": (
        Field("link_id", required=True),
        Field("from_node_id", required=True),
        Field("to_node_id", required=True),
        Field("mode", required=True),  # a mode of modes.yaml (checked with the links)
        Field("gauge_mm", Kind.INT, vocab=_GAUGES),
        bounded("length_km", required=True),
        bounded("length_km_low"),
        bounded("length_km_high"),
        Field("length_basis", required=True),
        bounded("speed_kmh"),
        bounded("tariff_usd_per_tkm"),
        bounded("tariff_usd_per_tkm_low"),
        bounded("tariff_usd_per_tkm_high"),
        bounded("capacity_mtpa"),
        bounded("capacity_mtpa_low"),
        bounded("capacity_mtpa_high"),
        Field("status", required=True, vocab=_STATUS),
        bounded("open_year", Kind.INT),
        bounded("expected_open_year", Kind.INT),
        Field("oneway", Kind.BOOL),
        _SOURCES,
        Field("notes"),
        Field("geometry"),
    ),
    "borders.csv": (
        Field("border_id", required=True),
        Field("name", required=True),
        Field("link_id", required=True),
        Field("country_a_iso3", required=True),
        Field("country_b_iso3", required=True),
        bounded("dwell_h_ab", required=True),
        bounded("dwell_h_ba", required=True),
        bounded("fee_usd_per_t_ab", required=True),
        bounded("fee_usd_per_t_ba", required=True),
        bounded("capacity_mtpa"),
        _SOURCES,
        Field("notes"),
    ),
    "demand.csv": (
        Field("flow_id", required=True),
        Field("origin_node_id", required=True),
        Field("destination_node_id", required=True),
        Field("commodity_id", required=True),
        bounded("tonnes_per_year", required=True),
        bounded("tonnes_per_year_low"),
        bounded("tonnes_per_year_high"),
        bounded("year", Kind.INT, required=True),
        Field("basis", required=True),
        _SOURCES,
        Field("notes"),
    ),
    "transfers.csv": (
        Field("node_id"),
        Field("from_mode", required=True),
        Field("from_gauge_mm", Kind.INT, vocab=_GAUGES),
        Field("to_mode", required=True),
        Field("to_gauge_mm", Kind.INT, vocab=_GAUGES),
        bounded("dwell_h", required=True),
        bounded("fee_usd_per_t", required=True),
        Field("dwell_h_low", Kind.FLOAT, minimum=0),
        Field("dwell_h_high", Kind.FLOAT, minimum=0),
        Field("fee_usd_per_t_low", Kind.FLOAT, minimum=0),
        Field("fee_usd_per_t_high", Kind.FLOAT, minimum=0),
        _SOURCES,
        Field("notes"),
    ),
}

_DISPUTE = (
    Field("field", required=True),
    Field("claim", required=True),
    Field("finding", required=True),
    Field("source_ids", Kind.LIST),
)

_APPLIES_TO = (
    Field("countries", Kind.LIST),
    Field("link_ids", Kind.LIST),
    Field("border_ids", Kind.LIST),
    Field("node_ids", Kind.LIST),
)

_CARGO = (
    Field("origin_countries", Kind.LIST),
    Field("destination_countries", Kind.LIST),
    Field("except_origin_countries", Kind.LIST),
    Field("commodities", Kind.LIST),
)

#: Nested field sets, by the name of the field that holds them.
_MARKET = (
    Field("node_id", required=True),
    Field("region", required=True),
    Field("countries", Kind.LIST, required=True),
)

NESTED: dict[str, tuple[Field, ...]] = {
    "markets": _MARKET,
    "disputes": _DISPUTE,
    "applies_to": _APPLIES_TO,
    "cargo": _CARGO,
}

YAML_LIST_FILES: dict[str, tuple[Field, ...]] = {
    "projects.yaml": (
        Field("project_id", required=True),
        Field("name", required=True),
        Field("aliases", Kind.LIST),
        Field("kind", required=True, vocab=vocabulary(ProjectKind)),
        Field("sponsors", Kind.LIST),
        Field("countries", Kind.LIST),
        Field("status", required=True, vocab=_STATUS),
        bounded("announced_year", Kind.INT),
        bounded("open_year", Kind.INT),
        bounded("expected_open_year", Kind.INT),
        Field("investment_musd", Kind.RANGE),
        Field("capacity_mtpa", Kind.RANGE),
        Field("length_km", Kind.RANGE),
        Field("link_ids", Kind.LIST, required=True),
        _SOURCES,
        Field("notes"),
        Field("disputes", Kind.RECORDS),
    ),
    "restrictions.yaml": (
        Field("restriction_id", required=True),
        Field("name", required=True),
        Field("applies_to", Kind.MAPPING, required=True),
        Field("cargo", Kind.MAPPING, required=True),
        Field("effect", required=True, vocab=vocabulary(RestrictionEffect)),
        bounded("surcharge_usd_per_t"),
        Field("valid_from", Kind.DATE),
        Field("valid_to", Kind.DATE),
        _SOURCES,
        Field("notes"),
    ),
    "status_events.yaml": (
        Field("event_id", required=True),
        Field("name", required=True),
        Field("link_ids", Kind.LIST, required=True),
        Field("status", required=True, vocab=("operational", "closed", "suspended")),
        Field("start_date", Kind.DATE, required=True),
        Field("end_date", Kind.DATE),
        Field("every_year", Kind.BOOL),
        Field("vehicles"),
        bounded("capacity_share"),
        _SOURCES,
        Field("notes"),
    ),
    "capacities.yaml": (
        Field("capacity_id", required=True),
        Field("name", required=True),
        Field("kind", required=True, vocab=("line", "border", "port", "unconstrained")),
        Field("link_ids", Kind.LIST),
        Field("border_ids", Kind.LIST),
        Field("node_ids", Kind.LIST),
        Field("modes", Kind.LIST),
        bounded("capacity_mtpa"),
        bounded("capacity_mtpa_low"),
        bounded("capacity_mtpa_high"),
        Field("basis", required=True),
        _SOURCES,
        Field("notes"),
    ),
    "zones.yaml": (
        Field("zone_id", required=True),
        Field("name", required=True),
        Field("country_iso3", required=True),
        Field("admin1"),
        bounded("risk", required=True),
        bounded("risk_low"),
        bounded("risk_high"),
        Field("basis"),
        _SOURCES,
        Field("notes"),
    ),
    "commodities.yaml": (
        Field("commodity_id", required=True),
        Field("name", required=True),
        bounded("value_usd_per_t", required=True),
        bounded("value_of_time_usd_per_t_h", required=True),
        bounded("risk_aversion", required=True),
        Field("basis"),
        _SOURCES,
        Field("notes"),
    ),
    "modes.yaml": (
        Field("mode", required=True),
        bounded("speed_kmh", required=True),
        bounded("tariff_usd_per_tkm", required=True),
        Field("layer", vocab=vocabulary(ModeLayer)),
        Field("gauge", vocab=vocabulary(GaugeRule)),
        Field("transit", Kind.BOOL),
        Field("colour"),
        Field("border_shuttle", Kind.BOOL),
        Field("basis"),
        _SOURCES,
        Field("notes"),
    ),
    "sources.yaml": (
        Field("source_id", required=True),
        Field("title", required=True),
        Field("author"),
        Field("publisher"),
        Field("date", Kind.DATE),
        Field("url"),
        Field("kind", required=True, vocab=("article", "web", "dataset", "estimate", "report")),
        Field("supports"),
        Field("notes"),
    ),
}

ATLAS_META: tuple[Field, ...] = (
    Field("name", required=True),
    Field("version", required=True),
    Field("as_of", Kind.DATE, required=True),
    Field("description"),
    Field("licence"),
    Field("notes"),
    Field("attribution"),
    # Demand nodes that stand for a market region, with the region's countries (none of them
    # is a transit country for a flow that starts or ends at the node).
    Field("markets", Kind.RECORDS),
)
