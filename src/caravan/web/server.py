"""Running the app: a request log, and a quick, graceful shutdown.

``caravan serve`` calls :func:`run_server`. On Ctrl-C or SIGTERM the server cancels every
queued or running job at once (runs, ensembles, routes: their waiting requests answer 503),
stops accepting connections, gives requests in flight :data:`SHUTDOWN_GRACE_S` to finish, and
exits; the job threads are daemons, so no job holds the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from caravan.web.security import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ACCESS_LOGGER", "SHUTDOWN_GRACE_S", "RequestLog", "run_server", "uvicorn_options"]

#: Seconds requests in flight get to finish when the server is asked to stop.
SHUTDOWN_GRACE_S = 0.5

#: The logger of the request log (one line per request, at INFO).
ACCESS_LOGGER = "caravan.web.access"

_log = logging.getLogger(ACCESS_LOGGER)


class RequestLog:
    """ASGI middleware: one log line per request (client, method, path, status, bytes, time).

    Query strings are cut at 200 characters; headers (where the token travels) are never
    logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        sent = 0

        async def counting(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            target = scope.get("path", "") + (f"?{query}" if query else "")
            if len(target) > 200:
                target = target[:200] + "…"
            client = scope.get("client") or ("-", 0)
            _log.info(
                '%s "%s %s" %s %d B %.1f ms',
                client[0],
                scope.get("method", "-"),
                target,
                status or "-",
                sent,
                (time.perf_counter() - started) * 1000,
            )


def uvicorn_options(*, log_requests: bool = True) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``: warnings only from uvicorn itself, the app's
    request log on standard error, and a short graceful shutdown.

    Examples
    --------
    >>> uvicorn_options()["timeout_graceful_shutdown"]
    0.5
    """
    handlers = {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    }
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(message)s"}},
        "handlers": handlers,
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            ACCESS_LOGGER: {
                "handlers": ["stderr"],
                "level": "INFO" if log_requests else "WARNING",
                "propagate": False,
            },
            "caravan.web.jobs": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        },
    }
    return {
        "log_config": config,
        "access_log": False,
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_S,
    }


def run_server(
    app: Any, *, host: str, port: int, log_requests: bool = True, exit_when_done: bool = True
) -> None:
    """Serve ``app`` (from :func:`caravan.web.create_app`) until Ctrl-C or SIGTERM.

    Parameters
    ----------
    app : fastapi.FastAPI
        The app; its ``state.caravan.close()`` is called as soon as a stop is asked for.
    host, port
        Where to listen.
    log_requests : bool
        Whether to log one line per request on standard error.
    exit_when_done : bool
        End the process (status 0) as soon as the server has stopped, after flushing the
        logs: the server writes no files, and the interpreter's teardown of numba and pandas
        would otherwise add half a second or more to every stop.
    """
    import uvicorn

    on_stop: Callable[[], None] = app.state.caravan.close

    class _Server(uvicorn.Server):
        _loop: asyncio.AbstractEventLoop | None = None

        async def serve(self, sockets: list[socket.socket] | None = None) -> None:
            self._loop = asyncio.get_running_loop()
            await super().serve(sockets)

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # In the signal handler: only schedule the cancellation on the loop.
            if not self.should_exit and self._loop is not None:
                self._loop.call_soon_threadsafe(on_stop)
            super().handle_exit(sig, frame)
            # A stop asked for is the normal end: uvicorn need not raise the signal again
            # once it has stopped (SIGTERM would then kill the process, status -15).
            self._captured_signals.clear()

    config = uvicorn.Config(app, host=host, port=port, **uvicorn_options(log_requests=log_requests))
    with contextlib.suppress(KeyboardInterrupt):
        _Server(config).run()
    if exit_when_done:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
