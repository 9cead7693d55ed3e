"""The loaded atlas: immutable tables of places, lines, borders and transfers, and its records."""

from __future__ import annotations

import dataclasses
import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import pandas as pd

from caravan.errors import NotFoundError
from caravan.model.capacities import Capacity
from caravan.model.events import StatusEvent
from caravan.model.geometry import Coords, straight_or_given
from caravan.model.modes import BUILT_IN_TRAITS, ModeTraits
from caravan.model.records import (
    Commodity,
    ModeDefault,
    Node,
    NodeKind,
    Project,
    ProjectKind,
    Restriction,
    Source,
    Zone,
)
from caravan.model.tariffs import TariffModel

__all__ = ["Atlas", "fold_name"]


def fold_name(text: str) -> str:
    """Fold a place name for matching: lower case, no accents, no punctuation or spaces.

    Examples
    --------
    >>> fold_name("Kapıkule")
    'kapikule'
    >>> fold_name("Mazar-i-Sharif") == fold_name("mazar i sharif")
    True
    """
    text = text.replace("ı", "i").replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


#: Cached look-ups that read only the places and the links' ends and lines (not their status).
_PLACE_AND_LINE_LOOKUPS = (
    "link_ends",
    "link_lines",
    "link_lines_back",
    "_node_index",
    "_node_records",
)


def _frozen_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.copy(deep=True)


@dataclass(frozen=True, eq=False)
class Atlas:
    """An immutable atlas of the corridor system.

    Tables are returned as fresh copies, so changing a returned frame never changes the atlas;
    a scenario makes a new atlas instead.

    Parameters
    ----------
    name, version, as_of : str
        From ``atlas.yaml``.
    path : str or None
        The folder it was read from.
    digest : str
        SHA-256 over the atlas files, for provenance.
    nodes_frame, links_frame, borders_frame, transfers_frame, demand_frame : pandas.DataFrame
        The tables (see ``docs/atlas-format.md``). ``links_frame`` already holds each link's
        speed and tariff, with the mode default filled in where the row gave none (the
        ``speed_basis`` and ``tariff_basis`` columns say which), and the derived
        ``project_ids`` and ``corridor_ids`` columns.
    projects, restrictions, zones, commodities, sources, modes : tuple
        The YAML records.
    meta : mapping
        The rest of ``atlas.yaml``.
    tariffs : TariffModel or None
        The tariff and speed model (``tariffs.yaml``); ``None`` when the atlas has none, and
        links then take their mode's default from ``modes.yaml``.
    status_events : tuple of StatusEvent
        Dated openings, closures and suspensions (``status_events.yaml``; see
        :mod:`caravan.model.events`).
    capacities : tuple of Capacity
        Capacities and stated reasons for none (``capacities.yaml``; see
        :mod:`caravan.model.capacities`); already written into the frames' capacity columns
        (``nodes_frame`` then has ``capacity_mtpa`` for ports).

    Examples
    --------
    >>> from caravan import load_atlas
    >>> atlas = load_atlas()
    >>> atlas.node("Mazar-e Sharif").node_id
    'mazar-i-sharif'
    """

    name: str
    version: str
    as_of: str
    path: str | None
    digest: str
    nodes_frame: pd.DataFrame = field(repr=False)
    links_frame: pd.DataFrame = field(repr=False)
    borders_frame: pd.DataFrame = field(repr=False)
    transfers_frame: pd.DataFrame = field(repr=False)
    demand_frame: pd.DataFrame = field(repr=False)
    projects: tuple[Project, ...] = field(repr=False)
    restrictions: tuple[Restriction, ...] = field(repr=False)
    zones: tuple[Zone, ...] = field(repr=False)
    commodities: tuple[Commodity, ...] = field(repr=False)
    sources: tuple[Source, ...] = field(repr=False)
    modes: tuple[ModeDefault, ...] = field(repr=False)
    meta: Mapping[str, Any] = field(default_factory=dict, repr=False)
    tariffs: TariffModel | None = field(default=None, repr=False)
    status_events: tuple[StatusEvent, ...] = field(default=(), repr=False)
    capacities: tuple[Capacity, ...] = field(default=(), repr=False)

    # -- tables (copies) -------------------------------------------------------------------

    @property
    def nodes(self) -> pd.DataFrame:
        """Places, one row per node (a copy)."""
        return _frozen_frame(self.nodes_frame)

    @property
    def links(self) -> pd.DataFrame:
        """Lines, one row per link (a copy)."""
        return _frozen_frame(self.links_frame)

    @property
    def borders(self) -> pd.DataFrame:
        """Border crossings, one row per crossing (a copy)."""
        return _frozen_frame(self.borders_frame)

    @property
    def transfers(self) -> pd.DataFrame:
        """Mode and gauge transfer costs (a copy)."""
        return _frozen_frame(self.transfers_frame)

    @property
    def demand(self) -> pd.DataFrame:
        """Freight flows in tonnes a year, one row per flow (a copy; empty when not shipped)."""
        return _frozen_frame(self.demand_frame)

    @property
    def projects_table(self) -> pd.DataFrame:
        """Projects and corridors as a table, one row each."""
        rows = []
        for p in self.projects:
            rows.append(
                {
                    "project_id": p.project_id,
                    "name": p.name,
                    "kind": p.kind.value,
                    "status": p.status.value,
                    "sponsors": ";".join(p.sponsors),
                    "countries": ";".join(p.countries),
                    "announced_year": p.announced_year,
                    "open_year": p.open_year,
                    "expected_open_year": p.expected_open_year,
                    "investment_musd": p.investment_musd.value if p.investment_musd else None,
                    "capacity_mtpa": p.capacity_mtpa.value if p.capacity_mtpa else None,
                    "length_km": p.length_km.value if p.length_km else None,
                    "n_links": len(p.link_ids),
                    "link_ids": ";".join(p.link_ids),
                    "source_ids": ";".join(p.source_ids),
                }
            )
        return pd.DataFrame(rows)

    def nodes_gdf(self) -> Any:
        """Places as a GeoDataFrame of points (EPSG:4326)."""
        import geopandas as gpd

        frame = self.nodes
        return gpd.GeoDataFrame(
            frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
        )

    def links_gdf(self) -> Any:
        """Lines as a GeoDataFrame (EPSG:4326): each link along its ``geometry`` where the atlas
        gives one, else the straight segment between its nodes."""
        import geopandas as gpd
        from shapely.geometry import LineString

        frame = self.links
        lines = self.link_lines
        geoms = [LineString(lines[i]) for i in frame["link_id"]]
        return gpd.GeoDataFrame(
            frame.drop(columns="geometry", errors="ignore"), geometry=geoms, crs="EPSG:4326"
        )

    @cached_property
    def link_ends(self) -> Mapping[str, tuple[str, str]]:
        """Each link's ``(from_node_id, to_node_id)``: the direction its drawn line runs."""
        frame = self.links_frame
        pairs = zip(frame["from_node_id"], frame["to_node_id"], strict=True)
        return MappingProxyType(
            {str(i): (str(a), str(b)) for i, (a, b) in zip(frame["link_id"], pairs, strict=True)}
        )

    @cached_property
    def link_lines(self) -> Mapping[str, Coords]:
        """Each link's drawn line as ``(lon, lat)`` vertices from its from node to its to node:
        its ``geometry`` column where given, else the straight segment.

        Examples
        --------
        >>> from caravan import load_atlas
        >>> lines = load_atlas("tests/data/tiny-atlas").link_lines
        >>> lines["r-chabahar-zahedan"]  # doctest: +ELLIPSIS
        ((60.643, 25.292), (...))
        """
        nodes = self.nodes_frame
        xy = {
            str(n): (float(x), float(y))
            for n, x, y in zip(nodes["node_id"], nodes["lon"], nodes["lat"], strict=True)
        }
        columns = [
            c
            for c in ("link_id", "from_node_id", "to_node_id", "geometry")
            if c in self.links_frame.columns
        ]
        rows = [
            {str(k): v for k, v in r.items()} for r in self.links_frame[columns].to_dict("records")
        ]
        return MappingProxyType(straight_or_given(rows, xy))

    def __getstate__(self) -> dict[str, object]:
        """What pickling keeps: the tables, not the look-ups made from them.

        The cached look-ups (``link_lines`` and the like) are read-only mappings, which pickle
        cannot copy; they are made again on first use where the atlas lands (a worker process).
        """
        lookups = {
            name
            for klass in type(self).__mro__
            for name, member in vars(klass).items()
            if isinstance(member, cached_property)
        }
        return {k: v for k, v in self.__dict__.items() if k not in lookups}

    def with_link_status(self, link_ids: Iterable[str], status: str) -> Atlas:
        """This atlas with the given links' ``status`` set (``"closed"``, say).

        Only the status column changes, so the look-ups made from the places and the links'
        ends and lines (:attr:`link_ends`, :attr:`link_lines`, :meth:`node`) are carried over
        from this atlas when it has made them, not made again.
        """
        links = self.links_frame.copy()
        links.loc[links["link_id"].isin(set(link_ids)), "status"] = status
        out = dataclasses.replace(self, links_frame=links)
        for name in _PLACE_AND_LINE_LOOKUPS:
            if name in self.__dict__:
                out.__dict__[name] = self.__dict__[name]
        return out

    @cached_property
    def link_lines_back(self) -> Mapping[str, Coords]:
        """Each link's drawn line run backwards, from its to node to its from node (what
        ``link_lines[link_id][::-1]`` gives, made once per link)."""
        return MappingProxyType({lid: line[::-1] for lid, line in self.link_lines.items()})

    # -- look-ups --------------------------------------------------------------------------

    @cached_property
    def _node_index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for row in self._node_rows():
            keys = {fold_name(row["node_id"]), fold_name(row["name"])}
            keys.update(fold_name(a) for a in row["aliases"])
            for key in keys:
                if key:
                    index.setdefault(key, []).append(row["node_id"])
        return index

    @cached_property
    def _node_records(self) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for row in self._node_rows():
            out[row["node_id"]] = Node(
                node_id=row["node_id"],
                name=row["name"],
                country_iso3=row["country_iso3"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                kind=NodeKind(row["kind"]),
                aliases=tuple(row["aliases"]),
                admin1=row["admin1"] if isinstance(row["admin1"], str) and row["admin1"] else None,
                source_ids=tuple(row["source_ids"]),
            )
        return out

    def _node_rows(self) -> list[dict[str, Any]]:
        return [{str(k): v for k, v in r.items()} for r in self.nodes_frame.to_dict("records")]

    def node(self, query: str) -> Node:
        """A place by id, name or alias (case- and accent-insensitive).

        Raises
        ------
        NotFoundError
            When nothing matches (with "did you mean" suggestions), or when a name is
            shared by several places (listing their ids).
        """
        if query in self._node_records:
            return self._node_records[query]
        hits = self._node_index.get(fold_name(query), [])
        if len(set(hits)) == 1:
            return self._node_records[hits[0]]
        if hits:
            msg = (
                f"place {query!r} is ambiguous: it names {', '.join(sorted(set(hits)))}; use an id"
            )
            raise NotFoundError(msg)
        msg = f"unknown place {query!r}" + _suggest(query, self._node_names())
        raise NotFoundError(msg)

    def _node_names(self) -> list[str]:
        names: list[str] = []
        for row in self._node_rows():
            names += [row["name"], row["node_id"], *row["aliases"]]
        return names

    def project(self, query: str) -> Project:
        """A project or corridor by id, name or alias (case-insensitive)."""
        key = fold_name(query)
        for p in self.projects:
            if key in {fold_name(p.project_id), fold_name(p.name), *map(fold_name, p.aliases)}:
                return p
        names = [n for p in self.projects for n in (p.project_id, p.name, *p.aliases)]
        msg = f"unknown project {query!r}" + _suggest(query, names)
        raise NotFoundError(msg)

    @property
    def mode_traits(self) -> dict[str, ModeTraits]:
        """What each mode means (layer, gauge rule, transit, colour): the rows of ``modes.yaml``,
        and the built-in traits of a built-in mode it has no row for."""
        return {**BUILT_IN_TRAITS, **{m.mode: m.traits for m in self.modes}}

    def commodity(self, commodity_id: str) -> Commodity:
        """A cargo class by id."""
        for c in self.commodities:
            if c.commodity_id == commodity_id:
                return c
        ids = [c.commodity_id for c in self.commodities]
        hint = _suggest(commodity_id, ids) or f"; the atlas has: {', '.join(ids)}"
        msg = f"unknown commodity {commodity_id!r}" + hint
        raise NotFoundError(msg)

    def source(self, source_id: str) -> Source:
        """A source by id."""
        for s in self.sources:
            if s.source_id == source_id:
                return s
        ids = [s.source_id for s in self.sources]
        raise NotFoundError(f"unknown source {source_id!r}" + _suggest(source_id, ids))

    def projects_of_kind(self, kind: ProjectKind) -> tuple[Project, ...]:
        """Projects (or corridors) only."""
        return tuple(p for p in self.projects if p.kind is kind)

    @property
    def markets(self) -> dict[str, tuple[str, ...]]:
        """Demand nodes that stand for a market region, with the region's countries
        (``markets`` in atlas.yaml; none of them is transit for a flow starting or ending at
        the node)."""
        return {
            str(m["node_id"]): tuple(str(c) for c in m.get("countries") or ())
            for m in self.meta.get("markets") or ()
        }

    @property
    def countries(self) -> tuple[str, ...]:
        """ISO3 codes of the countries with places in the atlas, sorted."""
        return tuple(sorted(set(self.nodes_frame["country_iso3"])))

    def summary(self) -> dict[str, Any]:
        """Counts by mode, status, country and project, for ``caravan atlas show``."""
        links = self.links_frame
        nodes = self.nodes_frame
        return {
            "name": self.name,
            "version": self.version,
            "as_of": self.as_of,
            "digest": self.digest,
            "n_nodes": len(nodes),
            "n_links": len(links),
            "n_borders": len(self.borders_frame),
            "n_transfers": len(self.transfers_frame),
            "n_projects": len(self.projects),
            "n_sources": len(self.sources),
            "links_by_mode": _counts(links["mode"]),
            "links_by_status": _counts(links["status"]),
            "km_by_mode": {
                str(k): round(float(v), 1)
                for k, v in links.groupby("mode")["length_km"].sum().items()
            },
            "nodes_by_country": _counts(nodes["country_iso3"]),
            "nodes_by_kind": _counts(nodes["kind"]),
            "projects": [
                {
                    "project_id": p.project_id,
                    "name": p.name,
                    "kind": p.kind.value,
                    "status": p.status.value,
                    "n_links": len(p.link_ids),
                }
                for p in self.projects
            ],
        }


def _counts(column: Iterable[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in column:
        out[str(value)] = out.get(str(value), 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def _suggest(query: str, candidates: Iterable[str]) -> str:
    folded: dict[str, str] = {}
    for c in candidates:
        folded.setdefault(fold_name(c), c)
    close = difflib.get_close_matches(fold_name(query), list(folded), n=5, cutoff=0.6)
    if not close:
        prefix = [v for k, v in folded.items() if k.startswith(fold_name(query)[:3])][:5]
        close_names = prefix
    else:
        close_names = [folded[c] for c in close]
    if not close_names:
        return ""
    return "; did you mean " + ", ".join(repr(c) for c in close_names) + "?"
