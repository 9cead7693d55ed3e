"""The app factory: a FastAPI app over one atlas, with its state in ``app.state``."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import caravan
from caravan.errors import InputError
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.pipeline import Pipeline
from caravan.web.admission import HeavyAdmission
from caravan.web.caches import CachedRoutes, RouteCache
from caravan.web.errors import install_error_handlers
from caravan.web.geojson import AtlasIndex, atlas_index
from caravan.web.jobs import JobQueue, check_cancelled
from caravan.web.route_work import RoutePool
from caravan.web.runstore import KeyedJobs, RunStore
from caravan.web.security import (
    BodySizeLimit,
    Limits,
    LoopbackHostOnly,
    SecurityHeaders,
    is_loopback,
)
from caravan.web.server import RequestLog

__all__ = ["WebState", "create_app", "web_state"]


#: ``ensemble(scenario, vs, draws, seed, atlas) -> EnsembleResult``.
EnsembleFunction = Callable[[str, str | None, int, int, Atlas], Any]


@dataclass(eq=False)
class WebState:
    """Everything the app's endpoints share, kept in ``app.state.caravan``.

    Parameters
    ----------
    atlas : Atlas
        The atlas served.
    host : str
        The address the server is bound to (decides whether a token is needed).
    token : str or None
        The token that runs and writes need; ``None`` when none is needed.
    limits : Limits
        Request and run limits.
    jobs : JobQueue
        The bounded queue of scenario runs and ensembles (per-server and per-client limits).
    runs : RunStore
        Scenario runs (jobs of ``jobs``).
    routes : RouteCache
        Route answers computed so far.
    route_jobs : JobQueue
        The bounded queue of route computations (off the event loop).
    route_pool : RoutePool or None
        Worker processes that compute routes (``Limits.route_processes``); ``None``: the
        route queue's threads compute them.
    pipeline : Pipeline
        Networks compiled so far.
    index : AtlasIndex
        Look-ups for drawing routes.
    ensembles : KeyedJobs
        Ensembles, by key (jobs of ``jobs``).
    ensemble : callable
        ``ensemble(scenario, vs, draws, seed, atlas) -> EnsembleResult``.
    """

    atlas: Atlas
    host: str
    token: str | None
    limits: Limits
    jobs: JobQueue
    runs: RunStore
    routes: RouteCache
    route_jobs: JobQueue
    route_pool: RoutePool | None
    pipeline: Pipeline
    index: AtlasIndex
    ensembles: KeyedJobs
    ensemble: EnsembleFunction
    _objects: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def close(self) -> None:
        """Take no more jobs and cancel every queued or running one (returns at once)."""
        self.jobs.close()
        self.route_jobs.close()
        if self.route_pool is not None:
            self.route_pool.close()

    @property
    def token_required(self) -> bool:
        """Whether runs and writes need the token."""
        return self.token is not None

    def cached_json(self, key: str, build: Callable[[], Any]) -> bytes:
        """JSON bytes built once per app (for the atlas GeoJSON, which never changes)."""

        def encode() -> bytes:
            return json.dumps(build(), separators=(",", ":"), ensure_ascii=False).encode()

        data: bytes = self.memo(f"json:{key}", encode)
        return data

    async def amemo(self, key: str, build: Callable[[], Any]) -> Any:
        """:meth:`memo` for async endpoints: kept values come straight back, on the event
        loop; a first build runs in a worker thread so that it never stalls the loop."""
        with self._lock:
            if key in self._objects:
                return self._objects[key]
        return await run_in_threadpool(self.memo, key, build)

    async def acached_json(self, key: str, build: Callable[[], Any]) -> bytes:
        """:meth:`cached_json` for async endpoints (see :meth:`amemo`)."""
        with self._lock:
            if f"json:{key}" in self._objects:
                data: bytes = self._objects[f"json:{key}"]
                return data
        return await run_in_threadpool(self.cached_json, key, build)

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A value built once per app (the atlas never changes under it), e.g. its security
        layer. A build that raises is not kept."""
        with self._lock:
            if key in self._objects:
                return self._objects[key]
        value = build()
        with self._lock:
            return self._objects.setdefault(key, value)


async def web_state(request: Request) -> WebState:
    """The app state of the request's app (a FastAPI dependency; async so that it needs no
    worker thread)."""
    state = request.app.state.caravan
    assert isinstance(state, WebState)
    return state


def _default_run(pipeline: Pipeline) -> Callable[..., Any]:
    def run(name: str, atlas: Atlas, date: str | None = None) -> Any:
        del atlas  # the pipeline's own
        # The progress hook stops the run when its job is cancelled (client gone, server
        # stopping).
        return pipeline.run(name, date=date, progress=lambda *_: check_cancelled())

    return run


def _default_ensemble(pipeline: Pipeline) -> EnsembleFunction:
    def ensemble(scenario: str, vs: str | None, draws: int, seed: int, atlas: Atlas) -> Any:
        """An ensemble in this thread (the in-process executor: the server spawns no
        processes)."""
        del atlas
        return pipeline.ensemble(
            scenario,
            reference=vs,
            spec=pipeline.ensemble_spec(scenario, draws=draws, seed=seed),
            executor="in-process",
            progress=lambda *_: check_cancelled(),
        )

    return ensemble


def create_app(
    *,
    atlas_path: str | Path | None = None,
    atlas: Atlas | None = None,
    token: str | None = None,
    host: str = "127.0.0.1",
    limits: Limits | None = None,
    run: Callable[[str, Atlas], Any] | None = None,
    ensemble: EnsembleFunction | None = None,
) -> FastAPI:
    """Build the web app: the map page, the JSON/GeoJSON API and its offline docs.

    Parameters
    ----------
    atlas_path : str or Path, optional
        Atlas folder to serve (the shipped Trans-Eurasian atlas by default).
    atlas : Atlas, optional
        An atlas already loaded (instead of ``atlas_path``).
    token : str, optional
        Token that starting a run needs (header ``X-Caravan-Token`` or
        ``Authorization: Bearer``). Required when ``host`` is not a loopback address.
    host : str
        The address the server will be bound to. On a loopback address the app also refuses
        requests whose ``Host`` header names another host (against DNS rebinding).
    limits : Limits, optional
        Request size, ``k``, run time and cache limits.
    run : callable, optional
        ``run(scenario_name, atlas) -> RunResult``; :func:`caravan.results.runs.run_scenario`
        by default (for tests).
    ensemble : callable, optional
        ``ensemble(scenario, vs, draws, seed, atlas) -> EnsembleResult``: an in-process
        :func:`caravan.ensemble.run_ensemble` by default (for tests).

    Returns
    -------
    fastapi.FastAPI
        The app; its state is ``app.state.caravan`` (a :class:`WebState`).

    Raises
    ------
    InputError
        When ``host`` is not a loopback address and no token is given, or the token is empty.
    AtlasValidationError
        When the atlas does not load.

    Examples
    --------
    >>> from pathlib import Path
    >>> from fastapi.testclient import TestClient
    >>> tiny = Path(caravan.__file__).parents[2] / "tests/data/tiny-atlas"
    >>> app = create_app(atlas_path=tiny)
    >>> TestClient(app, base_url="http://127.0.0.1").get("/api/atlas/summary").json()["n_nodes"]
    8
    """
    from caravan.web import (  # the routers import this module (WebState, web_state)
        api_atlas,
        api_ensembles,
        api_route,
        api_scenarios,
        api_security,
        pages,
    )

    if token is not None and not token.strip():
        raise InputError("the token is empty; give a long random string, or none on 127.0.0.1")
    if not is_loopback(host) and token is None:
        msg = (
            f"refusing to serve on {host!r} without a token: anyone who can reach it could start "
            "runs. Give a token (--token or CARAVAN_TOKEN), or bind to 127.0.0.1"
        )
        raise InputError(msg)
    limits = limits or Limits()
    served = atlas if atlas is not None else load_atlas(atlas_path)
    jobs = JobQueue(
        "run or ensemble",
        workers=limits.run_workers,
        max_pending=limits.max_pending_jobs,
        max_per_client=limits.max_jobs_per_client,
        max_kept=limits.max_cached_runs,
    )
    route_jobs = JobQueue(
        "route",
        workers=limits.route_processes or limits.route_workers,
        max_pending=limits.max_pending_routes,
        # Routes are quick and every browser tab of one machine shares its address: only
        # the server's limit applies.
        max_per_client=limits.max_pending_routes,
        max_kept=0,
    )
    pipeline = Pipeline(served)
    state = WebState(
        atlas=served,
        host=host,
        token=token,
        limits=limits,
        jobs=jobs,
        runs=RunStore(served, run or _default_run(pipeline), jobs),
        routes=RouteCache(limits.route_cache_entries),
        route_jobs=route_jobs,
        route_pool=(
            RoutePool(served, processes=limits.route_processes) if limits.route_processes else None
        ),
        pipeline=pipeline,
        index=atlas_index(served),
        ensembles=KeyedJobs(jobs, "ensemble"),
        ensemble=ensemble or _default_ensemble(pipeline),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if state.route_pool is not None:
            # The workers load the atlas while the server answers.
            state.route_pool.start_in_background()
        yield
        state.close()

    app = FastAPI(
        title="Caravan",
        version=caravan.__version__,
        summary=(
            "Freight corridors across Eurasia: the atlas, routes, scenario runs, comparisons, "
            "ensembles and the security layer."
        ),
        description=(
            "JSON and GeoJSON over the Caravan library. Every error is "
            '`{"error": {"status", "kind", "field", "message", "fix", "suggestions"}}`. '
            f"Starting a run or an ensemble needs the token"
            f"{' (set on this server)' if token else ''} in the "
            "`X-Caravan-Token` header when the server is bound to a non-loopback address."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.caravan = state
    install_error_handlers(app)
    app.include_router(api_atlas.router)
    app.include_router(api_route.router)
    app.include_router(api_scenarios.router)
    app.include_router(api_ensembles.router)
    app.include_router(api_security.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    # Innermost: a repeated route request is answered from the cache without the framework,
    # after every check of the middlewares below (host, size, admission, headers, log).
    app.add_middleware(CachedRoutes, cache=state.routes)
    if is_loopback(host):
        app.add_middleware(LoopbackHostOnly)
    app.add_middleware(
        BodySizeLimit, max_body_bytes=limits.max_body_bytes, max_url_chars=limits.max_url_chars
    )
    # A few route requests at a time get the event loop; cheap requests never queue behind
    # dozens of them.
    app.add_middleware(
        HeavyAdmission,
        prefixes=("/api/route",),
        max_active=limits.active_routes,
        max_waiting=limits.max_pending_routes,
    )
    # Outermost: the headers and the log line cover every answer, refusals included.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    return app
