"""The fault table of the reliability issue, re-measured: every planted fault, every command.

Usage: ``.venv/bin/python benchmarks/faults.py [--in-process] [--timeout 120]``. Plants each fault
of ``tests/faults/catalogue.py`` into a fresh copy of the shipped atlas and runs ``caravan atlas
validate``, ``caravan route termez karachi`` and ``caravan run`` on it (each command that reads
what the fault breaks; scenario faults only affect ``run``), as a subprocess by default, then
prints the counts by outcome per command and every case that is not a clear error.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.catalogue import FAULTS
from tests.faults.outcome import (
    CLEAR,
    OUTCOMES,
    command_args,
    planted_copy,
    run_in_process,
    run_subprocess,
)

COMMANDS = ("validate", "route", "run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--in-process", action="store_true", help="Run commands in this process.")
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds before a hang.")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.1f} (1-min), {os.cpu_count()} cores")
    counts: dict[str, collections.Counter[str]] = {c: collections.Counter() for c in COMMANDS}
    odd: list[str] = []
    start = time.perf_counter()
    for fault in FAULTS:
        for command in fault.commands:
            with tempfile.TemporaryDirectory() as tmp:
                atlas = planted_copy(Path(tmp))
                fault.plant(atlas)
                argv = command_args(command, atlas, fault.scenario)
                if args.in_process:
                    outcome, output = run_in_process(
                        argv, env=fault.env, timeout_s=int(args.timeout)
                    )
                else:
                    outcome, output = run_subprocess(argv, env=fault.env, timeout_s=args.timeout)
            counts[command][outcome] += 1
            if outcome != CLEAR:
                odd.append(f"  {fault.fault_id} / {command}: {outcome}: {output[-300:]!r}")
    print(
        f"{len(FAULTS)} faults, {sum(sum(c.values()) for c in counts.values())} command runs "
        f"({'in-process' if args.in_process else 'subprocesses'}), "
        f"{time.perf_counter() - start:.0f} s"
    )
    print("| command | " + " | ".join(OUTCOMES) + " |")
    print("|---|" + "---|" * len(OUTCOMES))
    for command in COMMANDS:
        cells = " | ".join(str(counts[command][o]) for o in OUTCOMES)
        print(f"| `{command}` | {cells} |")
    print("\n".join(odd) if odd else "every case is a clear error")
    print(f"load after: {os.getloadavg()[0]:.1f} (1-min)")


if __name__ == "__main__":
    main()
