"""Freight user equilibrium (``method: ue``) on a shipped scenario: cold and warm runs, beside
the default ``sue`` and the queue-price scheme ``ue`` used before the column generation.

Usage: ``.venv/bin/python benchmarks/freight_ue.py [--scenario baseline-2025] [--repeat 3]
[--rounds 2] [--variants ue ue-rounds sue] [--before-src DIR] [--demand-factor 1]``.

Each variant runs in its own process (so its first run is cold: numba caches loaded, networks
compiled), once cold and ``--repeat`` times warm; the processes are interleaved (A, B, C, A, B,
C, ...) ``--rounds`` times so every variant sees the same machine load. Variants:

* ``ue``: ``method: ue`` as shipped (side-constrained equilibrium by column generation,
  :mod:`caravan.assign.side_constrained`);
* ``ue-rounds``: ``method: ue`` with the earlier scheme forced (queue-price rounds of Algorithm
  B equilibria, then their Dantzig-Wolfe mix: :func:`caravan.results.ue_capacity.price_rounds`,
  :func:`caravan.results.ue_capacity.mix_equilibria`), the "before" of issue 24 item 4;
* ``ue-before``: ``method: ue`` as another source tree has it (``--before-src DIR``, e.g. an
  export of an earlier commit: ``git archive 0ca3473 src | tar -x -C /tmp/before``, then
  ``--before-src /tmp/before/src``);
* ``sue``: the scenario's own method (path-size logit), for scale.

Every line gives wall and CPU time of a whole ``run_scenario`` call, the iterations, the
stopping value (relative gap for ``ue``: the largest over seasons; largest route-share change
for ``sue``), whether it converged, the fullest facility (volume / capacity, largest over
seasons) and the load average. ``--demand-factor F`` multiplies every flow by ``F`` (a stress
test).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any

VARIANTS = ("ue", "ue-rounds", "ue-before", "sue")


def _force_rounds() -> None:
    """Make ``method: ue`` use the queue-price rounds and the mix (the scheme before)."""
    import caravan.results.freight_ue as freight_ue
    import caravan.results.ue_capacity as uc

    def rounds(solver: Any, *, tolerance: float, gap: float) -> Any:
        del gap
        return uc.by_price_rounds(solver, tolerance=tolerance)

    freight_ue.constrained_equilibrium = rounds  # type: ignore[assignment]


def _child(args: argparse.Namespace) -> None:
    from caravan.io.atlas import load_atlas
    from caravan.io.scenario import load_scenario
    from caravan.model.scenario import AssignmentMethod, DemandScale
    from caravan.results.runs import run_scenario

    if args.child == "ue-rounds":
        _force_rounds()
    atlas = load_atlas()
    scenario = load_scenario(args.scenario, atlas)
    if args.child != "sue":
        settings = dataclasses.replace(scenario.assignment, method=AssignmentMethod.UE)
        scenario = dataclasses.replace(scenario, assignment=settings)
    if args.demand_factor != 1.0:
        scale = (
            *scenario.demand_scale,
            DemandScale(args.demand_factor, origin="benchmarks/freight_ue.py"),
        )
        scenario = dataclasses.replace(scenario, demand_scale=scale)
    runs = []
    for _ in range(args.repeat + 1):
        t, c = time.perf_counter(), time.process_time()
        result = run_scenario(scenario, atlas=atlas)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        s = result.summary
        seasons = s.get("seasons") or []
        ratios = [s["capacity"]["max_ratio"]] + [x["capacity"]["max_ratio"] for x in seasons]
        runs.append(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "method": s["method"],
                "iterations": s["iterations"],
                "stop_value": s.get("relative_gap", s.get("max_share_change")),
                "converged": s["converged"],
                "max_ratio": max(ratios),
                "over_capacity": len(s["capacity"]["over_capacity"]),
                "seasons": len(seasons),
                "load": os.getloadavg()[0],
            }
        )
        del result
    print(json.dumps(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="baseline-2025")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per process")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved processes per variant")
    parser.add_argument(
        "--variants", nargs="+", default=["ue", "ue-rounds", "sue"], choices=VARIANTS
    )
    parser.add_argument("--demand-factor", type=float, default=1.0)
    parser.add_argument("--before-src", default=None, help="source tree of variant ue-before")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f}; "
        f"{args.scenario}, demand x {args.demand_factor:g}, {args.rounds} process(es) per "
        f"variant, each 1 cold + {args.repeat} warm runs, interleaved"
    )
    warm: dict[str, list[tuple[float, float]]] = {v: [] for v in args.variants}
    cold: dict[str, list[tuple[float, float]]] = {v: [] for v in args.variants}
    for r in range(args.rounds):
        for variant in args.variants:
            cmd = [sys.executable, __file__, "--child", variant, "--scenario", args.scenario]
            cmd += ["--repeat", str(args.repeat), "--demand-factor", str(args.demand_factor)]
            env = dict(os.environ)
            if variant == "ue-before":
                if not args.before_src:
                    parser.error("variant ue-before needs --before-src")
                env["PYTHONPATH"] = args.before_src
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
            runs = json.loads(out.strip().splitlines()[-1])
            for i, run in enumerate(runs):
                label = "cold" if i == 0 else f"warm {i}"
                (cold if i == 0 else warm)[variant].append((run["wall_s"], run["cpu_s"]))
                print(
                    f"round {r + 1} {variant:9s} {label:6s} wall {run['wall_s']:6.2f} s, CPU "
                    f"{run['cpu_s']:6.2f} s; {run['iterations']:4d} it, stop "
                    f"{run['stop_value']:.2e} ({'converged' if run['converged'] else 'NOT'}), "
                    f"max v/c {run['max_ratio']:.3f}, {run['over_capacity']} over; "
                    f"{run['seasons']} seasons; load {run['load']:.1f}",
                    flush=True,
                )
    for variant in args.variants:
        w, c = warm[variant], cold[variant]
        if not w:
            continue
        print(
            f"{variant:9s} warm median of {len(w)}: wall {statistics.median(x for x, _ in w):.2f}"
            f" s, CPU {statistics.median(y for _, y in w):.2f} s; cold median of {len(c)}: wall "
            f"{statistics.median(x for x, _ in c):.2f} s, CPU "
            f"{statistics.median(y for _, y in c):.2f} s (target: <= 1 s warm)"
        )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
