"""Parsing and checking the security files: every problem at once, with file, row, field and fix.

The functions here take records and rows already read from files (``caravan.io.security`` reads
them) and return records plus problems; nothing here opens a file. The rows of ``events.csv``
are parsed by :mod:`caravan.security.event_rows`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from caravan.errors import InputError, Problem
from caravan.io._fields import parse_record
from caravan.io.atlas_build import source_from_record
from caravan.model.atlas import _suggest
from caravan.model.records import Source
from caravan.model.schema import YAML_LIST_FILES, Field, Kind, vocabulary
from caravan.security.event_rows import EVENTS_FILE, parse_event_rows
from caravan.security.records import (
    Actor,
    ActorKind,
    BasedIn,
    Confidence,
    Predicate,
    Relation,
    SecurityData,
    parse_partial_date,
)

__all__ = [
    "ACTOR_FIELDS",
    "RELATION_FIELDS",
    "build_security",
    "parse_actors",
    "parse_relations",
    "parse_sources",
    "validate_security",
]

ACTORS_FILE = "security/actors.yaml"
RELATIONS_FILE = "security/relations.yaml"
SOURCES_FILE = "security/sources.yaml"

_SOURCES = Field("source_ids", Kind.LIST, required=True)

ACTOR_FIELDS: tuple[Field, ...] = (
    Field("actor_id", required=True),
    Field("name", required=True),
    Field("kind", required=True, vocab=vocabulary(ActorKind)),
    Field("aliases", Kind.LIST),
    Field("country_iso3"),
    _SOURCES,
    Field("notes"),
)

RELATION_FIELDS: tuple[Field, ...] = (
    Field("relation_id"),
    Field("subject", required=True),
    Field("predicate", required=True, vocab=vocabulary(Predicate)),
    Field("object", required=True),
    Field("date", Kind.DATE),
    Field("valid_from", Kind.DATE),
    Field("valid_to", Kind.DATE),
    Field("confidence", vocab=vocabulary(Confidence)),
    _SOURCES,
    Field("quote", required=True),
    Field("notes"),
)


def _mappings(
    raw: Sequence[Any], file: str, problems: list[Problem]
) -> Iterator[tuple[int, Mapping[Any, Any]]]:
    """The records that are mappings, with their positions (from 1); a problem for each other."""
    for i, item in enumerate(raw, start=1):
        if isinstance(item, Mapping):
            yield i, item
        else:
            problems.append(Problem(file, i, None, "expected a mapping", "write key: value pairs"))


def parse_sources(
    raw: Sequence[Any], *, file: str = SOURCES_FILE
) -> tuple[list[Source], list[Problem]]:
    """Sources from ``security/sources.yaml`` (the same fields as the atlas's ``sources.yaml``).

    Examples
    --------
    >>> sources, problems = parse_sources([{"source_id": "x", "title": "T", "kind": "web"}])
    >>> sources[0].source_id, problems
    ('x', [])
    """
    out: list[Source] = []
    problems: list[Problem] = []
    for i, item in _mappings(raw, file, problems):
        rec, probs = parse_record(item, YAML_LIST_FILES["sources.yaml"], file=file, row=i)
        problems += probs
        if not probs:
            out.append(source_from_record(rec))
    return out, problems


def _based_in(raw: Any, file: str, row: int) -> tuple[tuple[BasedIn, ...], list[Problem]]:
    if raw is None:
        return (), []
    fix = "write based_in: [{country_iso3: AFG, admin1: [Kunar, Paktika]}]"
    if not isinstance(raw, list):
        return (), [Problem(file, row, "based_in", "expected a list of places", fix)]
    out: list[BasedIn] = []
    problems: list[Problem] = []
    for j, item in enumerate(raw, start=1):
        where = f"based_in[{j}]"
        if isinstance(item, str):
            item = {"country_iso3": item}
        if not isinstance(item, Mapping) or not item.get("country_iso3"):
            problems.append(Problem(file, row, where, "needs a country_iso3", fix))
            continue
        unknown = set(map(str, item)) - {"country_iso3", "admin1"}
        for key in sorted(unknown):
            problems.append(Problem(file, row, f"{where}.{key}", "unknown key", fix))
        admin1 = item.get("admin1") or []
        admin1 = [admin1] if isinstance(admin1, str) else admin1
        iso3 = str(item["country_iso3"]).strip().upper()
        if len(iso3) != 3 or not iso3.isalpha():
            problems.append(
                Problem(
                    file, row, f"{where}.country_iso3", f"{iso3!r} is not ISO3", "use AFG, PAK, ..."
                )
            )
        out.append(BasedIn(iso3, tuple(str(a).strip() for a in admin1)))
    return tuple(out), problems


def parse_actors(
    raw: Sequence[Any], *, file: str = ACTORS_FILE, rows_out: list[int] | None = None
) -> tuple[list[Actor], list[Problem]]:
    """Actors from the records of ``security/actors.yaml``.

    Examples
    --------
    >>> actors, problems = parse_actors([{"actor_id": "ttp", "name": "TTP", "kind": "armed_group",
    ...     "source_ids": ["jamal-2025-jihadist-networks"], "based_in": [{"country_iso3": "PAK"}]}])
    >>> actors[0].based_in[0].country_iso3, problems
    ('PAK', [])
    """
    out: list[Actor] = []
    problems: list[Problem] = []
    for i, item in _mappings(raw, file, problems):
        plain = {k: v for k, v in item.items() if k != "based_in"}
        rec, probs = parse_record(plain, ACTOR_FIELDS, file=file, row=i)
        based, bprobs = _based_in(item.get("based_in"), file, i)
        problems += probs + bprobs
        if probs:
            continue
        if rows_out is not None:
            rows_out.append(i)
        out.append(
            Actor(
                actor_id=rec["actor_id"],
                name=rec["name"],
                kind=ActorKind(rec["kind"]),
                source_ids=rec["source_ids"],
                aliases=rec["aliases"],
                country_iso3=rec["country_iso3"],
                based_in=based,
                notes=rec["notes"] or "",
            )
        )
    return out, problems


def _check_date(value: str | None, file: str, row: int, name: str) -> list[Problem]:
    if value is None:
        return []
    try:
        parse_partial_date(value)
    except InputError as exc:
        return [Problem(file, row, name, str(exc), "give a real date YYYY, YYYY-MM or YYYY-MM-DD")]
    return []


def parse_relations(
    raw: Sequence[Any], *, file: str = RELATIONS_FILE, rows_out: list[int] | None = None
) -> tuple[list[Relation], list[Problem]]:
    """Relations from the records of ``security/relations.yaml``.

    A missing ``relation_id`` becomes ``subject-predicate-object`` (with ``-2``, ``-3`` ... when
    repeated).

    Examples
    --------
    >>> rels, problems = parse_relations([{"subject": "russia", "predicate": "recognises",
    ...     "object": "taliban", "date": "2025-07-03",
    ...     "source_ids": ["jamal-2025-jihadist-networks"], "quote": "..."}])
    >>> rels[0].relation_id, rels[0].predicate.value, problems
    ('russia-recognises-taliban', 'recognises', [])
    """
    out: list[Relation] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in _mappings(raw, file, problems):
        rec, probs = parse_record(item, RELATION_FIELDS, file=file, row=i)
        for name in ("date", "valid_from", "valid_to"):
            probs += _check_date(rec[name], file, i, name)
        if not probs and rec["valid_from"] and rec["valid_to"]:
            lo = parse_partial_date(rec["valid_from"])
            hi = parse_partial_date(rec["valid_to"], end=True)
            if lo > hi:
                probs.append(
                    Problem(file, i, "valid_to", "ends before valid_from", "swap or mend the dates")
                )
        problems += probs
        if probs:
            continue
        rid = rec["relation_id"]
        if not rid:
            base = f"{rec['subject']}-{rec['predicate'].replace('_', '-')}-{rec['object']}"
            seen[base] = seen.get(base, 0) + 1
            rid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        if rows_out is not None:
            rows_out.append(i)
        out.append(
            Relation(
                relation_id=rid,
                subject_id=rec["subject"],
                predicate=Predicate(rec["predicate"]),
                object_id=rec["object"],
                source_ids=rec["source_ids"],
                quote=rec["quote"],
                date=rec["date"],
                valid_from=rec["valid_from"],
                valid_to=rec["valid_to"],
                confidence=Confidence(rec["confidence"] or "stated"),
                notes=rec["notes"] or "",
            )
        )
    return out, problems


def validate_security(
    data: SecurityData,
    *,
    known_source_ids: Collection[str],
    rows: Mapping[str, Sequence[int]] | None = None,
) -> list[Problem]:
    """Cross-check a security layer: ids unique, every actor and source it names exists.

    Parameters
    ----------
    data : SecurityData
        Parsed actors, relations and events (and the layer's own sources).
    known_source_ids : collection of str
        Source ids of the atlas (``sources.yaml``); the layer's own sources are added.
    rows : mapping, optional
        ``{"actors"|"relations"|"events": [row, ...]}``, the row of each record in order, for
        the problems; by default the position (CSV rows count the header as line 1).

    Returns
    -------
    list of Problem
        Empty when the layer is sound.

    Examples
    --------
    >>> from caravan.security.records import Relation, Predicate
    >>> data = SecurityData(relations=(Relation("r", "russia", Predicate.RECOGNISES, "taliban",
    ...                                         ("no-such-article",), "..."),))
    >>> known = {"jamal-2025-jihadist-networks"}
    >>> [p.field for p in validate_security(data, known_source_ids=known)]
    ['subject', 'object', 'source_ids']
    """
    rows = rows or {}
    problems: list[Problem] = []
    sources = set(known_source_ids)
    own = [s.source_id for s in data.sources]
    for i, sid in enumerate(own, start=1):
        if sid in sources:
            problems.append(
                Problem(
                    SOURCES_FILE,
                    i,
                    "source_id",
                    f"{sid!r} is already an atlas source",
                    "remove it here or rename it",
                )
            )
    sources |= set(own)
    actor_ids = [a.actor_id for a in data.actors]
    known_actors = set(actor_ids)

    def row_of(kind: str, index: int, pos: int) -> int:
        lines = rows.get(kind, ())
        return lines[index] if index < len(lines) else pos

    def dupes(file: str, kind: str, ids: Sequence[str], field: str, start: int) -> None:
        seen: set[str] = set()
        for index, key in enumerate(ids):
            if key in seen:
                problems.append(
                    Problem(
                        file,
                        row_of(kind, index, index + start),
                        field,
                        f"duplicate id {key!r}",
                        "give each record its own id",
                    )
                )
            seen.add(key)

    def cite(file: str, row: int, ids: Sequence[str]) -> None:
        for sid in ids:
            if sid not in sources:
                problems.append(
                    Problem(
                        file,
                        row,
                        "source_ids",
                        f"unknown source {sid!r}" + _suggest(sid, sources),
                        "add it to security/sources.yaml or the atlas sources.yaml",
                    )
                )

    def actor_ref(file: str, row: int, field: str, aid: str | None) -> None:
        if aid and aid not in known_actors:
            problems.append(
                Problem(
                    file,
                    row,
                    field,
                    f"unknown actor {aid!r}" + _suggest(aid, known_actors),
                    "use an actor_id from security/actors.yaml, or add the actor",
                )
            )

    dupes(ACTORS_FILE, "actors", actor_ids, "actor_id", 1)
    dupes(RELATIONS_FILE, "relations", [r.relation_id for r in data.relations], "relation_id", 1)
    dupes(EVENTS_FILE, "events", [e.event_id for e in data.events], "event_id", 2)
    for index, a in enumerate(data.actors):
        cite(ACTORS_FILE, row_of("actors", index, index + 1), a.source_ids)
    for index, r in enumerate(data.relations):
        row = row_of("relations", index, index + 1)
        actor_ref(RELATIONS_FILE, row, "subject", r.subject_id)
        actor_ref(RELATIONS_FILE, row, "object", r.object_id)
        cite(RELATIONS_FILE, row, r.source_ids)
    event_ids = {e.event_id for e in data.events}
    for index, e in enumerate(data.events):
        row = row_of("events", index, index + 2)
        actor_ref(EVENTS_FILE, row, "actor1_id", e.actor1_id)
        actor_ref(EVENTS_FILE, row, "actor2_id", e.actor2_id)
        cite(EVENTS_FILE, row, e.source_ids)
        if e.covered_by and (e.covered_by not in event_ids or e.covered_by == e.event_id):
            problems.append(
                Problem(
                    EVENTS_FILE,
                    row,
                    "covered_by",
                    f"unknown event {e.covered_by!r}",
                    "name the event_id of the aggregate row that counts this event",
                )
            )
        for name in ("latitude", "longitude"):
            value = getattr(e, name)
            if value is not None and not math.isfinite(value):
                problems.append(Problem(EVENTS_FILE, row, name, "not finite", "give a number"))
    return problems


def build_security(
    *,
    actors: Sequence[Any],
    relations: Sequence[Any],
    event_rows: Sequence[tuple[int, Mapping[str, str]]],
    sources: Sequence[Any] = (),
    known_source_ids: Collection[str],
    path: str | None = None,
) -> tuple[SecurityData, list[Problem]]:
    """Parse and cross-check a whole security layer; return the data and every problem.

    ``event_rows`` are ``(line number, row)`` pairs of ``security/events.csv``.
    """
    problems: list[Problem] = []
    src, probs = parse_sources(sources)
    problems += probs
    actor_rows: list[int] = []
    acts, probs = parse_actors(actors, rows_out=actor_rows)
    problems += probs
    relation_rows: list[int] = []
    rels, probs = parse_relations(relations, rows_out=relation_rows)
    problems += probs
    event_lines: list[int] = []
    events, probs = parse_event_rows(event_rows, rows_out=event_lines)
    problems += probs
    data = SecurityData(
        actors=tuple(acts),
        relations=tuple(rels),
        events=tuple(events),
        sources=tuple(src),
        path=path,
    )
    rows = {
        "actors": actor_rows,
        "relations": relation_rows,
        "events": event_lines,
    }
    problems += validate_security(data, known_source_ids=known_source_ids, rows=rows)
    return data, problems
