"""Writing run and comparison folders: Parquet tables, a GeoPackage of flows, JSON summaries.

Folders are written whole into a temporary sibling and then renamed into place, so a reader
never sees half a run. An existing folder is replaced only when it is itself a Caravan output
(it holds ``summary.json`` with a ``caravan`` key); anything else is left alone and reported.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from caravan.errors import InputError
from caravan.io._atomic import make_folder, write_json_atomic
from caravan.io.run_layers import write_run_layers

__all__ = ["write_comparison", "write_run"]


def _replace_folder(out: Path, fill: Callable[[Path], None]) -> Path:
    out = Path(out)
    if out.exists():
        marker = out / "summary.json"
        ok = False
        if out.is_dir() and marker.is_file():
            try:
                ok = "caravan" in json.loads(marker.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                ok = False
        if out.is_dir() and not any(out.iterdir()):
            ok = True
        if not ok:
            msg = (
                f"{str(out)!r} exists and is not a Caravan output folder; "
                "choose another --out or remove it"
            )
            raise InputError(msg)
    make_folder(out.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        fill(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            old.rmdir()
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    clean = frame.copy()
    for col in clean.columns:
        if clean[col].map(lambda v: isinstance(v, tuple | list)).any():
            clean[col] = clean[col].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, tuple | list) else v
            )
    clean.to_parquet(path, index=False)


def write_run(run: Any, out: str | Path) -> Path:
    """Write a :class:`~caravan.results.runs.RunResult` as a run folder.

    The folder holds ``flows.parquet``, ``routes.parquet``, ``link_flows.parquet``,
    ``country_transit.parquet``, ``corridor_flows.parquet``, ``summary.json`` (summary and
    provenance), ``scenario.json`` (the resolved scenario), and for other tools
    (:func:`caravan.io.run_layers.write_run_layers`): ``flows.gpkg`` (layers ``link_flows``
    and ``routes`` with their lines), ``link_flows.geo.parquet`` and ``routes.geo.parquet``
    (GeoParquet) and ``od.omx`` (demand and assigned tonnes per commodity, OMX).
    """

    def fill(folder: Path) -> None:
        _parquet(run.flows, folder / "flows.parquet")
        _parquet(run.routes, folder / "routes.parquet")
        _parquet(run.link_flows, folder / "link_flows.parquet")
        _parquet(run.country_transit, folder / "country_transit.parquet")
        _parquet(run.corridor_flows, folder / "corridor_flows.parquet")
        write_run_layers(run, folder)
        write_json_atomic(
            {"caravan": "run", **run.to_dict()},
            folder / "summary.json",
        )
        write_json_atomic(run.scenario.to_dict(), folder / "scenario.json")

    return _replace_folder(Path(out), fill)


def write_comparison(comparison: Any, out: str | Path) -> Path:
    """Write a :class:`~caravan.results.runs.Comparison` as a folder of Parquet and JSON."""

    def fill(folder: Path) -> None:
        _parquet(comparison.countries, folder / "countries.parquet")
        _parquet(comparison.corridors, folder / "corridors.parquet")
        _parquet(comparison.flows, folder / "flows.parquet")
        _parquet(comparison.links, folder / "links.parquet")
        write_json_atomic(
            {"caravan": "comparison", **comparison.to_dict()}, folder / "summary.json"
        )

    return _replace_folder(Path(out), fill)
