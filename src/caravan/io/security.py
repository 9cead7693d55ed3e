"""Reading and writing the files of an atlas's ``security/`` folder, and ACLED exports, as
plain records and rows; :mod:`caravan.security.files` turns them into the security layer.

``security/`` holds ``actors.yaml``, ``relations.yaml``, ``events.csv`` and, optionally,
``sources.yaml`` (sources the atlas's own ``sources.yaml`` lacks). Every writer is atomic: a
temporary file next to the target, then a rename.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from caravan.errors import InputError, NotFoundError, Problem
from caravan.io._atomic import atomic_path
from caravan.io._limits import LimitError, read_limited
from caravan.io._yaml import YAML_ERRORS, load_yaml, yaml_problem
from caravan.io.atlas import shipped_atlas_path

__all__ = [
    "SecurityFiles",
    "add_source",
    "csv_rows",
    "inside_shipped_atlas",
    "read_csv_file",
    "read_security_files",
    "security_folder",
    "write_csv_rows",
]

#: One row of a CSV file: its line number and its cells by column.
CsvRow = tuple[int, dict[str, str]]


def security_folder(path: str | Path | None = None) -> Path:
    """The ``security/`` folder of an atlas folder (or the folder itself if it is one).

    Examples
    --------
    >>> security_folder("/tmp/my-atlas").name
    'security'
    """
    base = Path(path) if path is not None else shipped_atlas_path()
    if base.name == "security" or (base / "events.csv").is_file():
        return base
    return base / "security"


def _atlas_source_ids(folder: Path) -> set[str]:
    path = folder.parent / "sources.yaml"
    if not path.is_file():
        return set()
    try:
        data = load_yaml(read_limited(path, root=folder.parent, what="sources.yaml")) or []
    except (*YAML_ERRORS, LimitError):
        return set()  # the atlas reader reports what is wrong with sources.yaml
    if not isinstance(data, list):
        return set()
    return {str(s["source_id"]) for s in data if isinstance(s, dict) and "source_id" in s}


def _yaml_list(folder: Path, name: str, problems: list[Problem], *, required: bool) -> list[Any]:
    path = folder / name
    label = f"security/{name}"
    if not path.is_file():
        if required:
            problems.append(Problem(label, None, None, f"missing from {folder}", f"add {name}"))
        return []
    try:
        data = load_yaml(read_limited(path, root=folder.parent, what=label), dates_as_text=True)
    except LimitError as exc:
        problems.append(Problem(label, exc.line, None, str(exc), exc.fix or "fix the file"))
        return []
    except YAML_ERRORS as exc:
        line, what = yaml_problem(exc)
        problems.append(
            Problem(label, line, None, f"cannot be read: {what}", "fix the YAML syntax")
        )
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(label, None, None, "is not a list of records", "start each with -"))
        return []
    return data


def csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append((reader.line_num, {k: v if isinstance(v, str) else "" for k, v in row.items()}))
    return header, rows


@dataclass(frozen=True)
class SecurityFiles:
    """What the files of a ``security/`` folder hold, as read (records and rows, unchecked)."""

    folder: Path
    actors: list[Any] = field(default_factory=list)
    relations: list[Any] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)
    event_rows: list[CsvRow] = field(default_factory=list)
    #: The source ids of the atlas the folder belongs to.
    known_source_ids: frozenset[str] = frozenset()
    #: What could not be read (missing, too large, malformed files).
    problems: tuple[Problem, ...] = ()


def read_security_files(
    path: str | Path | None = None, *, known_source_ids: Collection[str] | None = None
) -> SecurityFiles | None:
    """The records and rows of an atlas's ``security/`` folder (None when it has none).

    Parameters
    ----------
    path : str or Path, optional
        The atlas folder (or its ``security/`` folder); the shipped atlas by default.
    known_source_ids : collection of str, optional
        The atlas's source ids; by default read from the atlas's ``sources.yaml``.
    """
    folder = security_folder(path)
    if not folder.is_dir():
        return None
    problems: list[Problem] = []
    actors = _yaml_list(folder, "actors.yaml", problems, required=True)
    relations = _yaml_list(folder, "relations.yaml", problems, required=True)
    sources = _yaml_list(folder, "sources.yaml", problems, required=False)
    rows: list[CsvRow] = []
    events_path = folder / "events.csv"
    if events_path.is_file():
        try:
            text = read_limited(events_path, root=folder.parent, what="security/events.csv")
            _, rows = csv_rows(text)
        except LimitError as exc:
            problems.append(
                Problem("security/events.csv", exc.line, None, str(exc), exc.fix or "fix it")
            )
        except csv.Error as exc:
            problems.append(
                Problem(
                    "security/events.csv",
                    None,
                    None,
                    f"cannot be read: {exc}",
                    "save it as UTF-8 CSV with a header row",
                )
            )
    else:
        problems.append(
            Problem("security/events.csv", None, None, f"missing from {folder}", "add events.csv")
        )
    known = set(known_source_ids) if known_source_ids is not None else _atlas_source_ids(folder)
    return SecurityFiles(
        folder=folder,
        actors=actors,
        relations=relations,
        sources=sources,
        event_rows=rows,
        known_source_ids=frozenset(known),
        problems=tuple(problems),
    )


def read_csv_file(file: str | Path, *, what: str | None = None) -> tuple[list[str], list[CsvRow]]:
    """The header and rows of a CSV file (an ACLED export, an ``events.csv``); ``what`` names
    it in errors (its file name by default).

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InputError
        When it is too large or not CSV.
    """
    path = Path(file)
    if not path.is_file():
        raise NotFoundError(f"no such file: {path}")
    try:
        return csv_rows(read_limited(path, what=what or path.name))
    except LimitError as exc:
        raise InputError(f"{exc} (fix: {exc.fix})") from None
    except csv.Error as exc:
        raise InputError(f"{path.name}: cannot be read as CSV ({exc})") from None


def write_csv_rows(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    """Write a header and rows of cells as CSV, atomically."""
    target = Path(path)
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
    return target


def add_source(folder: Path, source: Mapping[str, str]) -> None:
    """Add a source record to a folder's ``sources.yaml`` unless its ``source_id`` is there."""
    path = folder / "sources.yaml"
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    data: list[Any] = load_yaml(text) or []
    if any(isinstance(s, dict) and s.get("source_id") == source["source_id"] for s in data):
        return
    if text and not text.endswith("\n"):
        text += "\n"
    text += yaml.safe_dump([dict(source)], sort_keys=False, allow_unicode=True)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def inside_shipped_atlas(path: Path) -> bool:
    """Whether a path lies inside the shipped atlas (which is never written to)."""
    return _inside(path, shipped_atlas_path())


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
