"""Run every benchmark and write ``benchmarks/RESULTS.md`` from their own printed output.

Usage: ``.venv/bin/python benchmarks/all.py [--out benchmarks/RESULTS.md] [--only NAME ...]
[--skip NAME ...] [--aeq-python PATH] [--quick]`` (``make bench`` runs it as shipped).

Each benchmark script below runs in its own child process, one after the other, never two at
once. For each, the file records the command line, the 1-minute load average before and after
(``os.getloadavg``), the wall time and the CPU time of the child and its own children (user +
system, ``resource.getrusage(RUSAGE_CHILDREN)``), its exit status, and its whole output,
verbatim. Nothing is typed in by hand, so every figure in the file can be checked by running the
same command again; on a machine other jobs share, compare CPU times and the ratios a script
measures interleaved, not wall times.

``--only`` / ``--skip`` choose benchmarks by name (the names are listed by ``--list``); a partial
run rewrites the sections it ran and keeps the others from the existing file. ``--quick`` runs
every script at a toy size, to check the runner itself: its figures mean nothing. The file is
written to a temporary sibling, then renamed over the old one.

Issue 15's comparison with commit ``f80a269`` (the code before the pipeline work) runs that
commit's own scripts on its own atlas, exported with ``git archive`` into a temporary folder,
and the current code on the same atlas (``benchmarks/interleave.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "RESULTS.md"
BEFORE_COMMIT = "f80a269"
_SECTION = re.compile(r"^## (?P<name>[a-z0-9-]+): ", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Bench:
    """One benchmark script, its arguments (full size and toy size) and what it shows."""

    name: str
    title: str
    shows: str
    script: str
    args: tuple[str, ...]
    quick_args: tuple[str, ...]
    needs_before: bool = False


def _suite(aeq_python: str | None) -> tuple[Bench, ...]:
    aeq = ("--aeq-python", aeq_python) if aeq_python else ("--no-aeq",)
    return (
        Bench(
            "routing",
            "Routing on the shipped atlas",
            "issue 16: warm least-cost p50 <= 5 ms, k = 5 p50 <= 50 ms, "
            "cold `caravan route` <= 2 s",
            "routing.py",
            ("--pairs", "100", "--cold-runs", "5"),
            ("--pairs", "5", "--cold-runs", "1"),
        ),
        Bench(
            "scenarios",
            "Scenario runs on the shipped atlas",
            "issue 17: a warm `baseline-2025` run <= 1 s, all shipped scenarios <= 30 s",
            "scenarios.py",
            ("--repeat", "3"),
            ("--repeat", "1"),
        ),
        Bench(
            "freight-ue",
            "Freight user equilibrium with capacities binding",
            "issue 24 item 4: `method: ue` warm <= 1 s at the shipped demand, capacities respected",
            "freight_ue.py",
            ("--repeat", "3", "--rounds", "2", "--variants", "ue", "sue"),
            ("--repeat", "1", "--rounds", "1", "--variants", "ue"),
        ),
        Bench(
            "ensemble",
            "Ensemble draws: in-process, process pool, Dask",
            "issue 24 item 5: 1 -> 2 workers >= 1.7x, Dask >= 0.8x in-process per core; "
            ">= 50 draws/s with 2 workers",
            "ensemble.py",
            ("--draws", "400", "--dask"),
            ("--draws", "4"),
        ),
        Bench(
            "issue15",
            f"Issue 15: the current code against {BEFORE_COMMIT} on {BEFORE_COMMIT}'s atlas",
            "issue 15: route, scenario and ensemble benchmarks no slower than before the "
            "pipeline work (runs interleaved: before, after, before, after)",
            "interleave.py",
            ("--runs", "2"),
            ("--runs", "1"),
            needs_before=True,
        ),
        Bench(
            "tntp",
            "Traffic assignment on TNTP networks against AequilibraE",
            "issue 24: gp and b against AequilibraE on Berlin-Center, time and peak memory",
            "issue24_quick.py",
            (*aeq, "--no-ensemble"),
            ("--no-aeq", "--no-ensemble", "--repeat", "1"),
        ),
        Bench(
            "cli-startup",
            "Cold start of the `caravan` command",
            "everyday use: start-up of commands that need no atlas",
            "cli_startup.py",
            ("--runs", "5"),
            ("--runs", "1"),
        ),
        Bench(
            "demo",
            "`caravan demo` (the job of `make demo`, without the install)",
            "issue 17: `make demo` under 3 minutes on a 2-core machine",
            "demo.py",
            (),
            (),
        ),
        Bench(
            "calibrate",
            "`caravan calibrate` on the shipped atlas",
            "issue 17: time of the origin-destination estimate and the fit it reaches",
            "calibrate.py",
            ("--runs", "1"),
            ("--runs", "1"),
        ),
        Bench(
            "claims",
            "`caravan claims check` over ensemble draws",
            "issue 19: every model check over 30 draws",
            "claims_check.py",
            ("--runs", "1", "--draws", "30"),
            ("--runs", "1", "--draws", "2"),
        ),
        Bench(
            "web",
            "Web app: routes under concurrent clients, load, ensemble flood, page load",
            "issue 22 and the web issue: route p95, summary p95, page p95 under a flood, "
            "exit time, "
            "page load to map ready",
            "web.py",
            ("--phases", "route,load,flood,page", "--page-loads", "3"),
            ("--phases", "route", "--seconds", "1", "--clients", "2"),
        ),
        Bench(
            "faults",
            "Planted faults, every command",
            "reliability: every planted fault ends in a clear error",
            "faults.py",
            ("--in-process",),
            ("--in-process",),
        ),
        Bench(
            "fuzz",
            "Mutation fuzzing of the atlas and scenario readers",
            "reliability: no traceback, hang or silent acceptance over 10,000 mutated files",
            "fuzz.py",
            ("--cases", "10000", "--seed", "1"),
            ("--cases", "10", "--seed", "1"),
        ),
        Bench(
            "import-osm",
            "OpenStreetMap import and routing on a synthetic grid",
            "scale: import, network build and least-cost paths at a million links",
            "import_osm.py",
            ("--junctions", "710", "--routes", "20"),
            ("--junctions", "20", "--routes", "2"),
        ),
    )


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one benchmark run printed and cost."""

    command: str
    output: str
    wall_s: float
    cpu_s: float
    load_before: float
    load_after: float
    returncode: int


def _run(argv: Sequence[str], *, cwd: Path) -> Outcome:
    load_before = os.getloadavg()[0]
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    wall_s = time.perf_counter() - started
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (usage_after.ru_utime - usage_before.ru_utime) + (
        usage_after.ru_stime - usage_before.ru_stime
    )
    shown = [a if not a.startswith(str(REPO)) else os.path.relpath(a, REPO) for a in argv]
    shown[0] = ".venv/bin/python" if argv[0] == sys.executable else shown[0]
    return Outcome(
        command=shlex.join(shown),
        output=done.stdout,
        wall_s=wall_s,
        cpu_s=cpu_s,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        returncode=done.returncode,
    )


def _before_tree(workdir: Path) -> Path:
    """Export commit ``BEFORE_COMMIT`` (its code, scripts and atlas) into ``workdir``."""
    tree = workdir / BEFORE_COMMIT
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", BEFORE_COMMIT], cwd=REPO, stdout=subprocess.PIPE, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def _argv(bench: Bench, *, quick: bool, workdir: Path) -> list[str]:
    args = list(bench.quick_args if quick else bench.args)
    script = str(REPO / "benchmarks" / bench.script)
    if not bench.needs_before:
        return [sys.executable, script, *args]
    before = _before_tree(workdir)
    atlas = before / "src" / "caravan" / "atlas" / "trans-eurasia"
    draws = "4" if quick else "400"
    repeat = "1" if quick else "3"
    return [
        sys.executable,
        script,
        "--before",
        str(before),
        "--after",
        str(REPO),
        "--after-atlas",
        str(atlas),
        "--out",
        str(workdir / "interleave"),
        *args,
        "--",
        "benchmarks/routing.py",
        "--pairs",
        "10" if quick else "100",
        "--",
        "benchmarks/scenarios.py",
        "--repeat",
        repeat,
        "--",
        "benchmarks/ensemble.py",
        "--draws",
        draws,
    ]


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, stdout=subprocess.PIPE, text=True)
    return done.stdout.strip()


def _machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        memory = f", {int(first[1]) / 1024**2:.1f} GiB memory"
    return f"{os.cpu_count()} cores ({model}){memory}, Python {platform.python_version()}"


def _section(bench: Bench, outcome: Outcome, *, when: str) -> str:
    status = "" if outcome.returncode == 0 else f" **exit status {outcome.returncode}**"
    return (
        f"## {bench.name}: {bench.title}\n\n"
        f"Shows: {bench.shows}.\n\n"
        f"Run {when}: `{outcome.command}`; wall {outcome.wall_s:.1f} s, CPU {outcome.cpu_s:.1f} s "
        f"(the script and its children), load average {outcome.load_before:.2f} before and "
        f"{outcome.load_after:.2f} after.{status}\n\n"
        f"```text\n{outcome.output.rstrip()}\n```\n"
    )


def _old_sections(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    text = path.read_text()
    marks = list(_SECTION.finditer(text))
    return {
        mark.group("name"): text[
            mark.start() : marks[i + 1].start() if i + 1 < len(marks) else None
        ]
        for i, mark in enumerate(marks)
    }


def _write(path: Path, suite: Sequence[Bench], sections: dict[str, str], *, quick: bool) -> None:
    head = _git("log", "-1", "--format=%h %s")
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain", "--", "src") else ""
    lines = [
        "# Benchmark results",
        "",
        "Written by `benchmarks/all.py` (`make bench`); every section below is a benchmark "
        "script's own output, copied verbatim, with the command that printed it, so each figure "
        "can be checked by running that command again. Do not edit by hand.",
        "",
        f"Code: `{head[:90]}`{dirty}. Machine: {_machine()}.",
        "",
        "The machine may be shared: the load average before and after each script is given, "
        "and CPU time beside wall time. Scripts that compare two things run them interleaved, "
        "so both see the same load.",
        "",
    ]
    if quick:
        lines += [
            "**A `--quick` run: toy sizes to check the runner; no figure here means anything.**",
            "",
        ]
    lines += [
        "| benchmark | wall s | CPU s | load before → after | exit |",
        "|---|---:|---:|---|---:|",
    ]
    for bench in suite:
        body = sections.get(bench.name)
        if body is None:
            continue
        found = re.search(
            r"wall (?P<w>[\d.]+) s, CPU (?P<c>[\d.]+) s .*?load average (?P<a>[\d.]+) before and "
            r"(?P<b>[\d.]+) after\.(?P<x> \*\*exit status (?P<code>-?\d+)\*\*)?",
            body,
        )
        if found:
            lines.append(
                f"| {bench.name} | {found['w']} | {found['c']} | "
                f"{found['a']} → {found['b']} | {found['code'] or 0} |"
            )
    lines.append("")
    for bench in suite:
        if bench.name in sections:
            lines.append(sections[bench.name].rstrip() + "\n")
    text = "\n".join(lines)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as handle:
        handle.write(text)
        temp = Path(handle.name)
    os.replace(temp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only", nargs="+", default=None, metavar="NAME")
    parser.add_argument("--skip", nargs="+", default=(), metavar="NAME")
    parser.add_argument("--aeq-python", default=None, help="a Python with aequilibrae")
    parser.add_argument("--quick", action="store_true", help="toy sizes (checks the runner)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args()
    suite = _suite(args.aeq_python)
    names = [bench.name for bench in suite]
    if args.list:
        for bench in suite:
            print(f"{bench.name:12} {bench.shows}")
        return 0
    unknown = sorted((set(args.only or ()) | set(args.skip)) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    chosen = [
        bench
        for bench in suite
        if (args.only is None or bench.name in args.only) and bench.name not in args.skip
    ]
    sections = {} if args.only is None and not args.skip else _old_sections(args.out)
    for number, bench in enumerate(chosen, 1):
        print(f"[{number}/{len(chosen)}] {bench.name}: {bench.title}", flush=True)
        with tempfile.TemporaryDirectory(prefix="caravan-bench-") as workdir:
            argv = _argv(bench, quick=args.quick, workdir=Path(workdir))
            when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            outcome = _run(argv, cwd=REPO)
        sections[bench.name] = _section(bench, outcome, when=when)
        print(
            f"    wall {outcome.wall_s:.1f} s, CPU {outcome.cpu_s:.1f} s, "
            f"load {outcome.load_before:.2f} -> {outcome.load_after:.2f}, "
            f"exit {outcome.returncode}",
            flush=True,
        )
        _write(args.out, suite, sections, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
