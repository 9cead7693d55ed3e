"""A route's pieces, turned back from indices into ids: legs, countries, borders and transfers."""

from __future__ import annotations

import copy
import dataclasses  # noqa: F401 (the doctests use it)
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits
from caravan.network.cargo import CargoArcs
from caravan.network.model import ArcKind, Layer, Network, TransferKind

__all__ = [
    "WATER_AREAS",
    "BorderCrossing",
    "CountryShare",
    "Leg",
    "TransferStop",
    "by_country",
    "legs_of",
    "legs_with_handling",
    "water_area",
    "with_handling",
]

#: What ``by_country`` calls a sea leg, and a ferry leg between two countries (the Caspian).
SEA_AREA, CASPIAN_AREA = "sea", "caspian"
#: The water areas ``by_country`` may name besides countries.
WATER_AREAS = frozenset({SEA_AREA, CASPIAN_AREA})


@dataclass(frozen=True)
class Leg:
    """One arc of a route (a link in one direction, a transfer at a place), or the terminal
    handling (load at the origin, unload at the destination) that a route pays at its ends."""

    seq: int
    kind: str  # "link", "transfer" or "handling"
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


def legs_of(
    network: Network, cargo: CargoArcs, arcs: Sequence[int], *, first_seq: int = 0
) -> tuple[Leg, ...]:
    """The legs of a path given as arc indices, numbered from ``first_seq``."""
    project_col, corridor_col = _link_project_corridor_ids(network)
    if not len(arcs):
        return ()
    # Gather the path's arcs once (plain Python values, as float() of each element gives).
    at = np.asarray(arcs, dtype=np.int64)
    tv, hv = network.arc_tail_vidx[at], network.arc_head_vidx[at]
    tps = network.vnode_place_idx[tv].tolist()
    hps = network.vnode_place_idx[hv].tolist()
    t_layers = network.vnode_layer_idx[tv].tolist()
    h_layers = network.vnode_layer_idx[hv].tolist()
    kinds = network.arc_kind[at].tolist()
    link_idx = network.arc_link_idx[at].tolist()
    border_idx = network.arc_border_idx[at].tolist()
    length = network.arc_length_km[at].tolist()
    run_time = network.arc_run_time_h[at].tolist()
    dwell = network.arc_dwell_h[at].tolist()
    time_h = network.arc_time_h[at].tolist()
    tariff = network.arc_tariff_usd_per_t[at].tolist()
    fee = network.arc_fee_usd_per_t[at].tolist()
    surcharge = cargo.arc_surcharge_usd_per_t[at].tolist()
    money = cargo.arc_money_usd_per_t[at].tolist()
    risk = network.arc_risk_usd_per_t[at].tolist()
    cost = cargo.arc_cost_usd_per_t[at].tolist()
    layers, place_ids, iso3 = network.layers, network.place_ids, network.place_country_iso3
    layer_names = [str(layer) for layer in layers]
    kinds_of: dict[tuple[int, int], str] = {}
    out: list[Leg] = []
    for seq in range(len(kinds)):
        tp, hp = tps[seq], hps[seq]
        tl, hl = t_layers[seq], h_layers[seq]
        is_link = kinds[seq] == ArcKind.LINK
        li = link_idx[seq]
        b = border_idx[seq]
        if not is_link and (tl, hl) not in kinds_of:
            kinds_of[tl, hl] = transfer_kind(layers[tl], layers[hl], network.mode_traits).value
        out.append(
            Leg(
                seq=seq + first_seq,
                kind="link" if is_link else "transfer",
                link_id=network.link_ids[li] if is_link else None,
                from_node_id=place_ids[tp],
                to_node_id=place_ids[hp],
                from_iso3=iso3[tp],
                to_iso3=iso3[hp],
                from_layer=layer_names[tl],
                to_layer=layer_names[hl],
                length_km=length[seq],
                run_time_h=run_time[seq],
                dwell_h=dwell[seq],
                time_h=time_h[seq],
                tariff_usd_per_t=tariff[seq],
                fee_usd_per_t=fee[seq],
                surcharge_usd_per_t=surcharge[seq],
                money_usd_per_t=money[seq],
                risk_usd_per_t=risk[seq],
                cost_usd_per_t=cost[seq],
                border_id=network.border_ids[b] if b >= 0 else None,
                transfer_kind=None if is_link else kinds_of[tl, hl],
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


def with_handling(network: Network, legs: Sequence[Leg]) -> tuple[Leg, ...]:
    """The legs with the terminal handling added: a load leg first, an unload leg last.

    Handling is charged on the layer of the first and last link (``tariffs.yaml``); routes
    are chosen without it (it is a fixed charge per end, the same for every route that starts
    and ends on the same mode). No handling legs when the network has no handling figures.
    """
    links = [leg for leg in legs if leg.kind == "link"]
    if not links or not network.layer_handling_usd_per_t.size:
        return tuple(legs)
    # (a copy of each leg with its number moved on: what dataclasses.replace gives, faster)
    shifted = []
    for leg in legs:
        moved = copy.copy(leg)
        object.__setattr__(moved, "seq", leg.seq + 1)
        shifted.append(moved)
    load, unload = _handling_legs(network, links[0], links[-1], len(legs) + 1)
    return (load, *shifted, unload)


def legs_with_handling(network: Network, cargo: CargoArcs, arcs: Sequence[int]) -> tuple[Leg, ...]:
    """``with_handling(network, legs_of(network, cargo, arcs))``, each leg made once (numbered
    after the load leg from the start instead of copied with its number moved on)."""
    at = np.asarray(arcs, dtype=np.int64)
    handled = bool(network.layer_handling_usd_per_t.size) and bool(
        (network.arc_kind[at] == ArcKind.LINK).any()
    )
    legs = legs_of(network, cargo, arcs, first_seq=1 if handled else 0)
    if not handled:
        return legs
    links = [leg for leg in legs if leg.kind == "link"]
    load, unload = _handling_legs(network, links[0], links[-1], len(legs) + 1)
    return (load, *legs, unload)


def _handling_legs(network: Network, first: Leg, last: Leg, n: int) -> tuple[Leg, Leg]:
    """The load leg (number 0) on the first link's layer at its start, and the unload leg
    (number ``n``) on the last link's layer at its end."""
    layer_idx = {str(layer): i for i, layer in enumerate(network.layers)}

    def handling(leg: Leg, node_id: str, iso3: str, layer: str, seq: int) -> Leg:
        i = layer_idx[layer]
        usd = float(network.layer_handling_usd_per_t[i])
        hours = float(network.layer_handling_h[i])
        vot = network.value_of_time_usd_per_t_h
        return Leg(
            seq=seq, kind="handling", link_id=None, from_node_id=node_id, to_node_id=node_id,
            from_iso3=iso3, to_iso3=iso3, from_layer=layer, to_layer=layer, length_km=0.0,
            run_time_h=0.0, dwell_h=hours, time_h=hours, tariff_usd_per_t=0.0,
            fee_usd_per_t=usd, surcharge_usd_per_t=0.0, money_usd_per_t=usd,
            risk_usd_per_t=0.0, cost_usd_per_t=usd + vot * hours, border_id=None,
            transfer_kind=None, project_ids=(), corridor_ids=(),
        )  # fmt: skip

    load = handling(first, first.from_node_id, first.from_iso3, first.from_layer, 0)
    unload = handling(last, last.to_node_id, last.to_iso3, last.to_layer, n)
    return load, unload


def water_area(leg: Leg, modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS) -> str | None:
    """``"sea"`` for a deep-sea leg, ``"caspian"`` for another water leg (a ferry) between two
    countries, else None; ``modes`` gives each mode's traits (``network.mode_traits``).

    A port call makes no transit country: water legs are booked to the sea, not to the
    countries of the ports they join (a ferry inside one country, Lake Van, stays there).

    Examples
    --------
    >>> leg = Leg(1, "link", "l", "a", "b", "AZE", "KAZ", "ferry", "ferry", *[0.0] * 10,
    ...           None, None, (), ())
    >>> water_area(leg), water_area(dataclasses.replace(leg, to_iso3="AZE"))
    ('caspian', None)
    >>> water_area(dataclasses.replace(leg, from_layer="sea", to_layer="sea"))
    'sea'
    """
    if leg.kind != "link":
        return None
    traits = modes[leg.from_layer.partition(" ")[0]]  # the mode of Layer.parse(from_layer)
    if traits.deep_sea:
        return SEA_AREA
    if traits.water and leg.from_iso3 != leg.to_iso3:
        return CASPIAN_AREA
    return None


def by_country(
    legs: Sequence[Leg], modes: Mapping[str, ModeTraits] = BUILT_IN_TRAITS
) -> tuple[CountryShare, ...]:
    """Km, hours, USD/t and risk per country, in the order the route enters them.

    Sea legs count under ``"sea"`` and ferry legs between two countries under ``"caspian"``
    (:func:`water_area`, with the ``modes`` traits), whole: their ports' countries get
    nothing from them.
    """
    acc: dict[str, list[float]] = {}

    def put(iso3: str, km: float, h: float, usd: float, risk: float) -> None:
        row = acc.setdefault(iso3, [0.0, 0.0, 0.0, 0.0])
        row[0] += km
        row[1] += h
        row[2] += usd
        row[3] += risk

    for leg in legs:
        area = water_area(leg, modes)
        if area is not None:
            put(area, leg.length_km, leg.time_h, leg.money_usd_per_t, leg.risk_usd_per_t)
            continue
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
