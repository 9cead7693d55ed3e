"""Scenario run times on the shipped atlas.

Usage: ``.venv/bin/python benchmarks/scenarios.py [--repeat 5] [--atlas PATH]``. Prints the time
of one ``baseline-2025`` run (cold: first in the process; warm: median of the repeats) and the
time to run every shipped scenario, beside the targets (warm run <= 1 s; all scenarios <= 30 s).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from caravan.io.atlas import load_atlas
from caravan.io.scenario import list_scenarios, load_scenario
from caravan.pipeline import run_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scenario", default="baseline-2025")
    parser.add_argument("--atlas", default=None, help="atlas folder (default: the shipped one)")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
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
    names = [s["name"] for s in list_scenarios(atlas)]
    t = time.perf_counter()
    for name in names:
        t1 = time.perf_counter()
        run = run_scenario(name, atlas=atlas)
        print(
            f"  {name:32s} {time.perf_counter() - t1:6.3f} s  converged={run.summary['converged']}"
        )
    total = time.perf_counter() - t
    print(f"CPU time of the whole process: {time.process_time():.2f} s")
    print(
        f"all {len(names)} shipped scenarios: {total:.2f} s "
        f"(target <= 30 s: {'met' if total <= 30 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
