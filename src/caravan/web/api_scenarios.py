"""API for scenarios: the shipped what-ifs, their runs (flows, transit) and comparisons.

Scenario names are slugs (``^[a-z0-9][a-z0-9-]{0,63}$``) and must name a file of the atlas's
``scenarios/`` folder, so no request can reach a file outside it. Starting a run needs the
server's token when it has one (always, when bound to a non-loopback address), and is always a
POST (``/api/runs``, ``/api/compare``): no GET starts work. Runs wait in the server's bounded
job queue (503 with ``Retry-After`` when it is full) and are cancelled when their client goes
away.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from caravan.errors import CaravanError
from caravan.io.scenario import list_scenarios
from caravan.results.compare import compare_runs
from caravan.web.app import WebState, web_state
from caravan.web.errors import ApiError
from caravan.web.geojson import comparison_links_geojson, flow_records, flows_geojson, plain
from caravan.web.jobs import JobTimeoutError
from caravan.web.runstore import client_id, wait_for
from caravan.web.security import TOKEN_HEADER, check_token

__all__ = ["SCENARIO_NAME_PATTERN", "RunRequest", "router"]

router = APIRouter(prefix="/api", tags=["scenarios"])

State = Annotated[WebState, Depends(web_state)]

#: What a run's day looks like (checked as a real day when the run starts).
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

#: What a scenario name may look like: a slug, no dots or slashes.
SCENARIO_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"

ScenarioPath = Annotated[
    str, Path(pattern=SCENARIO_NAME_PATTERN, max_length=64, description="Scenario name.")
]


class RunRequest(BaseModel):
    """Body of ``POST /api/runs``."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(
        pattern=SCENARIO_NAME_PATTERN,
        max_length=64,
        description="Name of a scenario of the atlas's scenarios/ folder.",
        examples=["baseline-2025"],
    )
    date: str | None = Field(
        default=None,
        pattern=DATE_PATTERN,
        description="Day (YYYY-MM-DD) whose dated closures and openings apply (default: the "
        "scenario's date, else the atlas's as-of date or 1 July of its year).",
        examples=["2025-10-20"],
    )


def _known(state: WebState) -> list[dict[str, Any]]:

    try:
        # Read once per app (the atlas, scenarios included, never changes under it): the
        # name checks of every request, on the event loop, stay cheap.
        known: list[dict[str, Any]] = state.memo("scenarios", lambda: list_scenarios(state.atlas))
        return known
    except CaravanError as exc:
        raise ApiError.from_caravan(exc, field="scenario") from None


def _check_name(state: WebState, name: str, field: str) -> str:
    names = [s["name"] for s in _known(state)]
    if name in names:
        return name
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    raise ApiError(
        404,
        f"unknown scenario {name!r}",
        field=field,
        fix=f"use one of: {', '.join(names)}" if names else "this atlas ships no scenarios",
        suggestions=close,
        kind="not_found",
    )


def _require_token(state: WebState, request: Request, why: str) -> None:
    if not check_token(state.token, request.headers):
        raise ApiError(
            401,
            f"{why} needs this server's token",
            field=TOKEN_HEADER,
            fix=f"send the token in the {TOKEN_HEADER} header (or Authorization: Bearer)",
            kind="unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )


class CompareRequest(BaseModel):
    """Body of ``POST /api/compare``."""

    model_config = ConfigDict(extra="forbid")

    a: str = Field(
        pattern=SCENARIO_NAME_PATTERN,
        max_length=64,
        description="Scenario A (before).",
        examples=["baseline-2025"],
    )
    b: str = Field(
        pattern=SCENARIO_NAME_PATTERN,
        max_length=64,
        description="Scenario B (after).",
        examples=["kabul-corridor"],
    )


async def _run(
    state: WebState, request: Request, name: str, field: str, date: str | None = None
) -> Any:
    """The run of a scenario whose name :func:`_check_name` has passed (on ``date`` if given):
    kept, or queued (or joined) and waited for on the event loop."""
    if date is not None:
        from caravan.model.events import parse_day

        try:
            parse_day(date)
        except CaravanError as exc:
            raise ApiError(
                422, str(exc), field="date", fix="give the day as YYYY-MM-DD, e.g. 2025-06-01"
            ) from None
    kept = state.runs.done(name, date)
    if kept is not None:
        return kept
    _require_token(state, request, f"starting a run of {name!r}")
    job = state.runs.start(name, client=client_id(request), date=date)
    try:
        return await wait_for(state.jobs, job, request, timeout_s=state.limits.run_timeout_s)
    except JobTimeoutError:
        raise ApiError(
            504,
            f"the run of {name!r} took longer than {state.limits.run_timeout_s:g} s",
            field=field,
            fix="it goes on in the background: ask again in a while",
            kind="timeout",
        ) from None
    except ImportError as exc:
        raise ApiError(
            501, f"scenario runs are not available: {exc}", field=field, kind="unavailable"
        ) from None
    except CaravanError as exc:
        raise ApiError.from_caravan(exc, field=field) from None


def _run_record(result: Any) -> dict[str, Any]:
    record: dict[str, Any] = plain(result.to_dict())
    record["links"] = flow_records(result.link_flows)
    return record


@router.get("/scenarios")
def scenarios(state: State) -> list[dict[str, Any]]:
    """The atlas's scenarios: name, title, description, base, year, sources, and run state."""
    out = []
    for s in _known(state):
        status = (
            "done"
            if state.runs.done(s["name"]) is not None
            else "running"
            if state.runs.running(s["name"])
            else "not run"
        )
        out.append({**plain(s), "run": status})
    return out


_BUSY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "The job queue is full (for the server or for this client): "
        "`Retry-After` says when to ask again."
    }
}


@router.post("/runs", responses={401: {"description": "The token is missing or wrong."}, **_BUSY})
async def start_run(state: State, request: Request, body: RunRequest) -> dict[str, Any]:
    """Run a scenario (or return its kept run): flows, per-country transit, corridors.

    Needs the server's token when it has one. Waits at most the server's run time limit
    (504 after that; the run goes on and is kept). The run waits in the server's bounded
    queue (503 with ``Retry-After`` when full) and is cancelled if the client goes away.
    """
    _require_token(state, request, "starting a run")
    _check_name(state, body.scenario, "scenario")
    result = await _run(state, request, body.scenario, "scenario", body.date)
    return await run_in_threadpool(_run_record, result)


@router.get("/jobs")
async def jobs(state: State) -> dict[str, dict[str, int]]:
    """The job queues now: ``jobs`` (runs and ensembles) and ``routes``; per queue the jobs
    queued, running and kept, workers, limits, and refusals (503) and cancellations so far."""
    return {"jobs": state.jobs.stats(), "routes": state.route_jobs.stats()}


@router.get("/runs")
def runs(state: State) -> list[dict[str, Any]]:
    """Runs kept in memory: scenario name and summary."""
    out = []
    for name in state.runs.names():
        result = state.runs.done(name)
        if result is not None:
            out.append({"scenario": name, "summary": plain(result.summary)})
    return out


def _done(
    state: WebState,
    name: str,
    *,
    field: str = "name",
    post: str | None = None,
    date: str | None = None,
) -> Any:
    _check_name(state, name, field)
    result = state.runs.done(name, date)
    if result is None:
        running = state.runs.running(name, date)
        raise ApiError(
            404,
            f"scenario {name!r} is {'still running' if running else 'not run yet'}",
            field=field,
            fix="ask again in a while"
            if running
            else post or f'POST /api/runs with {{"scenario": "{name}"}}',
            kind="not_run",
        )
    return result


RunDate = Annotated[
    str | None,
    Query(
        pattern=DATE_PATTERN,
        description="The day the run was asked for (POST /api/runs with a date); default: "
        "the scenario's own day.",
    ),
]


@router.get("/runs/{name}")
def run_result(state: State, name: ScenarioPath, date: RunDate = None) -> dict[str, Any]:
    """A kept run: summary (its day, and warnings naming the dated closures it runs as open,
    with their sources), per-country transit, corridors, flows, link tonnes, provenance."""
    post = f'POST /api/runs with {{"scenario": "{name}", "date": "{date}"}}' if date else None
    return _run_record(_done(state, name, date=date, post=post))


@router.get(
    "/runs/{name}/flows.geojson",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def run_flows(state: State, name: ScenarioPath) -> Any:
    """The link flows of a kept run as GeoJSON lines (``tonnes_per_year`` and each way)."""
    from fastapi.responses import JSONResponse

    result = _done(state, name)
    return JSONResponse(
        flows_geojson(state.atlas, result.link_flows, index=state.index),
        media_type="application/geo+json",
    )


def _comparison(state: WebState, run_a: Any, run_b: Any) -> dict[str, Any]:

    comparison = compare_runs(run_a, run_b)
    record: dict[str, Any] = plain(comparison.to_dict())
    record["links_geojson"] = comparison_links_geojson(
        state.atlas, comparison.links, index=state.index
    )
    return record


@router.post(
    "/compare",
    responses={401: {"description": "A run must start: token needed."}, **_BUSY},
)
async def start_compare(state: State, request: Request, body: CompareRequest) -> dict[str, Any]:
    """Scenario B against A: transit change by country, corridor, flow and link.

    Adds ``links_geojson``: the links whose tonnes changed, with ``delta_tonnes`` (B - A).
    Runs a scenario not yet run (which needs the token when the server has one; see
    ``POST /api/runs`` for the queue and time limits).
    """
    _check_name(state, body.a, "a")
    _check_name(state, body.b, "b")
    run_a = await _run(state, request, body.a, "a")
    run_b = await _run(state, request, body.b, "b")
    return await run_in_threadpool(_comparison, state, run_a, run_b)


@router.get(
    "/compare",
    responses={404: {"description": "A or B has not been run yet (POST /api/compare runs it)."}},
)
def compare(
    state: State,
    a: Annotated[
        str, Query(pattern=SCENARIO_NAME_PATTERN, max_length=64, description="Scenario A.")
    ],
    b: Annotated[
        str, Query(pattern=SCENARIO_NAME_PATTERN, max_length=64, description="Scenario B.")
    ],
) -> dict[str, Any]:
    """The comparison of two kept runs (reading only: ``POST /api/compare`` starts runs).

    The same body as ``POST /api/compare``; 404 while A or B has not been run.
    """
    run_a = _done(state, a, field="a", post=f'POST /api/compare with {{"a": "{a}", "b": "{b}"}}')
    run_b = _done(state, b, field="b", post=f'POST /api/compare with {{"a": "{a}", "b": "{b}"}}')
    return _comparison(state, run_a, run_b)
