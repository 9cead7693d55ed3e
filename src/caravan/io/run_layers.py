"""A run's results for GIS and modelling tools: GeoPackage, GeoParquet and OMX files.

- ``flows.gpkg``: layer ``link_flows`` (every atlas link along its line, with tonnes each way and
  the volume-to-capacity ratio) and layer ``routes`` (every route of every flow as the
  multi-line of its links, with share, tonnes, cost and time);
- ``link_flows.geo.parquet`` and ``routes.geo.parquet``: the same layers as GeoParquet
  (geometry as WKB, CRS in the file's ``geo`` metadata);
- ``od.omx``: the demand and assigned origin-destination tonnes per commodity
  (:mod:`caravan.io.omx`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caravan.io.omx import write_od_omx

__all__ = ["RUN_LAYER_FILES", "write_run_layers"]

#: The files :func:`write_run_layers` adds to a run folder.
RUN_LAYER_FILES = ("flows.gpkg", "link_flows.geo.parquet", "routes.geo.parquet", "od.omx")


def _flat(gdf: Any) -> Any:
    out = gdf.copy()
    for column in out.columns:
        if column != "geometry" and out[column].map(lambda v: isinstance(v, tuple | list)).any():
            out[column] = out[column].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, tuple | list) else v
            )
    return out


def write_run_layers(run: Any, folder: str | Path) -> list[Path]:
    """Write :data:`RUN_LAYER_FILES` for a :class:`~caravan.results.runs.RunResult` into
    ``folder`` (which exists; the run writer fills a temporary folder, then renames it)."""
    import pyogrio

    root = Path(folder)
    links, routes = _flat(run.links_gdf()), _flat(run.routes_gdf())
    gpkg = root / "flows.gpkg"
    pyogrio.write_dataframe(links, gpkg, layer="link_flows", driver="GPKG")
    pyogrio.write_dataframe(routes, gpkg, layer="routes", driver="GPKG", append=True)
    links.to_parquet(root / "link_flows.geo.parquet", index=False)
    routes.to_parquet(root / "routes.geo.parquet", index=False)
    write_od_omx(run, root / "od.omx")
    return [root / name for name in RUN_LAYER_FILES]
