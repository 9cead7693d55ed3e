"""Where a project's cargo came from: each flow's tonnes by kind of route, B against A.

A route is of one kind (:class:`RouteKind`), tested in this order:

1. *on the project*: it uses a link of one of the projects under study;
2. *through Iran*: it has a land or ferry leg with an end in Iran (the Sarakhs–Bandar Abbas
   railway, Chabahar's roads, the Caspian ferries to Anzali), sea legs or not, and the flow
   neither starts nor ends in Iran (Iran's own trade is not cargo taken from Iran's routes:
   Tehran to Kabul by the Herat road is *other overland*);
3. *by sea*: it has a deep-sea leg (Novorossiysk–Karachi, Jebel Ali–Karachi–Torkham);
4. *other overland*: anything else (Termez–Hairatan–Torkham by road, the Russian and Kazakh
   railways).

Per flow, ``A_k - B_k`` is the cargo that left kind ``k`` and ``B_project - A_project`` the
cargo that went onto the project; the difference ``B_total - A_total`` is cargo the flow did
not carry before (elastic demand: a cheaper route makes more of it). So, per flow,
``onto project = from Iran + from sea + from other overland + new cargo``; a capacity
knock-on can make any term negative.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from caravan.model.atlas import Atlas
from caravan.model.modes import modes_where
from caravan.results.compare import Comparison

__all__ = [
    "FORMER_KINDS",
    "RouteKind",
    "RouteKinds",
    "diversion_by_origin",
    "diversion_table",
    "route_kinds",
]


class RouteKind(enum.IntEnum):
    """Kinds of route, in the order they are tested (the value is an array column)."""

    PROJECT = 0
    IRAN = 1
    SEA = 2
    OVERLAND = 3

    @property
    def label(self) -> str:
        """How reports name the kind."""
        return _LABELS[self]


_LABELS = {
    RouteKind.PROJECT: "on the project",
    RouteKind.IRAN: "through Iran",
    RouteKind.SEA: "by sea",
    RouteKind.OVERLAND: "other overland",
}

#: The kinds cargo can leave for a project.
FORMER_KINDS = (RouteKind.IRAN, RouteKind.SEA, RouteKind.OVERLAND)


@dataclass(frozen=True)
class RouteKinds:
    """The link sets that classify a route (:func:`route_kinds` builds them from a world)."""

    project_link_ids: frozenset[str]
    iran_link_ids: frozenset[str]
    sea_link_ids: frozenset[str]

    def of(self, link_ids: Iterable[str], *, end_countries: Iterable[str] = ()) -> RouteKind:
        """The kind of a route given its links and the countries its flow starts and ends in.

        Examples
        --------
        >>> k = RouteKinds(frozenset({"p"}), frozenset({"i"}), frozenset({"s"}))
        >>> [k.of(x).name for x in (["s", "p"], ["s", "i"], ["s", "o"], ["o"])]
        ['PROJECT', 'IRAN', 'SEA', 'OVERLAND']
        >>> k.of(["i"], end_countries=("IRN", "AFG")).name
        'OVERLAND'
        """
        ids = set(link_ids)
        if ids & self.project_link_ids:
            return RouteKind.PROJECT
        if ids & self.iran_link_ids and "IRN" not in set(end_countries):
            return RouteKind.IRAN
        if ids & self.sea_link_ids:
            return RouteKind.SEA
        return RouteKind.OVERLAND


def route_kinds(world: Atlas, project_ids: Sequence[str]) -> RouteKinds:
    """The classifier of a world's routes, with ``project_ids`` as the projects under study.

    Iran's links are the non-deep-sea links with an end in Iran.
    """
    links = world.links_frame
    nodes = world.nodes_frame
    node_country = dict(zip(nodes["node_id"], nodes["country_iso3"], strict=True))
    sea_modes = modes_where(world.mode_traits, lambda t: t.deep_sea)
    sea = links["mode"].isin(sea_modes)
    in_iran = links["from_node_id"].map(node_country).eq("IRN") | links["to_node_id"].map(
        node_country
    ).eq("IRN")
    wanted = set(project_ids)
    project_links = {lid for p in world.projects if p.project_id in wanted for lid in p.link_ids}
    return RouteKinds(
        project_link_ids=frozenset(project_links),
        iran_link_ids=frozenset(links.loc[in_iran & ~sea, "link_id"].astype(str)),
        sea_link_ids=frozenset(links.loc[sea, "link_id"].astype(str)),
    )


def _by_kind(
    routes: pd.DataFrame, kinds: RouteKinds, ends: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """Tonnes per flow (rows) and kind (columns, every kind) of a run's routes table;
    ``ends`` gives each flow's origin and destination countries."""
    kind = [
        kinds.of(str(links).split(";"), end_countries=ends.get(str(fid), ())).value
        for fid, links in zip(routes["flow_id"], routes["link_ids"], strict=True)
    ]
    table = routes.assign(kind=kind).pivot_table(
        index="flow_id", columns="kind", values="tonnes_per_year", aggfunc="sum", fill_value=0.0
    )
    return table.reindex(columns=[k.value for k in RouteKind], fill_value=0.0)


def diversion_table(
    cmp: Comparison, project_ids: Sequence[str], *, min_tonnes: float = 1.0
) -> pd.DataFrame:
    """Per flow that uses the projects in A or B: the tonnes onto them and where they came from.

    Columns: ``flow_id``, ``origin_node_id``, ``destination_node_id``, ``origin_iso3``,
    ``destination_iso3``, ``commodity_id``, ``project_tonnes_a``, ``project_tonnes_b``,
    ``onto_project_tonnes`` (B - A), ``from_iran_tonnes``, ``from_sea_tonnes``,
    ``from_overland_tonnes`` (A - B of each kind) and ``new_tonnes`` (B - A of the flow's
    total); sorted by ``project_tonnes_b``, largest first. A flow uses the projects when they
    carry at least ``min_tonnes`` of it.
    """
    kinds = route_kinds(cmp.b.atlas, project_ids)
    nodes = cmp.b.atlas.nodes_frame
    node_country = dict(zip(nodes["node_id"], nodes["country_iso3"], strict=True))
    flows = pd.concat([cmp.b.flows, cmp.a.flows]).drop_duplicates("flow_id").set_index("flow_id")
    ends = {
        str(fid): (node_country[str(o)], node_country[str(d)])
        for fid, o, d in zip(
            flows.index, flows["origin_node_id"], flows["destination_node_id"], strict=True
        )
    }
    a = _by_kind(cmp.a.routes, kinds, ends)
    b = _by_kind(cmp.b.routes, kinds, ends)
    flow_ids = a.index.union(b.index)
    a = a.reindex(flow_ids, fill_value=0.0)
    b = b.reindex(flow_ids, fill_value=0.0)
    p = RouteKind.PROJECT.value
    users = (a[p] >= min_tonnes) | (b[p] >= min_tonnes)
    a, b = a[users], b[users]
    out = pd.DataFrame({"flow_id": a.index.astype(str)})
    own = flows.reindex(out["flow_id"])
    out["origin_node_id"] = own["origin_node_id"].to_numpy()
    out["destination_node_id"] = own["destination_node_id"].to_numpy()
    out["origin_iso3"] = out["origin_node_id"].map(node_country)
    out["destination_iso3"] = out["destination_node_id"].map(node_country)
    out["commodity_id"] = own["commodity_id"].to_numpy()
    out["project_tonnes_a"] = a[p].to_numpy()
    out["project_tonnes_b"] = b[p].to_numpy()
    out["onto_project_tonnes"] = (b[p] - a[p]).to_numpy()
    for kind in FORMER_KINDS:
        out[f"from_{kind.name.lower()}_tonnes"] = (a[kind.value] - b[kind.value]).to_numpy()
    out["new_tonnes"] = (b.sum(axis=1) - a.sum(axis=1)).to_numpy()
    return out.sort_values("project_tonnes_b", ascending=False, kind="stable").reset_index(
        drop=True
    )


def diversion_by_origin(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`diversion_table` summed by origin country (largest onto the project first)."""
    cols = [
        "project_tonnes_b",
        "onto_project_tonnes",
        "from_iran_tonnes",
        "from_sea_tonnes",
        "from_overland_tonnes",
        "new_tonnes",
    ]
    out = table.groupby("origin_iso3", as_index=False)[cols].sum()
    return out.sort_values("project_tonnes_b", ascending=False, kind="stable").reset_index(
        drop=True
    )
