"""Validation results kept in the lake, by E.164 number: each number is validated (and billed) once.

Layout: ``phone_numbers/validations/<UTC timestamp>-<uuid>.ndjson``, one ``PhoneValidation`` JSON per line. Every
writer adds its own objects and never rewrites another's, so concurrent runs cannot lose each other's results, and
a run that dies (a Lambda timeout) keeps everything it checkpointed: the next run reads those and skips them. The
dbt model ``dim_phone_numbers`` reads the same objects (newest answer per number wins).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from englake.errors import LakeError
from englake.storage import LakeStore
from handlers.phone_validation.models import PhoneValidation
from ingest.layout import PHONE_VALIDATIONS_PREFIX

#: Lake prefix of validation results (the dbt source ``phone_numbers.validations`` reads it).
VALIDATIONS_PREFIX = PHONE_VALIDATIONS_PREFIX
VALIDATIONS_SUFFIX = ".ndjson"


#: Seconds a run waits for another run's call on the same number before calling itself.
CLAIM_WAIT_SECONDS = 30.0


class PhoneCache(Protocol):
    """Where validation answers are remembered, by E.164 number, and who is asking about which number right now."""

    def get(self, e164: str) -> PhoneValidation | None: ...

    def claim(self, e164: str) -> bool:
        """True: the caller validates ``e164``; False: it is answered, or another caller is asking right now."""
        ...

    def wait(self, e164: str, timeout: float = CLAIM_WAIT_SECONDS) -> PhoneValidation | None:
        """The answer of whoever claimed ``e164`` (None if it failed or took too long)."""
        ...

    def remember(self, result: PhoneValidation) -> None:
        """Keep an answer (or drop the claim of a retryable one) in memory at once; ``put_many`` persists."""
        ...

    def put_many(self, results: Iterable[PhoneValidation]) -> None: ...


class MemoryPhoneCache:
    """A cache in memory (tests, one-off runs); thread-safe, with claims so concurrent callers ask once."""

    def __init__(self) -> None:
        self._rows: dict[str, PhoneValidation] = {}
        self._inflight: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, e164: str) -> PhoneValidation | None:
        return self._rows.get(e164)

    def claim(self, e164: str) -> bool:
        with self._lock:
            if e164 in self._rows or e164 in self._inflight:
                return False
            self._inflight[e164] = threading.Event()
            return True

    def wait(self, e164: str, timeout: float = CLAIM_WAIT_SECONDS) -> PhoneValidation | None:
        event = self._inflight.get(e164)
        if event is not None:
            event.wait(timeout)
        return self._rows.get(e164)

    def remember(self, result: PhoneValidation) -> None:
        if not result.e164:
            return
        with self._lock:
            if not result.retryable:
                self._rows[result.e164] = result
            event = self._inflight.pop(result.e164, None)
        if event is not None:
            event.set()

    def put_many(self, results: Iterable[PhoneValidation]) -> None:
        for result in results:
            self.remember(result)


class LakePhoneCache(MemoryPhoneCache):
    """Answers read once from the lake's validation objects; new answers appended as new objects."""

    def __init__(self, store: LakeStore) -> None:
        super().__init__()
        self.store = store
        self.objects_read = 0
        for item in store.list(VALIDATIONS_PREFIX):
            if not item.key.endswith(VALIDATIONS_SUFFIX):
                continue
            self.objects_read += 1
            for number, line in enumerate(store.get(item.key).decode("utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    result = PhoneValidation.from_json(json.loads(line))
                except (ValueError, KeyError, TypeError) as error:
                    raise LakeError(f"{store.uri(item.key)} line {number}: not a phone validation ({error})") from None
                current = self._rows.get(result.e164 or "")
                if result.e164 and (current is None or current.validated_at <= result.validated_at):
                    self._rows[result.e164] = result

    def put_many(self, results: Iterable[PhoneValidation]) -> None:
        rows = [r for r in results if not r.retryable]
        if not rows:
            return
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        key = f"{VALIDATIONS_PREFIX}{stamp}-{uuid.uuid4()}{VALIDATIONS_SUFFIX}"
        body = "".join(json.dumps(r.to_json(), separators=(",", ":")) + "\n" for r in rows)
        self.store.put(key, body.encode("utf-8"))
        super().put_many(rows)
