"""Tables of a brief: cells that carry their exact number, rows keyed by id, and citations."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Cell",
    "Citation",
    "Citations",
    "Column",
    "Row",
    "Table",
    "cells_by_column",
    "fmt_float",
    "fmt_signed",
    "fmt_tonnes",
    "fmt_usd",
    "make_table",
    "num",
    "split_ids",
    "text",
]


@dataclass(frozen=True)
class Citation:
    """A numbered reference to a source of the atlas."""

    number: int
    source_id: str


@dataclass(frozen=True)
class Cell:
    """One table cell: the text shown and, for numbers, the exact value behind it.

    The value is written into the HTML as ``data-value`` so that tests and scripts can read
    the brief back without parsing formatted text.
    """

    text: str
    value: float | None = None
    css: str = ""
    cites: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Column:
    """A column: its key (the ``data-col`` attribute), its header and whether it is numeric."""

    key: str
    header: str
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    """A row keyed by an id (a country, a flow, a project, ...): the ``data-row`` attribute."""

    key: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    """A table of a section; ``table_id`` becomes the HTML ``id``."""

    table_id: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str = ""

    def numbers(self) -> dict[str, dict[str, float]]:
        """Row key -> column key -> exact value, for the numeric cells that have one."""
        out: dict[str, dict[str, float]] = {}
        for row in self.rows:
            for col, cell in zip(self.columns, row.cells, strict=True):
                if cell.value is not None:
                    out.setdefault(row.key, {})[col.key] = cell.value
        return out


@dataclass
class Citations:
    """Numbers sources in the order the brief first cites them.

    Examples
    --------
    >>> c = Citations(known={"a", "b"})
    >>> [x.number for x in c.cite(["b", "a", "b"])]
    [1, 2]
    >>> c.ids, c.missing
    (('b', 'a'), ())
    """

    known: set[str]
    _order: dict[str, int] = field(default_factory=dict)

    def cite(self, source_ids: Iterable[str]) -> tuple[Citation, ...]:
        """Citations for these ids (each once), numbering the ones not cited before."""
        out: list[Citation] = []
        for sid in dict.fromkeys(s for s in source_ids if s):
            if sid not in self._order:
                self._order[sid] = len(self._order) + 1
            out.append(Citation(self._order[sid], sid))
        return tuple(out)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id cited, in citation order."""
        return tuple(self._order)

    @property
    def missing(self) -> tuple[str, ...]:
        """Cited ids that are not sources of the atlas."""
        return tuple(s for s in self._order if s not in self.known)


def split_ids(value: Any) -> tuple[str, ...]:
    """Ids from a tuple, a list or a ``;``-separated string (empty for missing values).

    Examples
    --------
    >>> split_ids("a;b"), split_ids(("c",)), split_ids(float("nan"))
    (('a', 'b'), ('c',), ())
    """
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(";") if v.strip())
    if isinstance(value, Sequence):
        return tuple(str(v) for v in value if str(v))
    return ()


def _finite(value: Any) -> float | None:
    """The value as a float; None when it is missing, NaN or not a number."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def fmt_tonnes(value: float) -> str:
    """Tonnes a year in Mt, kt or t.

    Examples
    --------
    >>> fmt_tonnes(2_345_678), fmt_tonnes(200_000), fmt_tonnes(-512)
    ('2.35 Mt', '200.0 kt', '-512 t')
    """
    a = abs(value)
    if a >= 1e6:
        return f"{value / 1e6:,.2f} Mt"
    if a >= 1e3:
        return f"{value / 1e3:,.1f} kt"
    return f"{value:,.0f} t"


def fmt_usd(value: float) -> str:
    """US dollars in millions, thousands or units.

    Examples
    --------
    >>> fmt_usd(24_692_870), fmt_usd(-3_500)
    ('USD 24.69 m', '-USD 3.5 k')
    """
    a = abs(value)
    sign = "-" if value < 0 else ""
    if a >= 1e6:
        return f"{sign}USD {a / 1e6:,.2f} m"
    if a >= 1e3:
        return f"{sign}USD {a / 1e3:,.1f} k"
    return f"{sign}USD {a:,.0f}"


def fmt_float(value: float, digits: int = 1) -> str:
    """A number with thousands separators."""
    return f"{value:,.{digits}f}"


def fmt_signed(text_value: str, value: float) -> str:
    """Prefix a formatted change with ``+`` when it is positive."""
    return f"+{text_value}" if value > 0 and not text_value.startswith("+") else text_value


def num(
    value: Any,
    kind: str = "float",
    *,
    digits: int = 1,
    signed: bool = False,
    lower_is_better: bool = False,
) -> Cell:
    """A numeric cell: ``kind`` is ``tonnes``, ``usd``, ``tkm``, ``year``, ``share`` or ``float``.

    Missing values and NaN show as a dash and carry no value. A ``signed`` change is marked
    ``pos`` (good, green) or ``neg`` (bad, red): an increase is good unless ``lower_is_better``.

    Examples
    --------
    >>> num(-50_000, "tonnes", signed=True)
    Cell(text='-50.0 kt', value=-50000.0, css='num neg', cites=())
    >>> num(0.8, "share").text
    '80%'
    """
    f = _finite(value)
    if f is None:
        return Cell("–", None, "num")
    if kind == "tonnes":
        shown = fmt_tonnes(f)
    elif kind == "usd":
        shown = fmt_usd(f)
    elif kind == "year":
        shown = f"{f:.0f}"
    elif kind == "tkm":
        shown = f"{f / 1e9:,.3f} bn tkm"
    elif kind == "share":
        shown = f"{f:.0%}"
    else:
        shown = fmt_float(f, digits)
    css = "num"
    if signed:
        shown = fmt_signed(shown, f)
        tol = 0.5 * 10.0**-digits if kind == "float" else 0.5
        good = -f if lower_is_better else f
        css += " pos" if good > tol else " neg" if good < -tol else ""
    return Cell(shown, f, css)


def text(value: Any, *, cites: tuple[Citation, ...] = ()) -> Cell:
    """A text cell (missing values show as an empty cell)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell("", None, "", cites)
    return Cell(str(value), None, "", cites)


def cells_by_column(columns: Sequence[Column], values: Mapping[str, Cell]) -> tuple[Cell, ...]:
    """Order cells by the columns (a missing one is an empty cell)."""
    return tuple(values.get(c.key, Cell("")) for c in columns)


def make_table(
    table_id: str,
    caption: str,
    columns: tuple[Column, ...],
    rows: Sequence[tuple[str, Mapping[str, Cell]]],
    note: str = "",
) -> Table:
    """A table from rows given as ``(key, {column key: cell})``."""
    return Table(
        table_id,
        caption,
        columns,
        tuple(Row(key, cells_by_column(columns, values)) for key, values in rows),
        note,
    )
