"""What the last successful syncs wrote, per destination, kept in the lake (local folder or S3; no Lambda disk).

Layout under ``sync/<destination-id>/``:

- ``snapshot/CURRENT.json`` names the base file and the run that wrote it; ``snapshot/base-<run_id>.parquet``
  holds (endpoint_id, segments) for every endpoint whose list is non-empty. A null ``segments`` marks an endpoint
  whose last write has an unknown outcome (a failed batch, or a crash): the next run rewrites it whatever the diff.
- ``journal/<run_id>/pending.parquet`` lists the ids a run is about to write (written before the first request);
  ``journal/<run_id>/accepted-<seq>.parquet`` checkpoints the endpoints whose writes were accepted.
- ``runs/<run_id>.json`` is each run's report.

Loading applies the journals of runs newer than CURRENT on top of the base: ids that were pending but never
checkpointed become unknown (so rewritten), checkpointed ids take their accepted lists. A run that ends commits a
new base (journals folded in) and then CURRENT, each a single atomic put, so a crash at any point — between
batches, or between the two puts — leaves a state from which the next run converges with no duplicate value:
writes are full-list overwrites, and an unknown outcome is always rewritten.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from englake.errors import LakeError
from englake.storage import LakeStore

log = logging.getLogger(__name__)

SNAPSHOT_SCHEMA = pa.schema([("endpoint_id", pa.string()), ("segments", pa.list_(pa.string()))])
SYNC_PREFIX = "sync/"


def _to_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _from_bytes(data: bytes) -> pa.Table:
    return pq.read_table(io.BytesIO(data))


def empty_snapshot() -> pa.Table:
    return SNAPSHOT_SCHEMA.empty_table()


class SnapshotStore:
    """Snapshot, journal and run reports of one destination."""

    def __init__(self, store: LakeStore, destination_id: str) -> None:
        self.store = store
        self.destination_id = destination_id
        self.prefix = f"{SYNC_PREFIX}{destination_id}/"

    # -- reading --------------------------------------------------------------------------------------------------

    def _current(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.store.get(f"{self.prefix}snapshot/CURRENT.json"))
        except LakeError:
            return None

    def exists(self) -> bool:
        """Whether any sync to this destination ever started (a committed base or a journal)."""
        return self._current() is not None or any(True for _ in self.store.list(f"{self.prefix}journal/"))

    def _journals(self, after: str | None) -> dict[str, dict[str, list[str]]]:
        runs: dict[str, dict[str, list[str]]] = {}
        for item in self.store.list(f"{self.prefix}journal/"):
            run_id, _, name = item.key[len(self.prefix) + len("journal/") :].partition("/")
            if after is not None and run_id <= after:
                continue  # already folded into the base
            entry = runs.setdefault(run_id, {"pending": [], "accepted": []})
            if name == "pending.parquet":
                entry["pending"].append(item.key)
            elif name.startswith("accepted-"):
                entry["accepted"].append(item.key)
        return dict(sorted(runs.items()))

    def load(self) -> pa.Table:
        """(endpoint_id, segments) as last written; segments null where the outcome is unknown."""
        current = self._current()
        base = _from_bytes(self.store.get(current["base"])).cast(SNAPSHOT_SCHEMA) if current else empty_snapshot()
        journals = self._journals(current["run_id"] if current else None)
        if not journals:
            return base
        with duckdb.connect() as con:
            con.register("base", base)
            con.execute("CREATE TABLE snap AS SELECT * FROM base")
            for run_id, entry in journals.items():
                log.warning("folding in journal of interrupted run %s", run_id)
                for key in entry["pending"]:
                    con.register("pending", _from_bytes(self.store.get(key)))
                    con.execute("DELETE FROM snap WHERE endpoint_id IN (SELECT endpoint_id FROM pending)")
                    con.execute("INSERT INTO snap SELECT endpoint_id, NULL::VARCHAR[] FROM pending")
                    con.unregister("pending")
                for key in sorted(entry["accepted"]):
                    con.register("accepted", _from_bytes(self.store.get(key)))
                    con.execute("DELETE FROM snap WHERE endpoint_id IN (SELECT endpoint_id FROM accepted)")
                    con.execute("INSERT INTO snap SELECT endpoint_id, segments FROM accepted WHERE len(segments) > 0")
                    con.unregister("accepted")
            return con.sql("SELECT endpoint_id, segments FROM snap").to_arrow_table().cast(SNAPSHOT_SCHEMA)

    # -- writing --------------------------------------------------------------------------------------------------

    def begin(self, run_id: str, endpoint_ids: pa.Array) -> None:
        """Record the ids about to be written, before the first request."""
        table = pa.table({"endpoint_id": endpoint_ids.cast(pa.string())})
        self.store.put(f"{self.prefix}journal/{run_id}/pending.parquet", _to_bytes(table))

    def abandon(self, run_id: str) -> None:
        """Drop the journal of a run that sent nothing (its first request was refused before any effect)."""
        for item in list(self.store.list(f"{self.prefix}journal/{run_id}/")):
            self.store.delete(item.key)

    def checkpoint(self, run_id: str, seq: int, accepted: pa.Table) -> None:
        """Record endpoints whose writes were accepted (endpoint_id, segments)."""
        self.store.put(f"{self.prefix}journal/{run_id}/accepted-{seq:06d}.parquet", _to_bytes(accepted))

    def commit(self, run_id: str, snapshot: pa.Table) -> None:
        """Make ``snapshot`` the new base, then drop the journals it folds in."""
        base_key = f"{self.prefix}snapshot/base-{run_id}.parquet"
        previous = self._current()
        self.store.put(base_key, _to_bytes(snapshot.cast(SNAPSHOT_SCHEMA)))
        self.store.put(
            f"{self.prefix}snapshot/CURRENT.json",
            json.dumps({"run_id": run_id, "base": base_key, "endpoints": snapshot.num_rows}).encode(),
        )
        for item in list(self.store.list(f"{self.prefix}journal/")):
            journal_run = item.key[len(self.prefix) + len("journal/") :].partition("/")[0]
            if journal_run <= run_id:
                self.store.delete(item.key)
        if previous and previous["base"] != base_key:
            self.store.delete(previous["base"])

    def save_report(self, run_id: str, report: dict[str, Any]) -> str:
        key = f"{self.prefix}runs/{run_id}.json"
        self.store.put(key, json.dumps(report, indent=2, default=str).encode())
        return key

    def latest_report(self) -> dict[str, Any] | None:
        keys = sorted(item.key for item in self.store.list(f"{self.prefix}runs/") if item.key.endswith(".json"))
        return json.loads(self.store.get(keys[-1])) if keys else None


def destinations_with_state(store: LakeStore) -> list[str]:
    """Destination ids that have sync state in the lake."""
    return sorted({item.key[len(SYNC_PREFIX) :].split("/", 1)[0] for item in store.list(SYNC_PREFIX)})
