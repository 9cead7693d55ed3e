"""The atlas files' fields, types and vocabularies, declared once as data.

``docs/atlas-format.md`` describes the same fields for people; ``tests/model/test_schema.py``
checks that the two agree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from caravan.model.records import (
    GAUGES_MM,
    LinkStatus,
    Mode,
    NodeKind,
    ProjectKind,
    RestrictionEffect,
)

__all__ = ["CSV_FILES", "YAML_LIST_FILES", "Field", "Kind", "vocabulary"]


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
        Field("mode", required=True, vocab=vocabulary(Mode)),
        Field("gauge_mm", Kind.INT, vocab=_GAUGES),
        Field("length_km", Kind.FLOAT, required=True, minimum=0),
        Field("length_km_low", Kind.FLOAT, minimum=0),
        Field("length_km_high", Kind.FLOAT, minimum=0),
        Field("length_basis", required=True),
        Field("speed_kmh", Kind.FLOAT, minimum=0),
        Field("tariff_usd_per_tkm", Kind.FLOAT, minimum=0),
        Field("tariff_usd_per_tkm_low", Kind.FLOAT, minimum=0),
        Field("tariff_usd_per_tkm_high", Kind.FLOAT, minimum=0),
        Field("capacity_mtpa", Kind.FLOAT, minimum=0),
        Field("capacity_mtpa_low", Kind.FLOAT, minimum=0),
        Field("capacity_mtpa_high", Kind.FLOAT, minimum=0),
        Field("status", required=True, vocab=_STATUS),
        Field("open_year", Kind.INT, minimum=1800, maximum=2100),
        Field("expected_open_year", Kind.INT, minimum=1800, maximum=2100),
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
        Field("dwell_h_ab", Kind.FLOAT, required=True, minimum=0),
        Field("dwell_h_ba", Kind.FLOAT, required=True, minimum=0),
        Field("fee_usd_per_t_ab", Kind.FLOAT, required=True, minimum=0),
        Field("fee_usd_per_t_ba", Kind.FLOAT, required=True, minimum=0),
        Field("capacity_mtpa", Kind.FLOAT, minimum=0),
        _SOURCES,
        Field("notes"),
    ),
    "demand.csv": (
        Field("flow_id", required=True),
        Field("origin_node_id", required=True),
        Field("destination_node_id", required=True),
        Field("commodity_id", required=True),
        Field("tonnes_per_year", Kind.FLOAT, required=True, minimum=0),
        Field("tonnes_per_year_low", Kind.FLOAT, minimum=0),
        Field("tonnes_per_year_high", Kind.FLOAT, minimum=0),
        Field("year", Kind.INT, required=True, minimum=1900, maximum=2100),
        Field("basis", required=True),
        _SOURCES,
        Field("notes"),
    ),
    "transfers.csv": (
        Field("node_id"),
        Field("from_mode", required=True, vocab=vocabulary(Mode)),
        Field("from_gauge_mm", Kind.INT, vocab=_GAUGES),
        Field("to_mode", required=True, vocab=vocabulary(Mode)),
        Field("to_gauge_mm", Kind.INT, vocab=_GAUGES),
        Field("dwell_h", Kind.FLOAT, required=True, minimum=0),
        Field("fee_usd_per_t", Kind.FLOAT, required=True, minimum=0),
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
NESTED: dict[str, tuple[Field, ...]] = {
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
        Field("announced_year", Kind.INT, minimum=1800, maximum=2100),
        Field("open_year", Kind.INT, minimum=1800, maximum=2100),
        Field("expected_open_year", Kind.INT, minimum=1800, maximum=2100),
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
        Field("surcharge_usd_per_t", Kind.FLOAT, minimum=0),
        Field("valid_from", Kind.DATE),
        Field("valid_to", Kind.DATE),
        _SOURCES,
        Field("notes"),
    ),
    "zones.yaml": (
        Field("zone_id", required=True),
        Field("name", required=True),
        Field("country_iso3", required=True),
        Field("admin1"),
        Field("risk", Kind.FLOAT, required=True, minimum=0, maximum=1),
        Field("risk_low", Kind.FLOAT, minimum=0, maximum=1),
        Field("risk_high", Kind.FLOAT, minimum=0, maximum=1),
        Field("basis"),
        _SOURCES,
        Field("notes"),
    ),
    "commodities.yaml": (
        Field("commodity_id", required=True),
        Field("name", required=True),
        Field("value_usd_per_t", Kind.FLOAT, required=True, minimum=0),
        Field("value_of_time_usd_per_t_h", Kind.FLOAT, required=True, minimum=0),
        Field("risk_aversion", Kind.FLOAT, required=True, minimum=0),
        Field("basis"),
        _SOURCES,
        Field("notes"),
    ),
    "modes.yaml": (
        Field("mode", required=True, vocab=vocabulary(Mode)),
        Field("speed_kmh", Kind.FLOAT, required=True, minimum=0),
        Field("tariff_usd_per_tkm", Kind.FLOAT, required=True, minimum=0),
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
)
