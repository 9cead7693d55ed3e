"""Routing speed on the shipped atlas: network build, least-cost and k=5 routes, a cold CLI call.

Usage: ``.venv/bin/python benchmarks/routing.py [--pairs 200] [--atlas PATH] [--cold FROM TO]
[--cold-runs 5] [--cold-only]``.
Prints the network build time, least-cost route p50/p95 and k=5 p50/p95 over random pairs of
cities and ports (warm: after one call has loaded the compiled numba kernel; the same with the
Python kernel for comparison), and the wall and CPU time (user + system, of the child process)
of a cold ``caravan route Tashkent Karachi`` process (median of ``--cold-runs``, with the load
average before and after; the command uses the Python kernel, which needs no start-up), beside the
targets (least-cost p50 <= 5 ms, k=5 p50 <= 50 ms, cold process <= 2 s). Each "route" call
includes the restriction mask for the pair, Yen's search with the overlap filter (k=1 also
finds the runner-up, for ``bypassed_countries``) and the breakdowns.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from caravan.errors import NoRouteError
from caravan.io.atlas import load_atlas
from caravan.network import build_network
from caravan.results.routes import find_routes


def _ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000.0, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--atlas", default=None, help="atlas folder (default: the shipped one)")
    parser.add_argument("--cold", nargs=2, default=["Tashkent", "Karachi"], metavar=("FROM", "TO"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cold-runs", type=int, default=5, help="cold CLI processes to time")
    parser.add_argument("--cold-only", action="store_true", help="time the cold CLI call only")
    args = parser.parse_args()
    if args.cold_only:
        print(_cold_line(args))
        return

    t0 = time.perf_counter()
    atlas = load_atlas(args.atlas)
    load_s = time.perf_counter() - t0
    builds = []
    for _ in range(5):
        t0 = time.perf_counter()
        net = build_network(atlas, year=2025, commodity="container")
        builds.append(time.perf_counter() - t0)

    nodes = atlas.nodes_frame
    places = sorted(nodes.loc[nodes["kind"].isin(["city", "port"]), "node_id"])
    rng = random.Random(args.seed)
    pairs = [tuple(rng.sample(places, 2)) for _ in range(args.pairs)]
    find_routes(net, pairs[0][0], pairs[0][1], k=2)  # warm: load the compiled kernel

    def timed(k: int, kernel: str = "numba") -> tuple[list[float], int]:
        times, failed = [], 0
        for o, d in pairs:
            t0 = time.perf_counter()
            try:
                find_routes(net, o, d, k=k, kernel=kernel)
            except NoRouteError:
                failed += 1
            times.append(time.perf_counter() - t0)
        return times, failed

    one, no_route = timed(1)
    five, _ = timed(5)
    one_py, _ = timed(1, "python")
    five_py, _ = timed(5, "python")

    summary = net.summary()
    print(
        f"atlas: {atlas.name} {atlas.version} ({len(nodes)} places, {len(atlas.links_frame)} links)"
    )
    print(
        f"network 2025/container: {summary['n_vnodes']} layer nodes, {summary['n_arcs']} arcs "
        f"({summary['n_transfer_arcs']} transfers); {len(pairs)} random city/port pairs, "
        f"{no_route} without a route"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print()
    print(f"{'measure':<38} {'value':>12}   target")
    print(f"{'atlas load':<38} {load_s * 1000:>9.1f} ms   -")
    print(f"{'network build (median of 5)':<38} {statistics.median(builds) * 1000:>9.1f} ms   -")
    print(f"{'least-cost route p50 (warm)':<38} {_ms(one, 50):>9.2f} ms   <= 5 ms")
    print(f"{'least-cost route p95 (warm)':<38} {_ms(one, 95):>9.2f} ms   -")
    print(f"{'k=5 routes p50 (warm)':<38} {_ms(five, 50):>9.2f} ms   <= 50 ms")
    print(f"{'k=5 routes p95 (warm)':<38} {_ms(five, 95):>9.2f} ms   -")
    py1 = f"{_ms(one_py, 50):.2f} / {_ms(one_py, 95):.2f} ms"
    print(f"{'least-cost p50 / p95, Python kernel':<38} {py1:>15}")
    py5 = f"{_ms(five_py, 50):.2f} / {_ms(five_py, 95):.2f} ms"
    print(f"{'k=5 p50 / p95, Python kernel':<38} {py5:>15}")
    print(_cold_line(args))


def _cold_line(args: argparse.Namespace) -> str:
    """Time ``caravan route FROM TO`` in fresh processes: median wall and CPU seconds."""
    exe = Path(sys.executable).with_name("caravan")
    cmd = [str(exe), "route", *args.cold] + (["--atlas", args.atlas] if args.atlas else [])
    load_before = os.getloadavg()[0]
    walls, cpus, codes = [], [], set()
    for _ in range(args.cold_runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, check=False)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        codes.add(done.returncode)
    load = f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    label = f"cold `caravan route {' '.join(args.cold)}`"
    return (
        f"{label:<38} {statistics.median(walls):>10.2f} s   <= 2 s wall; CPU "
        f"{statistics.median(cpus):.2f} s (medians of {args.cold_runs}, {load}, "
        f"exit {sorted(codes)})"
    )


if __name__ == "__main__":
    main()
