"""Semantic checks of an atlas read into tables: ids, references, geometry, costs, sources."""

from __future__ import annotations

from typing import Any

from caravan.errors import Problem

__all__ = ["validate_tables"]


def validate_tables(tables: dict[str, Any]) -> list[Problem]:
    """Every semantic problem of the parsed atlas tables, at once."""
    return []
