"""The SMS handlers' idempotency ledger: items keyed (pk, sk) with conditional writes, in DynamoDB or SQLite.

Every "do this once" decision goes through ``put_if_absent`` (a conditional put: exactly one caller wins, also across
concurrent Lambdas), and every state change through ``replace`` with the version the caller read (optimistic
locking). Items of one file (``pk = FILE#<etag>``) are read back together with ``query`` for the report.
DynamoDB in production (moto in tests), SQLite for the CLI's local runs.
"""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from englake.errors import client_error_code
from handlers.tables import open_sqlite

#: Days an idempotency item is kept (DynamoDB TTL attribute ``expires_at``): a file re-dropped within this window
#: sends nothing twice.
DEFAULT_RETENTION_DAYS = 400


class Ledger(Protocol):
    def get(self, pk: str, sk: str) -> dict[str, Any] | None: ...

    def put_if_absent(self, pk: str, sk: str, item: dict[str, Any]) -> bool:
        """Store ``item`` unless (pk, sk) exists; True when this call stored it."""
        ...

    def replace(self, pk: str, sk: str, item: dict[str, Any], expected_version: int | None) -> bool:
        """Overwrite (pk, sk) with ``item`` (its ``version`` is set to expected + 1) if the stored version is still
        ``expected_version`` (None: the item must not exist); True on success."""
        ...

    def add(self, pk: str, sk: str, field: str, amount: int) -> int:
        """Atomically add ``amount`` to a numeric field (created at 0); returns the new value."""
        ...

    def query(self, pk: str, sk_prefix: str = "") -> list[dict[str, Any]]: ...


def _expires(days: int) -> int:
    return int(time.time()) + days * 86400


class DynamoDBLedger:
    """Items in a DynamoDB table with string keys ``pk`` and ``sk`` and TTL attribute ``expires_at``."""

    def __init__(self, client: Any, table: str, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.client = client
        self.table = table
        self.retention_days = retention_days
        self._ser = TypeSerializer()
        self._de = TypeDeserializer()

    def _item(self, pk: str, sk: str, item: dict[str, Any]) -> dict[str, Any]:
        body = {**item, "pk": pk, "sk": sk, "expires_at": _expires(self.retention_days)}
        return {
            k: self._ser.serialize(Decimal(str(v)) if isinstance(v, float) else v)
            for k, v in body.items()
            if v is not None
        }

    def _plain(self, item: dict[str, Any]) -> dict[str, Any]:
        row = {k: self._de.deserialize(v) for k, v in item.items()}
        return {
            k: (int(v) if v == v.to_integral_value() else float(v)) if isinstance(v, Decimal) else v
            for k, v in row.items()
        }

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
        )
        return self._plain(response["Item"]) if "Item" in response else None

    def put_if_absent(self, pk: str, sk: str, item: dict[str, Any]) -> bool:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=self._item(pk, sk, {**item, "version": 1}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if client_error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def replace(self, pk: str, sk: str, item: dict[str, Any], expected_version: int | None) -> bool:
        if expected_version is None:
            return self.put_if_absent(pk, sk, item)
        try:
            self.client.put_item(
                TableName=self.table,
                Item=self._item(pk, sk, {**item, "version": expected_version + 1}),
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": str(expected_version)}},
            )
        except ClientError as error:
            if client_error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def add(self, pk: str, sk: str, field: str, amount: int) -> int:
        response = self.client.update_item(
            TableName=self.table,
            Key={"pk": {"S": pk}, "sk": {"S": sk}},
            UpdateExpression="ADD #f :n SET expires_at = :e",
            ExpressionAttributeNames={"#f": field},
            ExpressionAttributeValues={":n": {"N": str(amount)}, ":e": {"N": str(_expires(self.retention_days))}},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"][field]["N"])

    def query(self, pk: str, sk_prefix: str = "") -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :sk)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":sk": {"S": sk_prefix}},
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**kwargs)
            rows += [self._plain(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return rows
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class SqliteLedger:
    """The same semantics in one SQLite file (local CLI runs); ``":memory:"`` for a throwaway ledger."""

    def __init__(self, path: str | Path) -> None:
        self._db = open_sqlite(path)
        self._db.execute("create table if not exists ledger (pk text, sk text, item text, primary key (pk, sk))")
        self._lock = threading.Lock()

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("select item from ledger where pk = ? and sk = ?", (pk, sk)).fetchone()
        return {**json.loads(row[0]), "pk": pk, "sk": sk} if row else None

    def put_if_absent(self, pk: str, sk: str, item: dict[str, Any]) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "insert or ignore into ledger values (?, ?, ?)", (pk, sk, json.dumps({**item, "version": 1}))
            )
            return cursor.rowcount == 1

    def replace(self, pk: str, sk: str, item: dict[str, Any], expected_version: int | None) -> bool:
        if expected_version is None:
            return self.put_if_absent(pk, sk, item)
        with self._lock:
            row = self._db.execute("select item from ledger where pk = ? and sk = ?", (pk, sk)).fetchone()
            if row is None or json.loads(row[0]).get("version") != expected_version:
                return False
            body = json.dumps({**item, "version": expected_version + 1})
            self._db.execute("update ledger set item = ? where pk = ? and sk = ?", (body, pk, sk))
            return True

    def add(self, pk: str, sk: str, field: str, amount: int) -> int:
        with self._lock:
            row = self._db.execute("select item from ledger where pk = ? and sk = ?", (pk, sk)).fetchone()
            item = json.loads(row[0]) if row else {}
            item[field] = int(item.get(field, 0)) + amount
            self._db.execute("insert or replace into ledger values (?, ?, ?)", (pk, sk, json.dumps(item)))
            return item[field]

    def query(self, pk: str, sk_prefix: str = "") -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "select sk, item from ledger where pk = ? and substr(sk, 1, ?) = ? order by sk",
                (pk, len(sk_prefix), sk_prefix),
            ).fetchall()
        return [{**json.loads(item), "pk": pk, "sk": sk} for sk, item in rows]
