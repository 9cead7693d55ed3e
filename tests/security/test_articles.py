"""Every relation and event the source articles state is in the shipped security layer, cited.

The lists below were made by reading Jamal 2025, Turgunbaeva and Ghiasi 2025 and Fazl-e-Haider 2025
sentence by sentence (and the two Umarova 2025 articles for what they say about security). Each
quote in the data must be a sentence (or part of one) of the article it cites.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caravan.io.atlas import shipped_atlas_path
from caravan.security import SecurityData
from caravan.security.files import read_security, security_problems

SEEDS_FILE = Path("/work/shared/seeds/000_1ac80f8c44549428.txt")
#: The five articles' source ids, in the order they appear in the article file.
ARTICLE_IDS = (
    "umarova-2025-lapis-lazuli",
    "jamal-2025-jihadist-networks",
    "umarova-2025-chabahar-gwadar",
    "turgunbaeva-ghiasi-2025-taliban-delisting",
    "fazl-e-haider-2025-wakhan-corridor",
)
SEED_IDS = set(ARTICLE_IDS)

#: (subject, predicate, object, seed) that the articles state.
RELATIONS: list[tuple[str, str, str, str]] = [
    # jamal-2025-jihadist-networks: Jamal, Russia's recognition of the Taliban and jihadist networks
    ("russia", "recognises", "taliban", "jamal-2025-jihadist-networks"),
    ("russia", "allied_with", "taliban", "jamal-2025-jihadist-networks"),
    ("taliban", "ties_with", "al-qaeda", "jamal-2025-jihadist-networks"),
    ("taliban", "ties_with", "ttp", "jamal-2025-jihadist-networks"),
    ("taliban", "ties_with", "imu", "jamal-2025-jihadist-networks"),
    ("taliban", "fights", "isis-k", "jamal-2025-jihadist-networks"),
    ("russia", "fights", "isis-k", "jamal-2025-jihadist-networks"),
    ("isis-k", "targets", "russia", "jamal-2025-jihadist-networks"),
    ("russia", "designates_terrorist", "taliban", "jamal-2025-jihadist-networks"),
    ("russia", "delists", "taliban", "jamal-2025-jihadist-networks"),
    ("taliban", "signs_agreement", "usa", "jamal-2025-jihadist-networks"),
    ("taliban", "shelters", "al-qaeda", "jamal-2025-jihadist-networks"),
    ("haqqani-network", "faction_of", "taliban", "jamal-2025-jihadist-networks"),
    ("sirajuddin-haqqani", "leads", "haqqani-network", "jamal-2025-jihadist-networks"),
    ("taliban", "ties_with", "lashkar-e-taiba", "jamal-2025-jihadist-networks"),
    ("taliban", "ties_with", "jaish-e-mohammed", "jamal-2025-jihadist-networks"),
    ("taliban", "ties_with", "etim", "jamal-2025-jihadist-networks"),
    ("etim", "targets", "china", "jamal-2025-jihadist-networks"),
    ("isis-k", "targets", "iran", "jamal-2025-jihadist-networks"),
    ("isis-k", "targets", "pakistan", "jamal-2025-jihadist-networks"),
    ("al-qaeda", "supports", "ttp", "jamal-2025-jihadist-networks"),
    ("taliban", "supports", "ttp", "jamal-2025-jihadist-networks"),
    ("taliban", "funds", "ttp", "jamal-2025-jihadist-networks"),
    ("noor-wali-mehsud", "leads", "ttp", "jamal-2025-jihadist-networks"),
    ("ttp", "ties_with", "isis-k", "jamal-2025-jihadist-networks"),
    ("ttp", "trains", "balochistan-militant-networks", "jamal-2025-jihadist-networks"),
    ("taliban", "deploys", "imu", "jamal-2025-jihadist-networks"),
    (
        "taliban",
        "shelters",
        "etim",
        "jamal-2025-jihadist-networks",
    ),  # ETIM's freedom under Taliban rule
    ("taliban", "relocates", "etim", "jamal-2025-jihadist-networks"),
    ("china", "demands", "taliban", "jamal-2025-jihadist-networks"),
    ("taliban", "refuses_extradition", "abdul-haq-al-turkistani", "jamal-2025-jihadist-networks"),
    ("abdul-haq-al-turkistani", "leads", "etim", "jamal-2025-jihadist-networks"),
    ("abdul-haq-al-turkistani", "represents", "al-qaeda", "jamal-2025-jihadist-networks"),
    ("taliban", "deploys", "jamaat-ansarullah", "jamal-2025-jihadist-networks"),
    ("jamaat-ansarullah", "threatens", "tajikistan", "jamal-2025-jihadist-networks"),
    ("jamaat-ansarullah", "fights", "isis-k", "jamal-2025-jihadist-networks"),
    ("imu", "fights", "isis-k", "jamal-2025-jihadist-networks"),
    ("etim", "allied_with", "taliban", "jamal-2025-jihadist-networks"),
    ("hts", "affiliate_of", "etim", "jamal-2025-jihadist-networks"),
    ("etim", "engages", "taliban", "jamal-2025-jihadist-networks"),
    ("taliban", "allied_with", "etim", "jamal-2025-jihadist-networks"),
    ("taliban", "allied_with", "imu", "jamal-2025-jihadist-networks"),
    ("taliban", "supports", "al-qaeda", "jamal-2025-jihadist-networks"),
    ("taliban", "supports", "haqqani-network", "jamal-2025-jihadist-networks"),
    ("taliban", "supports", "etim", "jamal-2025-jihadist-networks"),
    # Turgunbaeva and Ghiasi 2025, Russia removes the Taliban from its terror list
    ("russia", "delists", "taliban", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("russia", "supports", "northern-alliance", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("northern-alliance", "fights", "taliban", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("russia", "engages", "taliban", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    (
        "taliban",
        "recognises",
        "chechen-republic-of-ichkeria",
        "turgunbaeva-ghiasi-2025-taliban-delisting",
    ),
    ("taliban", "rebuffs", "russia", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("isis-k", "threatens", "russia", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("uzbekistan", "engages", "taliban", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    (
        "russia",
        "supports",
        "taliban",
        "turgunbaeva-ghiasi-2025-taliban-delisting",
    ),  # alleged, November 2016
    ("taliban", "engages", "russia", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("turkmenistan", "engages", "taliban", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("russia", "rivals", "uzbekistan", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("uzbekistan", "hosts", "taliban", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("tajikistan", "engages", "taliban", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    ("taliban", "engages", "sco", "turgunbaeva-ghiasi-2025-taliban-delisting"),
    # fazl-e-haider-2025-wakhan-corridor: Fazl-e-Haider, Wakhan
    ("china", "demands", "taliban", "fazl-e-haider-2025-wakhan-corridor"),
    ("pakistan", "demands", "taliban", "fazl-e-haider-2025-wakhan-corridor"),
    ("pakistan", "accuses", "taliban", "fazl-e-haider-2025-wakhan-corridor"),
    ("taliban", "shelters", "ttp", "fazl-e-haider-2025-wakhan-corridor"),
    ("ttp", "targets", "pakistan", "fazl-e-haider-2025-wakhan-corridor"),
    ("ttp", "targets", "china", "fazl-e-haider-2025-wakhan-corridor"),
    ("pakistan", "fights", "ttp", "fazl-e-haider-2025-wakhan-corridor"),
    ("pakistan", "fights", "taliban", "fazl-e-haider-2025-wakhan-corridor"),
    ("taliban", "fights", "pakistan", "fazl-e-haider-2025-wakhan-corridor"),
    ("tajikistan", "hosts", "nrf", "fazl-e-haider-2025-wakhan-corridor"),
    ("nrf", "fights", "taliban", "fazl-e-haider-2025-wakhan-corridor"),
    ("pakistan", "engages", "tajikistan", "fazl-e-haider-2025-wakhan-corridor"),
    ("pakistan", "engages", "nrf", "fazl-e-haider-2025-wakhan-corridor"),
    ("china", "engages", "taliban", "fazl-e-haider-2025-wakhan-corridor"),
    (
        "taliban",
        "shelters",
        "etim",
        "fazl-e-haider-2025-wakhan-corridor",
    ),  # Uyghur militants, 1996-2001
    ("taliban", "warns", "china", "fazl-e-haider-2025-wakhan-corridor"),
    ("pakistan", "allied_with", "china", "fazl-e-haider-2025-wakhan-corridor"),
    ("tajikistan", "hosts", "china", "fazl-e-haider-2025-wakhan-corridor"),
    ("usa", "endorses", "pakistan", "fazl-e-haider-2025-wakhan-corridor"),
    # umarova-2025-lapis-lazuli and umarova-2025-chabahar-gwadar
    ("azerbaijan", "engages", "taliban", "umarova-2025-lapis-lazuli"),
    ("russia", "engages", "taliban", "umarova-2025-chabahar-gwadar"),
    ("israel", "fights", "iran", "umarova-2025-chabahar-gwadar"),
    ("iran", "fights", "israel", "umarova-2025-chabahar-gwadar"),
    ("india", "rivals", "pakistan", "umarova-2025-chabahar-gwadar"),
    ("india", "rivals", "china", "umarova-2025-chabahar-gwadar"),
    ("taliban", "engages", "kazakhstan", "umarova-2025-chabahar-gwadar"),
    ("taliban", "engages", "uzbekistan", "umarova-2025-chabahar-gwadar"),
]

#: Dated relations the issue names, with their dates.
DATED = [
    ("russia", "delists", "taliban", "2025-04-17"),
    ("russia", "recognises", "taliban", "2025-07-03"),
    ("pakistan", "fights", "ttp", "2024-12-24"),
]

#: (event_id, seed, iso3, admin1, fatalities) of the events the articles report.
EVENTS = [
    (
        "ev-2024-12-24-paktika-airstrikes",
        "fazl-e-haider-2025-wakhan-corridor",
        "AFG",
        "Paktika",
        46,
    ),
    ("ev-2024-12-taliban-retaliation-border", "fazl-e-haider-2025-wakhan-corridor", "PAK", None, 1),
    (
        "ev-2024-03-pakistani-airstrikes-afghanistan",
        "fazl-e-haider-2025-wakhan-corridor",
        "AFG",
        None,
        8,
    ),
    (
        "ev-2024-03-ttp-attack-tribal-area",
        "fazl-e-haider-2025-wakhan-corridor",
        "PAK",
        "Khyber Pakhtunkhwa",
        7,
    ),
    ("ev-2024-03-crocus-city-hall", "jamal-2025-jihadist-networks", "RUS", "Moscow", 140),
    ("ev-2024-12-etim-delegation-kabul", "jamal-2025-jihadist-networks", "AFG", "Kabul", 0),
    (
        "ev-2016-11-tajikistan-base-meeting",
        "turgunbaeva-ghiasi-2025-taliban-delisting",
        "TJK",
        None,
        0,
    ),
    (
        "ev-2016-11-badakhshan-weapons-delivery",
        "turgunbaeva-ghiasi-2025-taliban-delisting",
        "AFG",
        "Badakhshan",
        0,
    ),
    ("ev-2021-08-taliban-take-kabul", "umarova-2025-lapis-lazuli", "AFG", "Kabul", None),
    ("ev-2025-06-iran-israel-war", "umarova-2025-chabahar-gwadar", "IRN", None, 627),
    (
        "ev-2024-pak-khyber-pakhtunkhwa-pips",
        "umarova-2025-chabahar-gwadar",
        "PAK",
        "Khyber Pakhtunkhwa",
        509,
    ),
    ("ev-2024-pak-balochistan-pips", "umarova-2025-chabahar-gwadar", "PAK", "Balochistan", 322),
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
    return {sid: _norm(p) for sid, p in zip(ARTICLE_IDS, parts, strict=True)}


@pytest.mark.skipif(not SEEDS_FILE.is_file(), reason="the seed articles are not on this machine")
def test_quotes_are_the_articles_own_words(data: SecurityData) -> None:
    articles = _articles()
    records = [(r.relation_id, r.quote, r.source_ids) for r in data.relations]
    records += [(e.event_id, e.quote, e.source_ids) for e in data.events if e.quote]
    for rid, quote, sources in records:
        seeds = [s for s in sources if s in articles]
        assert seeds, rid
        assert any(_norm(quote) in articles[s] for s in seeds), f"{rid}: quote not in {seeds}"
