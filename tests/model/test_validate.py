"""The validator catches each kind of problem, with file, row, field, a clear message and a fix."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from caravan.errors import AtlasValidationError, Problem
from caravan.io.atlas import load_atlas, read_atlas_tables
from caravan.model.geodesy import geodesic_km
from caravan.model.validate import validate_tables

from .._edits import drop_csv_row, edit_csv, edit_yaml, replace_text

Break = Callable[[Path], None]


def _problems(folder: Path) -> list[Problem]:
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(folder)
    return list(info.value.problems)


def _set(file: str, key: str, column: str, value: str) -> Break:
    return lambda folder: edit_csv(folder, file, key, column, value)


def _yaml(file: str, change: Callable[[Any], Any]) -> Break:
    return lambda folder: edit_yaml(folder, file, change)


def _text(file: str, old: str, new: str) -> Break:
    return lambda folder: replace_text(folder, file, old, new)


def _write(file: str, data: bytes) -> Break:
    return lambda folder: (folder / file).write_bytes(data)


def _record(index: int, key: str, value: Any) -> Callable[[Any], None]:
    def change(records: Any) -> None:
        target = records[index]
        for part in key.split(".")[:-1]:
            target = target[part]
        target[key.split(".")[-1]] = value

    return change


# (id, how to break the tiny atlas, file, row, field, fragment of the message)
CASES: list[tuple[str, Break, str, int | None, str | None, str]] = [
    (
        "duplicate-node-id",
        _set("nodes.csv", "herat", "node_id", "kandahar"),
        "nodes.csv",
        9,
        "node_id",
        "duplicate node id 'kandahar'",
    ),
    (
        "duplicate-link-id",
        _set("links.csv", "d-delaram-herat", "link_id", "d-delaram-kandahar"),
        "links.csv",
        10,
        "link_id",
        "duplicate link id 'd-delaram-kandahar'",
    ),
    (
        "duplicate-project-id",
        _yaml("projects.yaml", _record(1, "project_id", "chabahar-zahedan")),
        "projects.yaml",
        2,
        "project_id",
        "duplicate project id",
    ),
    (
        "bad-slug",
        _set("nodes.csv", "herat", "node_id", "Herat City"),
        "nodes.csv",
        9,
        "node_id",
        "not a lower-case slug",
    ),
    (
        "unknown-node-in-link",
        _set("links.csv", "d-delaram-herat", "to_node_id", "heart"),
        "links.csv",
        10,
        "to_node_id",
        "unknown node 'heart' (did you mean 'herat'?)",
    ),
    (
        "link-to-itself",
        _set("links.csv", "d-delaram-herat", "to_node_id", "delaram"),
        "links.csv",
        10,
        "to_node_id",
        "starts and ends at the same node 'delaram'",
    ),
    (
        "latitude-out-of-range",
        _set("nodes.csv", "herat", "lat", "95.2"),
        "nodes.csv",
        9,
        "lat",
        "lat must be between -90 and 90 (got 95.2)",
    ),
    (
        "longitude-out-of-range",
        _set("nodes.csv", "herat", "lon", "-262"),
        "nodes.csv",
        9,
        "lon",
        "lon must be between -180 and 180 (got -262)",
    ),
    (
        "length-far-below-great-circle",
        _set("links.csv", "d-delaram-herat", "length_km", "100"),
        "links.csv",
        10,
        "length_km",
        "length_km 100 is far below the great-circle distance 268 km",
    ),
    (
        "length-far-above-great-circle-without-reason",
        _set("links.csv", "d-delaram-herat", "length_km", "800"),
        "links.csv",
        10,
        "length_km",
        "more than 2.5 times the great-circle distance 268 km",
    ),
    (
        "length-outside-its-range",
        _set("links.csv", "r-chabahar-zahedan", "length_km", "600"),
        "links.csv",
        3,
        "length_km",
        "length_km 600 is below length_km_low 610",
    ),
    (
        "tariff-range-upside-down",
        _set("links.csv", "d-zaranj-delaram", "tariff_usd_per_tkm_low", "0.2"),
        "links.csv",
        7,
        "tariff_usd_per_tkm_low",
        "tariff_usd_per_tkm_low 0.2 is above tariff_usd_per_tkm_high 0.15",
    ),
    (
        "rail-link-without-gauge",
        _set("links.csv", "r-zaranj-delaram", "gauge_mm", ""),
        "links.csv",
        8,
        "gauge_mm",
        "rail link 'r-zaranj-delaram' has no gauge",
    ),
    (
        "road-link-with-gauge",
        _set("links.csv", "d-delaram-herat", "gauge_mm", "1520"),
        "links.csv",
        10,
        "gauge_mm",
        "only rail links have a gauge",
    ),
    (
        "gauge-not-in-vocabulary",
        _set("links.csv", "r-zaranj-delaram", "gauge_mm", "1000"),
        "links.csv",
        8,
        "gauge_mm",
        "'1000' is not one of 1435, 1520, 1676",
    ),
    (
        "no-speed-or-tariff-and-no-mode-default",
        _yaml("modes.yaml", lambda modes: [m for m in modes if m["mode"] != "road"]),
        "links.csv",
        5,
        "speed_kmh",
        "has no speed_kmh and modes.yaml has no default for road",
    ),
    (
        "operational-without-open-year",
        _set("links.csv", "d-delaram-herat", "open_year", ""),
        "links.csv",
        10,
        "open_year",
        "operational link 'd-delaram-herat' has no open_year",
    ),
    (
        "operational-after-the-atlas-date",
        _set("links.csv", "d-delaram-herat", "open_year", "2031"),
        "links.csv",
        10,
        "open_year",
        "opens in 2031, after the atlas date 2025",
    ),
    (
        "sea-link-to-a-non-port",
        _set("nodes.csv", "chabahar", "kind", "city"),
        "links.csv",
        2,
        "to_node_id",
        "ends at 'chabahar', a city, not a port",
    ),
    (
        "unknown-source-id",
        _set("nodes.csv", "herat", "source_ids", "tiny-gazeteer"),
        "nodes.csv",
        9,
        "source_ids",
        "cites unknown source 'tiny-gazeteer' (did you mean 'tiny-gazetteer'?)",
    ),
    (
        "unknown-source-in-a-dispute",
        _yaml("projects.yaml", lambda p: p[1]["disputes"][0].update(source_ids=["nowhere"])),
        "projects.yaml",
        2,
        "disputes[1].source_ids",
        "cites unknown source 'nowhere'",
    ),
    (
        "project-names-a-missing-link",
        _yaml("projects.yaml", _record(1, "link_ids", ["r-zaranj-delaram-x"])),
        "projects.yaml",
        2,
        "link_ids",
        "names missing link 'r-zaranj-delaram-x'",
    ),
    (
        "border-on-unknown-link",
        _set("borders.csv", "milak-zaranj", "link_id", "d-milak-zarang"),
        "borders.csv",
        2,
        "link_id",
        "sits on unknown link 'd-milak-zarang'",
    ),
    (
        "border-countries-do-not-match-the-link",
        _set("borders.csv", "milak-zaranj", "country_a_iso3", "AFG"),
        "borders.csv",
        2,
        "country_a_iso3",
        "'milak' is in 'IRN'",
    ),
    (
        "cross-border-road-without-border-row",
        lambda folder: drop_csv_row(folder, "borders.csv", "milak-zaranj"),
        "links.csv",
        6,
        "link_id",
        "crosses from IRN to AFG but has no row in borders.csv",
    ),
    (
        "bad-country-code",
        _set("nodes.csv", "herat", "country_iso3", "Afg"),
        "nodes.csv",
        9,
        "country_iso3",
        "'Afg' is not an ISO3 country code",
    ),
    (
        "transfer-rail-without-gauge",
        _text("transfers.csv", ",rail,1435,road,,12,4", ",rail,,road,,12,4"),
        "transfers.csv",
        2,
        "from_gauge_mm",
        "from_mode is rail but from_gauge_mm is empty",
    ),
    (
        "transfer-road-with-gauge",
        _text("transfers.csv", ",rail,1435,road,,12,4", ",rail,1435,road,1520,12,4"),
        "transfers.csv",
        2,
        "to_gauge_mm",
        "to_mode is road but to_gauge_mm is 1520",
    ),
    (
        "transfer-at-unknown-node",
        _text("transfers.csv", "chabahar,sea", "chahbahar,sea"),
        "transfers.csv",
        5,
        "node_id",
        "unknown node 'chahbahar'",
    ),
    (
        "restriction-on-unknown-border",
        _yaml("restrictions.yaml", _record(0, "applies_to.border_ids", ["milak-zarang"])),
        "restrictions.yaml",
        1,
        "applies_to.border_ids",
        "applies to unknown border 'milak-zarang'",
    ),
    (
        "restriction-on-country-without-places",
        _yaml("restrictions.yaml", _record(1, "applies_to.countries", ["PAK"])),
        "restrictions.yaml",
        2,
        "applies_to.countries",
        "applies to unknown country 'PAK'",
    ),
    (
        "restriction-on-unknown-commodity",
        _yaml("restrictions.yaml", _record(1, "cargo.commodities", ["grain"])),
        "restrictions.yaml",
        2,
        "cargo.commodities",
        "unknown commodity 'grain'",
    ),
    (
        "restriction-names-no-cargo",
        _yaml("restrictions.yaml", _record(1, "cargo", {"destination_countries": []})),
        "restrictions.yaml",
        2,
        "cargo",
        "names neither origin nor destination countries nor commodities",
    ),
    (
        "surcharge-without-amount",
        _yaml("restrictions.yaml", _record(0, "surcharge_usd_per_t", None)),
        "restrictions.yaml",
        1,
        "surcharge_usd_per_t",
        "has no surcharge_usd_per_t",
    ),
    (
        "restriction-ends-before-it-starts",
        _yaml("restrictions.yaml", _record(1, "valid_to", "2019-01-01")),
        "restrictions.yaml",
        2,
        "valid_to",
        "ends (2019-01-01) before it starts (2020)",
    ),
    (
        "zone-admin1-unknown",
        _yaml("zones.yaml", _record(0, "admin1", "Nimruz")),
        "zones.yaml",
        1,
        "admin1",
        "no node in AFG has admin1 'Nimruz' (did you mean 'Nimroz'?)",
    ),
    (
        "zone-risk-out-of-range",
        _yaml("zones.yaml", _record(0, "risk", 1.5)),
        "zones.yaml",
        1,
        "risk",
        "must be between 0 and 1 (got 1.5)",
    ),
    (
        "no-commodities",
        _write("commodities.yaml", b"[]\n"),
        "commodities.yaml",
        None,
        None,
        "has no rows",
    ),
    (
        "duplicate-mode-default",
        _yaml("modes.yaml", lambda modes: [*modes, dict(modes[0])]),
        "modes.yaml",
        5,
        "mode",
        "mode 'rail' has a second default",
    ),
    (
        "demand-unknown-commodity",
        _set("demand.csv", "herat-ind-bulk", "commodity_id", "grain"),
        "demand.csv",
        3,
        "commodity_id",
        "unknown commodity 'grain'",
    ),
    (
        "malformed-csv",
        _text("links.csv", "d-delaram-herat,delaram,", 'd-delaram-herat,"delaram"x,'),
        "links.csv",
        10,
        None,
        "malformed CSV",
    ),
    (
        "csv-row-with-too-many-cells",
        _text("links.csv", "d-delaram-herat,delaram,", "d-delaram-herat,delaram,extra,"),
        "links.csv",
        10,
        None,
        "has 23 fields, the header has 22",
    ),
    (
        "malformed-yaml",
        _text("projects.yaml", "  kind: corridor\n", "  kind: [corridor\n"),
        "projects.yaml",
        32,  # where the parser notices: the line after the unclosed '['
        None,
        "malformed YAML",
    ),
    (
        "wrong-type",
        _set("links.csv", "d-delaram-herat", "length_km", "about 330"),
        "links.csv",
        10,
        "length_km",
        "'about 330' is not a plain decimal number",
    ),
    (
        "wrong-vocabulary",
        _set("links.csv", "d-delaram-herat", "status", "open"),
        "links.csv",
        10,
        "status",
        "'open' is not one of operational",
    ),
    (
        "bad-encoding",
        lambda folder: (folder / "nodes.csv").write_bytes(
            (folder / "nodes.csv").read_bytes().replace("Zāhedān".encode(), b"Z\xe2hed\xe2n")
        ),
        "nodes.csv",
        4,
        None,
        "not valid UTF-8",
    ),
    (
        "missing-file",
        lambda folder: (folder / "links.csv").unlink(),
        "links.csv",
        None,
        None,
        "file is missing",
    ),
    (
        "unknown-column",
        _text("borders.csv", "capacity_mtpa,", "capacity_mt,"),
        "borders.csv",
        1,
        "capacity_mt",
        "unknown column",
    ),
]


@pytest.mark.parametrize(
    ("breaker", "file", "row", "field", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_kind_of_problem_is_caught(
    tiny_copy: Path,
    breaker: Break,
    file: str,
    row: int | None,
    field: str | None,
    fragment: str,
) -> None:
    breaker(tiny_copy)
    problems = _problems(tiny_copy)
    hits = [p for p in problems if p.file == file and p.row == row and p.field == field]
    assert any(fragment in p.message for p in hits), "\n".join(map(str, problems))
    assert all(p.fix for p in problems)


def test_several_problems_are_all_reported(tiny_copy: Path) -> None:
    edit_csv(tiny_copy, "links.csv", "r-zaranj-delaram", "gauge_mm", "")
    edit_csv(tiny_copy, "nodes.csv", "herat", "source_ids", "nowhere")
    edit_csv(tiny_copy, "borders.csv", "milak-zaranj", "country_b_iso3", "IRN")
    edit_yaml(tiny_copy, "projects.yaml", _record(0, "link_ids", ["r-nowhere"]))
    edit_yaml(tiny_copy, "zones.yaml", _record(0, "risk", "high"))
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(tiny_copy)
    where = {(p.file, p.row, p.field) for p in info.value.problems}
    assert {
        ("links.csv", 8, "gauge_mm"),
        ("nodes.csv", 9, "source_ids"),
        ("borders.csv", 2, "country_b_iso3"),
        ("projects.yaml", 1, "link_ids"),
        ("zones.yaml", 1, "risk"),
    } <= where
    message = str(info.value)
    assert "problem(s)" in message
    assert "links.csv, row 8, field 'gauge_mm'" in message


def test_long_link_with_a_stated_reason_is_accepted(tiny_copy: Path) -> None:
    edit_csv(tiny_copy, "links.csv", "d-delaram-herat", "length_km", "800")
    edit_csv(tiny_copy, "links.csv", "d-delaram-herat", "notes", "detour around the mountains")
    assert len(load_atlas(tiny_copy).links) == 9


def test_nearby_nodes_are_exempt_from_length_checks(tiny_copy: Path) -> None:
    edit_csv(tiny_copy, "nodes.csv", "milak", "lon", "61.83")  # now 2.9 km from Zaranj
    edit_csv(tiny_copy, "links.csv", "d-milak-zaranj", "length_km", "1")
    load_atlas(tiny_copy)


def test_a_restriction_may_name_its_cargo_by_commodity_alone(tiny_copy: Path) -> None:
    # a physical limit (no tank wagons through a gauge change) applies to any origin
    edit_yaml(tiny_copy, "restrictions.yaml", _record(1, "cargo", {"commodities": ["bulk"]}))
    rule = next(
        r for r in load_atlas(tiny_copy).restrictions if r.restriction_id == "no-bulk-to-india"
    )
    assert rule.matches_cargo(origin_iso3="AFG", destination_iso3="IRN", commodity_id="bulk")
    assert not rule.matches_cargo(
        origin_iso3="AFG", destination_iso3="IRN", commodity_id="container"
    )


def test_sea_and_ferry_links_need_no_border_row(tiny_copy: Path) -> None:
    drop_csv_row(tiny_copy, "borders.csv", "chabahar-port-entry")
    load_atlas(tiny_copy)


def test_clean_tables_have_no_problems(tiny_path: Path) -> None:
    tables, problems, _ = read_atlas_tables(tiny_path)
    assert problems == []
    assert validate_tables(tables) == []


def test_validate_tables_survives_empty_tables() -> None:
    problems = validate_tables({})
    assert {p.file for p in problems} == {
        "nodes.csv",
        "links.csv",
        "modes.yaml",
        "commodities.yaml",
        "sources.yaml",
    }


def test_geodesic_is_symmetric_and_known() -> None:
    termez, kabul = (37.224, 67.278), (34.555, 69.207)
    d = geodesic_km(*termez, *kabul)
    assert d == pytest.approx(geodesic_km(*kabul, *termez))
    assert 330 < d < 350
    # Half the equator on the WGS84 ellipsoid (a = 6378.137 km) is pi * a, but the shortest
    # path between antipodes on the equator runs over a pole: half a meridian, 20003.93 km.
    assert geodesic_km(0, 0, 0, 180) == pytest.approx(20003.93, abs=0.01)
    assert geodesic_km(0, 0, 0, 90) == pytest.approx(math.pi * 6378.137 / 2, rel=1e-9)


def test_markets_name_known_nodes_and_iso3_codes(tiny_copy: Path) -> None:
    def add(meta: Any) -> None:
        meta["markets"] = [
            {"node_id": "nowhere", "region": "x", "countries": ["AFG"]},
            {"node_id": "herat", "region": "west", "countries": ["afghanistan"]},
        ]

    edit_yaml(tiny_copy, "atlas.yaml", add)
    problems = [p for p in _problems(tiny_copy) if p.file == "atlas.yaml"]
    fields = {p.field for p in problems}
    assert fields == {"markets[1].node_id", "markets[2].countries"}, problems
    assert all(p.fix for p in problems)
