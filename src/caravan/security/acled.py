"""Importing ACLED exports: check the columns, keep the good rows, report the bad ones by line."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from caravan.errors import InputError, Problem
from caravan.model.atlas import fold_name
from caravan.security.event_rows import ACLED_REQUIRED_COLUMNS, parse_event_rows
from caravan.security.records import Actor, Event

__all__ = [
    "AcledImport",
    "check_acled_columns",
    "merge_events",
    "parse_acled",
    "resolve_actor_ids",
]


@dataclass(frozen=True)
class AcledImport:
    """The outcome of reading an ACLED export: the good rows as events, the bad rows as problems."""

    file: str
    n_rows: int
    events: tuple[Event, ...]
    problems: tuple[Problem, ...]

    @property
    def n_bad_rows(self) -> int:
        """How many rows were dropped (each has at least one problem)."""
        return len({p.row for p in self.problems})


def check_acled_columns(header: Sequence[str], *, file: str) -> None:
    """Raise when an export lacks any of ACLED's ten required columns (extra ones are fine).

    Examples
    --------
    >>> check_acled_columns(["event_date", "actor1"], file="x.csv")
    Traceback (most recent call last):
    ...
    caravan.errors.InputError: x.csv: missing ACLED column(s) event_type, sub_event_type, ...
    """
    present = {h.strip() for h in header}
    missing = [c for c in ACLED_REQUIRED_COLUMNS if c not in present]
    if missing:
        shown = ", ".join(missing[:2]) + (", ..." if len(missing) > 2 else "")
        msg = (
            f"{file}: missing ACLED column(s) {shown} (all missing: {', '.join(missing)}); "
            f"an export needs: {', '.join(ACLED_REQUIRED_COLUMNS)}"
        )
        raise InputError(msg)


def _name_keys(name: str) -> set[str]:
    keys = {fold_name(name)}
    keys.add(fold_name(re.sub(r"\(.*?\)", "", name)))
    if ":" in name:
        head, _, tail = name.partition(":")
        keys |= {fold_name(head), fold_name(tail)}
    return {k for k in keys if k}


def resolve_actor_ids(events: Iterable[Event], actors: Iterable[Actor]) -> tuple[Event, ...]:
    """Fill ``actor1_id``/``actor2_id`` where an ACLED actor name matches one actor's names.

    ACLED writes ``"TTP: Tehreek-i-Taliban Pakistan"`` or ``"Military Forces of Pakistan
    (2018-)"``; the part before or after a colon, or without the parenthesis, may match a name
    or alias. A name that matches several actors is left unresolved.

    Examples
    --------
    >>> import datetime as dt
    >>> from caravan.security.records import ActorKind, EventType
    >>> ttp = Actor("ttp", "Tehrik-i-Taliban Pakistan", ActorKind.ARMED_GROUP, ("s",),
    ...             aliases=("TTP",))
    >>> e = Event("e", dt.date(2024, 3, 1), EventType.BATTLES, "Armed clash",
    ...           "TTP: Tehreek-i-Taliban Pakistan", "Pakistan", "PAK", ("acled",))
    >>> resolve_actor_ids([e], [ttp])[0].actor1_id
    'ttp'
    """
    index: dict[str, set[str]] = {}
    for a in actors:
        for n in a.names():
            index.setdefault(fold_name(n), set()).add(a.actor_id)

    def match(name: str) -> str | None:
        hits: set[str] = set()
        for key in _name_keys(name):
            hits |= index.get(key, set())
        return next(iter(hits)) if len(hits) == 1 else None

    out = []
    for e in events:
        out.append(
            dataclasses.replace(
                e,
                actor1_id=e.actor1_id or (match(e.actor1) if e.actor1 else None),
                actor2_id=e.actor2_id or (match(e.actor2) if e.actor2 else None),
            )
        )
    return tuple(out)


def parse_acled(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    file: str,
    actors: Iterable[Actor] = (),
) -> AcledImport:
    """Events from the rows of an ACLED export; each bad row is reported by its line and dropped.

    Parameters
    ----------
    rows : iterable of (int, mapping)
        ``(line number, row)`` pairs; the header is line 1.
    file : str
        The file's name, for the problems.
    actors : iterable of Actor
        Caravan's actors, to resolve ACLED actor names to ids.

    Examples
    --------
    >>> good = {"event_date": "2024-12-24", "event_type": "Battles",
    ...         "sub_event_type": "Armed clash", "actor1": "Taliban", "actor2": "",
    ...         "country": "Afghanistan", "admin1": "Paktika", "latitude": "32.5",
    ...         "longitude": "68.9", "fatalities": "1"}
    >>> out = parse_acled([(2, good), (3, {**good, "latitude": "132.5"})], file="a.csv")
    >>> len(out.events), [(p.row, p.field) for p in out.problems]
    (1, [(3, 'latitude')])
    """
    rows = list(rows)
    events, problems = parse_event_rows(rows, file=file, acled=True)
    return AcledImport(file, len(rows), resolve_actor_ids(events, actors), tuple(problems))


def merge_events(
    existing: Iterable[Event], new: Iterable[Event]
) -> tuple[tuple[Event, ...], int, int]:
    """Merge events by id: new ids are added, known ids replaced; sorted by date and id.

    Returns
    -------
    tuple
        ``(events, n_added, n_replaced)``.

    Examples
    --------
    >>> merge_events([], [])
    ((), 0, 0)
    """
    merged = {e.event_id: e for e in existing}
    added = replaced = 0
    for e in new:
        if e.event_id in merged:
            replaced += 1
        else:
            added += 1
        merged[e.event_id] = e
    out = tuple(sorted(merged.values(), key=lambda e: (e.event_date, e.event_id)))
    return out, added, replaced
