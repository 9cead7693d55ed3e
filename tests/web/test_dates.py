"""The web app takes a date on routes and runs, like ``caravan route --date`` and ``caravan run
--date``: dated closures apply, and warnings name the event and its sources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from caravan.web import create_app
from tests.web.helpers import api_error

pytestmark = pytest.mark.slow

EVENT = "afpak-closure-2025-10"


@pytest.fixture(scope="module")
def shipped() -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        yield client


def test_route_on_a_day_before_and_inside_a_closure(shipped: TestClient) -> None:
    params = {"from": "kandahar", "to": "chaman"}
    before = shipped.get("/api/route", params={**params, "date": "2024-06-01", "year": 2024})
    assert before.status_code == 200, before.text
    body = before.json()
    assert body["date"] == "2024-06-01" and body["warnings"] == []
    assert "rd-spin-boldak-chaman" in body["routes"][0]["link_ids"]
    inside = shipped.get("/api/route", params={**params, "date": "2025-10-20"}).json()
    assert "rd-spin-boldak-chaman" not in inside["routes"][0]["link_ids"]
    (warning,) = inside["warnings"]
    assert warning["event_id"] == EVENT
    assert any("tribune.com.pk" in (s["url"] or "") for s in warning["sources"])


def test_a_bad_route_date_is_a_422_naming_the_field(shipped: TestClient) -> None:
    error = api_error(
        shipped.get(
            "/api/route", params={"from": "kandahar", "to": "chaman", "date": "2025-02-30"}
        ),
        422,
    )
    assert error["field"] == "date"


def test_run_on_a_day_names_the_closure_it_runs_as_open(shipped: TestClient) -> None:
    response = shipped.post("/api/runs", json={"scenario": "baseline-2025", "date": "2025-10-20"})
    assert response.status_code == 200, response.text
    summary = response.json()["summary"]
    assert summary["date"] == "2025-10-20"
    (warning,) = summary["status_warnings"]
    assert warning["event_id"] == EVENT and warning["sources"]
    kept = shipped.get("/api/runs/baseline-2025", params={"date": "2025-10-20"})
    assert kept.status_code == 200 and kept.json()["summary"]["date"] == "2025-10-20"
    # The run on the scenario's own day is another run, not yet made.
    api_error(shipped.get("/api/runs/baseline-2025"), 404)
