"""The work behind ``GET /api/route``: a route answer as JSON bytes, in a thread or a process.

A route answer is computed by :func:`route_answer` (the network, the routes, their GeoJSON,
the encoding). The app runs it on its route queue's worker threads; with
``Limits.route_processes`` it runs it in a small pool of worker processes instead
(:class:`RoutePool`), each with the atlas and its own networks. A worker thread then only waits
for its process (holding no GIL), so the event loop never competes with route work for the
interpreter: under 50 busy clients that contention, not the work itself, set the latency of
cheap requests (every socket write on the loop waited for a route thread to hand the GIL back).
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson

from caravan.errors import CaravanError
from caravan.model.atlas import Atlas
from caravan.network.model import Objective
from caravan.pipeline import Pipeline
from caravan.web.errors import ApiError
from caravan.web.geojson import AtlasIndex, atlas_index, bounding_box, plain, route_geojson

__all__ = ["RoutePool", "RouteQuery", "route_answer"]


@dataclass(frozen=True)
class RouteQuery:
    """A resolved route request (ids, not names): also the key of its cached answer."""

    origin_id: str
    destination_id: str
    year: int
    commodity_id: str
    by: str
    k: int
    open_projects: tuple[str, ...]
    max_overlap: float
    #: The day (YYYY-MM-DD) whose dated closures and openings apply.
    date: str


def _dumps(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (orjson: a tenth of the standard library's time on a route answer).

    Values orjson cannot hold as they are (numpy integers, non-text keys) are made plain first;
    NaN and infinities become ``null`` either way.
    """
    try:
        return orjson.dumps(body)
    except TypeError:
        return orjson.dumps(plain(body))


def route_answer(pipeline: Pipeline, index: AtlasIndex, query: RouteQuery) -> bytes:
    """The JSON answer of ``GET /api/route`` for a resolved query.

    Raises
    ------
    ApiError
        For any library error (unknown place, no route, ...), with its HTTP status.
    """
    from caravan.model.events import event_warning, events_touching, parse_day
    from caravan.results.routes import find_routes

    day = parse_day(query.date)
    try:
        network = pipeline.atlas_network(
            year=query.year,
            commodity=query.commodity_id,
            open_projects=query.open_projects,
            date=day,
        )
        routes = find_routes(
            network,
            query.origin_id,
            query.destination_id,
            by=Objective(query.by),
            k=query.k,
            max_overlap=query.max_overlap,
            explaining=pipeline.explaining_network,
        )
    except CaravanError as exc:
        raise ApiError.from_caravan(exc) from None
    records = []
    for r in routes:
        record: dict[str, Any] = r.to_dict()
        record["geometry"] = route_geojson(pipeline.atlas, record, index=index)
        records.append(record)
    body = {
        "query": {
            "from": query.origin_id,
            "to": query.destination_id,
            "year": query.year,
            "commodity": query.commodity_id,
            "by": query.by,
            "k": query.k,
            "open": list(query.open_projects),
            "max_overlap": query.max_overlap,
        },
        "date": day.isoformat(),
        "warnings": [
            event_warning(pipeline.atlas, e, day)
            for e in events_touching(pipeline.atlas, day, {n for r in routes for n in r.node_ids})
        ],
        "routes": records,
        "bbox": bounding_box(xy for r in routes for xy in r.line),
    }
    return _dumps(body)


@dataclass(frozen=True)
class _Failure:
    """An :class:`ApiError` as plain fields (sent back from a worker process)."""

    status: int
    message: str
    field: str | None
    fix: str | None
    suggestions: tuple[str, ...]
    kind: str


# The pipeline and look-ups of a worker process, set once by the pool's initializer.
_WORKER: list[tuple[Pipeline, AtlasIndex]] = []


def _init_worker(atlas: Atlas) -> None:
    _WORKER[:] = [(Pipeline(atlas), atlas_index(atlas))]


def _worker_answer(query: RouteQuery) -> bytes | _Failure:
    pipeline, index = _WORKER[0]
    try:
        return route_answer(pipeline, index, query)
    except ApiError as exc:
        return _Failure(exc.status, exc.message, exc.field, exc.fix, exc.suggestions, exc.kind)


def _ready() -> bool:
    return bool(_WORKER)


class RoutePool:
    """Route answers computed in ``processes`` worker processes (started at the first use).

    Each worker receives the atlas once (pickled, about 1 MB) and compiles its own networks.

    Parameters
    ----------
    atlas : Atlas
        The atlas served.
    processes : int
        Worker processes.
    """

    def __init__(self, atlas: Atlas, *, processes: int) -> None:
        if processes < 1:
            raise ValueError("a route pool needs at least one process")
        self.processes = processes
        self._atlas = atlas
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            return self._pool_locked()

    def _pool_locked(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: a clean child (the server's threads and event loop are not copied),
            # forked from a server process that has imported the routing code once.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self._atlas,),
            )
        return self._executor

    def start(self) -> list[Future[bool]]:
        """Start the workers now (each loads the atlas), instead of at the first route.

        Blocks while the process that forks the workers imports Caravan (a second or more);
        :meth:`start_in_background` does not.
        """
        pool = self._pool()
        return [pool.submit(_ready) for _ in range(self.processes)]

    def start_in_background(self) -> None:
        """:meth:`start` on a daemon thread (the server answers meanwhile)."""
        threading.Thread(target=self.start, name="caravan-route-pool-start", daemon=True).start()

    def answer(self, query: RouteQuery) -> bytes:
        """The answer of :func:`route_answer`, computed in a worker (this thread waits)."""
        result = self._pool().submit(_worker_answer, query).result()
        if isinstance(result, _Failure):
            raise ApiError(
                result.status,
                result.message,
                field=result.field,
                fix=result.fix,
                suggestions=result.suggestions,
                kind=result.kind,
            )
        return result

    def close(self) -> None:
        """Stop the workers at once (work in flight is dropped)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
