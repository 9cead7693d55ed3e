"""The security layer of an atlas folder, and ACLED imports: :mod:`caravan.io.security` reads
the files into plain records and rows, the parsers of this package check them.

Nothing here opens a file itself; every read and write goes through :mod:`caravan.io.security`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from caravan.errors import AtlasValidationError, InputError, Problem
from caravan.io.security import (
    add_source,
    inside_shipped_atlas,
    read_csv_file,
    read_security_files,
    security_folder,
    write_csv_rows,
)
from caravan.model.atlas import Atlas
from caravan.model.scenario import Scenario
from caravan.security.acled import AcledImport, check_acled_columns, merge_events, parse_acled
from caravan.security.event_rows import EVENT_COLUMNS, parse_event_rows
from caravan.security.records import Event, SecurityData
from caravan.security.validate import build_security

__all__ = [
    "ImportReport",
    "atlas_events",
    "import_acled",
    "read_acled",
    "read_security",
    "scenario_events",
    "security_problems",
    "write_events_csv",
]


def _read(
    path: str | Path | None, known_source_ids: Collection[str] | None
) -> tuple[SecurityData, list[Problem]]:
    files = read_security_files(path, known_source_ids=known_source_ids)
    if files is None:
        return SecurityData(path=str(security_folder(path))), []
    data, problems = build_security(
        actors=files.actors,
        relations=files.relations,
        event_rows=files.event_rows,
        sources=files.sources,
        known_source_ids=files.known_source_ids,
        path=str(files.folder),
    )
    return data, [*files.problems, *problems]


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
    """The events of an atlas's own security layer (``security/events.csv`` of its folder).

    The sources events may cite are the atlas's own, as loaded (``sources.yaml`` is not read
    again).
    """
    if atlas.path is None:
        msg = "the atlas was not read from a folder: pass events=... to use its security layer"
        raise InputError(msg)
    known = {s.source_id for s in atlas.sources}
    return read_security(atlas.path, known_source_ids=known).events


def scenario_events(
    atlas: Atlas, *scenarios: Scenario, as_of: str | None = None
) -> tuple[Event, ...] | None:
    """The atlas's events when a scenario takes its zone risks from the security layer (a
    security date: ``as_of`` or a scenario's ``security_as_of``), else None (nothing read)."""
    if as_of or any(s.security_as_of for s in scenarios):
        return atlas_events(atlas)
    return None


def read_security(
    path: str | Path | None = None, *, known_source_ids: Collection[str] | None = None
) -> SecurityData:
    """Read and check an atlas's security layer (empty when the atlas has no ``security/``).

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
    name = Path(file).name
    header, rows = read_csv_file(file)
    check_acled_columns(header, file=name)
    actors = security.actors if security is not None else ()
    return parse_acled(rows, file=name, actors=actors)


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
    columns = [f.name for f in EVENT_COLUMNS]
    rows = ([_cell(getattr(e, c)) for c in columns] for e in events)
    return write_csv_rows(path, columns, rows)


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
    if inside_shipped_atlas(target_folder):
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
    add_source(target_folder, _ACLED_SOURCE)
    return replace(report, n_added=added, n_replaced=replaced, written=str(target))


def _events_only(path: Path) -> tuple[Event, ...]:
    """The events of an ``events.csv``; refuses (rather than drop rows) when any row is bad."""
    _, rows = read_csv_file(path, what=str(path))
    events, problems = parse_event_rows(rows)
    if problems:
        raise AtlasValidationError(problems, source=f"{path} (mend it before importing into it)")
    return tuple(events)
