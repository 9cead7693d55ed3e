"""Restrictions applied to one cargo flow: an arc mask and surcharges for an origin/destination.

The network is built once per year and commodity; restrictions that depend on where the cargo
comes from and goes to are applied here, at route time, as a boolean mask (``forbid``) and an
extra money cost (``surcharge``) per arc. This keeps one network for every flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caravan.model.arrays import BoolArray, FloatArray
from caravan.model.records import RestrictionEffect
from caravan.network.model import Network, Objective, _readonly

__all__ = ["CargoArcs", "cargo_arcs"]


@dataclass(frozen=True, eq=False)
class CargoArcs:
    """A network's arcs as one flow sees them: which are allowed and what they cost.

    ``arc_money_usd_per_t`` and ``arc_cost_usd_per_t`` include the surcharges; time, length and
    risk are the network's own. ``forbidding`` and ``surcharging`` are indices into
    ``network.restrictions`` of the rules that match this cargo.
    """

    network: Network
    origin_iso3: str
    destination_iso3: str
    arc_usable: BoolArray
    arc_surcharge_usd_per_t: FloatArray
    arc_money_usd_per_t: FloatArray
    arc_cost_usd_per_t: FloatArray
    forbidding: tuple[int, ...]
    surcharging: tuple[int, ...]

    def weight(self, objective: Objective) -> FloatArray:
        """The arc weights that ``objective`` minimises."""
        if objective is Objective.COST:
            return self.arc_cost_usd_per_t
        if objective is Objective.MONEY:
            return self.arc_money_usd_per_t
        if objective is Objective.TIME:
            return self.network.arc_time_h
        return self.network.arc_length_km


def cargo_arcs(network: Network, *, origin_iso3: str, destination_iso3: str) -> CargoArcs:
    """Apply the restrictions matching cargo from ``origin_iso3`` to ``destination_iso3``.

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> net = caravan.build_network(atlas, year=2025)
    >>> view = cargo_arcs(net, origin_iso3="IND", destination_iso3="UZB")
    >>> [net.restrictions[i].restriction_id for i in view.forbidding]
    ['pak-no-indian-transit']
    >>> int((~view.arc_usable).sum()) > 0
    True
    """
    usable = np.ones(network.n_arcs, dtype=np.bool_)
    surcharge = np.zeros(network.n_arcs, dtype=np.float64)
    forbidding: list[int] = []
    surcharging: list[int] = []
    for r_idx, rule in enumerate(network.restrictions):
        if not rule.matches_cargo(
            origin_iso3=origin_iso3,
            destination_iso3=destination_iso3,
            commodity_id=network.commodity.commodity_id,
        ):
            continue
        arcs = network.arcs_of_rule(r_idx)
        if rule.effect is RestrictionEffect.FORBID:
            usable[arcs] = False
            forbidding.append(r_idx)
        elif rule.surcharge_usd_per_t:
            np.add.at(surcharge, arcs, float(rule.surcharge_usd_per_t))
            surcharging.append(r_idx)
    money = network.arc_money_usd_per_t + surcharge
    cost = network.arc_cost_usd_per_t + surcharge
    return CargoArcs(
        network=network,
        origin_iso3=origin_iso3,
        destination_iso3=destination_iso3,
        arc_usable=_readonly(usable),
        arc_surcharge_usd_per_t=_readonly(surcharge),
        arc_money_usd_per_t=_readonly(money),
        arc_cost_usd_per_t=_readonly(cost),
        forbidding=tuple(forbidding),
        surcharging=tuple(surcharging),
    )
