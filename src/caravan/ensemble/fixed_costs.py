"""Drawn fixed costs: terminal handling, transfers and lane charges of the routes.

Besides link lengths, tariffs, capacities and demand, an ensemble draws the fixed parts of a
route's cost that the atlas gives as ranges: terminal handling per load or unload and its dwell
(``tariffs.yaml`` ``handling``), the dwell and fee of every transfer row (``transfers.csv``) and
the fixed charge and dwell of every sea or ferry lane row (``tariffs.yaml`` ``lanes``). Each
row's fee and dwell are two inputs; a draw scales what the row adds to each route by the drawn
value over the chosen one (so a route changing gauge at Sarakhs takes the Sarakhs draw).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from caravan.ensemble.spec import EnsembleSpec, UncertainInput
from caravan.model.atlas import Atlas
from caravan.model.tariffs import Param
from caravan.network.build import transfer_row_finder
from caravan.network.model import Layer

__all__ = ["FIXED_KINDS", "FixedEntry", "FixedKeys", "fixed_cost_inputs", "route_fixed_entries"]

#: The range kinds of the fixed costs, money then time for each group.
FIXED_KINDS: tuple[str, ...] = (
    "handling_usd_per_t",
    "handling_dwell_h",
    "transfer_fee_usd_per_t",
    "transfer_dwell_h",
    "lane_usd_per_t",
    "lane_dwell_h",
)


#: Per row key, the (money, time) input index of the row (-1 for a figure without a range).
FixedKeys = dict[tuple[str, ...], tuple[int, int]]


@dataclass(frozen=True)
class FixedEntry:
    """What one row adds to one route: money and hours, and the inputs that draw them."""

    money_input: int  # -1 when the row's fee has no range
    time_input: int  # -1 when the row's dwell has no range
    money_usd_per_t: float
    time_h: float


def _layer_name(mode: Any, gauge: Any) -> str:
    g = 0 if gauge is None or pd.isna(gauge) else int(gauge)
    return str(Layer(str(mode), g))


def transfer_key(frame: pd.DataFrame, row: int) -> tuple[str, str, str, str]:
    """A transfer row's identity: ("transfer", place or "*", from layer, to layer)."""
    r = frame.iloc[row]
    node = r["node_id"] if isinstance(r["node_id"], str) and r["node_id"] else "*"
    return (
        "transfer",
        str(node),
        _layer_name(r["from_mode"], r["from_gauge_mm"]),
        _layer_name(r["to_mode"], r["to_gauge_mm"]),
    )


def fixed_cost_inputs(
    atlas: Atlas, spec: EnsembleSpec, *, first: int
) -> tuple[list[UncertainInput], FixedKeys]:
    """The ranged fixed-cost rows of an atlas as inputs (numbered from ``first``), and per row
    key the (money, time) input index (-1 for a figure without a range)."""
    inputs: list[UncertainInput] = []
    keys: FixedKeys = {}

    def add(name: str, kind: str, target: str, p: Param) -> int:
        if not p.high > p.low:
            return -1
        inputs.append(
            UncertainInput(name, kind, target, p.value, p.low, p.high, spec.distribution(kind))
        )
        return first + len(inputs) - 1

    model = atlas.tariffs
    if model is not None:
        for h in model.handling:
            key: tuple[str, ...] = ("handling", h.mode, h.commodity_id)
            target = f"{h.mode}/{h.commodity_id}"
            keys[key] = (
                add(f"handling:{target}:usd_per_t", "handling_usd_per_t", target, h.usd_per_t),
                add(f"handling:{target}:dwell_h", "handling_dwell_h", target, h.dwell_h),
            )
        for lane in model.lanes:
            key = ("lane", lane.mode, *lane.link_ids)
            target = lane.mode + (f"/{'+'.join(lane.link_ids)}" if lane.link_ids else "")
            keys[key] = (
                add(f"lane:{target}:usd_per_t", "lane_usd_per_t", target, lane.usd_per_t),
                add(f"lane:{target}:dwell_h", "lane_dwell_h", target, lane.dwell_h),
            )
    frame = atlas.transfers_frame
    for i, r in enumerate(frame.to_dict("records")):
        key = transfer_key(frame, i)
        target = f"{key[1]}:{key[2]}>{key[3]}"
        keys[key] = (
            add(
                f"transfer:{target}:fee_usd_per_t",
                "transfer_fee_usd_per_t",
                target,
                _param(r, "fee_usd_per_t"),
            ),
            add(f"transfer:{target}:dwell_h", "transfer_dwell_h", target, _param(r, "dwell_h")),
        )
    return inputs, keys


def _param(row: Mapping[Any, Any], column: str) -> Param:
    value = float(row[column])
    low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return Param(value, value, value)
    return Param(value, float(low), float(high))


def route_fixed_entries(
    world: Atlas,
    route: Any,
    keys: FixedKeys,
    *,
    transfer_row_of: Callable[[str, Layer, Layer], int] | None = None,
) -> list[FixedEntry]:
    """What each ranged handling, transfer and lane row adds to one route (a routes.Route).

    ``transfer_row_of`` is :func:`caravan.network.build.transfer_row_finder` of ``world``,
    when the caller looks up many routes.
    """
    find = transfer_row_of if transfer_row_of is not None else transfer_row_finder(world)
    out: list[FixedEntry] = []
    model = world.tariffs
    frame = world.transfers_frame
    for leg in route.legs:
        if leg.kind == "handling" and model is not None:
            mode = Layer.parse(leg.from_layer).mode
            row = model.handling_for(mode, route.commodity_id)
            if row is not None:
                found = keys.get(("handling", row.mode, row.commodity_id))
                if found is not None:
                    out.append(FixedEntry(*found, leg.fee_usd_per_t, leg.dwell_h))
        elif leg.kind == "transfer":
            i = find(leg.from_node_id, Layer.parse(leg.from_layer), Layer.parse(leg.to_layer))
            found = keys.get(transfer_key(frame, i)) if i >= 0 else None
            if found is not None:
                out.append(FixedEntry(*found, leg.fee_usd_per_t, leg.dwell_h))
        elif leg.kind == "link" and model is not None:
            mode = Layer.parse(leg.from_layer).mode
            lane = model.lane_for(mode, leg.link_id)
            if lane is None:
                continue
            found = keys.get(("lane", lane.mode, *lane.link_ids))
            if found is not None:
                factor, _ = model.factor(route.commodity_id, mode)
                out.append(FixedEntry(*found, lane.usd_per_t.value * factor, lane.dwell_h.value))
    return [e for e in out if e.money_input >= 0 or e.time_input >= 0]
