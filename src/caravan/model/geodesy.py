"""Distances on the Earth, in one place: geodesics on the WGS84 ellipsoid through ``pyproj.Geod``.

Every length Caravan measures (a link against its nodes, a line's geometry, an event near a route,
an imported OpenStreetMap way) comes from here, so they agree to the metre. Karney (2013),
"Algorithms for geodesics", J. Geodesy 87, 43-55, is the method ``pyproj.Geod`` implements.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["geodesic_km", "geodesic_km_array", "line_length_km"]


@cache
def _geod() -> Any:
    from pyproj import Geod

    return Geod(ellps="WGS84")


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Shortest distance over the WGS84 ellipsoid between two points, in km.

    Examples
    --------
    >>> round(geodesic_km(0.0, 0.0, 0.0, 1.0), 1)
    111.3
    >>> geodesic_km(37.2, 67.3, 37.2, 67.3)
    0.0
    """
    _, _, metres = _geod().inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1000.0


def geodesic_km_array(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> NDArray[np.float64]:
    """:func:`geodesic_km` element by element over arrays (one call into PROJ).

    Examples
    --------
    >>> geodesic_km_array([0.0, 10.0], [0.0, 0.0], [0.0, 10.0], [1.0, 0.0]).round(1).tolist()
    [111.3, 0.0]
    """
    args = [np.asarray(a, dtype=np.float64) for a in (lon1, lat1, lon2, lat2)]
    if args[0].size == 0:
        return np.zeros(0)
    _, _, metres = _geod().inv(*args)
    return np.asarray(metres, dtype=np.float64) / 1000.0


def line_length_km(coords: Sequence[tuple[float, float]] | NDArray[np.float64]) -> float:
    """Length of a line given as ``(lon, lat)`` vertices, in km along geodesics.

    Examples
    --------
    >>> round(line_length_km([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]), 1)
    221.9
    >>> line_length_km([(5.0, 5.0)])
    0.0
    """
    xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    if len(xy) < 2:
        return 0.0
    return float(geodesic_km_array(xy[:-1, 1], xy[:-1, 0], xy[1:, 1], xy[1:, 0]).sum())
