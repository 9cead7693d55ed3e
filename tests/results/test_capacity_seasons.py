"""Capacity binds in ``sue`` (queue prices, routes round full facilities) and yearly runs are
split into seasons (the Karakoram Highway carries nothing while Khunjerab is closed)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from caravan.assign.path_logit import RouteSets, solve_path_logit_sue
from caravan.cli import app
from caravan.results.sue import CAPACITY_TOLERANCE

KKH = ("rd-islamabad-gilgit", "rd-gilgit-khunjerab-pass", "rd-khunjerab-pass-taxkorgan")


def _two_routes(capacity_t: float, tolerance: float | None) -> Any:
    """One 100 t flow, two routes; the cheaper (arc 0) has a capacity group."""
    rs = RouteSets(np.array([0, 1, 2]), np.array([0, 1]), np.array([0, 0]))
    return solve_path_logit_sue(
        rs,
        flow_tonnes=np.array([100.0]),
        flow_theta_per_usd=np.array([0.5]),
        flow_value_of_time_usd_per_t_h=np.array([0.01]),
        arc_money_usd_per_t=np.array([10.0, 20.0]),
        arc_time_h=np.array([1.0, 1.0]),
        arc_risk_usd_per_t=np.zeros(2),
        arc_length_km=np.array([100.0, 100.0]),
        arc_group_idx=np.array([0, -1]),
        group_capacity_t=np.array([capacity_t]),
        group_base_delay_h=np.array([1.0]),
        tolerance=1e-6,
        max_iter=200,
        capacity_tolerance=tolerance,
    )


def test_queue_prices_keep_a_group_within_capacity() -> None:
    free = _two_routes(30.0, None)
    assert free.group_tonnes[0] > 90  # the delay alone (low value of time) does not bind
    bound = _two_routes(30.0, 0.02)
    assert bound.group_tonnes[0] <= 30.0 * 1.02 + 1e-9
    assert bound.group_tonnes[0] >= 30.0 * 0.98
    assert bound.within_capacity and bound.group_price_usd_per_t[0] > 0
    # room to spare: no price, the same answer as without the constraint
    roomy = _two_routes(1000.0, 0.02)
    assert roomy.group_price_usd_per_t[0] == 0.0
    np.testing.assert_allclose(roomy.route_tonnes, _two_routes(1000.0, None).route_tonnes)


@functools.cache
def _compare(*options: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app,
        ["compare", "baseline-2025", "afpak-border-closure", "--json", *options],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("options", [(), ("--method", "ue")], ids=["sue", "ue"])
def test_compare_keeps_every_link_crossing_and_port_within_capacity(
    options: tuple[str, ...],
) -> None:
    data = _compare(*options)
    for side in ("a", "b"):
        cap = data["capacity"][side]
        assert cap["tolerance"] == CAPACITY_TOLERANCE
        assert cap["facilities_checked"] > 60
        assert cap["over_capacity"] == [], cap["over_capacity"]
        assert cap["max_ratio"] <= 1 + CAPACITY_TOLERANCE
        for season in data["seasons"][side]:
            assert season["capacity"]["over_capacity"] == []


def test_karakoram_highway_carries_nothing_from_30_november_to_1_may() -> None:
    data = _compare()
    for side in ("a", "b"):
        seasons = data["seasons"][side]
        closed_days = set()
        for season in seasons:
            if "rd-gilgit-khunjerab-pass" in season["closed_link_ids"]:
                assert season["closed_link_tonnes_per_year"]["rd-gilgit-khunjerab-pass"] == 0.0
                assert season["closed_link_tonnes_per_year"]["rd-khunjerab-pass-taxkorgan"] == 0.0
                for first, last in season["periods"]:
                    day = dt.date.fromisoformat(first)
                    while day <= dt.date.fromisoformat(last):
                        closed_days.add(day)
                        day += dt.timedelta(days=1)
        winter = {dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(121)}  # to 1 May
        winter |= {dt.date(2025, 11, 30) + dt.timedelta(days=i) for i in range(32)}
        assert winter <= closed_days
        assert dt.date(2025, 5, 2) not in closed_days
        assert sum(s["days"] for s in seasons) == 365


def test_route_in_winter_avoids_khunjerab_and_names_the_season() -> None:
    result = CliRunner().invoke(
        app,
        ["route", "kashgar", "islamabad", "--date", "2025-01-15", "--json"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first = data["routes"][0]
    assert not set(KKH[1:]) & set(first["link_ids"])
    messages = " ".join(w["message"] for w in data.get("warnings", []))
    assert "Khunjerab" in messages and "every year 30 Nov - 1 May" in messages
    summer = CliRunner().invoke(
        app,
        ["route", "kashgar", "islamabad", "--date", "2025-06-15", "--json"],
        env={"COLUMNS": "80"},
    )
    assert set(KKH[1:]) <= set(json.loads(summer.stdout)["routes"][0]["link_ids"])


def test_ue_shares_a_season_only_where_its_extra_closures_carry_nothing() -> None:
    from types import SimpleNamespace

    from caravan.results.seasons import Season, _ue_shared

    def season(closed: tuple[str, ...], shares: dict[str, float] | None = None) -> Season:
        return Season("s", 30, 30 / 365, (), (), closed, shares or {})

    def settled(*routes: tuple[str, ...]) -> Any:
        rows = [{"route": SimpleNamespace(link_ids=r)} for r in routes]
        return SimpleNamespace(route_rows=rows)

    open_year = settled(("a", "b"), ("c",))
    done = {((), ()): (None, open_year)}
    assert _ue_shared(season(("x",)), done) is open_year  # x carries nothing
    assert _ue_shared(season(("x", "c")), done) is None  # c carries a route
    assert _ue_shared(season(("x",), {"a": 0.5}), done) is None  # other capacities
    narrower = {(("x", "y"), ()): (None, settled(("a",)))}
    assert _ue_shared(season(("x",)), narrower) is None  # y is open in this season
