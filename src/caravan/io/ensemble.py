"""Ensemble specs from YAML (a file, or a scenario's ``ensemble:`` section), and result folders."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from caravan.ensemble.spec import RANGE_KINDS, Distribution, EnsembleSpec
from caravan.errors import AtlasValidationError, NotFoundError, Problem
from caravan.io._atomic import write_json_atomic
from caravan.io._limits import LimitError, read_limited
from caravan.io._yaml import YAML_ERRORS, load_yaml, yaml_problem
from caravan.io.runs import _parquet, _replace_folder

__all__ = ["read_spec", "spec_from_mapping", "write_ensemble"]

_KEYS = ("draws", "seed", "distributions", "project_completion", "notes")


def spec_from_mapping(
    raw: Mapping[str, Any] | None,
    *,
    source: str = "ensemble spec",
    draws: int | None = None,
    seed: int | None = None,
) -> EnsembleSpec:
    """Check an ensemble spec given as data; report every problem at once.

    Examples
    --------
    >>> s = spec_from_mapping({"draws": 10, "distributions": {"link_length_km": "uniform"},
    ...                        "project_completion": {"p": {2030: 0.5}}})
    >>> s.draws, s.distribution("link_length_km").value, s.p_open("p", 2031)
    (10, 'uniform', 0.5)
    """
    raw = dict(raw or {})
    problems: list[Problem] = []
    file = source

    def bad(key: str, message: str, fix: str) -> None:
        problems.append(Problem(file, None, key, message, fix))

    for key in raw:
        if key not in _KEYS:
            bad(str(key), "unknown key", f"use one of: {', '.join(_KEYS)}")
    n_draws = raw.get("draws", 1000) if draws is None else draws
    if isinstance(n_draws, bool) or not isinstance(n_draws, int) or not 1 <= n_draws <= 1_000_000:
        bad("draws", f"{n_draws!r} is not a whole number of draws", "give 1 .. 1000000")
        n_draws = 1
    n_seed = raw.get("seed", 1) if seed is None else seed
    if isinstance(n_seed, bool) or not isinstance(n_seed, int) or n_seed < 0:
        bad("seed", f"{n_seed!r} is not a seed", "give a whole number >= 0")
        n_seed = 0
    dists: dict[str, Distribution] = {}
    raw_dists = raw.get("distributions") or {}
    if not isinstance(raw_dists, Mapping):
        bad("distributions", "expected a mapping", "e.g. {link_length_km: triangular}")
        raw_dists = {}
    for kind, name in raw_dists.items():
        if kind not in RANGE_KINDS:
            bad(f"distributions.{kind}", "unknown range kind", f"use: {', '.join(RANGE_KINDS)}")
            continue
        try:
            dists[str(kind)] = Distribution(str(name))
        except ValueError:
            bad(
                f"distributions.{kind}",
                f"unknown distribution {name!r}",
                f"use: {', '.join(d.value for d in Distribution)}",
            )
    completion: dict[str, tuple[tuple[int, float], ...]] = {}
    raw_pc = raw.get("project_completion") or {}
    if not isinstance(raw_pc, Mapping):
        bad("project_completion", "expected a mapping", "e.g. {kabul-corridor: {2030: 0.4}}")
        raw_pc = {}
    for project_id, table in raw_pc.items():
        key = f"project_completion.{project_id}"
        if not isinstance(table, Mapping) or not table:
            bad(key, "expected {year: probability, ...}", "e.g. {2030: 0.4, 2035: 0.8}")
            continue
        pairs = []
        for year, p in table.items():
            ok_year = isinstance(year, int) and 1990 <= year <= 2100
            ok_p = isinstance(p, int | float) and not isinstance(p, bool) and 0 <= p <= 1
            if not (ok_year and ok_p):
                bad(
                    key,
                    f"{year!r}: {p!r} is not a year and a probability",
                    "use year: probability with 0 <= probability <= 1",
                )
                continue
            pairs.append((int(year), float(p)))
        pairs.sort()
        if any(b[1] < a[1] for a, b in itertools.pairwise(pairs)):
            bad(key, "probabilities must not fall as years pass", "make them non-decreasing")
        completion[str(project_id)] = tuple(pairs)
    if problems:
        raise AtlasValidationError(problems, source=source)
    return EnsembleSpec(
        draws=int(n_draws), seed=int(n_seed), distributions=dists, project_completion=completion
    )


def read_spec(
    path: str | Path, *, draws: int | None = None, seed: int | None = None
) -> EnsembleSpec:
    """Read an ensemble spec file (YAML)."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"ensemble spec {str(file)!r} does not exist")
    try:
        raw = load_yaml(read_limited(file, what=file.name))
    except LimitError as exc:
        raise AtlasValidationError(
            [Problem(file.name, exc.line, None, str(exc), exc.fix or "fix the file")],
            source=str(file),
        ) from None
    except YAML_ERRORS as exc:
        line, what = yaml_problem(exc)
        raise AtlasValidationError(
            [Problem(file.name, line, None, f"malformed YAML: {what}", "fix the YAML")],
            source=str(file),
        ) from None
    if raw is not None and not isinstance(raw, Mapping):
        raise AtlasValidationError(
            [Problem(file.name, None, None, "expected a mapping", "use key: value")],
            source=str(file),
        )
    return spec_from_mapping(raw, source=file.name, draws=draws, seed=seed)


def write_ensemble(result: Any, out: str | Path) -> Path:
    """Write an ensemble's tables (Parquet) and summary (JSON) into a folder, atomically."""

    def fill(folder: Path) -> None:
        _parquet(result.draws, folder / "draws.parquet")
        _parquet(result.inputs, folder / "inputs.parquet")
        _parquet(result.failures, folder / "failures.parquet")
        _parquet(result.countries, folder / "countries.parquet")
        write_json_atomic({"caravan": "ensemble", **result.to_dict()}, folder / "summary.json")

    return _replace_folder(Path(out), fill)
