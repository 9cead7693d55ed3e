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

#: GMNS specification version the GMNS export follows.
GMNS_VERSION = "0.96"


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


def gmns_tables(atlas: Atlas) -> dict[str, pd.DataFrame]:
    """The atlas as GMNS tables: ``node``, ``link`` and ``config`` (units and id type).

    GMNS ids are integers: nodes and links are numbered from 1 in atlas order, and the Caravan
    ids are kept in ``caravan_node_id`` / ``caravan_link_id``. ``length`` is in km,
    ``free_speed`` in km/h, ``capacity`` in million tonnes a year (not the GMNS default of
    vehicles per hour per lane), ``facility_type`` and ``allowed_uses`` are the mode.

    Examples
    --------
    >>> from caravan import load_atlas
    >>> tables = gmns_tables(load_atlas("tests/data/tiny-atlas"))
    >>> list(tables["node"].columns[:6])
    ['node_id', 'name', 'x_coord', 'y_coord', 'node_type', 'ctrl_type']
    >>> tables["config"].at[0, "long_length"]
    'km'
    """
    nodes = atlas.nodes
    links = atlas.links_gdf()
    node_number = {nid: i for i, nid in enumerate(nodes["node_id"], start=1)}
    node = pd.DataFrame(
        {
            "node_id": range(1, len(nodes) + 1),
            "name": nodes["name"],
            "x_coord": nodes["lon"],
            "y_coord": nodes["lat"],
            "node_type": nodes["kind"],
            "ctrl_type": None,
            "zone_id": None,
            "caravan_node_id": nodes["node_id"],
        }
    )
    extra_nodes = nodes.drop(columns=["node_id", "name", "lon", "lat", "kind"])
    node = pd.concat([node, _flat(extra_nodes, nullable_ints=True)], axis=1)
    link = pd.DataFrame(
        {
            "link_id": range(1, len(links) + 1),
            "from_node_id": [node_number[i] for i in links["from_node_id"]],
            "to_node_id": [node_number[i] for i in links["to_node_id"]],
            "directed": [bool(v) for v in links["oneway"]],
            "geometry": [g.wkt for g in links.geometry],
            "length": links["length_km"],
            "facility_type": links["mode"],
            "capacity": links["capacity_mtpa"],
            "free_speed": links["speed_kmh"],
            "allowed_uses": links["mode"],
            "caravan_link_id": links["link_id"],
            "caravan_from_node_id": links["from_node_id"],
            "caravan_to_node_id": links["to_node_id"],
        }
    )
    extra_links = pd.DataFrame(links.drop(columns=["link_id", "from_node_id", "to_node_id"]))
    extra_links = extra_links.drop(columns="geometry")
    link = pd.concat([link, _flat(extra_links, nullable_ints=True)], axis=1)
    config = pd.DataFrame(
        [
            {
                "dataset_name": atlas.name,
                "short_length": "m",
                "long_length": "km",
                "speed": "km/h",
                "crs": "EPSG:4326",
                "geometry_field_format": "WKT",
                "currency": "USD",
                "version_number": GMNS_VERSION,
                "id_type": "integer",
            }
        ]
    )
    return {"node": node, "link": link, "config": config}


_GMNS_README = """GMNS export of the Caravan atlas {name!r} (version {version}, as of {as_of}).

node.csv, link.csv and config.csv follow the General Modeling Network Specification
(https://github.com/zephyr-data-specs/GMNS). Units are in config.csv: link length in km,
free_speed in km/h, coordinates in WGS84 (EPSG:4326). Caravan-specific notes:

- node_id and link_id are integers numbered in atlas order; the atlas ids are in
  caravan_node_id, caravan_link_id, caravan_from_node_id and caravan_to_node_id.
- capacity is in million tonnes a year (capacity_mtpa), not vehicles per hour per lane;
  empty means unconstrained.
- facility_type and allowed_uses hold the mode: rail, road, ferry or sea.
- directed is true only for one-way links; the others may be used both ways.
- Every other atlas column follows, with lists as ';'-separated text; source_ids cite the
  atlas's sources.yaml.
"""


def write_gmns(atlas: Atlas, out: str | Path) -> list[Path]:
    """Write GMNS ``node.csv``, ``link.csv``, ``config.csv`` and a ``README.txt`` into ``out``.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = _folder(out)
    written: list[Path] = []
    for name, table in gmns_tables(atlas).items():
        target = folder / f"{name}.csv"
        with atomic_path(target) as tmp:
            table.to_csv(tmp, index=False)
        written.append(target)
    target = folder / "README.txt"
    with atomic_path(target) as tmp:
        tmp.write_text(
            _GMNS_README.format(name=atlas.name, version=atlas.version, as_of=atlas.as_of),
            encoding="utf-8",
        )
    written.append(target)
    return written


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
    ...     [p.name for p in export_atlas(atlas, tmp, fmt="gmns")]
    ['node.csv', 'link.csv', 'config.csv', 'README.txt']
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
