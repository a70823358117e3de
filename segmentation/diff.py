"""The diff: each endpoint's desired set of segment names against what the last successful sync wrote.

Runs in DuckDB over Arrow tables (1,000,000 endpoints × 20 segments in about a second on 2 cores; see
benchmarks/segment_sync.py). The key is the endpoint id. An endpoint changes when its sorted set differs from the
snapshot, when it is in the snapshot but in no segment now (→ an empty list: removed from all), or when the
outcome of its last write is unknown (snapshot null → always rewritten). Changes are then split by what the
destination can take: known ids within the value limit are written; unknown ids are reported (writing them would
create ghost endpoints); endpoints in more segments than the destination holds are rejected, never truncated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from segmentation.destinations.base import EndpointChange
from segmentation.snapshot import SNAPSHOT_SCHEMA

CHANGE_SCHEMA = pa.schema(
    [
        ("endpoint_id", pa.string()),
        ("segments", pa.list_(pa.string())),
        ("previous", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True)
class SegmentStats:
    segment: str
    before: int
    after: int
    added: int
    removed: int


@dataclass
class Diff:
    """What a sync would write, and the counts its guard and report need."""

    #: Changes to write: (endpoint_id, segments, previous); previous null = unknown.
    to_write: pa.Table
    #: Changes for ids the destination does not have (with a non-empty list): reported, not written.
    unknown: pa.Table
    #: Changes whose list exceeds the destination's values per endpoint: rejected, not written.
    too_many: pa.Table
    #: Ids in the snapshot that left every segment and no longer exist: dropped from the snapshot, nothing to write.
    vanished: pa.Array
    endpoints_in_membership: int = 0
    endpoints_in_snapshot: int = 0
    memberships_before: int = 0
    memberships_after: int = 0
    memberships_added: int = 0
    memberships_removed: int = 0
    endpoints_added: int = 0
    endpoints_removed: int = 0
    endpoints_cleared: int = 0
    endpoints_unchanged: int = 0
    segments: list[SegmentStats] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.to_write.num_rows + self.unknown.num_rows + self.too_many.num_rows

    def changes(self) -> Iterator[EndpointChange]:
        """The endpoints to write, as EndpointChange records (sorted by id)."""
        for batch in self.to_write.to_batches(max_chunksize=65_536):
            ids = batch.column(0).to_pylist()
            segments = batch.column(1).to_pylist()
            previous = batch.column(2).to_pylist()
            for endpoint_id, now, before in zip(ids, segments, previous, strict=True):
                yield EndpointChange(endpoint_id, tuple(now), None if before is None else tuple(before))


def compute_diff(
    membership: pa.Table,
    snapshot: pa.Table | None,
    known: pa.Array | None = None,
    max_values: int | None = None,
) -> Diff:
    """Diff validated membership (endpoint_id, segment_name) against a snapshot (endpoint_id, segments).

    Snapshot ids must be unique (the snapshot store writes them so; sync de-duplicates a first run's baseline).
    """
    snapshot = (snapshot if snapshot is not None else SNAPSHOT_SCHEMA.empty_table()).select(["endpoint_id", "segments"])
    with duckdb.connect() as con:
        con.execute("SET preserve_insertion_order = false")
        con.register("membership", membership)
        con.register("snapshot_in", snapshot)
        con.execute(
            "CREATE TABLE desired AS SELECT endpoint_id, list_sort(list(segment_name)) AS segments "
            "FROM membership GROUP BY endpoint_id"
        )
        # Empty lists in a snapshot (or a baseline export) mean "no segments": the same as absent.
        con.execute(
            "CREATE TABLE prev AS SELECT endpoint_id, segments FROM snapshot_in "
            "WHERE endpoint_id IS NOT NULL AND (segments IS NULL OR len(segments) > 0)"
        )
        if known is None:
            con.execute("CREATE TABLE known_ids (endpoint_id VARCHAR)")
        else:
            con.register("known_in", pa.table({"endpoint_id": known.cast(pa.string())}))
            con.execute("CREATE TABLE known_ids AS SELECT DISTINCT endpoint_id FROM known_in")
        all_known = "true" if known is None else "k.endpoint_id IS NOT NULL"
        # A change, or an id the snapshot holds that the destination no longer has (it must leave the snapshot).
        con.execute(
            f"""
            CREATE TABLE classified AS
            SELECT coalesce(d.endpoint_id, p.endpoint_id) AS endpoint_id,
                   coalesce(d.segments, []::VARCHAR[]) AS segments,
                   CASE WHEN p.endpoint_id IS NULL THEN []::VARCHAR[] ELSE p.segments END AS previous,
                   {all_known} AS known
            FROM desired d FULL OUTER JOIN prev p ON d.endpoint_id = p.endpoint_id
            LEFT JOIN known_ids k ON k.endpoint_id = coalesce(d.endpoint_id, p.endpoint_id)
            WHERE p.endpoint_id IS NULL OR d.endpoint_id IS NULL OR p.segments IS NULL OR d.segments <> p.segments
               OR NOT ({all_known})
            """
        )
        con.execute("CREATE VIEW delta AS SELECT endpoint_id, segments, previous FROM classified")
        con.execute(
            """
            CREATE TABLE moves AS
            SELECT endpoint_id,
                   list_filter(segments, lambda x: NOT list_contains(coalesce(previous, []::VARCHAR[]), x)) AS added,
                   list_filter(list_distinct(coalesce(previous, []::VARCHAR[])),
                               lambda x: NOT list_contains(segments, x)) AS removed,
                   len(segments) = 0 AND (previous IS NULL OR len(previous) > 0) AS cleared
            FROM delta
            """
        )
        limit = max_values if max_values is not None else 2**31 - 1

        def select(where: str) -> pa.Table:
            return (
                con.sql(f"SELECT endpoint_id, segments, previous FROM classified WHERE {where} ORDER BY endpoint_id")
                .to_arrow_table()
                .cast(CHANGE_SCHEMA)
            )

        to_write = select(f"known AND len(segments) <= {limit}")
        too_many = select(f"known AND len(segments) > {limit}")
        unknown = select("NOT known AND len(segments) > 0")
        vanished = (
            con.sql("SELECT endpoint_id FROM classified WHERE NOT known AND len(segments) = 0")
            .to_arrow_table()
            .column(0)
            .combine_chunks()
        )

        def scalar(sql: str) -> int:
            row = con.execute(sql).fetchone()
            return int(row[0] or 0) if row else 0

        diff = Diff(to_write=to_write, unknown=unknown, too_many=too_many, vanished=vanished)
        diff.endpoints_in_membership = scalar("SELECT count(*) FROM desired")
        diff.endpoints_in_snapshot = scalar("SELECT count(*) FROM prev")
        diff.memberships_after = scalar("SELECT count(*) FROM membership")
        diff.memberships_added = scalar("SELECT sum(len(added)) FROM moves")
        diff.memberships_removed = scalar("SELECT sum(len(removed)) FROM moves")
        diff.endpoints_added = scalar("SELECT count(*) FROM moves WHERE len(added) > 0")
        diff.endpoints_removed = scalar("SELECT count(*) FROM moves WHERE len(removed) > 0")
        diff.endpoints_cleared = scalar("SELECT count(*) FROM moves WHERE cleared")
        diff.endpoints_unchanged = diff.endpoints_in_membership - scalar(
            "SELECT count(*) FROM delta WHERE len(segments) > 0"
        )
        # Per segment, before = after - added + removed (unchanged endpoints are in both): no pass over the snapshot.
        rows = con.execute(
            """
            WITH after AS (SELECT segment_name AS segment, count(*) AS n FROM membership GROUP BY segment_name),
                 plus AS (SELECT s AS segment, count(*) AS n FROM (SELECT unnest(added) AS s FROM moves) GROUP BY s),
                 minus AS (SELECT s AS segment, count(*) AS n FROM (SELECT unnest(removed) AS s FROM moves)
                           GROUP BY s)
            SELECT segment, coalesce(after.n, 0) - coalesce(plus.n, 0) + coalesce(minus.n, 0),
                   coalesce(after.n, 0), coalesce(plus.n, 0), coalesce(minus.n, 0)
            FROM after FULL JOIN plus USING (segment) FULL JOIN minus USING (segment)
            ORDER BY segment
            """
        ).fetchall()
        diff.segments = [SegmentStats(*row) for row in rows]
        diff.memberships_before = sum(stats.before for stats in diff.segments)
    return diff
