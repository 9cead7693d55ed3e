"""What a mode of transport means, in one table: the traits a ``modes.yaml`` row gives.

Every part of Caravan that treats modes differently asks these traits, never a mode's name:

- ``layer``: ``land`` or ``water``. Water links (sea, ferry) count their risk only near the two
  ports, need no border crossing record when they join two countries, and a change to or from
  them is a port transfer;
- ``gauge``: ``required`` (rail: each link and transfer names its gauge, a change between
  gauges is a gauge break) or ``none``;
- ``transit``: whether passing through a country on this mode makes it a transit country (a
  ship calling at a port without unloading does not);
- ``colour``: the mode's colour on maps;
- ``border_shuttle``: whether this mode's vehicles could shuttle cargo across a border post
  between two links of another land mode (road: trucks between two railways). No default
  transfer between such a mode and another land mode applies at a place of kind ``border``;
  a ``transfers.csv`` row naming the place (a transshipment point) still does.

So adding a mode (a pipeline, air cargo) is one row of ``modes.yaml`` with its default speed,
tariff and traits, plus the links that use it. Rows that give no traits get those of
:data:`BUILT_IN_TRAITS` for the four built-in modes, or the land defaults.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BUILT_IN_TRAITS",
    "GaugeRule",
    "ModeLayer",
    "ModeTraits",
    "modes_where",
    "shuttles_at_border",
    "traits_from_row",
]


class ModeLayer(enum.StrEnum):
    """Where a mode runs."""

    LAND = "land"
    WATER = "water"


class GaugeRule(enum.StrEnum):
    """Whether links of a mode name a track gauge."""

    REQUIRED = "required"
    NONE = "none"


@dataclass(frozen=True)
class ModeTraits:
    """The traits of one mode (see the module docstring)."""

    layer: ModeLayer = ModeLayer.LAND
    gauge: GaugeRule = GaugeRule.NONE
    transit: bool = True
    colour: str = "#555555"
    border_shuttle: bool = False

    @property
    def water(self) -> bool:
        """A water mode (sea, ferry)."""
        return self.layer is ModeLayer.WATER

    @property
    def deep_sea(self) -> bool:
        """Ocean shipping: a water mode that makes no country a transit country (sea). Its
        links end at ports, and a run offers overland alternatives to routes that use it."""
        return self.water and not self.transit

    @property
    def has_gauge(self) -> bool:
        """Links of this mode name a gauge."""
        return self.gauge is GaugeRule.REQUIRED


def shuttles_at_border(a: ModeTraits, b: ModeTraits) -> bool:
    """Whether a change between two different modes at a border post would be a shuttle: both
    land modes, one of them a ``border_shuttle`` mode (no default transfer applies).

    Examples
    --------
    >>> rail, road, sea = (BUILT_IN_TRAITS[m] for m in ("rail", "road", "sea"))
    >>> shuttles_at_border(road, rail), shuttles_at_border(road, sea)
    (True, False)
    >>> shuttles_at_border(ModeTraits(), rail)  # a new land mode (a pipeline) is no shuttle
    False
    """
    return not (a.water or b.water) and (a.border_shuttle or b.border_shuttle)


#: Traits of the four built-in modes, for ``modes.yaml`` rows that state none.
BUILT_IN_TRAITS: Mapping[str, ModeTraits] = {
    "rail": ModeTraits(ModeLayer.LAND, GaugeRule.REQUIRED, True, "#b03a2e"),
    "road": ModeTraits(ModeLayer.LAND, GaugeRule.NONE, True, "#d68910", border_shuttle=True),
    "ferry": ModeTraits(ModeLayer.WATER, GaugeRule.NONE, True, "#117a65"),
    "sea": ModeTraits(ModeLayer.WATER, GaugeRule.NONE, False, "#2874a6"),
}

#: The trait fields a ``modes.yaml`` row may give.
TRAIT_FIELDS = ("layer", "gauge", "transit", "colour", "border_shuttle")


def traits_from_row(row: Mapping[str, Any]) -> ModeTraits:
    """The traits a ``modes.yaml`` row gives, the built-in (or land) defaults filling gaps.

    Examples
    --------
    >>> t = traits_from_row({"mode": "pipeline", "colour": "#7d3c98"})
    >>> t.layer.value, t.gauge.value, t.transit, t.colour
    ('land', 'none', True, '#7d3c98')
    >>> traits_from_row({"mode": "sea"}).water
    True
    """
    base = BUILT_IN_TRAITS.get(str(row.get("mode")), ModeTraits())

    def get(name: str, default: Any) -> Any:
        value = row.get(name)
        return default if value is None or value == "" or value != value else value

    return ModeTraits(
        layer=ModeLayer(get("layer", base.layer)),
        gauge=GaugeRule(get("gauge", base.gauge)),
        transit=bool(get("transit", base.transit)),
        colour=str(get("colour", base.colour)),
        border_shuttle=bool(get("border_shuttle", base.border_shuttle)),
    )


def modes_where(
    traits: Mapping[str, ModeTraits], test: Callable[[ModeTraits], bool]
) -> frozenset[str]:
    """The modes whose traits pass a test.

    Examples
    --------
    >>> sorted(modes_where(BUILT_IN_TRAITS, lambda t: t.water))
    ['ferry', 'sea']
    >>> sorted(modes_where(BUILT_IN_TRAITS, lambda t: t.deep_sea))
    ['sea']
    """
    return frozenset(mode for mode, t in traits.items() if test(t))
