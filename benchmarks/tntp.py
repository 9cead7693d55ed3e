"""Caravan against AequilibraE on the TNTP networks, in one run, on the same machine.

Usage (from the repository root)::

    .venv/bin/python benchmarks/tntp.py [--networks SiouxFalls Anaheim ChicagoSketch Barcelona]
        [--gaps 1e-4 1e-6] [--aeq-max-iter 1000] [--json results.jsonl]

Sets up AequilibraE's own venv at ``benchmarks/.aeq-venv`` when missing (``python3 -m venv`` and
``pip install aequilibrae scipy``) and runs ``../shared/tools/aeq_bench.py`` there. Every solver
run is a separate child process, so its peak memory (``ru_maxrss`` from ``os.wait4``) and time
are its own. Times are of the assignment call only (AequilibraE: ``TrafficAssignment.execute``;
Caravan: ``caravan.assign.assign``, after a warm-up on a tiny network so that numba's on-disk
cache is loaded). Both solutions' relative gaps are recomputed at their final flows by the same
code, ``aeq_bench.evaluate`` (scipy Dijkstra from all zones, honouring ``<FIRST THRU NODE>``); for
Caravan the gap from ``caravan.assign.gap`` is also printed. The TNTP folder comes from
``CARAVAN_TNTP_DIR`` (default ``../shared/data/tntp``).
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
SHARED = REPO.parent / "shared"
AEQ_BENCH = SHARED / "tools" / "aeq_bench.py"
AEQ_VENV = REPO / "benchmarks" / ".aeq-venv"
NETWORKS = ["SiouxFalls", "Anaheim", "ChicagoSketch", "Barcelona"]


def tntp_dir() -> Path:
    return Path(os.environ.get("CARAVAN_TNTP_DIR", SHARED / "data" / "tntp"))


def run_child(cmd: list[str]) -> tuple[str, float, float]:
    """Run a command; return its stdout, wall seconds and peak resident memory in MB."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=False)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        out.seek(0)
        text = out.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return text, time.perf_counter() - t0, usage.ru_maxrss / 1024.0


def ensure_aeq_venv() -> Path:
    python = AEQ_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(AEQ_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "aequilibrae", "scipy"], check=True
        )
    return python


# ------------------------------------------------------------------------ child: caravan
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
    t0 = time.perf_counter()
    result = assign(
        problem.network, [problem.demand_class], algorithm=algorithm, gap=gap, max_iter=max_iter
    )
    wall = time.perf_counter() - t0
    np.save(flows, np.asarray(result.total_flow))
    best = problem.best_known_tstt
    rec = {
        "solver": "caravan",
        "network": data.name,
        "algorithm": algorithm,
        "target_gap": gap,
        "wall_s": wall,
        "iterations": result.iterations,
        "caravan_gap": result.relative_gap,
        "rel_diff_tstt": (result.tstt - best) / best if best else None,
    }
    print(json.dumps(rec))


def independent_gap(netdir: str, flows_npy: str) -> float:
    """Relative gap of link flows by ``aeq_bench.evaluate``, the code that scores AequilibraE."""
    import numpy as np

    sys.path.insert(0, str(AEQ_BENCH.parent))
    import aeq_bench

    class Args:
        toll_factor = None
        distance_factor = None

    d = aeq_bench.load(netdir, Args())
    return float(aeq_bench.evaluate(d, np.load(flows_npy))["gap"])


def aon_worker(netdir: str, repeat: int) -> None:
    import numpy as np

    from caravan.assign import all_or_nothing
    from caravan.assign.tntp import tntp_problem
    from caravan.io.tntp import read_tntp_dir

    problem = tntp_problem(read_tntp_dir(netdir))
    net, klass = problem.network, problem.demand_class
    fixed = klass.fixed_cost if klass.fixed_cost is not None else 0.0
    cost = np.asarray(net.free_flow_time + fixed)
    all_or_nothing(net, cost, klass.demand)  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        all_or_nothing(net, cost, klass.demand)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"aon_min_s": min(times), "aon_median_s": float(np.median(times))}))


# ------------------------------------------------------------------------------ parent
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--networks", nargs="+", default=NETWORKS)
    ap.add_argument("--gaps", nargs="+", type=float, default=[1e-4, 1e-6])
    ap.add_argument("--algorithms", nargs="+", default=["gp", "bfw"])
    ap.add_argument("--max-iter", type=int, default=1000, help="iteration cap of every run")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--json", help="append every record to this JSON-lines file")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        kind, netdir, *rest = args.worker
        if kind == "caravan":
            caravan_worker(netdir, rest[0], float(rest[1]), int(rest[2]), rest[3])
        else:
            aon_worker(netdir, int(rest[0]))
        return 0

    aeq_python = ensure_aeq_venv()
    me = [sys.executable, str(Path(__file__).resolve())]
    records: list[dict[str, object]] = []
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    for name in args.networks:
        netdir = str(tntp_dir() / name)
        if not Path(netdir).is_dir():
            print(f"# {name}: not found at {netdir}, skipped")
            continue
        # the floor: one scipy all-zones Dijkstra pass vs one Caravan all-or-nothing load
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as tmp:
            run_child([str(aeq_python), str(AEQ_BENCH), netdir, "--floor", "--repeat",
                       str(args.repeat), "--json", tmp.name])  # fmt: skip
            floor = json.loads(Path(tmp.name).read_text().splitlines()[0])
        aon_out, _, _ = run_child([*me, "--worker", "aon", netdir, str(args.repeat)])
        aon = json.loads(aon_out)
        rec_floor = {"kind": "floor", "network": name, **floor, **aon,
                     "aon_over_floor": aon["aon_min_s"] / floor["dijkstra_pred_min_s"]}  # fmt: skip
        records.append(rec_floor)
        print(
            f"{name}: one Caravan AoN {aon['aon_min_s'] * 1e3:.2f} ms, scipy all-zones Dijkstra "
            f"{floor['dijkstra_pred_min_s'] * 1e3:.2f} ms, ratio {rec_floor['aon_over_floor']:.2f}"
        )
        for gap in args.gaps:
            with tempfile.NamedTemporaryFile(suffix=".jsonl") as tmp:
                _, _, aeq_mb = run_child([str(aeq_python), str(AEQ_BENCH), netdir, "--algo", "bfw",
                                          "--gap", str(gap), "--max-iter", str(args.max_iter),
                                          "--json", tmp.name])  # fmt: skip
                aeq = json.loads(Path(tmp.name).read_text().splitlines()[0])
            aeq.update({"solver": "aequilibrae", "peak_mb": aeq_mb, "kind": "run"})
            records.append(aeq)
            for algorithm in args.algorithms:
                with tempfile.TemporaryDirectory() as tmpdir:
                    flows = str(Path(tmpdir) / "flows.npy")
                    out, _, car_mb = run_child([*me, "--worker", "caravan", netdir, algorithm,
                                                str(gap), str(args.max_iter), flows])  # fmt: skip
                    car = json.loads(out)
                    car["gap"] = independent_gap(netdir, flows)
                car.update({"peak_mb": car_mb, "kind": "run", "aeq_wall_s": aeq["wall_s"],
                            "ratio": car["wall_s"] / aeq["wall_s"]})  # fmt: skip
                records.append(car)
                print(
                    f"{name:13s} gap {gap:.0e}  caravan-{algorithm:3s} {car['wall_s']:8.3f} s "
                    f"{car['iterations']:5d} it  gap {car['gap']:.2e}  dTSTT "
                    f"{car['rel_diff_tstt']:+.1e}  {car_mb:6.0f} MB | "
                    f"aeq-bfw {aeq['wall_s']:8.3f} s "
                    f"{aeq['iterations']:5d} it  gap {aeq['gap']:.2e}  dTSTT "
                    f"{aeq['rel_diff_tstt']:+.1e}  {aeq_mb:6.0f} MB | ratio {car['ratio']:.3f}",
                    flush=True,
                )
    if args.json:
        with open(args.json, "a", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec) + "\n")
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# peak RSS of this parent (in no figure above): {parent_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
