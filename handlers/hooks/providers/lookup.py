"""A lookup-table provider: one row per key in a relation of the lake (e.g. the ``endpoint_offers`` dbt model).

The same provider reads DuckDB (the embedded default) or Athena (production) through one small query interface,
:class:`QueryRunner`. Every column but the key becomes an attribute of that name (NULL columns are left out; a list
column gives several values). Small tables are best ``preload``ed: read once, kept for ``refresh_seconds``, so a
FILTER invocation costs no query at all (an Athena query takes seconds, more than a hook can spend).
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from englake.storage import split_s3_uri
from handlers.hooks.models import EndpointView
from handlers.hooks.providers.base import KeySpec, ProviderError, ProviderTimeout

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")


class QueryRunner(Protocol):
    def rows(self, sql: str, parameters: Sequence[str], timeout: float) -> list[dict[str, Any]]:
        """Run ``sql`` with ``?`` placeholders bound to ``parameters``; rows as dicts."""
        ...


class DuckDBRunner:
    """Queries a DuckDB file read-only (the lake's ``englake.duckdb``)."""

    def __init__(self, path: str) -> None:
        import duckdb

        self.path = path
        self._connection = duckdb.connect(path, read_only=True)
        self._lock = threading.Lock()

    def rows(self, sql: str, parameters: Sequence[str], timeout: float) -> list[dict[str, Any]]:
        import duckdb

        with self._lock:
            cursor = self._connection.cursor()
        try:
            result = cursor.execute(sql, list(parameters))
            names = [d[0] for d in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        except duckdb.Error as error:
            raise ProviderError(f"DuckDB {self.path}: {type(error).__name__}: {error}") from None
        finally:
            cursor.close()


class AthenaRunner:
    """Runs the query in Athena (``StartQueryExecution`` with ``ExecutionParameters``) and reads its CSV result."""

    TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})

    def __init__(
        self,
        athena: Any,
        s3: Any,
        database: str,
        workgroup: str = "primary",
        output_location: str | None = None,
        poll_seconds: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.athena = athena
        self.s3 = s3
        self.database = database
        self.workgroup = workgroup
        self.output_location = output_location
        self.poll_seconds = poll_seconds
        self.sleep = sleep

    def rows(self, sql: str, parameters: Sequence[str], timeout: float) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.database},
            "WorkGroup": self.workgroup,
        }
        if parameters:
            # Athena binds ? placeholders from ExecutionParameters as literal SQL: quote them as strings.
            request["ExecutionParameters"] = ["'" + p.replace("'", "''") + "'" for p in parameters]
        if self.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self.output_location}
        query_id = self.athena.start_query_execution(**request)["QueryExecutionId"]
        deadline = time.monotonic() + timeout
        while True:
            execution = self.athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            state = execution["Status"]["State"]
            if state in self.TERMINAL:
                break
            if time.monotonic() >= deadline:
                self.athena.stop_query_execution(QueryExecutionId=query_id)
                raise ProviderTimeout(f"Athena query {query_id} still {state} after {timeout:.1f} s")
            self.sleep(self.poll_seconds)
        if state != "SUCCEEDED":
            reason = execution["Status"].get("StateChangeReason", "")
            raise ProviderError(f"Athena query {query_id} {state}: {reason}")
        location = execution["ResultConfiguration"]["OutputLocation"]
        bucket, key = split_s3_uri(location)
        body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        # Athena's CSV result has every value quoted and empty for NULL.
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(io.StringIO(body))]


class LookupTableProvider:
    """Attributes from the row whose ``key_column`` equals the endpoint's key."""

    def __init__(
        self,
        runner: QueryRunner,
        relation: str,
        key_column: str = "endpoint_id",
        key: KeySpec | None = None,
        *,
        preload: bool = True,
        refresh_seconds: float = 300.0,
        batch_size: int = 500,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name in (relation, key_column):
            if not _NAME.match(name):
                raise ValueError(f"{name!r} is not a plain [schema.]name")
        self.runner = runner
        self.relation = relation
        self.key_column = key_column
        self.key_spec = key or KeySpec()
        self.preload = preload
        self.refresh_seconds = refresh_seconds
        self.batch_size = 1_000_000 if preload else batch_size
        self.name = f"lookup:{relation}"
        self._clock = clock
        self._table: dict[str, dict[str, Any]] | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def key(self, endpoint: EndpointView) -> str | None:
        return self.key_spec.key(endpoint)

    def fetch(self, keys: Sequence[str], timeout: float) -> dict[str, Any]:
        if self.preload:
            table = self._whole_table(timeout)
            return {k: table[k] for k in keys if k in table}
        placeholders = ", ".join("?" for _ in keys)
        sql = f"select * from {self.relation} where cast({self.key_column} as varchar) in ({placeholders})"
        return self._by_key(self.runner.rows(sql, list(keys), timeout))

    def _whole_table(self, timeout: float) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._table is None or self._clock() - self._loaded_at > self.refresh_seconds:
                self._table = self._by_key(self.runner.rows(f"select * from {self.relation}", [], timeout))
                self._loaded_at = self._clock()
            return self._table

    def _by_key(self, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        table: dict[str, dict[str, Any]] = {}
        for row in rows:
            key = row.get(self.key_column)
            if key is None:
                continue
            table[str(key)] = {
                column: value for column, value in row.items() if column != self.key_column and value is not None
            }
        return table
