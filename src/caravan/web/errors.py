"""JSON errors of the web API: every 4xx names the field, the reason and how to fix it.

The body of every error response is::

    {"error": {"status": 422, "kind": "invalid", "field": "k",
               "message": "k must be at most 10", "fix": "use k between 1 and 10",
               "suggestions": []}}
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from caravan.errors import AtlasValidationError, CaravanError, InputError, NoRouteError
from caravan.errors import NotFoundError as CaravanNotFound
from caravan.web.jobs import ClientGoneError, JobCancelledError, QueueFullError

__all__ = ["ApiError", "error_body", "install_error_handlers", "suggestions_from"]

_SUGGEST = re.compile(r"did you mean (.+?)\?")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")


class ApiError(Exception):
    """An error to send as a JSON response.

    Parameters
    ----------
    status : int
        HTTP status (4xx for the client's mistakes).
    message : str
        What is wrong.
    field : str, optional
        The query parameter, path part or body key at fault.
    fix : str, optional
        How to mend the request.
    suggestions : sequence of str
        Close matches for an unknown name.
    kind : str
        A short machine-readable kind (``invalid``, ``not_found``, ``no_route``, ...).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        fix: str | None = None,
        suggestions: Sequence[str] = (),
        kind: str = "invalid",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.fix = fix
        self.suggestions = tuple(suggestions)
        self.kind = kind
        self.headers = headers

    @classmethod
    def from_caravan(cls, exc: CaravanError, *, field: str | None = None) -> ApiError:
        """Turn a Caravan library error into an API error with the matching status.

        ``NotFoundError`` becomes 404 (with the suggestions from its message),
        ``NoRouteError`` 404 with kind ``no_route``, and input errors 422.
        """
        message = str(exc)
        if isinstance(exc, CaravanNotFound):
            suggestions = suggestions_from(message)
            fix = (
                f"use one of: {', '.join(suggestions)}"
                if suggestions
                else "check the spelling, or list the names the API offers"
            )
            return cls(
                404, message, field=field, fix=fix, suggestions=suggestions, kind="not_found"
            )
        if isinstance(exc, NoRouteError):
            return cls(
                404,
                message,
                field=field,
                fix="open a project, change the year, or pick other places",
                kind="no_route",
            )
        if isinstance(exc, AtlasValidationError):
            first = exc.problems[0] if exc.problems else None
            return cls(
                422,
                message,
                field=field or (first.field if first else None),
                fix=first.fix if first else None,
                kind="invalid",
            )
        if isinstance(exc, InputError):
            return cls(422, message, field=field, kind="invalid")
        return cls(422, message, field=field, kind="failed")


def suggestions_from(message: str) -> list[str]:
    """The quoted names after "did you mean" in a Caravan error message.

    Examples
    --------
    >>> suggestions_from("unknown place 'Tashkant'; did you mean 'Tashkent', 'tashkent'?")
    ['Tashkent', 'tashkent']
    >>> suggestions_from("unknown scenario 'x'; did you mean a, b? (shipped: a, b)")
    ['a', 'b']
    """
    match = _SUGGEST.search(message)
    if not match:
        return []
    text = match.group(1)
    quoted = [a or b for a, b in _QUOTED.findall(text)]
    if quoted:
        return quoted
    return [part.strip() for part in text.split(",") if part.strip()]


def error_body(
    status: int,
    message: str,
    *,
    field: str | None = None,
    fix: str | None = None,
    suggestions: Sequence[str] = (),
    kind: str = "invalid",
    errors: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The JSON body of an error response."""
    body: dict[str, Any] = {
        "status": status,
        "kind": kind,
        "field": field,
        "message": message,
        "fix": fix,
        "suggestions": list(suggestions),
    }
    if errors:
        body["errors"] = list(errors)
    return {"error": body}


def _fix_for(error: dict[str, Any], field: str) -> str:
    ctx = error.get("ctx") or {}
    kind = str(error.get("type", ""))
    if kind == "missing":
        return f"give {field}"
    if "ge" in ctx and "le" in ctx:
        return f"use {field} between {ctx['ge']} and {ctx['le']}"
    if "ge" in ctx or "gt" in ctx:
        return f"use {field} of at least {ctx.get('ge', ctx.get('gt'))}"
    if "le" in ctx or "lt" in ctx:
        return f"use {field} of at most {ctx.get('le', ctx.get('lt'))}"
    if "expected" in ctx:
        return f"use one of: {ctx['expected']}"
    if "pattern" in ctx:
        slug = "a-z0-9" in str(ctx["pattern"])
        return f"{field} must match {ctx['pattern']}" + (
            " (lower-case letters, digits and '-', no dots or slashes)" if slug else ""
        )
    if "max_length" in ctx:
        return f"shorten {field} to at most {ctx['max_length']} characters"
    if kind.startswith("int"):
        return f"give {field} as a whole number"
    if kind.startswith("float"):
        return f"give {field} as a number"
    return f"check {field}"


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    details = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path")]
        field = ".".join(loc) or "request"
        msg = str(error.get("msg", "invalid value"))
        given = plain_input(error.get("input"))
        got = f" (got {given!r})" if given is not None and error.get("type") != "missing" else ""
        details.append(
            {
                "field": field,
                "message": f"{field}: {msg}{got}",
                "fix": _fix_for(error, field),
                "input": plain_input(error.get("input")),
            }
        )
    first = details[0] if details else {"field": None, "message": "invalid request", "fix": None}
    body = error_body(
        422,
        str(first["message"]),
        field=first["field"],
        fix=first["fix"],
        kind="invalid",
        errors=details,
    )
    return JSONResponse(body, status_code=422)


#: Largest number an error body shows as it was given (bigger ones are described instead).
_SHOWN_MAX = 1e15


def plain_input(value: Any) -> Any:
    """The offending input, cut short and made JSON-ready, for an error body.

    Non-finite and huge numbers are described, never echoed: strict JSON has no NaN or
    Infinity, and a 5000-digit number helps nobody.

    Examples
    --------
    >>> plain_input(float("nan")), plain_input(float("inf")), plain_input(2.5)
    ('a number that is not finite', 'a number that is not finite', 2.5)
    >>> plain_input(10**400), plain_input("x" * 300)[-3:]
    ('a number of about 401 digits', 'xx…')
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return "a number that is not finite"
        return value if abs(value) <= _SHOWN_MAX else f"a number of about {value:.0e}"
    if isinstance(value, int):
        if abs(value) <= _SHOWN_MAX:
            return value
        return f"a number of about {int(abs(value).bit_length() * math.log10(2)) + 1} digits"
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` a JSON body with field, reason and fix."""

    async def on_api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        body = error_body(
            exc.status,
            exc.message,
            field=exc.field,
            fix=exc.fix,
            suggestions=exc.suggestions,
            kind=exc.kind,
        )
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    async def on_caravan_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CaravanError)
        return await on_api_error(_request, ApiError.from_caravan(exc))

    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _validation_response(exc)

    async def on_http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kinds = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        fixes = {
            400: "send the body as JSON (plain decimal numbers) with Content-Type application/json",
            404: "see /docs for the API's paths",
            405: "see /docs for the allowed methods",
        }
        body = error_body(
            exc.status_code,
            str(exc.detail),
            kind=kinds.get(exc.status_code, "http"),
            fix=fixes.get(exc.status_code),
        )
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    async def on_queue_full(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, QueueFullError)
        wait_s = exc.retry_after_s
        return await on_api_error(
            _request,
            ApiError(
                503,
                str(exc),
                fix=f"try again in {wait_s} s (the Retry-After header)",
                kind="busy",
                headers={"Retry-After": str(wait_s)},
            ),
        )

    async def on_cancelled(_request: Request, exc: Exception) -> JSONResponse:
        gone = isinstance(exc, ClientGoneError)
        message = (
            "the client went away before its job finished; the job was cancelled"
            if gone
            else "the job was cancelled: the server is stopping, or every client waiting for "
            "it went away"
        )
        return await on_api_error(
            _request,
            ApiError(
                499 if gone else 503,
                message,
                fix="ask again",
                kind="cancelled",
                headers=None if gone else {"Retry-After": "5"},
            ),
        )

    app.add_exception_handler(QueueFullError, on_queue_full)
    app.add_exception_handler(JobCancelledError, on_cancelled)
    app.add_exception_handler(ClientGoneError, on_cancelled)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(CaravanError, on_caravan_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
