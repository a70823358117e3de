"""One auto-reply per sender per window: a conditional claim, released again if the send fails.

``claim`` succeeds only if the sender has no reply on record within ``window`` before this mail's receipt time. A
re-invocation for the same mail (Lambda retries asynchronous invocations) finds its own claim and does not reply
twice; a failed send ``release``s the claim so that the retry may reply. DynamoDB items expire through a TTL
attribute, so the table does not grow without bound.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError

from englake.errors import client_error_code
from englake.timestamps import iso
from handlers import tables

#: Extra time a claim is kept past its window before DynamoDB's TTL may delete it (TTL deletion lags up to ~48 h).
TTL_MARGIN = timedelta(days=1)


class ReplyLedger(Protocol):
    def claim(self, sender: str, message_id: str, at: datetime, window: timedelta) -> bool:
        """Record a reply to ``sender`` for ``message_id`` at ``at``; False if one is on record within ``window``."""
        ...

    def release(self, sender: str, message_id: str) -> None:
        """Undo this message's claim (only this message's)."""
        ...


class DynamoDBReplyLedger:
    """Items ``{sender, message_id, replied_at, expires_at}`` keyed by ``sender``."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def claim(self, sender: str, message_id: str, at: datetime, window: timedelta) -> bool:
        expires = (at + window + TTL_MARGIN).replace(tzinfo=UTC).timestamp()
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    "sender": {"S": sender},
                    "message_id": {"S": message_id},
                    "replied_at": {"S": iso(at)},
                    "expires_at": {"N": str(int(expires))},
                },
                ConditionExpression="attribute_not_exists(sender) OR replied_at <= :cutoff",
                ExpressionAttributeValues={":cutoff": {"S": iso(at - window)}},
            )
        except ClientError as error:
            if client_error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release(self, sender: str, message_id: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table,
                Key={"sender": {"S": sender}},
                ConditionExpression="message_id = :mid",
                ExpressionAttributeValues={":mid": {"S": message_id}},
            )
        except ClientError as error:
            if client_error_code(error) != "ConditionalCheckFailedException":
                raise


def create_dynamodb_table(client: Any, table_name: str) -> None:
    """Create the table as deploy/email-ops.yaml does (for tests)."""
    tables.create_dynamodb_table(client, table_name, "sender")


class SqliteReplyLedger:
    """The same semantics in a local SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = tables.open_sqlite(path)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS replies (sender TEXT PRIMARY KEY, message_id TEXT NOT NULL, "
            "replied_at TEXT NOT NULL)"
        )

    def claim(self, sender: str, message_id: str, at: datetime, window: timedelta) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT replied_at FROM replies WHERE sender = ?", (sender,)).fetchone()
                if row is not None and row[0] > iso(at - window):
                    self._db.execute("ROLLBACK")
                    return False
                self._db.execute(
                    "INSERT INTO replies (sender, message_id, replied_at) VALUES (?,?,?) ON CONFLICT (sender) "
                    "DO UPDATE SET message_id = excluded.message_id, replied_at = excluded.replied_at",
                    (sender, message_id, iso(at)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return True

    def release(self, sender: str, message_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM replies WHERE sender = ? AND message_id = ?", (sender, message_id))
