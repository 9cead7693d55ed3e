"""API for the security layer: zone risk as of a date, and the events behind it on the map.

- ``GET /api/security/risk`` gives every zone's risk as of a date (the event-based part, the
  analysts' figure and the blend, :func:`caravan.security.zone_risks`), the events behind each,
  and the risk of every place and link as routing prices it: a place takes its province's zone,
  else its country's (risk 0 without a zone); a link takes the **mean** of its two end places.
- ``GET /api/security/events`` gives the events up to that date as GeoJSON points. An event
  with coordinates is drawn there; one known only to its province or country is drawn at the
  centroid of the atlas places of its zone (``placement: "centroid of <zone> places"``), else
  of its country's places. ``along=<place ids of a route>`` keeps the events *along* it: within
  ``within_km`` (50) of one of its places (events with coordinates), or in a zone that one of
  its places lies in (the zones the route crosses, as routing prices them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from caravan.errors import CaravanError
from caravan.model.atlas import Atlas, fold_name
from caravan.model.geodesy import geodesic_km
from caravan.security.records import Event, SecurityData
from caravan.security.risk import RiskModel, ZoneRisk, zone_risk_table, zone_risks
from caravan.web.app import WebState, web_state
from caravan.web.errors import ApiError
from caravan.web.geojson import plain

__all__ = [
    "ALONG_RULE",
    "LINK_RISK_RULE",
    "events_geojson",
    "place_zones",
    "risk_record",
    "router",
]

router = APIRouter(prefix="/api/security", tags=["security"])

State = Annotated[WebState, Depends(web_state)]
GEOJSON = "application/geo+json"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: How a link's risk follows from its end places' zone risks (as ``build_network`` prices it).
LINK_RISK_RULE = "mean of its two end places' zone risks (as routing prices a link)"
#: Which events count as along a route.
ALONG_RULE = (
    "events within {km:g} km of one of the route's places (events with coordinates), or in a "
    "zone that one of its places lies in (the zones the route crosses, as routing prices them)"
)

AsOf = Annotated[
    str | None,
    Query(
        max_length=10,
        description="The day of the security picture (YYYY-MM-DD); the atlas's as_of by default.",
        examples=["2025-06-30"],
    ),
]


def _security(state: WebState) -> SecurityData:
    atlas = state.atlas

    def build() -> SecurityData:
        from caravan.security.files import read_security

        if atlas.path is None:
            return SecurityData()
        return read_security(atlas.path)

    try:
        data = state.memo("security", build)
    except CaravanError as exc:
        raise ApiError(
            500,
            f"this atlas's security layer does not load: {exc}",
            fix="run `caravan security check` on the atlas and mend what it names",
            kind="atlas_invalid",
        ) from None
    assert isinstance(data, SecurityData)
    return data


def _day(state: WebState, text: str | None) -> dt.date:
    if text is None:
        try:
            return dt.date.fromisoformat(str(state.atlas.as_of)[:10])
        except ValueError:
            return dt.date.today()
    try:
        day = dt.date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2100:
        raise ApiError(
            422,
            f"as_of: {text!r} is not a calendar date YYYY-MM-DD between 1900 and 2100",
            field="as_of",
            fix="give a calendar date as YYYY-MM-DD, e.g. 2025-06-30",
        )
    return day


class _Place(NamedTuple):
    node_id: str
    name: str
    country_iso3: str
    admin1: str | None
    lon: float
    lat: float


def _places(atlas: Atlas) -> list[_Place]:
    frame = atlas.nodes_frame
    return [
        _Place(
            str(node_id),
            str(name),
            str(iso3),
            admin1 if isinstance(admin1, str) and admin1 else None,
            float(lon),
            float(lat),
        )
        for node_id, name, iso3, admin1, lon, lat in zip(
            frame["node_id"],
            frame["name"],
            frame["country_iso3"],
            frame["admin1"],
            frame["lon"],
            frame["lat"],
            strict=True,
        )
    ]


def place_zones(atlas: Atlas) -> dict[str, str | None]:
    """The zone of every place as routing reads it: its province's zone, else its country's.

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> zones = place_zones(atlas)
    >>> zones["dune"], zones["harbor"], zones["amber"]
    ('pak-north', 'pak', None)
    """
    return _place_zones(atlas, _places(atlas))


def _place_zones(atlas: Atlas, places: list[_Place]) -> dict[str, str | None]:
    province = {(z.country_iso3, fold_name(z.admin1)): z.zone_id for z in atlas.zones if z.admin1}
    country = {z.country_iso3: z.zone_id for z in atlas.zones if not z.admin1}
    out: dict[str, str | None] = {}
    for n in places:
        key = (n.country_iso3, fold_name(n.admin1)) if n.admin1 else None
        zone = province.get(key) if key is not None else None
        out[n.node_id] = zone or country.get(n.country_iso3)
    return out


def risk_record(
    atlas: Atlas, security: SecurityData, day: dt.date, model: RiskModel | None = None
) -> dict[str, Any]:
    """Zone risks as of a date with the events behind them, and place and link risks."""
    model = model or RiskModel()
    risks = zone_risks(atlas.zones, security.events, as_of=day, model=model)
    table = zone_risk_table(risks)
    zones_of = place_zones(atlas)
    nodes_of: dict[str, list[str]] = defaultdict(list)
    for node_id, zone_id in zones_of.items():
        if zone_id is not None:
            nodes_of[zone_id].append(node_id)
    zones = []
    for r, row in zip(risks, table.to_dict("records"), strict=True):
        record: dict[str, Any] = plain(row)
        record["source_ids"] = list(r.source_ids)
        record["node_ids"] = sorted(nodes_of.get(r.zone_id, []))
        record["events"] = [plain(dataclasses.asdict(c)) for c in r.contributions]
        zones.append(record)
    risk_of = {r.zone_id: r.risk for r in risks if r.in_atlas}
    place_risk = {
        node_id: risk_of.get(zone_id, 0.0) if zone_id else 0.0
        for node_id, zone_id in zones_of.items()
    }
    places = {
        node_id: {"zone_id": zone_id, "risk": place_risk[node_id]}
        for node_id, zone_id in zones_of.items()
    }
    frame = atlas.links_frame
    links = {
        str(link_id): round(0.5 * (place_risk[a] + place_risk[b]), 6)
        for link_id, a, b in zip(
            frame["link_id"], frame["from_node_id"], frame["to_node_id"], strict=True
        )
        if a in places and b in places
    }
    return {
        "as_of": day.isoformat(),
        "model": model.to_dict(),
        "place_rule": "a place takes its province's zone, else its country's (risk 0 without)",
        "link_rule": LINK_RISK_RULE,
        "n_events": sum(1 for e in security.events if e.event_date <= day),
        "zones": zones,
        "places": places,
        "links": links,
    }


def _centroids(
    places: list[_Place], zones_of: dict[str, str | None]
) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    by_zone: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_country: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for n in places:
        zone_id = zones_of.get(n.node_id)
        if zone_id is not None:
            by_zone[zone_id].append((n.lon, n.lat))
        by_country[n.country_iso3].append((n.lon, n.lat))

    def mean(points: list[tuple[float, float]]) -> tuple[float, float]:
        return (
            round(sum(p[0] for p in points) / len(points), 5),
            round(sum(p[1] for p in points) / len(points), 5),
        )

    return (
        {k: mean(v) for k, v in by_zone.items()},
        {k: mean(v) for k, v in by_country.items()},
    )


def _source_records(atlas: Atlas, security: SecurityData) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for s in (*atlas.sources, *security.sources):
        out.setdefault(
            s.source_id,
            {
                "source_id": s.source_id,
                "title": s.title,
                "publisher": s.publisher,
                "date": s.date,
                "url": s.url,
            },
        )
    return out


def events_geojson(
    atlas: Atlas,
    security: SecurityData,
    day: dt.date,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    along: Sequence[str] = (),
    within_km: float = 50.0,
) -> dict[str, Any]:
    """Events up to a date as GeoJSON points, placed by coordinates or at their zone's places.

    Parameters
    ----------
    atlas, security
        The atlas and its security layer.
    day : date
        Events after it are left out.
    bbox : (west, south, east, north), optional
        Keep the points inside it.
    along : sequence of str
        Place ids of a route: keep only the events along it (see the module's docstring).
    within_km : float
        The distance for ``along``.
    """
    risks: tuple[ZoneRisk, ...] = zone_risks(atlas.zones, security.events, as_of=day)
    zone_of_event = {c.event_id: r.zone_id for r in risks for c in r.contributions}
    risk_by_zone = {r.zone_id: r for r in risks}
    places = _places(atlas)
    zones_of = _place_zones(atlas, places)
    zone_xy, country_xy = _centroids(places, zones_of)
    sources = _source_records(atlas, security)
    nodes = {n.node_id: n for n in places}
    route = [nodes[n] for n in along if n in nodes]
    route_zones = {z for z in (zones_of.get(n.node_id) for n in route) if z is not None}
    features: list[dict[str, Any]] = []
    unplaced: list[str] = []
    events: list[Event] = sorted(
        (e for e in security.events if e.event_date <= day),
        key=lambda e: (e.event_date, e.event_id),
        reverse=True,
    )
    for e in events:
        zone_id = zone_of_event.get(e.event_id)
        has_xy = e.latitude is not None and e.longitude is not None
        if has_xy:
            xy = (float(e.longitude or 0.0), float(e.latitude or 0.0))
            placement = "coordinates"
        elif zone_id is not None and zone_id in zone_xy:
            xy = zone_xy[zone_id]
            placement = f"centroid of {zone_id} places"
        elif e.iso3.upper() in country_xy:
            xy = country_xy[e.iso3.upper()]
            placement = f"centroid of {e.iso3.upper()} places"
        else:
            unplaced.append(e.event_id)
            continue
        if bbox is not None and not (bbox[0] <= xy[0] <= bbox[2] and bbox[1] <= xy[1] <= bbox[3]):
            continue
        reasons: list[str] = []
        if route:
            if has_xy:
                near = min(route, key=lambda n: geodesic_km(xy[1], xy[0], n.lat, n.lon))
                km = geodesic_km(xy[1], xy[0], near.lat, near.lon)
                if km <= within_km:
                    reasons.append(f"{km:.0f} km from {near.name}")
            if zone_id in route_zones:
                reasons.append(f"in zone {zone_id}, which the route crosses")
            if not reasons:
                continue
        zone = risk_by_zone.get(zone_id) if zone_id else None
        props: dict[str, Any] = {
            "event_id": e.event_id,
            "event_date": e.event_date.isoformat(),
            "time_precision": e.time_precision,
            "event_type": e.event_type.value,
            "sub_event_type": e.sub_event_type,
            "actor1": e.actor1,
            "actor2": e.actor2,
            "actors": " vs ".join(a for a in (e.actor1, e.actor2) if a),
            "country": e.country,
            "iso3": e.iso3,
            "admin1": e.admin1,
            "location": e.location,
            "fatalities": e.fatalities,
            "event_count": e.event_count,
            "covered_by": e.covered_by,
            "zone_id": zone_id,
            "zone_name": zone.name if zone is not None else None,
            "placement": placement,
            "source_ids": list(e.source_ids),
            "sources": [
                sources.get(s, {"source_id": s, "title": s, "publisher": None, "date": None})
                for s in e.source_ids
            ],
            "source": e.source,
            "notes": e.notes,
        }
        if route:
            props["along"] = "; ".join(reasons)
        features.append(
            {
                "type": "Feature",
                "id": e.event_id,
                "geometry": {"type": "Point", "coordinates": [xy[0], xy[1]]},
                "properties": plain(props),
            }
        )
    out: dict[str, Any] = {
        "type": "FeatureCollection",
        "as_of": day.isoformat(),
        "n_events": len(events),
        "placement_rule": (
            "an event is drawn at its coordinates; one known only to its province or country "
            "at the centroid of the atlas places of its zone, else of its country"
        ),
        "unplaced": unplaced,
        "along": None,
        "features": features,
    }
    if route:
        out["along"] = {
            "node_ids": [n.node_id for n in route],
            "zones": sorted(route_zones),
            "within_km": within_km,
            "rule": ALONG_RULE.format(km=within_km),
        }
    return out


@router.get("/risk")
def security_risk(state: State, as_of: AsOf = None) -> dict[str, Any]:
    """Every zone's risk as of a date, why, and the risk of each place and link.

    Each zone carries ``risk`` (what routing uses), ``event_risk`` (the event-based part),
    ``override`` (the analysts' figure from zones.yaml), ``hazard``, ``n_events``,
    ``fatalities``, ``explanation``, ``node_ids`` (the places in it) and ``events`` (each
    event behind it with its weight, age and decayed weight). ``places`` maps each place to
    its zone and risk; ``links`` each link to the mean risk of its two end places.
    """
    day = _day(state, as_of)
    return risk_record(state.atlas, _security(state), day)


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        parts = []
    fix = "give bbox as west,south,east,north in degrees, e.g. 60,30,75,42"
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise ApiError(422, f"bbox: {text!r} is not four numbers", field="bbox", fix=fix)
    w, s, e, n = parts
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise ApiError(
            422,
            f"bbox: {text!r} is not west <= east in -180..180 and south <= north in -90..90",
            field="bbox",
            fix=fix,
        )
    return (w, s, e, n)


@router.get(
    "/events",
    response_class=JSONResponse,
    responses={
        200: {
            "content": {GEOJSON: {}},
            "description": (
                "A GeoJSON FeatureCollection of event points with `placement` (`coordinates`, "
                "or `centroid of <zone> places`), `zone_id`, `fatalities`, actors and "
                "`sources` (id, title, publisher, date); with `along`, each feature's `along` "
                "says why it counts. Also `as_of`, `n_events`, `unplaced` (events with no "
                "place to draw them at) and `along` (the route's places, zones and rule)."
            ),
        },
        404: {"description": "A place of `along` is unknown (with suggestions)."},
        422: {"description": "A bad as_of, bbox or within_km."},
    },
)
def security_events(
    state: State,
    as_of: AsOf = None,
    bbox: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Keep the points inside west,south,east,north (degrees).",
            examples=["60,30,75,42"],
        ),
    ] = None,
    along: Annotated[
        list[str],
        Query(
            max_length=300,
            description=(
                "Place ids (or names) of a route, in order (repeat, or separate with commas): "
                "keep only the events along it."
            ),
        ),
    ] = [],  # noqa: B006  (FastAPI copies defaults)
    within_km: Annotated[
        float, Query(ge=0, le=500, description="How near a place an event counts as along.")
    ] = 50.0,
) -> JSONResponse:
    """Events up to a date as GeoJSON points (by coordinates, or at their zone's places)."""
    day = _day(state, as_of)
    box = _parse_bbox(bbox)
    wanted = [p.strip() for value in along for p in value.split(",") if p.strip()]
    if len(wanted) > 300:
        raise ApiError(422, "along: at most 300 places", field="along", fix="send fewer places")
    route: list[str] = []
    for query in wanted:
        try:
            route.append(state.atlas.node(query).node_id)
        except CaravanError as exc:
            raise ApiError.from_caravan(exc, field="along") from None
    body = events_geojson(
        state.atlas, _security(state), day, bbox=box, along=route, within_km=within_km
    )
    return JSONResponse(body, media_type=GEOJSON)
