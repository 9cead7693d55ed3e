"""Reading an atlas's route validation table (``validation/routes.csv``)."""

from __future__ import annotations

import csv
from pathlib import Path

from caravan.errors import InputError
from caravan.model.atlas import Atlas
from caravan.model.route_cases import RouteCase, case_from_row

__all__ = ["read_route_cases", "route_cases_path"]


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
    known = {s.source_id for s in atlas.sources}
    problems: list[str] = []
    cases: list[RouteCase] = []
    with file.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                case = case_from_row(row, line=line)
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
