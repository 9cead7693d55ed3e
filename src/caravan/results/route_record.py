"""The record of one route: its totals, legs, crossings, transfers and country shares, with its
table, JSON and map forms (:class:`Route`; :mod:`caravan.results.routes` finds routes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from caravan.network.model import Objective
from caravan.results.legs import BorderCrossing, CountryShare, Leg, TransferStop

__all__ = ["Route"]


@dataclass(frozen=True)
class Route:
    """One route with its totals and breakdowns (all money in USD per tonne).

    ``cost_usd_per_t = money_usd_per_t + value_of_time_usd_per_t_h * time_h + risk_usd_per_t``.
    ``bypassed_countries`` are the countries the cheapest *other* route found crosses and this
    one does not (for rank 1, the rank-2 route; for the others, rank 1).
    """

    rank: int
    objective: Objective
    objective_value: float
    origin_id: str
    destination_id: str
    year: int
    commodity_id: str
    value_of_time_usd_per_t_h: float
    open_project_ids: tuple[str, ...]
    node_ids: tuple[str, ...]
    link_ids: tuple[str, ...]
    countries: tuple[str, ...]
    length_km: float
    time_h: float
    money_usd_per_t: float
    risk_usd_per_t: float
    cost_usd_per_t: float
    by_country: tuple[CountryShare, ...]
    borders: tuple[BorderCrossing, ...]
    transfers: tuple[TransferStop, ...]
    projects: tuple[str, ...]
    corridors: tuple[str, ...]
    surcharges: tuple[tuple[str, float], ...]
    bypassed_countries: tuple[str, ...]
    legs: tuple[Leg, ...]
    coordinates: tuple[tuple[float, float], ...]  # (lon, lat) of each place in node_ids
    #: For each link travelled, in order, its (lon, lat) vertices in the direction travelled:
    #: along the atlas ``geometry`` where given, else the straight segment.
    leg_lines: tuple[tuple[tuple[float, float], ...], ...] = ()

    @property
    def line(self) -> tuple[tuple[float, float], ...]:
        """The whole route as one line of (lon, lat) vertices, along the links' geometry."""
        out: list[tuple[float, float]] = []
        for part in self.leg_lines:
            out.extend(part[1:] if out and out[-1] == part[0] else part)
        return tuple(out) if out else self.coordinates

    def to_frame(self) -> pd.DataFrame:
        """One row per leg (link direction or transfer), keyed by ids.

        Examples
        --------
        >>> from pathlib import Path
        >>> import caravan
        >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
        >>> r = caravan.route(atlas, "Amber", "Dune")[0]
        >>> frame = r.to_frame()
        >>> frame["kind"].tolist()
        ['link', 'link', 'transfer', 'link']
        >>> frame["time_h"].tolist(), frame["money_usd_per_t"].tolist()
        ([4.0, 10.4, 4.0, 13.5], [10.0, 6.0, 6.0, 40.0])
        """
        rows = []
        for leg in self.legs:
            row = _record(leg)
            row["project_ids"] = ";".join(leg.project_ids)
            row["corridor_ids"] = ";".join(leg.corridor_ids)
            rows.append({"rank": self.rank, **row})
        return pd.DataFrame(rows)

    def to_feature(self) -> dict[str, Any]:
        """A GeoJSON Feature: a LineString through the places, the summary as properties."""
        keys = (
            "rank", "objective", "origin_id", "destination_id", "year", "commodity_id",
            "node_ids", "link_ids", "countries", "length_km", "time_h", "money_usd_per_t",
            "risk_usd_per_t", "cost_usd_per_t", "projects", "corridors", "bypassed_countries",
        )  # fmt: skip
        full = self.to_dict()
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": full["line"] or full["coordinates"]},
            "properties": {key: full[key] for key in keys},
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``caravan route --json`` record)."""
        out: dict[str, Any] = {}
        for name in _field_names(self):
            value = getattr(self, name)
            if name in ("by_country", "borders", "transfers", "legs"):
                names = _field_names(value[0]) if value else ()
                value = [_record(item, names) for item in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        out["objective"] = self.objective.value
        out["surcharges"] = [{"restriction_id": r, "usd_per_t": v} for r, v in self.surcharges]
        out["coordinates"] = [list(c) for c in self.coordinates]
        out["leg_lines"] = [[list(c) for c in part] for part in self.leg_lines]
        out["line"] = [list(c) for c in self.line]
        return out

    def to_geodataframe(self) -> Any:
        """One row per link travelled, with its line in the direction travelled (EPSG:4326).

        The columns are those of :meth:`to_frame` for the link legs, plus ``mode``; transfers
        have no line of their own and are left out (they are in :meth:`to_frame`).

        Examples
        --------
        >>> from pathlib import Path
        >>> import caravan
        >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
        >>> gdf = caravan.route(atlas, "Amber", "Dune")[0].to_geodataframe()
        >>> gdf.crs.to_epsg(), gdf.geometry.geom_type.unique().tolist(), len(gdf)
        (4326, ['LineString'], 3)
        """
        import geopandas as gpd
        from shapely.geometry import LineString

        frame = self.to_frame()
        links = frame[frame["kind"] == "link"].reset_index(drop=True)
        links["mode"] = [str(layer).partition(" ")[0] for layer in links["from_layer"]]
        geoms = [LineString(part) for part in self.leg_lines]
        return gpd.GeoDataFrame(links, geometry=geoms, crs="EPSG:4326")


def _record(item: Any, names: Sequence[str] | None = None) -> dict[str, Any]:
    """A flat record (its fields are numbers, text or tuples of text) as a JSON-ready dict.

    ``names`` are its field names, when the caller has looked them up for a run of records.
    """
    return {
        name: list(v) if isinstance(v := getattr(item, name), tuple) else v
        for name in (_field_names(item) if names is None else names)
    }


def _field_names(item: Any) -> tuple[str, ...]:
    """The field names of a dataclass instance."""
    return tuple(f.name for f in fields(item))
