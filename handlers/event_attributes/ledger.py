"""A DynamoDB ledger in front of an attribute store: what the handler last wrote per endpoint, and when the
endpoint was last seen to exist, so a busy stream reads 100 endpoints per ``BatchGetItem`` instead of one
``GetEndpoint`` each (Pinpoint allows 10 GetEndpoint per second).

An endpoint is read from the store itself (existence and current values) when the ledger has no entry for it or its
existence was last verified more than ``verify_after`` ago; the ledger then remembers it. The trade-off: an
endpoint deleted within ``verify_after`` can be written once more (UpdateEndpointsBatch would create it). The
ledger holds only the rule attributes and their ``__at`` logs, which only this handler writes.

Table: partition key ``pk`` (string, ``<application>#<endpoint>``); items ``{pk, attributes (JSON), verified_at}``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from handlers.event_attributes.rules import LOG_SUFFIX
from handlers.event_attributes.stores import Attributes, AttributeStore

#: Keys per BatchGetItem request (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html).
BATCH_GET_KEYS = 100
#: Items per BatchWriteItem request (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html).
BATCH_WRITE_ITEMS = 25
#: Re-check that an endpoint exists after this long.
DEFAULT_VERIFY_AFTER_SECONDS = 24 * 3600.0


class LedgerStore:
    """An ``AttributeStore`` that reads through a DynamoDB ledger and keeps it after each write."""

    def __init__(
        self,
        store: AttributeStore,
        dynamodb: Any,
        table: str,
        *,
        verify_after: float = DEFAULT_VERIFY_AFTER_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.name = store.name
        self.dynamodb = dynamodb
        self.table = table
        self.verify_after = verify_after
        self.clock = clock
        self.calls = {"BatchGetItem": 0, "BatchWriteItem": 0}
        self._held: dict[tuple[str, str], tuple[Attributes, float]] = {}

    def read(self, application_id: str, ids: Iterable[str]) -> dict[str, Attributes]:
        ids = list(ids)
        now = self.clock()
        found: dict[str, Attributes] = {}
        for item in self._get([f"{application_id}#{i}" for i in ids]):
            endpoint_id = item["pk"]["S"].split("#", 1)[1]
            verified = float(item["verified_at"]["N"])
            if now - verified <= self.verify_after:
                found[endpoint_id] = json.loads(item["attributes"]["S"])
                self._held[(application_id, endpoint_id)] = (found[endpoint_id], verified)
        unknown = [i for i in ids if i not in found]
        if unknown:
            fresh = self.store.read(application_id, unknown)
            remembered = {}
            for endpoint_id, attributes in fresh.items():
                rule_attributes = _rule_attributes(attributes)
                found[endpoint_id] = rule_attributes
                self._held[(application_id, endpoint_id)] = (rule_attributes, now)
                remembered[endpoint_id] = (rule_attributes, now)
            self._put(application_id, remembered)
        return found

    def write(self, application_id: str, updates: dict[str, Attributes]) -> dict[str, str]:
        failed = self.store.write(application_id, updates)
        written = {}
        for endpoint_id, update in updates.items():
            if endpoint_id in failed:
                continue
            held, verified = self._held.get((application_id, endpoint_id), ({}, self.clock()))
            merged = {**held, **update}
            written[endpoint_id] = ({k: v for k, v in merged.items() if v}, verified)
        self._put(application_id, written)
        return failed

    def _get(self, keys: list[str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET_KEYS):
            request = {self.table: {"Keys": [{"pk": {"S": k}} for k in keys[start : start + BATCH_GET_KEYS]]}}
            while request:
                self.calls["BatchGetItem"] += 1
                response = self.dynamodb.batch_get_item(RequestItems=request)
                items += response.get("Responses", {}).get(self.table, [])
                request = response.get("UnprocessedKeys") or {}
        return items

    def _put(self, application_id: str, entries: dict[str, tuple[Attributes, float]]) -> None:
        puts = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"{application_id}#{endpoint_id}"},
                        "attributes": {"S": json.dumps(attributes, sort_keys=True)},
                        "verified_at": {"N": repr(verified)},
                    }
                }
            }
            for endpoint_id, (attributes, verified) in entries.items()
        ]
        for start in range(0, len(puts), BATCH_WRITE_ITEMS):
            request = {self.table: puts[start : start + BATCH_WRITE_ITEMS]}
            while request:
                self.calls["BatchWriteItem"] += 1
                response = self.dynamodb.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or {}


def _rule_attributes(attributes: Attributes) -> Attributes:
    """The attributes the rules own: each ``<name>__at`` log and its ``<name>``."""
    logs = {name for name in attributes if name.endswith(LOG_SUFFIX)}
    owned = logs | {name[: -len(LOG_SUFFIX)] for name in logs}
    return {name: values for name, values in attributes.items() if name in owned}
