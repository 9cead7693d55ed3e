"""In-memory cache of the web app's route answers (its networks are the pipeline's), and the
ASGI fast path that answers a repeated route request from it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from caravan.web.security import ASGIApp, Receive, Scope, Send

__all__ = ["CachedRoutes", "RouteCache"]


class RouteCache:
    """A small thread-safe LRU of route answers (the atlas is immutable, so they never go stale).

    Parameters
    ----------
    entries : int
        Answers kept; 0 keeps none.
    """

    def __init__(self, entries: int) -> None:
        self._entries = entries
        self._data: OrderedDict[Any, bytes] = OrderedDict()
        self._asked: OrderedDict[bytes, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> bytes | None:
        """The cached answer for ``key``, or ``None``."""
        if self._entries == 0:
            return None
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
                self.hits += 1
            return value

    def put(self, key: Any, value: bytes) -> None:
        """Keep an answer (dropping the least recently used past the size)."""
        if self._entries == 0:
            return
        with self._lock:
            self.misses += 1
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._entries:
                self._data.popitem(last=False)

    def remember_query(self, query_string: bytes, key: Any) -> None:
        """Note that ``query_string`` (as the client wrote it) resolves to ``key``.

        Only for a query answered 200: the atlas never changes under the app, so the same
        text always asks for the same route.
        """
        if self._entries == 0:
            return
        with self._lock:
            self._asked[query_string] = key
            self._asked.move_to_end(query_string)
            while len(self._asked) > 4 * self._entries:
                self._asked.popitem(last=False)

    def by_query(self, query_string: bytes) -> bytes | None:
        """The cached answer of a query string seen before, or ``None``."""
        if self._entries == 0:
            return None
        with self._lock:
            key = self._asked.get(query_string)
        return None if key is None else self.get(key)


class CachedRoutes:
    """ASGI middleware: ``GET /api/route`` with a query string answered before, from the cache.

    Such a request needs no parameter parsing, name resolution or validation: the same text was
    resolved to the same route before. It skips the framework (about three quarters of the
    event loop's time per cached route request) and is answered as the endpoint would answer
    it. Anything else goes on to the app.

    Parameters
    ----------
    app
        The wrapped app.
    cache : RouteCache
        The app's route answers.
    path : str
        The route endpoint.
    """

    def __init__(self, app: ASGIApp, *, cache: RouteCache, path: str = "/api/route") -> None:
        self.app = app
        self.cache = cache
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == self.path:
            data = self.cache.by_query(bytes(scope.get("query_string", b"")))
            if data is not None:
                headers = [
                    (b"content-length", str(len(data)).encode()),
                    (b"content-type", b"application/json"),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": data})
                return
        await self.app(scope, receive, send)
