"""Writing an atlas folder from tables: what ``caravan atlas import`` produces.

The tables use the atlas's own columns (``docs/atlas-format.md``); lists become ``;``-joined
text, booleans ``true``/``false``, whole numbers stay whole, and a missing value stays an empty
cell, so ``caravan atlas validate`` reports it instead of anything filling it in. Every file is
written atomically.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from caravan.io._atomic import atomic_path, make_folder, write_text_atomic
from caravan.io.atlas import load_atlas
from caravan.model.schema import CSV_FILES, YAML_LIST_FILES, Kind

__all__ = ["AtlasTables", "cell_text", "defaults_from", "write_atlas_folder"]


@dataclass
class AtlasTables:
    """The files of an atlas folder, before they are written.

    ``csv`` maps a CSV file name to its rows (dicts keyed by column); ``yaml`` maps a YAML
    file name to its records; ``meta`` is ``atlas.yaml``; ``copies`` maps a file name to a
    file to copy byte for byte (it wins over ``csv``/``yaml`` for that name).
    """

    csv: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    yaml: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)


def cell_text(value: Any, kind: Kind) -> str:
    """One CSV cell as the atlas reader expects it; ``None`` and NaN become an empty cell.

    Examples
    --------
    >>> cell_text(("a", "b"), Kind.LIST), cell_text(1520.0, Kind.INT), cell_text(True, Kind.BOOL)
    ('a;b', '1520', 'true')
    >>> cell_text(float("nan"), Kind.FLOAT), cell_text(12.5, Kind.FLOAT)
    ('', '12.5')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind is Kind.LIST:
        items = value if isinstance(value, (list, tuple)) else str(value).split(";")
        return ";".join(str(v) for v in items if str(v))
    if kind is Kind.BOOL:
        return "true" if bool(value) else "false"
    if kind is Kind.INT:
        return str(int(float(value)))
    if kind is Kind.FLOAT:
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return str(value)


def _csv_text(name: str, rows: Sequence[Mapping[str, Any]]) -> str:
    fields = CSV_FILES[name]
    present = {key for row in rows for key in row}
    columns = [f for f in fields if f.required or f.name in present]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in columns])
    for row in rows:
        writer.writerow([cell_text(row.get(f.name), f.kind) for f in columns])
    return buffer.getvalue()


def _yaml_text(records: Sequence[Mapping[str, Any]]) -> str:
    return yaml.safe_dump(list(records), sort_keys=False, allow_unicode=True, width=100)


def write_atlas_folder(tables: AtlasTables, out: str | Path) -> list[Path]:
    """Write an atlas folder: every CSV and YAML file of the atlas format, and ``atlas.yaml``.

    A CSV file with no rows is written with its required columns only; a YAML list file with
    no records as ``[]``.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = make_folder(Path(out))
    written: list[Path] = []
    for name in (*CSV_FILES, *YAML_LIST_FILES):
        target = folder / name
        if name in tables.copies:
            with atomic_path(target) as tmp:
                shutil.copyfile(tables.copies[name], tmp)
        elif name in CSV_FILES:
            write_text_atomic(_csv_text(name, tables.csv.get(name, [])), target)
        else:
            write_text_atomic(_yaml_text(tables.yaml.get(name, [])), target)
        written.append(target)
    # optional files (the tariff model, the validation table) are carried over as they are
    for name, source in tables.copies.items():
        if name in (*CSV_FILES, *YAML_LIST_FILES, "atlas.yaml"):
            continue
        target = folder / name
        make_folder(target.parent)
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        written.append(target)
    target = folder / "atlas.yaml"
    if "atlas.yaml" in tables.copies:
        with atomic_path(target) as tmp:
            shutil.copyfile(tables.copies["atlas.yaml"], tmp)
    else:
        write_text_atomic(yaml.safe_dump(tables.meta, sort_keys=False, allow_unicode=True), target)
    written.append(target)
    return written


def defaults_from(folder: str | Path) -> AtlasTables:
    """The mode defaults, commodities and default transfers of another atlas, with the sources
    they cite: what ``--defaults-from`` carries into an imported atlas.

    Per-node transfer rows are left out (the imported atlas has other nodes).
    """
    atlas = load_atlas(folder)
    modes: list[dict[str, Any]] = [
        {
            "mode": m.mode,
            "speed_kmh": m.speed_kmh,
            "tariff_usd_per_tkm": m.tariff_usd_per_tkm,
            "layer": m.traits.layer.value,
            "gauge": m.traits.gauge.value,
            "transit": m.traits.transit,
            "colour": m.traits.colour,
            "border_shuttle": m.traits.border_shuttle,
            "basis": m.basis,
            "source_ids": list(m.source_ids),
        }
        for m in atlas.modes
    ]
    commodities: list[dict[str, Any]] = [
        {
            "commodity_id": c.commodity_id,
            "name": c.name,
            "value_usd_per_t": c.value_usd_per_t,
            "value_of_time_usd_per_t_h": c.value_of_time_usd_per_t_h,
            "risk_aversion": c.risk_aversion,
            "basis": c.basis,
            "source_ids": list(c.source_ids),
        }
        for c in atlas.commodities
    ]
    transfers: list[dict[str, Any]] = [
        {str(k): (None if v is pd.NA else v) for k, v in row.items()}
        for row in atlas.transfers.to_dict("records")
        if not isinstance(row.get("node_id"), str)
    ]
    cited = {s for rec in (*modes, *commodities, *transfers) for s in rec["source_ids"]}
    sources = [
        {
            k: v
            for k, v in {
                "source_id": s.source_id,
                "title": s.title,
                "author": s.author,
                "publisher": s.publisher,
                "date": s.date,
                "url": s.url,
                "kind": s.kind,
                "supports": s.supports,
            }.items()
            if v
        }
        for s in atlas.sources
        if s.source_id in cited
    ]
    return AtlasTables(
        csv={"transfers.csv": transfers},
        yaml={"modes.yaml": modes, "commodities.yaml": commodities, "sources.yaml": sources},
    )
