"""Wall and CPU time of ``caravan claims check --json`` at a given number of draws.

    .venv/bin/python benchmarks/claims_check.py [--runs 2] [--draws 30 60] [--in-process]

Each run is a fresh child process (atlas load, scenario compiles, draws, routes); CPU time is the
user + system time of the child and its worker processes (``resource.getrusage(RUSAGE_CHILDREN)``),
which a busy machine stretches far less than wall time. The load average is printed before and
after each run. With ``--in-process`` every run is made twice, interleaved: as users run it (the
flow checks' scenarios settled on one worker per core) and with ``--in-process`` (all in one
process), so both see the same load.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARAVAN = Path(sys.executable).with_name("caravan")


def one_run(draws: int, *, in_process: bool = False) -> tuple[float, float, tuple[float, float]]:
    """Wall seconds, CPU seconds and the 1-minute load before and after one run."""
    before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    subprocess.run(
        [str(CARAVAN), "claims", "check", "--json", "--ensemble", str(draws)]
        + (["--in-process"] if in_process else []),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after_cpu.ru_utime - before_cpu.ru_utime) + (after_cpu.ru_stime - before_cpu.ru_stime)
    return wall, cpu, (load_before, os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--draws", type=int, nargs="+", default=[30])
    parser.add_argument(
        "--in-process", action="store_true", help="also time --in-process runs, interleaved"
    )
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    print("| draws | run | scenarios settled | wall s | CPU s | load 1-min before / after |")
    print("|---:|---:|---|---:|---:|---|")
    modes = (False, True) if args.in_process else (False,)
    for draws in args.draws:
        for i in range(1, args.runs + 1):
            for here in modes:
                wall, cpu, (lb, la) = one_run(draws, in_process=here)
                where = "in one process" if here else "on a worker per core"
                print(
                    f"| {draws} | {i} | {where} | {wall:.1f} | {cpu:.1f} | {lb:.1f} / {la:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
