"""From atlas to network: layer nodes per (mode, gauge), arcs with separate cost parts, CSR.

``build_network(atlas, year=..., commodity=..., open_projects=...)`` compiles the atlas;
``cargo_arcs(network, origin_iso3=..., destination_iso3=...)`` applies the restrictions that
depend on a flow's origin and destination.
"""

import importlib
from typing import Any

#: Public name -> module that defines it (imported on first use, so that importing the light
#: ``caravan.network.model`` does not import pandas).
_LAZY: dict[str, str] = {
    "YEAR_MAX": "caravan.network.build",
    "YEAR_MIN": "caravan.network.build",
    "build_network": "caravan.network.build",
    "check_year": "caravan.network.build",
    "usable_links": "caravan.network.build",
    "CargoArcs": "caravan.network.cargo",
    "CostModel": "caravan.network.costs",
    "CostParameters": "caravan.network.costs",
    "cost_model": "caravan.network.costs",
    "generalised_cost": "caravan.network.costs",
    "link_costs": "caravan.network.costs",
    "cargo_arcs": "caravan.network.cargo",
    "RISK_LOSS_PER_KM": "caravan.network.costs",
    "SEA_RISK_EXPOSURE_KM": "caravan.network.costs",
    "ArcKind": "caravan.network.model",
    "Layer": "caravan.network.model",
    "Network": "caravan.network.model",
    "Objective": "caravan.network.model",
    "TransferKind": "caravan.network.model",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'caravan.network' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
