"""What an ensemble draws: distributions over the atlas's ranges and project completion.

Every uncertain input is drawn from one uniform number ``u`` in (0, 1) through the inverse of
its distribution's CDF; the ``u`` of draw ``i`` come from a generator seeded with
``SeedSequence(seed, spawn_key=(i,))``. So a draw depends only on the seed and its index,
never on which worker computes it or in which order the results come back.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from caravan.errors import AtlasValidationError, Problem
from caravan.io.ensemble import read_spec_mapping

__all__ = [
    "Distribution",
    "EnsembleSpec",
    "UncertainInput",
    "draw_uniforms",
    "inverse_cdf",
    "inverse_cdf_many",
    "read_spec",
    "spec_from_mapping",
]

#: z of the 95th percentile of the standard normal: a lognormal's [low, high] is its 5-95% range.
Z95 = 1.6448536269514722


class Distribution(enum.StrEnum):
    """How a figure stored as value with low/high is drawn."""

    FIXED = "fixed"  # always the chosen value
    UNIFORM = "uniform"  # uniform on [low, high]
    TRIANGULAR = "triangular"  # triangular with mode at the chosen value
    LOGNORMAL = "lognormal"  # median at the chosen value, [low, high] its 5-95% range


#: The kinds of range an ensemble can draw, and the atlas fields they come from.
RANGE_KINDS: tuple[str, ...] = (
    "link_length_km",
    "link_tariff_usd_per_tkm",
    "link_capacity_mtpa",
    "demand_tonnes_per_year",
    # fixed costs of routes (caravan.ensemble.fixed_costs): fee and dwell of each row
    "handling_usd_per_t",
    "handling_dwell_h",
    "transfer_fee_usd_per_t",
    "transfer_dwell_h",
    "lane_usd_per_t",
    "lane_dwell_h",
)


@dataclass(frozen=True)
class EnsembleSpec:
    """The ensemble's draws, seed, distributions and project completion probabilities.

    Parameters
    ----------
    draws : int
        Number of draws.
    seed : int
        Seed of the draws.
    distributions : mapping
        Distribution per range kind (see ``RANGE_KINDS``); kinds not named are triangular.
    project_completion : mapping
        Per project id, ``((year, probability_open_by_year), ...)`` in increasing years. A
        project the scenario opens is open in a draw with the probability for the scenario's
        year (the last year at or before it; 0 before the first). Projects not listed are
        certain.
    """

    draws: int = 1000
    seed: int = 1
    distributions: Mapping[str, Distribution] = field(default_factory=dict)
    project_completion: Mapping[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)

    def distribution(self, kind: str) -> Distribution:
        """The distribution of a range kind."""
        return self.distributions.get(kind, Distribution.TRIANGULAR)

    def p_open(self, project_id: str, year: int) -> float:
        """Probability that a project is complete by ``year``.

        Examples
        --------
        >>> s = EnsembleSpec(project_completion={"p": ((2028, 0.2), (2030, 0.6))})
        >>> s.p_open("p", 2027), s.p_open("p", 2029), s.p_open("p", 2035), s.p_open("q", 2025)
        (0.0, 0.2, 0.6, 1.0)
        """
        table = self.project_completion.get(project_id)
        if table is None:
            return 1.0
        p = 0.0
        for y, prob in table:
            if y <= year:
                p = prob
        return p


@dataclass(frozen=True)
class UncertainInput:
    """One drawn input: a range of the atlas or demand, or a project's completion."""

    name: str  # e.g. "link:r-termez-naibabad:length_km", "project:kabul-corridor"
    kind: str  # a RANGE_KINDS entry or "project_completion"
    target_id: str
    value: float
    low: float
    high: float
    distribution: Distribution


def inverse_cdf(u: float, value: float, low: float, high: float, dist: Distribution) -> float:
    """The draw of a ranged figure at uniform number ``u``.

    Examples
    --------
    >>> inverse_cdf(0.5, 10, 0, 20, Distribution.UNIFORM)
    10.0
    >>> round(inverse_cdf(0.5, 10, 0, 20, Distribution.TRIANGULAR), 9)
    10.0
    >>> round(inverse_cdf(0.95, 10, 5, 20, Distribution.LOGNORMAL), 6)
    20.0
    """
    if dist is Distribution.FIXED or high <= low:
        return float(value)
    if dist is Distribution.UNIFORM:
        return float(low + u * (high - low))
    if dist is Distribution.TRIANGULAR:
        width = high - low
        mode_share = (value - low) / width
        if u < mode_share:
            return float(low + math.sqrt(u * width * (value - low)))
        return float(high - math.sqrt((1.0 - u) * width * (high - value)))
    # Lognormal: the median is the chosen value and [low, high] spans the 5-95% range. Worked in
    # logarithms, so a range of many decades (a tiny low) neither overflows on the way nor
    # raises: a draw beyond the largest float is inf, as in inverse_cdf_many.
    if not (low > 0 and value > 0):
        return float(value)
    sigma = (math.log(high) - math.log(low)) / (2.0 * Z95)
    with np.errstate(over="ignore"):
        return float(np.exp(math.log(value) + sigma * float(ndtri(u))))


def inverse_cdf_many(
    u: NDArray[np.float64],
    value: NDArray[np.float64],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    dist: Distribution,
) -> NDArray[np.float64]:
    """:func:`inverse_cdf` for many figures of one distribution at once (equal to rounding).

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([0.5, 0.95]); v = np.array([10.0, 10.0])
    >>> lo = np.array([0.0, 5.0]); hi = np.array([20.0, 20.0])
    >>> [round(float(x), 6) for x in inverse_cdf_many(u, v, lo, hi, Distribution.LOGNORMAL)]
    [10.0, 20.0]
    """
    ranged = high > low
    if dist is Distribution.FIXED:
        return value.astype(float, copy=True)
    if dist is Distribution.UNIFORM:
        drawn = low + u * (high - low)
    elif dist is Distribution.TRIANGULAR:
        width = np.where(ranged, high - low, 1.0)
        below = u < (value - low) / width
        drawn = np.where(
            below,
            low + np.sqrt(np.clip(u * width * (value - low), 0.0, None)),
            high - np.sqrt(np.clip((1.0 - u) * width * (high - value), 0.0, None)),
        )
    else:
        ok = ranged & (low > 0) & (value > 0)
        sigma = np.where(
            ok,
            (np.log(np.where(ok, high, 1.0)) - np.log(np.where(ok, low, 1.0))) / (2.0 * Z95),
            0.0,
        )
        with np.errstate(over="ignore", invalid="ignore"):
            exponent = np.log(np.where(ok, value, 1.0)) + sigma * ndtri(u)
            drawn = np.where(ok, np.exp(exponent), value)
    return np.where(ranged, drawn, value).astype(float)


def draw_uniforms(seed: int, draw_idx: int, n_inputs: int) -> NDArray[np.float64]:
    """The uniform numbers of one draw: independent of order and of who computes it.

    Examples
    --------
    >>> a = draw_uniforms(1, 7, 3)
    >>> b = draw_uniforms(1, 7, 3)
    >>> bool((a == b).all()), bool((a != draw_uniforms(1, 8, 3)).any())
    (True, True)
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(draw_idx,)))
    return rng.random(n_inputs)


_KEYS = ("draws", "seed", "distributions", "project_completion", "notes")


def _given(in_file: Any, argument: int | None) -> list[Any]:
    """The values of a setting to check: the file's, and the argument that overrides it."""
    return [in_file] if argument is None or argument == in_file else [in_file, argument]


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
    # the file's own values are checked even when an argument overrides them
    for n_draws in _given(raw.get("draws", 1000), draws):
        if (
            isinstance(n_draws, bool)
            or not isinstance(n_draws, int)
            or not 1 <= n_draws <= 1_000_000
        ):
            bad("draws", f"{n_draws!r} is not a whole number of draws", "give 1 .. 1000000")
    n_draws = raw.get("draws", 1000) if draws is None else draws
    for n_seed in _given(raw.get("seed", 1), seed):
        if isinstance(n_seed, bool) or not isinstance(n_seed, int) or n_seed < 0:
            bad("seed", f"{n_seed!r} is not a seed", "give a whole number >= 0")
    n_seed = raw.get("seed", 1) if seed is None else seed
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
    """Read and check an ensemble spec file (YAML)."""

    raw = read_spec_mapping(path)
    return spec_from_mapping(raw, source=Path(path).name, draws=draws, seed=seed)
