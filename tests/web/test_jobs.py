"""The bounded job queue: limits, sharing, cancellation (client gone, shutdown), daemon workers."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from caravan.web.jobs import (
    ClientGoneError,
    JobCancelledError,
    JobQueue,
    JobTimeoutError,
    QueueFullError,
    check_cancelled,
)


def _queue(**kwargs: Any) -> JobQueue:
    options = {"workers": 1, "max_pending": 3, "max_per_client": 3, "max_kept": 4}
    options.update(kwargs)
    return JobQueue("test", **options)


def _spinner(started: threading.Event, seconds: float = 10.0) -> Any:
    """A job that runs until cancelled (checking like the engines' progress hooks do)."""

    def work() -> str:
        started.set()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            check_cancelled()
            time.sleep(0.01)
        return "finished"

    return work


def test_identical_submissions_share_one_job() -> None:
    queue = _queue()
    calls: list[int] = []
    gate = threading.Event()

    def work() -> int:
        calls.append(1)
        gate.wait(5)
        return 42

    first = queue.submit("k", work, client="a")
    second = queue.submit("k", work, client="b")
    assert first is second
    gate.set()
    assert asyncio.run(queue.wait(first, timeout_s=5)) == 42
    assert calls == [1]
    assert queue.done("k") == 42
    # A kept job answers again without running.
    assert queue.submit("k", work, client="c").future.result() == 42 and calls == [1]
    queue.close()


def test_server_and_client_limits_refuse_at_once_with_a_retry_time() -> None:
    queue = _queue(max_pending=2, max_per_client=1)
    started = threading.Event()
    queue.submit("a", _spinner(started), client="alice")
    with pytest.raises(QueueFullError) as per_client:
        queue.submit("b", _spinner(started), client="alice")
    assert per_client.value.scope == "client" and per_client.value.retry_after_s >= 1
    queue.submit("c", _spinner(started), client="bob")
    t0 = time.perf_counter()
    with pytest.raises(QueueFullError) as per_server:
        queue.submit("d", _spinner(started), client="carol")
    assert time.perf_counter() - t0 < 0.1
    assert per_server.value.scope == "server"
    assert queue.stats()["refused"] == 2 and queue.stats()["pending"] == 2
    queue.close()


def test_a_job_whose_client_goes_away_is_cancelled() -> None:
    queue = _queue()
    started = threading.Event()
    job = queue.submit("k", _spinner(started), client="a")
    assert started.wait(5)

    async def gone() -> bool:
        return True

    with pytest.raises(ClientGoneError):
        asyncio.run(queue.wait(job, timeout_s=5, disconnected=gone, poll_s=0.01))
    with pytest.raises(JobCancelledError):
        job.future.result(timeout=5)
    assert not queue.running("k") and queue.stats()["cancelled"] == 1
    queue.close()


def test_a_queued_job_whose_client_goes_away_never_runs() -> None:
    queue = _queue(workers=1)
    started = threading.Event()
    ran: list[str] = []
    queue.submit("first", _spinner(started), client="a")
    assert started.wait(5)
    waiting = queue.submit("second", lambda: ran.append("second"), client="b")

    async def gone() -> bool:
        return True

    with pytest.raises(ClientGoneError):
        asyncio.run(queue.wait(waiting, timeout_s=5, disconnected=gone, poll_s=0.01))
    assert waiting.future.cancelled()
    queue.close()
    assert ran == []


def test_a_job_with_another_waiter_goes_on_when_one_client_leaves() -> None:
    queue = _queue()
    gate = threading.Event()
    job = queue.submit("k", lambda: gate.wait(5) and "done", client="a")

    async def both() -> Any:
        async def gone() -> bool:
            return True

        async def staying() -> Any:
            return await queue.wait(job, timeout_s=5)

        stay = asyncio.create_task(staying())
        await asyncio.sleep(0.05)
        with pytest.raises(ClientGoneError):
            await queue.wait(job, timeout_s=5, disconnected=gone, poll_s=0.01)
        gate.set()
        return await stay

    assert asyncio.run(both()) == "done"
    queue.close()


def test_timeout_leaves_the_job_running_and_kept() -> None:
    queue = _queue()
    gate = threading.Event()
    job = queue.submit("k", lambda: gate.wait(5) and 7, client="a")
    with pytest.raises(JobTimeoutError):
        asyncio.run(queue.wait(job, timeout_s=0.05))
    assert queue.running("k")
    gate.set()
    assert job.future.result(timeout=5) == 7 and queue.done("k") == 7
    queue.close()


def test_close_cancels_everything_at_once_and_refuses_more() -> None:
    queue = _queue(workers=1)
    started = threading.Event()
    running = queue.submit("r", _spinner(started, seconds=60), client="a")
    queued = queue.submit("q", _spinner(started, seconds=60), client="a")
    assert started.wait(5)
    t0 = time.perf_counter()
    queue.close()
    with pytest.raises(JobCancelledError):
        running.future.result(timeout=2)
    assert time.perf_counter() - t0 < 1.0
    assert queued.future.cancelled()
    with pytest.raises(QueueFullError) as closed:
        queue.submit("x", lambda: 1, client="a")
    assert closed.value.scope == "closed"
    # The workers are daemon threads: the interpreter never waits for a job at exit.
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("caravan-test"))


def test_a_failed_job_is_forgotten_and_can_run_again() -> None:
    queue = _queue()
    attempts: list[int] = []

    def flaky() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("first time fails")
        return 5

    with pytest.raises(ValueError, match="first time"):
        asyncio.run(queue.wait(queue.submit("k", flaky, client="a"), timeout_s=5))
    assert asyncio.run(queue.wait(queue.submit("k", flaky, client="a"), timeout_s=5)) == 5
    queue.close()


def test_check_cancelled_is_a_no_op_outside_a_job() -> None:
    check_cancelled()
