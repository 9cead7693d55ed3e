"""Small edits of atlas files, for tests that break one thing at a time."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

__all__ = ["atlas_copy", "drop_csv_row", "edit_csv", "edit_yaml", "replace_text"]


def atlas_copy(
    source: Path,
    folder: Path,
    *,
    files: dict[str, str] | None = None,
    scenarios: dict[str, str] | None = None,
) -> Path:
    """Copy a fixture atlas to ``folder`` and write extra files (``demand.csv``, ...) and
    ``scenarios/<name>.yaml`` into the copy."""
    shutil.copytree(source, folder)
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    if scenarios:
        (folder / "scenarios").mkdir(exist_ok=True)
        for name, text in scenarios.items():
            (folder / "scenarios" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def edit_csv(folder: Path, file: str, key: str, column: str, value: str) -> None:
    """Set one cell of the row whose first cell is ``key``."""
    path = folder / file
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    hits = [r for r in rows[1:] if r and r[0] == key]
    assert hits, f"no row {key!r} in {file}"
    hits[0][header.index(column)] = value
    _write_csv(path, rows)


def drop_csv_row(folder: Path, file: str, key: str) -> None:
    """Delete the row whose first cell is ``key``."""
    path = folder / file
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    _write_csv(path, [r for r in rows if not (r and r[0] == key)])


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def edit_yaml(folder: Path, file: str, change: Callable[[Any], Any]) -> None:
    """Load a YAML file, let ``change`` edit (or replace) the data, write it back."""
    path = folder / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = change(data)
    data = data if result is None else result
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def replace_text(folder: Path, file: str, old: str, new: str) -> None:
    """Replace text in a file (exactly once)."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
