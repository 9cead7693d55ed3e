"""Caravan against AequilibraE on the TNTP networks, in one run, on the same machine.

Usage (from the repository root)::

    .venv/bin/python benchmarks/tntp.py [--networks SiouxFalls Anaheim ChicagoSketch Barcelona
        Berlin-Center] [--gaps 1e-4 1e-6] [--precision] [--floor-grid 250] [--cli]
        [--synthetic SIDE ZONES] [--memory 3] [--aeq-python PATH] [--json results.jsonl]

AequilibraE runs in an interpreter of its own, given by ``--aeq-python PATH`` (needed for the runs
and memory sections; ``--gaps`` with no value and no ``--memory`` leave AequilibraE out). Make it
once with ``python3 -m venv benchmarks/.aeq-venv && benchmarks/.aeq-venv/bin/pip install
aequilibrae scipy``, then pass ``--aeq-python benchmarks/.aeq-venv/bin/python``; the script runs
``../shared/tools/aeq_bench.py`` there. Every solver
run is a separate child process, so its peak memory (``ru_maxrss`` from ``os.wait4``) and time
are its own (the parent stays small: Linux starts a child's ``ru_maxrss`` at its parent's); runs
of the two tools alternate. Times are of the assignment call only
(AequilibraE: ``TrafficAssignment.execute``; Caravan: ``caravan.assign.assign``, after a warm-up
on a tiny network so that numba's on-disk cache is loaded). Every solution's relative gap is
recomputed at its final flows by the same code, ``aeq_bench.evaluate`` (scipy Dijkstra from all
zones, honouring ``<FIRST THRU NODE>``). The TNTP folder comes from ``CARAVAN_TNTP_DIR`` (default
``../shared/data/tntp``).

Sections:

* **floor** (always): one all-origins shortest-path pass on one thread (``NUMBA_NUM_THREADS=1``)
  against scipy's ``dijkstra`` from all zones with predecessors on the graph ``aeq_bench`` builds,
  in one process, interleaved, minimum of ``--repeat``; CPU time (``time.process_time``), which a
  busy machine inflates less than wall time. ``--floor-grid SIDE`` adds the synthetic grid of
  ``benchmarks/synthetic_grid.py`` (``SIDE`` 250: 249,400 links).
* **runs**: AequilibraE BFW and Caravan (``--algorithms``, default gp; ``b`` is Algorithm B) at
  each ``--gaps`` target, with Caravan's CPU time of the call and each child's whole CPU time;
  with ``--cli`` also ``caravan tntp assign --json`` as a child (whole-command wall time and peak).
* **precision** (``--precision``): each of ``--algorithms`` alone to 1e-10 on Berlin-Center and
  1e-12 on the others, gap rescored, TSTT against the best known.
* **memory** (``--memory R``): peak RSS only, ``R`` rounds, interleaved within each round:
  AequilibraE BFW to ``--memory-aeq-gap`` (default 1e-4; its peak is reached while it builds
  its graph and matrices, whatever the target), then for each of ``--algorithms`` the library
  call (``caravan.assign.assign``) to each of ``--memory-gaps`` (default 1e-6 1e-10 on
  Berlin-Center, 1e-6 1e-12 elsewhere) and the whole ``caravan tntp assign --algorithm A``
  command to the first of them; a table of min–max per network follows. ``--before-src DIR``
  adds, interleaved, the same runs with ``caravan`` imported from ``DIR`` (an older ``src``).
* **synthetic** (``--synthetic SIDE ZONES``): one Caravan assignment of a large grid to 1e-4, time
  and peak memory printed; each zone sends trips to its ``--synthetic-nearest`` closest zones
  (default 50; 0 for all).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the checkout (or beside the folder of worktrees)
SHARED = next(
    (p / "shared" for p in REPO.parents if (p / "shared").is_dir()), REPO.parent / "shared"
)
AEQ_BENCH = SHARED / "tools" / "aeq_bench.py"
#: How to make AequilibraE's interpreter, said when it is missing.
AEQ_HOW_TO = (
    "make one with `python3 -m venv benchmarks/.aeq-venv && "
    "benchmarks/.aeq-venv/bin/pip install aequilibrae scipy` and pass "
    "--aeq-python benchmarks/.aeq-venv/bin/python"
)
NETWORKS = ["SiouxFalls", "Anaheim", "ChicagoSketch", "Barcelona", "Berlin-Center"]
PRECISION = {"Berlin-Center": 1e-10}  # the others: 1e-12


def tntp_dir() -> Path:
    return Path(os.environ.get("CARAVAN_TNTP_DIR", SHARED / "data" / "tntp"))


#: CPU seconds (user + system) of the last child run_child waited for, whole process.
LAST_CHILD_CPU_S = [0.0]


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run a command; return its stdout, wall seconds and peak resident memory in MB.

    The child's CPU time (user + system, the whole process) is left in ``LAST_CHILD_CPU_S``.
    """
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        LAST_CHILD_CPU_S[0] = usage.ru_utime + usage.ru_stime
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        out.seek(0)
        text = out.read().decode()
        if code != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.read().decode()[-3000:]}")
    return text, time.perf_counter() - t0, usage.ru_maxrss / 1024.0


def aeq_python_of(python: Path | None, *, skip_hint: str) -> Path:
    """AequilibraE's interpreter, checked: ``python`` must run and import aequilibrae and scipy.

    Otherwise exits (status 1) saying what is wrong and how to make one; ``skip_hint`` says how
    to run the benchmark without AequilibraE.
    """
    if python is None:
        problem = "AequilibraE's interpreter is not given (--aeq-python PATH)"
    elif not python.is_file():
        problem = f"--aeq-python {python}: no such file"
    else:
        probe = subprocess.run(
            [str(python), "-c", "import aequilibrae, scipy"], capture_output=True, text=True
        )
        if probe.returncode == 0:
            return python
        last = (probe.stderr.strip().splitlines() or ["it does not run"])[-1]
        problem = f"--aeq-python {python} cannot import aequilibrae and scipy ({last})"
    raise SystemExit(f"error: {problem}; {AEQ_HOW_TO}, or {skip_hint}")


def _aeq_bench():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(AEQ_BENCH.parent))
    import aeq_bench

    return aeq_bench


class _NoOverrides:
    toll_factor = None
    distance_factor = None


# ------------------------------------------------------------------------ children: caravan
def caravan_worker(netdir: str, algorithm: str, gap: float, max_iter: int, flows: str) -> None:
    import numpy as np

    from caravan.assign import AssignmentNetwork, DemandClass, assign
    from caravan.assign.tntp import tntp_problem
    from caravan.io.tntp import read_tntp_dir

    warm = AssignmentNetwork.from_links(
        [0, 0], [1, 1], [1.0, 2.0], [1.0, 1.0], [0.15, 0.15], [4.0, 4.0], n_nodes=2, n_zones=2
    )
    assign(warm, [DemandClass("w", np.array([[0.0, 1.0], [0.0, 0.0]]))], algorithm=algorithm)
    data = read_tntp_dir(netdir)
    problem = tntp_problem(data)
    t0, c0 = time.perf_counter(), time.process_time()
    result = assign(
        problem.network, [problem.demand_class], algorithm=algorithm, gap=gap, max_iter=max_iter
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.save(flows, np.asarray(result.total_flow))
    best = problem.best_known_tstt
    rec = {
        "solver": "caravan",
        "network": data.name,
        "algorithm": algorithm,
        "target_gap": gap,
        "wall_s": wall,
        "cpu_s": cpu,
        "iterations": result.iterations,
        "caravan_gap": result.relative_gap,
        "rel_diff_tstt": (result.tstt - best) / best if best else None,
    }
    print(json.dumps(rec))


def floor_worker(netdir: str, repeat: int) -> None:
    """One thread: scipy's all-zones Dijkstra against Caravan's tree pass and AoN, interleaved."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    from caravan.assign import all_or_nothing
    from caravan.assign.tntp import tntp_problem
    from caravan.io.tntp import read_tntp_dir
    from caravan.routing.trees import trees_kernel

    aeq_bench = _aeq_bench()
    d = aeq_bench.load(netdir, _NoOverrides())
    floor = d["floor"]
    problem = tntp_problem(read_tntp_dir(netdir))
    net, klass = problem.network, problem.demand_class
    fixed = klass.fixed_cost if klass.fixed_cost is not None else 0.0
    cost = np.asarray(net.free_flow_time + fixed)
    graph = floor.matrix(d["net"]["free_flow_time"].values + d["fixed"])
    sg = net.search_graph
    origins = np.arange(net.n_zones, dtype=np.int64)
    dist = np.empty((origins.size, sg.n_nodes))
    pred = np.empty((origins.size, sg.n_nodes), np.int64)

    def tree_pass() -> None:
        entry_cost = sg.entry_cost(cost)
        trees_kernel(
            sg.indptr, sg.head, entry_cost, sg.blocked_node_mask, origins, dist, pred,
            parallel=False,
        )  # fmt: skip

    def aon() -> None:
        all_or_nothing(net, cost, klass.demand)

    def scipy_pass() -> None:
        dijkstra(graph, directed=True, indices=floor.sources, return_predecessors=True)

    runs = {"scipy": scipy_pass, "tree": tree_pass, "aon": aon}
    for fn in runs.values():  # warm-up (numba cache, scipy)
        fn()
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    wall: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeat):
        for name, fn in runs.items():
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    rec = {
        "kind": "floor",
        "network": d["name"],
        "links": net.n_links,
        "nodes": net.n_nodes,
        "zones": net.n_zones,
        "search_nodes": sg.n_nodes,
        "search_entries": sg.n_entries,
        "repeat": repeat,
    }
    for name in runs:
        rec[f"{name}_cpu_s"] = min(cpu[name])
        rec[f"{name}_wall_s"] = min(wall[name])
    print(json.dumps(rec))


def synthetic_worker(side: int, n_zones: int, algorithm: str, gap: float, nearest: int) -> None:
    import numpy as np
    from synthetic_grid import grid_network

    from caravan.assign import AssignmentNetwork, DemandClass, assign

    t0 = time.perf_counter()
    tn, demand = grid_network(side, n_zones, nearest=nearest or None)
    net = AssignmentNetwork.from_links(
        tn.init_node - 1, tn.term_node - 1, tn.free_flow_time, tn.capacity, tn.b, tn.power,
        n_nodes=tn.n_nodes, n_zones=tn.n_zones, first_thru_node_idx=tn.first_thru_node - 1,
    )  # fmt: skip
    build_s = time.perf_counter() - t0
    its: list[tuple[int, float, float]] = []
    t1 = time.perf_counter()

    def progress(i: int, g: float) -> None:
        its.append((i, g, time.perf_counter() - t1))
        print(f"#   iteration {i}: gap {g:.3e} at {its[-1][2]:.1f} s", file=sys.stderr, flush=True)

    result = assign(
        net, [DemandClass("all", demand)], algorithm=algorithm, gap=gap, progress=progress
    )
    rec = {
        "kind": "synthetic",
        "links": net.n_links,
        "nodes": net.n_nodes,
        "zones": n_zones,
        "od_pairs": int(np.count_nonzero(demand)),
        "algorithm": algorithm,
        "target_gap": gap,
        "gap": result.relative_gap,
        "iterations": result.iterations,
        "build_s": build_s,
        "assign_s": time.perf_counter() - t1,
        "peak_mb_in_child": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    print(json.dumps(rec))


def independent_gap(netdir: str, flows_npy: str) -> float:
    """Relative gap of link flows by ``aeq_bench.evaluate``, the code that scores AequilibraE."""
    import numpy as np

    aeq_bench = _aeq_bench()
    d = aeq_bench.load(netdir, _NoOverrides())
    return float(aeq_bench.evaluate(d, np.load(flows_npy))["gap"])


# ------------------------------------------------------------------------------ parent
def _floor(me: list[str], netdir: str, repeat: int, records: list[dict[str, object]]) -> None:
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out, _, _ = run_child([*me, "--worker", "floor", netdir, str(repeat)], env=env)
    rec = json.loads(out)
    records.append(rec)
    s = rec["scipy_cpu_s"]
    print(
        f"{rec['network']:14s} {rec['links']:7d} links {rec['zones']:4d} zones "
        f"(search graph {rec['search_nodes']} nodes, {rec['search_entries']} entries) | "
        f"scipy {s * 1e3:8.1f} ms | tree pass {rec['tree_cpu_s'] * 1e3:8.1f} ms "
        f"= {rec['tree_cpu_s'] / s:.2f}x | AoN {rec['aon_cpu_s'] * 1e3:8.1f} ms "
        f"= {rec['aon_cpu_s'] / s:.2f}x   (CPU time, 1 thread, min of {rec['repeat']}; wall "
        f"{rec['scipy_wall_s'] * 1e3:.1f} / {rec['tree_wall_s'] * 1e3:.1f} / "
        f"{rec['aon_wall_s'] * 1e3:.1f} ms)",
        flush=True,
    )


def _src_env(src: Path | None) -> dict[str, str] | None:
    """The environment of a child that imports caravan from ``src`` (None: this checkout's)."""
    return None if src is None else {**os.environ, "PYTHONPATH": str(src)}


def _caravan_run(
    me: list[str], netdir: str, algorithm: str, gap: float, max_iter: int,
    src: Path | None = None,
) -> dict[str, object]:  # fmt: skip
    with tempfile.TemporaryDirectory() as tmpdir:
        flows = str(Path(tmpdir) / "flows.npy")
        out, _, car_mb = run_child(
            [*me, "--worker", "caravan", netdir, algorithm, str(gap), str(max_iter), flows],
            env=_src_env(src),
        )
        car: dict[str, object] = json.loads(out)
        car["child_cpu_s"] = LAST_CHILD_CPU_S[0]
        # in a child: a parent grown by pandas would raise every later child's ru_maxrss, which
        # Linux carries over from the parent at fork and exec
        gap_out, _, _ = run_child([*me, "--worker", "gap", netdir, flows])
        car["gap"] = float(gap_out)
    car.update({"peak_mb": car_mb, "kind": "run"})
    return car


def _cli_run(
    netdir: str, gap: float, algorithm: str = "gp", src: Path | None = None
) -> dict[str, object]:
    caravan = Path(sys.executable).parent / "caravan"
    cmd = [str(caravan), "tntp", "assign", netdir, "--gap", str(gap), "--algorithm", algorithm,
           "--json"]  # fmt: skip
    out, wall, mb = run_child(cmd, env=_src_env(src))
    summary = json.loads(out)
    return {"kind": "cli", "network": summary["network"], "target_gap": gap, "wall_s": wall,
            "peak_mb": mb, "caravan_gap": summary["relative_gap"], "algorithm": algorithm,
            "child_cpu_s": LAST_CHILD_CPU_S[0]}  # fmt: skip


def _memory(
    me: list[str], dirs: dict[str, Path], args: argparse.Namespace, aeq_python: Path,
    records: list[dict[str, object]],
) -> None:  # fmt: skip
    """Peak RSS of AequilibraE, the library call and the CLI, ``args.memory`` rounds each."""
    print(f"## memory: peak RSS of each child, {args.memory} rounds, interleaved", flush=True)
    peaks: dict[tuple[str, str], list[float]] = {}
    runs: dict[tuple[str, str, float], list[dict[str, object]]] = {}
    sources: list[Path | None] = [args.before_src, None] if args.before_src else [None]
    solvers = [(a, src) for a in args.algorithms for src in sources]
    labels = [a if src is None else f"{a}@before" for a, src in solvers]
    for name, d in dirs.items():
        netdir = str(d)
        gaps = args.memory_gaps or [1e-6, PRECISION.get(name, 1e-12)]
        for r in range(args.memory):
            with tempfile.NamedTemporaryFile(suffix=".jsonl") as tmp:
                _, _, mb = run_child([str(aeq_python), str(AEQ_BENCH), netdir, "--algo", "bfw",
                                      "--gap", str(args.memory_aeq_gap), "--max-iter",
                                      str(args.max_iter), "--json", tmp.name])  # fmt: skip
                aeq = json.loads(Path(tmp.name).read_text().splitlines()[0])
            peaks.setdefault((name, "AequilibraE"), []).append(mb)
            records.append({**aeq, "solver": "aequilibrae", "peak_mb": mb, "kind": "memory"})
            line = [f"AequilibraE {mb:.0f} (gap {aeq['gap']:.1e})"]
            for algorithm, src in solvers:
                label = algorithm if src is None else f"{algorithm}@before"
                for gap in gaps:
                    car = _caravan_run(me, netdir, algorithm, gap, args.max_iter, src)
                    records.append({**car, "kind": "memory", "label": label})
                    runs.setdefault((name, label, gap), []).append(car)
                    peaks.setdefault((name, f"{label} library"), []).append(
                        float(car["peak_mb"])  # type: ignore[arg-type]
                    )
                    line.append(
                        f"{label} {gap:.0e} {car['peak_mb']:.0f} ({_fmt(car['wall_s'], '.2f')} s,"
                        f" CPU {_fmt(car['cpu_s'], '.2f')}, {car['iterations']} it, gap "
                        f"{_fmt(car['gap'], '.1e')})"
                    )
                cli = _cli_run(netdir, gaps[0], algorithm, src)
                records.append({**cli, "kind": "memory", "label": label})
                peaks.setdefault((name, f"{label} CLI"), []).append(float(cli["peak_mb"]))  # type: ignore[arg-type]
                line.append(f"{label} CLI {cli['peak_mb']:.0f} ({cli['wall_s']:.2f} s)")
            print(
                f"{name:13s} round {r + 1}: " + "; ".join(line) + f" MB | load "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
    kinds = ["AequilibraE"] + [f"{a} {k}" for a in labels for k in ("library", "CLI")]
    print("| network | " + " | ".join(f"{k} MB" for k in kinds) + " | all below AequilibraE |")
    print("|---|" + "---:|" * len(kinds) + "---|")
    for name in dirs:
        aeq_min = min(peaks[(name, "AequilibraE")])
        ours_max = max(max(peaks[(name, k)]) for k in kinds[1:] if "@before" not in k)
        cells = [f"{min(peaks[(name, k)]):.0f}–{max(peaks[(name, k)]):.0f}" for k in kinds]
        print(f"| {name} | " + " | ".join(cells) + f" | {'yes' if ours_max < aeq_min else 'no'} |")
    print("\n| network | target | solver | CPU s (min) | wall s (min) | it | gap (rescored, max) |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for (name, label, gap), cars in runs.items():
        cpu = min(float(c["cpu_s"]) for c in cars)  # type: ignore[arg-type]
        wall = min(float(c["wall_s"]) for c in cars)  # type: ignore[arg-type]
        its = sorted({str(c["iterations"]) for c in cars})
        worst = max(float(c["gap"]) for c in cars)  # type: ignore[arg-type]
        print(f"| {name} | {gap:.0e} | {label} | {cpu:.2f} | {wall:.2f} | {'/'.join(its)} | "
              f"{worst:.1e} |")  # fmt: skip


def _fmt(x: object, spec: str) -> str:
    return format(x, spec) if isinstance(x, (int, float)) else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--networks", nargs="+", default=NETWORKS)
    ap.add_argument("--gaps", nargs="*", type=float, default=[1e-4, 1e-6])
    ap.add_argument("--algorithms", nargs="+", default=["gp"])
    ap.add_argument("--max-iter", type=int, default=1000, help="iteration cap of every run")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--floor-grid", type=int, default=0, help="also a SIDE x SIDE grid floor")
    ap.add_argument("--precision", action="store_true")
    ap.add_argument("--cli", action="store_true")
    ap.add_argument("--synthetic", nargs=2, type=int, metavar=("SIDE", "ZONES"))
    ap.add_argument("--synthetic-algorithm", default="gp")
    ap.add_argument(
        "--synthetic-nearest", type=int, default=50, help="destinations per zone (0: all zones)"
    )
    ap.add_argument("--memory", type=int, default=0, help="rounds of the memory section")
    ap.add_argument("--memory-gaps", nargs="*", type=float, help="Caravan targets (memory)")
    ap.add_argument("--memory-aeq-gap", type=float, default=1e-4, help="AequilibraE's target")
    ap.add_argument(
        "--before-src", type=Path, help="memory: also each algorithm with caravan from this src"
    )
    ap.add_argument(
        "--aeq-python",
        type=Path,
        help="a Python with aequilibrae and scipy (needed by the runs and memory sections)",
    )
    ap.add_argument("--json", help="append every record to this JSON-lines file")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        if kind == "caravan":
            caravan_worker(rest[0], rest[1], float(rest[2]), int(rest[3]), rest[4])
        elif kind == "gap":
            print(repr(independent_gap(rest[0], rest[1])))
        elif kind == "floor":
            floor_worker(rest[0], int(rest[1]))
        else:
            synthetic_worker(int(rest[0]), int(rest[1]), rest[2], float(rest[3]), int(rest[4]))
        return 0

    me = [sys.executable, str(Path(__file__).resolve())]
    records: list[dict[str, object]] = []
    aeq_python = (
        aeq_python_of(args.aeq_python, skip_hint="pass --gaps with no value and no --memory")
        if args.gaps or args.memory
        else None
    )
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; load average at start "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    dirs = {name: tntp_dir() / name for name in args.networks}
    for name, d in list(dirs.items()):
        if not d.is_dir():
            print(f"# {name}: not found at {d}, skipped")
            del dirs[name]
    if not args.no_floor:
        print("## one all-origins pass, one thread", flush=True)
        for d in dirs.values():
            _floor(me, str(d), args.repeat, records)
        if args.floor_grid:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from synthetic_grid import write_grid

            with tempfile.TemporaryDirectory() as tmp:
                grid = write_grid(Path(tmp) / f"Grid{args.floor_grid}", args.floor_grid, 200)
                _floor(me, str(grid), max(1, args.repeat // 2), records)
    if args.gaps:
        print("## runs (AequilibraE bfw, 2 cores; Caravan, 2 threads)", flush=True)
    for name, d in dirs.items():
        netdir = str(d)
        for gap in args.gaps:
            with tempfile.NamedTemporaryFile(suffix=".jsonl") as tmp:
                _, _, aeq_mb = run_child([str(aeq_python), str(AEQ_BENCH), netdir, "--algo", "bfw",
                                          "--gap", str(gap), "--max-iter", str(args.max_iter),
                                          "--json", tmp.name])  # fmt: skip
                aeq = json.loads(Path(tmp.name).read_text().splitlines()[0])
            aeq.update({"solver": "aequilibrae", "peak_mb": aeq_mb, "kind": "run",
                        "child_cpu_s": LAST_CHILD_CPU_S[0]})  # fmt: skip
            records.append(aeq)
            for algorithm in args.algorithms:
                car = _caravan_run(me, netdir, algorithm, gap, args.max_iter)
                car.update({"aeq_wall_s": aeq["wall_s"], "aeq_peak_mb": aeq_mb,
                            "ratio": float(car["wall_s"]) / aeq["wall_s"]})  # type: ignore[arg-type]  # fmt: skip
                records.append(car)
                print(
                    f"{name:13s} gap {gap:.0e}  caravan-{algorithm:3s} "
                    f"{_fmt(car['wall_s'], '8.3f')} s (CPU {_fmt(car['cpu_s'], '.2f')}; child "
                    f"{_fmt(car['child_cpu_s'], '.1f')}) {_fmt(car['iterations'], '5d')} it  gap "
                    f"{_fmt(car['gap'], '.2e')}  dTSTT {_fmt(car['rel_diff_tstt'], '+.1e')}  "
                    f"{car_mb_of(car)} MB | aeq-bfw {aeq['wall_s']:8.3f} s (child CPU "
                    f"{aeq['child_cpu_s']:.1f}) "
                    f"{aeq['iterations']:5d} it  gap {aeq['gap']:.2e}  dTSTT "
                    f"{_fmt(aeq.get('rel_diff_tstt'), '+.1e')}  {aeq_mb:6.0f} MB | "
                    f"ratio {car['ratio']:.3f} | load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            if args.cli:
                cli = _cli_run(netdir, gap, args.algorithms[0])
                records.append(cli)
                print(
                    f"{name:13s} gap {gap:.0e}  caravan tntp assign (CLI): whole command "
                    f"{cli['wall_s']:.2f} s, peak {cli['peak_mb']:.0f} MB (aeq {aeq_mb:.0f} MB)",
                    flush=True,
                )
    if args.memory and aeq_python is not None:
        _memory(me, dirs, args, aeq_python, records)
    if args.precision:
        print("## precision (Caravan alone, each of --algorithms)", flush=True)
        for name, d in dirs.items():
            target = PRECISION.get(name, 1e-12)
            for algorithm in args.algorithms:
                car = _caravan_run(me, str(d), algorithm, target, args.max_iter)
                records.append({**car, "kind": "precision"})
                print(
                    f"{name:13s} {algorithm} to {target:.0e}: {_fmt(car['wall_s'], '.2f')} s "
                    f"(CPU {_fmt(car['cpu_s'], '.2f')}), "
                    f"{car['iterations']} it, gap {_fmt(car['gap'], '.2e')} (rescored; Caravan's "
                    f"own {_fmt(car['caravan_gap'], '.2e')}), dTSTT "
                    f"{_fmt(car['rel_diff_tstt'], '+.1e')}, {car_mb_of(car)} MB; load "
                    f"{os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    if args.synthetic:
        side, zones = args.synthetic
        print(f"## synthetic grid {side} x {side}, {zones} zones", flush=True)
        cmd = [*me, "--worker", "synthetic", str(side), str(zones), args.synthetic_algorithm]
        out, wall, mb = run_child([*cmd, "1e-4", str(args.synthetic_nearest)])
        rec = json.loads(out)
        rec.update({"peak_mb": mb, "child_wall_s": wall})
        records.append(rec)
        print(
            f"synthetic: {rec['links']:,} links, {rec['nodes']:,} nodes, {rec['zones']} zones, "
            f"{rec['od_pairs']:,} O-D pairs; {rec['algorithm']} to {rec['target_gap']:g}: gap "
            f"{rec['gap']:.2e} in {rec['iterations']} it, {rec['assign_s']:.1f} s (network "
            f"built in {rec['build_s']:.1f} s); peak memory {mb:.0f} MB",
            flush=True,
        )
    if args.json:
        with open(args.json, "a", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec) + "\n")
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"# load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; peak RSS of "
        f"this parent (in no figure above): {parent_mb:.0f} MB"
    )
    return 0


def car_mb_of(rec: dict[str, object]) -> str:
    return _fmt(rec.get("peak_mb"), "6.0f")


if __name__ == "__main__":
    sys.exit(main())
