"""In-memory cache of the web app's route answers (its networks are the pipeline's)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

__all__ = ["RouteCache"]


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
