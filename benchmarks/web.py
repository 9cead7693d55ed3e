"""Web app speed: the route API under 20 concurrent clients, and page load to map ready.

Usage: ``.venv/bin/python benchmarks/web.py [--atlas PATH] [--seconds 10] [--clients 20]
[--pairs 40] [--k 1] [--page-loads 5]``.

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
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [*CHROMIUM_OFFLINE_FLAGS, "--disable-quic"]


def _serve(port: int, atlas: str | None, route_cache: int) -> None:
    """The server process: the app on 127.0.0.1:port (run as ``--serve``)."""
    import uvicorn

    from caravan.web import Limits, create_app

    app = create_app(atlas_path=atlas, limits=Limits(route_cache_entries=route_cache))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(atlas: str | None, route_cache: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [sys.executable, __file__, "--serve", str(port), "--route-cache", str(route_cache)]
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
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, target: str
) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; returns the status."""
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
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
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--route-cache", type=int, default=512, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        _serve(args.serve, args.atlas, args.route_cache)
        return
    print(
        f"# benchmarks/web.py on {platform.node()} ({os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}); {args.clients} clients, {args.seconds:g} s per phase, "
        f"k={args.k}, one uvicorn process; atlas: {args.atlas or 'shipped'}"
    )
    _route_phase(args, 0, "cache off (compute):")
    _route_phase(args, 512, "cache on (as shipped):")
    _page_phase(args)


if __name__ == "__main__":
    main()
