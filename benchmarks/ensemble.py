"""Ensemble throughput on the shipped atlas: draws per second with 1 and 2 workers.

Usage: ``.venv/bin/python benchmarks/ensemble.py [--draws 400] [--scenario kabul-corridor]
[--vs baseline-2025] [--dask] [--atlas PATH]``. Prints compile time, draws per second
in-process, with a process pool of 1 and 2 workers, and the scaling from 1 to 2 workers, beside
the targets (>= 1.7x scaling, >= 50 draws/s with 2 workers); with ``--dask`` also a local Dask
cluster of 2 workers against in-process per core (target >= 0.8x), both with the cluster's
start-up in the time and on a cluster already running, and Dask's cost per task.

Every line also gives the CPU time of the run (this process and its worker processes, user +
system): on a machine other jobs share, wall-time scaling says little, but draws per CPU second
show what the executor itself costs. The load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

from caravan.ensemble import executors
from caravan.ensemble.compile import EnsembleInputs, compile_ensemble
from caravan.ensemble.executors import batch_draws, run_draws
from caravan.ensemble.spec import EnsembleSpec, spec_from_mapping
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario


def run_draws_small_tasks(inputs: EnsembleInputs) -> str:
    """Dask's cost per task: one worker, the draws as 25-draw tasks, then as 4 tasks."""
    n = inputs.spec.draws
    times = {}
    for label, per_worker in (("small", n // executors.CHUNK_DRAWS), ("batched", 4)):
        saved = executors.BATCHES_PER_WORKER
        executors.BATCHES_PER_WORKER = per_worker
        try:
            t = time.perf_counter()
            run_draws(inputs, executor="dask", workers=1)
            times[label] = (time.perf_counter() - t, per_worker)
        finally:
            executors.BATCHES_PER_WORKER = saved
    (t_small, n_small), (t_big, n_big) = times["small"], times["batched"]
    overhead_ms = (t_small - t_big) / (n_small - n_big) * 1e3
    return (
        f"dask, 1 worker: {n_small} tasks {t_small:.2f} s, {n_big} tasks {t_big:.2f} s -> "
        f"{overhead_ms:.1f} ms per task"
    )


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
    parser.add_argument("--draws", type=int, default=20000)
    parser.add_argument("--scenario", default="kabul-corridor")
    parser.add_argument("--vs", default="baseline-2025")
    parser.add_argument("--dask", action="store_true", help="also time a local Dask cluster")
    parser.add_argument("--atlas", default=None, help="atlas folder (default: the shipped one)")
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
    rates = {}
    runs = [
        ("in-process", "in-process", 1),
        ("process pool, 1 worker", "process", 1),
        ("process pool, 2 workers", "process", 2),
    ]
    if args.dask:
        runs += [("dask, 2 workers", "dask", 2)]
    cpu_rates = {}
    for label, executor, workers in runs:
        t, c = time.perf_counter(), cpu_seconds()
        results = run_draws(inputs, executor=executor, workers=workers)
        seconds, cpu = time.perf_counter() - t, cpu_seconds() - c
        rates[label] = len(results) / seconds
        cpu_rates[label] = len(results) / cpu
        failed = sum(not r.ok for r in results)
        tasks = -(-len(results) // batch_draws(len(results), workers))
        print(
            f"{label:26s} {len(results)} draws in {seconds:6.2f} s = {rates[label]:7.1f} draws/s"
            f" ({failed} failed; {tasks} tasks); CPU {cpu:6.2f} s = {cpu_rates[label]:7.1f} "
            f"draws per CPU s; load {os.getloadavg()[0]:.1f}"
        )
    scaling = rates["process pool, 2 workers"] / rates["process pool, 1 worker"]
    print(f"scaling 1 -> 2 workers: {scaling:.2f}x (target >= 1.7x)")
    print(f"2 workers: {rates['process pool, 2 workers']:.1f} draws/s (target >= 50)")
    if args.dask:
        per_core = rates["dask, 2 workers"] / 2 / rates["in-process"]
        print(
            f"dask per core / in-process: {per_core:.2f}x (target >= 0.8x; the time includes "
            "starting the local cluster)"
        )
        print(running_cluster(inputs, rates["in-process"]))
        # per-task overhead: the same draws as many small tasks on one Dask worker
        small = run_draws_small_tasks(inputs)
        print(small)
    print(f"load average at end {_load()}")


def running_cluster(inputs: EnsembleInputs, in_process_rate: float) -> str:
    """Throughput of 2 Dask workers on a cluster already running (start-up timed apart)."""
    from dask.distributed import LocalCluster

    t = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    )  # fmt: skip
    start_s = time.perf_counter() - t
    try:
        t = time.perf_counter()
        results = run_draws(inputs, executor="dask", scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - t
    finally:
        cluster.close()
    rate = len(results) / seconds
    return (
        f"dask, 2 workers, cluster already running (started in {start_s:.2f} s): "
        f"{len(results)} draws in {seconds:.2f} s = {rate:.1f} draws/s; per core / in-process "
        f"{rate / 2 / in_process_rate:.2f}x; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
