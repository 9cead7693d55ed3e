"""A route validation case: an origin-destination pair with what is known about its route."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caravan.errors import InputError

__all__ = ["ENDS", "LENGTH_TOLERANCE", "RouteCase", "case_from_row"]

#: A modelled length passes within this share of the real length.
LENGTH_TOLERANCE = 0.15

#: What a case's figures include at the route's ends (see :attr:`RouteCase.ends`).
ENDS = ("terminal", "border", "ship")


@dataclass(frozen=True)
class RouteCase:
    """One row of the validation table."""

    pair_id: str
    origin: str
    destination: str
    source_ids: tuple[str, ...]
    scenario: str = "baseline-2025"
    commodity: str = "container"
    by: str = "cost"
    mode: str | None = None
    via: tuple[str, ...] = ()
    #: Countries the service does not use (closed for the route), e.g. RUS for the Middle
    #: Corridor, whose sourced times are for a route that avoids Russia by design.
    closed_countries: tuple[str, ...] = ()
    #: One mode (or mode group) per leg between the stops, e.g. ``rail;sea`` with one ``via``.
    leg_modes: tuple[str, ...] = ()
    expect_pass: tuple[str, ...] = ()
    expect_avoid: tuple[str, ...] = ()
    #: "terminal": handling at both ends counted; "border": none; "ship": the source times
    #: cargo from its arrival by ship at the origin port, so the port's ship-to-shore transfer
    #: (``transfers.csv``) replaces the origin's loading (handling at the destination counted).
    ends: str = "terminal"
    length_km: float | None = None
    time_h_low: float | None = None
    time_h_high: float | None = None
    money_usd_per_t_low: float | None = None
    money_usd_per_t_high: float | None = None
    notes: str = ""

    def expected(self) -> dict[str, Any]:
        """What the case expects, as plain data."""
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "commodity": self.commodity,
            "by": self.by,
            "mode": self.mode,
            "via": list(self.via),
            "closed_countries": list(self.closed_countries),
            "leg_modes": list(self.leg_modes),
            "passes": list(self.expect_pass),
            "avoids": list(self.expect_avoid),
            "ends": self.ends,
        }
        if self.length_km is not None:
            low = self.length_km * (1 - LENGTH_TOLERANCE)
            high = self.length_km * (1 + LENGTH_TOLERANCE)
            out["length_km"] = [round(low, 1), round(high, 1)]
            out["length_km_real"] = self.length_km
        if self.time_h_low is not None or self.time_h_high is not None:
            out["time_h"] = [self.time_h_low, self.time_h_high]
        if self.money_usd_per_t_low is not None or self.money_usd_per_t_high is not None:
            out["money_usd_per_t"] = [self.money_usd_per_t_low, self.money_usd_per_t_high]
        out["source_ids"] = list(self.source_ids)
        return out


def _opt_float(raw: Any) -> float | None:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == "":
        return None
    return float(raw)


def _items(raw: Any) -> tuple[str, ...]:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == "":
        return ()
    return tuple(x.strip() for x in str(raw).split(";") if x.strip())


def _text(raw: Any, default: str = "") -> str:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == "":
        return default
    return str(raw).strip()


def case_from_row(
    row: Mapping[str, Any], *, line: int, file: str = "validation/routes.csv"
) -> RouteCase:
    """A case from one CSV row (strings or numbers), checked for shape; ``file`` names the
    table in messages.

    Raises
    ------
    InputError
        Naming the line and field of a missing or malformed value.
    """
    where = f"{file} line {line}"
    for key in ("pair_id", "origin", "destination", "source_ids"):
        if not _text(row.get(key)):
            raise InputError(f"{where}: {key} is empty; fill it in")
    ends = _text(row.get("ends"), "terminal")
    if ends not in ENDS:
        raise InputError(f"{where}: ends must be one of {', '.join(ENDS)}, got {ends!r}")
    try:
        case = RouteCase(
            pair_id=_text(row["pair_id"]),
            origin=_text(row["origin"]),
            destination=_text(row["destination"]),
            source_ids=_items(row.get("source_ids")),
            scenario=_text(row.get("scenario"), "baseline-2025"),
            commodity=_text(row.get("commodity"), "container"),
            by=_text(row.get("by"), "cost"),
            mode=_text(row.get("mode")) or None,
            via=_items(row.get("via")),
            closed_countries=_items(row.get("closed_countries")),
            leg_modes=_items(row.get("leg_modes")),
            expect_pass=_items(row.get("expect_pass")),
            expect_avoid=_items(row.get("expect_avoid")),
            ends=ends,
            length_km=_opt_float(row.get("length_km")),
            time_h_low=_opt_float(row.get("time_h_low")),
            time_h_high=_opt_float(row.get("time_h_high")),
            money_usd_per_t_low=_opt_float(row.get("money_usd_per_t_low")),
            money_usd_per_t_high=_opt_float(row.get("money_usd_per_t_high")),
            notes=_text(row.get("notes")),
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: a figure is not a number ({exc})") from exc
    if case.leg_modes and len(case.leg_modes) != len(case.via) + 1:
        raise InputError(
            f"{where}: leg_modes needs one mode per leg ({len(case.via) + 1} with "
            f"{len(case.via)} via), got {len(case.leg_modes)}"
        )
    if not (case.length_km or case.time_h_low or case.time_h_high or case.money_usd_per_t_low
            or case.money_usd_per_t_high or case.expect_pass or case.expect_avoid):  # fmt: skip
        raise InputError(f"{where}: the case checks nothing; give a figure or expect_pass/avoid")
    return case
