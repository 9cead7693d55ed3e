"""In-process ensemble draws per CPU second, for A/B runs of two checkouts.

Usage: ``.venv/bin/python benchmarks/ensemble_draws.py [--draws 400] [--repeat 3]
[--scenario kabul-corridor] [--vs baseline-2025] [--atlas PATH]``. Compiles the ensemble once,
then evaluates the same draws ``--repeat`` times in this process (the first draw once before, so
numba's kernels are loaded) and prints, for each repeat, the draws per CPU second (this
process's user + system time) and per wall second, with the load average. CPU time is what the
code costs; on a shared machine wall time also counts the waiting. Written to run on older
checkouts too (``benchmarks/interleave.py`` runs each checkout's own copy), so it imports only
what the ensemble modules have long had.
"""

from __future__ import annotations

import argparse
import os
import time

from caravan.ensemble.compile import compile_ensemble
from caravan.ensemble.evaluate import evaluate_draw
from caravan.ensemble.spec import EnsembleSpec
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario

try:
    from caravan.ensemble.spec import spec_from_mapping
except ImportError:  # older checkouts parsed the spec in io/
    from caravan.io.ensemble import spec_from_mapping  # type: ignore[no-redef,attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", default="kabul-corridor")
    parser.add_argument("--vs", default="baseline-2025")
    parser.add_argument("--atlas", default=None, help="atlas folder (default: the shipped one)")
    args = parser.parse_args()
    atlas = load_atlas(args.atlas)
    scenario = load_scenario(args.scenario, atlas)
    reference = load_scenario(args.vs, atlas) if args.vs else None
    base = spec_from_mapping(scenario.ensemble)
    spec = EnsembleSpec(
        draws=args.draws,
        seed=base.seed,
        distributions=base.distributions,
        project_completion=base.project_completion,
    )
    t0 = time.process_time()
    inputs = compile_ensemble(atlas, scenario, reference=reference, spec=spec)
    print(f"compile: {time.process_time() - t0:.2f} s CPU; load {os.getloadavg()[0]:.2f}")
    evaluate_draw(inputs, 0)
    for rep in range(1, args.repeat + 1):
        load = os.getloadavg()[0]
        cpu, wall = time.process_time(), time.perf_counter()
        ok = sum(evaluate_draw(inputs, i).ok for i in range(args.draws))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"repeat {rep}: {args.draws} draws ({ok} ok) in {cpu:.2f} s CPU = "
            f"{args.draws / cpu:.1f} draws per CPU s; {wall:.2f} s wall = "
            f"{args.draws / wall:.1f} draws/s; load {load:.2f}"
        )


if __name__ == "__main__":
    main()
