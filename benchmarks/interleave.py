"""Run benchmark scripts on two checkouts, interleaved, and keep every output.

Usage: ``.venv/bin/python benchmarks/interleave.py --before DIR --after DIR [--runs 3]
[--out DIR] -- SCRIPT [ARGS] [-- SCRIPT [ARGS] ...]``. Each run takes each script in turn on the
``before`` checkout, then on the ``after`` one (the checkout's own copy of the script, with its
``src`` first on ``PYTHONPATH``, in this interpreter), so both see the same machine load. The
load average is printed before each run, and the run's wall time and CPU time (user + system of
the script's process and its children, which does not grow with the load as wall time does);
each output is written to ``OUT/<script>-<side>-<run>.txt`` and echoed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def _scripts(rest: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for word in rest:
        if word == "--":
            out.append([])
        elif out:
            out[-1].append(word)
    return [s for s in out if s]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("out/interleave"))
    parser.add_argument(
        "--after-atlas",
        default=None,
        help="also pass --atlas PATH to the scripts on the after side (the before side's own "
        "shipped atlas, say, when the two checkouts ship different atlases)",
    )
    args, rest = parser.parse_known_args()
    scripts = _scripts(rest)
    if not scripts:
        parser.error("name at least one script after --")
    args.out.mkdir(parents=True, exist_ok=True)
    for run in range(1, args.runs + 1):
        for script in scripts:
            for side, tree in (("before", args.before), ("after", args.after)):
                env = dict(os.environ, PYTHONPATH=str(tree.resolve() / "src"))
                extra = (
                    ["--atlas", args.after_atlas] if side == "after" and args.after_atlas else []
                )
                load = os.getloadavg()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, str(tree / script[0]), *script[1:], *extra],
                    cwd=tree,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                wall = time.perf_counter() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                head = (
                    f"# {' '.join([*script, *extra])} on {side} ({tree}), run {run}; "
                    f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
                    f"exit {done.returncode}; {wall:.1f} s wall, {cpu:.1f} s CPU"
                )
                text = f"{head}\n{done.stdout}{done.stderr[-2000:]}"
                name = f"{Path(script[0]).stem}-{side}-{run}.txt"
                (args.out / name).write_text(text, encoding="utf-8")
                print(text, flush=True)


if __name__ == "__main__":
    main()
