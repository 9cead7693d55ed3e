"""A bounded job queue for the web app's heavy work: routes, scenario runs and ensembles.

Heavy work never runs on the event loop. A :class:`JobQueue` owns a few daemon worker threads
and a queue with two limits: jobs queued or running on the server (``max_pending``) and per
client (``max_per_client``). A submission past either limit raises :class:`QueueFullError`
at once (the app answers 503 with ``Retry-After``), so a flood never piles up threads or
memory. Identical submissions (the same key) share one job. A request waits for its job on
the event loop (:meth:`JobQueue.wait`) without holding a thread; when every request waiting
for a job has gone away, the job is cancelled: dropped from the queue if it has not started,
else stopped at its next :func:`check_cancelled` (the ensemble and run engines call it through
their ``progress`` hooks). :meth:`JobQueue.close` cancels everything, and since the workers are
daemon threads the process never waits for a job to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ClientGoneError",
    "JobCancelledError",
    "JobQueue",
    "JobTimeoutError",
    "QueueFullError",
    "check_cancelled",
]

logger = logging.getLogger(__name__)

_CURRENT = threading.local()

#: Seconds an idle worker thread waits for a job before it ends.
_IDLE_S = 30.0


class QueueFullError(Exception):
    """The queue is full (for the server or for this client): try again later.

    Parameters
    ----------
    message : str
        What is full.
    retry_after_s : int
        Seconds after which a retry is likely to be taken.
    scope : {"server", "client", "closed"}
        Which limit was hit (``closed``: the server is shutting down).
    """

    def __init__(self, message: str, *, retry_after_s: int, scope: str) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.scope = scope


class JobCancelledError(Exception):
    """The job was cancelled (every client waiting for it went away, or the server stops)."""


class JobTimeoutError(Exception):
    """A request waited longer than its limit; the job goes on and is kept."""


class ClientGoneError(Exception):
    """The client closed the connection while waiting for its job."""


def check_cancelled() -> None:
    """Raise :class:`JobCancelledError` when the job running in this thread was cancelled.

    A no-op outside a job's worker thread, so library code may call it anywhere (the web app
    passes it to the engines as their ``progress`` hook).
    """
    token: threading.Event | None = getattr(_CURRENT, "cancel", None)
    if token is not None and token.is_set():
        raise JobCancelledError("cancelled")


@dataclass(eq=False)
class _Job:
    key: Hashable
    work: Callable[[], Any]
    client: str
    future: Future[Any] = field(default_factory=Future)
    cancel: threading.Event = field(default_factory=threading.Event)
    waiters: int = 0
    wakers: list[Callable[[Any], None]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.future.done() and (
            self.future.cancelled() or self.future.exception() is not None
        )


class JobQueue:
    """Jobs keyed by any hashable key, run on daemon worker threads with a bounded queue.

    Parameters
    ----------
    label : str
        What a job is, for messages and the log ("route", "run or ensemble").
    workers : int
        Jobs run at once.
    max_pending : int
        Jobs queued or running at once on the server; more are refused.
    max_per_client : int
        Jobs queued or running at once for one client; more are refused.
    max_kept : int
        Finished jobs kept (their results answer later requests); the least recently used is
        dropped first. 0 keeps none (the caller caches results itself).

    Examples
    --------
    >>> import asyncio
    >>> queue = JobQueue("sum", workers=1, max_pending=2, max_per_client=2, max_kept=4)
    >>> job = queue.submit("k", lambda: 1 + 1, client="me")
    >>> asyncio.run(queue.wait(job, timeout_s=5))
    2
    >>> queue.done("k"), queue.stats()["pending"]
    (2, 0)
    >>> queue.close()
    """

    def __init__(
        self, label: str, *, workers: int, max_pending: int, max_per_client: int, max_kept: int
    ) -> None:
        if min(workers, max_pending, max_per_client) < 1 or max_kept < 0:
            raise ValueError("workers, max_pending and max_per_client must be at least 1")
        self.label = label
        self.workers = workers
        self.max_pending = max_pending
        self.max_per_client = max_per_client
        self.max_kept = max_kept
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: deque[_Job] = deque()
        self._jobs: OrderedDict[Hashable, _Job] = OrderedDict()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._mean_s = 1.0
        self.refused = 0
        self.cancelled = 0

    # ------------------------------------------------------------------ submitting and waiting
    def submit(self, key: Hashable, work: Callable[[], Any], *, client: str) -> _Job:
        """Queue ``work`` under ``key`` (or join the job already queued, running or kept).

        Raises
        ------
        QueueFullError
            When the server's or the client's limit is reached, or the queue is closed.
        """
        with self._lock:
            if self._closed:
                raise QueueFullError("the server is shutting down", retry_after_s=5, scope="closed")
            job = self._jobs.get(key)
            if job is not None and not job.failed:
                self._jobs.move_to_end(key)
                return job
            active = [j for j in self._jobs.values() if not j.future.done()]
            if len(active) >= self.max_pending:
                self.refused += 1
                raise QueueFullError(
                    f"the server is busy: {len(active)} {self.label} jobs are queued or running, "
                    f"the most it takes at once",
                    retry_after_s=self._retry_after(len(active)),
                    scope="server",
                )
            mine = sum(1 for j in active if j.client == client)
            if mine >= self.max_per_client:
                self.refused += 1
                raise QueueFullError(
                    f"you have {mine} {self.label} jobs queued or running, the most one client "
                    "may have at once",
                    retry_after_s=self._retry_after(mine),
                    scope="client",
                )
            job = _Job(key=key, work=work, client=client)
            self._jobs[key] = job
            self._queue.append(job)
            self._start_workers()
            self._wake.notify()
            self._evict()
        logger.info("queued %s %s for %s", self.label, key, client)
        return job

    async def wait(
        self,
        job: _Job,
        *,
        timeout_s: float,
        disconnected: Callable[[], Awaitable[bool]] | None = None,
        poll_s: float = 0.25,
    ) -> Any:
        """Wait on the event loop (no thread held) for a job's result.

        Parameters
        ----------
        job
            What :meth:`submit` returned.
        timeout_s : float
            Longest wait; after it :class:`JobTimeoutError` (the job goes on and is kept).
        disconnected : callable, optional
            ``await disconnected()`` tells whether the client went away (polled every
            ``poll_s``); the job is then cancelled unless another request waits for it.

        Raises
        ------
        JobTimeoutError, ClientGoneError, JobCancelledError
            As above (cancelled: by the server shutting down, or by other clients leaving).
        Exception
            Whatever the job raised (the job is then forgotten, so it can be asked again).
        """
        loop = asyncio.get_running_loop()
        finished = loop.create_future()

        def wake(_: Future[Any]) -> None:
            def settle() -> None:
                if not finished.done():
                    finished.set_result(None)

            # RuntimeError: the loop has closed, so nobody waits any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle)

        with self._lock:
            job.waiters += 1
            job.wakers.append(wake)
        job.future.add_done_callback(wake)
        deadline = loop.time() + timeout_s
        gone = False
        try:
            while not job.future.done():
                if job.cancel.is_set():
                    # Cancelled while running: answer now, whenever the job notices.
                    raise JobCancelledError(f"the {self.label} job was cancelled")
                left = deadline - loop.time()
                if left <= 0:
                    raise JobTimeoutError(str(job.key))
                await asyncio.wait({finished}, timeout=min(poll_s, left))
                if not job.future.done() and disconnected is not None and await disconnected():
                    gone = True
                    raise ClientGoneError(str(job.key))
            try:
                return job.future.result()
            except CancelledError:
                raise JobCancelledError(f"the {self.label} job was cancelled") from None
        finally:
            with self._lock:
                job.waiters -= 1
                job.wakers.remove(wake)
                orphan = gone and job.waiters == 0 and not job.future.done()
            if orphan:
                self.cancel(job, why="its client went away")

    # ------------------------------------------------------------------ state
    def done(self, key: Hashable) -> Any | None:
        """The finished job's result, or ``None`` when it has not finished successfully."""
        with self._lock:
            job = self._jobs.get(key)
        if job is None or not job.future.done() or job.failed:
            return None
        return job.future.result()

    def running(self, key: Hashable) -> bool:
        """Whether the job is queued or running."""
        with self._lock:
            job = self._jobs.get(key)
        return job is not None and not job.future.done()

    def finished(self) -> list[Hashable]:
        """Keys of the jobs that finished successfully, oldest use first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [j.key for j in jobs if j.future.done() and not j.failed]

    def stats(self) -> dict[str, int]:
        """Jobs queued, running and kept; workers; limits; refusals and cancellations so far."""
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j.future.running())
            pending = sum(1 for j in self._jobs.values() if not j.future.done())
            return {
                "queued": pending - running,
                "running": running,
                "pending": pending,
                "kept": len(self._jobs) - pending,
                "workers": self.workers,
                "max_pending": self.max_pending,
                "max_per_client": self.max_per_client,
                "refused": self.refused,
                "cancelled": self.cancelled,
            }

    # ------------------------------------------------------------------ cancelling and closing
    def cancel(self, job: _Job, *, why: str) -> None:
        """Cancel a job: dropped if still queued, else stopped at its next check."""
        job.cancel.set()
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]
            self.cancelled += 1
            wakers = list(job.wakers)
        for wake in wakers:
            wake(job.future)
        if job.future.cancel():
            logger.info("dropped queued %s %s: %s", self.label, job.key, why)
        else:
            logger.info("cancelling %s %s: %s", self.label, job.key, why)

    def close(self) -> None:
        """Take no more jobs and cancel every queued or running one (returns at once)."""
        with self._lock:
            self._closed = True
            jobs = [j for j in self._jobs.values() if not j.future.done()]
            self._wake.notify_all()
        for job in jobs:
            self.cancel(job, why="the server is stopping")

    # ------------------------------------------------------------------ workers
    def _start_workers(self) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self.workers:
            thread = threading.Thread(
                target=self._work,
                name=f"caravan-{self.label.split()[0]}-{len(self._threads)}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        me = threading.current_thread()
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    # An idle worker ends after a while; the next submission starts another.
                    if not self._wake.wait(timeout=_IDLE_S) and not self._queue:
                        self._threads = [t for t in self._threads if t is not me]
                        return
                if self._closed:
                    return
                job = self._queue.popleft()
            if not job.future.set_running_or_notify_cancel():
                continue
            _CURRENT.cancel = job.cancel
            started = time.perf_counter()
            try:
                if job.cancel.is_set():
                    raise JobCancelledError("cancelled before it started")
                result = job.work()
            except JobCancelledError:
                job.future.set_exception(JobCancelledError(f"the {self.label} was cancelled"))
            except BaseException as exc:  # handed to the waiting request
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)
            finally:
                _CURRENT.cancel = None
            took = time.perf_counter() - started
            with self._lock:
                self._mean_s = 0.8 * self._mean_s + 0.2 * took
                if job.failed and self._jobs.get(job.key) is job:
                    del self._jobs[job.key]
                self._evict()

    def _evict(self) -> None:
        done = [k for k, j in self._jobs.items() if j.future.done()]
        for key in done[: max(0, len(done) - self.max_kept)]:
            del self._jobs[key]

    def _retry_after(self, ahead: int) -> int:
        """Seconds until ``ahead`` jobs are likely done (the mean job time so far), 1..120."""
        return int(min(120, max(1, math.ceil(self._mean_s * ahead / self.workers))))
