"""Ensemble throughput on the shipped atlas: draws per second with 1 and 2 workers.

Usage: ``.venv/bin/python benchmarks/ensemble.py [--draws 400] [--scenario kabul-corridor]
[--vs baseline-2025] [--dask] [--atlas PATH]``. Prints compile time, draws per second
in-process, with a process pool of 1 and 2 workers, and the scaling from 1 to 2 workers, beside
the targets (>= 1.7x scaling, >= 50 draws/s with 2 workers); with ``--dask`` also a local Dask
cluster of 2 workers, already running (its start-up and a warm-up run are timed apart), against
in-process per core (target >= 0.8x), and Dask's cost per task (empty tasks, and the same draws
as one task a draw against a few batched ones). The default of 400 draws keeps the whole run
to a few minutes on an idle 2-core machine.

Every line also gives the CPU time of the run (this process and its worker processes, user +
system): on a machine other jobs share, wall-time scaling says little, but draws per CPU second
show what the executor itself costs. The load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import time

from caravan.ensemble import executors
from caravan.ensemble.compile import EnsembleInputs, compile_ensemble
from caravan.ensemble.executors import draw_chunks, run_draws
from caravan.ensemble.spec import EnsembleSpec, spec_from_mapping
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (user + system)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--scenario", default="kabul-corridor")
    parser.add_argument("--vs", default="baseline-2025")
    parser.add_argument("--dask", action="store_true", help="also time a local Dask cluster")
    parser.add_argument("--atlas", default=None, help="atlas folder (default: the shipped one)")
    parser.add_argument("--json", help="write every measured line to this JSON-lines file")
    args = parser.parse_args()
    atlas = load_atlas(args.atlas)
    scenario = load_scenario(args.scenario, atlas)
    reference = load_scenario(args.vs, atlas) if args.vs else None
    base = spec_from_mapping(scenario.ensemble)
    spec = EnsembleSpec(
        draws=args.draws,
        seed=base.seed,
        distributions=base.distributions,
        project_completion=base.project_completion,
    )
    t0 = time.perf_counter()
    inputs = compile_ensemble(atlas, scenario, reference=reference, spec=spec)
    compile_s = time.perf_counter() - t0
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f"; load average at start {_load()}"
    )
    print(
        f"scenario {scenario.name} vs {args.vs}: {len(inputs.inputs)} uncertain inputs, "
        f"{sum(v.problem.routes.n_routes for s in inputs.scenarios for v in s.variants.values())} "
        f"routes in {sum(len(s.variants) for s in inputs.scenarios)} route sets; "
        f"compiled once in {compile_s:.2f} s"
    )
    records: list[dict[str, object]] = [
        {"label": "compile", "wall_s": compile_s, "load": os.getloadavg()[0]}
    ]
    rates = {}
    runs = [
        ("in-process", "in-process", 1),
        ("process pool, 1 worker", "process", 1),
        ("process pool, 2 workers", "process", 2),
    ]
    cpu_rates = {}
    for label, executor, workers in runs:
        t, c = time.perf_counter(), cpu_seconds()
        results = run_draws(inputs, executor=executor, workers=workers)
        seconds, cpu = time.perf_counter() - t, cpu_seconds() - c
        rates[label] = len(results) / seconds
        cpu_rates[label] = len(results) / cpu
        failed = sum(not r.ok for r in results)
        tasks = len(draw_chunks(len(results), executor, workers))
        records.append({"label": label, "draws": len(results), "wall_s": seconds, "cpu_s": cpu,
                        "tasks": tasks, "failed": failed, "load": os.getloadavg()[0]})  # fmt: skip
        print(
            f"{label:26s} {len(results)} draws in {seconds:6.2f} s = {rates[label]:7.1f} draws/s"
            f" ({failed} failed; {tasks} tasks); CPU {cpu:6.2f} s = {cpu_rates[label]:7.1f} "
            f"draws per CPU s; load {os.getloadavg()[0]:.1f}"
        )
    scaling = rates["process pool, 2 workers"] / rates["process pool, 1 worker"]
    print(f"scaling 1 -> 2 workers: {scaling:.2f}x (target >= 1.7x)")
    print(f"2 workers: {rates['process pool, 2 workers']:.1f} draws/s (target >= 50)")
    if args.dask:
        for line in running_cluster(inputs, rates["in-process"], records):
            print(line, flush=True)
    print(f"load average at end {_load()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec) + "\n")


def _tree_cpu_seconds() -> float:
    """CPU time of this process and of every live child process, children of children too."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def running_cluster(
    inputs: EnsembleInputs, in_process_rate: float, records: list[dict[str, object]]
) -> list[str]:
    """Dask on a local cluster of 2 workers that is already running, and Dask's cost per task.

    The cluster's start-up and a warm-up run (workers import Caravan, load numba's cache and
    receive the inputs once) are timed apart; then the same draws as the other executors, as
    batched tasks; then the cost per task twice: empty tasks (a round trip each) and the same
    draws as one task a draw against the batched tasks.
    """
    from dask.distributed import Client, LocalCluster

    lines = []
    t = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    )  # fmt: skip
    address = cluster.scheduler_address
    start_s = time.perf_counter() - t
    try:
        warm = dataclasses.replace(inputs, spec=dataclasses.replace(inputs.spec, draws=8))
        t = time.perf_counter()
        run_draws(warm, executor="dask", scheduler=address)
        warm_s = time.perf_counter() - t
        records.append({"label": "dask start", "wall_s": start_s, "warm_s": warm_s,
                        "load": os.getloadavg()[0]})  # fmt: skip
        lines.append(
            f"dask cluster (2 workers) started in {start_s:.2f} s; warm-up (8 draws: imports, "
            f"numba cache, inputs) {warm_s:.2f} s"
        )
        n = inputs.spec.draws
        for label, per_worker, chunk in (
            ("batched", executors.BATCHES_PER_WORKER, executors.CHUNK_DRAWS),
            ("1-draw tasks", n, 1),
        ):
            saved = executors.BATCHES_PER_WORKER, executors.CHUNK_DRAWS
            executors.BATCHES_PER_WORKER, executors.CHUNK_DRAWS = per_worker, chunk
            try:
                n_tasks = len(draw_chunks(n, "dask", 2))
                t, c = time.perf_counter(), _tree_cpu_seconds()
                results = run_draws(inputs, executor="dask", scheduler=address)
                seconds, cpu = time.perf_counter() - t, _tree_cpu_seconds() - c
            finally:
                executors.BATCHES_PER_WORKER, executors.CHUNK_DRAWS = saved
            rate = len(results) / seconds
            records.append({"label": f"dask running, {label}", "draws": len(results),
                            "wall_s": seconds, "cpu_s": cpu, "tasks": n_tasks,
                            "load": os.getloadavg()[0]})  # fmt: skip
            lines.append(
                f"dask, 2 workers, running cluster, {label}: {len(results)} draws in "
                f"{seconds:.2f} s = {rate:.1f} draws/s ({n_tasks} tasks); CPU {cpu:.2f} s = "
                f"{len(results) / cpu:.1f} draws per CPU s; per core / in-process "
                f"{rate / 2 / in_process_rate:.2f}x (target >= 0.8x); load "
                f"{os.getloadavg()[0]:.1f}"
            )
            if label == "batched":
                batched = (seconds, n_tasks)
            else:
                per_task = (seconds - batched[0]) / max(1, n_tasks - batched[1]) * 1e3
                records.append({"label": "dask per task (draw tasks)", "ms": per_task})
                lines.append(
                    f"dask cost per task from the two runs: {per_task:.1f} ms "
                    f"(({seconds:.2f} - {batched[0]:.2f}) s / ({n_tasks} - {batched[1]}) tasks)"
                )
        with Client(address) as client:
            n_empty = 200
            t = time.perf_counter()
            client.gather(client.map(_empty_task, range(n_empty), pure=False))
            empty_ms = (time.perf_counter() - t) / n_empty * 1e3
        records.append({"label": "dask per task (empty)", "ms": empty_ms})
        lines.append(f"dask, {n_empty} empty tasks: {empty_ms:.2f} ms per task")
    finally:
        cluster.close()
    return lines


def _empty_task(i: int) -> int:
    return i


if __name__ == "__main__":
    main()
