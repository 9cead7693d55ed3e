"""Least-cost and k-shortest paths on plain arrays (no pandas, no atlas).

``shortest`` holds the numba Dijkstra kernel (multi-source, masks, bans); ``kshortest`` Yen's
k shortest loopless paths and the overlap filter; ``trees`` the shortest-path trees used by
assignment.
"""

from caravan.routing.kshortest import (
    distinct_paths,
    distinct_shortest_paths,
    k_shortest_paths,
    overlap_fraction,
)
from caravan.routing.shortest import ArcPath, CsrGraph, shortest_path

__all__ = [
    "ArcPath",
    "CsrGraph",
    "distinct_paths",
    "distinct_shortest_paths",
    "k_shortest_paths",
    "overlap_fraction",
    "shortest_path",
]
