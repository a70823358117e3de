"""The handlers' small state tables (ledgers, address stores): created in DynamoDB as their templates declare them,
for tests and local runs, or kept in one local SQLite file by the CLI's stand-ins."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def create_dynamodb_table(client: Any, table_name: str, hash_key: str, range_key: str | None = None) -> None:
    """An on-demand table with string keys, as the deploy templates declare the handlers' tables."""
    keys = [(hash_key, "HASH")] + ([(range_key, "RANGE")] if range_key else [])
    client.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": name, "KeyType": kind} for name, kind in keys],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )


def open_sqlite(path: str | Path) -> sqlite3.Connection:
    """A SQLite file (its folder created; ``":memory:"`` for a throwaway one) in autocommit mode, shared by threads:
    each stand-in serialises its own statements with a lock and opens its own transactions."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
