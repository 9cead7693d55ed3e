"""Safe defaults of the web app: loopback binding, a token for runs, request size limits."""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from caravan.errors import InputError
from caravan.web.errors import error_body

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "TOKEN_HEADER",
    "BodySizeLimit",
    "Limits",
    "LoopbackHostOnly",
    "SecurityHeaders",
    "check_token",
    "is_loopback",
    "send_json",
]

#: Header that carries the token (``Authorization: Bearer <token>`` works too).
TOKEN_HEADER = "X-Caravan-Token"

#: Only this server's own files run, load or connect; no page may frame the app. MapLibre
#: starts its workers from ``blob:`` URLs and its CSS draws control icons from ``data:`` URLs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "worker-src 'self' blob:; child-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """Limits of the web app.

    Parameters
    ----------
    max_body_bytes : int
        Largest request body accepted (larger gets 413).
    max_url_chars : int
        Longest path plus query string accepted (longer gets 414).
    max_k : int
        Most alternative routes one request may ask for.
    run_timeout_s : float
        How long a request waits for a scenario run before answering 504 (the run goes on
        and its result is kept for the next request).
    run_workers : int
        Scenario runs and ensembles computed at once; more wait in line.
    max_pending_jobs : int
        Runs and ensembles queued or running at once on the server; more get 503.
    max_jobs_per_client : int
        Runs and ensembles queued or running at once for one client address; more get 503.
    max_cached_runs : int
        Runs and ensembles kept in memory (the least recently used is dropped first).
    route_cache_entries : int
        Route answers kept in memory (0 turns the cache off).
    route_workers : int
        Routes computed at once (off the event loop) on threads of the server's process; more
        wait in line.
    route_processes : int
        When above 0, routes are computed in this many worker processes instead of threads
        (each loads the atlas and compiles its own networks, about 250 MB each): the event
        loop then never waits for the interpreter lock held by route work. ``caravan serve``
        uses 2; the default 0 suits tests and embedded use.
    max_pending_routes : int
        Routes queued or computing at once; more get 503.
    route_timeout_s : float
        How long a request waits for its route before answering 504.
    active_routes : int
        Route requests the event loop handles at once (cached answers included); more wait
        idle in line (at most ``max_pending_routes``), so cheap requests never queue behind
        dozens of them.
    """

    max_body_bytes: int = 64 * 1024
    max_url_chars: int = 4096
    max_k: int = 10
    run_timeout_s: float = 120.0
    run_workers: int = 2
    max_pending_jobs: int = 8
    max_jobs_per_client: int = 4
    max_cached_runs: int = 32
    route_cache_entries: int = 512
    route_workers: int = 2
    route_processes: int = 0
    max_pending_routes: int = 64
    route_timeout_s: float = 30.0
    active_routes: int = 4

    def __post_init__(self) -> None:
        for name in (
            "max_body_bytes",
            "max_url_chars",
            "max_k",
            "run_workers",
            "max_pending_jobs",
            "max_jobs_per_client",
            "max_cached_runs",
            "route_workers",
            "max_pending_routes",
            "active_routes",
        ):
            if int(getattr(self, name)) < 1:
                raise InputError(f"Limits.{name} must be at least 1")
        if self.max_k > 10:
            raise InputError("Limits.max_k must be at most 10")
        if self.run_timeout_s <= 0 or self.route_timeout_s <= 0:
            raise InputError("Limits.run_timeout_s and route_timeout_s must be positive")
        if self.route_cache_entries < 0:
            raise InputError("Limits.route_cache_entries must be 0 or more")
        if not 0 <= self.route_processes <= 64:
            raise InputError("Limits.route_processes must be between 0 and 64")


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost")
    (True, True, True)
    >>> is_loopback("0.0.0.0"), is_loopback("192.168.1.4")
    (False, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(expected: str | None, headers: MutableMapping[str, str] | Any) -> bool:
    """Whether a request's headers carry the expected token (always true when none is set)."""
    if expected is None:
        return True
    given = headers.get(TOKEN_HEADER.lower()) or headers.get(TOKEN_HEADER) or ""
    auth = headers.get("authorization") or ""
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return hmac.compare_digest(str(given).encode(), expected.encode())


async def send_json(
    send: Send, status: int, body: dict[str, Any], *, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """Answer a JSON body from an ASGI middleware (and close the connection)."""
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class BodySizeLimit:
    """ASGI middleware: refuse request bodies over a size, and over-long URLs.

    A declared ``Content-Length`` over the limit is refused before the body is read; a body
    sent in chunks is counted as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_url_chars: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_url_chars = max_url_chars

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url_chars = len(scope.get("raw_path") or scope.get("path", "")) + len(
            scope.get("query_string", b"")
        )
        if url_chars > self.max_url_chars:
            await send_json(
                send,
                414,
                error_body(
                    414,
                    f"the URL has {url_chars} characters, more than {self.max_url_chars}",
                    field="url",
                    fix="ask for less in one request",
                    kind="too_large",
                ),
            )
            return
        limit = self.max_body_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit or declared < 0:
                    await send_json(send, 413, self._too_large(declared))
                    return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLargeError
            return message

        started = False
        replaced = False

        async def guarded_send(message: Message) -> None:
            # The app may have caught the error of the cut-off body and answered something
            # else (FastAPI answers 400); answer 413 instead.
            nonlocal started, replaced
            if message["type"] == "http.response.start":
                started = True
                if too_large:
                    replaced = True
                    await send_json(send, 413, self._too_large(received))
                    return
            if replaced:
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLargeError:
            if not started:
                await send_json(send, 413, self._too_large(received))
        except Exception:
            if too_large and not started:
                await send_json(send, 413, self._too_large(received))
            else:
                raise

    def _too_large(self, size: int) -> dict[str, Any]:
        what = f"{size} bytes" if size >= 0 else "an unreadable Content-Length"
        return error_body(
            413,
            f"the request body has {what}, more than the limit of {self.max_body_bytes} bytes",
            field="body",
            fix=f"send at most {self.max_body_bytes} bytes",
            kind="too_large",
        )


class _BodyTooLargeError(Exception):
    pass


def _host_name(header: str) -> str:
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class LoopbackHostOnly:
    """ASGI middleware for a server bound to loopback: refuse a ``Host`` of another name.

    A web page elsewhere could otherwise point a name it controls at 127.0.0.1 (DNS
    rebinding) and drive the local API from the user's browser.
    """

    ALLOWED = frozenset({"127.0.0.1", "localhost", "[::1]", "::1", "testserver"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = ""
            for name, value in scope.get("headers", []):
                if name == b"host":
                    host = value.decode("latin-1")
                    break
            if _host_name(host) not in self.ALLOWED:
                body = error_body(
                    400,
                    f"this server answers only requests for 127.0.0.1 or localhost, not {host!r}",
                    field="Host",
                    fix="open http://127.0.0.1:<port>/",
                    kind="bad_host",
                )
                await send_json(send, 400, body)
                return
        await self.app(scope, receive, send)


_SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """ASGI middleware: a Content-Security-Policy allowing only this server (and no framing),
    ``X-Content-Type-Options: nosniff`` and ``X-Frame-Options: DENY`` on every response,
    errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in _SECURITY_HEADERS if n not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
