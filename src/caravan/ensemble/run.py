"""Running an ensemble end to end: resolve, compile once, draw, summarise."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from caravan.ensemble.compile import compile_ensemble
from caravan.ensemble.executors import Executor, run_draws
from caravan.ensemble.spec import EnsembleSpec, spec_from_mapping
from caravan.ensemble.summary import EnsembleResult, summarise
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario
from caravan.model.atlas import Atlas
from caravan.model.scenario import Scenario
from caravan.security.files import scenario_events

__all__ = ["run_ensemble"]


def _resolve(scenario: str | Path | Scenario, atlas: Atlas) -> Scenario:

    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario, atlas)


def run_ensemble(
    scenario: str | Path | Scenario,
    *,
    reference: str | Path | Scenario | None = None,
    spec: EnsembleSpec | None = None,
    atlas: Atlas | None = None,
    executor: Executor | str = Executor.PROCESS,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EnsembleResult:
    """Draw a scenario's uncertain inputs many times and summarise what happens to transit.

    Parameters
    ----------
    scenario : str, Path or Scenario
        The scenario (shipped name, file, or resolved).
    reference : str, Path or Scenario, optional
        A scenario to compare with in every draw (``--vs``).
    spec : EnsembleSpec, optional
        Draws, seed, distributions and project completion; by default the scenario's
        ``ensemble:`` section, else 1000 triangular draws with seed 1.
    atlas : Atlas, optional
        The atlas (the shipped one by default).
    executor, workers, scheduler
        Where the draws run (see :func:`caravan.ensemble.executors.run_draws`).
    progress : callable, optional
        Called with ``(draws_done, draws_total)``.
    """

    base = atlas if atlas is not None else load_atlas()
    resolved = _resolve(scenario, base)
    ref = _resolve(reference, base) if reference is not None else None
    if spec is None:
        spec = spec_from_mapping(resolved.ensemble, source=f"scenario {resolved.name}")
    started = time.perf_counter()
    scenarios = (resolved,) if ref is None else (resolved, ref)
    events = scenario_events(base, *scenarios)
    inputs = compile_ensemble(base, resolved, reference=ref, spec=spec, events=events)
    compiled_s = time.perf_counter() - started
    results = run_draws(
        inputs, executor=executor, workers=workers, scheduler=scheduler, progress=progress
    )
    drawn_s = time.perf_counter() - started - compiled_s
    summary = summarise(inputs, results)
    summary.meta.update(
        {
            "executor": str(Executor(executor).value),
            "compile_seconds": round(compiled_s, 3),
            "draw_seconds": round(drawn_s, 3),
            "draws_per_second": round(len(results) / drawn_s, 1) if drawn_s > 0 else None,
            "atlas_digest": base.digest,
            "scenario_digest": resolved.digest,
        }
    )
    return summary
