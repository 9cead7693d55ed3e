"""CPU and wall time of ``caravan demo`` (the main job of ``make demo``), in this process.

Usage: ``.venv/bin/python benchmarks/demo.py [--out DIR]``. Runs the demo once (validate the
shipped atlas, plan the example routes, compare every shipped scenario with ``baseline-2025``,
write the analyst brief with its ensemble), its printed output sent to a null device, and prints
wall time, CPU time of this process and the load average before and after. To compare two
checkouts under the same load, run it through ``benchmarks/interleave.py``.

``--brief-comparison N`` instead times, N times, what the demo's brief used to repeat: the
comparison of its two scenarios on a pipeline of its own (routing both afresh).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from pathlib import Path

from caravan.briefs import DEMO_COMPARISON
from caravan.cli._demo import demo
from caravan.io.atlas import load_atlas
from caravan.pipeline import Pipeline


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="folder for the brief (a temp one)")
    parser.add_argument("--brief-comparison", type=int, default=0, metavar="N")
    args = parser.parse_args()
    print(f"load average at the start: {_load()}")
    if args.brief_comparison:
        atlas = load_atlas()
        for i in range(args.brief_comparison):
            started, cpu = time.perf_counter(), time.process_time()
            Pipeline(atlas).compare(*DEMO_COMPARISON)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"{' vs '.join(DEMO_COMPARISON)} on a new pipeline, run {i + 1}: ", end="")
            print(f"wall {wall:.1f} s, CPU {cpu:.1f} s; load {_load()}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out if args.out is not None else Path(tmp)
        started, cpu = time.perf_counter(), time.process_time()
        with (
            open(os.devnull, "w", encoding="utf-8") as null,
            contextlib.redirect_stdout(null),
            contextlib.redirect_stderr(null),
        ):
            demo(out=out)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        briefs = sorted(p.name for p in out.glob("brief-*.html"))
    print(f"load average at the end: {_load()}")
    print(f"caravan demo: wall {wall:.1f} s, CPU {cpu:.1f} s; brief written: {', '.join(briefs)}")


if __name__ == "__main__":
    main()
