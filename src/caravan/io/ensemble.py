"""Ensemble spec files read as data, and ensemble result folders written."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from caravan.errors import AtlasValidationError, NotFoundError, Problem
from caravan.io._atomic import write_json_atomic
from caravan.io._yaml import read_yaml_file
from caravan.io.runs import _parquet, _replace_folder

__all__ = ["read_spec_mapping", "write_ensemble"]


def read_spec_mapping(path: str | Path) -> Mapping[str, Any] | None:
    """Read an ensemble spec file (YAML) as data (checked by
    :func:`caravan.ensemble.spec.spec_from_mapping`)."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"ensemble spec {str(file)!r} does not exist")
    raw = read_yaml_file(file)
    if raw is not None and not isinstance(raw, Mapping):
        raise AtlasValidationError(
            [Problem(file.name, None, None, "expected a mapping", "use key: value")],
            source=str(file),
        )
    return raw


def write_ensemble(result: Any, out: str | Path) -> Path:
    """Write an ensemble's tables (Parquet) and summary (JSON) into a folder, atomically."""

    def fill(folder: Path) -> None:
        _parquet(result.draws, folder / "draws.parquet")
        _parquet(result.inputs, folder / "inputs.parquet")
        _parquet(result.failures, folder / "failures.parquet")
        _parquet(result.countries, folder / "countries.parquet")
        write_json_atomic({"caravan": "ensemble", **result.to_dict()}, folder / "summary.json")

    return _replace_folder(Path(out), fill)
