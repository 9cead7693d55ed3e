"""Claims from the records of a claims file: checked against the atlas and its scenarios.

:mod:`caravan.io.claims` reads the file into plain records; this module turns them into
:class:`~caravan.claims.model.Claim` records, reporting every problem at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from caravan.claims.check import MODE_GROUPS, resolve_item
from caravan.claims.model import (
    FACT_FIELDS,
    Check,
    CheckKind,
    Claim,
    NotTestable,
    RouteSpec,
)
from caravan.errors import AtlasValidationError, NotFoundError, Problem
from caravan.io.claims import read_claim_records, scenario_names
from caravan.model.atlas import Atlas

__all__ = ["parse_claims", "read_claims"]

_CLAIM_KEYS = {"claim_id", "quote", "source_ids", "author", "article", "date", "checks", "notes"}
_ROUTE_KEYS = {
    "from",
    "to",
    "scenario",
    "by",
    "via",
    "avoid_countries",
    "mode",
    "leg_modes",
    "commodity",
}
_CHECK_KEYS = {
    CheckKind.ROUTE: {"type", "route", "passes", "avoids", "note"},
    CheckKind.COMPARE: {"type", "route", "other", "expect", "by_at_least", "by_at_most", "note"},
    CheckKind.FLOW: {
        "type",
        "metric",
        "country",
        "project",
        "from_scenario",
        "to_scenario",
        "direction",
        "by_at_least",
        "note",
    },
    CheckKind.REACHABILITY: {"type", "route", "exists", "note"},
    CheckKind.FACTS: {"type", "project", "facts", "note"},
    CheckKind.NOT_TESTABLE: {"type", "reason", "note"},
}
_REASONS = {
    "forecast": NotTestable.FORECAST,
    "intent": NotTestable.INTENT,
    "estimate": NotTestable.ESTIMATE,
    "circular": NotTestable.CIRCULAR,
}
_BY = ("cost", "money", "time", "distance")
_EXPECT = ("shorter", "cheaper", "faster", "cheaper_money")
_METRICS = ("transit_tonnes", "transit_tkm", "transit_revenue_usd", "tkm_per_year")


class _Reader:
    def __init__(self, atlas: Atlas, file: str, scenarios: Collection[str]) -> None:
        self.atlas = atlas
        self.file = file
        self.problems: list[Problem] = []
        self.scenarios = set(scenarios)
        # a mode group (``overland``, ``sea``: by layer) or a mode of the atlas's modes.yaml
        self.modes = tuple(dict.fromkeys([*MODE_GROUPS, *atlas.mode_traits]))

    def bad(self, row: int, field: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.file, row, field, message, fix))

    def mode(self, row: int, field: str, mode: str) -> None:
        if mode not in self.modes:
            self.bad(row, field, f"unknown mode {mode!r}", f"use: {', '.join(self.modes)}")

    def place(self, row: int, field: str, value: Any) -> str:
        try:
            return self.atlas.node(str(value)).node_id
        except NotFoundError as exc:
            self.bad(row, field, str(exc), "use a place id, name or alias from the atlas")
            return str(value)

    def scenario(self, row: int, field: str, value: Any) -> str:
        name = str(value)
        if name not in self.scenarios:
            close = difflib.get_close_matches(name, sorted(self.scenarios), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "use a shipped scenario"
            self.bad(row, field, f"unknown scenario {name!r}", hint)
        return name

    def route(self, row: int, field: str, raw: Any) -> RouteSpec | None:
        if not isinstance(raw, Mapping):
            self.bad(row, field, "expected a route {from, to, scenario, ...}", "give from: and to:")
            return None
        for key in raw:
            if key not in _ROUTE_KEYS:
                self.bad(
                    row, f"{field}.{key}", "unknown key", f"use: {', '.join(sorted(_ROUTE_KEYS))}"
                )
        if "from" not in raw or "to" not in raw:
            self.bad(row, field, "a route needs from and to", "add from: PLACE and to: PLACE")
            return None
        by = str(raw.get("by", "cost"))
        if by not in _BY:
            self.bad(row, f"{field}.by", f"unknown objective {by!r}", f"use: {', '.join(_BY)}")
        mode = raw.get("mode")
        for part in () if mode is None else str(mode).split("+"):  # rail+ferry: either
            self.mode(row, f"{field}.mode", part)
        avoid = tuple(str(c) for c in (raw.get("avoid_countries") or ()))
        for c in avoid:
            if c not in self.atlas.countries:
                self.bad(
                    row,
                    f"{field}.avoid_countries",
                    f"unknown country {c!r}",
                    "use an ISO3 code of a country in the atlas",
                )
        via: list[str] = []
        for v in raw.get("via") or ():
            if isinstance(v, list):  # any one of several places
                via.append("|".join(self.place(row, f"{field}.via", x) for x in v))
            else:
                via.append(self.via_item(row, f"{field}.via", v))
        leg_modes = tuple(str(m) for m in (raw.get("leg_modes") or ()))
        for part in (p for m in leg_modes for p in m.split("+")):
            self.mode(row, f"{field}.leg_modes", part)
        if leg_modes and len(leg_modes) != len(via) + 1:
            self.bad(
                row,
                f"{field}.leg_modes",
                f"{len(leg_modes)} modes for {len(via) + 1} legs",
                "give one mode per leg: one more than the via stops",
            )
        return RouteSpec(
            origin=self.place(row, f"{field}.from", raw["from"]),
            destination=self.place(row, f"{field}.to", raw["to"]),
            scenario=self.scenario(row, f"{field}.scenario", raw.get("scenario", "baseline-2025")),
            by=by,
            via=tuple(via),
            avoid_countries=avoid,
            mode=None if mode is None else str(mode),
            commodity=str(raw.get("commodity", "container")),
            leg_modes=leg_modes,
        )

    def via_item(self, row: int, field: str, value: Any) -> str:
        """A via stop: a place (by id, name or alias), a country or ``project:ID``."""
        text = str(value)
        try:
            kind, target = resolve_item(self.atlas, text)
        except NotFoundError as exc:
            self.bad(row, field, str(exc), "use a place, an ISO3 country or project:ID")
            return text
        return target if kind == "place" else (f"project:{target}" if kind == "project" else text)

    def check(self, row: int, field: str, raw: Any) -> Check | None:
        if not isinstance(raw, Mapping) or "type" not in raw:
            self.bad(
                row,
                field,
                "a check needs a type",
                "type: route|compare|flow|reachability|facts|not_testable",
            )
            return None
        try:
            kind = CheckKind(str(raw["type"]))
        except ValueError:
            self.bad(
                row,
                f"{field}.type",
                f"unknown check type {raw['type']!r}",
                "use route, compare, flow, reachability, facts or not_testable",
            )
            return None
        for key in raw:
            if key not in _CHECK_KEYS[kind]:
                self.bad(
                    row,
                    f"{field}.{key}",
                    f"unknown key for a {kind.value} check",
                    f"use: {', '.join(sorted(_CHECK_KEYS[kind]))}",
                )
        route = (
            self.route(row, f"{field}.route", raw.get("route"))
            if "route" in _CHECK_KEYS[kind]
            else None
        )
        other = (
            self.route(row, f"{field}.other", raw.get("other"))
            if kind is CheckKind.COMPARE
            else None
        )
        expect = raw.get("expect")
        if kind is CheckKind.COMPARE and expect not in _EXPECT:
            self.bad(
                row,
                f"{field}.expect",
                f"expected one of {', '.join(_EXPECT)}",
                "e.g. expect: shorter",
            )
        direction = raw.get("direction")
        metric = str(raw.get("metric", "transit_tonnes"))
        if kind is CheckKind.FLOW:
            if direction not in ("rises", "falls"):
                self.bad(row, f"{field}.direction", "expected rises or falls", "direction: falls")
            if metric not in _METRICS:
                self.bad(
                    row,
                    f"{field}.metric",
                    f"unknown metric {metric!r}",
                    f"use: {', '.join(_METRICS)}",
                )
            if (raw.get("country") is None) == (raw.get("project") is None):
                self.bad(
                    row,
                    field,
                    "a flow check needs a country or a project (one)",
                    "add country: UZB",
                )
            if raw.get("country") is not None and raw["country"] not in self.atlas.countries:
                self.bad(
                    row,
                    f"{field}.country",
                    f"unknown country {raw['country']!r}",
                    "use an ISO3 code of a country in the atlas",
                )
            if raw.get("project") is not None:
                try:
                    self.atlas.project(str(raw["project"]))
                except NotFoundError as exc:
                    self.bad(row, f"{field}.project", str(exc), "use a project id")
            for key in ("from_scenario", "to_scenario"):
                if key not in raw:
                    self.bad(row, f"{field}.{key}", "missing", f"add {key}: SCENARIO")
                else:
                    self.scenario(row, f"{field}.{key}", raw[key])
        if kind is CheckKind.REACHABILITY and not isinstance(raw.get("exists"), bool):
            self.bad(row, f"{field}.exists", "expected true or false", "exists: true")
        by_at_most = raw.get("by_at_most")
        if by_at_most is not None and (
            isinstance(by_at_most, bool) or not isinstance(by_at_most, int | float)
        ):
            self.bad(row, f"{field}.by_at_most", "expected a number", "by_at_most: 0.4")
            by_at_most = None
        facts: list[tuple[str, Any]] = []
        reason = None
        if kind is CheckKind.FACTS:
            raw_facts = raw.get("facts")
            if not isinstance(raw_facts, Mapping) or not raw_facts:
                self.bad(
                    row,
                    f"{field}.facts",
                    "expected {fact: claimed value}",
                    "facts: {start_year: 2020}",
                )
                raw_facts = {}
            for name, value in raw_facts.items():
                if name not in FACT_FIELDS:
                    self.bad(
                        row,
                        f"{field}.facts.{name}",
                        "unknown fact",
                        f"use: {', '.join(FACT_FIELDS)}",
                    )
                    continue
                facts.append((str(name), value))
            try:
                self.atlas.project(str(raw.get("project")))
            except NotFoundError as exc:
                self.bad(row, f"{field}.project", str(exc), "use a project id")
        if kind is CheckKind.NOT_TESTABLE:
            reason = _REASONS.get(str(raw.get("reason")))
            if reason is None:
                self.bad(
                    row,
                    f"{field}.reason",
                    f"unknown reason {raw.get('reason')!r}",
                    f"use: {', '.join(_REASONS)}",
                )
            if not str(raw.get("note") or "").strip():
                self.bad(row, f"{field}.note", "missing", "say which part is not testable")
        by_at_least = raw.get("by_at_least", 0.0)
        if isinstance(by_at_least, bool) or not isinstance(by_at_least, int | float):
            self.bad(row, f"{field}.by_at_least", "expected a number", "by_at_least: 0.1")
            by_at_least = 0.0
        for key in ("passes", "avoids"):
            for item in raw.get(key) or ():
                try:
                    resolve_item(self.atlas, str(item))
                except NotFoundError as exc:
                    self.bad(
                        row,
                        f"{field}.{key}",
                        str(exc),
                        "use an ISO3 country, a place or a project (prefix place: or project:)",
                    )
        return Check(
            kind=kind,
            route=route,
            other=other,
            passes=tuple(str(p) for p in (raw.get("passes") or ())),
            avoids=tuple(str(p) for p in (raw.get("avoids") or ())),
            expect=None if expect is None else str(expect),
            by_at_least=float(by_at_least),
            by_at_most=None if by_at_most is None else float(by_at_most),
            metric=metric,
            country=raw.get("country"),
            project=raw.get("project"),
            from_scenario=raw.get("from_scenario"),
            to_scenario=raw.get("to_scenario"),
            direction=direction,
            exists=raw.get("exists"),
            facts=tuple(facts),
            reason=reason,
            note=str(raw.get("note") or ""),
        )


def parse_claims(
    records: list[Any],
    atlas: Atlas,
    *,
    file: str,
    scenarios: Collection[str],
    source: str | None = None,
) -> list[Claim]:
    """Claims from the records of a claims file (as :func:`caravan.io.claims.read_claim_records`
    gives them).

    Parameters
    ----------
    records : list
        One mapping per claim.
    atlas : Atlas
        Resolves places, countries, projects and sources.
    file : str
        The file's name, for the problems reported.
    scenarios : collection of str
        The scenario names a check may use.
    source : str, optional
        Where the records came from, named by the error (default: ``file``).

    Raises
    ------
    AtlasValidationError
        Every problem in the records: unknown keys, places, scenarios, countries, projects or
        sources, malformed checks.
    """
    reader = _Reader(atlas, file, scenarios)
    sources = {s.source_id for s in atlas.sources}
    claims: list[Claim] = []
    seen: set[str] = set()
    for row, item in enumerate(records, start=1):
        if not isinstance(item, Mapping):
            reader.bad(row, "", "a claim must be a mapping", "use key: value")
            continue
        for key in item:
            if key not in _CLAIM_KEYS:
                reader.bad(row, str(key), "unknown key", f"use: {', '.join(sorted(_CLAIM_KEYS))}")
        claim_id = str(item.get("claim_id") or "")
        if not claim_id:
            reader.bad(row, "claim_id", "missing", "add claim_id: a-slug")
        elif claim_id in seen:
            reader.bad(row, "claim_id", f"duplicate claim id {claim_id!r}", "make ids unique")
        seen.add(claim_id)
        if not str(item.get("quote") or "").strip():
            reader.bad(row, "quote", "missing", "quote the sentence exactly")
        ids = tuple(str(s) for s in (item.get("source_ids") or ()))
        if not ids:
            reader.bad(row, "source_ids", "missing", "cite the article's source id")
        for s in ids:
            if s not in sources:
                reader.bad(
                    row, "source_ids", f"unknown source {s!r}", "use a source id of the atlas"
                )
        raw_checks = item.get("checks")
        if not isinstance(raw_checks, list) or not raw_checks:
            reader.bad(row, "checks", "a claim needs at least one check", "add checks: [...]")
            raw_checks = []
        checks = [reader.check(row, f"checks[{i}]", c) for i, c in enumerate(raw_checks, 1)]
        claims.append(
            Claim(
                claim_id=claim_id,
                quote=str(item.get("quote") or "").strip(),
                source_ids=ids,
                checks=tuple(c for c in checks if c is not None),
                author=str(item.get("author") or ""),
                article=str(item.get("article") or ""),
                date=str(item.get("date") or ""),
                notes=str(item.get("notes") or ""),
            )
        )
    if reader.problems:
        raise AtlasValidationError(reader.problems, source=source or file)
    return claims


def read_claims(path: str | Path, atlas: Atlas) -> list[Claim]:
    """Read and check a claims file.

    Raises
    ------
    NotFoundError
        The file does not exist.
    AtlasValidationError
        Every problem in the file: malformed YAML, unknown keys, places, scenarios, countries,
        projects or sources, malformed checks.
    """
    file = Path(path)
    records = read_claim_records(file)
    names = scenario_names(atlas)
    return parse_claims(records, atlas, file=file.name, scenarios=names, source=str(file))
