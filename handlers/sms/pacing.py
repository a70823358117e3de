"""Send pacing per origination identity, in message parts per second (MPS), at the documented default rates.

"What are the Message Parts per Second (MPS) limits" (MPS_URL): US/CA short code 100 MPS; US 10DLC 1 MPS per number
by default (more only after a separate increase request); US toll-free 3 MPS; long codes 1 MPS in the US and Canada
and 10 MPS in other countries. A pacer per identity lets a message of ``n`` parts go when the bucket holds
``min(n, burst)`` tokens and then takes all ``n`` (so long messages still go on a 1 MPS number, and the long-run
rate stays the limit), at ``HEADROOM`` of the limit. Rates can be overridden per identity (after an MPS increase).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MPS_URL = "https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-mps.html"
#: Default SMS MPS per ``NumberType`` (pinpoint-sms-voice-v2 enum) for US/CA destinations (MPS_URL).
MPS_BY_NUMBER_TYPE: dict[str, float] = {
    "SHORT_CODE": 100.0,
    "TEN_DLC": 1.0,
    "TOLL_FREE": 3.0,
    "LONG_CODE": 1.0,
    "SIMULATOR": 1.0,  # not documented: treated like a long code
}
#: Long codes outside the US and Canada ("All other countries and regions", MPS_URL).
LONG_CODE_OTHER_COUNTRIES_MPS = 10.0
#: Share of the MPS limit the pacer uses: the service measures arrival times we cannot see, so a few percent of
#: headroom absorbs the jitter between our clock and its (without it, steady sends at exactly the limit are throttled).
HEADROOM = 0.95
#: What an identity whose type is unknown (a sender ID, a pool, a number we cannot describe) is paced at.
UNKNOWN_IDENTITY_MPS = 1.0


def documented_mps(number_type: str | None, iso_country: str | None = None) -> float:
    """The documented default MPS of an origination number of ``number_type`` in ``iso_country``."""
    if number_type == "LONG_CODE" and iso_country and iso_country.upper() not in ("US", "CA"):
        return LONG_CODE_OTHER_COUNTRIES_MPS
    return MPS_BY_NUMBER_TYPE.get(number_type or "", UNKNOWN_IDENTITY_MPS)


class PartsBucket:
    """A token bucket counted in message parts, burst = one second of the rate; thread-safe."""

    def __init__(
        self, mps: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] | None = None
    ) -> None:
        self.mps = mps
        self.capacity = max(1.0, mps)
        self.clock = clock
        self._sleep = sleep or time.sleep
        self.tokens = self.capacity
        self.updated = clock()
        self.waited = 0.0
        self._lock = threading.Lock()

    def acquire(self, parts: int) -> float:
        """Wait until ``parts`` may go; returns the seconds waited."""
        with self._lock:
            need = min(float(parts), self.capacity)
            self._refill()
            wait = 0.0
            if self.tokens < need:
                wait = (need - self.tokens) / self.mps
                self._sleep(wait)
                self._refill()
            self.tokens -= parts
            self.waited += wait
            return wait

    def throttled(self) -> None:
        """The service throttled a send: start the next interval empty (our clock ran ahead of the service's)."""
        with self._lock:
            self._refill()
            self.tokens = min(self.tokens, 0.0)

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.mps)
        self.updated = now


@dataclass
class Pacer:
    """One ``PartsBucket`` per origination identity, created on first use at the identity's documented MPS."""

    rate_for: Callable[[str], float]
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] | None = None
    overrides: Mapping[str, float] | None = None
    headroom: float = HEADROOM

    def __post_init__(self) -> None:
        self._buckets: dict[str, PartsBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, identity: str) -> PartsBucket:
        with self._lock:
            bucket = self._buckets.get(identity)
            if bucket is None:
                mps = (self.overrides or {}).get(identity) or self.rate_for(identity)
                bucket = self._buckets[identity] = PartsBucket(mps * self.headroom, self.clock, self.sleep)
            return bucket

    def acquire(self, identity: str, parts: int) -> float:
        return self.bucket(identity).acquire(parts)

    def wait(self, seconds: float) -> None:
        """Back off (on the pacer's clock, virtual in benchmarks)."""
        (self.sleep or time.sleep)(seconds)
