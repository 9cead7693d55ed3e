"""Country names as ACLED writes them, with their ISO 3166-1 codes, and admin1 spellings."""

from __future__ import annotations

from caravan.model.atlas import fold_name

__all__ = ["ACLED_COUNTRIES", "admin1_key", "country_iso3", "country_name"]

#: ACLED country name -> (ISO 3166-1 alpha-3, ISO 3166-1 numeric). The region of the atlas and
#: its neighbours; extend it for exports from elsewhere. ACLED writes short English names.
ACLED_COUNTRIES: dict[str, tuple[str, int]] = {
    "Afghanistan": ("AFG", 4),
    "Armenia": ("ARM", 51),
    "Azerbaijan": ("AZE", 31),
    "Bahrain": ("BHR", 48),
    "Bangladesh": ("BGD", 50),
    "Belarus": ("BLR", 112),
    "Bulgaria": ("BGR", 100),
    "China": ("CHN", 156),
    "Cyprus": ("CYP", 196),
    "Egypt": ("EGY", 818),
    "Georgia": ("GEO", 268),
    "Germany": ("DEU", 276),
    "Greece": ("GRC", 300),
    "India": ("IND", 356),
    "Iran": ("IRN", 364),
    "Iraq": ("IRQ", 368),
    "Israel": ("ISR", 376),
    "Jordan": ("JOR", 400),
    "Kazakhstan": ("KAZ", 398),
    "Kuwait": ("KWT", 414),
    "Kyrgyzstan": ("KGZ", 417),
    "Lebanon": ("LBN", 422),
    "Moldova": ("MDA", 498),
    "Mongolia": ("MNG", 496),
    "Nepal": ("NPL", 524),
    "Netherlands": ("NLD", 528),
    "Oman": ("OMN", 512),
    "Pakistan": ("PAK", 586),
    "Palestine": ("PSE", 275),
    "Poland": ("POL", 616),
    "Qatar": ("QAT", 634),
    "Romania": ("ROU", 642),
    "Russia": ("RUS", 643),
    "Saudi Arabia": ("SAU", 682),
    "Sri Lanka": ("LKA", 144),
    "Syria": ("SYR", 760),
    "Tajikistan": ("TJK", 762),
    "Turkey": ("TUR", 792),
    "Turkmenistan": ("TKM", 795),
    "Ukraine": ("UKR", 804),
    "United Arab Emirates": ("ARE", 784),
    "United Kingdom": ("GBR", 826),
    "United States": ("USA", 840),
    "Uzbekistan": ("UZB", 860),
    "Yemen": ("YEM", 887),
}

_BY_FOLDED = {fold_name(name): iso3 for name, (iso3, _) in ACLED_COUNTRIES.items()}
_BY_FOLDED.update({"turkiye": "TUR", "russianfederation": "RUS", "unitedstatesofamerica": "USA"})
_BY_NUMERIC = {num: iso3 for iso3, num in ACLED_COUNTRIES.values()}
_NAME_OF = {iso3: name for name, (iso3, _) in ACLED_COUNTRIES.items()}

#: Other spellings of provinces, folded, mapped to the spelling zones use (folded).
_ADMIN1_ALIASES: dict[str, str] = {
    "baluchistan": "balochistan",
    "northwestfrontierprovince": "khyberpakhtunkhwa",
    "nwfp": "khyberpakhtunkhwa",
    "khyberpakhtoonkhwa": "khyberpakhtunkhwa",
    "sistanandbaluchestan": "sistanandbaluchistan",
    "sistanvabaluchestan": "sistanandbaluchistan",
    "sistanbaluchestan": "sistanandbaluchistan",
    "badakhshon": "badakhshan",
}


def country_iso3(name: str, *, iso_numeric: int | None = None) -> str | None:
    """The ISO3 code of a country as ACLED names it (or of its ISO numeric code).

    Examples
    --------
    >>> country_iso3("Afghanistan"), country_iso3("Türkiye"), country_iso3("", iso_numeric=586)
    ('AFG', 'TUR', 'PAK')
    >>> country_iso3("Atlantis") is None
    True
    """
    hit = _BY_FOLDED.get(fold_name(name)) if name else None
    if hit is None and iso_numeric is not None:
        hit = _BY_NUMERIC.get(iso_numeric)
    return hit


def country_name(iso3: str) -> str | None:
    """The ACLED country name of an ISO3 code.

    Examples
    --------
    >>> country_name("PAK")
    'Pakistan'
    """
    return _NAME_OF.get(iso3)


def admin1_key(admin1: str | None) -> str:
    """A province name folded for matching, with known respellings merged ('' for none).

    Examples
    --------
    >>> admin1_key("Baluchistan") == admin1_key("Balochistan")
    True
    >>> admin1_key(None)
    ''
    """
    if not admin1:
        return ""
    key = fold_name(admin1)
    return _ADMIN1_ALIASES.get(key, key)
