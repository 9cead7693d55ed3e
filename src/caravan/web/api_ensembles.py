"""API for ensembles: many draws of a scenario's uncertain inputs, against a reference.

``POST /api/ensembles`` runs an ensemble (or returns the kept one) and answers with its
summary directly; the summary is kept under a ``key``, a digest of (scenario, vs, draws, seed,
atlas digest), and ``GET /api/ensembles/{key}`` reads it again. Identical submissions share one
job. Draws run in this server's worker threads with the in-process executor (the web server
starts no process pools), in the same bounded job queue as scenario runs (503 with
``Retry-After`` when it is full, for the server or for the client), under the same run-time
limit; an ensemble whose every client went away is cancelled.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from caravan.errors import CaravanError
from caravan.web.api_scenarios import SCENARIO_NAME_PATTERN, _check_name, _require_token
from caravan.web.app import WebState, web_state
from caravan.web.errors import ApiError
from caravan.web.geojson import plain
from caravan.web.jobs import JobTimeoutError
from caravan.web.runstore import client_id, wait_for

__all__ = ["MAX_DRAWS", "EnsembleRequest", "ensemble_key", "router"]

router = APIRouter(prefix="/api", tags=["ensembles"])

State = Annotated[WebState, Depends(web_state)]

#: Most draws one request may ask for (the CLI allows more; the server keeps answers quick).
MAX_DRAWS = 500

#: What an ensemble key looks like: 16 hexadecimal digits.
KEY_PATTERN = r"^[0-9a-f]{16}$"


class EnsembleRequest(BaseModel):
    """Body of ``POST /api/ensembles``."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(
        pattern=SCENARIO_NAME_PATTERN,
        max_length=64,
        description="Scenario B: the scenario whose uncertain inputs are drawn.",
        examples=["kabul-corridor"],
    )
    vs: str | None = Field(
        default=None,
        pattern=SCENARIO_NAME_PATTERN,
        max_length=64,
        description=(
            "Scenario A: the reference compared with in every draw (the change is B - A). "
            "Without it, the summary is of B's transit alone."
        ),
        examples=["baseline-2025"],
    )
    draws: int = Field(
        default=200, ge=1, le=MAX_DRAWS, description="How many draws.", examples=[200]
    )
    seed: int = Field(
        default=1, ge=0, le=2**31 - 1, description="Seed of the draws (same seed, same answer)."
    )


def ensemble_key(scenario: str, vs: str | None, draws: int, seed: int, atlas_digest: str) -> str:
    """The key an ensemble is kept under: 16 hex digits of a SHA-256 of what decides it.

    Examples
    --------
    >>> len(ensemble_key("b", "a", 200, 1, "d")), ensemble_key("b", "a", 200, 1, "d") == (
    ...     ensemble_key("b", "a", 200, 2, "d"))
    (16, False)
    """
    text = json.dumps([scenario, vs, int(draws), int(seed), atlas_digest])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _record(key: str, body: EnsembleRequest, result: Any) -> dict[str, Any]:
    summary: dict[str, Any] = plain(result.to_dict())
    metric = "delta_transit_tonnes" if body.vs is not None else "transit_tonnes"
    return {
        "key": key,
        "url": f"/api/ensembles/{key}",
        "request": body.model_dump(),
        "metric": metric,
        "band": [5, 95],
        **summary,
    }


_ENSEMBLE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "The ensemble's summary: `key` and `url` (where it is kept), `request`, `metric` "
            "(`delta_transit_tonnes` with `vs`, else `transit_tonnes`), `band` ([5, 95]), the "
            "run's provenance (`draws`, `succeeded`, `failed`, `seed`, `inputs`, "
            "`uncertain_projects`, `executor`, `atlas_digest`, ...), `failures`, and "
            "`countries`: per country `<metric>_mean`, `_p5`, `_p50`, `_p95`, `p_gain` and "
            "`p_loss` (with `vs`; a change of more than 1 t a year) and `drivers`."
        ),
    },
    401: {"description": "The token is missing or wrong (servers bound off loopback)."},
    404: {"description": "Unknown scenario or vs (with suggestions)."},
    422: {"description": "draws outside 1..500, a bad seed or name, or vs equal to scenario."},
    503: {
        "description": "The job queue is full (for the server or for this client): "
        "`Retry-After` says when to ask again."
    },
    504: {
        "description": (
            "The ensemble took longer than the server's run time limit; it goes on, and "
            "`GET /api/ensembles/{key}` (the `Location` header) answers once it is done."
        )
    },
}


@router.post("/ensembles", responses=_ENSEMBLE_DOC)
async def start_ensemble(state: State, request: Request, body: EnsembleRequest) -> dict[str, Any]:
    """Run an ensemble of scenario B against A (or return the kept one) and summarise it.

    Every draw takes the uncertain inputs of scenario B's ``ensemble:`` section (default
    triangular draws over the atlas's ranges) with the given number of draws and seed. The
    answer is kept under ``key`` (per scenario, vs, draws, seed and atlas) and also returned
    here. Needs the server's token when it has one; waits at most the run time limit.
    """
    _require_token(state, request, "starting an ensemble")
    _check_name(state, body.scenario, "scenario")
    if body.vs is not None:
        _check_name(state, body.vs, "vs")
        if body.vs == body.scenario:
            raise ApiError(
                422,
                f"vs and scenario are the same ({body.scenario!r}): every change would be 0",
                field="vs",
                fix="compare with another scenario (e.g. the baseline), or leave vs out",
            )
    key = ensemble_key(body.scenario, body.vs, body.draws, body.seed, state.atlas.digest)
    atlas, run = state.atlas, state.ensemble

    def job() -> dict[str, Any]:
        return _record(key, body, run(body.scenario, body.vs, body.draws, body.seed, atlas))

    record: dict[str, Any] | None = state.ensembles.done(key)
    if record is not None:
        return record
    queued = state.ensembles.submit(key, job, client=client_id(request))
    try:
        record = await wait_for(state.jobs, queued, request, timeout_s=state.limits.run_timeout_s)
    except JobTimeoutError:
        raise ApiError(
            504,
            f"the ensemble took longer than {state.limits.run_timeout_s:g} s",
            field="draws",
            fix=f"it goes on in the background: GET /api/ensembles/{key} in a while, "
            "or ask for fewer draws",
            kind="timeout",
            headers={"Location": f"/api/ensembles/{key}"},
        ) from None
    except ImportError as exc:
        raise ApiError(
            501, f"ensembles are not available: {exc}", field="scenario", kind="unavailable"
        ) from None
    except CaravanError as exc:
        raise ApiError.from_caravan(exc, field="scenario") from None
    return record


@router.get("/ensembles")
def ensembles(state: State) -> list[dict[str, Any]]:
    """Ensembles kept in memory: key, scenario, vs, draws, seed and how many draws succeeded."""
    out = []
    for key in state.ensembles.finished():
        record = state.ensembles.done(key)
        if isinstance(record, dict):
            out.append(
                {
                    "key": record["key"],
                    **record["request"],
                    "succeeded": record.get("succeeded"),
                    "url": record["url"],
                }
            )
    return out


@router.get(
    "/ensembles/{key}",
    responses={404: {"description": "No ensemble with that key is kept (or it still runs)."}},
)
def ensemble_result(
    state: State,
    key: Annotated[
        str, Path(pattern=KEY_PATTERN, description="The key POST /api/ensembles answered.")
    ],
) -> dict[str, Any]:
    """A kept ensemble's summary (the same body as ``POST /api/ensembles`` answered)."""
    record = state.ensembles.done(key)
    if isinstance(record, dict):
        return record
    running = state.ensembles.running(key)
    raise ApiError(
        404,
        f"ensemble {key!r} is {'still running' if running else 'not kept on this server'}",
        field="key",
        fix="ask again in a while"
        if running
        else "POST /api/ensembles with scenario, vs, draws and seed",
        kind="running" if running else "not_found",
    )
