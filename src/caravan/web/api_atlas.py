"""API over the atlas: GeoJSON of places, links and projects; summary, sources, place search.

These answers are built once per app and then served straight from memory on the event loop
(``async`` endpoints): they stay quick while routes, runs and ensembles are computed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from caravan.model.atlas import Atlas, fold_name
from caravan.model.records import LinkStatus, NodeKind
from caravan.network.model import Objective
from caravan.web.app import WebState, web_state
from caravan.web.geojson import (
    atlas_links_geojson,
    atlas_nodes_geojson,
    plain,
    project_records,
    projects_geojson,
    source_records,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["atlas"])

State = Annotated[WebState, Depends(web_state)]
GEOJSON = "application/geo+json"
_GEOJSON_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {GEOJSON: {}}, "description": "A GeoJSON FeatureCollection (EPSG:4326)."}
}


def _json(data: bytes, media_type: str = "application/json") -> Response:
    return Response(content=data, media_type=media_type, headers={"Cache-Control": "no-cache"})


@router.get("/atlas")
async def atlas_info(state: State) -> dict[str, Any]:
    """What the page needs to start: the atlas's name and counts, vocabularies, limits."""
    atlas = state.atlas
    return {
        "name": atlas.name,
        "version": atlas.version,
        "as_of": atlas.as_of,
        "digest": atlas.digest,
        "countries": list(atlas.countries),
        "commodities": [plain(c) for c in atlas.commodities],
        "objectives": [o.value for o in Objective],
        "modes": [m.mode for m in atlas.modes],
        "mode_colours": {m: t.colour for m, t in atlas.mode_traits.items()},
        "statuses": [s.value for s in LinkStatus],
        "node_kinds": [k.value for k in NodeKind],
        "max_k": state.limits.max_k,
        "token_required": state.token_required,
        "run_timeout_s": state.limits.run_timeout_s,
    }


@router.get("/atlas/summary", response_class=Response)
async def atlas_summary(state: State) -> Response:
    """Counts by mode, status, country and project (as ``caravan atlas show``)."""
    return _json(await state.acached_json("summary", lambda: plain(state.atlas.summary())))


@router.get("/atlas/nodes.geojson", response_class=Response, responses=_GEOJSON_DOC)
async def atlas_nodes(state: State) -> Response:
    """Places as GeoJSON points with every attribute (kind, country, aliases, sources)."""
    data = await state.acached_json("nodes", lambda: atlas_nodes_geojson(state.atlas))
    return _json(data, GEOJSON)


@router.get("/atlas/links.geojson", response_class=Response, responses=_GEOJSON_DOC)
async def atlas_links(state: State) -> Response:
    """Links as GeoJSON lines with every attribute (mode, gauge, status, km, tariff, sources)."""
    data = await state.acached_json("links", lambda: atlas_links_geojson(state.atlas))
    return _json(data, GEOJSON)


@router.get("/atlas/projects.geojson", response_class=Response, responses=_GEOJSON_DOC)
async def atlas_projects_geojson(state: State) -> Response:
    """Projects and corridors as GeoJSON multi-lines with their attributes and sources."""
    data = await state.acached_json("projects.geojson", lambda: projects_geojson(state.atlas))
    return _json(data, GEOJSON)


@router.get("/atlas/projects")
async def atlas_projects(state: State) -> Response:
    """Projects and corridors: status, dates, money, capacity, links, disputes, sources, bbox."""
    return _json(await state.acached_json("projects", lambda: project_records(state.atlas)))


@router.get("/atlas/sources")
async def atlas_sources(state: State) -> Response:
    """The sources every record cites: title, publisher, date, URL, what each supports."""
    return _json(await state.acached_json("sources", lambda: source_records(state.atlas)))


@router.get("/places")
async def places(
    state: State,
    q: Annotated[
        str, Query(max_length=100, description="Part of a name, alias or id; empty for all.")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=1000, description="Most places returned.")] = 1000,
) -> list[dict[str, Any]]:
    """Places whose id, name or alias contains ``q`` (accent- and case-insensitive).

    Places whose name starts with ``q`` come first; then by name.
    """
    key = fold_name(q)
    hits: list[tuple[int, str, dict[str, Any]]] = []
    for folded, record in await state.amemo("places", lambda: _place_index(state.atlas)):
        if key and not any(key in f for f in folded):
            continue
        rank = 0 if not key or folded[0].startswith(key) else 1
        hits.append((rank, record["name"], record))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [h[2] for h in hits[:limit]]


def _place_index(atlas: Atlas) -> list[tuple[list[str], dict[str, Any]]]:
    """Every place's folded name, id and aliases (in that order) and its record for
    ``/api/places``, built once per app."""
    out = []
    for row in atlas.nodes_frame.to_dict("records"):
        name, node_id = str(row["name"]), str(row["node_id"])
        aliases = [str(a) for a in row["aliases"]]
        record: dict[str, Any] = {
            "node_id": node_id,
            "name": name,
            "country_iso3": str(row["country_iso3"]),
            "kind": str(row["kind"]),
            "aliases": aliases,
            "lat": float(row["lat"]),
            "lon": float(row["lon"]),
        }
        folded = [fold_name(n) for n in (name, node_id, *aliases)]
        out.append((folded, record))
    return out
