"""Mutation fuzzing of the atlas and scenario readers: 10,000 cases, counts by outcome.

Usage: ``.venv/bin/python benchmarks/fuzz.py [--cases 10000] [--seed 1]``. Half the cases mutate
one file of the tiny test atlas and read it (``load_atlas``); half mutate one shipped scenario in
a copy of the shipped atlas, read it and apply it (``load_scenario`` + ``apply_scenario``). The
mutations and the outcome names are those of ``tests/faults/mutate.py``; a hang is a case that
takes over 20 s. Prints the counts by outcome and up to 20 cases that are not clear errors or
harmless acceptances.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from caravan.io.atlas import load_atlas, shipped_atlas_path
from caravan.io.scenario import load_scenario
from caravan.model.scenario import apply_scenario
from tests.faults.mutate import (
    NASTY,
    OPERATIONS,
    Mutation,
    apply_mutation,
    classify,
)

TINY = Path(__file__).resolve().parents[1] / "tests" / "data" / "tiny-atlas"
ORDER = ("clear error", "accepted", "silently accepted", "traceback", "internal error", "hang")


def _value(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(NASTY)
    alphabet = "0123456789.-+eE_:, abc\t'\"[]{}&*!#<>=@٣²"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"load before: {os.getloadavg()[0]:.1f} (1-min), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        tiny = Path(tmp) / "tiny"
        shutil.copytree(TINY, tiny)
        shipped = Path(tmp) / "shipped"
        shutil.copytree(shipped_atlas_path(), shipped)
        atlas = load_atlas(shipped)
        atlas_files = sorted(p.name for p in tiny.iterdir() if p.suffix in (".csv", ".yaml"))
        scenario_files = sorted(f"scenarios/{p.name}" for p in (shipped / "scenarios").iterdir())
        counts: dict[str, collections.Counter[str]] = {
            "atlas": collections.Counter(),
            "scenario": collections.Counter(),
        }
        odd: list[str] = []
        start = time.perf_counter()
        for case in range(args.cases):
            target = "atlas" if case % 2 == 0 else "scenario"
            folder = tiny if target == "atlas" else shipped
            files = atlas_files if target == "atlas" else scenario_files
            m = Mutation(
                rng.choice(files), rng.choice(OPERATIONS), rng.random(), rng.random(), _value(rng)
            )
            original = (folder / m.file).read_bytes()
            try:
                refuse = apply_mutation(folder, m)
                if target == "atlas":
                    outcome = classify(lambda: load_atlas(tiny), refuse=refuse)
                else:
                    name = Path(m.file).stem
                    outcome = classify(
                        lambda name=name: apply_scenario(atlas, load_scenario(name, atlas)),
                        refuse=refuse,
                    )
            finally:
                (folder / m.file).write_bytes(original)
            counts[target][outcome] += 1
            if outcome not in ("clear error", "accepted") and len(odd) < 20:
                odd.append(f"  {target}: {outcome}: {m}")
        elapsed = time.perf_counter() - start
    print(f"{args.cases} cases (seed {args.seed}) in {elapsed:.0f} s")
    print("| reader | " + " | ".join(ORDER) + " |")
    print("|---|" + "---|" * len(ORDER))
    for target, counter in counts.items():
        print(f"| {target} | " + " | ".join(str(counter[o]) for o in ORDER) + " |")
    total = counts["atlas"] + counts["scenario"]
    print("| total | " + " | ".join(str(total[o]) for o in ORDER) + " |")
    print("\n".join(odd) if odd else "no traceback, hang, internal error or silent acceptance")
    print(f"load after: {os.getloadavg()[0]:.1f} (1-min)")


if __name__ == "__main__":
    main()
