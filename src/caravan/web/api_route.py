"""API for routes: the least-cost route and alternatives, with breakdowns and GeoJSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from caravan.errors import CaravanError
from caravan.network.model import Objective
from caravan.web.app import WebState, web_state
from caravan.web.errors import ApiError
from caravan.web.jobs import JobTimeoutError
from caravan.web.route_work import RouteQuery, route_answer
from caravan.web.runstore import client_id, wait_for

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["routes"])

State = Annotated[WebState, Depends(web_state)]

_ROUTE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "`query` (the resolved request) and `routes`: each route has the fields of "
            "`caravan route --json` (node_ids, link_ids, countries, length_km, time_h, "
            "money_usd_per_t, risk_usd_per_t, cost_usd_per_t, by_country, borders, transfers, "
            "projects, legs, ...) plus `geometry`, a GeoJSON FeatureCollection of its links in "
            "travel order; `bbox` covers every route."
        ),
        "content": {"application/json": {}},
    },
    404: {"description": "Unknown place, commodity or project (with suggestions), or no route."},
    422: {"description": "A parameter out of bounds (the field and the allowed range)."},
    503: {
        "description": "The server has as many routes in line as it takes; `Retry-After` "
        "says when to ask again."
    },
}


def _resolve(state: WebState, field: str, query: str, kind: str) -> str:
    atlas = state.atlas
    try:
        if kind == "place":
            return atlas.node(query).node_id
        if kind == "commodity":
            return atlas.commodity(query).commodity_id
        return atlas.project(query).project_id
    except CaravanError as exc:
        raise ApiError.from_caravan(exc, field=field) from None


def _split(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        out += [part.strip() for part in value.split(",") if part.strip()]
    return out


@router.get("/route", responses=_ROUTE_DOC, response_class=Response)
async def plan_route(
    state: State,
    request: Request,
    origin: Annotated[
        str,
        Query(alias="from", min_length=1, max_length=100, description="Place id, name or alias."),
    ],
    destination: Annotated[
        str,
        Query(alias="to", min_length=1, max_length=100, description="Place id, name or alias."),
    ],
    year: Annotated[int, Query(ge=1990, le=2100, description="Which links exist.")] = 2025,
    commodity: Annotated[
        str, Query(min_length=1, max_length=64, description="Commodity id.")
    ] = "container",
    by: Annotated[Objective, Query(description="What to minimise.")] = Objective.COST,
    k: Annotated[int, Query(ge=1, le=10, description="How many routes (best first).")] = 1,
    open_projects: Annotated[
        list[str],
        Query(
            alias="open",
            max_length=20,
            description="Projects or corridors to open (repeat, or separate with commas).",
        ),
    ] = [],  # noqa: B006  (FastAPI copies defaults)
    max_overlap: Annotated[
        float, Query(gt=0, le=1, description="Most length an alternative may share.")
    ] = 0.8,
    date: Annotated[
        str | None,
        Query(
            max_length=10,
            description="Day (YYYY-MM-DD) whose dated closures and openings apply (default: "
            "the atlas's as-of date, or 1 July of the year).",
        ),
    ] = None,
) -> Response:
    """The least-cost route between two places and up to ``k - 1`` alternatives.

    Each route carries the fields of ``caravan route --json`` and a GeoJSON ``geometry``;
    ``warnings`` name the dated closures and suspensions in force on ``date`` near the routes,
    with their sources.
    """
    from caravan.model.events import default_date, parse_day

    try:
        day = parse_day(date) if date is not None else default_date(state.atlas, year)
    except CaravanError as exc:
        raise ApiError(
            422, str(exc), field="date", fix="give the day as YYYY-MM-DD, e.g. 2025-06-01"
        ) from None

    if k > state.limits.max_k:
        raise ApiError(
            422,
            f"k: at most {state.limits.max_k} routes may be asked for on this server, got {k}",
            field="k",
            fix=f"use k between 1 and {state.limits.max_k}",
        )
    wanted = _split(open_projects)
    if len(wanted) > 20:
        raise ApiError(422, "open: at most 20 projects", field="open", fix="open fewer projects")
    o = _resolve(state, "from", origin, "place")
    d = _resolve(state, "to", destination, "place")
    c = _resolve(state, "commodity", commodity, "commodity")
    projects = tuple(sorted({_resolve(state, "open", p, "project") for p in wanted}))
    if o == d:
        raise ApiError(
            422,
            f"from and to are the same place ({o!r})",
            field="to",
            fix="pick a destination other than the origin",
        )
    key = RouteQuery(o, d, year, c, by.value, k, projects, round(max_overlap, 6), day.isoformat())
    pool = state.route_pool

    def compute() -> bytes:
        if pool is not None:
            return pool.answer(key)
        return route_answer(state.pipeline, state.index, key)

    data = state.routes.get(key)
    if data is None:
        # Computed off the event loop, on the route queue's few threads (or, with
        # Limits.route_processes, in worker processes those threads wait for), so that cheap
        # requests are answered while routes are computed; a full queue answers 503 with
        # Retry-After at once.
        job = state.route_jobs.submit(key, compute, client=client_id(request))
        try:
            data = await wait_for(
                state.route_jobs, job, request, timeout_s=state.limits.route_timeout_s
            )
        except JobTimeoutError:
            raise ApiError(
                504,
                f"the route took longer than {state.limits.route_timeout_s:g} s",
                fix="ask again in a while, or for fewer routes (k)",
                field="k",
                kind="timeout",
            ) from None
        state.routes.put(key, data)
    state.routes.remember_query(request.scope.get("query_string", b""), key)
    return Response(content=data, media_type="application/json")
