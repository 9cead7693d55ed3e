"""Zone risk as of a date: events in each zone, decayed by age, blended with the analysts' figure.

The model (``docs/security.md`` explains and defends the defaults):

- an event's weight is ``type_weight x (event_count + fatalities_weight x fatalities)``; an event
  that an aggregate row already counts (``covered_by``) weighs nothing of its own;
- its weight on day ``D`` is ``weight x 0.5 ** ((D - event_date) / half_life_days)``; events after
  ``D`` do not count;
- a zone's hazard is the sum of its events' decayed weights, and its event risk is
  ``1 - exp(-hazard / scale)``, which is 0 for no events and approaches 1;
- the zone's risk blends the event risk with the analyst's ``risk`` from ``zones.yaml``: by default
  the larger of the two, so events raise a zone above the analyst's floor and fade back to it.

Events go to the zone of their province (``country_iso3`` + ``admin1``) when there is one, else to
their country's zone: a country zone stands for the parts of the country without their own zone,
as routing reads it (a node takes its province's zone, else its country's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from caravan.errors import InputError
from caravan.model.atlas import Atlas, _suggest
from caravan.model.records import Zone
from caravan.model.scenario import RiskChange
from caravan.security.countries import admin1_key, country_name
from caravan.security.records import Event, EventType, SecurityData, parse_partial_date

__all__ = [
    "DEFAULT_TYPE_WEIGHTS",
    "Blend",
    "Contribution",
    "RiskModel",
    "ZoneRisk",
    "as_of_date",
    "blend_risk",
    "decay_factor",
    "event_weight",
    "saturate",
    "scenario_risk_changes",
    "security_atlas",
    "zone_risk_table",
    "zone_risks",
]

#: How much one event of each ACLED type weighs before fatalities. Strategic developments
#: (agreements, meetings, transfers of territory) are listed but carry no weight.
DEFAULT_TYPE_WEIGHTS: Mapping[str, float] = {
    EventType.BATTLES.value: 1.0,
    EventType.EXPLOSIONS.value: 1.0,
    EventType.VIOLENCE_AGAINST_CIVILIANS.value: 1.0,
    EventType.RIOTS.value: 0.5,
    EventType.PROTESTS.value: 0.1,
    EventType.STRATEGIC_DEVELOPMENTS.value: 0.0,
}


class Blend(enum.StrEnum):
    """How the event risk and the analyst's figure make a zone's risk."""

    MAX = "max"  # the larger: the analyst's figure is a floor that events can raise
    MEAN = "mean"  # override_weight x analyst + (1 - override_weight) x events
    EVENTS = "events"  # events only (the analyst's figure only where a zone has no events)
    OVERRIDE = "override"  # the analyst's figure only (events shown, not used)


@dataclass(frozen=True)
class RiskModel:
    """The constants of the risk model.

    Parameters
    ----------
    half_life_days : float
        Age at which an event weighs half (365).
    fatalities_weight : float
        Weight of one death, in events (0.25: four deaths weigh as much as one more event).
    scale : float
        Hazard (decayed event-equivalents) that gives an event risk of ``1 - 1/e`` = 0.63 (100).
    blend : Blend
        How events and the analyst's figure combine (``max``).
    override_weight : float
        Weight of the analyst's figure when ``blend`` is ``mean`` (0.5).
    type_weights : mapping of str to float
        Weight of one event of each ACLED event type (:data:`DEFAULT_TYPE_WEIGHTS`).

    Examples
    --------
    >>> RiskModel().half_life_days, RiskModel(blend="mean").blend
    (365.0, <Blend.MEAN: 'mean'>)
    """

    half_life_days: float = 365.0
    fatalities_weight: float = 0.25
    scale: float = 100.0
    blend: Blend = Blend.MAX
    override_weight: float = 0.5
    type_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TYPE_WEIGHTS))

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "blend", Blend(self.blend))
        except ValueError:
            msg = f"unknown blend {self.blend!r}; use one of: {', '.join(b.value for b in Blend)}"
            raise InputError(msg) from None
        for name in ("half_life_days", "scale"):
            if not getattr(self, name) > 0:
                raise InputError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.fatalities_weight < 0:
            raise InputError(f"fatalities_weight must be >= 0, got {self.fatalities_weight!r}")
        if not 0 <= self.override_weight <= 1:
            raise InputError(f"override_weight must be in 0..1, got {self.override_weight!r}")

    def to_dict(self) -> dict[str, Any]:
        """The constants as plain data (for provenance)."""
        return {
            "half_life_days": self.half_life_days,
            "fatalities_weight": self.fatalities_weight,
            "scale": self.scale,
            "blend": self.blend.value,
            "override_weight": self.override_weight,
            "type_weights": dict(self.type_weights),
        }


def as_of_date(value: dt.date | str) -> dt.date:
    """A date from a date or text; ``YYYY`` and ``YYYY-MM`` mean their first day.

    Examples
    --------
    >>> as_of_date("2025-06-30"), as_of_date("2030")
    (datetime.date(2025, 6, 30), datetime.date(2030, 1, 1))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_partial_date(str(value))


def decay_factor(age_days: float, half_life_days: float) -> float:
    """``0.5 ** (age_days / half_life_days)``: 1 today, 1/2 after one half-life.

    Examples
    --------
    >>> decay_factor(0, 365), decay_factor(365, 365), decay_factor(730, 365)
    (1.0, 0.5, 0.25)
    """
    return float(0.5 ** (age_days / half_life_days))


def event_weight(event: Event, model: RiskModel) -> float:
    """An event's weight before decay: ``type_weight x (count + fatalities_weight x deaths)``.

    Examples
    --------
    >>> import datetime as dt
    >>> e = Event("e", dt.date(2024, 12, 24), EventType.EXPLOSIONS, "Air/drone strike",
    ...           "Military Forces of Pakistan", "Afghanistan", "AFG",
    ...           ("fazl-e-haider-2025-wakhan-corridor",), fatalities=46)
    >>> event_weight(e, RiskModel())
    12.5
    """
    if event.covered_by:
        return 0.0
    type_weight = float(model.type_weights.get(event.event_type.value, 1.0))
    deaths = float(event.fatalities or 0)
    return type_weight * (event.event_count + model.fatalities_weight * deaths)


def saturate(hazard: float, scale: float) -> float:
    """Map a hazard (>= 0) to 0..1: ``1 - exp(-hazard / scale)``.

    Examples
    --------
    >>> saturate(0.0, 100), round(saturate(100.0, 100), 4)
    (0.0, 0.6321)
    """
    return 1.0 - math.exp(-max(hazard, 0.0) / scale)


def blend_risk(override: float | None, event_risk: float, model: RiskModel, n_events: int) -> float:
    """A zone's risk from its analyst figure (or none) and its event risk, clipped to 0..1.

    Examples
    --------
    >>> m = RiskModel()
    >>> blend_risk(0.6, 0.3, m, 5), blend_risk(0.6, 0.8, m, 5), blend_risk(None, 0.3, m, 5)
    (0.6, 0.8, 0.3)
    >>> blend_risk(0.6, 0.2, RiskModel(blend="mean"), 5)
    0.4
    >>> blend_risk(0.6, 0.0, RiskModel(blend="events"), 0)
    0.6
    """
    if override is None:
        value = event_risk
    elif model.blend is Blend.MAX:
        value = max(override, event_risk)
    elif model.blend is Blend.MEAN:
        value = model.override_weight * override + (1 - model.override_weight) * event_risk
    elif model.blend is Blend.EVENTS:
        value = event_risk if n_events else override
    else:
        value = override
    return min(1.0, max(0.0, round(value, 12)))


@dataclass(frozen=True)
class Contribution:
    """One event behind a zone's risk, with its weight, age and decayed weight."""

    event_id: str
    event_date: str
    event_type: str
    sub_event_type: str
    admin1: str | None
    actor1: str
    actor2: str
    fatalities: int | None
    event_count: int
    weight: float
    age_days: int
    decay: float
    decayed_weight: float
    covered_by: str | None
    source_ids: tuple[str, ...]
    notes: str = ""


@dataclass(frozen=True)
class ZoneRisk:
    """A zone's risk as of a date, and why.

    ``in_atlas`` is false for a country that has events but no zone in ``zones.yaml``
    (:func:`security_atlas` adds such zones only when asked).
    """

    zone_id: str
    name: str
    country_iso3: str
    admin1: str | None
    as_of: str
    risk: float
    event_risk: float
    override: float | None
    hazard: float
    n_events: int
    fatalities: int
    contributions: tuple[Contribution, ...]
    explanation: str
    source_ids: tuple[str, ...]
    in_atlas: bool = True

    def to_dict(self) -> dict[str, Any]:
        """As plain data (for JSON)."""
        return dataclasses.asdict(self)


def _zone_key(iso3: str, admin1: str | None) -> tuple[str, str]:
    return (iso3.upper(), admin1_key(admin1))


def _explain(zr: ZoneRisk, model: RiskModel, top: Sequence[Contribution]) -> str:
    parts = [
        f"as of {zr.as_of}: events {zr.event_risk:.2f} "
        f"(hazard {zr.hazard:.2f} of scale {model.scale:g}; {zr.n_events} event rows, "
        f"{zr.fatalities} deaths; half-life {model.half_life_days:g} d)"
    ]
    override = zr.override
    parts.append("analyst " + ("none" if override is None else f"{override:.2f}"))
    parts.append(f"{model.blend.value} -> {zr.risk:.2f}")
    text = "; ".join(parts)
    if top:
        text += ". Main events: " + "; ".join(
            f"{c.event_id} {c.event_date} weight {c.weight:g} x decay {c.decay:.2f}" for c in top
        )
    return text


def zone_risks(
    zones: Iterable[Zone],
    events: Iterable[Event] | SecurityData,
    *,
    as_of: dt.date | str,
    model: RiskModel | None = None,
) -> tuple[ZoneRisk, ...]:
    """Every zone's risk as of a date, with the events behind it, ranked by risk.

    Parameters
    ----------
    zones : iterable of Zone
        The atlas's zones (``atlas.zones``): their ``risk`` is the analyst's figure.
    events : iterable of Event, or SecurityData
        The events (only those on or before ``as_of`` count).
    as_of : date or str
        The day of the security picture.
    model : RiskModel, optional
        The constants (defaults: :class:`RiskModel`).

    Returns
    -------
    tuple of ZoneRisk
        Zones ranked by risk (highest first, ties by id); countries with events and no zone
        come last with ``in_atlas=False``.

    Examples
    --------
    >>> import datetime as dt
    >>> from caravan.model.records import Zone
    >>> z = Zone("afg-paktika", "Paktika", "AFG", 0.1, ("s",), admin1="Paktika")
    >>> e = Event("e1", dt.date(2024, 12, 24), EventType.EXPLOSIONS, "Air/drone strike",
    ...           "Military Forces of Pakistan", "Afghanistan", "AFG",
    ...           ("fazl-e-haider-2025-wakhan-corridor",), admin1="Paktika", fatalities=46)
    >>> zr = zone_risks([z], [e], as_of="2025-12-24")[0]
    >>> round(zr.hazard, 3), round(zr.event_risk, 4), zr.risk
    (6.25, 0.0606, 0.1)
    """
    model = model or RiskModel()
    day = as_of_date(as_of)
    event_list = list(events.events if isinstance(events, SecurityData) else events)
    zone_list = list(zones)
    province = {_zone_key(z.country_iso3, z.admin1): z for z in zone_list if z.admin1}
    country = {z.country_iso3.upper(): z for z in zone_list if not z.admin1}
    by_zone: dict[str, list[Contribution]] = {z.zone_id: [] for z in zone_list}
    extra: dict[str, list[Contribution]] = {}
    for e in event_list:
        if e.event_date > day:
            continue
        age = (day - e.event_date).days
        weight = event_weight(e, model)
        factor = decay_factor(age, model.half_life_days)
        contrib = Contribution(
            event_id=e.event_id,
            event_date=e.event_date.isoformat(),
            event_type=e.event_type.value,
            sub_event_type=e.sub_event_type,
            admin1=e.admin1,
            actor1=e.actor1,
            actor2=e.actor2,
            fatalities=e.fatalities,
            event_count=e.event_count,
            weight=weight,
            age_days=age,
            decay=factor,
            decayed_weight=weight * factor,
            covered_by=e.covered_by,
            source_ids=e.source_ids,
            notes=e.notes,
        )
        hit = province.get(_zone_key(e.iso3, e.admin1)) if e.admin1 else None
        hit = hit or country.get(e.iso3.upper())
        if hit is not None:
            by_zone[hit.zone_id].append(contrib)
        else:
            extra.setdefault(e.iso3.upper(), []).append(contrib)

    out: list[ZoneRisk] = []
    for z in zone_list:
        out.append(
            _zone_risk(
                z.zone_id,
                z.name,
                z.country_iso3,
                z.admin1,
                float(z.risk),
                by_zone[z.zone_id],
                day,
                model,
                z.source_ids,
                True,
            )
        )
    for iso3, contribs in sorted(extra.items()):
        name = country_name(iso3) or iso3
        out.append(
            _zone_risk(
                f"events-{iso3.lower()}", name, iso3, None, None, contribs, day, model, (), False
            )
        )
    out.sort(key=lambda r: (not r.in_atlas, -r.risk, r.zone_id))
    return tuple(out)


def _zone_risk(
    zone_id: str,
    name: str,
    iso3: str,
    admin1: str | None,
    override: float | None,
    contribs: list[Contribution],
    day: dt.date,
    model: RiskModel,
    zone_sources: tuple[str, ...],
    in_atlas: bool,
) -> ZoneRisk:
    contribs = sorted(contribs, key=lambda c: (-c.decayed_weight, c.event_id))
    hazard = sum(c.decayed_weight for c in contribs)
    counted = [c for c in contribs if c.weight > 0]
    event_risk = saturate(hazard, model.scale)
    risk = blend_risk(override, event_risk, model, len(counted))
    fatalities = sum(c.fatalities or 0 for c in contribs if not c.covered_by)
    sources = list(zone_sources)
    for c in counted:
        sources += [s for s in c.source_ids if s not in sources]
    zr = ZoneRisk(
        zone_id=zone_id,
        name=name,
        country_iso3=iso3,
        admin1=admin1,
        as_of=day.isoformat(),
        risk=risk,
        event_risk=event_risk,
        override=override,
        hazard=hazard,
        n_events=len(contribs),
        fatalities=fatalities,
        contributions=tuple(contribs),
        explanation="",
        source_ids=tuple(sources),
        in_atlas=in_atlas,
    )
    return dataclasses.replace(zr, explanation=_explain(zr, model, counted[:3]))


def zone_risk_table(risks: Iterable[ZoneRisk]) -> pd.DataFrame:
    """Zone risks as a table, one row per zone (events behind them in ``top_event_ids``).

    Examples
    --------
    >>> zone_risk_table([]).columns[:3].tolist()
    ['zone_id', 'name', 'country_iso3']
    """
    columns = [
        "zone_id",
        "name",
        "country_iso3",
        "admin1",
        "as_of",
        "risk",
        "event_risk",
        "override",
        "hazard",
        "n_events",
        "fatalities",
        "in_atlas",
        "top_event_ids",
        "explanation",
    ]
    rows = [
        {
            **{k: getattr(r, k) for k in columns[:-2]},
            "top_event_ids": ";".join(c.event_id for c in r.contributions[:5] if c.weight > 0),
            "explanation": r.explanation,
        }
        for r in risks
    ]
    return pd.DataFrame(rows, columns=columns)


def security_atlas(
    atlas: Atlas,
    *,
    as_of: dt.date | str,
    events: Iterable[Event] | SecurityData,
    model: RiskModel | None = None,
    add_zones: bool = False,
) -> Atlas:
    """A new atlas whose zones carry their risk as of a date (the old atlas is unchanged).

    Routing reads ``Zone.risk``, so building a network from the returned atlas prices risk as
    of ``as_of``. Each zone's ``basis`` explains its figure, and its ``source_ids`` gain the
    sources of the events behind it; ``meta`` records the date and the model constants.

    Parameters
    ----------
    atlas : Atlas
        The atlas (its zones' ``risk`` are the analysts' figures).
    as_of : date or str
        The day of the security picture.
    events : iterable of Event or SecurityData
        The events (the atlas's own: :func:`caravan.security.files.atlas_events`); this module
        never reads files.
    model : RiskModel, optional
        The model constants.
    add_zones : bool
        Also add a country zone for each country that has events but no zone.

    Returns
    -------
    Atlas

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> e = Event("e1", dt.date(2025, 1, 1), EventType.BATTLES, "Armed clash", "A", "Iran",
    ...           "IRN", ("fixture",), event_count=50)
    >>> later = security_atlas(atlas, as_of="2025-01-01", events=[e])
    >>> [round(z.risk, 3) for z in later.zones if z.zone_id == "irn"]
    [0.393]
    """
    model = model or RiskModel()
    day = as_of_date(as_of)
    risks = {r.zone_id: r for r in zone_risks(atlas.zones, events, as_of=day, model=model)}
    zones: list[Zone] = []
    for z in atlas.zones:
        r = risks[z.zone_id]
        zones.append(
            dataclasses.replace(
                z,
                risk=r.risk,
                risk_low=None if z.risk_low is None else min(z.risk_low, r.risk),
                risk_high=None if z.risk_high is None else max(z.risk_high, r.risk),
                basis=r.explanation + (f". Analyst basis: {z.basis}" if z.basis else ""),
                source_ids=r.source_ids,
            )
        )
    if add_zones:
        for r in risks.values():
            if not r.in_atlas:
                zones.append(
                    Zone(
                        r.zone_id, r.name, r.country_iso3, r.risk, r.source_ids, basis=r.explanation
                    )
                )
    meta = {**atlas.meta, "security_as_of": day.isoformat(), "security_model": model.to_dict()}
    return dataclasses.replace(atlas, zones=tuple(zones), meta=meta)


def scenario_risk_changes(
    atlas: Atlas,
    *,
    as_of: dt.date | str,
    events: Iterable[Event] | SecurityData,
    zone_ids: Sequence[str] | None = None,
    model: RiskModel | None = None,
) -> tuple[RiskChange, ...]:
    """Scenario risk changes (``Scenario.risk``) that set zones to their risk as of a date.

    For a scenario that "takes its risk from the security layer": the scenario engine adds
    these to (or puts them before) the scenario's own ``risk:`` entries.

    Parameters
    ----------
    atlas : Atlas
        The atlas.
    as_of : date or str
        The day of the security picture (a scenario's date, or ``f"{year}-01-01"``).
    events : iterable of Event or SecurityData
        The events (the atlas's own: :func:`caravan.security.files.atlas_events`).
    zone_ids : sequence of str, optional
        Only these zones (an unknown id is an error); by default every zone.
    model : RiskModel, optional

    Returns
    -------
    tuple of RiskChange

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> [c.zone_id for c in scenario_risk_changes(atlas, as_of="2025-01-01", events=[],
    ...                                            zone_ids=["pak-north"])]
    ['pak-north']
    """
    risks = {r.zone_id: r for r in zone_risks(atlas.zones, events, as_of=as_of, model=model)}
    wanted = list(zone_ids) if zone_ids is not None else [z.zone_id for z in atlas.zones]
    unknown = [z for z in wanted if z not in risks]
    if unknown:
        msg = f"unknown zone {unknown[0]!r}" + _suggest(unknown[0], list(risks))
        raise InputError(msg)
    return tuple(
        RiskChange(
            zone_id=zid,
            risk=risks[zid].risk,
            name=risks[zid].name,
            country_iso3=risks[zid].country_iso3,
            admin1=risks[zid].admin1,
            basis="security layer: " + risks[zid].explanation,
            source_ids=risks[zid].source_ids,
        )
        for zid in wanted
    )
