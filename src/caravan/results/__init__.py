"""Results as records and id-keyed tables: routes with their breakdowns, scenario runs and their
tables, the freight assignment methods (``aon``, ``sue``, ``ue``) and comparisons of runs."""

from caravan.results.legs import BorderCrossing, CountryShare, Leg, TransferStop
from caravan.results.routes import Route, find_routes, route

__all__ = [
    "BorderCrossing",
    "CountryShare",
    "Leg",
    "Route",
    "TransferStop",
    "find_routes",
    "route",
]
