"""Dated status events: a link's state on a day, the atlas on a day, and checks of the file."""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.errors import AtlasValidationError, InputError
from caravan.io.atlas import load_atlas, shipped_atlas_path
from caravan.model.atlas import Atlas
from caravan.model.events import (
    atlas_on_date,
    default_date,
    events_touching,
    link_states,
    parse_day,
)

_shipped = functools.cache(load_atlas)

AFPAK = ("rd-torkham-peshawar", "rd-spin-boldak-chaman", "rd-gardez-kharlachi", "rd-khost-bannu")


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return _shipped()


def test_states_on_the_as_of_day_are_the_atlas_statuses(atlas: Atlas) -> None:
    # The atlas's status column leaves out seasonal closures (the as-of day, 30 Nov, is in
    # the Khunjerab winter closure): without them the states are the atlas's statuses.
    states = link_states(atlas, atlas.as_of, seasonal=False)
    given_status = dict(zip(atlas.links_frame["link_id"], atlas.links_frame["status"], strict=True))
    assert {k: s.status.value for k, s in states.items()} == given_status
    seasonal = link_states(atlas, atlas.as_of)
    changed = {k for k, s in seasonal.items() if s.status.value != given_status[k]}
    assert changed == {
        "rd-gilgit-khunjerab-pass",
        "rd-khunjerab-pass-taxkorgan",
        "rd-eshkashem-wakhjir-pass",
    }
    assert {seasonal[k].event.event_id for k in changed} == {"khunjerab-winter", "wakhjir-winter"}


def test_seasonal_closures_repeat_every_year_and_only_close_open_links(atlas: Atlas) -> None:
    for day, closed in (
        ("2025-01-15", True),
        ("2025-05-01", True),
        ("2025-05-02", False),
        ("2025-11-29", False),
        ("2025-11-30", True),
        ("2031-12-31", True),
    ):
        state = link_states(atlas, day)["rd-gilgit-khunjerab-pass"]
        assert (state.status.value == "closed") is closed, day
    # a proposed crossing stays proposed in winter (a season never builds or opens a link)
    assert link_states(atlas, "2025-01-15")["rd-wakhjir-pass-taxkorgan"].status.value == "proposed"
    # the Salang restriction keeps the road open
    assert link_states(atlas, "2025-01-15")["rd-salang-pass-kabul"].status.value == "operational"


def test_afpak_crossings_open_in_2024_and_closed_in_october_2025(atlas: Atlas) -> None:
    before, during = link_states(atlas, "2024-06-01"), link_states(atlas, "2025-10-20")
    for link_id in AFPAK:
        assert before[link_id].status.value == "operational"
        assert during[link_id].status.value == "suspended"
        assert during[link_id].event is not None
        assert during[link_id].event.event_id == "afpak-closure-2025-10"


def test_torkham_february_closure_has_both_ends(atlas: Atlas) -> None:
    assert link_states(atlas, "2025-02-20")["rd-torkham-peshawar"].status.value == "operational"
    assert link_states(atlas, "2025-03-01")["rd-torkham-peshawar"].status.value == "suspended"
    assert link_states(atlas, "2025-03-18")["rd-torkham-peshawar"].status.value == "operational"


def test_an_opening_event_keeps_the_link_shut_before_its_day(atlas: Atlas) -> None:
    assert link_states(atlas, "2020-12-09")["r-khaf-rozanak"].status.value == "under_construction"
    day = atlas_on_date(atlas, "2020-12-10").links_frame.set_index("link_id")
    assert day.loc["r-khaf-rozanak", "status"] == "operational"
    assert day.loc["r-khaf-rozanak", "open_year"] == 2020


def test_a_status_without_an_event_holds_on_every_day(atlas: Atlas) -> None:
    # Attari-Wagah rail: suspended in the atlas with no dated event.
    for day in ("2000-01-01", "2024-06-01", "2030-07-01"):
        assert link_states(atlas, day)["r-wagah-attari"].status.value == "suspended"


def test_atlas_on_date_leaves_the_atlas_alone(atlas: Atlas) -> None:
    before = atlas.links_frame["status"].tolist()
    dated = atlas_on_date(atlas, "2024-06-01")
    assert atlas.links_frame["status"].tolist() == before
    assert dated.meta["date"] == "2024-06-01"


def test_default_date(atlas: Atlas) -> None:
    assert default_date(atlas) == dt.date(2025, 11, 30)
    assert default_date(atlas, 2025) == dt.date(2025, 11, 30)
    assert default_date(atlas, 2030) == dt.date(2030, 7, 1)


def test_events_touching_a_place(atlas: Atlas) -> None:
    ids = [e.event_id for e in events_touching(atlas, "2025-10-20", ["chaman"])]
    assert ids == ["afpak-closure-2025-10"]
    assert events_touching(atlas, "2024-06-01", ["chaman"]) == []


@pytest.mark.parametrize("text", ["2025-13-01", "2025-06", "yesterday", ""])
def test_bad_days_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_day(text)


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_link_has_one_state_and_events_explain_closures(day: dt.date) -> None:
    atlas = _shipped()
    states = link_states(atlas, day)
    assert set(states) == set(atlas.links_frame["link_id"])
    for state in states.values():
        if state.event is not None and state.status.value in ("closed", "suspended"):
            assert state.event.in_force(day)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "atlas"
    shutil.copytree(shipped_atlas_path(), folder)
    return folder


def test_unknown_link_and_reversed_dates_are_reported(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "status_events.yaml").write_text(
        "- {event_id: x, name: X, link_ids: [rd-nowhere], status: closed,\n"
        "   start_date: 2025-05-01, end_date: 2025-04-01, source_ids: [tribune-2025-10-closure]}\n"
        "- {event_id: y, name: Y, link_ids: [rd-torkham-peshawar], status: closed,\n"
        "   start_date: 2025-05, source_ids: [no-such-source]}\n",
        encoding="utf-8",
    )
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(folder)
    text = str(info.value)
    assert "unknown link 'rd-nowhere'" in text
    assert "ends (2025-04-01) before it starts" in text
    assert "not a whole day" in text
    assert "no-such-source" in text
