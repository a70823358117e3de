"""A small thread-safe TTL cache for provider answers, shared across warm Lambda invocations.

Misses are cached too (an endpoint the table does not know stays unknown for the TTL), failures are not: a timeout
or a garbage answer is retried on the next invocation.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")
_MISSING = object()


class TtlCache(Generic[V]):
    """At most ``max_items`` entries, each kept ``ttl_seconds``; least recently used goes first."""

    def __init__(self, max_items: int = 100_000, ttl_seconds: float = 300.0, clock: Callable[[], float] | None = None):
        self.max_items = max_items
        self.ttl = ttl_seconds
        self._clock = clock or time.monotonic
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str, default: object = _MISSING) -> V | object:
        with self._lock:
            entry = self._items.get(key)
            if entry is None or entry[0] < self._clock():
                if entry is not None:
                    del self._items[key]
                self.misses += 1
                return default
            self._items.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: str, value: V) -> None:
        if self.max_items <= 0 or self.ttl <= 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


MISSING = _MISSING
