"""Dated status events: openings, closures and suspensions of links, and a link's state on a day.

The atlas's ``status`` column describes each link on the atlas's ``as_of`` date. The events of
``status_events.yaml`` say when that state began and ended (and what came before), so the
network can be built for any day:

- a ``closed`` or ``suspended`` event puts its links in that state from ``start_date`` to
  ``end_date`` (inclusive; no end date: still in force on the as-of date and assumed to last);
- an ``operational`` event opens its links on ``start_date``; before that day they are not
  yet open (``under_construction``).

A *seasonal* event (``every_year: true``) repeats the month and day of its ``start_date`` to
``end_date`` window every year from the start date's year on (the window may run over the new
year: 30 Nov to 1 May). A seasonal closure shuts its links for the window; a seasonal
restriction (``capacity_share``, status ``operational``) keeps them open at that share of their
capacity. Seasonal events never open a link.

A link's state on a day is that of the in-force event that started last. With no event in
force, a link the atlas records as closed or suspended *because of an event* (an event of the
link in force on the as-of date) is operational; any other link keeps its atlas status (for
example a suspension the atlas gives without dates holds on every day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from caravan.errors import InputError
from caravan.model.records import LinkStatus
from caravan.model.values import parse_date

if TYPE_CHECKING:
    from caravan.model.atlas import Atlas

__all__ = [
    "EVENT_STATUSES",
    "LinkState",
    "StatusEvent",
    "atlas_on_date",
    "default_date",
    "event_warning",
    "events_on",
    "events_touching",
    "link_states",
    "parse_day",
]

#: The states an event can put a link in.
EVENT_STATUSES: tuple[LinkStatus, ...] = (
    LinkStatus.OPERATIONAL,
    LinkStatus.CLOSED,
    LinkStatus.SUSPENDED,
)


def parse_day(value: str | dt.date, *, what: str = "date") -> dt.date:
    """A calendar day from ``YYYY-MM-DD`` (or a date), with a clear error otherwise.

    The text is read by the atlas's one strict date parser
    (:func:`caravan.model.values.parse_date`), which must find a whole day.

    Examples
    --------
    >>> parse_day("2025-10-20")
    datetime.date(2025, 10, 20)
    >>> parse_day("20/10/2025")
    Traceback (most recent call last):
    ...
    caravan.errors.InputError: date '20/10/2025' is not a day YYYY-MM-DD (e.g. 2025-06-01)
    >>> parse_day("2025-02-30")
    Traceback (most recent call last):
    ...
    caravan.errors.InputError: date '2025-02-30' is not a day YYYY-MM-DD (e.g. 2025-06-01): \
'2025-02-30' is not a real date (day is out of range for month)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    msg = f"{what} {value!r} is not a day YYYY-MM-DD (e.g. 2025-06-01)"
    try:
        text = parse_date(str(value))
    except ValueError as exc:
        detail = str(exc)
        raise InputError(msg if "is not a date" in detail else f"{msg}: {detail}") from None
    if len(text) != len("2025-06-01"):
        raise InputError(f"{msg}: a whole day is needed")
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class StatusEvent:
    """One dated opening, closure or suspension of one or more links.

    Examples
    --------
    >>> e = StatusEvent("x", "Closure", ("a",), LinkStatus.SUSPENDED, "2025-10-12", None, ("s",))
    >>> e.in_force(parse_day("2025-11-01")), e.in_force(parse_day("2025-10-11"))
    (True, False)
    """

    event_id: str
    name: str
    link_ids: tuple[str, ...]
    status: LinkStatus
    start_date: str
    end_date: str | None
    source_ids: tuple[str, ...]
    notes: str = ""
    #: Seasonal: the window repeats every year (see the module docstring).
    every_year: bool = False
    #: What the event bars or restricts (e.g. "heavy goods vehicles"), for warnings.
    vehicles: str = ""
    #: A seasonal restriction: the share of the links' capacity left in the window.
    capacity_share: float | None = None

    @property
    def start(self) -> dt.date:
        """The first day of the event (of its first season, when seasonal)."""
        return parse_day(self.start_date)

    @property
    def end(self) -> dt.date | None:
        """The last day of the event (None: no end recorded; of its first season if seasonal)."""
        return None if self.end_date is None else parse_day(self.end_date)

    @property
    def restricts(self) -> bool:
        """Whether the event restricts capacity rather than setting a status."""
        return self.capacity_share is not None

    def window(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """A seasonal event's first and last (month, day) of each year's window."""
        end = self.end or self.start
        return (self.start.month, self.start.day), (end.month, end.day)

    def in_force(self, day: dt.date) -> bool:
        """Whether the event holds on ``day``; an opening holds from its start date on.

        Examples
        --------
        >>> e = StatusEvent("w", "Winter", ("a",), LinkStatus.CLOSED, "2000-11-30",
        ...                 "2001-05-01", ("s",), every_year=True)
        >>> [e.in_force(parse_day(d)) for d in ("2025-01-15", "2025-05-01", "2025-05-02")]
        [True, True, False]
        """
        if self.every_year:
            if day < self.start:
                return False
            first, last = self.window()
            md = (day.month, day.day)
            if first <= last:
                return first <= md <= last
            return md >= first or md <= last
        end = self.end
        return self.start <= day and (end is None or day <= end)

    def season_text(self) -> str:
        """``"every year 30 Nov - 1 May"`` for a seasonal event, else ``""``."""
        if not self.every_year:
            return ""
        end = self.end or self.start
        return f"every year {self.start:%-d %b} - {end:%-d %b}"

    def to_dict(self) -> dict[str, object]:
        """Plain data (for JSON and warnings)."""
        return {
            "event_id": self.event_id,
            "name": self.name,
            "status": self.status.value,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "link_ids": list(self.link_ids),
            "source_ids": list(self.source_ids),
            "every_year": self.every_year,
            "season": self.season_text(),
            "vehicles": self.vehicles,
            "capacity_share": self.capacity_share,
        }


@dataclass(frozen=True)
class LinkState:
    """A link's status on a day and the event that set it (None: the atlas status holds)."""

    link_id: str
    status: LinkStatus
    event: StatusEvent | None


def default_date(atlas: Atlas, year: int | None = None) -> dt.date:
    """The day a network is built for when none is given.

    The atlas's as-of date when no year is given or the year is the as-of year, else
    1 July of the year (mid-year, so a yearly network reflects a typical day).

    Examples
    --------
    >>> from caravan import load_atlas
    >>> atlas = load_atlas()
    >>> default_date(atlas), default_date(atlas, 2024)
    (datetime.date(2025, 11, 30), datetime.date(2024, 7, 1))
    """
    as_of = parse_day(atlas.as_of, what="atlas as_of") if atlas.as_of else None
    if as_of is not None and (year is None or year == as_of.year):
        return as_of
    if year is None:
        raise InputError("the atlas has no as_of date; give a date (YYYY-MM-DD)")
    return dt.date(int(year), 7, 1)


def _events_by_link(events: Iterable[StatusEvent]) -> dict[str, list[StatusEvent]]:
    out: dict[str, list[StatusEvent]] = {}
    for e in events:
        for link_id in e.link_ids:
            out.setdefault(link_id, []).append(e)
    return out


def link_states(atlas: Atlas, day: str | dt.date, *, seasonal: bool = True) -> dict[str, LinkState]:
    """Each link's state on ``day`` (see the module docstring for the rule).

    ``seasonal=False`` leaves the seasonal closures out (a yearly run applies them season by
    season, :mod:`caravan.results.seasons`).

    Examples
    --------
    >>> from caravan import load_atlas
    >>> atlas = load_atlas()
    >>> s = link_states(atlas, "2025-10-20")["rd-spin-boldak-chaman"]
    >>> s.status.value, s.event.event_id
    ('suspended', 'afpak-closure-2025-10')
    >>> link_states(atlas, "2024-06-01")["rd-spin-boldak-chaman"].status.value
    'operational'
    """
    when = parse_day(day)
    as_of = parse_day(atlas.as_of) if atlas.as_of else None
    by_link = _events_by_link(
        e for e in atlas.status_events if not e.restricts and not e.every_year
    )
    seasons = _events_by_link(
        e for e in atlas.status_events if seasonal and e.every_year and not e.restricts
    )
    out = _dated_states(atlas, when, by_link, as_of)
    for link_id, events in seasons.items():
        now = [e for e in events if e.in_force(when)]
        base = out.get(link_id)
        if now and base is not None and base.status is LinkStatus.OPERATIONAL:
            event = max(now, key=lambda e: e.start)
            out[link_id] = LinkState(link_id, event.status, event)
    return out


def _dated_states(
    atlas: Atlas,
    when: dt.date,
    by_link: Mapping[str, list[StatusEvent]],
    as_of: dt.date | None,
) -> dict[str, LinkState]:
    """Each link's state on ``when`` from its dated (not seasonal) events."""
    out: dict[str, LinkState] = {}
    for link_id, status in zip(
        atlas.links_frame["link_id"], atlas.links_frame["status"], strict=True
    ):
        lid, st = str(link_id), LinkStatus(status)
        events = by_link.get(lid, [])
        now = [e for e in events if e.in_force(when) and e.status is not LinkStatus.OPERATIONAL]
        if now:
            event = max(now, key=lambda e: e.start)
            out[lid] = LinkState(lid, event.status, event)
            continue
        opening = [e for e in events if e.status is LinkStatus.OPERATIONAL]
        if opening and when < min(e.start for e in opening):
            first = min(opening, key=lambda e: e.start)
            out[lid] = LinkState(lid, LinkStatus.UNDER_CONSTRUCTION, first)
            continue
        if opening:
            last = max((e for e in opening if e.start <= when), key=lambda e: e.start)
            out[lid] = LinkState(lid, LinkStatus.OPERATIONAL, last)
            continue
        explained = as_of is not None and any(e.in_force(as_of) and e.status is st for e in events)
        if st in (LinkStatus.CLOSED, LinkStatus.SUSPENDED) and explained:
            out[lid] = LinkState(lid, LinkStatus.OPERATIONAL, None)
        else:
            out[lid] = LinkState(lid, st, None)
    return out


def atlas_on_date(atlas: Atlas, day: str | dt.date, *, seasonal: bool = True) -> Atlas:
    """The atlas with each link's status as on ``day`` (``meta["date"]`` records the day).

    A link opened by an event gets the event's year as ``open_year``; a seasonal restriction
    in force scales its links' capacities by its ``capacity_share``. ``seasonal=False`` leaves
    seasonal closures and restrictions out.
    """
    when = parse_day(day)
    states = link_states(atlas, when, seasonal=seasonal)
    links = atlas.links
    links["status"] = [states[str(x)].status.value for x in links["link_id"]]
    for event in atlas.status_events:
        if seasonal and event.restricts and event.in_force(when):
            hit = links["link_id"].isin(event.link_ids)
            for column in ("capacity_mtpa", "capacity_mtpa_low", "capacity_mtpa_high"):
                links.loc[hit, column] = links.loc[hit, column] * float(event.capacity_share or 1.0)
    opened: Mapping[str, int] = {
        lid: s.event.start.year
        for lid, s in states.items()
        if s.status is LinkStatus.OPERATIONAL and s.event is not None
    }
    for lid, year in opened.items():
        links.loc[links["link_id"] == lid, "open_year"] = year
    meta = {**atlas.meta, "date": when.isoformat()}
    return dataclasses.replace(atlas, links_frame=links, meta=meta)


def events_on(atlas: Atlas, day: str | dt.date, link_ids: Iterable[str]) -> list[StatusEvent]:
    """The closures and suspensions in force on ``day`` on any of ``link_ids`` (by start)."""
    when = parse_day(day)
    wanted = set(link_ids)
    hits = [
        e
        for e in atlas.status_events
        if (e.status is not LinkStatus.OPERATIONAL or e.restricts)
        and e.in_force(when)
        and wanted.intersection(e.link_ids)
    ]
    return sorted(hits, key=lambda e: (e.start, e.event_id))


def events_touching(atlas: Atlas, day: str | dt.date, node_ids: Iterable[str]) -> list[StatusEvent]:
    """Closures and suspensions in force on ``day`` on links with an end at one of ``node_ids``.

    These are the events a route through those places runs into (or goes round).
    """
    places = set(node_ids)
    frame = atlas.links_frame
    near = frame["from_node_id"].isin(places) | frame["to_node_id"].isin(places)
    return events_on(atlas, day, (str(x) for x in frame.loc[near, "link_id"]))


def event_warning(atlas: Atlas, event: StatusEvent, day: str | dt.date) -> dict[str, Any]:
    """A warning record for one event in force on ``day``: what, since when, and its sources."""
    sources = {s.source_id: s for s in atlas.sources}
    until = f"to {event.end_date}" if event.end_date else "with no end recorded"
    when = (
        f"season: {event.season_text()}" if event.every_year else f"from {event.start_date} {until}"
    )
    state = (
        f"restricted to {event.capacity_share:.0%} of capacity"
        if event.restricts
        else event.status.value
    )
    barred = f"; {event.vehicles}" if event.vehicles else ""
    return {
        **event.to_dict(),
        "date": parse_day(day).isoformat(),
        "message": (
            f"{', '.join(event.link_ids)} {state} on {parse_day(day).isoformat()}: "
            f"{event.name} ({when}{barred})"
        ),
        "sources": [
            {
                "source_id": sid,
                "title": sources[sid].title if sid in sources else None,
                "url": sources[sid].url if sid in sources else None,
            }
            for sid in event.source_ids
        ],
    }
