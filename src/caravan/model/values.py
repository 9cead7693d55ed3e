"""Numbers, whole numbers and dates from text: one strict parser each, shared by every reader.

Python's own ``float`` and ``int`` accept more than a data file should: ``1_000`` (a Python
literal), Arabic-Indic and other Unicode digits (``٣``), ``inf``, ``nan`` and 5,000-digit
integers. These parsers accept plain ASCII decimal notation only and raise ``ValueError`` with a
short message (never echoing more than :data:`MAX_SHOWN` characters of the value), which the
readers turn into a problem with file, row and field.
"""

from __future__ import annotations

import datetime as dt
import math
import re

__all__ = [
    "MAX_NUMBER_CHARS",
    "MAX_SHOWN",
    "clip",
    "parse_date",
    "parse_decimal",
    "parse_whole",
    "shown",
]

#: Longest number text accepted (a float needs ~25 characters; 5,000-digit years are refused).
MAX_NUMBER_CHARS = 40
#: Longest part of a bad value quoted back in a message.
MAX_SHOWN = 60

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)
_WHOLE = re.compile(r"[+-]?[0-9]+(?:\.0*)?", re.ASCII)
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", re.ASCII)


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """Text cut to ``limit`` characters, saying how much was cut.

    Examples
    --------
    >>> clip("x" * 100, 10)
    'xxxxxxxxxx… (100 characters)'
    >>> clip("short")
    'short'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A value quoted for a message (``repr``), cut to a bounded length.

    Examples
    --------
    >>> shown("a\\x00b")
    "'a\\\\x00b'"
    >>> len(shown("9" * 5000)) < 100
    True
    """
    text = repr(value) if isinstance(value, str) else str(value)
    return clip(text, limit)


def parse_decimal(text: str) -> float:
    """A finite number written in plain decimal notation (``12``, ``-0.5``, ``1.2e3``).

    Raises
    ------
    ValueError
        For anything else: underscores, non-ASCII digits, ``inf``/``nan``, hex, more than
        :data:`MAX_NUMBER_CHARS` characters, or a value that overflows.

    Examples
    --------
    >>> parse_decimal(" 12.5 "), parse_decimal("1e3")
    (12.5, 1000.0)
    >>> parse_decimal("1_000")
    Traceback (most recent call last):
    ...
    ValueError: '1_000' is not a plain decimal number (digits 0-9)
    """
    body = text.strip()
    if len(body) > MAX_NUMBER_CHARS:
        raise ValueError(f"{shown(body)} is too long for a number")
    if not _DECIMAL.fullmatch(body):
        raise ValueError(f"{shown(body)} is not a plain decimal number (digits 0-9)")
    value = float(body)
    if not math.isfinite(value):
        raise ValueError(f"{shown(body)} is not a finite number")
    return value


def parse_whole(text: str) -> int:
    """A whole number in plain decimal digits (``2025``, ``-3``, ``12.0``).

    Raises
    ------
    ValueError
        For anything else, including non-ASCII digits (``٣``, ``²``) and numbers longer
        than :data:`MAX_NUMBER_CHARS` characters.

    Examples
    --------
    >>> parse_whole("2025"), parse_whole("7.0")
    (2025, 7)
    >>> parse_whole("٣")
    Traceback (most recent call last):
    ...
    ValueError: '٣' is not a whole number in digits 0-9
    """
    body = text.strip()
    if len(body) > MAX_NUMBER_CHARS:
        raise ValueError(f"{shown(body)} is too long for a whole number")
    if not _WHOLE.fullmatch(body):
        raise ValueError(f"{shown(body)} is not a whole number in digits 0-9")
    return int(body.split(".")[0])


def parse_date(text: str, *, earliest: int = 1000, latest: int = 2999) -> str:
    """A real calendar date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, returned as written.

    Raises
    ------
    ValueError
        When the text has another form, names a day that does not exist (``2025-02-30``)
        or a year outside ``earliest .. latest``.

    Examples
    --------
    >>> parse_date("2024-02-29"), parse_date("2025-04"), parse_date("2025")
    ('2024-02-29', '2025-04', '2025')
    >>> parse_date("2025-02-30")
    Traceback (most recent call last):
    ...
    ValueError: '2025-02-30' is not a real date (day is out of range for month)
    """
    body = text.strip()
    match = _DATE.fullmatch(body) if len(body) <= 10 else None
    if match is None:
        raise ValueError(f"{shown(body)} is not a date YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    if not earliest <= int(year) <= latest:
        raise ValueError(f"{shown(body)}: the year must be between {earliest} and {latest}")
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{shown(body)} is not a real date ({exc})") from None
    return body
