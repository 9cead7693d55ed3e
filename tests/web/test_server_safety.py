"""The server under load and at its edges: 503 with Retry-After when the job queues are full,
identical submissions shared, cheap answers while heavy work runs, strict JSON for non-finite
input, security headers on every response, a request log, and a shutdown in under a second."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from caravan.model.atlas import Atlas
from caravan.web import Limits, create_app
from caravan.web.security import CONTENT_SECURITY_POLICY
from caravan.web.server import ACCESS_LOGGER
from tests.web.helpers import api_error


class _SlowEnsembles:
    """A stand-in for the ensemble engine that takes ``delay_s`` and records its calls."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.calls: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, scenario: str, vs: str | None, draws: int, seed: int, atlas: Atlas) -> Any:
        with self.lock:
            self.calls.append(seed)
        time.sleep(self.delay_s)
        raise AssertionError("not meant to finish within the test")


def _strict(text: str) -> Any:
    """Parse JSON refusing NaN and Infinity (as Node's JSON.parse and jq do)."""

    def refuse(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_a_full_job_queue_answers_503_with_retry_after(web_atlas: Path) -> None:
    fake = _SlowEnsembles(delay_s=2.0)
    limits = Limits(run_timeout_s=0.05, max_pending_jobs=2, max_jobs_per_client=2)
    client = TestClient(
        create_app(atlas_path=web_atlas, ensemble=fake, limits=limits),
        base_url="http://127.0.0.1",
    )
    with client:
        for seed in (1, 2):
            api_error(client.post("/api/ensembles", json={"scenario": "rail", "seed": seed}), 504)
        # The same submission joins its job: no new job, no refusal.
        api_error(client.post("/api/ensembles", json={"scenario": "rail", "seed": 1}), 504)
        response = client.post("/api/ensembles", json={"scenario": "rail", "seed": 3})
        error = api_error(response, 503)
        assert error["kind"] == "busy" and "busy" in error["message"]
        assert int(response.headers["Retry-After"]) >= 1
        assert sorted(fake.calls) == [1, 2]
        stats = client.get("/api/jobs").json()["jobs"]
        assert (stats["pending"], stats["refused"], stats["max_pending"]) == (2, 1, 2)
        # Runs share the queue; the cheap endpoints do not.
        api_error(client.post("/api/runs", json={"scenario": "base"}), 503)
        assert client.get("/api/atlas/summary").status_code == 200
        assert client.get("/").status_code == 200


def test_one_client_cannot_take_the_whole_queue(web_atlas: Path) -> None:
    fake = _SlowEnsembles(delay_s=2.0)
    limits = Limits(run_timeout_s=0.05, max_pending_jobs=8, max_jobs_per_client=1)
    client = TestClient(
        create_app(atlas_path=web_atlas, ensemble=fake, limits=limits),
        base_url="http://127.0.0.1",
    )
    with client:
        api_error(client.post("/api/ensembles", json={"scenario": "rail", "seed": 1}), 504)
        response = client.post("/api/ensembles", json={"scenario": "rail", "seed": 2})
        error = api_error(response, 503)
        assert "one client" in error["message"] and response.headers["Retry-After"]


@pytest.mark.parametrize("draws", ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 5000])
def test_non_finite_or_huge_draws_are_a_clean_4xx(web_atlas: Path, draws: str) -> None:
    fake = _SlowEnsembles(delay_s=0.0)
    client = TestClient(
        create_app(atlas_path=web_atlas, ensemble=fake), base_url="http://127.0.0.1"
    )
    body = '{"scenario": "rail", "draws": ' + draws + "}"
    response = client.post(
        "/api/ensembles", content=body, headers={"Content-Type": "application/json"}
    )
    # 422 naming draws; 400 when the number is too long to parse as JSON at all.
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/json")
    error = _strict(response.text)["error"]
    assert error["fix"]
    assert error["field"] == ("draws" if response.status_code == 422 else None)
    assert len(response.text) < 2000
    for echoed in ("NaN", "Infinity", "1e400", "0" * 50):
        assert echoed not in response.text
    assert fake.calls == []


def test_security_headers_on_every_response(web_atlas: Path) -> None:
    client = TestClient(
        create_app(atlas_path=web_atlas, limits=Limits(max_body_bytes=100)),
        base_url="http://127.0.0.1",
    )
    answers = [
        client.get("/"),
        client.get("/static/app.js"),
        client.get("/api/atlas/summary"),
        client.get("/api/route", params={"from": "amber", "to": "nowhere"}),  # 404
        client.get("/api/route", params={"from": "amber", "to": "dune", "k": 99}),  # 422
        client.post("/api/runs", content=b"x" * 500),  # 413, from a middleware
        client.get("/api/atlas", headers={"Host": "evil.example"}),  # 400, from a middleware
        client.delete("/api/atlas"),  # 405
    ]
    assert {r.status_code for r in answers} >= {200, 400, 404, 405, 413, 422}
    for response in answers:
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_no_get_starts_work(web_atlas: Path) -> None:
    """Every route that starts a run or an ensemble is a POST (a page elsewhere can make a
    browser send GETs, and simple POSTs, but not JSON POSTs without a CORS preflight)."""
    app = create_app(atlas_path=web_atlas)
    client = TestClient(app, base_url="http://127.0.0.1")
    api_error(client.get("/api/compare", params={"a": "base", "b": "rail"}), 404)
    assert app.state.caravan.jobs.stats()["pending"] == 0
    # A form post (which a page elsewhere could send without a preflight) is refused.
    api_error(client.post("/api/runs", data={"scenario": "base"}), 422)
    assert app.state.caravan.jobs.stats()["pending"] == 0


def test_cheap_answers_stay_quick_while_heavy_jobs_run(web_atlas: Path) -> None:
    fake = _SlowEnsembles(delay_s=1.5)
    app = create_app(atlas_path=web_atlas, ensemble=fake, limits=Limits(max_jobs_per_client=8))

    async def scenario() -> tuple[list[float], list[int]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            heavy = [
                asyncio.create_task(
                    c.post("/api/ensembles", json={"scenario": "rail", "seed": s}, timeout=10)
                )
                for s in range(6)
            ]
            await asyncio.sleep(0.2)
            times = []
            for path in ("/", "/api/atlas/summary", "/api/scenarios", "/api/places?q=am") * 3:
                t0 = time.perf_counter()
                assert (await c.get(path)).status_code == 200
                times.append(time.perf_counter() - t0)
            for task in heavy:
                task.cancel()
            statuses = []
            for task in heavy:
                try:
                    statuses.append((await task).status_code)
                except (asyncio.CancelledError, Exception):
                    statuses.append(0)
            return times, statuses

    times, _ = asyncio.run(scenario())
    app.state.caravan.jobs.close()
    assert max(times) < 0.5, times


def test_routes_are_computed_off_the_event_loop_and_refused_when_full(web_atlas: Path) -> None:
    limits = Limits(route_workers=1, max_pending_routes=1, route_timeout_s=0.05)
    app = create_app(atlas_path=web_atlas, limits=limits)
    state = app.state.caravan
    real = state.pipeline.atlas_network
    gate = threading.Event()
    threads: list[str] = []

    def slow_get(**kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        gate.wait(5)
        return real(**kwargs)

    state.pipeline.atlas_network = slow_get
    client = TestClient(app, base_url="http://127.0.0.1")
    with client:
        api_error(client.get("/api/route", params={"from": "amber", "to": "dune"}), 504)
        busy = client.get("/api/route", params={"from": "amber", "to": "harbor"})
        api_error(busy, 503)
        assert busy.headers["Retry-After"]
        gate.set()
        deadline = time.monotonic() + 5
        while state.route_jobs.stats()["pending"] and time.monotonic() < deadline:
            time.sleep(0.02)
        ok = client.get("/api/route", params={"from": "amber", "to": "harbor"})
        assert ok.status_code == 200, ok.text
    assert threads and all(name.startswith("caravan-route") for name in threads)


def test_every_request_is_logged(web_atlas: Path, caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(create_app(atlas_path=web_atlas), base_url="http://127.0.0.1")
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.get("/api/atlas/summary")
        client.get("/api/route", params={"from": "amber", "to": "nowhere"})
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert any('"GET /api/atlas/summary" 200' in line for line in lines), lines
    assert any('"GET /api/route?from=amber&to=nowhere" 404' in line for line in lines), lines


_SERVER = textwrap.dedent(
    """
    import sys, time
    from caravan.web import create_app
    from caravan.web.server import run_server

    def stubborn_run(name, atlas):
        time.sleep(120)  # never checks for cancellation: only daemon threads let us exit

    app = create_app(atlas_path=sys.argv[1], run=stubborn_run)
    run_server(app, host="127.0.0.1", port=int(sys.argv[2]))
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_server_stops_within_a_second_mid_job(
    web_atlas: Path, tmp_path: Path, stop: signal.Signals
) -> None:
    script = tmp_path / "serve.py"
    script.write_text(_SERVER, encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(web_atlas), str(port)],
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/atlas/summary", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.1)
        answers: list[int] = []

        def start_run() -> None:
            try:
                answers.append(httpx.post(url + "/api/runs", json={"scenario": "base"}).status_code)
            except httpx.HTTPError:
                answers.append(0)

        waiting = threading.Thread(target=start_run)
        waiting.start()
        keep_alive = httpx.Client()
        assert keep_alive.get(url + "/").status_code == 200  # an idle open connection
        time.sleep(0.5)
        t0 = time.perf_counter()
        proc.send_signal(stop)
        proc.wait(timeout=10)
        took = time.perf_counter() - t0
        waiting.join(5)
        keep_alive.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert took < 1.0, f"took {took:.2f} s to stop"
    assert proc.returncode == 0, stderr
    # The request in flight got an answer (503: cancelled) rather than a cut connection.
    assert answers in ([503], [0]), answers
    assert '"GET /api/atlas/summary" 200' in stderr
    assert "Traceback" not in stderr
