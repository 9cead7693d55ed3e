"""A synthetic road grid with zone centroids, as a TNTP network (for the large-network benchmarks).

``side x side`` grid nodes joined both ways to their four neighbours (``4 * side * (side - 1)``
links, free-flow times drawn from 0.5 to 1.5, capacities from 400 to 1,200), plus ``n_zones``
centroids (TNTP nodes ``1 .. n_zones``, blocked: ``<FIRST THRU NODE>`` is ``n_zones + 1``), each
joined both ways to one grid node spread evenly over the grid by zero-time connectors. Demand
falls with the Manhattan distance between the zones' grid nodes (a gravity model) and totals
``8 * n_zones * side`` trips unless told otherwise (the busiest links then near or above their
capacity). Everything is drawn from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from caravan.io.tntp import TntpNet, write_net, write_trips

__all__ = ["grid_network", "write_grid"]


def grid_network(
    side: int,
    n_zones: int,
    *,
    seed: int = 1,
    demand_total: float | None = None,
    nearest: int | None = None,
) -> tuple[TntpNet, NDArray[np.float64]]:
    """The grid as a :class:`TntpNet` and its demand matrix (``n_zones x n_zones``).

    With ``nearest`` each zone sends trips only to its ``nearest`` closest zones (a sparse,
    freight-like matrix), else to every zone.
    """
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side) + n_zones + 1  # TNTP ids, after the zones
    right = (ids[:, :-1].ravel(), ids[:, 1:].ravel())
    down = (ids[:-1].ravel(), ids[1:].ravel())
    frm = np.concatenate([right[0], right[1], down[0], down[1]])
    to = np.concatenate([right[1], right[0], down[1], down[0]])
    n_grid_links = frm.size
    # zones attached to grid nodes spread evenly (a coarse sub-grid, then the rest at random)
    k = int(np.ceil(np.sqrt(n_zones)))
    rows = np.linspace(0, side - 1, k).round().astype(int)
    spots = ids[np.ix_(rows, rows)].ravel()[:n_zones]
    zone_ids = np.arange(1, n_zones + 1)
    frm = np.concatenate([frm, zone_ids, spots])
    to = np.concatenate([to, spots, zone_ids])
    n_links = frm.size
    fft = np.concatenate([rng.uniform(0.5, 1.5, n_grid_links), np.zeros(2 * n_zones)])
    capacity = np.concatenate([rng.uniform(400.0, 1200.0, n_grid_links), np.full(2 * n_zones, 1e6)])
    b = np.concatenate([np.full(n_grid_links, 0.15), np.zeros(2 * n_zones)])
    power = np.full(n_links, 4.0)
    r, c = np.divmod(spots - n_zones - 1, side)
    dist = np.abs(r[:, None] - r[None, :]) + np.abs(c[:, None] - c[None, :])
    weight = rng.uniform(0.5, 1.5, n_zones)
    demand = np.outer(weight, weight) / (1.0 + dist) ** 1.5
    np.fill_diagonal(demand, 0.0)
    if nearest is not None:
        dist_tie = dist + np.arange(n_zones)[None, :] * 1e-9  # ties broken by zone index
        np.fill_diagonal(dist_tie, np.inf)
        far = np.argsort(dist_tie, axis=1, kind="stable")[:, nearest:]
        np.put_along_axis(demand, far, 0.0, axis=1)
    total = demand_total if demand_total is not None else 8.0 * n_zones * side
    demand *= total / demand.sum()
    zeros = np.zeros(n_links)
    net = TntpNet(
        source=f"synthetic grid {side}x{side}, {n_zones} zones, seed {seed}",
        n_zones=n_zones,
        n_nodes=n_zones + side * side,
        first_thru_node=n_zones + 1,
        metadata={},
        init_node=frm.astype(np.int64),
        term_node=to.astype(np.int64),
        capacity=capacity,
        length=fft.copy(),
        free_flow_time=fft,
        b=b,
        power=power,
        speed=zeros,
        toll=zeros,
        link_type=np.ones(n_links, np.int64),
    )
    return net, demand


def write_grid(folder: Path, side: int, n_zones: int, *, seed: int = 1) -> Path:
    """Write ``Grid<side>_net.tntp`` and ``Grid<side>_trips.tntp`` into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    net, demand = grid_network(side, n_zones, seed=seed)
    write_net(folder / f"Grid{side}_net.tntp", net)
    write_trips(folder / f"Grid{side}_trips.tntp", demand)
    return folder
