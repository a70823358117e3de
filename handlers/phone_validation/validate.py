"""Validate phone numbers with PhoneNumberValidate: each number once, at a bounded rate, resumable, never crashing.

The reference (spec §4) called the API for every endpoint in turn inside one 300 s Lambda, crashed on the first
number without ``CleansedPhoneNumberE164`` (so that number blocked every later run), and validated the same numbers
again when two executions overlapped. Here:

- inputs are normalised locally first (``normalize.to_e164``): unparseable or impossible numbers are recorded as
  invalid with the reason and never reach the API (it bills per request);
- spellings of one number share one call, numbers already in the cache are not called again, and callers sharing a
  cache claim a number before calling, so concurrent runs (or threads) pay once per number;
- calls run on a few threads under one shared token bucket (PhoneNumberValidate's quota is 20 requests/second per
  account and Region: englake/pinpoint_quotas.py);
- answers are checkpointed to the cache every ``checkpoint_every`` numbers, and nothing new starts after
  ``deadline``, so a run cut short by a timeout resumes where it stopped;
- an API answer of ``INVALID`` (or one without an E.164) is an invalid result with a reason; an error after the
  SDK's retries is a ``retryable`` result, not cached, asked again next run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from englake.errors import client_error_code
from englake.pinpoint_quotas import PHONE_NUMBER_VALIDATE_RPS
from englake.timestamps import utcnow
from handlers.phone_validation.cache import PhoneCache
from handlers.phone_validation.models import PhoneValidation
from handlers.phone_validation.normalize import PhoneNumberError, mask, to_e164
from segmentation.ratelimit import RateLimiter

log = logging.getLogger(__name__)

#: Concurrent requests: enough to keep 20 rps busy at ~100-200 ms per call.
DEFAULT_WORKERS = 4
#: Answers written to the cache per checkpoint.
DEFAULT_CHECKPOINT = 100


def validate_numbers(
    numbers: Iterable[str],
    *,
    client: Any,
    cache: PhoneCache,
    rate_per_second: float | None = PHONE_NUMBER_VALIDATE_RPS,
    assume_us: bool = False,
    max_workers: int = DEFAULT_WORKERS,
    checkpoint_every: int = DEFAULT_CHECKPOINT,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] | None = None,
) -> dict[str, PhoneValidation]:
    """Validate ``numbers`` (any spelling); returns one ``PhoneValidation`` per distinct input, keyed by the input.

    ``client`` is a boto3 ``pinpoint`` client (PhoneNumberValidate continues under AWS End User Messaging).
    ``deadline`` is a ``clock()`` time after which no new call starts: inputs not reached are absent from the
    result (their answers come from the cache next run). ``rate_per_second`` None means no client-side limit.
    """
    results: dict[str, PhoneValidation] = {}
    by_e164: dict[str, list[str]] = {}
    local_invalid: list[PhoneValidation] = []
    for raw in dict.fromkeys(numbers):
        try:
            e164 = to_e164(raw, assume_us=assume_us)
        except PhoneNumberError as error:
            result = _invalid(raw, None, str(error))
            results[raw] = result
            local_invalid.append(result)
            continue
        cached = cache.get(e164)
        if cached is not None:
            results[raw] = cached.for_input(raw)
        else:
            by_e164.setdefault(e164, []).append(raw)
    cache.put_many(local_invalid)

    limiter = RateLimiter(rate_per_second, clock=clock, sleep=sleep)
    limiter_lock = threading.Lock()
    pending: list[PhoneValidation] = []
    pending_lock = threading.Lock()

    def flush() -> None:
        with pending_lock:
            batch = pending[:]
            pending.clear()
        cache.put_many(batch)

    def work(e164: str) -> PhoneValidation | None:
        if deadline is not None and clock() >= deadline:
            return None
        if not cache.claim(e164):
            # Answered meanwhile, or another caller is asking right now: take its answer rather than pay twice.
            answer = cache.get(e164) or cache.wait(e164)
            if answer is not None:
                return answer
        with limiter_lock:
            limiter.acquire()
        result = _call(client, e164, by_e164[e164][0])
        cache.remember(result)
        if not result.retryable:
            with pending_lock:
                pending.append(result)
                full = len(pending) >= checkpoint_every
            if full:
                flush()
        return result

    with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="phone-validate") as pool:
        for e164, result in zip(by_e164, pool.map(work, list(by_e164)), strict=True):
            if result is None:
                continue
            for raw in by_e164[e164]:
                results[raw] = result.for_input(raw)
    flush()
    not_reached = sum(len(raws) for raws in by_e164.values() if raws[0] not in results)
    log.info(
        "phone validation: %d inputs answered (%d invalid before any call), %d not reached before the deadline",
        len(results),
        len(local_invalid),
        not_reached,
    )
    return results


def _call(client: Any, e164: str, raw: str) -> PhoneValidation:
    try:
        response = client.phone_number_validate(NumberValidateRequest={"PhoneNumber": e164})
    except ClientError as error:
        code = client_error_code(error)
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in ("BadRequestException", "NotFoundException") or status == 400:
            return _invalid(raw, e164, f"PhoneNumberValidate rejected it: {code}")
        log.warning("PhoneNumberValidate failed for %s after retries: %s", mask(e164), code)
        return PhoneValidation(
            raw, e164, False, f"not validated yet: {code}", None, None, None, None, utcnow(), retryable=True
        )
    except BotoCoreError as error:
        log.warning("PhoneNumberValidate failed for %s: %s", mask(e164), type(error).__name__)
        return PhoneValidation(
            raw,
            e164,
            False,
            f"not validated yet: {type(error).__name__}",
            None,
            None,
            None,
            None,
            utcnow(),
            retryable=True,
        )
    return from_response(raw, e164, response.get("NumberValidateResponse", response))


def from_response(raw: str, e164: str, answer: dict[str, Any]) -> PhoneValidation:
    """A PhoneNumberValidate answer (flat, or nested under ``NumberValidateResponse``) as a validation."""
    answer = answer.get("NumberValidateResponse", answer)
    phone_type = answer.get("PhoneType") or None
    cleansed = answer.get("CleansedPhoneNumberE164") or None
    if cleansed and not cleansed.startswith("+"):
        cleansed = "+" + cleansed  # one documented example omits the "+"
    reason = None
    if phone_type == "INVALID":
        reason = "PhoneNumberValidate: INVALID"
    elif not cleansed:
        reason = "PhoneNumberValidate returned no CleansedPhoneNumberE164"
    return PhoneValidation(
        input=raw,
        e164=cleansed or e164,
        valid=reason is None,
        reason=reason,
        type=phone_type,
        carrier=answer.get("Carrier") or None,
        country=answer.get("Country") or None,
        timezone=answer.get("Timezone") or None,
        validated_at=utcnow(),
        country_code=answer.get("CountryCodeIso2") or None,
    )


def _invalid(raw: str, e164: str | None, reason: str) -> PhoneValidation:
    return PhoneValidation(raw, e164, False, reason, "INVALID", None, None, None, utcnow())
