"""The base map's files: Natural Earth country outlines and the MapLibre GL JS library.

Both ship with the install, so maps need no tile server, CDN or font host. See
``caravan/data/README.md`` for where the outlines come from and their licence.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from caravan.errors import NotFoundError

__all__ = [
    "MAPLIBRE_FILES",
    "countries_at",
    "maplibre_asset_path",
    "outlines_path",
    "read_outlines",
]

#: The MapLibre GL JS files a map page needs, as shipped by the ``maplibre`` Python package.
MAPLIBRE_FILES: tuple[str, ...] = ("maplibre-gl.js", "maplibre-gl.css")


def outlines_path() -> Path:
    """The shipped country outlines (GeoJSON, EPSG:4326, properties ``iso_n3`` and ``name``).

    Returns
    -------
    Path
        ``caravan/data/countries.geojson`` inside the installed package.

    Raises
    ------
    NotFoundError
        When the file is missing from the install.

    Examples
    --------
    >>> outlines_path().name
    'countries.geojson'
    """
    path = Path(str(resources.files("caravan") / "data" / "countries.geojson"))
    if not path.is_file():
        msg = f"the country outlines are missing from the install ({path}); reinstall caravan"
        raise NotFoundError(msg)
    return path


def read_outlines() -> Any:
    """The shipped country outlines as a GeoDataFrame.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per country: ``iso_n3`` (ISO 3166-1 numeric, a string), ``name`` and the
        polygon geometry, in EPSG:4326.

    Examples
    --------
    >>> outlines = read_outlines()
    >>> "Afghanistan" in set(outlines["name"])
    True
    >>> str(outlines.crs)
    'EPSG:4326'
    """
    import geopandas as gpd

    frame = gpd.read_file(outlines_path())
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    return frame


def countries_at(lons: Sequence[float], lats: Sequence[float]) -> list[str | None]:
    """The ISO3 code of the country outline each point falls in (``None`` outside them all).

    Used to give imported places a country; the outlines are Natural Earth's 1:50m shapes,
    so a point within a few hundred metres of a border may fall on the wrong side.

    Examples
    --------
    >>> countries_at([69.17, 0.0], [34.52, 0.0])
    ['AFG', None]
    """
    import geopandas as gpd

    outlines = read_outlines()
    if "iso_a3" not in outlines.columns or not len(lons):
        return [None] * len(lons)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326")
    hits = gpd.sjoin(points, outlines[["iso_a3", "geometry"]], how="left", predicate="within")
    first = hits[~hits.index.duplicated(keep="first")].sort_index()
    return [v if isinstance(v, str) else None for v in first["iso_a3"]]


def maplibre_asset_path(name: str) -> Path:
    """A MapLibre GL JS file shipped by the installed ``maplibre`` Python package.

    The package is located without importing it (importing it sets up unrelated widget
    machinery and logs warnings).

    Parameters
    ----------
    name : str
        One of :data:`MAPLIBRE_FILES`.

    Returns
    -------
    Path
        The file inside ``maplibre/srcjs/``.

    Raises
    ------
    NotFoundError
        When the name is not a MapLibre file, the ``maplibre`` package is not installed, or the
        file is missing from it.

    Examples
    --------
    >>> maplibre_asset_path("maplibre-gl.js").name
    'maplibre-gl.js'
    """
    if name not in MAPLIBRE_FILES:
        msg = f"unknown map library file {name!r}; use one of {', '.join(MAPLIBRE_FILES)}"
        raise NotFoundError(msg)
    spec = importlib.util.find_spec("maplibre")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder) / "srcjs" / name
        if path.is_file():
            return path
    msg = (
        f"MapLibre GL JS file {name!r} not found: install the 'maplibre' Python package "
        "(pip install maplibre), which ships it"
    )
    raise NotFoundError(msg)
