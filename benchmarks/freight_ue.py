"""Freight user equilibrium (``method: ue``) on a shipped scenario, engine by engine.

Usage: ``.venv/bin/python benchmarks/freight_ue.py [--scenario baseline-2025] [--repeat 3]
[--algorithms bfw b] [--gap 1e-4] [--demand-factor 1] [--max-iter N]``. Runs the scenario with
its assignment method set to ``ue`` (so the whole trade-based demand is settled by the
equilibrium engine), once cold and ``--repeat`` times warm per engine algorithm, and prints the
flows and routes, the wall and CPU time of a whole run and of the equilibrium alone
(``settle_ue``), the iterations and the relative gap; the load average is printed with every
line (the machine may be shared).
``--demand-factor F`` multiplies every flow by ``F`` (a stress test: at the shipped demand few
capacities bind).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import time
from typing import Any

import caravan.results.freight_ue as freight_ue
import caravan.results.ue_capacity as ue_capacity
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario
from caravan.model.scenario import AssignmentMethod, DemandScale
from caravan.results.runs import run_scenario

SETTLE: list[tuple[float, float, Any]] = []


def _timed_settle(original: Any) -> Any:
    def settle(*args: Any, **kwargs: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        out = original(*args, **kwargs)
        SETTLE.append((time.perf_counter() - t, time.process_time() - c, out))
        return out

    return settle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="baseline-2025")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--algorithms", nargs="+", default=["bfw", "b"])
    parser.add_argument("--gap", type=float, default=None, help="default: the scenario's")
    parser.add_argument("--demand-factor", type=float, default=1.0)
    parser.add_argument("--max-iter", type=int, default=None, help="default: the scenario's")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f}"
    )
    atlas = load_atlas()
    scenario = load_scenario(args.scenario, atlas)
    settings = dataclasses.replace(scenario.assignment, method=AssignmentMethod.UE)
    if args.gap is not None:
        settings = dataclasses.replace(settings, gap=args.gap)
    if args.max_iter is not None:
        settings = dataclasses.replace(settings, max_iter=args.max_iter)
    scale = scenario.demand_scale
    if args.demand_factor != 1.0:
        scale = (*scale, DemandScale(args.demand_factor, origin="benchmarks/freight_ue.py"))
    scenario = dataclasses.replace(scenario, assignment=settings, demand_scale=scale)
    print(
        f"{scenario.name}, method ue, gap {settings.gap:g}, max_iter {settings.max_iter}, "
        f"demand x {args.demand_factor:g}"
    )
    import caravan.results.methods as methods

    methods.settle_ue = _timed_settle(freight_ue.settle_ue)  # type: ignore[attr-defined]
    saved = ue_capacity.UE_ALGORITHM
    try:
        for algorithm in args.algorithms:
            ue_capacity.UE_ALGORITHM = algorithm
            walls, cpus = [], []
            for i in range(args.repeat + 1):
                SETTLE.clear()
                t, c = time.perf_counter(), time.process_time()
                result = run_scenario(scenario, atlas=atlas)
                wall, cpu = time.perf_counter() - t, time.process_time() - c
                s_wall, s_cpu, res = SETTLE[-1]
                label = "cold" if i == 0 else f"warm {i}"
                if i > 0:
                    walls.append(wall)
                    cpus.append(cpu)
                flows = len({r["flow_id"] for r in res.route_rows})
                print(
                    f"{algorithm:4s} {label:7s} run {wall:6.2f} s (CPU {cpu:5.2f}); settle_ue "
                    f"{s_wall:6.2f} s (CPU {s_cpu:5.2f}); {flows} flows, "
                    f"{len(res.route_rows)} routes, {res.iterations} it, gap "
                    f"{res.relative_gap:.2e} ({'converged' if res.converged else 'NOT converged'})"
                    f"; load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
                del result
            print(
                f"{algorithm:4s} warm median of {args.repeat}: run {statistics.median(walls):.2f} s"
                f" (CPU {statistics.median(cpus):.2f} s); target <= 1 s warm"
            )
    finally:
        ue_capacity.UE_ALGORITHM = saved


if __name__ == "__main__":
    main()
