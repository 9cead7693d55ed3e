"""Caravan's exceptions: one base class, each also a matching built-in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AtlasValidationError",
    "CaravanError",
    "ClusterError",
    "InputError",
    "NoRouteError",
    "NotFoundError",
    "Problem",
]


class CaravanError(Exception):
    """Base class of every error Caravan raises on purpose."""


class InputError(CaravanError, ValueError):
    """An argument or input file is malformed; the message says what and how to fix it."""


class NotFoundError(CaravanError, KeyError):
    """An id, name or file does not exist; the message suggests close matches."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NoRouteError(CaravanError, LookupError):
    """The network has no route between two places; the message says what cuts it."""


class ClusterError(CaravanError, ConnectionError):
    """A Dask cluster could not be started or reached; the message says how to run without it."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating input.

    Parameters
    ----------
    file : str
        File name within the atlas folder (``"links.csv"``).
    row : int or None
        1-based line number in a CSV file (the header is line 1) or in a scenario file,
        or the 1-based position of a record in a YAML list; ``None`` for a whole-file problem.
    field : str or None
        Column or key the problem is in.
    message : str
        What is wrong.
    fix : str
        How to mend it.
    """

    file: str
    row: int | None
    field: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message} (fix: {self.fix})"


class AtlasValidationError(InputError):
    """An atlas (or scenario) failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem], *, source: str = "atlas") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        lines = [f"{source}: {len(self.problems)} problem(s)"]
        lines += [f"  - {_cut(str(p))}" for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - MAX_LISTED} more")
        super().__init__("\n".join(lines))


#: Most problems an ``AtlasValidationError`` message lists (``problems`` keeps them all).
MAX_LISTED = 50
#: Longest line of such a message.
MAX_LINE = 600


def _cut(text: str) -> str:
    return text if len(text) <= MAX_LINE else text[:MAX_LINE] + "…"
