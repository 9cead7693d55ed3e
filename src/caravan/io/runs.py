"""Writing run and comparison folders: Parquet tables, a GeoPackage of flows, JSON summaries.

Folders are written whole into a temporary sibling and then renamed into place, so a reader
never sees half a run. An existing folder is replaced only when it is itself a Caravan output
(it holds ``summary.json`` with a ``caravan`` key); anything else is left alone and reported.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from caravan.errors import InputError
from caravan.io._atomic import make_folder, write_json_atomic
from caravan.io.run_layers import write_run_layers

__all__ = ["OWNER_FILE", "sweep_stale_temp", "write_comparison", "write_run"]


#: Marker in a temporary output folder naming the process that writes it.
OWNER_FILE = ".caravan-owner"
#: An unmarked or unreadable temporary folder older than this (seconds) is left over.
_GRACE_S = 60.0


def _start_time(pid: int) -> str | None:
    """The start time of a process (Linux ``/proc``), to tell a reused pid from its owner."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def _owner_stamp() -> str:
    pid = os.getpid()
    return json.dumps({"pid": pid, "start": _start_time(pid), "host": socket.gethostname()})


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return start is None or _start_time(pid) in (None, start)


def _left_over(folder: Path) -> bool:
    """Whether a temporary output folder's writer is gone (so nobody will finish it)."""
    marker = folder / OWNER_FILE
    try:
        age = time.time() - folder.stat().st_mtime
        data = json.loads(marker.read_text(encoding="utf-8"))
        pid, start, host = int(data["pid"]), data.get("start"), data.get("host")
    except FileNotFoundError:
        # no marker: killed before writing it, or finished filling (then renamed at once)
        return age > _GRACE_S if folder.exists() else False
    except (OSError, ValueError, KeyError, TypeError):
        return age > _GRACE_S
    if host != socket.gethostname():
        return False  # another machine's writer: cannot tell, leave it
    return not _alive(pid, start)


def sweep_stale_temp(out: Path) -> list[Path]:
    """Remove the temporary siblings of ``out`` (``.NAME.XXXXXXXX/``) left by killed writers.

    A run killed while writing (``kill -9``) leaves its hidden temporary folder behind; the next
    write to the same place removes it when the process that made it is gone. Folders of live
    writers, and anything not made by Caravan, are left alone.
    """
    removed: list[Path] = []
    made = re.compile(rf"\.{re.escape(out.name)}\.(old\.)?[A-Za-z0-9_]{{8}}")
    try:
        siblings = [p for p in out.parent.iterdir() if made.fullmatch(p.name)]
    except OSError:
        return removed
    for folder in siblings:
        if folder.is_dir() and not folder.is_symlink() and _left_over(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


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
    sweep_stale_temp(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / OWNER_FILE).write_text(_owner_stamp(), encoding="utf-8")
        fill(tmp)
        (tmp / OWNER_FILE).unlink()
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
    """Write a :class:`~caravan.results.compare.Comparison` as a folder of Parquet and JSON."""

    def fill(folder: Path) -> None:
        _parquet(comparison.countries, folder / "countries.parquet")
        _parquet(comparison.corridors, folder / "corridors.parquet")
        _parquet(comparison.flows, folder / "flows.parquet")
        _parquet(comparison.links, folder / "links.parquet")
        write_json_atomic(
            {"caravan": "comparison", **comparison.to_dict()}, folder / "summary.json"
        )

    return _replace_folder(Path(out), fill)
