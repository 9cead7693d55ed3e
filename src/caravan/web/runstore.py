"""Scenario runs for the web app: computed in worker threads, with a time limit, kept in memory.

One :class:`RunStore` lives in ``app.state``. A run is keyed by (scenario name, atlas digest);
two requests for the same run share one computation. A request waits at most
``Limits.run_timeout_s``; a run that takes longer goes on, and its result is kept for the next
request. A failed run is forgotten, so it can be asked for again.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from caravan.model.atlas import Atlas

__all__ = ["RunStore", "RunTimeoutError"]

logger = logging.getLogger(__name__)

RunFunction = Callable[[str, Atlas], Any]


class RunTimeoutError(Exception):
    """A run did not finish within the time limit (it goes on in the background)."""


class RunStore:
    """Runs of scenarios on one atlas, computed once each and kept in memory.

    Parameters
    ----------
    atlas : Atlas
        The atlas every run starts from.
    run : callable
        ``run(scenario_name, atlas) -> RunResult``.
    workers : int
        Runs computed at once.
    max_cached : int
        Runs kept; the least recently used is dropped first.
    """

    def __init__(self, atlas: Atlas, run: RunFunction, *, workers: int, max_cached: int) -> None:
        self._atlas = atlas
        self._run = run
        self._workers = workers
        self._max_cached = max_cached
        self._lock = threading.Lock()
        self._futures: OrderedDict[tuple[str, str], Future[Any]] = OrderedDict()
        self._executor: ThreadPoolExecutor | None = None

    def _key(self, name: str) -> tuple[str, str]:
        return (name, self._atlas.digest)

    def done(self, name: str) -> Any | None:
        """The finished run of a scenario, or ``None`` when it has not finished successfully."""
        with self._lock:
            future = self._futures.get(self._key(name))
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()

    def running(self, name: str) -> bool:
        """Whether a run of the scenario has started and not yet finished."""
        with self._lock:
            future = self._futures.get(self._key(name))
        return future is not None and not future.done()

    def names(self) -> list[str]:
        """Names of the scenarios with a finished run."""
        with self._lock:
            items = list(self._futures.items())
        return [k[0] for k, f in items if f.done() and f.exception() is None]

    def get(self, name: str, *, timeout_s: float) -> Any:
        """The run of a scenario: from memory, or started now (or joined) and waited for.

        Raises
        ------
        RunTimeoutError
            When the run does not finish within ``timeout_s``.
        Exception
            Whatever the run raised (it is then forgotten).
        """
        key = self._key(name)
        with self._lock:
            future = self._futures.get(key)
            if future is None or (future.done() and future.exception() is not None):
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        max_workers=self._workers, thread_name_prefix="caravan-run"
                    )
                future = self._executor.submit(self._run, name, self._atlas)
                self._futures[key] = future
                logger.info("started run of scenario %s", name)
            self._futures.move_to_end(key)
            self._evict()
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            raise RunTimeoutError(name) from None
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

    def close(self) -> None:
        """Stop taking runs; runs waiting in line are cancelled."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
