"""Compiling an atlas into a :class:`~caravan.network.model.Network` for one year and commodity."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from caravan.errors import InputError
from caravan.model.arrays import BoolArray, FloatArray, IntArray
from caravan.model.atlas import Atlas
from caravan.model.modes import shuttles_at_border
from caravan.model.records import Commodity, LinkStatus, Restriction, RestrictionEffect
from caravan.network.costs import (
    CostParameters,
    cost_model,
    generalised_cost,
    layer_handling,
    place_risk,
)
from caravan.network.model import ArcKind, Layer, Network, _readonly

__all__ = [
    "YEAR_MAX",
    "YEAR_MIN",
    "OpensProjects",
    "build_network",
    "check_year",
    "compile_network",
    "opt_int",
    "usable_links",
]

logger = logging.getLogger(__name__)

#: Years a network can be built for.
YEAR_MIN, YEAR_MAX = 1990, 2100

_NOT_YET = frozenset({LinkStatus.UNDER_CONSTRUCTION, LinkStatus.PLANNED, LinkStatus.PROPOSED})


class OpensProjects(Protocol):
    """What ``build_network`` takes of a scenario: the projects it opens (the rest of a
    scenario is applied to the atlas first, :func:`caravan.model.scenario.apply_scenario`)."""

    @property
    def open_projects(self) -> Sequence[str]:
        """Project ids, names or aliases."""
        ...


def check_year(year: int) -> int:
    """The year, checked to lie in ``YEAR_MIN..YEAR_MAX``.

    Examples
    --------
    >>> check_year(2030)
    2030
    >>> check_year(1066)
    Traceback (most recent call last):
    ...
    caravan.errors.InputError: year 1066 is outside 1990..2100; give a year such as 2025 or 2030
    """
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise InputError(f"year must be a whole number such as 2025, got {year!r}")
    if not YEAR_MIN <= int(year) <= YEAR_MAX:
        msg = f"year {year} is outside {YEAR_MIN}..{YEAR_MAX}; give a year such as 2025 or 2030"
        raise InputError(msg)
    return int(year)


def opt_int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def usable_links(atlas: Atlas, *, year: int, open_project_ids: Iterable[str] = ()) -> BoolArray:
    """Which atlas links (in ``atlas.links`` order) are in the network of ``year``.

    A link is usable when its status is ``operational`` and its ``open_year`` is missing or
    ``<= year``; or when its status is ``under_construction``, ``planned`` or ``proposed``, one
    of its projects or corridors is opened, and its expected opening year is ``<= year``. The
    link's own ``expected_open_year`` counts, else the earliest of its opened projects'; when
    neither gives a year, an explicitly opened link is usable in any year. ``suspended`` and
    ``closed`` links are never usable (a scenario reopens one by setting its status,
    :func:`caravan.model.scenario.apply_scenario`).
    """
    opened = set(open_project_ids)
    project_year = {p.project_id: p.expected_open_year for p in atlas.projects}
    links = atlas.links_frame
    out = np.zeros(len(links), dtype=np.bool_)
    rows = zip(
        links["status"],
        links["open_year"],
        links["expected_open_year"],
        links["project_ids"],
        links["corridor_ids"],
        strict=True,
    )
    for i, (status, open_year, expected, projects, corridors) in enumerate(rows):
        st = LinkStatus(status)
        if st is LinkStatus.OPERATIONAL:
            oy = opt_int(open_year)
            out[i] = oy is None or oy <= year
        elif st in _NOT_YET:
            owners = [p for p in (*projects, *corridors) if p in opened]
            if not owners:
                continue
            ey = opt_int(expected)
            if ey is None:
                years = [y for p in owners if (y := project_year.get(p)) is not None]
                ey = min(years) if years else None
            out[i] = ey is None or ey <= year
    return out


def _resolve_projects(atlas: Atlas, queries: Iterable[str]) -> tuple[str, ...]:
    ids: list[str] = []
    for q in queries:
        pid = atlas.project(q).project_id
        if pid not in ids:
            ids.append(pid)
    return tuple(ids)


def build_network(
    atlas: Atlas,
    *,
    year: int,
    scenario: OpensProjects | None = None,
    commodity: str = "container",
    open_projects: Sequence[str] = (),
    shared: MutableMapping[Any, Any] | None = None,
) -> Network:
    """Compile the atlas into frozen arrays for one year, scenario and commodity.

    Parameters
    ----------
    atlas : Atlas
        The loaded atlas.
    year : int
        The year (1990..2100); decides which links exist (see :func:`usable_links`).
    scenario : object with ``open_projects``, optional
        The projects it opens are opened; the rest of a scenario is applied to the atlas
        before the build (:func:`caravan.model.scenario.apply_scenario`).
    commodity : str
        A ``commodity_id`` of ``commodities.yaml``; its value of time and value set the cost.
    open_projects : sequence of str
        Projects or corridors to open (ids, names or aliases), added to the scenario's.
    shared : mutable mapping, optional
        What builds of the same atlas share whatever the commodity (the usable links, and
        what :func:`compile_network` shares); one mapping for the builds of one run.

    Returns
    -------
    Network
        Layer nodes, arcs with their cost parts, CSR adjacency and the restrictions in force.

    Raises
    ------
    InputError
        For a year out of range or a link with no usable speed.
    NotFoundError
        For an unknown commodity or project (with suggestions).

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> net = build_network(atlas, year=2025, commodity="container")
    >>> net.summary()["n_usable_links"], net.summary()["n_transfer_arcs"]
    (9, 10)
    >>> build_network(atlas, year=2030, open_projects=["Cobalt Link"]).link_usable.sum()
    np.int64(10)
    """
    year = check_year(year)
    com = atlas.commodity(commodity)
    queries = [*open_projects, *(scenario.open_projects if scenario is not None else ())]
    opened = _resolve_projects(atlas, queries)
    usable_key = ("usable links", atlas, year, opened)
    link_usable = shared.get(usable_key) if shared is not None else None
    if link_usable is None:
        link_usable = usable_links(atlas, year=year, open_project_ids=opened)
        if shared is not None:
            shared[usable_key] = link_usable
    return compile_network(
        atlas, year=year, commodity=com, link_usable=link_usable, opened=opened, shared=shared
    )


def _layer_of(mode: str, gauge: Any) -> Layer:
    return Layer(str(mode), 0 if gauge is None or pd.isna(gauge) else int(gauge))


def _transfer_rows(atlas: Atlas) -> tuple[dict[frozenset[Layer], int], dict[Any, int]]:
    """Default rows by layer pair, and per-node rows by (node_id, layer pair)."""
    frame = atlas.transfers_frame
    default: dict[frozenset[Layer], int] = {}
    override: dict[tuple[str, frozenset[Layer]], int] = {}
    rows = zip(
        frame["node_id"],
        frame["from_mode"],
        frame["from_gauge_mm"],
        frame["to_mode"],
        frame["to_gauge_mm"],
        strict=True,
    )
    for i, (node_id, fm, fg, tm, tg) in enumerate(rows):
        pair = frozenset({_layer_of(fm, fg), _layer_of(tm, tg)})
        if isinstance(node_id, str) and node_id:
            override[(node_id, pair)] = i
        else:
            default[pair] = i
    return default, override


def transfer_row(atlas: Atlas, node_id: str, a: Layer, b: Layer) -> int:
    """The ``transfers.csv`` row that prices a change between two layers at a place, as the
    network build picks it: the place's own row, else the layer pair's default row (-1: none).
    """
    return transfer_row_finder(atlas)(node_id, a, b)


def transfer_row_finder(atlas: Atlas) -> Callable[[str, Layer, Layer], int]:
    """:func:`transfer_row` for many look-ups on one atlas (its transfer table read once)."""
    default, override = _transfer_rows(atlas)

    def find(node_id: str, a: Layer, b: Layer) -> int:
        keys = _pair_keys(a, b)
        own = [override[(node_id, k)] for k in keys if (node_id, k) in override]
        return own[0] if own else next((default[k] for k in keys if k in default), -1)

    return find


def _pair_keys(a: Layer, b: Layer) -> list[frozenset[Layer]]:
    """Keys to look a pair up by: exact first, then with rail gauge left open (gauge 0)."""
    keys = [frozenset({a, b})]
    if a.gauge_mm:
        keys.append(frozenset({Layer(a.mode), b}))
    if b.gauge_mm:
        keys.append(frozenset({a, Layer(b.mode)}))
    return [k for k in keys if len(k) == 2]


@dataclass(frozen=True, eq=False)
class _Topology:
    """What a build takes from the atlas and its usable links alone, whatever the commodity:
    places, layer nodes, arcs (sorted as the network keeps them) and index maps."""

    place_ids: tuple[str, ...]
    place_index: dict[str, int]
    countries: tuple[str, ...]
    risk_of_place: FloatArray
    link_ids: tuple[str, ...]
    border_ids: tuple[str, ...]
    link_index: dict[str, int]
    usable_idx: IntArray
    layers: tuple[Layer, ...]
    vnode_place: IntArray
    vnode_layer: IntArray
    indptr: IntArray
    # per arc, in the network's order: the link's position in ``usable_idx`` (-1: transfer),
    # direction, border, transfer row, tail, head, kind and link
    arc_pos: IntArray
    arc_fwd: BoolArray
    arc_border: IntArray
    arc_transfer: IntArray
    arc_tail: IntArray
    arc_head: IntArray
    arc_kind: NDArray[np.int8]
    arc_link: IntArray
    link_project_ids: tuple[tuple[str, ...], ...]
    link_corridor_ids: tuple[tuple[str, ...], ...]
    border_names: tuple[str, ...]


def _topology(atlas: Atlas, link_usable: BoolArray) -> _Topology:
    nodes = atlas.nodes_frame
    place_ids = tuple(str(x) for x in nodes["node_id"].tolist())
    place_index = {pid: i for i, pid in enumerate(place_ids)}
    countries = tuple(str(x) for x in nodes["country_iso3"].tolist())
    risk_of_place = place_risk(atlas, countries, nodes["admin1"].tolist())

    links = atlas.links_frame
    link_ids = tuple(str(x) for x in links["link_id"].tolist())
    borders = atlas.borders_frame
    border_ids = tuple(str(x) for x in borders["border_id"].tolist())
    border_of_link = {str(lk): i for i, lk in enumerate(borders["link_id"].tolist())}

    idx = np.flatnonzero(link_usable)
    sub = links.iloc[idx]
    from_p = np.array([place_index[x] for x in sub["from_node_id"].tolist()], dtype=np.int64)
    to_p = np.array([place_index[x] for x in sub["to_node_id"].tolist()], dtype=np.int64)
    link_layers = [
        _layer_of(m, g) for m, g in zip(sub["mode"].tolist(), sub["gauge_mm"], strict=True)
    ]
    layers = tuple(sorted(set(link_layers)))
    layer_index = {layer: i for i, layer in enumerate(layers)}
    link_layer_idx = np.array([layer_index[x] for x in link_layers], dtype=np.int64)
    oneway = sub["oneway"].to_numpy(dtype=np.bool_)

    vkeys = sorted(
        set(zip(from_p.tolist(), link_layer_idx.tolist(), strict=True))
        | set(zip(to_p.tolist(), link_layer_idx.tolist(), strict=True))
    )
    vnode_of = {key: v for v, key in enumerate(vkeys)}
    vnode_place = np.array([k[0] for k in vkeys], dtype=np.int64)
    vnode_layer = np.array([k[1] for k in vkeys], dtype=np.int64)

    cols: dict[str, list[Any]] = {
        k: [] for k in ("pos", "tail", "head", "kind", "link", "fwd", "border", "transfer")
    }
    for j, li in enumerate(idx.tolist()):
        b = border_of_link.get(link_ids[li], -1)
        lay = int(link_layer_idx[j])
        a_v, b_v = vnode_of[(int(from_p[j]), lay)], vnode_of[(int(to_p[j]), lay)]
        for fwd in (True, False) if not oneway[j] else (True,):
            cols["pos"].append(j)
            cols["tail"].append(a_v if fwd else b_v)
            cols["head"].append(b_v if fwd else a_v)
            cols["kind"].append(ArcKind.LINK)
            cols["link"].append(li)
            cols["fwd"].append(fwd)
            cols["border"].append(b)
            cols["transfer"].append(-1)

    default, override = _transfer_rows(atlas)
    by_place: dict[int, list[int]] = {}
    for v, (p, _) in enumerate(vkeys):
        by_place.setdefault(p, []).append(v)
    is_border = (nodes["kind"] == "border").to_numpy(dtype=np.bool_)
    traits = atlas.mode_traits
    for p, vs in by_place.items():
        for v1, v2 in combinations(vs, 2):
            la, lb = layers[vkeys[v1][1]], layers[vkeys[v2][1]]
            keys = _pair_keys(la, lb)
            own = (override[(place_ids[p], k)] for k in keys if (place_ids[p], k) in override)
            # No default road-rail transfer at a border post: trucks do not shuttle between
            # two railways there unless the atlas names the place as a transshipment point.
            shuttle = (
                is_border[p]
                and la.mode != lb.mode
                and shuttles_at_border(traits[la.mode], traits[lb.mode])
            )
            row = next(own, -1 if shuttle else next((default[k] for k in keys if k in default), -1))
            if row < 0:
                continue
            for t_v, h_v in ((v1, v2), (v2, v1)):
                cols["pos"].append(-1)
                cols["tail"].append(t_v)
                cols["head"].append(h_v)
                cols["kind"].append(ArcKind.TRANSFER)
                cols["link"].append(-1)
                cols["fwd"].append(True)
                cols["border"].append(-1)
                cols["transfer"].append(row)

    tail = np.array(cols["tail"], dtype=np.int64)
    head = np.array(cols["head"], dtype=np.int64)
    kind = np.array(cols["kind"], dtype=np.int8)
    order = np.lexsort((np.array(cols["transfer"]), np.array(cols["link"]), kind, head, tail))

    def arr(key: str, dtype: Any) -> Any:
        out = np.asarray(cols[key], dtype=dtype)[order] if cols[key] else np.zeros(0, dtype)
        return _readonly(out)

    arc_tail = arr("tail", np.int64)
    indptr = np.zeros(len(vkeys) + 1, dtype=np.int64)
    np.cumsum(np.bincount(arc_tail, minlength=len(vkeys)), out=indptr[1:])
    return _Topology(
        place_ids=place_ids,
        place_index=place_index,
        countries=countries,
        risk_of_place=_readonly(risk_of_place),
        link_ids=link_ids,
        border_ids=border_ids,
        link_index={lk: i for i, lk in enumerate(link_ids)},
        usable_idx=_readonly(idx),
        layers=layers,
        vnode_place=_readonly(vnode_place),
        vnode_layer=_readonly(vnode_layer),
        indptr=_readonly(indptr),
        arc_pos=arr("pos", np.int64),
        arc_fwd=arr("fwd", np.bool_),
        arc_border=arr("border", np.int64),
        arc_transfer=arr("transfer", np.int64),
        arc_tail=arc_tail,
        arc_head=arr("head", np.int64),
        arc_kind=arr("kind", np.int8),
        arc_link=arr("link", np.int64),
        link_project_ids=tuple(tuple(ids) for ids in links["project_ids"].tolist()),
        link_corridor_ids=tuple(tuple(ids) for ids in links["corridor_ids"].tolist()),
        border_names=tuple(str(x) for x in borders["name"]),
    )


def compile_network(
    atlas: Atlas,
    *,
    year: int,
    commodity: Commodity,
    link_usable: BoolArray,
    opened: tuple[str, ...] = (),
    shared: MutableMapping[Any, Any] | None = None,
) -> Network:
    """Compile the network from an explicit choice of usable links (see :func:`build_network`).

    ``shared`` keeps what a build takes from the atlas and its usable links alone (places,
    layer nodes, arcs, index maps) for the next build of the same atlas and links, of another
    commodity say: pass one mapping to the builds of one run (it holds the atlases it saw).
    """
    usable = np.asarray(link_usable, dtype=np.bool_)
    key = (atlas, usable.tobytes())
    topo = shared.get(key) if shared is not None else None
    if topo is None:
        topo = _topology(atlas, usable)
        if shared is not None:
            shared[key] = topo
    place_ids = topo.place_ids
    costs = cost_model(
        atlas,
        CostParameters.of(commodity),
        place_risk_by_id=dict(zip(place_ids, topo.risk_of_place.tolist(), strict=True)),
    )
    idx = topo.usable_idx
    speed = costs.link_speed_kmh[idx]
    bad = [topo.link_ids[i] for i, s in zip(idx, speed, strict=True) if not s > 0]
    if bad:
        raise InputError(f"links with no positive speed_kmh: {', '.join(bad)}; give a speed")

    # Each arc's cost parts, gathered: a link arc's from its link (its border's figures for
    # the direction added), a transfer's from its transfers row.
    is_link = topo.arc_pos >= 0
    pos = np.where(is_link, topo.arc_pos, 0)
    link_at = idx[pos] if idx.size else np.zeros(0, dtype=np.int64)
    row = np.where(is_link, 0, topo.arc_transfer)
    b = topo.arc_border
    crossing = b >= 0
    b_at = np.where(crossing, b, 0)
    fwd = topo.arc_fwd

    def by_direction(pair: Any) -> Any:
        if not pair.shape[0]:
            return np.zeros(b.size)
        return np.where(fwd, pair[b_at, 0], pair[b_at, 1])

    def link_part(values: Any) -> Any:
        return values[link_at] if idx.size else np.zeros(b.size)

    def transfer_part(values: Any) -> Any:
        return values[row] if values.size else np.zeros(b.size)

    border_dwell = np.where(crossing, by_direction(costs.border_dwell_h), 0.0)
    border_fee = np.where(crossing, by_direction(costs.border_fee_usd_per_t), 0.0)
    t_dwell = transfer_part(costs.transfer_dwell_h)
    t_fee = transfer_part(costs.transfer_fee_usd_per_t)
    length_all = _readonly(np.where(is_link, link_part(costs.link_length_km), 0.0))
    run = _readonly(np.where(is_link, link_part(costs.link_run_time_h), 0.0))
    dwell = _readonly(np.where(is_link, link_part(costs.link_lane_dwell_h) + border_dwell, t_dwell))
    tariff_t = _readonly(np.where(is_link, link_part(costs.link_tariff_usd_per_t), 0.0))
    fee = _readonly(np.where(is_link, link_part(costs.link_lane_fee_usd_per_t) + border_fee, t_fee))
    risk = _readonly(np.where(is_link, link_part(costs.link_risk_usd_per_t), 0.0))
    money = _readonly(tariff_t + fee)
    time_h = _readonly(run + dwell)
    cost = _readonly(
        generalised_cost(money, time_h, risk, costs.parameters.value_of_time_usd_per_t_h)
    )
    borders = atlas.borders_frame
    rules, rule_idx, arc_idx = _restriction_arcs(
        atlas,
        year=year,
        commodity_id=commodity.commodity_id,
        arc_tail_place=topo.vnode_place[topo.arc_tail],
        arc_head_place=topo.vnode_place[topo.arc_head],
        arc_kind=topo.arc_kind,
        arc_link=topo.arc_link,
        place_index=topo.place_index,
        countries=topo.countries,
        link_index=topo.link_index,
        border_links={
            str(b): str(lk) for b, lk in zip(borders["border_id"], borders["link_id"], strict=True)
        },
    )
    handling = layer_handling(atlas, commodity.commodity_id, topo.layers)
    net = Network(
        atlas=atlas,
        year=year,
        commodity=commodity,
        open_project_ids=opened,
        place_ids=place_ids,
        place_country_iso3=topo.countries,
        place_risk=topo.risk_of_place,
        place_index=topo.place_index,
        layers=topo.layers,
        vnode_place_idx=topo.vnode_place,
        vnode_layer_idx=topo.vnode_layer,
        indptr=topo.indptr,
        arc_tail_vidx=topo.arc_tail,
        arc_head_vidx=topo.arc_head,
        arc_kind=topo.arc_kind,
        arc_link_idx=topo.arc_link,
        arc_forward=topo.arc_fwd,
        arc_border_idx=topo.arc_border,
        arc_transfer_idx=topo.arc_transfer,
        arc_length_km=length_all,
        arc_run_time_h=run,
        arc_dwell_h=dwell,
        arc_tariff_usd_per_t=tariff_t,
        arc_fee_usd_per_t=fee,
        arc_risk_usd_per_t=risk,
        arc_money_usd_per_t=money,
        arc_time_h=time_h,
        arc_cost_usd_per_t=cost,
        costs=costs,
        mode_traits=atlas.mode_traits,
        link_project_ids=topo.link_project_ids,
        link_corridor_ids=topo.link_corridor_ids,
        border_names=topo.border_names,
        link_ids=topo.link_ids,
        link_usable=_readonly(usable.copy()),
        border_ids=topo.border_ids,
        link_index=topo.link_index,
        border_index={b: i for i, b in enumerate(topo.border_ids)},
        restrictions=rules,
        restriction_rule_idx=_readonly(rule_idx),
        restriction_arc_idx=_readonly(arc_idx),
        layer_handling_usd_per_t=_readonly(handling[0]),
        layer_handling_h=_readonly(handling[1]),
    )
    logger.debug("built network %s", net.summary())
    return net


def _restriction_arcs(
    atlas: Atlas,
    *,
    year: int,
    commodity_id: str,
    arc_tail_place: IntArray,
    arc_head_place: IntArray,
    arc_kind: NDArray[np.int8],
    arc_link: IntArray,
    place_index: dict[str, int],
    countries: tuple[str, ...],
    link_index: Mapping[str, int],
    border_links: dict[str, str],
) -> tuple[tuple[Restriction, ...], IntArray, IntArray]:
    """The rules in force for this commodity, and the (rule, arc) pairs each applies to.

    A ``forbid`` rule covers every arc that touches what it applies to: link arcs with an end in
    one of its countries or at one of its places, transfers at such places, and the arcs of its
    links and of its borders' links. A ``surcharge`` is charged once per entry: on link arcs
    that enter one of its countries from outside or arrive at one of its places, and on each
    traversal of its links and borders. A rule that names nothing applies everywhere.
    """
    rules = tuple(
        r
        for r in atlas.restrictions
        if r.in_force(year) and (not r.commodities or commodity_id in r.commodities)
    )
    is_link = arc_kind == ArcKind.LINK
    country_arr = np.array(countries, dtype=object)
    tail_c, head_c = country_arr[arc_tail_place], country_arr[arc_head_place]
    rule_parts: list[IntArray] = []
    arc_parts: list[IntArray] = []
    for r_idx, r in enumerate(rules):
        in_c = np.isin(tail_c, list(r.countries)), np.isin(head_c, list(r.countries))
        places = [place_index[n] for n in r.node_ids if n in place_index]
        at_p = np.isin(arc_tail_place, places), np.isin(arc_head_place, places)
        lks = [link_index[x] for x in r.link_ids if x in link_index]
        lks += [link_index[border_links[b]] for b in r.border_ids if b in border_links]
        on_link = np.isin(arc_link, lks) & is_link
        if not (r.countries or r.node_ids or r.link_ids or r.border_ids):
            hit = np.ones(arc_link.size, dtype=np.bool_)
        elif r.effect is RestrictionEffect.FORBID:
            hit = in_c[0] | in_c[1] | at_p[0] | at_p[1] | on_link
        else:
            hit = (is_link & in_c[1] & ~in_c[0]) | (is_link & at_p[1]) | on_link
        arcs = np.flatnonzero(hit).astype(np.int64)
        rule_parts.append(np.full(arcs.size, r_idx, dtype=np.int64))
        arc_parts.append(arcs)
    if not rule_parts:
        return rules, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return rules, np.concatenate(rule_parts), np.concatenate(arc_parts)
