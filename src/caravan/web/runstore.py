"""Scenario runs and ensembles of the web app, as jobs of one bounded :class:`JobQueue`.

Runs and ensembles share the queue's worker threads and limits (per server and per client).
A run is keyed by (scenario name, atlas digest), an ensemble by its request's digest; two
requests for the same key share one computation, and a finished job answers later requests
from memory. A failed or cancelled job is forgotten, so it can be asked for again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request

from caravan.model.atlas import Atlas
from caravan.web.jobs import JobQueue, JobTimeoutError, _Job

__all__ = ["KeyedJobs", "RunStore", "client_id", "wait_for"]

#: ``run(scenario_name, atlas)``, or ``run(scenario_name, atlas, date=day)`` for a run on a
#: given day (YYYY-MM-DD).
RunFunction = Callable[..., Any]


def client_id(request: Request) -> str:
    """Who a request counts against for the per-client limits: its address."""
    return request.client.host if request.client is not None else "unknown"


async def wait_for(queue: JobQueue, job: _Job, request: Request, *, timeout_s: float) -> Any:
    """Wait for a job on the event loop, cancelling it when the client goes away.

    Raises
    ------
    JobTimeoutError, ClientGoneError, JobCancelledError
        See :meth:`JobQueue.wait`.
    """
    return await queue.wait(job, timeout_s=timeout_s, disconnected=request.is_disconnected)


class KeyedJobs:
    """One kind of job (``kind``) on a shared queue: keys are ``(kind, key)`` there.

    Parameters
    ----------
    queue : JobQueue
        The shared queue.
    kind : str
        What the jobs are (``run``, ``ensemble``).
    """

    def __init__(self, queue: JobQueue, kind: str) -> None:
        self.queue = queue
        self.kind = kind

    def submit(self, key: Hashable, work: Callable[[], Any], *, client: str) -> _Job:
        """Queue a job (or join the same one); raises ``QueueFullError`` when full."""
        return self.queue.submit((self.kind, key), work, client=client)

    def done(self, key: Hashable) -> Any | None:
        """The finished job's result, or ``None``."""
        return self.queue.done((self.kind, key))

    def running(self, key: Hashable) -> bool:
        """Whether the job is queued or running."""
        return self.queue.running((self.kind, key))

    def finished(self) -> list[Hashable]:
        """Keys of this kind's finished jobs, oldest use first."""
        return [
            k[1]
            for k in self.queue.finished()
            if isinstance(k, tuple) and len(k) == 2 and k[0] == self.kind
        ]


class RunStore(KeyedJobs):
    """Runs of scenarios on one atlas, computed once each on the shared queue.

    Parameters
    ----------
    atlas : Atlas
        The atlas every run starts from.
    run : callable
        ``run(scenario_name, atlas) -> RunResult``.
    queue : JobQueue
        Where runs are computed.
    """

    def __init__(self, atlas: Atlas, run: RunFunction, queue: JobQueue) -> None:
        super().__init__(queue, "run")
        self._atlas = atlas
        self._run = run

    def _key(self, name: str, date: str | None = None) -> tuple[str, ...]:
        base = (name, self._atlas.digest)
        return base if date is None else (*base, date)

    def done(self, key: Hashable, date: str | None = None) -> Any | None:
        """The finished run of a scenario (by name; on ``date`` if given), or ``None``."""
        return super().done(self._key(str(key), date))

    def running(self, key: Hashable, date: str | None = None) -> bool:
        """Whether a run of the scenario (by name; on ``date`` if given) is queued or running."""
        return super().running(self._key(str(key), date))

    def names(self) -> list[str]:
        """Names of the scenarios with a finished run (on their own day)."""
        return [str(k[0]) for k in self.finished() if isinstance(k, tuple) and len(k) == 2]

    def start(self, name: str, *, client: str, date: str | None = None) -> _Job:
        """Queue the run of a scenario (or join it); raises ``QueueFullError`` when full."""
        atlas, run = self._atlas, self._run
        if date is None:
            return self.submit(self._key(name), lambda: run(name, atlas), client=client)
        return self.submit(
            self._key(name, date), lambda: run(name, atlas, date=date), client=client
        )


# Re-exported for the endpoints' ``except`` clauses.
RunTimeoutError = JobTimeoutError
