"""Comparing two scenario runs: per country, corridor, flow and link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from caravan.results.facilities import border_flows, port_flows
from caravan.results.geo import links_gdf
from caravan.results.runs import RunResult, _records

__all__ = ["CORRIDOR_MEASURES", "Comparison", "compare_runs"]

#: What a comparison reports of each corridor or project, A, B and the change (see
#: :func:`caravan.results.run_tables.corridor_flows`).
CORRIDOR_MEASURES = (
    "tonnes_per_year",
    "max_link_tonnes",
    "tkm_per_year",
    "mean_load_tonnes",
    "touching_tonnes",
)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Run B against run A: per country, corridor, flow and link."""

    a: RunResult
    b: RunResult
    countries: pd.DataFrame
    corridors: pd.DataFrame
    flows: pd.DataFrame
    links: pd.DataFrame
    borders: pd.DataFrame
    ports: pd.DataFrame

    def links_gdf(self) -> Any:
        """``links`` (tonnes in A and B and the change) as a GeoDataFrame of the links' lines."""
        return links_gdf(self.b.atlas, self.links)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain data (the ``caravan compare --json`` shape)."""
        return {
            "a": self.a.name,
            "b": self.b.name,
            "year_a": self.a.scenario.year,
            "year_b": self.b.scenario.year,
            "countries": _records(self.countries),
            "corridors": _records(self.corridors),
            "flows": _records(self.flows),
            "links": _records(self.links[self.links["delta_tonnes"].abs() > 0]),
            "borders": _records(self.borders),
            "ports": _records(self.ports),
            # every link, crossing and port checked against its capacity, in each run
            "capacity": {
                "a": self.a.summary.get("capacity"),
                "b": self.b.summary.get("capacity"),
            },
            "seasons": {"a": self.a.summary.get("seasons"), "b": self.b.summary.get("seasons")},
            "provenance": {"a": self.a.provenance, "b": self.b.provenance},
        }


def _delta(a: pd.DataFrame, b: pd.DataFrame, key: str, columns: Sequence[str]) -> pd.DataFrame:
    left = a[[key, *columns]]
    right = b[[key, *columns]]
    joined = left.merge(right, on=key, how="outer", suffixes=("_a", "_b")).fillna(0.0)
    for col in columns:
        joined[f"delta_{col}"] = joined[f"{col}_b"] - joined[f"{col}_a"]
    return joined.reset_index(drop=True)


def compare_runs(a: RunResult, b: RunResult) -> Comparison:
    """Compare two runs: who gains and loses transit, which corridors and flows move.

    Countries are ordered by the change in transit tonnes, largest gain first and largest
    loss last.
    """
    countries = _delta(
        a.country_transit,
        b.country_transit,
        "country_iso3",
        ["transit_tonnes", "transit_tkm", "transit_revenue_usd"],
    ).sort_values(["delta_transit_tonnes", "country_iso3"], ascending=[False, True])
    measures = [c for c in CORRIDOR_MEASURES if c in a.corridor_flows and c in b.corridor_flows]
    corridors = _delta(
        a.corridor_flows[["project_id", *measures]],
        b.corridor_flows[["project_id", *measures]],
        "project_id",
        measures,
    ).sort_values(["delta_tonnes_per_year", "project_id"], ascending=[False, True])
    fa = a.flows.set_index("flow_id")
    fb = b.flows.set_index("flow_id")
    flows = []
    for flow_id in dict.fromkeys([*fa.index, *fb.index]):
        ra = fa.loc[flow_id] if flow_id in fa.index else None
        rb = fb.loc[flow_id] if flow_id in fb.index else None
        ca = set(str(ra["main_route_countries"]).split(";")) - {""} if ra is not None else set()
        cb = set(str(rb["main_route_countries"]).split(";")) - {""} if rb is not None else set()
        cost_a = float(ra["cost_usd_per_t"]) if ra is not None else float("nan")
        cost_b = float(rb["cost_usd_per_t"]) if rb is not None else float("nan")
        exp_a = float(ra["expected_cost_usd_per_t"]) if ra is not None else float("nan")
        exp_b = float(rb["expected_cost_usd_per_t"]) if rb is not None else float("nan")
        time_a = float(ra["time_h"]) if ra is not None else float("nan")
        time_b = float(rb["time_h"]) if rb is not None else float("nan")
        flows.append(
            {
                "flow_id": flow_id,
                "cost_usd_per_t_a": cost_a,
                "cost_usd_per_t_b": cost_b,
                "delta_cost_usd_per_t": cost_b - cost_a,
                "expected_cost_usd_per_t_a": exp_a,
                "expected_cost_usd_per_t_b": exp_b,
                "delta_expected_cost_usd_per_t": exp_b - exp_a,
                "time_h_a": time_a,
                "time_h_b": time_b,
                "delta_time_h": time_b - time_a,
                "now_bypasses": ";".join(sorted(ca - cb)),
                "now_crosses": ";".join(sorted(cb - ca)),
                "main_route_a": str(ra["main_route_countries"]) if ra is not None else "",
                "main_route_b": str(rb["main_route_countries"]) if rb is not None else "",
            }
        )
    links = _delta(
        a.link_flows[["link_id", "tonnes_per_year"]].rename(columns={"tonnes_per_year": "tonnes"}),
        b.link_flows[["link_id", "tonnes_per_year"]].rename(columns={"tonnes_per_year": "tonnes"}),
        "link_id",
        ["tonnes"],
    )
    return Comparison(
        a=a,
        b=b,
        countries=countries.reset_index(drop=True),
        corridors=corridors.reset_index(drop=True),
        flows=pd.DataFrame(flows),
        links=links,
        borders=_named_delta(
            border_flows(a.atlas, a.link_flows),
            border_flows(b.atlas, b.link_flows),
            "border_id",
            ["tonnes_ab", "tonnes_ba", "tonnes_per_year"],
        ),
        ports=_named_delta(
            port_flows(a.atlas, a.link_flows),
            port_flows(b.atlas, b.link_flows),
            "node_id",
            ["tonnes_loaded", "tonnes_unloaded", "tonnes_per_year"],
        ),
    )


def _named_delta(
    a: pd.DataFrame, b: pd.DataFrame, key: str, columns: Sequence[str]
) -> pd.DataFrame:
    """``_delta`` of two facility tables, keeping each facility's name (and countries)."""
    labels = [c for c in a.columns if c not in (key, *columns) and a[c].dtype == object]
    names = pd.concat([a[[key, *labels]], b[[key, *labels]]]).drop_duplicates(key)
    out = names.merge(_delta(a, b, key, columns), on=key, how="right")
    return out.sort_values(f"delta_{columns[-1]}", ascending=False).reset_index(drop=True)
