"""The compiled network: frozen read-only arrays of layer nodes and arcs, with their cost parts."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from caravan.model.arrays import BoolArray, FloatArray, IntArray
from caravan.model.records import Commodity, Restriction

if TYPE_CHECKING:
    from caravan.model.atlas import Atlas
    from caravan.model.modes import ModeTraits
    from caravan.network.costs import CostModel

__all__ = [
    "ArcKind",
    "Layer",
    "Network",
    "Objective",
    "TransferKind",
]


class Objective(enum.StrEnum):
    """What a route minimises."""

    COST = "cost"  # generalised cost: money + value of time x time + risk, USD/t
    MONEY = "money"  # tariffs, fees and surcharges, USD/t
    TIME = "time"  # hours
    DISTANCE = "distance"  # km


class ArcKind(enum.IntEnum):
    """What an arc of the network is."""

    LINK = 0  # one direction of an atlas link
    TRANSFER = 1  # a change of mode or gauge at a place


class TransferKind(enum.StrEnum):
    """What a transfer between two layers at a place is."""

    GAUGE_BREAK = "gauge break"  # rail to rail of another gauge
    PORT = "port"  # to or from a ship (sea or ferry)
    MODE_CHANGE = "mode change"  # rail to road and the like


@dataclass(frozen=True, order=True)
class Layer:
    """A (mode, gauge) layer of the network; ``gauge_mm`` is 0 for modes without a gauge.

    ``mode`` is a mode of the atlas's ``modes.yaml`` (what it means: ``atlas.mode_traits``).
    """

    mode: str
    gauge_mm: int = 0

    def __str__(self) -> str:
        return f"{self.mode} {self.gauge_mm}" if self.gauge_mm else str(self.mode)

    @classmethod
    def parse(cls, text: str) -> Layer:
        """The layer written as ``str(layer)`` ("rail 1520", "sea").

        Examples
        --------
        >>> Layer.parse("rail 1520"), Layer.parse("sea")
        (Layer(mode='rail', gauge_mm=1520), Layer(mode='sea', gauge_mm=0))
        """
        mode, _, gauge = text.partition(" ")
        return cls(mode, int(gauge) if gauge else 0)


@dataclass(frozen=True, eq=False)
class Network:
    """An atlas compiled for one year, scenario and commodity; every array is read-only.

    Each place is split into one *layer node* (``vnode``) per (mode, gauge) layer that meets
    there. Arcs are sorted by tail layer node, so ``indptr[v]:indptr[v + 1]`` are the arcs out
    of ``v`` (CSR). An arc is one direction of an atlas link (``arc_link_idx >= 0``) or a
    transfer between two layers of one place (``arc_transfer_idx >= 0``, a row of the atlas's
    transfers table). Cost parts are kept apart:

    - ``arc_length_km``: km (0 for transfers);
    - ``arc_time_h = arc_run_time_h + arc_dwell_h``: running time plus border or transfer dwell;
    - ``arc_money_usd_per_t = arc_tariff_usd_per_t + arc_fee_usd_per_t``: tariff x length plus
      border fee (for the direction) or transfer fee;
    - ``arc_risk_usd_per_t``: see :data:`caravan.network.costs.RISK_LOSS_PER_KM`;
    - ``arc_cost_usd_per_t = money + value_of_time_usd_per_t_h * time + risk``.

    All of them come from one cost model (:mod:`caravan.network.costs`), kept as ``costs``: the
    same components per atlas link (usable or not), border crossing and transfer row, for
    consumers that work on atlas links rather than arcs (runs, ensembles).

    Restrictions that depend on the cargo's origin and destination countries are not applied
    here: ``restrictions`` holds the rules in force in ``year`` for ``commodity``, and the
    pairs ``(restriction_rule_idx[i], restriction_arc_idx[i])`` name the arcs each rule forbids
    or surcharges (:meth:`arcs_of_rule`). :func:`caravan.network.cargo_arcs` turns them into a
    mask and a surcharge array for one origin and destination country, so one network serves
    every flow.
    """

    atlas: Atlas = field(repr=False)
    year: int
    commodity: Commodity
    open_project_ids: tuple[str, ...]
    place_ids: tuple[str, ...] = field(repr=False)
    place_country_iso3: tuple[str, ...] = field(repr=False)
    place_risk: FloatArray = field(repr=False)
    place_index: Mapping[str, int] = field(repr=False)
    layers: tuple[Layer, ...] = field(repr=False)
    vnode_place_idx: IntArray = field(repr=False)
    vnode_layer_idx: IntArray = field(repr=False)
    indptr: IntArray = field(repr=False)
    arc_tail_vidx: IntArray = field(repr=False)
    arc_head_vidx: IntArray = field(repr=False)
    arc_kind: NDArray[np.int8] = field(repr=False)
    arc_link_idx: IntArray = field(repr=False)
    arc_forward: BoolArray = field(repr=False)
    arc_border_idx: IntArray = field(repr=False)
    arc_transfer_idx: IntArray = field(repr=False)
    arc_length_km: FloatArray = field(repr=False)
    arc_run_time_h: FloatArray = field(repr=False)
    arc_dwell_h: FloatArray = field(repr=False)
    arc_tariff_usd_per_t: FloatArray = field(repr=False)
    arc_fee_usd_per_t: FloatArray = field(repr=False)
    arc_risk_usd_per_t: FloatArray = field(repr=False)
    arc_money_usd_per_t: FloatArray = field(repr=False)
    arc_time_h: FloatArray = field(repr=False)
    arc_cost_usd_per_t: FloatArray = field(repr=False)
    costs: CostModel = field(repr=False)
    #: What each mode means (``modes.yaml``): layer, gauge rule, transit, colour.
    mode_traits: Mapping[str, ModeTraits] = field(repr=False)
    link_ids: tuple[str, ...] = field(repr=False)
    link_usable: BoolArray = field(repr=False)
    border_ids: tuple[str, ...] = field(repr=False)
    #: Position of each link id in ``link_ids`` and of each border id in ``border_ids`` (the
    #: atlas's order): the index maps every consumer uses instead of making its own.
    link_index: Mapping[str, int] = field(repr=False)
    border_index: Mapping[str, int] = field(repr=False)
    restrictions: tuple[Restriction, ...] = field(repr=False)
    restriction_rule_idx: IntArray = field(repr=False)
    restriction_arc_idx: IntArray = field(repr=False)
    #: Project and corridor ids of each atlas link, and the name of each border crossing.
    link_project_ids: tuple[tuple[str, ...], ...] = field(repr=False)
    link_corridor_ids: tuple[tuple[str, ...], ...] = field(repr=False)
    border_names: tuple[str, ...] = field(repr=False)
    #: Terminal handling per load or unload at a route's ends, by layer (``layers`` order):
    #: US$/t and hours, from the atlas's tariff model (zeros when it has none).
    layer_handling_usd_per_t: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    layer_handling_h: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def n_vnodes(self) -> int:
        """Number of layer nodes."""
        return int(self.vnode_place_idx.size)

    @property
    def n_arcs(self) -> int:
        """Number of arcs (link directions and transfers)."""
        return int(self.arc_head_vidx.size)

    @property
    def value_of_time_usd_per_t_h(self) -> float:
        """The commodity's value of time, which weighs hours in the generalised cost."""
        return float(self.commodity.value_of_time_usd_per_t_h)

    def arcs_of_rule(self, rule_idx: int) -> IntArray:
        """The arcs that ``restrictions[rule_idx]`` forbids or surcharges."""
        arcs: IntArray = self.restriction_arc_idx[self.restriction_rule_idx == rule_idx]
        return arcs

    def vnodes_of(self, place_id: str) -> IntArray:
        """The layer nodes of a place (empty when no usable link reaches it)."""
        place_idx = self.place_index[place_id]
        return np.flatnonzero(self.vnode_place_idx == place_idx).astype(np.int64)

    def summary(self) -> dict[str, Any]:
        """Counts, for logs and the benchmark."""
        return {
            "year": self.year,
            "commodity": self.commodity.commodity_id,
            "open_projects": list(self.open_project_ids),
            "n_places": len(self.place_ids),
            "n_vnodes": self.n_vnodes,
            "n_arcs": self.n_arcs,
            "n_link_arcs": int(np.count_nonzero(self.arc_kind == ArcKind.LINK)),
            "n_transfer_arcs": int(np.count_nonzero(self.arc_kind == ArcKind.TRANSFER)),
            "n_usable_links": int(self.link_usable.sum()),
            "n_restrictions": len(self.restrictions),
        }


def _readonly(array: NDArray[Any]) -> NDArray[Any]:
    """The array, made read-only in place (networks and cargo views never change)."""
    array.flags.writeable = False
    return array
