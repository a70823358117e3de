"""The address store: one row per address (its suppression state) plus a ledger of every feedback it received.

Two implementations with the same semantics, chosen by configuration:

- ``DynamoDBAddressStore`` (production): items ``pk=<address>, sk="ADDRESS"`` and
  ``sk="FEEDBACK#<Bounce|Complaint>#<feedbackId>"``.
  Recording a feedback is one ``TransactWriteItems``: the ledger item is put only if absent (so a re-delivered
  notification changes nothing) and the address row only if its ``version`` is unchanged (optimistic locking,
  retried on conflict), so concurrent Lambdas never lose an update.
- ``SqliteAddressStore`` (local, the embedded default): the same two tables in one SQLite file, one transaction.

Rows are never deleted: a suppression is memory, and deleting it lets the next import re-add the address.
State changes are monotonic and order-independent (``fold``, ``with_suppression``, ``with_mirror``): first/last
seen are min/max, counts count distinct feedback ids, a reason only strengthens, and ``suppressed_at`` is the
earliest event time at which a suppression rule was met.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError

from englake.errors import client_error_code
from englake.timestamps import iso, parse_iso
from handlers import tables
from handlers.bounces.models import Feedback
from handlers.bounces.policy import COUNTED, REASON_RANK, Category, Reason

#: Optimistic-lock retries before giving up (the message is then retried by SQS).
MAX_CONFLICT_RETRIES = 20

ADDRESS_SK = "ADDRESS"
FEEDBACK_SK_PREFIX = "FEEDBACK#"


class StoreConflict(RuntimeError):
    """The address row kept changing under us; raising lets SQS retry the message later."""


@dataclass(frozen=True)
class FeedbackEntry:
    """A ledger row: one feedback for one address, kept as evidence."""

    address: str
    feedback_id: str
    kind: str
    category: str
    bounce_type: str | None
    subtype: str | None
    complaint_feedback_type: str | None
    timestamp: datetime
    diagnostic_code: str | None
    status: str | None
    message_id: str | None
    source: str

    @classmethod
    def from_feedback(cls, feedback: Feedback, category: Category) -> FeedbackEntry:
        return cls(
            address=feedback.address,
            feedback_id=feedback.feedback_id,
            kind=feedback.kind,
            category=category.value,
            bounce_type=feedback.bounce_type,
            subtype=feedback.subtype,
            complaint_feedback_type=feedback.complaint_feedback_type,
            timestamp=feedback.timestamp,
            diagnostic_code=feedback.diagnostic_code,
            status=feedback.status,
            message_id=feedback.message_id,
            source=feedback.source,
        )

    @property
    def key(self) -> str:
        """The ledger key: one bounce and one complaint never share an identity, even with one feedback id."""
        return f"{self.kind}#{self.feedback_id}"

    @property
    def counted(self) -> bool:
        return self.category in COUNTED

    @property
    def type(self) -> str:
        """Bounce type, or ``Complaint``."""
        return self.bounce_type or self.kind


@dataclass(frozen=True)
class AddressState:
    """The address row."""

    address: str
    status: str = "active"  # "active" | "suppressed"
    #: Strongest suppression reason met so far (COMPLAINT outranks BOUNCE); None while active.
    reason: str | None = None
    #: Earliest event time at which a suppression rule was met.
    suppressed_at: datetime | None = None
    #: Type and subtype of the latest feedback (by event time; ties broken by feedback id).
    type: str | None = None
    subtype: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    #: Distinct bounces and complaints counted against the address (not consequences or content rejections).
    count: int = 0
    #: Distinct feedback notifications of any category.
    feedback_count: int = 0
    #: Evidence from the latest feedback.
    last_feedback_id: str | None = None
    last_diagnostic_code: str | None = None
    #: The reason we know the SES account-level suppression list holds (None: not mirrored).
    ses_reason: str | None = None
    #: Optimistic-lock counter (bookkeeping; not part of the address's meaning).
    version: int = 0

    @property
    def suppressed(self) -> bool:
        return self.status == "suppressed"

    def fold(self, entry: FeedbackEntry) -> AddressState:
        """This state after one more distinct feedback."""
        latest = self.last_seen is None or (entry.timestamp, entry.feedback_id) >= (
            self.last_seen,
            self.last_feedback_id or "",
        )
        state = replace(
            self,
            first_seen=min(filter(None, [self.first_seen, entry.timestamp])),
            last_seen=max(filter(None, [self.last_seen, entry.timestamp])),
            count=self.count + (1 if entry.counted else 0),
            feedback_count=self.feedback_count + 1,
        )
        if latest:
            state = replace(
                state,
                type=entry.type,
                subtype=entry.subtype or entry.complaint_feedback_type,
                last_feedback_id=entry.feedback_id,
                last_diagnostic_code=entry.diagnostic_code,
            )
        return state

    def with_suppression(self, reason: Reason, at: datetime) -> AddressState:
        """Suppressed, with the stronger of the two reasons and the earlier of the two times."""
        stronger = reason if REASON_RANK[reason] > REASON_RANK[self.reason] else self.reason
        earlier = at if self.suppressed_at is None or at < self.suppressed_at else self.suppressed_at
        return replace(self, status="suppressed", reason=stronger, suppressed_at=earlier)

    def with_mirror(self, reason: str) -> AddressState:
        """Known to be on the SES account list for at least ``reason``."""
        if REASON_RANK[reason] <= REASON_RANK[self.ses_reason]:
            return self
        return replace(self, ses_reason=reason)

    def meaning(self) -> dict[str, Any]:
        """The row without bookkeeping: what tests compare across delivery orders."""
        data = asdict(self)
        data.pop("version")
        return data


class AddressStore(Protocol):
    """Where address rows and the feedback ledger live."""

    def get(self, address: str) -> AddressState | None:
        """The address row, or None if the address never received feedback."""
        ...

    def record(self, entry: FeedbackEntry) -> AddressState | None:
        """Add ``entry`` to the ledger and fold it into the row atomically; None if it was already recorded."""
        ...

    def update(self, address: str, change: Callable[[AddressState], AddressState]) -> AddressState:
        """Apply ``change`` to the row atomically (a no-op change writes nothing); returns the row after."""
        ...

    def entries(self, address: str) -> list[FeedbackEntry]:
        """The address's ledger, oldest first."""
        ...


# -- serialization shared by both stores --------------------------------------------------------------------------

_STATE_TIMES = ("suppressed_at", "first_seen", "last_seen")


def _state_to_item(state: AddressState) -> dict[str, Any]:
    item = asdict(state)
    for name in _STATE_TIMES:
        item[name] = iso(item[name]) if item[name] else None
    return item


def _state_from_item(item: dict[str, Any]) -> AddressState:
    fields = {name: item.get(name) for name in AddressState.__dataclass_fields__}
    for name in _STATE_TIMES:
        fields[name] = parse_iso(fields[name]) if fields[name] else None
    for name in ("count", "feedback_count", "version"):
        fields[name] = int(fields[name] or 0)
    fields["status"] = fields["status"] or "active"
    return AddressState(**fields)


def _entry_to_item(entry: FeedbackEntry) -> dict[str, Any]:
    item = asdict(entry)
    item["timestamp"] = iso(entry.timestamp)
    return item


def _entry_from_item(item: dict[str, Any]) -> FeedbackEntry:
    fields = {name: item.get(name) for name in FeedbackEntry.__dataclass_fields__}
    fields["timestamp"] = parse_iso(fields["timestamp"])
    return FeedbackEntry(**fields)


# -- DynamoDB -----------------------------------------------------------------------------------------------------


class DynamoDBAddressStore:
    """Production store on one DynamoDB table (``pk`` string hash key, ``sk`` string range key)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def get(self, address: str) -> AddressState | None:
        response = self.client.get_item(TableName=self.table, Key=_key(address, ADDRESS_SK), ConsistentRead=True)
        if "Item" not in response:
            return None
        return _state_from_item(_from_dynamo(response["Item"]))

    def record(self, entry: FeedbackEntry) -> AddressState | None:
        ledger_item = {"pk": entry.address, "sk": FEEDBACK_SK_PREFIX + entry.key, **_entry_to_item(entry)}
        for _attempt in range(MAX_CONFLICT_RETRIES):
            current = self.get(entry.address)
            after = (current or AddressState(address=entry.address)).fold(entry)
            try:
                self.client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table,
                                "Item": _to_dynamo(ledger_item),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {"Put": self._versioned_put(current, after)},
                    ]
                )
            except ClientError as error:
                if client_error_code(error) != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    return None  # already in the ledger: a re-delivery changes nothing
                if "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons:
                    continue  # the row changed under us: read again and retry
                raise
            return replace(after, version=after.version + 1)
        raise StoreConflict(f"address row {entry.address!r} kept changing; giving up after {MAX_CONFLICT_RETRIES}")

    def update(self, address: str, change: Callable[[AddressState], AddressState]) -> AddressState:
        for _attempt in range(MAX_CONFLICT_RETRIES):
            current = self.get(address)
            before = current or AddressState(address=address)
            after = change(before)
            if after == before and current is not None:
                return current
            try:
                self.client.put_item(**self._versioned_put(current, after))
            except ClientError as error:
                if client_error_code(error) == "ConditionalCheckFailedException":
                    continue
                raise
            return replace(after, version=after.version + 1)
        raise StoreConflict(f"address row {address!r} kept changing; giving up after {MAX_CONFLICT_RETRIES}")

    def entries(self, address: str) -> list[FeedbackEntry]:
        items = []
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": address}, ":prefix": {"S": FEEDBACK_SK_PREFIX}},
            ConsistentRead=True,
        ):
            items.extend(_entry_from_item(_from_dynamo(item)) for item in page["Items"])
        return sorted(items, key=lambda e: (e.timestamp, e.feedback_id))

    def _versioned_put(self, current: AddressState | None, after: AddressState) -> dict[str, Any]:
        item = {"pk": after.address, "sk": ADDRESS_SK, **_state_to_item(replace(after, version=after.version + 1))}
        put: dict[str, Any] = {"TableName": self.table, "Item": _to_dynamo(item)}
        if current is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :version"
            put["ExpressionAttributeValues"] = {":version": {"N": str(current.version)}}
        return put


def _key(address: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": address}, "sk": {"S": sk}}


def _to_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    """Plain values → DynamoDB attribute values (None attributes are left out, as DynamoDB prefers)."""
    out: dict[str, Any] = {}
    for name, value in item.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = {"BOOL": value}
        elif isinstance(value, int):
            out[name] = {"N": str(value)}
        else:
            out[name] = {"S": str(value)}
    return out


def _from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in item.items():
        (kind, raw), *_ = value.items()
        out[name] = int(raw) if kind == "N" else raw
    return out


def create_dynamodb_table(client: Any, table_name: str) -> None:
    """Create the table as deploy/email-ops.yaml does (for tests and local experiments)."""
    tables.create_dynamodb_table(client, table_name, "pk", "sk")


# -- SQLite -------------------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS addresses (
    address TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    address TEXT NOT NULL,
    feedback_key TEXT NOT NULL,
    category TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (address, feedback_key)
);
"""


class SqliteAddressStore:
    """Local store in one SQLite file; every change is one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._connection = tables.open_sqlite(path)
        self._lock = threading.Lock()
        self._connection.executescript(_SCHEMA)

    def close(self) -> None:
        self._connection.close()

    def get(self, address: str) -> AddressState | None:
        row = self._connection.execute("SELECT state FROM addresses WHERE address = ?", (address,)).fetchone()
        return _state_from_item(json.loads(row[0])) if row else None

    def record(self, entry: FeedbackEntry) -> AddressState | None:
        with self._transaction() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO feedback (address, feedback_key, category, timestamp, entry) VALUES (?,?,?,?,?)",
                (
                    entry.address,
                    entry.key,
                    entry.category,
                    iso(entry.timestamp),
                    json.dumps(_entry_to_item(entry)),
                ),
            ).rowcount
            if not inserted:
                return None
            current = self._get(db, entry.address)
            after = (current or AddressState(address=entry.address)).fold(entry)
            return self._put(db, after)

    def update(self, address: str, change: Callable[[AddressState], AddressState]) -> AddressState:
        with self._transaction() as db:
            current = self._get(db, address)
            before = current or AddressState(address=address)
            after = change(before)
            if after == before and current is not None:
                return current
            return self._put(db, after)

    def entries(self, address: str) -> list[FeedbackEntry]:
        rows = self._connection.execute(
            "SELECT entry FROM feedback WHERE address = ? ORDER BY timestamp, feedback_key", (address,)
        ).fetchall()
        return [_entry_from_item(json.loads(row[0])) for row in rows]

    def addresses(self, status: str | None = None) -> list[AddressState]:
        """Every row (optionally only ``active`` or ``suppressed``), for the CLI."""
        query, params = "SELECT state FROM addresses", ()
        if status:
            query, params = query + " WHERE status = ?", (status,)
        rows = self._connection.execute(query + " ORDER BY address", params).fetchall()
        return [_state_from_item(json.loads(row[0])) for row in rows]

    def _get(self, db: sqlite3.Connection, address: str) -> AddressState | None:
        row = db.execute("SELECT state FROM addresses WHERE address = ?", (address,)).fetchone()
        return _state_from_item(json.loads(row[0])) if row else None

    def _put(self, db: sqlite3.Connection, state: AddressState) -> AddressState:
        state = replace(state, version=state.version + 1)
        db.execute(
            "INSERT INTO addresses (address, state, status, reason, version) VALUES (?,?,?,?,?) "
            "ON CONFLICT (address) DO UPDATE SET state = excluded.state, status = excluded.status, "
            "reason = excluded.reason, version = excluded.version",
            (state.address, json.dumps(_state_to_item(state)), state.status, state.reason, state.version),
        )
        return state

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection, self._lock)


class _Transaction:
    def __init__(self, connection: sqlite3.Connection, lock: threading.Lock) -> None:
        self.connection = connection
        self.lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self.lock.acquire()
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            self.connection.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.lock.release()
