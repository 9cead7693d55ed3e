"""Scenario runs for the web app: computed in worker threads, with a time limit, kept in memory.

One :class:`RunStore` lives in ``app.state``; ensembles use a :class:`JobCache` on the same
worker threads. A run is keyed by (scenario name, atlas digest);
two requests for the same run share one computation. A request waits at most
``Limits.run_timeout_s``; a run that takes longer goes on, and its result is kept for the next
request. A failed run is forgotten, so it can be asked for again.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from caravan.model.atlas import Atlas

__all__ = ["JobCache", "RunStore", "RunTimeoutError"]

logger = logging.getLogger(__name__)

RunFunction = Callable[[str, Atlas], Any]


class RunTimeoutError(Exception):
    """A run did not finish within the time limit (it goes on in the background)."""


class JobCache:
    """Jobs keyed by any hashable key, computed once each on a shared pool, kept in memory.

    Two requests for the same key share one computation; a failed job is forgotten so that it
    can be asked for again; past ``max_cached`` finished jobs the least recently used is
    dropped.

    Parameters
    ----------
    pool : callable
        Returns the thread pool to run jobs on (created lazily by its owner).
    max_cached : int
        Jobs kept.
    label : str
        What a job is, for the log ("run", "ensemble").
    """

    def __init__(
        self, pool: Callable[[], ThreadPoolExecutor], *, max_cached: int, label: str = "job"
    ) -> None:
        self._pool = pool
        self._max_cached = max_cached
        self._label = label
        self._lock = threading.Lock()
        self._futures: OrderedDict[Hashable, Future[Any]] = OrderedDict()

    def done(self, key: Hashable) -> Any | None:
        """The finished job's result, or ``None`` when it has not finished successfully."""
        with self._lock:
            future = self._futures.get(key)
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    def running(self, key: Hashable) -> bool:
        """Whether the job has started and not yet finished."""
        with self._lock:
            future = self._futures.get(key)
        return future is not None and not future.done()

    def finished(self) -> list[Hashable]:
        """Keys of the jobs that finished successfully, oldest use first."""
        with self._lock:
            items = list(self._futures.items())
        return [k for k, f in items if f.done() and f.exception() is None]

    def get(self, key: Hashable, job: Callable[[], Any], *, timeout_s: float) -> Any:
        """The job's result: from memory, or started now (or joined) and waited for.

        Raises
        ------
        RunTimeoutError
            When the job does not finish within ``timeout_s`` (it goes on and is kept).
        Exception
            Whatever the job raised (it is then forgotten).
        """
        with self._lock:
            future = self._futures.get(key)
            if future is None or (future.done() and future.exception() is not None):
                future = self._pool().submit(job)
                self._futures[key] = future
                logger.info("started %s %s", self._label, key)
            self._futures.move_to_end(key)
            self._evict()
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            raise RunTimeoutError(str(key)) from None
        except BaseException:
            with self._lock:
                if self._futures.get(key) is future:
                    del self._futures[key]
            raise

    def _evict(self) -> None:
        while len(self._futures) > self._max_cached:
            for key, future in self._futures.items():
                if future.done():
                    del self._futures[key]
                    break
            else:
                return


class RunStore:
    """Runs of scenarios on one atlas, computed once each and kept in memory.

    Parameters
    ----------
    atlas : Atlas
        The atlas every run starts from.
    run : callable
        ``run(scenario_name, atlas) -> RunResult``.
    workers : int
        Runs computed at once (ensembles share the same pool: see :meth:`pool`).
    max_cached : int
        Runs kept; the least recently used is dropped first.
    """

    def __init__(self, atlas: Atlas, run: RunFunction, *, workers: int, max_cached: int) -> None:
        self._atlas = atlas
        self._run = run
        self._workers = workers
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._jobs = JobCache(self.pool, max_cached=max_cached, label="run of scenario")

    def pool(self) -> ThreadPoolExecutor:
        """The worker threads of runs and ensembles (created on first use, and again after
        :meth:`close`)."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="caravan-run"
                )
            return self._executor

    def _key(self, name: str) -> tuple[str, str]:
        return (name, self._atlas.digest)

    def done(self, name: str) -> Any | None:
        """The finished run of a scenario, or ``None`` when it has not finished successfully."""
        return self._jobs.done(self._key(name))

    def running(self, name: str) -> bool:
        """Whether a run of the scenario has started and not yet finished."""
        return self._jobs.running(self._key(name))

    def names(self) -> list[str]:
        """Names of the scenarios with a finished run."""
        return [str(k[0]) for k in self._jobs.finished() if isinstance(k, tuple)]

    def get(self, name: str, *, timeout_s: float) -> Any:
        """The run of a scenario: from memory, or started now (or joined) and waited for.

        Raises
        ------
        RunTimeoutError
            When the run does not finish within ``timeout_s``.
        Exception
            Whatever the run raised (it is then forgotten).
        """
        atlas, run = self._atlas, self._run
        try:
            return self._jobs.get(self._key(name), lambda: run(name, atlas), timeout_s=timeout_s)
        except RunTimeoutError:
            raise RunTimeoutError(name) from None

    def close(self) -> None:
        """Stop taking runs; runs waiting in line are cancelled."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
