"""Cold start of the ``caravan`` command: wall and CPU time of fresh processes, per command line.

Usage: ``.venv/bin/python benchmarks/cli_startup.py [--runs 5]``. Times each command line below
in ``--runs`` fresh processes (the ``caravan`` script beside this interpreter) and prints the
median wall and CPU seconds (user + system of the child), with the load average before and
after, so that a busy machine shows as such. ``caravan route`` is also timed by
``benchmarks/routing.py --cold-only``; this script adds the commands that need no atlas, whose
start-up is all import time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIOUX = Path(__file__).resolve().parents[1] / "tests" / "data" / "SiouxFalls"

COMMANDS = (
    ("--version",),
    ("tntp", "assign", str(SIOUX), "-a", "fw", "--max-iter", "2", "--json"),
    ("route", "xian", "duisburg"),
)


def cold(args: tuple[str, ...], runs: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of ``runs`` fresh ``caravan ARGS`` processes, and the
    largest exit code."""
    exe = Path(sys.executable).with_name("caravan")
    walls, cpus, codes = [], [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run([str(exe), *args], capture_output=True, check=False)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        codes.append(done.returncode)
    return statistics.median(walls), statistics.median(cpus), max(codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'command':<44} {'wall s':>7} {'CPU s':>7}  (medians of {args.runs})")
    for command in COMMANDS:
        load = os.getloadavg()[0]
        wall, cpu, code = cold(command, args.runs)
        label = "caravan " + " ".join(a if len(a) < 20 else Path(a).name for a in command)
        print(
            f"{label:<44} {wall:>7.2f} {cpu:>7.2f}  load {load:.1f} -> "
            f"{os.getloadavg()[0]:.1f}, exit {code}"
        )


if __name__ == "__main__":
    main()
