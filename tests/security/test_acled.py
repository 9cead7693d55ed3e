"""Importing an ACLED export: good rows kept, bad rows reported by line with their fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from caravan.errors import AtlasValidationError, InputError
from caravan.io.atlas import shipped_atlas_path
from caravan.security.files import import_acled, read_acled, read_security
from tests.security._atlas import make_security_atlas

SAMPLE = Path(__file__).parent / "data" / "acled-sample.csv"


def test_good_rows_kept_bad_rows_reported_by_line(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    result = read_acled(SAMPLE, security=read_security(atlas))
    assert result.n_rows == 8
    assert [e.event_id for e in result.events] == ["AFG1001", "PAK2002", "IRN2008"]
    where = {(p.row, p.field) for p in result.problems}
    assert where == {
        (4, "event_date"),  # 2025-13-40
        (5, "latitude"),  # 133.0
        (6, "fatalities"),  # "several"
        (7, "country"),  # Atlantis
        (8, "sub_event_type"),  # Armed clash is not an explosion
    }
    assert result.n_bad_rows == 5
    fixes = {p.field: p.fix for p in result.problems}
    assert "YYYY-MM-DD" in fixes["event_date"]
    assert "between -90 and 90" in fixes["latitude"]
    assert "ACLED names it" in fixes["country"]
    assert "Air/drone strike" in fixes["sub_event_type"]


def test_rows_become_events_with_ids_and_actors(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    events = {e.event_id: e for e in read_acled(SAMPLE, security=read_security(atlas)).events}
    strike = events["AFG1001"]
    assert strike.event_date == dt.date(2025, 2, 3)
    assert (strike.iso3, strike.admin1, strike.fatalities) == ("AFG", "Paktika", 12)
    assert (strike.latitude, strike.longitude) == (32.75, 69.05)
    assert (strike.actor1_id, strike.actor2_id) == ("pakistan", "ttp")  # ACLED names resolved
    assert strike.source_ids == ("acled",) and strike.source == "Dawn"
    assert events["PAK2002"].event_date == dt.date(2025, 3, 5)  # "05 March 2025"
    assert events["IRN2008"].actor1_id is None  # Israel is not an actor of this atlas


def test_missing_columns_are_listed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("event_date,actor1,country\n2025-01-01,X,Iran\n")
    with pytest.raises(InputError, match="missing ACLED column") as info:
        read_acled(bad)
    for column in ("event_type", "latitude", "fatalities"):
        assert column in str(info.value)


def test_import_without_into_writes_nothing(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    before = (atlas / "security" / "events.csv").read_text()
    report = import_acled(SAMPLE, atlas=atlas)
    assert (report.n_rows, report.n_good, report.written) == (8, 3, None)
    assert (atlas / "security" / "events.csv").read_text() == before


def test_import_into_a_copy_merges_and_validates(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    report = import_acled(SAMPLE, atlas=atlas, into=atlas)
    assert (report.n_added, report.n_replaced) == (3, 0)
    data = read_security(atlas)  # the written layer is valid: 'acled' source was added
    assert {e.event_id for e in data.events} == {
        "e-strikes",
        "e-talks",
        "AFG1001",
        "PAK2002",
        "IRN2008",
    }
    again = import_acled(SAMPLE, atlas=atlas, into=atlas)
    assert (again.n_added, again.n_replaced) == (0, 3)
    assert len(read_security(atlas).events) == 5
    assert not list((atlas / "security").glob(".events.csv.*"))  # no temporary files left


def test_import_into_a_fresh_folder_starts_from_the_atlas_events(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    out = tmp_path / "copy"
    import_acled(SAMPLE, atlas=atlas, into=out)
    assert (out / "security" / "events.csv").is_file()
    assert (out / "security" / "sources.yaml").read_text().count("source_id: acled") == 1


def test_import_refuses_to_write_into_the_shipped_atlas() -> None:
    with pytest.raises(InputError, match="shipped atlas"):
        import_acled(SAMPLE, into=shipped_atlas_path())


def test_import_refuses_to_drop_bad_rows_of_the_target(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    events = atlas / "security" / "events.csv"
    events.write_text(events.read_text().replace("2025-01-05", "2025-01-32"))
    with pytest.raises(AtlasValidationError, match="event_date"):
        import_acled(SAMPLE, atlas=atlas, into=atlas)


def test_missing_file() -> None:
    from caravan.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no such file"):
        read_acled(Path("/nonexistent/acled.csv"))
