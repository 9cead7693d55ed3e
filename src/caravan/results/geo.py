"""Result tables as GeoDataFrames: each link along its drawn line, each route as its links."""

from __future__ import annotations

from typing import Any

import pandas as pd

from caravan.model.atlas import Atlas

__all__ = ["links_gdf", "routes_gdf"]


def links_gdf(atlas: Atlas, table: pd.DataFrame) -> Any:
    """A table keyed by ``link_id`` as a GeoDataFrame of the links' lines (EPSG:4326).

    Each line is the link's ``geometry`` from the atlas, or the straight segment between its
    nodes; rows whose link is not in the atlas get an empty geometry.

    Examples
    --------
    >>> import pandas as pd
    >>> from caravan import load_atlas
    >>> atlas = load_atlas("tests/data/tiny-atlas")
    >>> gdf = links_gdf(atlas, pd.DataFrame({"link_id": ["r-chabahar-zahedan"], "t": [1.0]}))
    >>> gdf.geometry.iloc[0].geom_type, gdf.crs.to_epsg()
    ('LineString', 4326)
    """
    import geopandas as gpd
    from shapely.geometry import LineString

    lines = atlas.link_lines
    geoms = [LineString(lines[i]) if i in lines else None for i in table["link_id"]]
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=geoms, crs="EPSG:4326")


def routes_gdf(atlas: Atlas, routes: pd.DataFrame) -> Any:
    """A routes table (``link_ids`` as ``;``-joined text) as a GeoDataFrame of multi-lines."""
    import geopandas as gpd
    from shapely.geometry import MultiLineString

    lines = atlas.link_lines
    geoms = [
        MultiLineString([lines[i] for i in str(ids).split(";") if i in lines]) if ids else None
        for ids in routes["link_ids"]
    ]
    return gpd.GeoDataFrame(routes.reset_index(drop=True), geometry=geoms, crs="EPSG:4326")
