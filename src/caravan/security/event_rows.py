"""Parsing rows of ``security/events.csv`` and of ACLED exports into events, every problem at once.

The functions here take rows already read from a CSV file (``caravan.io.security`` reads them)
and return events plus problems; nothing here opens a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from caravan.errors import Problem
from caravan.io._fields import parse_csv_cell
from caravan.model.schema import Field, Kind, vocabulary
from caravan.model.values import parse_whole, shown
from caravan.security.countries import country_iso3
from caravan.security.records import SUB_EVENT_TYPES, Event, EventType

__all__ = [
    "ACLED_REQUIRED_COLUMNS",
    "EARLIEST_EVENT_DATE",
    "EVENTS_FILE",
    "EVENT_COLUMNS",
    "parse_event_row",
    "parse_event_rows",
    "unsafe_cell",
]

EVENTS_FILE = "security/events.csv"

#: The ten columns an ACLED export must have for ``caravan security import``.
ACLED_REQUIRED_COLUMNS: tuple[str, ...] = (
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "latitude",
    "longitude",
    "fatalities",
)

#: Columns of ``security/events.csv``: ACLED's, then Caravan's (ids, sources, aggregates).
EVENT_COLUMNS: tuple[Field, ...] = (
    Field("event_id", required=True),
    Field("event_date", required=True),
    Field("time_precision", Kind.INT, minimum=1, maximum=3),
    Field("event_type", required=True, vocab=vocabulary(EventType)),
    Field("sub_event_type", required=True),
    Field("actor1", required=True),
    Field("actor1_id"),
    Field("actor2"),
    Field("actor2_id"),
    Field("country", required=True),
    Field("iso3"),
    Field("admin1"),
    Field("location"),
    Field("latitude", Kind.FLOAT, minimum=-90, maximum=90),
    Field("longitude", Kind.FLOAT, minimum=-180, maximum=180),
    Field("geo_precision", Kind.INT, minimum=1, maximum=3),
    Field("fatalities", Kind.INT, minimum=0, maximum=100_000),
    Field("event_count", Kind.INT, minimum=1, maximum=100_000),
    Field("covered_by"),
    Field("source"),
    Field("source_ids", Kind.LIST, required=True),
    Field("quote"),
    Field("notes"),
)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


#: The earliest event date accepted (ACLED's coverage starts in 1997).
EARLIEST_EVENT_DATE = dt.date(1900, 1, 1)
#: Characters that make a spreadsheet read a cell as a formula, when they start it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?]|javascript:", re.IGNORECASE)


def _parse_event_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text.isascii() or len(text) > 30:
        return None
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def unsafe_cell(text: str) -> str | None:
    """Why a text cell may not be stored as it is, or ``None`` when it is safe.

    A cell that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) runs as one when
    ``events.csv`` is opened in a spreadsheet; a cell with HTML markup would run in a page that
    shows it. Such cells are refused with a clear problem rather than written.

    Examples
    --------
    >>> unsafe_cell("=cmd|' /C calc'!A0")
    "starts with '=' (a spreadsheet formula)"
    >>> unsafe_cell("<script>alert(1)</script>")
    'holds HTML markup'
    >>> unsafe_cell("Taliban") is None
    True
    """
    if text[:1] in _FORMULA_STARTS:
        return f"starts with {text[:1]!r} (a spreadsheet formula)"
    if _MARKUP.search(text):
        return "holds HTML markup"
    return None


def parse_event_row(
    row: Mapping[str, str],
    *,
    line: int,
    file: str = EVENTS_FILE,
    acled: bool = False,
) -> tuple[Event | None, list[Problem]]:
    """One event from a CSV row (``security/events.csv``, or an ACLED export when ``acled``).

    With ``acled``, Caravan's own columns may be missing: the id comes from ACLED's
    ``event_id_cnty`` (or is made from the row), ``source_ids`` defaults to ``acled``, and
    ``actor1``/``country`` may not be empty. The row is kept only when it has no problem.

    Examples
    --------
    >>> row = {"event_date": "2024-12-24", "event_type": "Explosions/Remote violence",
    ...        "sub_event_type": "Air/drone strike", "actor1": "Military Forces of Pakistan",
    ...        "actor2": "TTP", "country": "Afghanistan", "admin1": "Paktika",
    ...        "latitude": "", "longitude": "", "fatalities": "46"}
    >>> event, problems = parse_event_row(row, line=2, acled=True)
    >>> event.iso3, event.fatalities, problems
    ('AFG', 46, [])
    >>> parse_event_row({**row, "fatalities": "many"}, line=3, acled=True)[1][0].field
    'fatalities'
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def bad(name: str, message: str, fix: str) -> None:
        problems.append(Problem(file, line, name, message, fix))

    for spec in EVENT_COLUMNS:
        text = _text(row.get(spec.name)).strip()
        if spec.name == "event_date":
            day = _parse_event_date(text)
            if day is None:
                bad("event_date", f"{shown(text)} is not a date", "write the date as YYYY-MM-DD")
            elif not EARLIEST_EVENT_DATE <= day <= dt.date.today() + dt.timedelta(days=1):
                bad(
                    "event_date",
                    f"{day.isoformat()} is outside {EARLIEST_EVENT_DATE.isoformat()} .. today",
                    "check the date: events cannot be in the future or before 1900",
                )
                day = None
            values["event_date"] = day
            continue
        if spec.kind is Kind.STR or spec.kind is Kind.LIST:
            why = unsafe_cell(text)
            if why:
                bad(spec.name, f"{shown(text)} {why}", _UNSAFE_FIX)
                values[spec.name] = None
                continue
        value, err = parse_csv_cell(text, spec)
        if err:
            bad(spec.name, err, _fix(spec))
        values[spec.name] = value
    for name in ("event_id_cnty", "iso", "source", "notes"):  # raw cells read below
        why = unsafe_cell(_text(row.get(name)).strip())
        if why and not any(p.field == name for p in problems):
            bad(name, f"{shown(_text(row.get(name)).strip())} {why}", _UNSAFE_FIX)
    if acled:
        values["event_id"] = values["event_id"] or _text(row.get("event_id_cnty")).strip() or None
        values["source_ids"] = values["source_ids"] or ("acled",)
        if not values["iso3"]:
            iso = _text(row.get("iso")).strip()
            try:
                numeric = parse_whole(iso) if iso else None
            except ValueError as exc:
                bad("iso", str(exc), "give ACLED's numeric country code in digits 0-9, or none")
                numeric = None
            values["iso3"] = country_iso3(values["country"] or "", iso_numeric=numeric)
    for spec in EVENT_COLUMNS:
        missing = spec.required and values.get(spec.name) in (None, "", ())
        exempt = spec.name == "event_date" or (acled and spec.name == "event_id")
        if missing and not exempt and not any(p.field == spec.name for p in problems):
            bad(spec.name, "missing required value", f"add {spec.name}")
    etype, sub = values["event_type"], values["sub_event_type"]
    if etype and sub and sub not in SUB_EVENT_TYPES[EventType(etype)]:
        bad(
            "sub_event_type",
            f"{sub!r} is not a sub-event type of {etype!r}",
            "use one of: " + ", ".join(SUB_EVENT_TYPES[EventType(etype)]),
        )
    country = values["country"]
    if country:
        known = country_iso3(country)
        iso3 = values["iso3"]
        if known is None and not iso3:
            bad(
                "country",
                f"unknown country {country!r}",
                "write the country as ACLED names it (e.g. 'Afghanistan', 'Iran') or add an "
                "iso3 column",
            )
        elif known is not None and iso3 and iso3.upper() != known:
            bad("iso3", f"{iso3!r} does not match country {country!r} ({known})", f"use {known}")
        values["iso3"] = (iso3 or known or "").upper()
    lat, lon = values["latitude"], values["longitude"]
    if (lat is None) != (lon is None) and not any(
        p.field in ("latitude", "longitude") for p in problems
    ):
        bad("latitude", "latitude and longitude must be given together", "give both or neither")
    if problems:
        return None, problems
    if values["event_id"] is None:  # an ACLED row without event_id_cnty
        values["event_id"] = _made_id(values)
    event = Event(
        event_id=values["event_id"],
        event_date=values["event_date"],
        event_type=EventType(etype),
        sub_event_type=sub,
        actor1=values["actor1"],
        country=country,
        iso3=values["iso3"],
        source_ids=tuple(values["source_ids"]),
        actor2=values["actor2"] or "",
        actor1_id=values["actor1_id"],
        actor2_id=values["actor2_id"],
        admin1=values["admin1"],
        location=values["location"] or "",
        latitude=lat,
        longitude=lon,
        fatalities=values["fatalities"],
        event_count=values["event_count"] or 1,
        covered_by=values["covered_by"],
        time_precision=values["time_precision"],
        geo_precision=values["geo_precision"],
        source=values["source"] or _text(row.get("source")).strip(),
        quote=values["quote"] or "",
        notes=values["notes"] or _text(row.get("notes")).strip(),
    )
    return event, []


def parse_event_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    file: str = EVENTS_FILE,
    acled: bool = False,
    rows_out: list[int] | None = None,
) -> tuple[list[Event], list[Problem]]:
    """The events of CSV rows, given as ``(line number, row)`` pairs; see :func:`parse_event_row`.

    A row with a problem is dropped and its problems reported; ``rows_out`` gets the line of
    each event kept.

    Examples
    --------
    >>> row = {"event_id": "e1", "event_date": "2024-12-24", "event_type": "Battles",
    ...        "sub_event_type": "Armed clash", "actor1": "Taliban", "country": "Afghanistan",
    ...        "source_ids": "jamal-2025-jihadist-networks"}
    >>> lines = []
    >>> events, problems = parse_event_rows([(2, row), (3, {**row, "fatalities": "-1"})],
    ...                                     rows_out=lines)
    >>> [e.event_id for e in events], lines, [(p.row, p.field) for p in problems]
    (['e1'], [2], [(3, 'fatalities')])
    """
    events: list[Event] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        event, probs = parse_event_row(row, line=line, file=file, acled=acled)
        problems += probs
        if event is not None and acled:  # events.csv duplicates are reported by its validator
            if event.event_id in first_line:
                problems.append(
                    Problem(
                        file,
                        line,
                        "event_id_cnty",
                        f"duplicate event id {shown(event.event_id)} (first at line "
                        f"{first_line[event.event_id]}); the row was not imported",
                        "keep one row per ACLED event",
                    )
                )
                continue
            first_line[event.event_id] = line
        if event is not None:
            events.append(event)
            if rows_out is not None:
                rows_out.append(line)
    return events, problems


_UNSAFE_FIX = "remove the leading =, +, - or @ and any <markup> from the cell"


def _fix(spec: Field) -> str:
    if spec.vocab:
        return f"use one of: {', '.join(spec.vocab)}"
    if spec.kind is Kind.FLOAT and spec.minimum is not None and spec.maximum is not None:
        return f"give a number between {spec.minimum:g} and {spec.maximum:g}"
    if spec.kind is Kind.INT:
        return "give a whole number" + (
            f" of at least {spec.minimum:g}" if spec.minimum is not None else ""
        )
    return f"give {spec.name}"


def _made_id(values: Mapping[str, Any]) -> str:
    key = "|".join(
        _text(values.get(k))
        for k in ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "country")
    )
    key += "|" + "|".join(_text(values.get(k)) for k in ("admin1", "latitude", "longitude"))
    return "ev-" + hashlib.sha256(key.encode()).hexdigest()[:12]
