"""Scenario run times on the shipped atlas.

Usage: ``.venv/bin/python benchmarks/scenarios.py [--repeat 5] [--atlas PATH]``. Prints the time
of one ``baseline-2025`` run (cold: first in the process; warm: median of the repeats, each a
whole run with nothing kept from the run before, as ``caravan run`` does), the time of a re-run
on a pipeline that keeps the scenario's world, networks and route sets (as the web app and a
study do), and the time to run every shipped scenario, beside the targets (warm run <= 1 s; all
scenarios <= 30 s). Wall and CPU time are given side by side, with the load average: on a
shared machine the wall time is mostly waiting.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from caravan.io.atlas import load_atlas
from caravan.io.scenario import list_scenarios, load_scenario
from caravan.pipeline import Pipeline, run_scenario


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scenario", default="baseline-2025")
    parser.add_argument("--atlas", default=None, help="atlas folder (default: the shipped one)")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average at the start: {_load()}")
    t = time.perf_counter()
    atlas = load_atlas(args.atlas)
    print(f"load atlas: {time.perf_counter() - t:.3f} s")
    scenario = load_scenario(args.scenario, atlas)
    t = time.perf_counter()
    first = run_scenario(scenario, atlas=atlas)
    cold = time.perf_counter() - t
    times = []
    cpu = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        c = time.process_time()
        run_scenario(scenario, atlas=atlas)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    warm = statistics.median(times)
    print(f"load average before the warm runs: {os.getloadavg()[0]:.2f}")
    print(
        f"{args.scenario}: {first.summary['flows']} flows, {first.summary['routes']} routes; "
        f"cold {cold:.3f} s, warm median {warm:.3f} s (CPU {statistics.median(cpu):.3f} s) "
        f"over {args.repeat} "
        f"(target <= 1 s: {'met' if warm <= 1 else 'MISSED'})"
    )
    if hasattr(Pipeline, "run"):
        pipeline = Pipeline(atlas)
        pipeline.run(scenario)
        p_times, p_cpu = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            c = time.process_time()
            pipeline.run(scenario)
            p_times.append(time.perf_counter() - t)
            p_cpu.append(time.process_time() - c)
        print(
            f"{args.scenario} re-run on a pipeline (world, networks and route sets kept; "
            f"settled again): median {statistics.median(p_times):.3f} s "
            f"(CPU {statistics.median(p_cpu):.3f} s) over {args.repeat}"
        )
    names = [s["name"] for s in list_scenarios(atlas)]
    t = time.perf_counter()
    c = time.process_time()
    for name in names:
        t1 = time.perf_counter()
        c1 = time.process_time()
        run = run_scenario(name, atlas=atlas)
        print(
            f"  {name:32s} {time.perf_counter() - t1:6.3f} s  CPU {time.process_time() - c1:6.3f} s"
            f"  converged={run.summary['converged']}"
        )
    total = time.perf_counter() - t
    total_cpu = time.process_time() - c
    print(f"CPU time of the whole process: {time.process_time():.2f} s")
    print(f"load average at the end: {_load()}")
    print(
        f"all {len(names)} shipped scenarios: {total:.2f} s (CPU {total_cpu:.2f} s) "
        f"(target <= 30 s: {'met' if total <= 30 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
