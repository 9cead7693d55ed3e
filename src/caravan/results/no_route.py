"""Why there is no route: the restriction or missing link that cuts it, and what would connect it.

Three searches, each looser than the last: the same network without the cargo's restrictions
(then a restriction is to blame); every atlas link whatever its status and year, with and then
without restrictions (then links not open in the year are missing, and their projects would
connect the places); otherwise the places are not joined in the atlas at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from caravan.model.records import LinkStatus, ProjectKind
from caravan.network.build import compile_network, opt_int
from caravan.network.cargo import CargoArcs, cargo_arcs
from caravan.network.model import Network, Objective
from caravan.results.arc_paths import paths_between, places_of
from caravan.routing.shortest import ArcPath

__all__ = ["ExplainingNetwork", "every_link_network", "explain_no_route"]

#: What gives the network with every link usable, for a network.
ExplainingNetwork = Callable[[Network], Network]


def _search(
    network: Network, cargo: CargoArcs, o: str, d: str, *, restricted: bool
) -> ArcPath | None:
    mask = cargo.arc_usable if restricted else np.ones(network.n_arcs, dtype=np.bool_)
    paths = paths_between(
        network,
        cargo,
        network.vnodes_of(o),
        network.vnodes_of(d),
        objective=Objective.COST,
        n_routes=1,
        max_overlap=1.0,
        arc_mask=mask,
    )
    return paths[0] if paths else None


def _place_path(network: Network, path: ArcPath) -> str:
    return "-".join(network.place_ids[p] for p in places_of(network, path))


def _blocking_rules(network: Network, cargo: CargoArcs, path: ArcPath) -> list[str]:
    on_path = set(path.arcs)
    out = []
    for r_idx in cargo.forbidding:
        arcs = network.arcs_of_rule(r_idx).tolist()
        links = sorted(
            {
                network.link_ids[int(network.arc_link_idx[a])]
                for a in arcs
                if a in on_path and network.arc_link_idx[a] >= 0
            }
        )
        if links:
            rule = network.restrictions[r_idx]
            what = ", ".join(links[:4]) + (f" and {len(links) - 4} more" if len(links) > 4 else "")
            out.append(
                f"restriction {rule.restriction_id!r} ({rule.name}) forbids "
                f"{cargo.origin_iso3}->{cargo.destination_iso3} {network.commodity.commodity_id} "
                f"cargo on {what}"
            )
    return out


def _ids(cell: Any) -> list[str]:
    return [str(x) for x in cell] if isinstance(cell, tuple) else []


def _link_note(network: Network, link_idx: int) -> str:
    atlas = network.atlas
    links = atlas.links_frame
    link_id = network.link_ids[link_idx]
    status = str(links["status"].iat[link_idx])
    parts = [status]
    expected = opt_int(links["expected_open_year"].iat[link_idx])
    open_year = opt_int(links["open_year"].iat[link_idx])
    if status == LinkStatus.OPERATIONAL and open_year is not None:
        parts.append(f"opened {open_year}")
    elif expected is not None:
        parts.append(f"expected {expected}")
    owners = [*_ids(links["project_ids"].iat[link_idx]), *_ids(links["corridor_ids"].iat[link_idx])]
    if owners:
        parts.append("project " + ", ".join(owners))
    return f"{link_id} ({', '.join(parts)})"


def _project_advice(network: Network, link_idxs: Sequence[int]) -> list[str]:
    atlas = network.atlas
    links = atlas.links_frame
    out: list[str] = []
    by_project: dict[str, list[str]] = {}
    orphans: list[str] = []
    for li in link_idxs:
        status = LinkStatus(str(links["status"].iat[li]))
        link_id = network.link_ids[li]
        if status in (LinkStatus.SUSPENDED, LinkStatus.CLOSED):
            orphans.append(f"link {link_id} is {status.value} (a scenario must reopen it)")
            continue
        if status is LinkStatus.OPERATIONAL:
            orphans.append(f"link {link_id} only opened after {network.year}; use a later year")
            continue
        owners = _ids(links["project_ids"].iat[li]) or _ids(links["corridor_ids"].iat[li])
        if not owners:
            orphans.append(f"link {link_id} ({status.value}) belongs to no project")
        for pid in owners[:1]:
            by_project.setdefault(pid, []).append(link_id)
    for pid, lks in by_project.items():
        p = atlas.project(pid)
        kind = "corridor" if p.kind is ProjectKind.CORRIDOR else "project"
        year = p.expected_open_year
        when = f"expected {year}" if year else "no expected year"
        advice = f"{kind} {pid} ({p.name}, {p.status.value}, {when}) would connect it"
        steps = []
        if pid not in network.open_project_ids:
            steps.append(f"open it (--open {pid})")
        if year and year > network.year:
            steps.append(f"use a year >= {year} (--year {year})")
        if steps:
            advice += ": " + " and ".join(steps)
        out.append(advice + f" [links {', '.join(lks)}]")
    return out + orphans


def _place_note(network: Network, place_id: str) -> str | None:
    if network.vnodes_of(place_id).size:
        return None
    links = network.atlas.links_frame
    touching = np.flatnonzero(
        (links["from_node_id"].to_numpy() == place_id)
        | (links["to_node_id"].to_numpy() == place_id)
    )
    name = network.atlas.node(place_id).name
    if touching.size == 0:
        return f"{name} ({place_id}) has no link at all in the atlas"
    notes = "; ".join(_link_note(network, int(i)) for i in touching)
    only = "its only connection is" if touching.size == 1 else "its connections are"
    return f"{name} ({place_id}) has no link usable in {network.year}: {only} {notes}"


def every_link_network(network: Network) -> Network:
    """The network of the same atlas, year and commodity with every atlas link usable."""
    return compile_network(
        network.atlas,
        year=network.year,
        commodity=network.commodity,
        link_usable=np.ones(len(network.link_ids), dtype=np.bool_),
        opened=network.open_project_ids,
    )


def explain_no_route(
    network: Network,
    cargo: CargoArcs,
    origin_id: str,
    destination_id: str,
    *,
    explaining: ExplainingNetwork | None = None,
) -> str:
    """A message saying why no route joins the two places, and what would connect them.

    ``explaining(network)`` gives the network with every link usable (:func:`every_link_network`
    by default; a caller that explains often passes a cached one, as the pipeline does).

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> net = caravan.build_network(atlas, year=2025)
    >>> cargo = caravan.network.cargo_arcs(net, origin_iso3="UZB", destination_iso3="AFG")
    >>> print(explain_no_route(net, cargo, "amber", "garnet"))  # doctest: +NORMALIZE_WHITESPACE
    no route from Amber (amber) to Garnet (garnet) in 2025 for container cargo (UZB->AFG):
    Garnet (garnet) has no link usable in 2025: its only connection is d-cobalt-garnet
    (proposed, expected 2032, project garnet-road); needs links not open in 2025:
    d-cobalt-garnet (proposed, expected 2032, project garnet-road); project garnet-road
    (Garnet Road, proposed, expected 2032) would connect it: open it (--open garnet-road)
    and use a year >= 2032 (--year 2032) [links d-cobalt-garnet]
    """
    atlas = network.atlas
    o, d = atlas.node(origin_id), atlas.node(destination_id)
    head = (
        f"no route from {o.name} ({o.node_id}) to {d.name} ({d.node_id}) in {network.year} "
        f"for {network.commodity.commodity_id} cargo "
        f"({cargo.origin_iso3}->{cargo.destination_iso3})"
    )
    notes = [n for n in (_place_note(network, o.node_id), _place_note(network, d.node_id)) if n]
    free = _search(network, cargo, o.node_id, d.node_id, restricted=False)
    if free is not None:
        rules = _blocking_rules(network, cargo, free)
        notes += rules
        notes.append(
            f"without {'it' if len(rules) == 1 else 'them'} the route would be "
            f"{_place_path(network, free)}"
        )
        return head + ": " + "; ".join(notes)
    full = (explaining or every_link_network)(network)
    full_cargo = cargo_arcs(
        full, origin_iso3=cargo.origin_iso3, destination_iso3=cargo.destination_iso3
    )
    path = _search(full, full_cargo, o.node_id, d.node_id, restricted=True)
    restricted_too = path is None
    if path is None:
        path = _search(full, full_cargo, o.node_id, d.node_id, restricted=False)
    if path is None:
        notes.append(
            "the atlas has no chain of links between them, not even planned, suspended or closed"
        )
        return head + ": " + "; ".join(notes)
    missing = []
    for a in path.arcs:
        li = int(full.arc_link_idx[a])
        if li >= 0 and not network.link_usable[li] and li not in missing:
            missing.append(li)
    notes.append(
        f"needs links not open in {network.year}: "
        + ", ".join(_link_note(network, li) for li in missing)
    )
    notes += _project_advice(network, missing)
    if restricted_too:
        notes += _blocking_rules(full, full_cargo, path)
    return head + ": " + "; ".join(notes)
