"""Client-side rate limiting: a token bucket that waits before each request, on a real or virtual clock."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """At most ``rate`` requests per second, bursts of ``burst`` (default: the rate, as Pinpoint's quotas are)."""

    def __init__(
        self,
        rate: float | None,
        burst: float | None = None,
        initial: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.capacity = max(1.0, burst if burst is not None else (self.rate or 1.0))
        self.clock = clock
        self._sleep = sleep
        #: Start empty (``initial=0``) when another run may just have used the quota: the first request waits.
        self.tokens = self.capacity if initial is None else min(initial, self.capacity)
        self.updated = clock()
        self.waited = 0.0

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; returns the seconds waited."""
        if self.rate is None:
            return 0.0
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        wait = 0.0
        if self.tokens < 1.0:
            wait = (1.0 - self.tokens) / self.rate
            (self._sleep or time.sleep)(wait)
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        self.tokens -= 1.0
        self.waited += wait
        return wait


class VirtualClock:
    """Real elapsed time plus simulated sleeps: a run at a 2 rps quota is measured without waiting for it.

    With ``real_time=False`` only the sleeps advance it: a client and a fake service that share it then see the same
    instants on every run, whatever the machine's load (tests that count throttles need that; with real time, a
    pause between a client's pacing and its call reaches the service as a burst)."""

    def __init__(self, *, real_time: bool = True) -> None:
        self._start = time.perf_counter()
        self._real_time = real_time
        self.slept = 0.0

    def now(self) -> float:
        return (time.perf_counter() - self._start if self._real_time else 0.0) + self.slept

    def sleep(self, seconds: float) -> None:
        self.slept += max(0.0, seconds)
