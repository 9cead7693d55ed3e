"""Reading and writing an atlas's ``security/`` folder, and reading ACLED exports.

``security/`` holds ``actors.yaml``, ``relations.yaml``, ``events.csv`` and, optionally,
``sources.yaml`` (sources the atlas's own ``sources.yaml`` lacks). An atlas without the folder has
an empty security layer. Every writer is atomic: a temporary file next to the target, then a rename.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from caravan.errors import AtlasValidationError, InputError, NotFoundError, Problem
from caravan.io._atomic import atomic_path
from caravan.io._limits import LimitError, read_limited
from caravan.io._yaml import YAML_ERRORS, load_yaml, yaml_problem
from caravan.io.atlas import shipped_atlas_path
from caravan.model.atlas import Atlas
from caravan.security.acled import (
    AcledImport,
    check_acled_columns,
    merge_events,
    parse_acled,
)
from caravan.security.event_rows import EVENT_COLUMNS, parse_event_rows
from caravan.security.records import Event, SecurityData
from caravan.security.validate import build_security

__all__ = [
    "ImportReport",
    "atlas_events",
    "import_acled",
    "read_acled",
    "read_security",
    "security_folder",
    "security_problems",
    "write_events_csv",
]


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


def _csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append((reader.line_num, {k: v if isinstance(v, str) else "" for k, v in row.items()}))
    return header, rows


def _read(
    path: str | Path | None, known_source_ids: Collection[str] | None
) -> tuple[SecurityData, list[Problem]]:
    folder = security_folder(path)
    if not folder.is_dir():
        return SecurityData(path=str(folder)), []
    problems: list[Problem] = []
    actors = _yaml_list(folder, "actors.yaml", problems, required=True)
    relations = _yaml_list(folder, "relations.yaml", problems, required=True)
    sources = _yaml_list(folder, "sources.yaml", problems, required=False)
    rows: list[tuple[int, dict[str, str]]] = []
    events_path = folder / "events.csv"
    if events_path.is_file():
        try:
            text = read_limited(events_path, root=folder.parent, what="security/events.csv")
            _, rows = _csv_rows(text)
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
    data, probs = build_security(
        actors=actors,
        relations=relations,
        event_rows=rows,
        sources=sources,
        known_source_ids=known,
        path=str(folder),
    )
    return data, problems + probs


def security_problems(
    path: str | Path | None = None, *, known_source_ids: Collection[str] | None = None
) -> list[Problem]:
    """Every problem of an atlas's security layer (empty when it is sound or absent).

    Parameters
    ----------
    path : str or Path, optional
        The atlas folder (or its ``security/`` folder); the shipped atlas by default.
    known_source_ids : collection of str, optional
        The atlas's source ids; by default read from the atlas's ``sources.yaml``.
    """
    return _read(path, known_source_ids)[1]


def atlas_events(atlas: Atlas) -> tuple[Event, ...]:
    """The events of an atlas's own security layer (``security/events.csv`` of its folder)."""
    if atlas.path is None:
        msg = "the atlas was not read from a folder: pass events=... to use its security layer"
        raise InputError(msg)
    return read_security(atlas.path).events


def read_security(
    path: str | Path | None = None, *, known_source_ids: Collection[str] | None = None
) -> SecurityData:
    """Read and check an atlas's security layer.

    Raises
    ------
    AtlasValidationError
        With every problem found (file, row, field, what and how to fix).

    Examples
    --------
    >>> read_security("/nonexistent/atlas").events
    ()
    """
    data, problems = _read(path, known_source_ids)
    if problems:
        raise AtlasValidationError(problems, source=f"security layer {security_folder(path)}")
    return data


def read_acled(file: str | Path, *, security: SecurityData | None = None) -> AcledImport:
    """Read an ACLED CSV export: good rows become events, bad rows problems (by line).

    Raises
    ------
    NotFoundError
        When the file does not exist.
    InputError
        When it is not CSV, or lacks ACLED's required columns (all of them are listed).
    """
    path = Path(file)
    if not path.is_file():
        raise NotFoundError(f"no such file: {path}")
    try:
        header, rows = _csv_rows(read_limited(path, what=path.name))
    except LimitError as exc:
        raise InputError(f"{exc} (fix: {exc.fix})") from None
    except csv.Error as exc:
        raise InputError(f"{path.name}: cannot be read as CSV ({exc})") from None
    check_acled_columns(header, file=path.name)
    actors = security.actors if security is not None else ()
    return parse_acled(rows, file=path.name, actors=actors)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(getattr(value, "value", value))


def write_events_csv(events: Iterable[Event], path: str | Path) -> Path:
    """Write events as ``security/events.csv`` (all columns, ACLED's first), atomically."""
    target = Path(path)
    columns = [f.name for f in EVENT_COLUMNS]
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for e in events:
            writer.writerow([_cell(getattr(e, c)) for c in columns])
    return target


_ACLED_SOURCE = {
    "source_id": "acled",
    "title": "ACLED (Armed Conflict Location & Event Data) export, imported by caravan",
    "publisher": "ACLED",
    "url": "https://acleddata.com",
    "kind": "dataset",
    "supports": "events imported with `caravan security import`",
}


@dataclass(frozen=True)
class ImportReport:
    """What ``caravan security import`` did."""

    file: str
    n_rows: int
    n_good: int
    problems: tuple[Problem, ...]
    n_added: int = 0
    n_replaced: int = 0
    written: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As plain data (for JSON)."""
        return {
            "file": self.file,
            "n_rows": self.n_rows,
            "n_good": self.n_good,
            "n_bad": len({p.row for p in self.problems}),
            "n_added": self.n_added,
            "n_replaced": self.n_replaced,
            "written": self.written,
            "problems": [
                {"row": p.row, "field": p.field, "message": p.message, "fix": p.fix}
                for p in self.problems
            ],
        }


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def import_acled(
    file: str | Path, *, atlas: str | Path | None = None, into: str | Path | None = None
) -> ImportReport:
    """Import an ACLED export; with ``into``, merge its good rows into a copy's ``events.csv``.

    Parameters
    ----------
    file : str or Path
        The ACLED CSV export.
    atlas : str or Path, optional
        The atlas whose actors resolve ACLED names (the shipped one by default), and whose
        events start the merge when ``into`` has none yet.
    into : str or Path, optional
        An atlas folder (or its ``security/`` folder) to write ``security/events.csv`` into.
        Without it nothing is written. The shipped atlas is never written to.

    Raises
    ------
    InputError
        When ``into`` lies inside the shipped atlas, or the file lacks ACLED's columns.
    """
    base_folder = security_folder(atlas)
    base = _read(atlas, None)[0] if base_folder.is_dir() else SecurityData()
    result = read_acled(file, security=base)
    report = ImportReport(
        file=str(file), n_rows=result.n_rows, n_good=len(result.events), problems=result.problems
    )
    if into is None:
        return report
    target_folder = security_folder(into)
    if _inside(target_folder, shipped_atlas_path()):
        msg = (
            f"{into}: will not write into the shipped atlas; copy it first "
            "(cp -r $(python -c 'import caravan.io.atlas as a; print(a.shipped_atlas_path())') "
            "my-atlas) and pass --into my-atlas"
        )
        raise InputError(msg)
    target = target_folder / "events.csv"
    existing = _events_only(target) if target.is_file() else base.events
    merged, added, replaced = merge_events(existing, result.events)
    write_events_csv(merged, target)
    _ensure_acled_source(target_folder)
    return replace(report, n_added=added, n_replaced=replaced, written=str(target))


def _events_only(path: Path) -> tuple[Event, ...]:
    """The events of an ``events.csv``; refuses (rather than drop rows) when any row is bad."""
    _, rows = _csv_rows(read_limited(path, what=str(path)))
    events, problems = parse_event_rows(rows)
    if problems:
        raise AtlasValidationError(problems, source=f"{path} (mend it before importing into it)")
    return tuple(events)


def _ensure_acled_source(folder: Path) -> None:
    path = folder / "sources.yaml"
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    data: list[Any] = load_yaml(text) or []
    if any(isinstance(s, dict) and s.get("source_id") == "acled" for s in data):
        return
    if text and not text.endswith("\n"):
        text += "\n"
    text += yaml.safe_dump([_ACLED_SOURCE], sort_keys=False, allow_unicode=True)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
