"""A route's pieces, turned back from indices into ids: legs, countries, borders and transfers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits
from caravan.network.cargo import CargoArcs
from caravan.network.model import ArcKind, Layer, Network, TransferKind

__all__ = ["BorderCrossing", "CountryShare", "Leg", "TransferStop", "by_country", "legs_of"]


@dataclass(frozen=True)
class Leg:
    """One arc of a route: a link travelled in one direction, or a transfer at a place."""

    seq: int
    kind: str  # "link" or "transfer"
    link_id: str | None
    from_node_id: str
    to_node_id: str
    from_iso3: str
    to_iso3: str
    from_layer: str
    to_layer: str
    length_km: float
    run_time_h: float
    dwell_h: float
    time_h: float
    tariff_usd_per_t: float
    fee_usd_per_t: float
    surcharge_usd_per_t: float
    money_usd_per_t: float
    risk_usd_per_t: float
    cost_usd_per_t: float
    border_id: str | None
    transfer_kind: str | None
    project_ids: tuple[str, ...]
    corridor_ids: tuple[str, ...]


@dataclass(frozen=True)
class CountryShare:
    """What a route spends in one country.

    A cross-border link's km, running hours, tariff and risk are split half and half between
    its two countries; its border dwell, fee and any surcharge count in the country entered.
    """

    iso3: str
    length_km: float
    time_h: float
    money_usd_per_t: float
    risk_usd_per_t: float


@dataclass(frozen=True)
class BorderCrossing:
    """A border crossed, in the direction travelled."""

    border_id: str
    name: str
    link_id: str
    from_iso3: str
    to_iso3: str
    dwell_h: float
    fee_usd_per_t: float


@dataclass(frozen=True)
class TransferStop:
    """A change of mode or gauge at a place."""

    node_id: str
    name: str
    from_mode: str
    from_gauge_mm: int | None
    to_mode: str
    to_gauge_mm: int | None
    kind: str  # a TransferKind value
    dwell_h: float
    fee_usd_per_t: float


def transfer_kind(
    a: Layer, b: Layer, modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS
) -> TransferKind:
    """Gauge break (same mode), port (to or from a water mode), or another mode change.

    Examples
    --------
    >>> transfer_kind(Layer("rail", 1520), Layer("rail", 1435)).value
    'gauge break'
    >>> transfer_kind(Layer("road"), Layer("sea")).value
    'port'
    """
    if a.mode == b.mode:
        return TransferKind.GAUGE_BREAK
    if modes[a.mode].water or modes[b.mode].water:
        return TransferKind.PORT
    return TransferKind.MODE_CHANGE


def legs_of(network: Network, cargo: CargoArcs, arcs: Sequence[int]) -> tuple[Leg, ...]:
    """The legs of a path given as arc indices."""
    project_col, corridor_col = _link_project_corridor_ids(network)
    out: list[Leg] = []
    for seq, a in enumerate(arcs):
        tv, hv = int(network.arc_tail_vidx[a]), int(network.arc_head_vidx[a])
        tp, hp = int(network.vnode_place_idx[tv]), int(network.vnode_place_idx[hv])
        t_layer = network.layers[int(network.vnode_layer_idx[tv])]
        h_layer = network.layers[int(network.vnode_layer_idx[hv])]
        is_link = int(network.arc_kind[a]) == ArcKind.LINK
        li = int(network.arc_link_idx[a])
        b = int(network.arc_border_idx[a])
        out.append(
            Leg(
                seq=seq,
                kind="link" if is_link else "transfer",
                link_id=network.link_ids[li] if is_link else None,
                from_node_id=network.place_ids[tp],
                to_node_id=network.place_ids[hp],
                from_iso3=network.place_country_iso3[tp],
                to_iso3=network.place_country_iso3[hp],
                from_layer=str(t_layer),
                to_layer=str(h_layer),
                length_km=float(network.arc_length_km[a]),
                run_time_h=float(network.arc_run_time_h[a]),
                dwell_h=float(network.arc_dwell_h[a]),
                time_h=float(network.arc_time_h[a]),
                tariff_usd_per_t=float(network.arc_tariff_usd_per_t[a]),
                fee_usd_per_t=float(network.arc_fee_usd_per_t[a]),
                surcharge_usd_per_t=float(cargo.arc_surcharge_usd_per_t[a]),
                money_usd_per_t=float(cargo.arc_money_usd_per_t[a]),
                risk_usd_per_t=float(network.arc_risk_usd_per_t[a]),
                cost_usd_per_t=float(cargo.arc_cost_usd_per_t[a]),
                border_id=network.border_ids[b] if b >= 0 else None,
                transfer_kind=None
                if is_link
                else transfer_kind(t_layer, h_layer, network.mode_traits).value,
                project_ids=project_col[li] if is_link else (),
                corridor_ids=corridor_col[li] if is_link else (),
            )
        )
    return tuple(out)


def _link_project_corridor_ids(
    network: Network,
) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """Each link's project and corridor ids, by link position (kept with the network)."""
    return network.link_project_ids, network.link_corridor_ids


def by_country(legs: Sequence[Leg]) -> tuple[CountryShare, ...]:
    """Km, hours, USD/t and risk per country, in the order the route enters them."""
    acc: dict[str, list[float]] = {}

    def put(iso3: str, km: float, h: float, usd: float, risk: float) -> None:
        row = acc.setdefault(iso3, [0.0, 0.0, 0.0, 0.0])
        row[0] += km
        row[1] += h
        row[2] += usd
        row[3] += risk

    for leg in legs:
        if leg.from_iso3 == leg.to_iso3:
            put(leg.from_iso3, leg.length_km, leg.time_h, leg.money_usd_per_t, leg.risk_usd_per_t)
            continue
        half = (0.5 * leg.length_km, 0.5 * leg.run_time_h, 0.5 * leg.tariff_usd_per_t)
        put(leg.from_iso3, *half, 0.5 * leg.risk_usd_per_t)
        put(
            leg.to_iso3,
            half[0],
            half[1] + leg.dwell_h,
            half[2] + leg.fee_usd_per_t + leg.surcharge_usd_per_t,
            0.5 * leg.risk_usd_per_t,
        )
    return tuple(CountryShare(k, *v) for k, v in acc.items())
