"""Writing an atlas for other tools: GeoJSON and GeoPackage for GIS, GMNS CSV for network models.

Every writer is atomic per file: it writes a temporary file next to the target, then renames it
over the target, so an interrupted export never leaves a half-written file behind.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from caravan.errors import InputError
from caravan.io._atomic import atomic_path, make_folder
from caravan.io.gmns import gmns_tables, write_gmns
from caravan.model.atlas import Atlas

__all__ = [
    "ExportFormat",
    "export_atlas",
    "gis_layers",
    "gmns_tables",
    "write_geojson",
    "write_geopackage",
    "write_gmns",
]


class ExportFormat(enum.StrEnum):
    """Formats ``caravan atlas export`` writes."""

    GEOJSON = "geojson"
    GPKG = "gpkg"
    GMNS = "gmns"


def _joined(value: Any) -> Any:
    return ";".join(map(str, value)) if isinstance(value, (tuple, list)) else value


def _flat(frame: pd.DataFrame, *, nullable_ints: bool = False) -> pd.DataFrame:
    """Lists become ``;``-joined text; unless ``nullable_ints``, whole numbers with gaps
    become floats (GIS formats have no nullable integers; CSV has)."""
    out = frame.copy()
    for column in out.columns:
        if column == "geometry":
            continue
        values = list(out[column])
        if any(isinstance(v, (tuple, list)) for v in values):
            out[column] = [_joined(v) for v in values]
        elif isinstance(out[column].dtype, pd.Int64Dtype) and not nullable_ints:
            out[column] = out[column].astype("float64")
    return out


def _sources_frame(atlas: Atlas) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "source_id": s.source_id,
                "title": s.title,
                "kind": s.kind,
                "author": s.author,
                "publisher": s.publisher,
                "date": s.date,
                "url": s.url,
                "supports": s.supports,
            }
            for s in atlas.sources
        ],
        columns=["source_id", "title", "kind", "author", "publisher", "date", "url", "supports"],
    )


def _projects_gdf(atlas: Atlas, links_gdf: Any) -> Any:
    import geopandas as gpd
    from shapely.geometry import MultiLineString

    geometry_of = dict(zip(links_gdf["link_id"], links_gdf.geometry, strict=True))
    table = atlas.projects_table
    geoms = [
        MultiLineString([geometry_of[i] for i in str(ids).split(";") if i in geometry_of])
        for ids in table.get("link_ids", pd.Series([], dtype=object))
    ]
    return gpd.GeoDataFrame(table, geometry=geoms, crs="EPSG:4326")


def gis_layers(atlas: Atlas) -> dict[str, Any]:
    """The atlas as GIS layers: ``nodes`` (points), ``links`` (lines), ``borders`` (lines),
    ``projects`` (multi-lines) and ``sources`` (a plain table).

    Every attribute is kept; lists (``aliases``, ``source_ids``, ``project_ids``) become
    ``;``-separated text. Coordinates are WGS84 (EPSG:4326).

    Examples
    --------
    >>> from caravan import load_atlas
    >>> layers = gis_layers(load_atlas("tests/data/tiny-atlas"))
    >>> sorted(layers), len(layers["nodes"])
    (['borders', 'links', 'nodes', 'projects', 'sources'], 8)
    """
    import geopandas as gpd

    nodes = atlas.nodes_gdf()
    links = atlas.links_gdf()
    geometry_of = dict(zip(links["link_id"], links.geometry, strict=True))
    borders_table = atlas.borders
    borders = gpd.GeoDataFrame(
        borders_table,
        geometry=[geometry_of[i] for i in borders_table["link_id"]],
        crs="EPSG:4326",
    )
    return {
        "nodes": _flat(nodes),
        "links": _flat(links),
        "borders": _flat(borders),
        "projects": _flat(_projects_gdf(atlas, links)),
        "sources": _sources_frame(atlas),
    }


def _folder(out: str | Path) -> Path:
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        msg = f"{str(folder)!r} is a file; give a folder to write the export into"
        raise InputError(msg)
    return make_folder(folder)


def write_geojson(atlas: Atlas, out: str | Path) -> list[Path]:
    """Write ``nodes.geojson``, ``links.geojson``, ``borders.geojson``, ``projects.geojson``
    and ``sources.csv`` into the folder ``out`` (created if need be).

    Returns
    -------
    list of Path
        The files written.
    """
    import pyogrio

    folder = _folder(out)
    written: list[Path] = []
    for name, layer in gis_layers(atlas).items():
        if name == "sources":
            target = folder / "sources.csv"
            with atomic_path(target) as tmp:
                layer.to_csv(tmp, index=False)
        else:
            target = folder / f"{name}.geojson"
            with atomic_path(target) as tmp:
                pyogrio.write_dataframe(layer, tmp, driver="GeoJSON", layer=name)
        written.append(target)
    return written


def write_geopackage(atlas: Atlas, out: str | Path) -> Path:
    """Write one GeoPackage with layers ``nodes``, ``links``, ``borders``, ``projects`` and the
    attribute table ``sources``. A path without the ``.gpkg`` suffix gets it.

    Returns
    -------
    Path
        The file written.
    """
    import pyogrio

    target = Path(out)
    if target.suffix.lower() != ".gpkg":
        target = target.with_name(target.name + ".gpkg")
    if target.is_dir():
        raise InputError(f"{str(target)!r} is a folder; give a .gpkg file name")
    with atomic_path(target) as tmp:
        for name, layer in gis_layers(atlas).items():
            pyogrio.write_dataframe(layer, tmp, driver="GPKG", layer=name, append=tmp.exists())
    return target


_WRITERS: dict[ExportFormat, Callable[[Atlas, Path], Path | list[Path]]] = {
    ExportFormat.GEOJSON: write_geojson,
    ExportFormat.GPKG: write_geopackage,
    ExportFormat.GMNS: write_gmns,
}


def export_atlas(atlas: Atlas, out: str | Path, *, fmt: ExportFormat | str) -> list[Path]:
    """Export an atlas in one of the :class:`ExportFormat` formats.

    Parameters
    ----------
    atlas : Atlas
        The atlas to write.
    out : str or Path
        A folder (GeoJSON, GMNS) or a ``.gpkg`` file (GeoPackage).
    fmt : ExportFormat or str
        ``"geojson"``, ``"gpkg"`` or ``"gmns"``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    InputError
        For an unknown format, an output path of the wrong kind, or one that cannot be
        written (the message says which and why).

    Examples
    --------
    >>> import tempfile
    >>> from caravan import load_atlas
    >>> atlas = load_atlas("tests/data/tiny-atlas")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in export_atlas(atlas, tmp, fmt="gmns")][:5]
    ['node.csv', 'link.csv', 'use_definition.csv', 'config.csv', 'README.txt']
    """
    try:
        chosen = ExportFormat(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise InputError(f"unknown export format {fmt!r}; use one of: {choices}") from None
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        result = _WRITERS[chosen](atlas, Path(out))
    except OSError as exc:
        msg = f"cannot write {chosen.value} export to {str(out)!r}: {exc.strerror or exc}"
        raise InputError(msg) from exc
    except (DataSourceError, DataLayerError) as exc:
        msg = f"cannot write {chosen.value} export to {str(out)!r}: {exc}"
        raise InputError(msg) from exc
    return result if isinstance(result, list) else [result]
