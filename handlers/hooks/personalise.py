"""Send-time personalisation: every endpoint gets its provider's attributes or a documented fallback, in time.

``personalise(endpoints, provider, budget)`` is the one function the Pinpoint hooks call, and the one a sender of
your own calls after Pinpoint (englake's SMS file-drop sender and campaign workflow do not call it yet). It never
raises for an endpoint's sake:

- endpoints are keyed by the provider (``key``); endpoints sharing a key cost one lookup; answers (found or
  unknown) are cached for the cache's TTL, failures are not;
- uncached keys are fetched in batches of ``provider.batch_size`` on ``budget.concurrency`` threads;
- whatever has not answered when ``budget.seconds`` have passed gets the fallback with reason ``timeout`` (the
  threads are abandoned, their sockets time out on their own within the same budget);
- an answer is validated (``attributes.checked``): garbage gets ``invalid_response``, too large ``oversized``.

Fallback (documented in the README): the endpoint keeps what it had and gets ``budget.fallback`` attributes (say
``{"Offer": ["our standard offer"]}``), so a template never renders an empty variable; with
``drop_on_fallback`` the caller leaves the endpoint out of the send instead. Each outcome names its reason;
``PersonalisationResult.counts`` counts them; the caller logs the counts once per invocation, never addresses or
values (``filter_hook.apply_filter``: one line per FILTER hook).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.hooks.attributes import AttributeLimits, AttributeRejected, checked
from handlers.hooks.cache import MISSING, TtlCache
from handlers.hooks.models import Attributes, EndpointView
from handlers.hooks.providers.base import AttributeProvider, ProviderError, ProviderTimeout

logger = logging.getLogger(__name__)

#: Outcome reasons. ``provided`` and ``cached`` used the provider's answer; every other one is a fallback.
PROVIDED = "provided"
CACHED = "cached"
NO_KEY = "no_key"
NOT_FOUND = "not_found"
TIMEOUT = "timeout"
PROVIDER_ERROR = "provider_error"
#: Reasons that mean something went wrong (not just "nothing known about this endpoint").
FAILURE_REASONS = frozenset({TIMEOUT, PROVIDER_ERROR, "invalid_response", "oversized", "response_size"})


@dataclass(frozen=True)
class Budget:
    """How much one call may spend: wall-clock seconds, parallel provider calls, and the fallback attributes."""

    seconds: float = 8.0
    concurrency: int = 16
    #: Cap on one provider call (HTTP request, query), within ``seconds``; None: the rest of the budget. A web
    #: service that hangs for some keys then costs ``call_seconds``, not the whole budget.
    call_seconds: float | None = None
    fallback: Attributes = field(default_factory=dict)
    drop_on_fallback: bool = False
    limits: AttributeLimits = field(default_factory=AttributeLimits)


@dataclass(frozen=True)
class Outcome:
    endpoint_id: str
    reason: str
    #: The attributes to add (the provider's, or the fallback's).
    attributes: Attributes

    @property
    def fallback(self) -> bool:
        return self.reason not in (PROVIDED, CACHED)

    @property
    def failed(self) -> bool:
        return self.reason in FAILURE_REASONS


@dataclass
class PersonalisationResult:
    outcomes: dict[str, Outcome]
    seconds: float
    provider: str

    @property
    def counts(self) -> Counter[str]:
        return Counter(o.reason for o in self.outcomes.values())

    @property
    def failures(self) -> int:
        return sum(o.failed for o in self.outcomes.values())


_NOT_KNOWN = object()


def personalise(
    endpoints: Sequence[EndpointView],
    provider: AttributeProvider,
    budget: Budget | None = None,
    cache: TtlCache[Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> PersonalisationResult:
    """Attributes for every endpoint (provider's or fallback), within ``budget.seconds``."""
    budget = budget or Budget()
    started = clock()
    deadline = started + budget.seconds
    outcomes: dict[str, Outcome] = {}
    by_key: dict[str, list[str]] = {}
    for endpoint in endpoints:
        try:
            key = provider.key(endpoint)
        except Exception as error:  # noqa: BLE001 - a provider's key function must not fail the batch
            logger.warning("%s could not key an endpoint: %s", provider.name, type(error).__name__)
            key = None
        if key is None:
            outcomes[endpoint.endpoint_id] = _fallback(endpoint.endpoint_id, NO_KEY, budget)
        else:
            by_key.setdefault(key, []).append(endpoint.endpoint_id)

    answers: dict[str, tuple[str, Attributes]] = {}
    pending: list[str] = []
    for key in by_key:
        hit = cache.get(key, MISSING) if cache is not None else MISSING
        if hit is MISSING:
            pending.append(key)
        elif hit is None:
            answers[key] = (NOT_FOUND, {})
        else:
            answers[key] = (CACHED, hit)  # type: ignore[assignment]

    if pending:
        answers.update(_fetch_all(pending, provider, budget, deadline, cache, clock))

    for key, endpoint_ids in by_key.items():
        reason, attributes = answers.get(key, (TIMEOUT, {}))
        for endpoint_id in endpoint_ids:
            if reason in (PROVIDED, CACHED):
                outcomes[endpoint_id] = Outcome(endpoint_id, reason, attributes)
            else:
                outcomes[endpoint_id] = _fallback(endpoint_id, reason, budget)
    ordered = {e.endpoint_id: outcomes[e.endpoint_id] for e in endpoints}
    return PersonalisationResult(ordered, clock() - started, provider.name)


def _fallback(endpoint_id: str, reason: str, budget: Budget) -> Outcome:
    return Outcome(endpoint_id, reason, {k: list(v) for k, v in budget.fallback.items()})


def _fetch_all(
    keys: list[str],
    provider: AttributeProvider,
    budget: Budget,
    deadline: float,
    cache: TtlCache[Any] | None,
    clock: Callable[[], float],
) -> dict[str, tuple[str, Attributes]]:
    """Batches of keys fetched by ``budget.concurrency`` workers until the deadline; a snapshot of the answers then.

    Workers take batches from one queue (no future per batch: waiting on thousands of futures costs more than the
    calls). Workers still in a call at the deadline are abandoned (daemon threads); what they learn later still goes
    to the cache, not to this result.
    """
    size = max(1, int(provider.batch_size))
    batches = deque(keys[i : i + size] for i in range(0, len(keys), size))
    total = len(batches)
    answers: dict[str, tuple[str, Attributes]] = {}
    lock = threading.Lock()
    finished = [0]
    all_done = threading.Event()

    def work() -> None:
        while True:
            with lock:
                if not batches:
                    return
                batch = batches.popleft()
            left = deadline - clock()
            if left <= 0:
                return
            timeout = min(left, budget.call_seconds) if budget.call_seconds else left
            result = _answers(batch, lambda batch=batch, timeout=timeout: provider.fetch(batch, timeout), budget, cache)
            with lock:
                answers.update(result)
                finished[0] += 1
                if finished[0] == total:
                    all_done.set()

    for _ in range(max(1, min(budget.concurrency, total))):
        threading.Thread(target=work, name="englake-provider", daemon=True).start()
    all_done.wait(timeout=max(0.0, deadline - clock()))
    with lock:
        # Keys without an answer by now fall back with reason "timeout" (the caller's default).
        return dict(answers)


def _answers(
    batch: list[str], call: Callable[[], Any], budget: Budget, cache: TtlCache[Any] | None
) -> dict[str, tuple[str, Attributes]]:
    try:
        raw = call()
    except ProviderTimeout:
        return dict.fromkeys(batch, (TIMEOUT, {}))
    except AttributeRejected as error:
        return dict.fromkeys(batch, (error.reason, {}))
    except ProviderError as error:
        logger.warning("provider call failed for %d key(s): %s", len(batch), error)
        return dict.fromkeys(batch, (PROVIDER_ERROR, {}))
    except Exception as error:  # noqa: BLE001 - a broken provider fails its endpoints, never the batch
        logger.warning("provider raised %s for %d key(s)", type(error).__name__, len(batch))
        return dict.fromkeys(batch, (PROVIDER_ERROR, {}))
    if not isinstance(raw, dict):
        return dict.fromkeys(batch, ("invalid_response", {}))
    result: dict[str, tuple[str, Attributes]] = {}
    for key in batch:
        value = raw.get(key, _NOT_KNOWN)
        if value is _NOT_KNOWN:
            result[key] = (NOT_FOUND, {})
            if cache is not None:
                cache.put(key, None)
            continue
        try:
            attributes = checked(value, budget.limits)
        except AttributeRejected as error:
            result[key] = (error.reason, {})
            continue
        result[key] = (PROVIDED, attributes)
        if cache is not None:
            cache.put(key, attributes)
    return result
