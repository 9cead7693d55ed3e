"""The tariff and speed model of an atlas (``tariffs.yaml``): rates, speeds, handling and lanes.

Every figure is a :class:`Param` with a chosen value and a low/high range (ensembles draw
from the ranges) and cites its sources. The network build prices links from this model:

- **line haul**: US$ per t-km for containers and a commercial speed (running plus yard and
  terminal dwell; border dwell is in ``borders.csv``), by mode, optionally by rail gauge and
  by country; the most specific row wins and a link is priced at the mean of its two ends;
- **commodity factors**: multipliers on the container rate and speed for other cargo;
- **handling**: a fixed cost and dwell per load or unload at a route's two ends;
- **lanes**: a fixed cost and dwell per sea or ferry lane traversal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from caravan.errors import InputError

__all__ = [
    "CommodityFactor",
    "Handling",
    "LaneCharge",
    "LineHaul",
    "Param",
    "TariffModel",
    "parse_tariffs",
]

#: The cargo whose rates the line-haul table quotes; other cargo is scaled by its factors.
REFERENCE_COMMODITY = "container"


@dataclass(frozen=True)
class Param:
    """A figure with its chosen value and its range (``low <= value <= high``)."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class LineHaul:
    """A line-haul row: container rate (US$/t-km) and commercial speed (km/h)."""

    row_id: str
    mode: str
    tariff_usd_per_tkm: Param
    speed_kmh: Param
    source_ids: tuple[str, ...]
    gauge_mm: int | None = None
    countries: tuple[str, ...] = ()
    basis: str = ""

    @property
    def specificity(self) -> int:
        """Countries count more than a gauge, which counts more than nothing."""
        return 2 * bool(self.countries) + bool(self.gauge_mm)


@dataclass(frozen=True)
class CommodityFactor:
    """Multipliers on the container rate and speed of one mode for one commodity."""

    commodity_id: str
    mode: str
    tariff: Param
    speed: Param


@dataclass(frozen=True)
class Handling:
    """Fixed terminal handling per load or unload: US$/t and hours."""

    mode: str
    commodity_id: str  # "*" for any cargo without its own row
    usd_per_t: Param
    dwell_h: Param
    source_ids: tuple[str, ...]
    basis: str = ""


@dataclass(frozen=True)
class LaneCharge:
    """Fixed cost and dwell of every traversal of a sea or ferry lane.

    A row naming ``link_ids`` applies to those lanes only (a direct service, a feeder with its
    own sailing frequency) and wins over the mode-wide row.
    """

    mode: str
    usd_per_t: Param
    dwell_h: Param
    source_ids: tuple[str, ...]
    basis: str = ""
    link_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TariffModel:
    """The whole tariff and speed model of an atlas."""

    payload_t_per_feu: Param
    line_haul: tuple[LineHaul, ...]
    commodity_factors: tuple[CommodityFactor, ...]
    handling: tuple[Handling, ...]
    lanes: tuple[LaneCharge, ...]
    source_ids: tuple[str, ...] = ()

    def line_haul_row(self, mode: str, gauge_mm: int | None, iso3: str) -> LineHaul | None:
        """The most specific line-haul row for a mode, gauge and country (``None``: no row).

        Examples
        --------
        >>> p = Param(1.0, 1.0, 1.0)
        >>> m = TariffModel(p, (LineHaul("a", "rail", p, p, ()),
        ...                     LineHaul("b", "rail", p, p, (), 1520, ("KAZ",))), (), (), ())
        >>> m.line_haul_row("rail", 1520, "KAZ").row_id, m.line_haul_row("rail", 1435, "KAZ").row_id
        ('b', 'a')
        """
        best: LineHaul | None = None
        for row in self.line_haul:
            if row.mode != mode:
                continue
            if row.gauge_mm and row.gauge_mm != gauge_mm:
                continue
            if row.countries and iso3 not in row.countries:
                continue
            if best is None or row.specificity > best.specificity:
                best = row
        return best

    def factor(self, commodity_id: str, mode: str) -> tuple[float, float]:
        """(tariff, speed) multipliers for a commodity on a mode; (1, 1) for the reference."""
        for f in self.commodity_factors:
            if f.commodity_id == commodity_id and f.mode == mode:
                return f.tariff.value, f.speed.value
        return 1.0, 1.0

    def handling_for(self, mode: str, commodity_id: str) -> Handling | None:
        """The handling row of a mode for a commodity (its own row, else the ``*`` row)."""
        rows = [h for h in self.handling if h.mode == mode]
        own = [h for h in rows if h.commodity_id == commodity_id]
        anyc = [h for h in rows if h.commodity_id == "*"]
        found = own or anyc
        return found[0] if found else None

    def lane_for(self, mode: str, link_id: str | None = None) -> LaneCharge | None:
        """The fixed lane charge of a water mode (of one lane, if a row names it), if any.

        Examples
        --------
        >>> p, q = Param(1.0, 1.0, 1.0), Param(2.0, 2.0, 2.0)
        >>> m = TariffModel(p, (), (), (), (LaneCharge("sea", p, p, ()),
        ...                                 LaneCharge("sea", q, q, (), link_ids=("s-a-b",))))
        >>> m.lane_for("sea", "s-a-b").dwell_h.value, m.lane_for("sea", "s-c-d").dwell_h.value
        (2.0, 1.0)
        """
        rows = [lane for lane in self.lanes if lane.mode == mode]
        own = [lane for lane in rows if link_id is not None and link_id in lane.link_ids]
        return next(iter(own or [lane for lane in rows if not lane.link_ids]), None)


def _param(raw: Mapping[str, Any], key: str, low_key: str, high_key: str, where: str) -> Param:
    try:
        value = float(raw[key])
        low = float(raw.get(low_key, value))
        high = float(raw.get(high_key, value))
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"tariffs.yaml {where}: {key!r} must be a number (with {low_key}/{high_key})"
        raise InputError(msg) from exc
    if not (0 <= low <= value <= high):
        msg = (
            f"tariffs.yaml {where}: need 0 <= {low_key} <= {key} <= {high_key}, "
            f"got {low}, {value}, {high}"
        )
        raise InputError(msg)
    return Param(value, low, high)


def _ids(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    return tuple(str(x) for x in raw)


def parse_tariffs(raw: Mapping[str, Any]) -> TariffModel:
    """A :class:`TariffModel` from the parsed YAML of ``tariffs.yaml``.

    Raises
    ------
    InputError
        Naming the section and row of a missing or out-of-range figure.
    """
    payload_raw = raw.get("payload") or {}
    payload = _param(payload_raw, "t_per_feu", "low", "high", "payload")
    line_haul = tuple(
        LineHaul(
            row_id=str(r.get("id") or f"row {i + 1}"),
            mode=str(r["mode"]),
            tariff_usd_per_tkm=_param(r, "usd_per_tkm", "low", "high", f"line_haul {i + 1}"),
            speed_kmh=_param(r, "speed_kmh", "speed_low", "speed_high", f"line_haul {i + 1}"),
            source_ids=_ids(r.get("source_ids")),
            gauge_mm=int(r["gauge_mm"]) if r.get("gauge_mm") else None,
            countries=_ids(r.get("countries")),
            basis=str(r.get("basis") or ""),
        )
        for i, r in enumerate(raw.get("line_haul") or ())
    )
    factors: list[CommodityFactor] = []
    for i, r in enumerate(raw.get("commodity_factors") or ()):
        for mode, f in r.items():
            if not isinstance(f, Mapping):
                continue
            where = f"commodity_factors {i + 1} {mode}"
            factors.append(
                CommodityFactor(
                    commodity_id=str(r["commodity_id"]),
                    mode=str(mode),
                    tariff=_param(f, "tariff", "low", "high", where),
                    speed=_param(f, "speed", "speed_low", "speed_high", where),
                )
            )
    handling = tuple(
        Handling(
            mode=str(r["mode"]),
            commodity_id=str(r.get("commodity_id") or "*"),
            usd_per_t=_param(r, "usd_per_t", "low", "high", f"handling {i + 1}"),
            dwell_h=_param(r, "dwell_h", "dwell_low", "dwell_high", f"handling {i + 1}"),
            source_ids=_ids(r.get("source_ids")),
            basis=str(r.get("basis") or ""),
        )
        for i, r in enumerate(raw.get("handling") or ())
    )
    lanes = tuple(
        LaneCharge(
            mode=str(r["mode"]),
            usd_per_t=_param(r, "usd_per_t", "low", "high", f"lanes {i + 1}"),
            dwell_h=_param(r, "dwell_h", "dwell_low", "dwell_high", f"lanes {i + 1}"),
            source_ids=_ids(r.get("source_ids")),
            basis=str(r.get("basis") or ""),
            link_ids=_ids(r.get("link_ids")),
        )
        for i, r in enumerate(raw.get("lanes") or ())
    )
    every: list[str] = list(_ids(payload_raw.get("source_ids")))
    for group in (line_haul, handling, lanes):
        for row in group:
            every.extend(row.source_ids)
    for r in raw.get("commodity_factors") or ():
        every.extend(_ids(r.get("source_ids")))
    return TariffModel(
        payload_t_per_feu=payload,
        line_haul=line_haul,
        commodity_factors=tuple(factors),
        handling=handling,
        lanes=lanes,
        source_ids=tuple(dict.fromkeys(every)),
    )


def link_rates(
    model: TariffModel,
    *,
    modes: Sequence[str],
    gauges: Sequence[Any],
    from_iso3: Sequence[str],
    to_iso3: Sequence[str],
) -> tuple[list[Param | None], list[Param | None]]:
    """Container tariff and speed of each link: the mean of its two end countries' rows.

    ``None`` where no row covers the link's mode (the caller falls back or reports it).
    """
    tariffs: list[Param | None] = []
    speeds: list[Param | None] = []
    for mode, gauge, a, b in zip(modes, gauges, from_iso3, to_iso3, strict=True):
        g = int(gauge) if gauge is not None and gauge == gauge and gauge else None
        rows = [model.line_haul_row(str(mode), g, a), model.line_haul_row(str(mode), g, b)]
        found = [r for r in rows if r is not None]
        if not found:
            tariffs.append(None)
            speeds.append(None)
            continue
        tariffs.append(_mean([r.tariff_usd_per_tkm for r in found]))
        speeds.append(_mean([r.speed_kmh for r in found]))
    return tariffs, speeds


def _mean(params: Sequence[Param]) -> Param:
    n = len(params)
    return Param(
        sum(p.value for p in params) / n,
        sum(p.low for p in params) / n,
        sum(p.high for p in params) / n,
    )
