"""Small helpers shared by the atlas validators: rows, ids, values and problem wording."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any, cast

import pandas as pd

from caravan.errors import Problem

__all__ = [
    "ISO3",
    "SLUG",
    "IdIndex",
    "IdSet",
    "Row",
    "Suggester",
    "as_list",
    "duplicate_ids",
    "given",
    "iter_rows",
    "line_of",
    "number",
    "range_problems",
    "suggest",
    "whole",
]

Row = dict[str, Any]

#: Ids are lower-case slugs (``termez``, ``r-termez-hairatan``).
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: ISO 3166-1 alpha-3 codes are three upper-case letters.
ISO3 = re.compile(r"^[A-Z]{3}$")


def given(value: Any) -> bool:
    """Whether a parsed value is present (not None, NA, NaN or empty text).

    Examples
    --------
    >>> given(0.0), given(None), given(float("nan")), given("")
    (True, False, False, False)
    """
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def number(value: Any) -> float:
    """A present numeric value as a float."""
    return float(value)


def whole(value: Any) -> int:
    """A present whole-number value as an int."""
    return int(value)


def as_list(value: Any) -> tuple[str, ...]:
    """A parsed list value as a tuple of strings (``()`` when absent or malformed)."""
    if isinstance(value, (tuple, list)):
        return tuple(str(v) for v in value if given(v))
    return ()


def iter_rows(table: Any) -> Iterator[Row]:
    """Rows of a parsed table (a frame from a CSV file or a list of YAML records) as dicts."""
    if isinstance(table, pd.DataFrame):
        for record in table.to_dict("records"):
            yield {str(k): v for k, v in record.items()}
    elif isinstance(table, list):
        for item in table:
            if isinstance(item, dict):
                yield item


def line_of(row: Row) -> int | None:
    """The row's line (CSV) or record position (YAML), as recorded by the reader."""
    line = row.get("_line")
    return whole(line) if given(line) else None


class Suggester:
    """ "Did you mean" hints against one collection of ids, prepared once per field.

    The ids are sorted once, hints are cached per value, a large collection is searched only
    among ids sharing the value's first two characters, and after ``max_hints`` distinct values
    no more hints are worked out: 935 unknown ids against 500,000 known ones cost seconds, not
    the minutes of one full ``difflib`` scan per problem.
    """

    #: Above this many ids, only those with the same two first characters are compared.
    MAX_SCANNED = 5_000

    def __init__(self, candidates: Iterable[str], *, max_hints: int = 200) -> None:
        self._ids = sorted({str(c) for c in candidates})
        self._by_prefix: dict[str, list[str]] | None = None
        self._cache: dict[str, str] = {}
        self._max_hints = max_hints

    def _pool(self, value: str) -> list[str]:
        if len(self._ids) <= self.MAX_SCANNED:
            return self._ids
        if self._by_prefix is None:
            self._by_prefix = {}
            for ident in self._ids:
                self._by_prefix.setdefault(ident[:2], []).append(ident)
        return self._by_prefix.get(value[:2], [])[: self.MAX_SCANNED]

    def __call__(self, value: str) -> str:
        if value in self._cache:
            return self._cache[value]
        if len(self._cache) >= self._max_hints or len(value) > 200:
            return ""
        close = difflib.get_close_matches(value, self._pool(value), n=3, cutoff=0.6)
        hint = " (did you mean " + " or ".join(repr(c) for c in close) + "?)" if close else ""
        self._cache[value] = hint
        return hint


class _SuggestsIds:
    """A collection of ids (iterating gives the ids) that keeps one :class:`Suggester` over
    them, made on first use."""

    @property
    def suggester(self) -> Suggester:
        """The suggester of these ids."""
        found = self.__dict__.get("_suggester")
        if found is None:
            found = self.__dict__["_suggester"] = Suggester(cast("Iterable[str]", self))
        assert isinstance(found, Suggester)
        return found


class IdIndex(_SuggestsIds, dict[str, Row]):
    """Rows by id, with one :class:`Suggester` over the ids (made on first use)."""


class IdSet(_SuggestsIds, frozenset[str]):
    """A set of ids, with one :class:`Suggester` over them (made on first use)."""


def suggest(value: str, candidates: Iterable[str]) -> str:
    """A "did you mean" hint for an unknown id, or an empty string.

    An :class:`IdIndex` or :class:`IdSet` keeps its prepared suggester, so a field's hints are
    worked out against one sorted list however many problems it has.

    Examples
    --------
    >>> suggest("termz", ["termez", "kabul"])
    " (did you mean 'termez'?)"
    """
    if isinstance(candidates, (IdIndex, IdSet)):
        return candidates.suggester(value)
    return Suggester(candidates)(value)


def duplicate_ids(file: str, rows: Iterable[Row], key: str, what: str) -> list[Problem]:
    """One problem for every row whose id repeats an earlier row's id, and every bad slug."""
    problems: list[Problem] = []
    first: dict[str, int | None] = {}
    for row in rows:
        value = row.get(key)
        if not given(value):
            continue
        ident = str(value)
        if not SLUG.match(ident):
            problems.append(
                Problem(
                    file,
                    line_of(row),
                    key,
                    f"{what} id {ident!r} is not a lower-case slug",
                    "use lower-case letters, digits and '-' only (e.g. 'alat-port')",
                )
            )
        if ident in first:
            where = f"line {first[ident]}" if first[ident] is not None else "an earlier row"
            problems.append(
                Problem(
                    file,
                    line_of(row),
                    key,
                    f"duplicate {what} id {ident!r} (first used at {where})",
                    f"give each {what} its own id, or merge the two rows",
                )
            )
        else:
            first[ident] = line_of(row)
    return problems


def range_problems(file: str, row: Row, column: str, what: str) -> list[Problem]:
    """Check ``column_low <= column <= column_high`` where the bounds are given."""
    value, low, high = row.get(column), row.get(f"{column}_low"), row.get(f"{column}_high")
    problems: list[Problem] = []
    line = line_of(row)
    if given(low) and given(high) and number(low) > number(high):
        problems.append(
            Problem(
                file,
                line,
                f"{column}_low",
                f"{what}: {column}_low {number(low):g} is above {column}_high {number(high):g}",
                "swap the two bounds",
            )
        )
        return problems
    if given(value) and given(low) and number(value) < number(low):
        problems.append(
            Problem(
                file,
                line,
                column,
                f"{what}: {column} {number(value):g} is below {column}_low {number(low):g}",
                "put the chosen value inside its range, or widen the range",
            )
        )
    if given(value) and given(high) and number(value) > number(high):
        problems.append(
            Problem(
                file,
                line,
                column,
                f"{what}: {column} {number(value):g} is above {column}_high {number(high):g}",
                "put the chosen value inside its range, or widen the range",
            )
        )
    if not given(value) and (given(low) or given(high)):
        problems.append(
            Problem(
                file,
                line,
                column,
                f"{what}: a range is given for {column} but no chosen value",
                f"fill in {column} (the value the model uses)",
            )
        )
    return problems
