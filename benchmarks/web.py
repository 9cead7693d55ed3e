"""Web app speed and safety: routes under concurrent clients, a 50-client load run, an ensemble
flood, and page load to map ready.

Usage: ``.venv/bin/python benchmarks/web.py [--atlas PATH] [--phases route,load,flood,page]
[--seconds 10] [--clients 20] [--pairs 40] [--k 1] [--page-loads 5] [--load-clients 50]
[--load-seconds 30] [--load-pairs 400] [--flood 100] [--flood-seconds 20]``.

``load``: ``--load-clients`` closed-loop clients on loopback for ``--load-seconds``, asking for
routes over ``--load-pairs`` pairs of cities and ports (k = 1..3, the answer cache as shipped),
while a probe asks for ``/api/atlas/summary`` every 50 ms. Prints throughput, p50/p95/p99 of each
kind, errors (anything but 200; 503s are counted apart, as deliberate refusals) and the server's
resident memory before and after. Targets: 0 errors other than 503s, route p95 <= 100 ms on an
otherwise idle machine, summary p95 <= 20 ms, RSS growth <= 10%.

``flood``: ``--flood`` ensemble submissions (``POST /api/ensembles``, kabul-corridor against
baseline-2025, 200 draws, distinct seeds) at once, each on its own connection, while a probe asks
for the map page ``/`` every 100 ms for ``--flood-seconds``; the submitters then hang up (their
jobs are cancelled) and the server gets SIGINT. Prints the answers by status, the page's
p50/p95/max and the seconds from SIGINT to exit. Targets: ``/`` p95 <= 200 ms, exit <= 2 s.

Starts ``caravan serve``'s app (uvicorn, one process, on a free loopback port) in a subprocess,
then hammers ``GET /api/route`` from ``--clients`` concurrent clients for ``--seconds`` over
random pairs of cities and ports of the atlas, twice: with the route answer cache off (every
request builds nothing but routes: networks are compiled once per year and commodity) and on
(the server as shipped). Prints p50/p95/p99 latency, requests per second and errors. Then
loads the page ``--page-loads`` times in Debian's chromium (a fresh browser context each time,
so nothing is cached) and prints the median time from navigation to the map's first idle
(``window.caravanMapReady``). Targets: route p95 <= 50 ms, page load to map ready <= 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from caravan.io.report import CHROMIUM_OFFLINE_FLAGS

TARGET_P95_MS = 50.0
TARGET_PAGE_S = 2.0
TARGET_LOAD_ROUTE_P95_MS = 100.0
TARGET_LOAD_SUMMARY_P95_MS = 20.0
TARGET_RSS_GROWTH = 0.10
TARGET_FLOOD_PAGE_P95_MS = 200.0
TARGET_EXIT_S = 2.0
CHROMIUM = os.environ.get("CARAVAN_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [*CHROMIUM_OFFLINE_FLAGS, "--disable-quic"]


def _serve(
    port: int, atlas: str | None, route_cache: int, active_routes: int, route_processes: int
) -> None:
    """The server process: the app on 127.0.0.1:port (run as ``--serve``)."""
    from caravan.web import Limits, create_app
    from caravan.web.server import run_server

    limits = Limits(
        route_cache_entries=route_cache,
        active_routes=active_routes,
        route_processes=route_processes,
    )
    app = create_app(atlas_path=atlas, limits=limits)
    run_server(app, host="127.0.0.1", port=port, log_requests=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(atlas: str | None, route_cache: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [sys.executable, __file__, "--serve", str(port), "--route-cache", str(route_cache)]
    cmd += ["--active-routes", os.environ.get("CARAVAN_BENCH_ACTIVE_ROUTES", "4")]
    cmd += ["--route-processes", os.environ.get("CARAVAN_BENCH_ROUTE_PROCESSES", "2")]
    if atlas:
        cmd += ["--atlas", atlas]
    proc = subprocess.Popen(cmd)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/atlas", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("the server process exited")
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start in 60 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _pairs(url: str, n: int, k: int) -> list[dict[str, str | int]]:
    places = httpx.get(url + "/api/places").json()
    ends = [p["node_id"] for p in places if p["kind"] in ("city", "port")]
    rng = random.Random(20261127)
    pairs: list[dict[str, str | int]] = []
    tries = 0
    while len(pairs) < n and tries < 20 * n:
        tries += 1
        a, b = rng.sample(ends, 2)
        params: dict[str, str | int] = {"from": a, "to": b, "k": k}
        if httpx.get(url + "/api/route", params=params, timeout=30).status_code == 200:
            pairs.append(params)
    return pairs


async def _get(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    target: str,
    body: bytes | None = None,
) -> int:
    """One keep-alive HTTP/1.1 GET (or a JSON POST, given a body) on an open connection;
    returns the status."""
    if body is None:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    else:
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _hammer(
    url: str, pairs: list[dict[str, str | int]], clients: int, seconds: float
) -> tuple[list[float], int, float]:
    """``clients`` closed-loop clients, each on its own keep-alive connection.

    A minimal HTTP/1.1 client on asyncio streams, so that the load generator, which shares
    the machine's CPUs with the server, costs little next to the server.
    """
    latencies: list[float] = []
    errors = 0
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    targets = ["/api/route?" + urlencode(p) for p in pairs]
    deadline = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        j = i
        try:
            while time.perf_counter() < deadline:
                target = targets[j % len(targets)]
                j += clients
                t0 = time.perf_counter()
                try:
                    ok = await _get(reader, writer, f"{host}:{port}", target) == 200
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += not ok
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.perf_counter() - start
    return latencies, errors, elapsed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _route_phase(args: argparse.Namespace, route_cache: int, label: str) -> float:
    proc, url = _start(args.atlas, route_cache)
    try:
        pairs = _pairs(url, args.pairs, args.k)
        if not pairs:
            raise SystemExit("no routable pairs of cities and ports in this atlas")
        lat, errors, elapsed = asyncio.run(_hammer(url, pairs, args.clients, args.seconds))
    finally:
        _stop(proc)
    p50, p95, p99 = _pct(lat, 50), _pct(lat, 95), _pct(lat, 99)
    mark = "ok" if p95 <= TARGET_P95_MS else "MISSED"
    print(
        f"route API, {label:<22} {len(lat):6d} requests in {elapsed:4.1f} s "
        f"({len(lat) / elapsed:6.0f}/s), errors {errors}; "
        f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  "
        f"(target p95 <= {TARGET_P95_MS:.0f} ms: {mark})"
    )
    return p95


def _rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux ``/proc``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _tree(pid: int) -> list[int]:
    """A process and its descendants (the route worker processes), from Linux ``/proc``."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
    return out


def _cpu_s(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in seconds (Linux ``/proc``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds of the server process and of its worker processes."""
    return _cpu_s(pid), sum(_cpu_s(p) for p in _tree(pid)[1:])


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def _load(
    url: str, routes: list[str], clients: int, seconds: float
) -> tuple[dict[str, list[float]], dict[str, dict[int, int]], float]:
    """``clients`` closed-loop clients on ``routes``, and a probe asking for
    ``/api/atlas/summary`` every 50 ms meanwhile (on its own connection)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: dict[str, list[float]] = {"route": [], "summary": []}
    statuses: dict[str, dict[int, int]] = {"route": {}, "summary": {}}
    deadline = time.perf_counter() + seconds

    async def worker(i: int, kind: str) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        j = i
        try:
            while time.perf_counter() < deadline:
                target = "/api/atlas/summary" if kind == "summary" else routes[j % len(routes)]
                j += clients
                t0 = time.perf_counter()
                try:
                    status = await _get(reader, writer, f"{host}:{port}", target)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    status = 0
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                took = time.perf_counter() - t0
                latencies[kind].append(took * 1000)
                statuses[kind][status] = statuses[kind].get(status, 0) + 1
                if kind == "summary":
                    await asyncio.sleep(max(0.0, 0.05 - took))
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(i, "route") for i in range(clients)), worker(0, "summary"))
    return latencies, statuses, time.perf_counter() - start


def _load_phase(args: argparse.Namespace) -> None:
    proc, url = _start(args.atlas, 512)
    try:
        pairs = _pairs(url, args.load_pairs, 1)
        rng = random.Random(7)
        routes = ["/api/route?" + urlencode({**p, "k": rng.choice((1, 2, 3))}) for p in pairs]
        for _ in range(3):  # warm up: the networks compiled, the kernels loaded
            httpx.get(url + "/api/atlas/summary")
        rss_before = _rss_mb(proc.pid)
        load_before = _load_average()
        workers_rss_before = sum(_rss_mb(p) for p in _tree(proc.pid)[1:])
        (cpu_before, workers_before), own_before = _tree_cpu_s(proc.pid), time.process_time()
        lat, statuses, elapsed = asyncio.run(
            _load(url, routes, args.load_clients, args.load_seconds)
        )
        cpu_after, workers_after = _tree_cpu_s(proc.pid)
        cpu_s, workers_s = cpu_after - cpu_before, workers_after - workers_before
        own_s = time.process_time() - own_before
        rss_after = _rss_mb(proc.pid)
        workers_rss_after = sum(_rss_mb(p) for p in _tree(proc.pid)[1:])
        load_after = _load_average()
    finally:
        _stop(proc)
    total = sum(len(v) for v in lat.values())
    refused = sum(s.get(503, 0) for s in statuses.values())
    errors = sum(n for s in statuses.values() for code, n in s.items() if code not in (200, 503))
    growth = (rss_after - rss_before) / rss_before
    print(
        f"load: {args.load_clients} clients, {elapsed:.1f} s, {len(routes)} route queries: "
        f"{total} requests ({total / elapsed:.0f}/s); errors {errors}, deliberate 503s {refused} "
        f"(target: 0 errors: {'ok' if errors == 0 else 'MISSED'}); load average "
        f"{load_before} before, {load_after} after"
    )
    for kind, target in (
        ("route", TARGET_LOAD_ROUTE_P95_MS),
        ("summary", TARGET_LOAD_SUMMARY_P95_MS),
    ):
        values = lat[kind]
        if not values:
            continue
        p95 = _pct(values, 95)
        codes = dict(sorted(statuses[kind].items()))
        print(
            f"  {kind:<8} {len(values):6d} requests, statuses {codes}:"
            f" p50 {_pct(values, 50):6.1f} ms  p95 {p95:6.1f} ms  p99 {_pct(values, 99):6.1f} ms"
            f"  max {max(values):6.1f} ms  (target p95 <= {target:.0f} ms: "
            f"{'ok' if p95 <= target else 'MISSED'})"
        )
    print(
        f"  server CPU {cpu_s:.1f} s in {elapsed:.1f} s ({cpu_s / elapsed:.0%} of a core), "
        f"{1000 * cpu_s / max(1, total):.2f} ms a request; its route worker processes "
        f"{workers_s:.1f} s; the load generator {own_s:.1f} s (CPU per request does not depend "
        "on the machine's load)"
    )
    if workers_rss_before:
        print(
            f"  route worker processes' RSS {workers_rss_before:.0f} MB before, "
            f"{workers_rss_after:.0f} MB after"
        )
    print(
        f"  server RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after ({growth:+.1%}; "
        f"target <= +{TARGET_RSS_GROWTH:.0%}: {'ok' if growth <= TARGET_RSS_GROWTH else 'MISSED'})"
    )


async def _flood(
    url: str, submissions: int, seconds: float
) -> tuple[dict[int, int], list[float], int]:
    """``submissions`` ensemble POSTs at once, each on its own connection, and a probe of ``/``
    every 100 ms; after ``seconds`` the submitters still waiting hang up."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    answers: dict[int, int] = {}
    writers: list[asyncio.StreamWriter] = []

    async def submit(seed: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        writers.append(writer)
        body = (
            '{"scenario": "kabul-corridor", "vs": "baseline-2025", "draws": 200, "seed": '
            + str(seed)
            + "}"
        ).encode()
        try:
            status = await _get(reader, writer, f"{host}:{port}", "/api/ensembles", body)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 0
        answers[status] = answers.get(status, 0) + 1
        writer.close()

    async def probe() -> list[float]:
        reader, writer = await asyncio.open_connection(host, port)
        times: list[float] = []
        failed = 0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                ok = await asyncio.wait_for(_get(reader, writer, f"{host}:{port}", "/"), 10) == 200
            except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            times.append((time.perf_counter() - t0) * 1000)
            failed += not ok
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - t0)))
        writer.close()
        times.append(-float(failed))  # carried out as the last entry
        return times

    tasks = [asyncio.create_task(submit(seed)) for seed in range(1, submissions + 1)]
    times = await probe()
    failed = int(-times.pop())
    waiting = sum(1 for t in tasks if not t.done())
    for t in tasks:
        t.cancel()
    for w in writers:
        w.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    if waiting:
        answers[-1] = waiting  # still waiting when the flood ended: hung up
    return answers, times, failed


def _flood_phase(args: argparse.Namespace) -> None:
    proc, url = _start(args.atlas, 512)
    try:
        load_before = _load_average()
        answers, times, failed = asyncio.run(_flood(url, args.flood, args.flood_seconds))
        load_after = _load_average()
        time.sleep(1.0)  # the server notices the hang-ups
        queue = httpx.get(url + "/api/jobs").json()["jobs"]
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
            exit_s = time.perf_counter() - t0
        except subprocess.TimeoutExpired:
            exit_s = float("inf")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    p95 = _pct(times, 95)
    shown = {("hung up" if k == -1 else k): v for k, v in sorted(answers.items())}
    print(
        f"flood: {args.flood} ensemble submissions at once; answers by status {shown}; "
        f"load average {load_before} before, {load_after} after"
    )
    print(
        f"  map page / during the flood: {len(times)} probes, {failed} failed; p50 "
        f"{_pct(times, 50):.1f} ms  p95 {p95:.1f} ms  max {max(times):.1f} ms (target p95 <= "
        f"{TARGET_FLOOD_PAGE_P95_MS:.0f} ms: "
        f"{'ok' if p95 <= TARGET_FLOOD_PAGE_P95_MS else 'MISSED'})"
    )
    print(
        f"  job queue after the hang-ups: {queue['pending']} queued or running, "
        f"{queue['cancelled']} cancelled, {queue['refused']} refused"
    )
    print(
        f"  server exit after SIGINT: {exit_s:.2f} s (target <= {TARGET_EXIT_S:.0f} s: "
        f"{'ok' if exit_s <= TARGET_EXIT_S else 'MISSED'}), exit status {proc.returncode}"
    )


def _page_phase(args: argparse.Namespace) -> float | None:
    if args.page_loads < 1:
        return None
    if not Path(CHROMIUM).exists():
        print("page load: skipped (no /usr/bin/chromium)")
        return None
    from playwright.sync_api import sync_playwright

    proc, url = _start(args.atlas, 512)
    times: list[float] = []
    outside: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(args.page_loads + 1):  # the first load warms the browser up
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.on(
                    "request",
                    lambda r: (
                        outside.append(r.url)
                        if r.url.startswith("http") and not r.url.startswith(url)
                        else None
                    ),
                )
                page.goto(url + "/", wait_until="commit")
                page.wait_for_function("() => window.caravanMapReady === true", timeout=30_000)
                ready_ms = page.evaluate(
                    "performance.getEntriesByName('caravan-map-ready')[0].startTime"
                )
                times.append(float(ready_ms) / 1000)
                context.close()
            browser.close()
    finally:
        _stop(proc)
    measured = times[1:]
    median = statistics.median(measured)
    mark = "ok" if median <= TARGET_PAGE_S else "MISSED"
    print(
        f"page load to map ready: median {median:.2f} s of {len(measured)} "
        f"(min {min(measured):.2f}, max {max(measured):.2f}; first, cold browser "
        f"{times[0]:.2f} s)  (target <= {TARGET_PAGE_S:.0f} s: {mark}); "
        f"requests off the machine: {len(outside)}"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--atlas", default=None, help="atlas folder (the shipped one by default)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--page-loads", type=int, default=5)
    parser.add_argument("--phases", default="route,load,flood,page")
    parser.add_argument("--load-clients", type=int, default=50)
    parser.add_argument("--load-seconds", type=float, default=30.0)
    parser.add_argument("--load-pairs", type=int, default=400)
    parser.add_argument("--flood", type=int, default=100)
    parser.add_argument("--flood-seconds", type=float, default=20.0)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--route-cache", type=int, default=512, help=argparse.SUPPRESS)
    parser.add_argument("--active-routes", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--route-processes", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        _serve(args.serve, args.atlas, args.route_cache, args.active_routes, args.route_processes)
        return
    print(
        f"# benchmarks/web.py on {platform.node()} ({os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}); {args.clients} clients, {args.seconds:g} s per phase, "
        f"k={args.k}, one uvicorn process; atlas: {args.atlas or 'shipped'}; "
        f"load average {_load_average()}"
    )
    phases = set(args.phases.split(","))
    if "route" in phases:
        _route_phase(args, 0, "cache off (compute):")
        _route_phase(args, 512, "cache on (as shipped):")
    if "load" in phases:
        _load_phase(args)
    if "flood" in phases:
        _flood_phase(args)
    if "page" in phases:
        _page_phase(args)


if __name__ == "__main__":
    main()
