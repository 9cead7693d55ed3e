"""Caravan: freight corridors across Eurasia, as data you can rerun and dispute.

The public API is imported lazily so that ``import caravan`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_atlas"]


def __getattr__(name: str) -> Any:
    if name == "load_atlas":
        from caravan.io.atlas import load_atlas

        return load_atlas
    raise AttributeError(f"module 'caravan' has no attribute {name!r}")
