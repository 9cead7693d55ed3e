"""Every relation and event the seed articles state is in the shipped security layer, cited.

The lists below were made by reading seed-2, seed-4 and seed-5 sentence by sentence (and seed-1
and seed-3 for what they say about security). Each quote in the data must be a sentence (or part
of one) of the article it cites.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caravan.io.atlas import shipped_atlas_path
from caravan.io.security import read_security, security_problems
from caravan.security import SecurityData

SEEDS_FILE = Path("/work/shared/seeds/000_1ac80f8c44549428.txt")
SEED_IDS = {f"seed-{i}" for i in range(1, 6)}

#: (subject, predicate, object, seed) that the articles state.
RELATIONS: list[tuple[str, str, str, str]] = [
    # seed-2: Jamal, Russia's recognition of the Taliban and jihadist networks
    ("russia", "recognises", "taliban", "seed-2"),
    ("russia", "allied_with", "taliban", "seed-2"),
    ("taliban", "ties_with", "al-qaeda", "seed-2"),
    ("taliban", "ties_with", "ttp", "seed-2"),
    ("taliban", "ties_with", "imu", "seed-2"),
    ("taliban", "fights", "isis-k", "seed-2"),
    ("russia", "fights", "isis-k", "seed-2"),
    ("isis-k", "targets", "russia", "seed-2"),
    ("russia", "designates_terrorist", "taliban", "seed-2"),
    ("russia", "delists", "taliban", "seed-2"),
    ("taliban", "signs_agreement", "usa", "seed-2"),
    ("taliban", "shelters", "al-qaeda", "seed-2"),
    ("haqqani-network", "faction_of", "taliban", "seed-2"),
    ("sirajuddin-haqqani", "leads", "haqqani-network", "seed-2"),
    ("taliban", "ties_with", "lashkar-e-taiba", "seed-2"),
    ("taliban", "ties_with", "jaish-e-mohammed", "seed-2"),
    ("taliban", "ties_with", "etim", "seed-2"),
    ("etim", "targets", "china", "seed-2"),
    ("isis-k", "targets", "iran", "seed-2"),
    ("isis-k", "targets", "pakistan", "seed-2"),
    ("al-qaeda", "supports", "ttp", "seed-2"),
    ("taliban", "supports", "ttp", "seed-2"),
    ("taliban", "funds", "ttp", "seed-2"),
    ("noor-wali-mehsud", "leads", "ttp", "seed-2"),
    ("ttp", "ties_with", "isis-k", "seed-2"),
    ("ttp", "trains", "balochistan-militant-networks", "seed-2"),
    ("taliban", "deploys", "imu", "seed-2"),
    ("taliban", "shelters", "etim", "seed-2"),  # ETIM's freedom under Taliban rule
    ("taliban", "relocates", "etim", "seed-2"),
    ("china", "demands", "taliban", "seed-2"),
    ("taliban", "refuses_extradition", "abdul-haq-al-turkistani", "seed-2"),
    ("abdul-haq-al-turkistani", "leads", "etim", "seed-2"),
    ("abdul-haq-al-turkistani", "represents", "al-qaeda", "seed-2"),
    ("taliban", "deploys", "jamaat-ansarullah", "seed-2"),
    ("jamaat-ansarullah", "threatens", "tajikistan", "seed-2"),
    ("jamaat-ansarullah", "fights", "isis-k", "seed-2"),
    ("imu", "fights", "isis-k", "seed-2"),
    ("etim", "allied_with", "taliban", "seed-2"),
    ("hts", "affiliate_of", "etim", "seed-2"),
    ("etim", "engages", "taliban", "seed-2"),
    ("taliban", "allied_with", "etim", "seed-2"),
    ("taliban", "allied_with", "imu", "seed-2"),
    ("taliban", "supports", "al-qaeda", "seed-2"),
    ("taliban", "supports", "haqqani-network", "seed-2"),
    ("taliban", "supports", "etim", "seed-2"),
    # seed-4: Turgunbaeva & Ghiasi, Russia removes the Taliban from its terror list
    ("russia", "delists", "taliban", "seed-4"),
    ("russia", "supports", "northern-alliance", "seed-4"),
    ("northern-alliance", "fights", "taliban", "seed-4"),
    ("russia", "engages", "taliban", "seed-4"),
    ("taliban", "recognises", "chechen-republic-of-ichkeria", "seed-4"),
    ("taliban", "rebuffs", "russia", "seed-4"),
    ("isis-k", "threatens", "russia", "seed-4"),
    ("uzbekistan", "engages", "taliban", "seed-4"),
    ("russia", "supports", "taliban", "seed-4"),  # alleged, November 2016
    ("taliban", "engages", "russia", "seed-4"),
    ("turkmenistan", "engages", "taliban", "seed-4"),
    ("russia", "rivals", "uzbekistan", "seed-4"),
    ("uzbekistan", "hosts", "taliban", "seed-4"),
    ("tajikistan", "engages", "taliban", "seed-4"),
    ("taliban", "engages", "sco", "seed-4"),
    # seed-5: Fazl-e-Haider, Wakhan
    ("china", "demands", "taliban", "seed-5"),
    ("pakistan", "demands", "taliban", "seed-5"),
    ("pakistan", "accuses", "taliban", "seed-5"),
    ("taliban", "shelters", "ttp", "seed-5"),
    ("ttp", "targets", "pakistan", "seed-5"),
    ("ttp", "targets", "china", "seed-5"),
    ("pakistan", "fights", "ttp", "seed-5"),
    ("pakistan", "fights", "taliban", "seed-5"),
    ("taliban", "fights", "pakistan", "seed-5"),
    ("tajikistan", "hosts", "nrf", "seed-5"),
    ("nrf", "fights", "taliban", "seed-5"),
    ("pakistan", "engages", "tajikistan", "seed-5"),
    ("pakistan", "engages", "nrf", "seed-5"),
    ("china", "engages", "taliban", "seed-5"),
    ("taliban", "shelters", "etim", "seed-5"),  # Uyghur militants, 1996-2001
    ("taliban", "warns", "china", "seed-5"),
    ("pakistan", "allied_with", "china", "seed-5"),
    ("tajikistan", "hosts", "china", "seed-5"),
    ("usa", "endorses", "pakistan", "seed-5"),
    # seed-1 and seed-3
    ("azerbaijan", "engages", "taliban", "seed-1"),
    ("russia", "engages", "taliban", "seed-3"),
    ("israel", "fights", "iran", "seed-3"),
    ("iran", "fights", "israel", "seed-3"),
    ("india", "rivals", "pakistan", "seed-3"),
    ("india", "rivals", "china", "seed-3"),
    ("taliban", "engages", "kazakhstan", "seed-3"),
    ("taliban", "engages", "uzbekistan", "seed-3"),
]

#: Dated relations the issue names, with their dates.
DATED = [
    ("russia", "delists", "taliban", "2025-04-17"),
    ("russia", "recognises", "taliban", "2025-07-03"),
    ("pakistan", "fights", "ttp", "2024-12-24"),
]

#: (event_id, seed, iso3, admin1, fatalities) of the events the articles report.
EVENTS = [
    ("ev-2024-12-24-paktika-airstrikes", "seed-5", "AFG", "Paktika", 46),
    ("ev-2024-12-taliban-retaliation-border", "seed-5", "PAK", None, 1),
    ("ev-2024-03-pakistani-airstrikes-afghanistan", "seed-5", "AFG", None, 8),
    ("ev-2024-03-ttp-attack-tribal-area", "seed-5", "PAK", "Khyber Pakhtunkhwa", 7),
    ("ev-2024-03-crocus-city-hall", "seed-2", "RUS", "Moscow", 140),
    ("ev-2024-12-etim-delegation-kabul", "seed-2", "AFG", "Kabul", 0),
    ("ev-2016-11-tajikistan-base-meeting", "seed-4", "TJK", None, 0),
    ("ev-2016-11-badakhshan-weapons-delivery", "seed-4", "AFG", "Badakhshan", 0),
    ("ev-2021-08-taliban-take-kabul", "seed-1", "AFG", "Kabul", None),
    ("ev-2025-06-iran-israel-war", "seed-3", "IRN", None, 627),
    ("ev-2024-pak-khyber-pakhtunkhwa-pips", "seed-3", "PAK", "Khyber Pakhtunkhwa", 509),
    ("ev-2024-pak-balochistan-pips", "seed-3", "PAK", "Balochistan", 322),
]


def _known_sources() -> set[str] | None:
    """The atlas's source ids, or the seeds alone while the atlas's sources.yaml is missing."""
    return None if (shipped_atlas_path() / "sources.yaml").is_file() else SEED_IDS


@pytest.fixture(scope="module")
def data() -> SecurityData:
    return read_security(known_source_ids=_known_sources())


def test_shipped_layer_is_valid() -> None:
    assert security_problems(known_source_ids=_known_sources()) == []


@pytest.mark.parametrize(("subject", "predicate", "obj", "seed"), RELATIONS)
def test_relation_is_in_the_data(
    data: SecurityData, subject: str, predicate: str, obj: str, seed: str
) -> None:
    hits = [
        r
        for r in data.relations
        if (r.subject_id, r.predicate.value, r.object_id) == (subject, predicate, obj)
        and seed in r.source_ids
    ]
    assert hits, f"missing: {subject} {predicate} {obj} ({seed})"
    assert all(r.quote for r in hits)


@pytest.mark.parametrize(("subject", "predicate", "obj", "day"), DATED)
def test_dated_relations(
    data: SecurityData, subject: str, predicate: str, obj: str, day: str
) -> None:
    dates = {
        r.start
        for r in data.relations
        if (r.subject_id, r.predicate.value, r.object_id) == (subject, predicate, obj)
    }
    assert day in dates


@pytest.mark.parametrize(("event_id", "seed", "iso3", "admin1", "fatalities"), EVENTS)
def test_event_is_in_the_data(
    data: SecurityData,
    event_id: str,
    seed: str,
    iso3: str,
    admin1: str | None,
    fatalities: int | None,
) -> None:
    event = next((e for e in data.events if e.event_id == event_id), None)
    assert event is not None, f"missing event {event_id}"
    assert seed in event.source_ids
    assert (event.iso3, event.admin1, event.fatalities) == (iso3, admin1, fatalities)


def test_every_event_cites_a_source_and_says_how_it_was_placed(data: SecurityData) -> None:
    for e in data.events:
        assert e.source_ids
        assert e.notes or e.quote, e.event_id
        if e.event_count > 1:  # an aggregate says so
            assert "AGGREGATE" in e.notes, e.event_id


def _norm(text: str) -> str:
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text)


def _articles() -> dict[str, str]:
    text = SEEDS_FILE.read_text(encoding="utf-8")
    parts = re.split(r"^By [^\n,]{3,60}$", text, flags=re.MULTILINE)[1:]  # author lines
    assert len(parts) == 5
    return {f"seed-{i}": _norm(p) for i, p in enumerate(parts, start=1)}


@pytest.mark.skipif(not SEEDS_FILE.is_file(), reason="the seed articles are not on this machine")
def test_quotes_are_the_articles_own_words(data: SecurityData) -> None:
    articles = _articles()
    records = [(r.relation_id, r.quote, r.source_ids) for r in data.relations]
    records += [(e.event_id, e.quote, e.source_ids) for e in data.events if e.quote]
    for rid, quote, sources in records:
        seeds = [s for s in sources if s in articles]
        assert seeds, rid
        assert any(_norm(quote) in articles[s] for s in seeds), f"{rid}: quote not in {seeds}"
