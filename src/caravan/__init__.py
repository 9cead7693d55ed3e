"""Caravan: freight corridors across Eurasia, as data you can rerun and dispute.

The public API is imported lazily so that ``import caravan`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> module that defines it (imported on first use).
_LAZY: dict[str, str] = {
    "load_atlas": "caravan.io.atlas",
    "build_network": "caravan.network",
    "route": "caravan.results.routes",
    "assign": "caravan.assign",
    "report": "caravan.briefs",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'caravan' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
