"""Tonnes at border crossings and ports, from a run's link flows, for comparison with counts."""

from __future__ import annotations

import pandas as pd

from caravan.model.atlas import Atlas
from caravan.model.modes import modes_where

__all__ = ["border_flows", "port_flows"]


def border_flows(world: Atlas, link_flows: pd.DataFrame) -> pd.DataFrame:
    """Tonnes a year at each border crossing, by direction.

    ``tonnes_ab`` runs from ``country_a_iso3`` into ``country_b_iso3``; a crossing whose link
    is drawn the other way round has its link directions swapped.

    Examples
    --------
    >>> from caravan import load_atlas
    >>> atlas = load_atlas()
    >>> flows = atlas.links[["link_id"]].assign(tonnes_ab=0.0, tonnes_ba=0.0)
    >>> list(border_flows(atlas, flows).columns)[:4]
    ['border_id', 'name', 'link_id', 'country_a_iso3']
    """
    borders = world.borders_frame[
        ["border_id", "name", "link_id", "country_a_iso3", "country_b_iso3"]
    ].copy()
    ends = world.links_frame.set_index("link_id")["from_node_id"]
    country = world.nodes_frame.set_index("node_id")["country_iso3"]
    flows = link_flows.set_index("link_id")
    ab = flows["tonnes_ab"].reindex(borders["link_id"]).fillna(0.0).to_numpy()
    ba = flows["tonnes_ba"].reindex(borders["link_id"]).fillna(0.0).to_numpy()
    from_country = country.reindex(ends.reindex(borders["link_id"])).to_numpy()
    same = from_country == borders["country_a_iso3"].to_numpy()
    borders["tonnes_ab"] = [x if s else y for x, y, s in zip(ab, ba, same, strict=True)]
    borders["tonnes_ba"] = [y if s else x for x, y, s in zip(ab, ba, same, strict=True)]
    borders["tonnes_per_year"] = borders["tonnes_ab"] + borders["tonnes_ba"]
    return borders.reset_index(drop=True)


def port_flows(world: Atlas, link_flows: pd.DataFrame) -> pd.DataFrame:
    """Throughput of each port: tonnes loaded onto and unloaded from its sea and ferry links.

    A cargo that arrives and leaves by water (transshipment) counts twice, as port statistics
    count it.
    """
    links = world.links_frame
    water_modes = modes_where(world.mode_traits, lambda t: t.water)
    water = links[links["mode"].isin(water_modes)][["link_id", "from_node_id", "to_node_id"]]
    t_ab_of = dict(zip(link_flows["link_id"], link_flows["tonnes_ab"], strict=True))
    t_ba_of = dict(zip(link_flows["link_id"], link_flows["tonnes_ba"], strict=True))
    loaded: dict[str, float] = {}
    unloaded: dict[str, float] = {}
    for lid, a, b in water.itertuples(index=False):
        t_ab = float(t_ab_of.get(lid, 0.0))
        t_ba = float(t_ba_of.get(lid, 0.0))
        loaded[a] = loaded.get(a, 0.0) + t_ab
        unloaded[b] = unloaded.get(b, 0.0) + t_ab
        loaded[b] = loaded.get(b, 0.0) + t_ba
        unloaded[a] = unloaded.get(a, 0.0) + t_ba
    nodes = world.nodes_frame.set_index("node_id")
    port_ids = sorted(set(loaded) | set(unloaded))
    out = pd.DataFrame(
        {
            "node_id": port_ids,
            "name": [str(nodes.at[n, "name"]) for n in port_ids],
            "country_iso3": [str(nodes.at[n, "country_iso3"]) for n in port_ids],
            "tonnes_loaded": [loaded.get(n, 0.0) for n in port_ids],
            "tonnes_unloaded": [unloaded.get(n, 0.0) for n in port_ids],
        }
    )
    out["tonnes_per_year"] = out["tonnes_loaded"] + out["tonnes_unloaded"]
    return out
