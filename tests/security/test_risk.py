"""The risk model on hand-made events: decay, weights, saturation, blending, zones."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from caravan.errors import InputError
from caravan.io.atlas import load_atlas
from caravan.model.records import Zone
from caravan.security import Event, EventType, RiskModel, security_atlas, zone_risks
from caravan.security.files import atlas_events
from caravan.security.risk import (
    decay_factor,
    event_weight,
    saturate,
    scenario_risk_changes,
    zone_risk_table,
)
from tests.security._atlas import make_security_atlas

KP = Zone("pak-kp", "Khyber Pakhtunkhwa", "PAK", 0.2, ("s",), admin1="Khyber Pakhtunkhwa")
PAK = Zone("pak", "Pakistan", "PAK", 0.05, ("s",))


def _event(eid: str, day: str, *, admin1: str | None = "Khyber Pakhtunkhwa", **kw: object) -> Event:
    return Event(
        eid,
        dt.date.fromisoformat(day),
        kw.pop("event_type", EventType.BATTLES),  # type: ignore[arg-type]
        kw.pop("sub_event_type", "Armed clash"),  # type: ignore[arg-type]
        "TTP",
        "Pakistan",
        "PAK",
        ("s",),
        admin1=admin1,
        **kw,  # type: ignore[arg-type]
    )


def test_decay_halves_every_half_life() -> None:
    assert decay_factor(0, 365) == 1.0
    assert decay_factor(365, 365) == 0.5
    assert decay_factor(3 * 365, 365) == pytest.approx(0.125)
    assert decay_factor(10, 20) == pytest.approx(math.sqrt(0.5))


def test_weight_counts_events_and_fatalities() -> None:
    m = RiskModel()  # fatalities_weight 0.25
    assert event_weight(_event("a", "2024-01-01", fatalities=4), m) == 2.0
    assert event_weight(_event("a", "2024-01-01", fatalities=None), m) == 1.0
    assert event_weight(_event("a", "2024-01-01", event_count=295, fatalities=509), m) == 422.25
    strategic = _event(
        "s",
        "2024-01-01",
        event_type=EventType.STRATEGIC_DEVELOPMENTS,
        sub_event_type="Agreement",
        fatalities=10,
    )
    assert event_weight(strategic, m) == 0.0
    assert event_weight(_event("c", "2024-01-01", covered_by="agg"), m) == 0.0


def test_hazard_by_hand() -> None:
    # e1: weight 1 + 0.25 x 4 = 2, on the day; e2: weight 1, one half-life (365 days) old.
    events = [_event("e1", "2024-01-01", fatalities=4), _event("e2", "2023-01-01")]
    model = RiskModel(scale=1.0)
    kp = zone_risks([KP], events, as_of="2024-01-01", model=model)[0]
    assert kp.hazard == pytest.approx(2 * 1 + 1 * 0.5)
    assert kp.event_risk == pytest.approx(1 - math.exp(-2.5))
    assert kp.risk == pytest.approx(kp.event_risk)  # above the analysts' 0.2
    # a year later (2024 is a leap year: 2024-01-01 -> 2024-12-31 is 365 days)
    later = zone_risks([KP], events, as_of="2024-12-31", model=model)[0]
    assert later.hazard == pytest.approx(2 * 0.5 + 1 * 0.25)
    assert [c.event_id for c in later.contributions] == ["e1", "e2"]
    assert later.contributions[0].decayed_weight == pytest.approx(1.0)
    assert later.contributions[1].age_days == 730


def test_future_events_do_not_count_and_old_ones_fade_to_the_override() -> None:
    events = [_event("e1", "2025-06-01", event_count=500)]
    before = zone_risks([KP], events, as_of="2025-05-31")[0]
    assert before.n_events == 0 and before.risk == 0.2
    assert "analyst 0.20" in before.explanation
    during = zone_risks([KP], events, as_of="2025-06-01")[0]
    assert during.risk == pytest.approx(1 - math.exp(-5))
    faded = zone_risks([KP], events, as_of="2045-06-01")[0]
    assert faded.risk == 0.2  # max(analyst, events) with the events nearly gone


def test_saturation_is_bounded() -> None:
    assert saturate(0, 100) == 0.0
    assert saturate(1e9, 100) == 1.0
    assert 0 < saturate(50, 100) < saturate(100, 100) < 1


def test_province_events_go_to_their_zone_else_the_country() -> None:
    events = [
        _event("kp", "2025-01-01", event_count=10),
        _event("bal", "2025-01-01", admin1="Baluchistan", event_count=20),  # no zone of its own
        _event("none", "2025-01-01", admin1=None, event_count=30),
    ]
    risks = {r.zone_id: r for r in zone_risks([KP, PAK], events, as_of="2025-01-01")}
    assert [c.event_id for c in risks["pak-kp"].contributions] == ["kp"]
    assert sorted(c.event_id for c in risks["pak"].contributions) == ["bal", "none"]
    assert risks["pak"].hazard == 50


def test_spellings_of_provinces_match() -> None:
    bal = Zone("pak-bal", "Balochistan", "PAK", 0.0, ("s",), admin1="Balochistan")
    r = zone_risks([bal], [_event("b", "2025-01-01", admin1="Baluchistan")], as_of="2025-01-01")
    assert r[0].n_events == 1


def test_countries_without_zones_are_reported_not_priced() -> None:
    event = Event(
        "moscow",
        dt.date(2024, 3, 22),
        EventType.VIOLENCE_AGAINST_CIVILIANS,
        "Attack",
        "ISIS-K",
        "Russia",
        "RUS",
        ("s",),
        fatalities=140,
    )
    risks = zone_risks([KP], [event], as_of="2024-03-22")
    assert [(r.zone_id, r.in_atlas) for r in risks] == [("pak-kp", True), ("events-rus", False)]
    table = zone_risk_table(risks)
    assert list(table["zone_id"]) == ["pak-kp", "events-rus"]
    assert table.loc[1, "top_event_ids"] == "moscow"


def test_blends() -> None:
    events = [_event("e", "2025-01-01", event_count=100)]  # event risk 1 - 1/e = 0.632
    mean = zone_risks([KP], events, as_of="2025-01-01", model=RiskModel(blend="mean"))[0]
    assert mean.risk == pytest.approx(0.5 * 0.2 + 0.5 * (1 - math.exp(-1)))
    only = zone_risks([KP], events, as_of="2025-01-01", model=RiskModel(blend="override"))[0]
    assert only.risk == 0.2


def test_bad_constants_are_input_errors() -> None:
    with pytest.raises(InputError, match="half_life_days"):
        RiskModel(half_life_days=0)
    with pytest.raises(InputError, match="blend"):
        RiskModel(blend="median")  # type: ignore[arg-type]


def test_security_atlas_returns_a_new_atlas(tmp_path: Path) -> None:
    atlas = load_atlas(make_security_atlas(tmp_path / "atlas"))
    later = security_atlas(atlas, as_of="2025-01-02", events=atlas_events(atlas))
    old = {z.zone_id: z for z in atlas.zones}
    new = {z.zone_id: z for z in later.zones}
    assert old["afg-paktika"].risk == 0.1  # unchanged
    assert new["afg-paktika"].risk > 0.7
    assert "e-strikes" in new["afg-paktika"].basis
    assert "Analyst basis: analysts' figure" in new["afg-paktika"].basis
    assert later.meta["security_as_of"] == "2025-01-02"
    assert new["pak-north"].risk == old["pak-north"].risk  # no events there


def test_scenario_risk_changes(tmp_path: Path) -> None:
    atlas = load_atlas(make_security_atlas(tmp_path / "atlas"))
    changes = scenario_risk_changes(
        atlas, as_of="2025-01-02", events=atlas_events(atlas), zone_ids=["afg-paktika"]
    )
    assert len(changes) == 1 and changes[0].risk > 0.7
    assert changes[0].basis.startswith("security layer: as of 2025-01-02")
    with pytest.raises(InputError, match="unknown zone 'afg-paktikaa'"):
        scenario_risk_changes(
            atlas, as_of="2025-01-02", events=atlas_events(atlas), zone_ids=["afg-paktikaa"]
        )
