"""Reading an atlas's route validation table (``validation/routes.csv``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from caravan.errors import InputError
from caravan.io._limits import LimitError, read_limited
from caravan.model.atlas import Atlas
from caravan.model.route_cases import RouteCase, case_from_row

__all__ = ["read_route_cases", "route_cases_path"]

#: The columns every validation table must have (the others are optional).
REQUIRED_COLUMNS = ("pair_id", "origin", "destination", "source_ids")


def route_cases_path(atlas: Atlas) -> Path:
    """Where an atlas keeps its route validation table."""
    if atlas.path is None:
        raise InputError("the atlas has no folder, so no validation/routes.csv")
    return Path(atlas.path) / "validation" / "routes.csv"


def read_route_cases(path: str | Path, atlas: Atlas) -> tuple[RouteCase, ...]:
    """The cases of a validation table, with their sources checked against the atlas.

    Raises
    ------
    InputError
        When the file is missing or a row is malformed or cites an unknown source (every bad
        row is named).
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"no route validation table at {str(file)!r}")
    try:
        text = read_limited(file, what=file.name)
    except LimitError as exc:
        where = f"{file} line {exc.line}" if exc.line else str(file)
        raise InputError(f"{where}: {exc} (fix: {exc.fix or 'mend the file'})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError(
            f"{file}: the header lacks the column(s) {', '.join(missing)} (fix: start the file "
            f"with a header row naming at least {', '.join(REQUIRED_COLUMNS)}; see "
            "docs/validation.md)"
        )
    known = {s.source_id for s in atlas.sources}
    problems: list[str] = []
    cases: list[RouteCase] = []
    for line, row in enumerate(reader, start=2):
        try:
            case = case_from_row(row, line=line, file=file.name)
        except InputError as exc:
            problems.append(str(exc))
            continue
        strange = [c for c in case.closed_countries if c not in atlas.countries]
        if strange:
            problems.append(
                f"{file.name} line {line}: closed_countries {', '.join(strange)} are not "
                "countries of the atlas; use ISO3 codes"
            )
        unknown = [s for s in case.source_ids if s not in known]
        if unknown:
            problems.append(
                f"{file.name} line {line}: unknown source(s) {', '.join(unknown)}; "
                "add them to sources.yaml"
            )
        cases.append(case)
    ids = [c.pair_id for c in cases]
    problems += [
        f"{file.name}: pair_id {x!r} appears twice" for x in sorted(set(ids)) if ids.count(x) > 1
    ]
    if problems:
        raise InputError("; ".join(problems))
    return tuple(cases)
