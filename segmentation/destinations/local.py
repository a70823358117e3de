"""The local endpoint store (embedded default): Pinpoint's endpoint semantics in the embedded DuckDB file.

Schema ``englake_sync``:

- ``endpoints(application_id, endpoint_id, channel_type, address, user_id, attributes JSON)``: the endpoints of
  the latest export in the lake (endpoints/<application_id>/…), refreshed at each sync; ``attributes`` are the
  export's other attributes, never changed by a sync.
- ``endpoint_attributes(application_id, endpoint_id, attribute, "values" VARCHAR[])``: what syncs wrote, one row
  per endpoint and attribute; writing an empty list deletes the row (clears the attribute on that endpoint).
- view ``endpoint_segments(application_id, endpoint_id, segment_name)``: who is in what, for users to query.

As in Pinpoint, only ids present in the latest export are written; others are rejected as unknown. The file is
opened for each step and closed at once (DuckDB allows one writer process). Reading (the known ids, the current
values, ``who``) never writes: it reads the export and opens the file read-only, so a dry run or a run the guard
stops leaves the file byte for byte as it was; the ``endpoints`` table is refreshed from the export in ``prepare``,
which the sync calls only once it is going to write. The store is its own snapshot: each sync diffs against
``endpoint_attributes`` itself (``reads_back``), so a recreated DuckDB file is simply filled again; the run reports
and journal still live in the lake like every destination's, under ``sync/local-<application_id>-<attribute>/``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from englake.database import connect
from englake.pinpoint_quotas import MAX_ATTRIBUTE_VALUE_CHARS, MAX_VALUES_PER_ATTRIBUTE, SEGMENT_ATTRIBUTE
from englake.storage import LakeStore
from segmentation.catalog import EndpointExport, latest_export
from segmentation.destinations.base import BatchCallback, DestinationLimits, EndpointChange, WriteResult
from segmentation.destinations.pinpoint import check_attribute_name

log = logging.getLogger(__name__)

SCHEMA = "englake_sync"
#: Endpoints per transaction.
LOCAL_BATCH_SIZE = 20_000

_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.endpoints (
    application_id VARCHAR NOT NULL,
    endpoint_id VARCHAR NOT NULL,
    channel_type VARCHAR,
    address VARCHAR,
    user_id VARCHAR,
    attributes JSON,
    PRIMARY KEY (application_id, endpoint_id)
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.endpoint_attributes (
    application_id VARCHAR NOT NULL,
    endpoint_id VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,
    "values" VARCHAR[] NOT NULL,
    PRIMARY KEY (application_id, endpoint_id, attribute)
);
"""


class LocalDestination:
    """Write segment membership into the local endpoint store of one application."""

    limits = DestinationLimits(
        max_values=MAX_VALUES_PER_ATTRIBUTE, max_value_chars=MAX_ATTRIBUTE_VALUE_CHARS, batch_size=LOCAL_BATCH_SIZE
    )
    #: The store is read exactly and cheaply, and each batch is one transaction: diff against it every run.
    reads_back = True

    def __init__(
        self,
        db_path: str | Path,
        application_id: str,
        store: LakeStore | None = None,
        *,
        attribute: str = SEGMENT_ATTRIBUTE,
        batch_size: int = LOCAL_BATCH_SIZE,
    ) -> None:
        """``store`` is the lake holding the endpoint export; without it the store keeps the endpoints it has."""
        self.db_path = Path(db_path)
        self.application_id = application_id
        self.store = store
        self.attribute = check_attribute_name(attribute)
        self.batch_size = batch_size
        self.id = f"local-{application_id}-{attribute}"
        self._loaded = False

    def describe(self) -> str:
        return f"local endpoint store {self.db_path} ({SCHEMA}), app {self.application_id}, attribute {self.attribute}"

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """The store for writing: created (file, schema, tables, view) if need be."""
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        con = connect(self.db_path, read_only=False)
        con.execute(_DDL)
        attribute = self.attribute.replace("'", "''")
        con.execute(
            f"""CREATE OR REPLACE VIEW {SCHEMA}.endpoint_segments AS
            SELECT application_id, endpoint_id, unnest("values") AS segment_name
            FROM {SCHEMA}.endpoint_attributes WHERE attribute = '{attribute}'"""
        )
        return con

    def _read(self, sql: str, params: list[object]) -> pa.Table | None:
        """``sql`` on the store opened read-only; None when the file or the schema does not exist yet."""
        if not self.db_path.exists():
            return None
        with connect(self.db_path, read_only=True) as con:
            try:
                return con.sql(sql, params=params).to_arrow_table()
            except duckdb.CatalogException:  # never synced: no englake_sync schema yet
                return None

    def _export(self) -> EndpointExport | None:
        if self.store is None:
            return None
        export = latest_export(self.store, self.application_id)
        if export is None:
            log.warning(
                "no endpoint export for %s in %s; keeping the endpoints already stored",
                self.application_id,
                self.store.root,
            )
        return export

    def prepare(self) -> None:
        """Before the first write of a run: refresh the endpoints from the latest export."""
        self.load_endpoints()

    def load_endpoints(self) -> int:
        """Replace the application's endpoints with the latest export's (sync-written attributes are kept)."""
        export = self._export()
        if export is None:
            return -1
        uris = [self.store.uri(key) for key in export.keys] if self.store is not None else []
        with self._connect() as con:
            con.execute("BEGIN")
            con.execute(f"DELETE FROM {SCHEMA}.endpoints WHERE application_id = ?", [self.application_id])
            con.execute(
                f"""INSERT INTO {SCHEMA}.endpoints
                SELECT DISTINCT ON (Id) ?, Id, ChannelType, Address, json_extract_string("User", '$.UserId'),
                       CASE WHEN Attributes IS NULL THEN NULL ELSE json_merge_patch(Attributes, ?::JSON) END
                FROM read_json(?, format = 'newline_delimited', compression = 'gzip',
                               columns = {{Id: 'VARCHAR', ChannelType: 'VARCHAR', Address: 'VARCHAR',
                                          "User": 'JSON', Attributes: 'JSON'}})
                WHERE Id IS NOT NULL""",
                [self.application_id, f'{{"{self.attribute}": null}}', uris],
            )
            # Endpoints deleted since (absent from the export) lose what syncs wrote to them.
            con.execute(
                f"""DELETE FROM {SCHEMA}.endpoint_attributes a WHERE application_id = ? AND NOT EXISTS
                (SELECT 1 FROM {SCHEMA}.endpoints e WHERE e.application_id = a.application_id
                 AND e.endpoint_id = a.endpoint_id)""",
                [self.application_id],
            )
            row = con.execute(
                f"SELECT count(*) FROM {SCHEMA}.endpoints WHERE application_id = ?", [self.application_id]
            ).fetchone()
            con.execute("COMMIT")
        self._loaded = True
        count = int(row[0]) if row else 0
        log.info("local endpoint store: %d endpoints from export %s", count, export.export_id)
        return count

    def known_endpoints(self) -> pa.Array:
        """Ids of the latest export (what ``prepare`` will load), else of the endpoints already stored; reads only."""
        export = None if self._loaded else self._export()
        if export is not None and self.store is not None:
            with duckdb.connect() as con:
                table = con.sql(
                    """SELECT DISTINCT Id AS endpoint_id FROM read_json($uris, format = 'newline_delimited',
                    compression = 'gzip', columns = {Id: 'VARCHAR'}) WHERE Id IS NOT NULL""",
                    params={"uris": [self.store.uri(key) for key in export.keys]},
                ).to_arrow_table()
        else:
            table = self._read(
                f"SELECT endpoint_id FROM {SCHEMA}.endpoints WHERE application_id = ?", [self.application_id]
            )
        if table is None:
            return pa.array([], pa.string())
        return table.column(0).combine_chunks().cast(pa.string())

    def baseline(self) -> pa.Table:
        return self.current_values()

    def current_values(self) -> pa.Table:
        table = self._read(
            f"""SELECT endpoint_id, "values" AS segments FROM {SCHEMA}.endpoint_attributes
            WHERE application_id = ? AND attribute = ?""",
            [self.application_id, self.attribute],
        )
        if table is None:
            return pa.table({"endpoint_id": pa.array([], pa.string()), "segments": pa.array([], pa.list_(pa.string()))})
        return table

    def write(self, changes: Sequence[EndpointChange], on_batch: BatchCallback | None = None) -> WriteResult:
        total = WriteResult()
        for start in range(0, len(changes), self.batch_size):
            batch = list(changes[start : start + self.batch_size])
            result = self._write_batch(batch)
            total.add(result)
            if on_batch is not None:
                on_batch(result)
        return total

    def _write_batch(self, batch: list[EndpointChange]) -> WriteResult:
        result = WriteResult(api_calls=1)
        rows = pa.table(
            {
                "endpoint_id": pa.array([c.endpoint_id for c in batch], pa.string()),
                "segments": pa.array([list(c.segments) for c in batch], pa.list_(pa.string())),
            }
        )
        with self._connect() as con:
            con.register("batch_rows", rows)
            unknown = {
                r[0]
                for r in con.execute(
                    f"""SELECT endpoint_id FROM batch_rows b WHERE NOT EXISTS (SELECT 1 FROM {SCHEMA}.endpoints e
                    WHERE e.application_id = ? AND e.endpoint_id = b.endpoint_id)""",
                    [self.application_id],
                ).fetchall()
            }
            con.execute("BEGIN")
            con.execute(
                f"""DELETE FROM {SCHEMA}.endpoint_attributes WHERE application_id = ? AND attribute = ?
                AND endpoint_id IN (SELECT endpoint_id FROM batch_rows)""",
                [self.application_id, self.attribute],
            )
            con.execute(
                f"""INSERT INTO {SCHEMA}.endpoint_attributes
                SELECT ?, b.endpoint_id, ?, b.segments FROM batch_rows b
                JOIN {SCHEMA}.endpoints e ON e.application_id = ? AND e.endpoint_id = b.endpoint_id
                WHERE len(b.segments) > 0""",
                [self.application_id, self.attribute, self.application_id],
            )
            con.execute("COMMIT")
        for change in batch:
            if change.endpoint_id in unknown:
                result.rejected.append((change, "unknown endpoint id (not in the local endpoint store)"))
            else:
                result.accepted.append(change)
        return result

    def members(self, segment: str | None = None, limit: int | None = None) -> list[tuple[str, str]]:
        """(endpoint_id, segment_name) rows, optionally of one segment."""
        # Read-only, from the table (the view names one attribute and may not exist yet).
        sql = (
            f'SELECT endpoint_id, unnest("values") AS segment_name FROM {SCHEMA}.endpoint_attributes '
            "WHERE application_id = ? AND attribute = ?"
        )
        params: list[object] = [self.application_id, self.attribute]
        if segment is not None:
            sql = f"SELECT * FROM ({sql}) WHERE segment_name = ?"
            params.append(segment)
        sql += " ORDER BY segment_name, endpoint_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        table = self._read(sql, params)
        return [] if table is None else list(zip(*(table.column(i).to_pylist() for i in range(2)), strict=True))
