"""Reading a claims file (YAML) into plain records; :mod:`caravan.claims.parse` checks them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caravan.errors import AtlasValidationError, NotFoundError, Problem
from caravan.io._yaml import read_yaml_file
from caravan.model.atlas import Atlas

__all__ = ["read_claim_records", "scenario_names", "shipped_claims_path"]


def shipped_claims_path(atlas: Atlas) -> Path:
    """The claims file shipped with an atlas."""
    if atlas.path is None:
        raise NotFoundError("this atlas was not read from a folder, so it has no claims file")
    return Path(atlas.path) / "claims.yaml"


def scenario_names(atlas: Atlas) -> set[str]:
    """The names of the scenarios in an atlas's ``scenarios/`` folder (none without a folder)."""
    if atlas.path is None:
        return set()
    return {p.stem for p in (Path(atlas.path) / "scenarios").glob("*.yaml")}


def read_claim_records(path: str | Path) -> list[Any]:
    """The records of a claims file: a list, one item per claim, as the YAML has them.

    Raises
    ------
    NotFoundError
        The file does not exist.
    AtlasValidationError
        The file is too large, is malformed YAML, or is not a list.
    """
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"claims file {str(file)!r} does not exist")
    raw = read_yaml_file(file)
    if not isinstance(raw, list):
        raise AtlasValidationError(
            [Problem(file.name, None, None, "expected a list of claims", "start with '- '")],
            source=str(file),
        )
    return raw
