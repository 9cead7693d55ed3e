"""The map page, the offline API docs page, and the files they load (all served locally)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import FileResponse

from caravan.errors import NotFoundError
from caravan.io.outlines import MAPLIBRE_FILES, maplibre_asset_path, outlines_path
from caravan.web.app import WebState, web_state
from caravan.web.errors import ApiError

__all__ = ["STATIC_DIR", "router"]

#: The page's own files (HTML, JS, CSS), shipped inside the package.
STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)

_CACHE = {"Cache-Control": "public, max-age=3600"}
_NO_CACHE = {"Cache-Control": "no-cache"}


State = Annotated[WebState, Depends(web_state)]


def _page(state: WebState, name: str) -> Response:
    """A page of a few kilobytes, read once per app and then served from memory on the event
    loop (no file or thread hand-off per request: it stays quick under any load)."""
    data: bytes = state.memo(f"page:{name}", (STATIC_DIR / name).read_bytes)
    return Response(content=data, media_type="text/html; charset=utf-8", headers=_NO_CACHE)


@router.get("/")
async def index(state: State) -> Response:
    """The map page."""
    return _page(state, "index.html")


@router.get("/docs")
async def docs(state: State) -> Response:
    """The API docs, rendered in the browser from ``/openapi.json`` with no outside files."""
    return _page(state, "docs.html")


@router.get("/vendor/{name}")
def vendor(name: str) -> FileResponse:
    """MapLibre GL JS and its CSS, from the installed ``maplibre`` Python package."""
    if name not in MAPLIBRE_FILES:
        raise ApiError(
            404,
            f"no vendor file {name!r}",
            field="name",
            fix=f"use one of: {', '.join(MAPLIBRE_FILES)}",
            kind="not_found",
        )
    try:
        path = maplibre_asset_path(name)
    except NotFoundError as exc:
        raise ApiError(500, str(exc), field="name", kind="missing_dependency") from None
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(path, media_type=media, headers=_CACHE)


@router.get("/data/countries.geojson")
def countries() -> FileResponse:
    """Natural Earth country outlines (public domain), the map's backdrop."""
    return FileResponse(outlines_path(), media_type="application/geo+json", headers=_CACHE)
