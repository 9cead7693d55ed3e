"""Admission control: at most a few route requests are handled at once; the rest wait idle.

Each request costs the event loop some work (routing, validation, encoding) even when its
route comes from the cache. Under 50 busy clients the loop's queue of ready requests grows,
and a cheap request (the map page, the atlas summary) waits behind all of them. This ASGI
middleware lets at most ``max_active`` route requests past it at once; the others wait on an
:class:`asyncio.Semaphore`, which costs the loop nothing, so cheap requests only ever wait
behind a handful. Past ``max_waiting`` waiting route requests, more are refused at once with
503 and ``Retry-After``.
"""

from __future__ import annotations

import asyncio

from caravan.web.errors import error_body
from caravan.web.security import ASGIApp, Receive, Scope, Send, send_json

__all__ = ["HeavyAdmission"]


class HeavyAdmission:
    """ASGI middleware: bound the route requests handled at once (see the module).

    Parameters
    ----------
    app
        The wrapped app.
    prefixes : tuple of str
        Paths that are heavy (``/api/route``).
    max_active : int
        Heavy requests handled at once.
    max_waiting : int
        Heavy requests waiting for their turn; more get 503.
    """

    def __init__(
        self, app: ASGIApp, *, prefixes: tuple[str, ...], max_active: int, max_waiting: int
    ) -> None:
        self.app = app
        self.prefixes = prefixes
        self.max_active = max_active
        self.max_waiting = max_waiting
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(max_active)
        self._waiting = 0

    def _semaphore(self) -> asyncio.Semaphore:
        # One per event loop (in-process test clients may run each request on a new loop).
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._slots, self._waiting = loop, asyncio.Semaphore(self.max_active), 0
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        if slots.locked() and self._waiting >= self.max_waiting:
            body = error_body(
                503,
                f"the server is busy: {self._waiting} route requests are waiting, the most it "
                "keeps in line",
                fix="try again in 1 s (the Retry-After header)",
                kind="busy",
            )
            await send_json(send, 503, body, headers=[(b"retry-after", b"1")])
            return
        self._waiting += 1
        try:
            await slots.acquire()
        finally:
            self._waiting -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()
