"""Frozen records of the security layer: actors, dated relations between them, and events."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from caravan.errors import InputError, NotFoundError
from caravan.model.atlas import _suggest, fold_name
from caravan.model.records import Source

__all__ = [
    "SUB_EVENT_TYPES",
    "Actor",
    "ActorKind",
    "BasedIn",
    "Confidence",
    "Event",
    "EventType",
    "Predicate",
    "Relation",
    "SecurityData",
    "parse_partial_date",
    "records_frame",
]


class ActorKind(enum.StrEnum):
    """What an actor is."""

    STATE = "state"
    GOVERNMENT = "government"  # a de facto or contested government (the Taliban's)
    ARMED_GROUP = "armed_group"
    ORGANISATION = "organisation"
    PERSON = "person"


class Predicate(enum.StrEnum):
    """What one actor does to, or is to, another (``subject predicate object``)."""

    RECOGNISES = "recognises"
    DESIGNATES_TERRORIST = "designates_terrorist"
    DELISTS = "delists"
    SHELTERS = "shelters"
    SUPPORTS = "supports"
    FUNDS = "funds"
    TRAINS = "trains"
    DEPLOYS = "deploys"
    FIGHTS = "fights"
    TARGETS = "targets"
    THREATENS = "threatens"
    ALLIED_WITH = "allied_with"
    TIES_WITH = "ties_with"
    FACTION_OF = "faction_of"
    AFFILIATE_OF = "affiliate_of"
    LEADS = "leads"
    REPRESENTS = "represents"
    HOSTS = "hosts"
    ENGAGES = "engages"
    SIGNS_AGREEMENT = "signs_agreement"
    ACCUSES = "accuses"
    DEMANDS = "demands"
    WARNS = "warns"
    ENDORSES = "endorses"
    RELOCATES = "relocates"
    REFUSES_EXTRADITION = "refuses_extradition"
    REBUFFS = "rebuffs"
    RIVALS = "rivals"


class Confidence(enum.StrEnum):
    """How firmly the source states a relation."""

    STATED = "stated"  # the source states it as fact
    REPORTED = "reported"  # the source attributes it to others (UN reports, a government)
    ALLEGED = "alleged"  # the source calls it alleged, or notes a denial


class EventType(enum.StrEnum):
    """ACLED's event types."""

    BATTLES = "Battles"
    EXPLOSIONS = "Explosions/Remote violence"
    VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
    PROTESTS = "Protests"
    RIOTS = "Riots"
    STRATEGIC_DEVELOPMENTS = "Strategic developments"


#: ACLED's sub-event types, by event type.
SUB_EVENT_TYPES: dict[EventType, tuple[str, ...]] = {
    EventType.BATTLES: (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    EventType.EXPLOSIONS: (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    EventType.VIOLENCE_AGAINST_CIVILIANS: (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    EventType.PROTESTS: (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    EventType.RIOTS: ("Violent demonstration", "Mob violence"),
    EventType.STRATEGIC_DEVELOPMENTS: (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}


def parse_partial_date(text: str, *, end: bool = False) -> dt.date:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date as the first (or last) day it can mean.

    Raises
    ------
    InputError
        When the text is not such a date.

    Examples
    --------
    >>> parse_partial_date("2025-04"), parse_partial_date("2024", end=True)
    (datetime.date(2025, 4, 1), datetime.date(2024, 12, 31))
    """
    parts = text.strip().split("-")
    try:
        if len(parts) == 1 and len(parts[0]) == 4:
            year = int(parts[0])
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if len(parts) == 2 and len(parts[0]) == 4:
            year, month = int(parts[0]), int(parts[1])
            if not end:
                return dt.date(year, month, 1)
            nxt = dt.date(year + month // 12, month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        if len(parts) == 3:
            return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    msg = f"{text!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD"
    raise InputError(msg)


@dataclass(frozen=True)
class BasedIn:
    """Where an actor is based: a country and, optionally, provinces in it."""

    country_iso3: str
    admin1: tuple[str, ...] = ()


@dataclass(frozen=True)
class Actor:
    """A state, government, armed group, organisation or person that relations and events name."""

    actor_id: str
    name: str
    kind: ActorKind
    source_ids: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    country_iso3: str | None = None  # the state's own country, for states and governments
    based_in: tuple[BasedIn, ...] = ()
    notes: str = ""

    def names(self) -> tuple[str, ...]:
        """Id, name and aliases."""
        return (self.actor_id, self.name, *self.aliases)

    def countries(self) -> frozenset[str]:
        """ISO3 codes the actor belongs to or is based in."""
        out = {b.country_iso3 for b in self.based_in}
        if self.country_iso3:
            out.add(self.country_iso3)
        return frozenset(out)


@dataclass(frozen=True)
class Relation:
    """``subject predicate object``, dated, with the sentence of the source that states it.

    ``date`` is the day (or month, or year) of an act (Russia delists the Taliban); ``valid_from``
    and ``valid_to`` bound a state of affairs (the Taliban shelter al-Qaeda, 1996-2001). Dates
    may be partial: ``YYYY`` or ``YYYY-MM``.
    """

    relation_id: str
    subject_id: str
    predicate: Predicate
    object_id: str
    source_ids: tuple[str, ...]
    quote: str
    date: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    confidence: Confidence = Confidence.STATED
    notes: str = ""

    @property
    def start(self) -> str | None:
        """The earliest date the relation names (``date`` or ``valid_from``)."""
        return self.date or self.valid_from

    def active_on(self, day: dt.date) -> bool:
        """Whether the relation holds on ``day`` (undated bounds are open).

        Examples
        --------
        >>> r = Relation("r", "taliban", Predicate.SHELTERS, "al-qaeda",
        ...              ("jamal-2025-jihadist-networks",), "...",
        ...              valid_from="1996", valid_to="2001")
        >>> r.active_on(dt.date(1999, 5, 1)), r.active_on(dt.date(2003, 1, 1))
        (True, False)
        """
        start = self.start
        if start is not None and parse_partial_date(start) > day:
            return False
        return not (self.valid_to is not None and parse_partial_date(self.valid_to, end=True) < day)


@dataclass(frozen=True)
class Event:
    """A dated, placed event, in ACLED's terms plus Caravan's ids and sources.

    ``event_count`` is 1 for a single event; an aggregate row (a source's count of attacks in a
    province over a period, with no list of them) gives the count and says so in ``notes``.
    ``covered_by`` names the aggregate row that already counts this event (it then adds no
    weight of its own). ``fatalities`` is ``None`` when the source gives no figure.
    """

    event_id: str
    event_date: dt.date
    event_type: EventType
    sub_event_type: str
    actor1: str
    country: str
    iso3: str
    source_ids: tuple[str, ...]
    actor2: str = ""
    actor1_id: str | None = None
    actor2_id: str | None = None
    admin1: str | None = None
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    fatalities: int | None = None
    event_count: int = 1
    covered_by: str | None = None
    time_precision: int | None = None
    geo_precision: int | None = None
    source: str = ""
    quote: str = ""
    notes: str = ""

    def actor_ids(self) -> tuple[str, ...]:
        """The Caravan actor ids the event names."""
        return tuple(a for a in (self.actor1_id, self.actor2_id) if a)


def _matches(actor: Actor, query: str) -> bool:
    key = fold_name(query)
    return any(fold_name(n) == key for n in actor.names())


@dataclass(frozen=True)
class SecurityData:
    """The security layer of an atlas: actors, relations, events and its own extra sources.

    Examples
    --------
    >>> taliban = Actor("taliban", "Taliban", ActorKind.GOVERNMENT,
    ...                 ("jamal-2025-jihadist-networks",),
    ...                 aliases=("Islamic Emirate of Afghanistan",), country_iso3="AFG")
    >>> data = SecurityData(actors=(taliban,))
    >>> data.actor("islamic emirate of afghanistan").actor_id
    'taliban'
    """

    actors: tuple[Actor, ...] = ()
    relations: tuple[Relation, ...] = ()
    events: tuple[Event, ...] = ()
    sources: tuple[Source, ...] = ()
    path: str | None = field(default=None, compare=False)

    def actor(self, query: str) -> Actor:
        """An actor by id, name or alias (case- and accent-insensitive).

        Raises
        ------
        NotFoundError
            When no actor matches (with close names).
        """
        for a in self.actors:
            if _matches(a, query):
                return a

        names = [n for a in self.actors for n in a.names()]
        raise NotFoundError(f"unknown actor {query!r}" + _suggest(query, names))

    def find_actors(self, *, actor: str | None = None, country: str | None = None) -> list[Actor]:
        """Actors, optionally only one (by name) or those of a country (ISO3)."""
        out = list(self.actors)
        if actor:
            out = [self.actor(actor)]
        if country:
            out = [a for a in out if country.upper() in a.countries()]
        return out

    def find_relations(
        self,
        *,
        actor: str | None = None,
        country: str | None = None,
        since: dt.date | None = None,
        predicate: str | None = None,
    ) -> list[Relation]:
        """Relations naming an actor, or an actor of a country, dated on or after ``since``.

        A relation counts as on or after ``since`` when it starts then or later, or when it
        is still in force then; an undated relation is kept only without ``since``.
        """
        out = list(self.relations)
        if actor:
            aid = self.actor(actor).actor_id
            out = [r for r in out if aid in (r.subject_id, r.object_id)]
        if country:
            ids = {a.actor_id for a in self.find_actors(country=country)}
            out = [r for r in out if r.subject_id in ids or r.object_id in ids]
        if predicate:
            out = [r for r in out if r.predicate.value == predicate]
        if since is not None:
            out = [r for r in out if _relation_since(r, since)]
        return out

    def find_events(
        self,
        *,
        actor: str | None = None,
        country: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[Event]:
        """Events naming an actor (by Caravan id or ACLED name), in a country, in a period."""
        out = list(self.events)
        if actor:
            a = self.actor(actor)
            keys = {fold_name(n) for n in a.names()}
            out = [
                e
                for e in out
                if a.actor_id in e.actor_ids() or {fold_name(e.actor1), fold_name(e.actor2)} & keys
            ]
        if country:
            out = [e for e in out if e.iso3 == country.upper()]
        if since is not None:
            out = [e for e in out if e.event_date >= since]
        if until is not None:
            out = [e for e in out if e.event_date <= until]
        return sorted(out, key=lambda e: (e.event_date, e.event_id))


def _relation_since(r: Relation, since: dt.date) -> bool:
    if r.start is None and r.valid_to is None:
        return False
    if r.start is not None and parse_partial_date(r.start, end=True) >= since:
        return True
    if r.date is None:  # a state of affairs: still in force on `since`?
        return r.valid_to is None or parse_partial_date(r.valid_to, end=True) >= since
    return False


def records_frame(records: Iterable[Any]) -> pd.DataFrame:
    """Records as a table (enums as text, tuples joined by ``;``)."""
    import dataclasses

    rows = []
    for rec in records:
        row: dict[str, Any] = {}
        for f in dataclasses.fields(rec):
            value = getattr(rec, f.name)
            if isinstance(value, enum.Enum):
                value = value.value
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = ";".join(v if isinstance(v, str) else _based_in_text(v) for v in value)
            row[f.name] = value
        rows.append(row)
    return pd.DataFrame(rows)


def _based_in_text(b: Any) -> str:
    if isinstance(b, BasedIn):
        return b.country_iso3 + (f" ({', '.join(b.admin1)})" if b.admin1 else "")
    return str(b)
