"""In-memory caches of the web app: compiled networks and route answers (the atlas is fixed)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from caravan.model.atlas import Atlas
from caravan.network.model import Network

__all__ = ["NetworkCache", "RouteCache"]


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


class NetworkCache:
    """Compiled networks per (year, commodity, opened projects), least recently used dropped.

    Building a network is most of the cost of a route query, and the atlas never changes
    under the app, so each network is built once.
    """

    def __init__(self, entries: int = 16) -> None:
        self._entries = entries
        self._data: OrderedDict[tuple[int, str, tuple[str, ...]], Network] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[int, str, tuple[str, ...]], threading.Lock] = {}

    def get(self, atlas: Atlas, year: int, commodity: str, projects: tuple[str, ...]) -> Network:
        """The network of the atlas for a year, commodity and set of opened projects."""
        from caravan.network.build import build_network

        key = (year, commodity, projects)
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._data:
                    return self._data[key]
            network = build_network(
                atlas, year=year, commodity=commodity, open_projects=list(projects)
            )
            with self._lock:
                self._data[key] = network
                self._building.pop(key, None)
                while len(self._data) > self._entries:
                    self._data.popitem(last=False)
            return network
