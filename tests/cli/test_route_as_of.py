"""``caravan route --as-of``: zone risks from the security layer as of a date."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from caravan.cli import app


def _risk(args: list[str]) -> tuple[dict[str, float], dict[str, object]]:
    result = CliRunner().invoke(app, ["route", "Kabul", "Tashkent", "--k", "1", "--json", *args])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    by_country = payload["routes"][0]["by_country"]
    return {c["iso3"]: c["risk_usd_per_t"] for c in by_country}, payload


def test_as_of_sets_risk_from_events_and_says_so() -> None:
    plain, payload = _risk([])
    dated, dated_payload = _risk(["--as-of", "2025-06-30"])
    assert "security_as_of" not in payload
    assert dated_payload["security_as_of"] == "2025-06-30"
    # The analysts' figure is a floor that events raise: never lower with the security layer.
    assert dated["AFG"] >= plain["AFG"]


def test_bad_date_is_a_clean_error() -> None:
    result = CliRunner().invoke(app, ["route", "Kabul", "Tashkent", "--as-of", "30/06/2025"])
    assert result.exit_code == 2
    assert "not a date" in result.output
    assert "Traceback" not in result.output
