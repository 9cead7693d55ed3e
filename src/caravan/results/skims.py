"""Skims: the least-cost route's cost, time, distance and money between every pair of zones.

A zone is an atlas place (by default every origin and destination of the demand table). For each
commodity one network is built, and for each ordered pair of zones the least generalised-cost
route is found with the same network, restrictions and cost model as ``caravan route``; the
matrices hold that route's totals. Unreachable pairs are NaN; the diagonal is 0.

Seasons: skims are least-cost routes, not tonnes, so they are not summed over a year's seasons
as a run is. Without a day they are the yearly network's, without its seasonal closures and
restrictions (``Skims.seasons`` says so); with a ``day`` they are that day's season's (its
seasonal closures applied, :func:`caravan.results.seasons.season_world`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from caravan.errors import NotFoundError
from caravan.model._checks import suggest
from caravan.model.atlas import Atlas
from caravan.network.build import build_network
from caravan.network.cargo import CargoArcs, cargo_arcs
from caravan.network.model import Network
from caravan.results.arc_paths import graph_of
from caravan.routing.shortest import shortest_path

__all__ = ["SKIM_UNITS", "Skims", "demand_zones", "skim_network", "skims"]

#: The skim matrices and their units.
SKIM_UNITS: Mapping[str, str] = {
    "cost_usd_per_t": "USD per tonne (generalised: money + value of time x hours + risk)",
    "time_h": "hours (running time plus border and transfer dwell)",
    "length_km": "km",
    "money_usd_per_t": "USD per tonne (tariffs, fees and surcharges)",
}

FloatMatrix = NDArray[np.float64]


@dataclass(frozen=True)
class Skims:
    """Zone-to-zone matrices per commodity: ``matrices[commodity_id][name]`` is a
    ``(n_zones, n_zones)`` array, rows origins and columns destinations in ``zone_ids`` order,
    one per name of :data:`SKIM_UNITS`."""

    zone_ids: tuple[str, ...]
    year: int
    scenario: str
    matrices: Mapping[str, Mapping[str, FloatMatrix]] = field(repr=False)
    #: How the year's seasonal closures were treated (stated in the output).
    seasons: str = ""

    @property
    def units(self) -> Mapping[str, str]:
        """The unit of each matrix name (:data:`SKIM_UNITS`)."""
        return SKIM_UNITS

    @property
    def commodity_ids(self) -> tuple[str, ...]:
        """The commodities skimmed, in order."""
        return tuple(self.matrices)


def demand_zones(atlas: Atlas) -> tuple[str, ...]:
    """The places the demand table starts or ends at, sorted.

    Examples
    --------
    >>> from caravan import load_atlas
    >>> demand_zones(load_atlas("tests/data/tiny-atlas"))
    ('herat', 'kandahar', 'nhava-sheva')
    """
    demand = atlas.demand_frame
    return tuple(sorted({*demand["origin_node_id"], *demand["destination_node_id"]}))


def skim_network(network: Network, zone_ids: Sequence[str]) -> dict[str, FloatMatrix]:
    """The skim matrices of one network (one year, scenario and commodity).

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> net = caravan.build_network(atlas, year=2025)
    >>> m = skim_network(net, ["amber", "dune"])
    >>> float(m["length_km"][0, 1]) == caravan.route(atlas, "Amber", "Dune")[0].length_km
    True
    """
    n = len(zone_ids)
    out = {name: np.full((n, n), np.nan) for name in SKIM_UNITS}
    for name in out:
        np.fill_diagonal(out[name], 0.0)
    graph = graph_of(network)
    countries = dict(zip(network.place_ids, network.place_country_iso3, strict=True))
    views: dict[tuple[str, str], CargoArcs] = {}
    vnodes = [network.vnodes_of(z) if z in network.place_index else np.zeros(0, np.int64)
              for z in zone_ids]  # fmt: skip
    for i, origin in enumerate(zone_ids):
        for j, destination in enumerate(zone_ids):
            if i == j or vnodes[i].size == 0 or vnodes[j].size == 0:
                continue
            key = (countries[origin], countries[destination])
            if key not in views:
                views[key] = cargo_arcs(network, origin_iso3=key[0], destination_iso3=key[1])
            view = views[key]
            path = shortest_path(
                graph, view.arc_cost_usd_per_t, vnodes[i], vnodes[j], arc_mask=view.arc_usable
            )
            if path is None:
                continue
            arcs = np.asarray(path.arcs, dtype=np.int64)
            out["cost_usd_per_t"][i, j] = view.arc_cost_usd_per_t[arcs].sum()
            out["time_h"][i, j] = network.arc_time_h[arcs].sum()
            out["length_km"][i, j] = network.arc_length_km[arcs].sum()
            out["money_usd_per_t"][i, j] = view.arc_money_usd_per_t[arcs].sum()
    return out


def skims(
    world: Atlas,
    *,
    year: int,
    scenario: str = "",
    zone_ids: Sequence[str] | None = None,
    commodity_ids: Sequence[str] | None = None,
    day: dt.date | None = None,
) -> Skims:
    """Skim matrices for every commodity (or those named) between zones.

    Parameters
    ----------
    world : Atlas
        The atlas as the scenario leaves it (:func:`caravan.results.runs.scenario_world`).
    year : int
        The year whose network is skimmed.
    scenario : str
        The scenario's name, recorded with the matrices.
    zone_ids : sequence of str, optional
        The zones (place ids); default :func:`demand_zones`.
    commodity_ids : sequence of str, optional
        Default: every commodity of the atlas.
    day : datetime.date, optional
        Skim that day's season (its seasonal closures and restrictions applied); default: the
        yearly network without them.

    Raises
    ------
    NotFoundError
        For a zone that is not a place of the atlas.
    """
    zones = tuple(zone_ids) if zone_ids is not None else demand_zones(world)
    known = set(world.nodes_frame["node_id"])
    missing = [z for z in zones if z not in known]
    if missing:
        hints = "".join(suggest(z, known) for z in missing[:3])
        raise NotFoundError(
            f"zones not in the atlas: {', '.join(missing)}{hints}; give place ids of nodes.csv "
            "(e.g. kabul, karachi), or no zones for every demand origin and destination"
        )
    chosen = commodity_ids or [c.commodity_id for c in world.commodities]
    world, seasons = _season_of(world, year, day)
    matrices = {}
    for commodity_id in chosen:
        network = build_network(world, year=year, commodity=commodity_id)
        matrices[commodity_id] = skim_network(network, zones)
    return Skims(zone_ids=zones, year=year, scenario=scenario, matrices=matrices, seasons=seasons)


def _season_of(world: Atlas, year: int, day: dt.date | None) -> tuple[Atlas, str]:
    """The world to skim and what it says about seasons (see the module docstring)."""
    from caravan.results.seasons import season_world, year_seasons

    found = year_seasons(world, year)
    if not found:
        return world, f"{year} has no seasonal closures or restrictions: one network all year"
    if day is None:
        return world, (
            f"not applied: the yearly network without the seasonal closures and restrictions "
            f"of its {len(found)} seasons (a run settles each season and sums them); give a "
            "day (--date) for that day's season"
        )
    text = day.isoformat()
    for season in found:
        if any(first <= text <= last for first, last in season.periods):
            closed = ", ".join(season.closed_link_ids) or "none"
            return season_world(world, season), (
                f"{season.season_id} of {len(found)} ({season.days} days, with {text}): "
                f"seasonal closures applied ({closed})"
            )
    return world, f"{text} is outside {year}: the yearly network without seasonal closures"
