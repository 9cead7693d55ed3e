"""The route validation table: origin-destination pairs with real-world figures, checked.

Each :class:`RouteCase` (a row of the atlas's ``validation/routes.csv``) names a route an
analyst asks about, the places, countries or projects its best route must pass or avoid, and
the real length, time and cost with their sources. :func:`validate_routes` routes every case on
the model (its scenario, commodity, objective, mode and ``via`` places) and says which pass:

- length within ``LENGTH_TOLERANCE`` (±15 %) of the real length;
- time and money inside their sourced ranges;
- every ``expect_pass`` item on the route and no ``expect_avoid`` item.

Cases whose figures are border to border (``ends = border``) leave out the terminal handling at
the two ends; cases timed from a ship's arrival at the origin port (``ends = ship``) count the
port's ship-to-shore transfer instead of the origin's loading; ``via`` places are passed
through without handling.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from caravan.claims.check import ClaimEvaluator, resolve_item
from caravan.claims.model import RouteSpec
from caravan.errors import CaravanError
from caravan.model.atlas import Atlas
from caravan.model.route_cases import LENGTH_TOLERANCE, RouteCase
from caravan.network.build import transfer_row
from caravan.network.model import Layer

__all__ = ["RouteCase", "RouteCaseResult", "pass_rate", "validate_routes"]


@dataclass(frozen=True)
class RouteCaseResult:
    """The modelled route of a case and whether it passes."""

    case: RouteCase
    passed: bool
    length_km: float | None
    time_h: float | None
    money_usd_per_t: float | None
    countries: tuple[str, ...] = ()
    node_ids: tuple[str, ...] = ()
    failures: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of ``caravan validate routes --json``."""

        def rnd(x: float | None, n: int) -> float | None:
            return None if x is None else round(x, n)

        return {
            "pair_id": self.case.pair_id,
            "origin": self.case.origin,
            "destination": self.case.destination,
            "passed": self.passed,
            "length_km": rnd(self.length_km, 1),
            "time_h": rnd(self.time_h, 1),
            "money_usd_per_t": rnd(self.money_usd_per_t, 2),
            "countries": list(self.countries),
            "node_ids": list(self.node_ids),
            "expected": self.case.expected(),
            "failures": list(self.failures),
            "notes": self.case.notes,
        }


def _legs(route: Any) -> list[Any]:
    """The legs of a route, or of a joined route without handling at its ``via`` places."""
    parts = getattr(route, "legs", None)
    if parts and not hasattr(parts[0], "kind"):  # a joined route: a list of routes
        out: list[Any] = []
        last = len(parts) - 1
        for i, part in enumerate(parts):
            legs = list(part.legs)
            if i > 0 and legs and legs[0].kind == "handling":
                legs = legs[1:]
            if i < last and legs and legs[-1].kind == "handling":
                legs = legs[:-1]
            out.extend(legs)
        return out
    return list(parts or ())


def _from_ship(atlas: Atlas, legs: list[Any]) -> list[Any]:
    """The legs of a route whose cargo arrives by ship at its origin port: the port's
    ship-to-shore transfer (``transfers.csv``: the port's own row, else the default row for
    sea and the route's first layer) in place of the origin's loading. A route that leaves the
    port by sea keeps its loading (the table has no ship-to-ship row)."""
    if not legs or legs[0].kind != "handling":
        return legs
    load = legs[0]
    row = transfer_row(atlas, load.from_node_id, Layer("sea"), Layer.parse(load.from_layer))
    if row < 0:
        return legs
    transfers = atlas.transfers_frame
    dwell_h = float(transfers["dwell_h"].iloc[row])
    fee = float(transfers["fee_usd_per_t"].iloc[row])
    port = dataclasses.replace(
        load, dwell_h=dwell_h, time_h=dwell_h, fee_usd_per_t=fee, money_usd_per_t=fee
    )
    return [port, *legs[1:]]


def _check_one(evaluator: ClaimEvaluator, atlas: Atlas, case: RouteCase) -> RouteCaseResult:
    spec = RouteSpec(
        origin=case.origin,
        destination=case.destination,
        scenario=case.scenario,
        by=case.by,
        via=case.via,
        avoid_countries=case.closed_countries,
        mode=case.mode,
        leg_modes=case.leg_modes,
        commodity=case.commodity,
    )
    try:
        route = evaluator.best_route(spec)
    except CaravanError as exc:
        return RouteCaseResult(case, False, None, None, None, failures=(f"no route: {exc}",))
    legs = _legs(route)
    if case.ends == "border":
        legs = [leg for leg in legs if leg.kind != "handling"]
    elif case.ends == "ship":
        legs = _from_ship(evaluator.world(spec)[0], legs)
    length = float(sum(leg.length_km for leg in legs))
    time_h = float(sum(leg.time_h for leg in legs))
    money = float(sum(leg.money_usd_per_t for leg in legs))
    failures: list[str] = []
    if case.length_km is not None:
        off = length / case.length_km - 1
        if abs(off) > LENGTH_TOLERANCE:
            failures.append(
                f"length {length:,.0f} km is {off:+.0%} off the real {case.length_km:,.0f} km"
            )
    for name, value, low, high, unit in (
        ("time", time_h, case.time_h_low, case.time_h_high, "h"),
        ("money", money, case.money_usd_per_t_low, case.money_usd_per_t_high, "USD/t"),
    ):
        if low is not None and value < low:
            failures.append(f"{name} {value:,.1f} {unit} is below the range {low:g}-{high or '':g}")
        if high is not None and value > high:
            failures.append(f"{name} {value:,.1f} {unit} is above the range {low or 0:g}-{high:g}")
    for item in case.expect_pass:
        if not _matches(atlas, item, route):
            failures.append(f"does not pass {item}")
    for item in case.expect_avoid:
        if _matches(atlas, item, route):
            failures.append(f"passes {item}, which it should avoid")
    return RouteCaseResult(
        case,
        not failures,
        length,
        time_h,
        money,
        countries=tuple(route.countries),
        node_ids=tuple(route.node_ids),
        failures=tuple(failures),
    )


def _matches(atlas: Atlas, item: str, route: Any) -> bool:
    kind, target = resolve_item(atlas, item)
    if kind == "country":
        return target in route.countries
    if kind == "project":
        return target in (*route.projects, *route.corridors)
    return target in route.node_ids


def validate_routes(
    cases: Sequence[RouteCase],
    atlas: Atlas,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[RouteCaseResult, ...]:
    """Route every case on the model and check it against its expectations.

    Parameters
    ----------
    cases : sequence of RouteCase
        The validation table (see :func:`caravan.io.validation.read_route_cases`).
    atlas : Atlas
        The atlas the cases' scenarios apply to.
    progress : callable, optional
        Called with (done, total) after each case.

    Returns
    -------
    tuple of RouteCaseResult
        One per case, in order; a case with no route fails with the reason.
    """
    evaluator = ClaimEvaluator(atlas)
    out = []
    for i, case in enumerate(cases, start=1):
        out.append(_check_one(evaluator, atlas, case))
        if progress is not None:
            progress(i, len(cases))
    return tuple(out)


def pass_rate(results: Sequence[RouteCaseResult]) -> float:
    """The share of cases that pass (0 for none)."""
    return sum(r.passed for r in results) / len(results) if results else 0.0
