"""Least-cost and alternative routes between two places, as frozen records with breakdowns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from caravan.errors import InputError, NoRouteError
from caravan.model.atlas import Atlas
from caravan.model.events import atlas_on_date, default_date, parse_day
from caravan.network.build import build_network
from caravan.network.cargo import CargoArcs, cargo_arcs
from caravan.network.costs import generalised_cost
from caravan.network.model import Network, Objective
from caravan.results.arc_paths import MAX_PATHS_PER_ROUTE, paths_between, places_of
from caravan.results.legs import (
    BorderCrossing,
    TransferStop,
    by_country,
    legs_with_handling,
)
from caravan.results.no_route import explain_no_route
from caravan.results.route_record import Route
from caravan.routing.shortest import ArcPath, Kernel

__all__ = [
    "DEFAULT_K_ROUTES",
    "MAX_PATHS_PER_ROUTE",
    "FoundPaths",
    "Objective",
    "Route",
    "find_paths",
    "find_routes",
    "route",
    "route_of_path",
]

#: Routes :func:`route` (and ``caravan route``) return by default: the best and two alternatives.
DEFAULT_K_ROUTES = 3

#: With k = 1, Yen's paths examined for the alternative that gives ``bypassed_countries``.
BYPASS_SEARCH_PATHS = 10


def _objective(by: str | Objective) -> Objective:
    try:
        return Objective(by)
    except ValueError:
        choices = ", ".join(o.value for o in Objective)
        raise InputError(f"unknown objective {by!r}; use one of: {choices}") from None


def find_routes(
    network: Network,
    origin: str,
    destination: str,
    *,
    by: str | Objective = Objective.COST,
    k: int = 1,
    max_overlap: float = 0.8,
    kernel: Kernel | str = Kernel.NUMBA,
    explaining: Callable[[Network], Network] | None = None,
    from_layer: str | None = None,
    explain: bool = True,
) -> tuple[Route, ...]:
    """The best route and up to ``k - 1`` alternatives on a built network.

    Same as :func:`route` but on a network built once, for many queries: the default kernel is
    the numba one (fast per search once loaded; see :mod:`caravan.routing.shortest`).
    ``explaining`` gives the network with every link usable that explains a missing route
    (built on demand by default; the pipeline passes its cached one). ``from_layer`` (e.g.
    ``"rail 1520"``) starts the route on that layer of the origin, as a route passing through
    the origin does: a change of layer there pays its transfer (see ``ClaimEvaluator``'s
    ``via`` places). ``explain=False`` raises :class:`NoRouteError` without the
    explanation (for a caller that only needs to know there is no route).

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> net = caravan.build_network(atlas, year=2025)
    >>> [r.countries for r in find_routes(net, "amber", "dune", k=2)]
    [('UZB', 'AFG', 'PAK'), ('UZB', 'IRN', 'PAK')]
    """
    found = find_paths(
        network,
        origin,
        destination,
        by=by,
        k=k,
        max_overlap=max_overlap,
        kernel=kernel,
        explaining=explaining,
        from_layer=from_layer,
        explain=explain,
    )
    return tuple(found.route(i) for i in range(len(found)))


@dataclass(frozen=True, eq=False)
class FoundPaths:
    """The best path and its alternatives between two places (:func:`find_paths`): ``paths``
    are every distinct path found (with k = 1, the second names the countries the best one
    bypasses), ``n_routes`` of them are routes."""

    network: Network
    cargo: CargoArcs
    objective: Objective
    paths: tuple[ArcPath, ...]
    places: tuple[list[int], ...]
    countries: tuple[tuple[str, ...], ...]
    n_routes: int

    def __len__(self) -> int:
        return self.n_routes

    def link_ids(self, i: int) -> tuple[str, ...]:
        """The atlas links of route ``i`` in order (its record's ``link_ids``)."""
        ids = self.network.link_ids
        at = self.network.arc_link_idx[list(self.paths[i].arcs)].tolist()
        return tuple(ids[li] for li in at if li >= 0)

    def route(self, i: int) -> Route:
        """Route ``i`` (rank ``i + 1``) as its record."""
        if not 0 <= i < self.n_routes:
            raise IndexError(i)
        countries, paths = self.countries, self.paths
        other = countries[1] if i == 0 and len(paths) > 1 else countries[0]
        bypassed = tuple(c for c in other if c not in countries[i]) if len(paths) > 1 else ()
        return _route(
            self.network,
            self.cargo,
            paths[i],
            self.places[i],
            countries[i],
            rank=i + 1,
            objective=self.objective,
            bypassed=bypassed,
        )


def find_paths(
    network: Network,
    origin: str,
    destination: str,
    *,
    by: str | Objective = Objective.COST,
    k: int = 1,
    max_overlap: float = 0.8,
    kernel: Kernel | str = Kernel.NUMBA,
    explaining: Callable[[Network], Network] | None = None,
    from_layer: str | None = None,
    explain: bool = True,
) -> FoundPaths:
    """The paths of :func:`find_routes`, each made into its :class:`Route` record only when
    asked for (:meth:`FoundPaths.route`): for a caller that drops some of them first."""
    objective = _objective(by)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"k must be a whole number >= 1, got {k!r}")
    if not 0.0 < max_overlap <= 1.0:
        raise InputError(f"max_overlap must lie in (0, 1], got {max_overlap!r}")
    atlas = network.atlas
    o, d = atlas.node(origin), atlas.node(destination)
    if o.node_id == d.node_id:
        raise InputError(f"origin and destination are the same place ({o.node_id!r})")
    cargo = cargo_arcs(network, origin_iso3=o.country_iso3, destination_iso3=d.country_iso3)
    sources, targets = network.vnodes_of(o.node_id), network.vnodes_of(d.node_id)
    if from_layer is not None:
        layer_names = [str(network.layers[int(network.vnode_layer_idx[v])]) for v in sources]
        sources = sources[np.array([name == from_layer for name in layer_names], dtype=bool)]
    paths = paths_between(
        network,
        cargo,
        sources,
        targets,
        objective=objective,
        n_routes=max(int(k), 2),
        max_overlap=max_overlap,
        kernel=Kernel(kernel),
        # With k = 1 the second route only names the countries the best one bypasses: look for
        # it among fewer of Yen's paths.
        max_paths=BYPASS_SEARCH_PATHS if int(k) == 1 else None,
        origin_transfers=from_layer is not None,
    )
    if not paths and not explain:
        raise NoRouteError(f"no route from {o.node_id!r} to {d.node_id!r}")
    if not paths:
        raise NoRouteError(
            explain_no_route(network, cargo, o.node_id, d.node_id, explaining=explaining)
        )
    places = [places_of(network, p) for p in paths]
    return FoundPaths(
        network,
        cargo,
        objective,
        tuple(paths),
        tuple(places),
        tuple(_countries(network, p) for p in places),
        min(int(k), len(paths)),
    )


def route_of_path(
    network: Network, cargo: CargoArcs, path: ArcPath, *, rank: int, objective: Objective
) -> Route:
    """The :class:`Route` record of a path found elsewhere (e.g. by an equilibrium)."""
    places = places_of(network, path)
    return _route(
        network,
        cargo,
        path,
        places,
        _countries(network, places),
        rank=rank,
        objective=objective,
        bypassed=(),
    )


def _countries(network: Network, places: Sequence[int]) -> tuple[str, ...]:
    out: list[str] = []
    for p in places:
        c = network.place_country_iso3[p]
        if not out or out[-1] != c:
            out.append(c)
    return tuple(out)


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _route(
    network: Network,
    cargo: CargoArcs,
    path: ArcPath,
    places: Sequence[int],
    countries: tuple[str, ...],
    *,
    rank: int,
    objective: Objective,
    bypassed: tuple[str, ...],
) -> Route:
    atlas = network.atlas
    legs = legs_with_handling(network, cargo, path.arcs)
    node_ids = tuple(network.place_ids[p] for p in places)
    border_names = network.border_names
    borders = []
    transfers = []
    surcharges: dict[str, float] = {}
    for leg in legs:
        if leg.border_id is not None:
            bi = network.border_ids.index(leg.border_id)
            borders.append(
                BorderCrossing(
                    border_id=leg.border_id,
                    name=str(border_names[bi]),
                    link_id=str(leg.link_id),
                    from_iso3=leg.from_iso3,
                    to_iso3=leg.to_iso3,
                    dwell_h=leg.dwell_h,
                    fee_usd_per_t=leg.fee_usd_per_t,
                )
            )
        if leg.kind == "transfer":
            a, b = _layer_parts(leg.from_layer), _layer_parts(leg.to_layer)
            transfers.append(
                TransferStop(
                    node_id=leg.from_node_id,
                    name=atlas.node(leg.from_node_id).name,
                    from_mode=a[0],
                    from_gauge_mm=a[1],
                    to_mode=b[0],
                    to_gauge_mm=b[1],
                    kind=str(leg.transfer_kind),
                    dwell_h=leg.dwell_h,
                    fee_usd_per_t=leg.fee_usd_per_t,
                )
            )
    for r_idx in cargo.surcharging:
        rule = network.restrictions[r_idx]
        arcs = set(network.arcs_of_rule(r_idx).tolist())
        n_hits = sum(1 for a in path.arcs if a in arcs)
        if n_hits:
            surcharges[rule.restriction_id] = n_hits * float(rule.surcharge_usd_per_t or 0.0)
    length = sum(leg.length_km for leg in legs)
    time_h = sum(leg.time_h for leg in legs)
    money = sum(leg.money_usd_per_t for leg in legs)
    risk = sum(leg.risk_usd_per_t for leg in legs)
    vot = network.value_of_time_usd_per_t_h
    totals = {
        Objective.COST: generalised_cost(money, time_h, risk, vot),
        Objective.MONEY: money,
        Objective.TIME: time_h,
        Objective.DISTANCE: length,
    }
    coords = tuple((place.lon, place.lat) for place in map(atlas.node, node_ids))
    drawn, back = atlas.link_lines, atlas.link_lines_back
    ends = atlas.link_ends
    leg_lines = tuple(
        drawn[leg.link_id] if ends[leg.link_id][0] == leg.from_node_id else back[leg.link_id]
        for leg in legs
        if leg.link_id is not None and leg.kind == "link"
    )
    return Route(
        rank=rank,
        objective=objective,
        objective_value=totals[objective],
        origin_id=node_ids[0],
        destination_id=node_ids[-1],
        year=network.year,
        commodity_id=network.commodity.commodity_id,
        value_of_time_usd_per_t_h=vot,
        open_project_ids=network.open_project_ids,
        node_ids=node_ids,
        link_ids=tuple(leg.link_id for leg in legs if leg.link_id is not None),
        countries=countries,
        length_km=length,
        time_h=time_h,
        money_usd_per_t=money,
        risk_usd_per_t=risk,
        cost_usd_per_t=totals[Objective.COST],
        by_country=by_country(legs, network.mode_traits),
        borders=tuple(borders),
        transfers=tuple(transfers),
        projects=_unique([p for leg in legs for p in leg.project_ids]),
        corridors=_unique([c for leg in legs for c in leg.corridor_ids]),
        surcharges=tuple(surcharges.items()),
        bypassed_countries=bypassed,
        legs=legs,
        coordinates=coords,
        leg_lines=leg_lines,
    )


def _layer_parts(text: str) -> tuple[str, int | None]:
    mode, _, gauge = text.partition(" ")
    return mode, int(gauge) if gauge else None


def route(
    atlas: Atlas,
    origin: str,
    destination: str,
    *,
    year: int | None = None,
    date: str | dt.date | None = None,
    commodity: str = "container",
    by: str | Objective = Objective.COST,
    k: int = DEFAULT_K_ROUTES,
    open_projects: Sequence[str] = (),
    max_overlap: float = 0.8,
    kernel: Kernel | str = Kernel.PYTHON,
) -> tuple[Route, ...]:
    """The least-cost route between two places, and up to ``k - 1`` real alternatives.

    Parameters
    ----------
    atlas : Atlas
        The loaded atlas.
    origin, destination : str
        Places by id, name or alias.
    year : int, optional
        Which links exist (1990..2100); default: the year of ``date``, else 2025.
    date : str or datetime.date, optional
        The day (YYYY-MM-DD) whose link states apply: the dated closures, suspensions and
        openings of ``status_events.yaml`` in force that day (:mod:`caravan.model.events`).
        Default: the atlas's as-of date when ``year`` is its year (or not given), else
        1 July of ``year``.
    commodity : str
        A commodity id (``container``, ``bulk``, ...): its value of time and value weigh time
        and risk in the generalised cost.
    by : {"cost", "money", "time", "distance"}
        What to minimise: generalised cost, money (tariffs, fees, surcharges), hours or km.
    k : int
        How many routes: the best, then alternatives in order of the objective (Yen 1971);
        :data:`DEFAULT_K_ROUTES` (3) by default, as in ``caravan route``.
    open_projects : sequence of str
        Projects or corridors to open (ids, names or aliases); see
        :func:`caravan.network.usable_links` for when their links count.
    max_overlap : float
        An alternative is kept only if at most this share of its length (on atlas links) is
        shared with each route kept before it; 1.0 keeps every loopless path.
    kernel : {"python", "numba"}
        The search kernel; the routes are identical. ``route`` builds a network per call, so
        it defaults to the Python kernel, which needs no start-up; for many queries build the
        network once and call :func:`find_routes` (numba by default).

    Returns
    -------
    tuple of Route
        Ranked from 1; fewer than ``k`` when no more distinct routes exist.

    Raises
    ------
    NotFoundError
        Unknown place, commodity or project (with suggestions).
    InputError
        Bad year, objective, ``k`` or ``max_overlap``, or the same place twice.
    NoRouteError
        No route: the message says which restriction or missing link cuts it and which
        project would connect it.

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> best = caravan.route(atlas, "Amber", "Dune", year=2025)[0]
    >>> best.node_ids, best.countries
    (('amber', 'bolt', 'cobalt', 'dune'), ('UZB', 'AFG', 'PAK'))
    >>> round(best.cost_usd_per_t, 2), round(best.time_h, 2), best.money_usd_per_t
    (97.3, 31.9, 62.0)
    >>> caravan.route(atlas, "Amber", "Dune", year=2030, open_projects=["cobalt-link"])[0].projects
    ('cobalt-link',)
    """
    atlas.node(origin), atlas.node(destination)  # unknown places fail before the build
    day = parse_day(date) if date is not None else None
    if year is None:
        year = day.year if day is not None else (int(atlas.as_of[:4]) if atlas.as_of else 2025)
    if atlas.status_events:
        atlas = atlas_on_date(atlas, day if day is not None else default_date(atlas, year))
    network = build_network(atlas, year=year, commodity=commodity, open_projects=open_projects)
    return find_routes(
        network, origin, destination, by=by, k=k, max_overlap=max_overlap, kernel=kernel
    )
