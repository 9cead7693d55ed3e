"""Assembling a frozen :class:`~caravan.model.atlas.Atlas` from an atlas folder's parsed tables.

:mod:`caravan.io.atlas` reads and validates the files; once no problem is left, this module
makes the records (projects, sources, zones, restrictions, status events, capacities) and fills
each link's speed and tariff where its row gave none, from the tariff model or the mode
defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from caravan.model.atlas import Atlas
from caravan.model.capacities import apply_capacities, capacities_from_records
from caravan.model.events import StatusEvent
from caravan.model.modes import traits_from_row
from caravan.model.records import (
    Commodity,
    Dispute,
    LinkStatus,
    ModeDefault,
    Project,
    ProjectKind,
    Range,
    Restriction,
    RestrictionEffect,
    Source,
    Zone,
)
from caravan.model.tariffs import TariffModel, link_rates

__all__ = ["build_atlas", "source_from_record"]


def _range(raw: Mapping[str, Any] | None) -> Range | None:
    if not raw or raw.get("value") is None:
        return None
    return Range(float(raw["value"]), raw.get("low"), raw.get("high"))


def source_from_record(record: Mapping[str, Any]) -> Source:
    """A source from a parsed record of ``sources.yaml`` (an atlas's, or its security layer's).

    Examples
    --------
    >>> from caravan.io._fields import parse_record
    >>> from caravan.model.schema import YAML_LIST_FILES
    >>> rec, _ = parse_record({"source_id": "x", "title": "T", "kind": "web"},
    ...                       YAML_LIST_FILES["sources.yaml"], file="sources.yaml", row=1)
    >>> source = source_from_record(rec)
    >>> source.source_id, source.kind, source.supports
    ('x', 'web', '')
    """
    return Source(
        source_id=record["source_id"],
        title=record["title"],
        kind=record["kind"],
        author=record["author"],
        publisher=record["publisher"],
        date=record["date"],
        url=record["url"],
        supports=record["supports"] or "",
    )


def build_atlas(tables: dict[str, Any], path: Path, digest: str) -> Atlas:
    """Assemble an Atlas from parsed tables (after validation found no problems)."""
    projects = tuple(
        Project(
            project_id=r["project_id"],
            name=r["name"],
            kind=ProjectKind(r["kind"]),
            status=LinkStatus(r["status"]),
            link_ids=r["link_ids"],
            source_ids=r["source_ids"],
            aliases=r["aliases"],
            sponsors=r["sponsors"],
            countries=r["countries"],
            announced_year=r["announced_year"],
            open_year=r["open_year"],
            expected_open_year=r["expected_open_year"],
            investment_musd=_range(r["investment_musd"]),
            capacity_mtpa=_range(r["capacity_mtpa"]),
            length_km=_range(r["length_km"]),
            notes=r["notes"] or "",
            disputes=tuple(
                Dispute(d["field"], d["claim"], d["finding"], d["source_ids"])
                for d in (r["disputes"] or [])
            ),
        )
        for r in tables["projects.yaml"]
    )
    restrictions = tuple(
        Restriction(
            restriction_id=r["restriction_id"],
            name=r["name"],
            effect=RestrictionEffect(r["effect"]),
            source_ids=r["source_ids"],
            countries=r["applies_to"]["countries"],
            link_ids=r["applies_to"]["link_ids"],
            border_ids=r["applies_to"]["border_ids"],
            node_ids=r["applies_to"]["node_ids"],
            origin_countries=r["cargo"]["origin_countries"],
            destination_countries=r["cargo"]["destination_countries"],
            except_origin_countries=r["cargo"]["except_origin_countries"],
            commodities=r["cargo"]["commodities"],
            surcharge_usd_per_t=r["surcharge_usd_per_t"],
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            notes=r["notes"] or "",
        )
        for r in tables["restrictions.yaml"]
    )
    status_events = tuple(
        StatusEvent(
            event_id=r["event_id"],
            name=r["name"],
            link_ids=tuple(r["link_ids"]),
            status=LinkStatus(r["status"]),
            start_date=str(r["start_date"]),
            end_date=None if r["end_date"] is None else str(r["end_date"]),
            source_ids=tuple(r["source_ids"]),
            notes=r["notes"] or "",
            every_year=bool(r["every_year"]),
            vehicles=r["vehicles"] or "",
            capacity_share=r["capacity_share"],
        )
        for r in tables["status_events.yaml"]
    )
    capacities = capacities_from_records(tables["capacities.yaml"])
    zones = tuple(
        Zone(
            r["zone_id"],
            r["name"],
            r["country_iso3"],
            r["risk"],
            r["source_ids"],
            r["admin1"],
            r["risk_low"],
            r["risk_high"],
            r["basis"] or "",
        )
        for r in tables["zones.yaml"]
    )
    commodities = tuple(
        Commodity(
            r["commodity_id"],
            r["name"],
            r["value_usd_per_t"],
            r["value_of_time_usd_per_t_h"],
            r["risk_aversion"],
            r["source_ids"],
            r["basis"] or "",
        )
        for r in tables["commodities.yaml"]
    )
    modes = tuple(
        ModeDefault(
            str(r["mode"]),
            r["speed_kmh"],
            r["tariff_usd_per_tkm"],
            r["source_ids"],
            r["basis"] or "",
            traits_from_row(r),
        )
        for r in tables["modes.yaml"]
    )
    sources = tuple(source_from_record(r) for r in tables["sources.yaml"])
    links = _fill_link_rates(tables["links.csv"].copy(), tables, modes)
    owners: dict[str, list[str]] = {}
    corridors: dict[str, list[str]] = {}
    for p in projects:
        target = corridors if p.kind is ProjectKind.CORRIDOR else owners
        for link_id in p.link_ids:
            target.setdefault(link_id, []).append(p.project_id)
    links["project_ids"] = [tuple(owners.get(i, ())) for i in links["link_id"]]
    links["corridor_ids"] = [tuple(corridors.get(i, ())) for i in links["link_id"]]
    links_frame, borders_frame, nodes_frame = apply_capacities(
        capacities,
        links.drop(columns="_line"),
        tables["borders.csv"].drop(columns="_line"),
        tables["nodes.csv"].drop(columns="_line"),
    )
    meta = tables["atlas.yaml"]
    lines: dict[str, dict[str, int]] = {}
    for name, key in (
        ("nodes.csv", "node_id"),
        ("links.csv", "link_id"),
        ("borders.csv", "border_id"),
        ("demand.csv", "flow_id"),
    ):
        frame = tables[name]
        lines[name] = {str(k): int(v) for k, v in zip(frame[key], frame["_line"], strict=True)}
    for name, key in (
        ("projects.yaml", "project_id"),
        ("restrictions.yaml", "restriction_id"),
        ("zones.yaml", "zone_id"),
        ("status_events.yaml", "event_id"),
        ("capacities.yaml", "capacity_id"),
        ("commodities.yaml", "commodity_id"),
        ("sources.yaml", "source_id"),
    ):
        lines[name] = {r[key]: r["_line"] for r in tables[name]}
    return Atlas(
        name=str(meta.get("name") or path.name),
        version=str(meta.get("version") or ""),
        as_of=str(meta.get("as_of") or ""),
        path=str(path),
        digest=digest,
        nodes_frame=nodes_frame,
        links_frame=links_frame,
        borders_frame=borders_frame,
        transfers_frame=tables["transfers.csv"].drop(columns="_line"),
        demand_frame=tables["demand.csv"].drop(columns="_line"),
        projects=projects,
        restrictions=restrictions,
        zones=zones,
        commodities=commodities,
        sources=sources,
        modes=modes,
        meta={**meta, "lines": lines},
        tariffs=tables.get("tariffs.yaml"),
        status_events=status_events,
        capacities=capacities,
    )


def _fill_link_rates(
    links: pd.DataFrame, tables: Mapping[str, Any], modes: tuple[ModeDefault, ...]
) -> pd.DataFrame:
    """Fill each link's speed and (container) tariff where its row gave none.

    From the tariff model when the atlas has one (the mean of the rows of the link's two end
    countries, with their low/high ranges), else from the mode defaults of ``modes.yaml``.
    ``speed_basis`` and ``tariff_basis`` say where each figure came from.
    """
    defaults = {str(getattr(m.mode, "value", m.mode)): m for m in modes}
    speed_given = links["speed_kmh"].notna()
    tariff_given = links["tariff_usd_per_tkm"].notna()
    links["speed_basis"] = ["link" if g else "mode default" for g in speed_given]
    links["tariff_basis"] = ["link" if g else "mode default" for g in tariff_given]
    model: TariffModel | None = tables.get("tariffs.yaml")
    rates: tuple[list[Any], list[Any]] = ([None] * len(links), [None] * len(links))
    if model is not None:
        country = dict(
            zip(tables["nodes.csv"]["node_id"], tables["nodes.csv"]["country_iso3"], strict=True)
        )
        rates = link_rates(
            model,
            modes=[str(m) for m in links["mode"]],
            gauges=[None if pd.isna(g) else g for g in links["gauge_mm"]],
            from_iso3=[country.get(n, "") for n in links["from_node_id"]],
            to_iso3=[country.get(n, "") for n in links["to_node_id"]],
        )
    speeds, tariffs, lows, highs, speed_basis, tariff_basis = [], [], [], [], [], []
    rows = zip(
        links["mode"],
        links["speed_kmh"],
        links["tariff_usd_per_tkm"],
        links["tariff_usd_per_tkm_low"],
        links["tariff_usd_per_tkm_high"],
        rates[0],
        rates[1],
        strict=True,
    )
    for mode, speed, tariff, low, high, t_row, s_row in rows:
        if pd.notna(speed):
            speeds.append(float(speed))
            speed_basis.append("link")
        elif s_row is not None:
            speeds.append(s_row.value)
            speed_basis.append("tariff model")
        else:
            speeds.append(defaults[mode].speed_kmh)
            speed_basis.append("mode default")
        if pd.notna(tariff):
            tariffs.append(float(tariff))
            lows.append(low)
            highs.append(high)
            tariff_basis.append("link")
        elif t_row is not None:
            tariffs.append(t_row.value)
            lows.append(t_row.low)
            highs.append(t_row.high)
            tariff_basis.append("tariff model")
        else:
            tariffs.append(defaults[mode].tariff_usd_per_tkm)
            lows.append(low)
            highs.append(high)
            tariff_basis.append("mode default")
    links["speed_kmh"] = speeds
    links["tariff_usd_per_tkm"] = tariffs
    links["tariff_usd_per_tkm_low"] = pd.array(lows, dtype="Float64").astype("float64")
    links["tariff_usd_per_tkm_high"] = pd.array(highs, dtype="Float64").astype("float64")
    links["speed_basis"] = speed_basis
    links["tariff_basis"] = tariff_basis
    return links
