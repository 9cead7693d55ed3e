"""Ensemble throughput on the shipped atlas: draws per second with 1 and 2 workers.

Usage: ``.venv/bin/python benchmarks/ensemble.py [--draws 400] [--scenario kabul-corridor]
[--vs baseline-2025]``. Prints compile time, draws per second in-process, with a process pool
of 1 and 2 workers, and the scaling from 1 to 2 workers, beside the targets (>= 1.7x scaling,
>= 50 draws/s with 2 workers).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from caravan.ensemble.compile import compile_ensemble
from caravan.ensemble.executors import run_draws
from caravan.ensemble.spec import EnsembleSpec
from caravan.io.atlas import load_atlas
from caravan.io.ensemble import spec_from_mapping
from caravan.io.scenario import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=20000)
    parser.add_argument("--scenario", default="kabul-corridor")
    parser.add_argument("--vs", default="baseline-2025")
    args = parser.parse_args()
    atlas = load_atlas()
    scenario = load_scenario(args.scenario, atlas)
    reference = load_scenario(args.vs, atlas) if args.vs else None
    base = spec_from_mapping(scenario.ensemble)
    spec = EnsembleSpec(
        draws=args.draws,
        seed=base.seed,
        distributions=base.distributions,
        project_completion=base.project_completion,
    )
    t0 = time.perf_counter()
    inputs = compile_ensemble(atlas, scenario, reference=reference, spec=spec)
    compile_s = time.perf_counter() - t0
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"scenario {scenario.name} vs {args.vs}: {len(inputs.inputs)} uncertain inputs, "
        f"{sum(v.problem.routes.n_routes for s in inputs.scenarios for v in s.variants.values())} "
        f"routes in {sum(len(s.variants) for s in inputs.scenarios)} route sets; "
        f"compiled once in {compile_s:.2f} s"
    )
    rates = {}
    for label, executor, workers in (
        ("in-process", "in-process", 1),
        ("process pool, 1 worker", "process", 1),
        ("process pool, 2 workers", "process", 2),
    ):
        t = time.perf_counter()
        results = run_draws(inputs, executor=executor, workers=workers)
        seconds = time.perf_counter() - t
        rates[label] = len(results) / seconds
        failed = sum(not r.ok for r in results)
        print(
            f"{label:26s} {len(results)} draws in {seconds:6.2f} s = {rates[label]:7.1f} draws/s"
            f" ({failed} failed)"
        )
    scaling = rates["process pool, 2 workers"] / rates["process pool, 1 worker"]
    print(f"scaling 1 -> 2 workers: {scaling:.2f}x (target >= 1.7x)")
    print(f"2 workers: {rates['process pool, 2 workers']:.1f} draws/s (target >= 50)")


if __name__ == "__main__":
    main()
