"""The segment sync: refresh → membership → diff against the snapshot → guard → destination → snapshot + report.

Only endpoints whose set of segment names changed are written, each with its whole new list (an idempotent
overwrite); an endpoint that left every segment gets an empty list. The snapshot records only what the destination
accepted; a crash at any point leaves a journal from which the next run converges (see snapshot.py).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from englake.errors import AwsCredentialsError
from englake.storage import LakeStore
from segmentation.destinations.base import Destination, EndpointChange, WriteResult
from segmentation.diff import Diff, compute_diff
from segmentation.guard import GuardPolicy, check_removals, check_segment_names
from segmentation.membership import MembershipSource
from segmentation.report import EXAMPLES, SyncReport
from segmentation.snapshot import SNAPSHOT_SCHEMA, SnapshotStore

log = logging.getLogger(__name__)

#: Accepted endpoints buffered before a journal checkpoint is written to the lake.
CHECKPOINT_ENDPOINTS = 5_000
#: Batches per slice handed to the destination; the time budget is checked between slices.
SLICE_BATCHES = 20

Progress = Callable[[int, int], None]


def new_run_id() -> str:
    """Sortable (UTC time to the microsecond) and unique."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}"


def sync_segments(
    membership: MembershipSource,
    destination: Destination,
    store: LakeStore,
    *,
    refresh: Callable[[], None] | None = None,
    dry_run: bool = False,
    force: bool = False,
    policy: GuardPolicy | None = None,
    progress: Progress | None = None,
    checkpoint_endpoints: int = CHECKPOINT_ENDPOINTS,
    time_budget: float | None = None,
    run_id: str | None = None,
) -> SyncReport:
    """Sync segment membership to ``destination``, keeping state in ``store``; returns the run report.

    Args:
        refresh: rebuilds the segment models first (e.g. ``dbt build --select tag:segment+``); None skips it.
        dry_run: compute and report the diff; write nothing (no request, no snapshot, no report file).
        force: write even when the removal guard trips (the tripped rules stay in the report).
        progress: called with (endpoints done, endpoints to write) after each batch.
        time_budget: seconds after which no new batch starts (a Lambda's remaining time); what was written is
            committed and the report's status is "incomplete", so the next run continues from there.
    """
    policy = policy or GuardPolicy()
    run_id = run_id or new_run_id()
    started = time.perf_counter()
    report = SyncReport(
        run_id=run_id,
        destination=destination.describe(),
        membership_source=membership.describe(),
        started_at=f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
        dry_run=dry_run,
        forced=force,
    )
    if refresh is not None:
        refresh()
    members = membership.read()
    check_segment_names(members, destination.limits, destination.describe())
    snapshots = SnapshotStore(store, destination.id)
    diff_started = time.perf_counter()
    # A first sync takes what the destination holds now as the previous state, so stale or duplicated values
    # (e.g. from the reference's appending Lambda) are rewritten and left members are cleared. A destination that
    # reads back exactly (the local store) is its own snapshot every run.
    if destination.reads_back or not snapshots.exists():
        previous = _as_snapshot(destination.baseline())
    else:
        previous = snapshots.load()
    diff = compute_diff(members, previous, destination.known_endpoints(), destination.limits.max_values)
    report.diff_seconds = time.perf_counter() - diff_started
    _fill_from_diff(report, diff, destination)
    # Up to here nothing was written anywhere; a dry run and a run the guard stops end here, leaving the lake and the
    # destination byte for byte as they were (the guard's message is the run's outcome: the CLI prints it, the
    # state machine sends it to SNS).
    report.guard = check_removals(diff, policy, force)
    if dry_run:
        report.status = "dry-run"
        report.duration_seconds = time.perf_counter() - started
        return report

    destination.prepare()
    changes = list(diff.changes())
    write_started = time.perf_counter()
    result = WriteResult()
    if changes:
        snapshots.begin(run_id, diff.to_write.column("endpoint_id").combine_chunks())
        deadline = started + time_budget if time_budget is not None else None
        result, sent = _write(destination, snapshots, run_id, changes, checkpoint_endpoints, progress, deadline)
        report.not_sent = len(changes) - sent
    report.write_seconds = time.perf_counter() - write_started
    snapshots.commit(run_id, _next_snapshot(previous, diff, result))
    report.written = len(result.accepted)
    report.rejected += len(result.rejected)
    report.failed = len(result.failed)
    report.api_calls = result.api_calls
    report.retries = result.retries
    report.throttle_wait_seconds = result.throttle_wait
    report.rejected_examples += [{"endpoint_id": c.endpoint_id, "reason": r} for c, r in result.rejected[:EXAMPLES]]
    report.failed_examples = [{"endpoint_id": c.endpoint_id, "reason": r} for c, r in result.failed[:EXAMPLES]]
    report.status = "incomplete" if report.not_sent else "partial" if result.failed else "succeeded"
    report.duration_seconds = time.perf_counter() - started
    snapshots.save_report(run_id, report.to_dict())
    log.info(
        "segment sync %s: %d written, %d rejected, %d failed, %d API calls",
        run_id,
        report.written,
        report.rejected,
        report.failed,
        report.api_calls,
    )
    return report


def _as_snapshot(table: pa.Table | None) -> pa.Table:
    if table is None:
        return SNAPSHOT_SCHEMA.empty_table()
    table = table.select(["endpoint_id", "segments"]).cast(SNAPSHOT_SCHEMA)
    with duckdb.connect() as con:
        con.register("baseline", table)
        # A baseline holds values, never unknowns: an endpoint without the attribute is in no segment.
        return (
            con.sql(
                "SELECT endpoint_id, any_value(segments) AS segments FROM baseline "
                "WHERE endpoint_id IS NOT NULL AND len(segments) > 0 GROUP BY endpoint_id"
            )
            .to_arrow_table()
            .cast(SNAPSHOT_SCHEMA)
        )


def _fill_from_diff(report: SyncReport, diff: Diff, destination: Destination) -> None:
    report.endpoints_in_membership = diff.endpoints_in_membership
    report.memberships = diff.memberships_after
    report.endpoints_added = diff.endpoints_added
    report.endpoints_removed = diff.endpoints_removed
    report.endpoints_cleared = diff.endpoints_cleared
    report.endpoints_unchanged = diff.endpoints_unchanged
    report.memberships_added = diff.memberships_added
    report.memberships_removed = diff.memberships_removed
    report.to_write = diff.to_write.num_rows
    report.unknown_endpoints = diff.unknown.num_rows
    report.vanished_endpoints = len(diff.vanished)
    report.unknown_examples = diff.unknown.column("endpoint_id").to_pylist()[:EXAMPLES]
    limit = destination.limits.max_values
    report.rejected = diff.too_many.num_rows
    report.rejected_examples = [
        {"endpoint_id": e, "reason": f"in {len(s)} segments; the destination holds at most {limit} values"}
        for e, s in zip(
            diff.too_many.column("endpoint_id").to_pylist()[:EXAMPLES],
            diff.too_many.column("segments").to_pylist()[:EXAMPLES],
            strict=True,
        )
    ]
    report.segments = [asdict(s) for s in diff.segments]
    preview = diff.to_write.slice(0, EXAMPLES).to_pylist()
    report.change_examples = [
        {"endpoint_id": r["endpoint_id"], "before": r["previous"], "after": r["segments"]} for r in preview
    ]


def _write(
    destination: Destination,
    snapshots: SnapshotStore,
    run_id: str,
    changes: list[EndpointChange],
    checkpoint_endpoints: int,
    progress: Progress | None,
    deadline: float | None,
) -> tuple[WriteResult, int]:
    """Write in slices (a deadline is checked between them), journaling accepted endpoints; returns (result, sent)."""
    buffered: list[EndpointChange] = []
    seq = 0
    done = 0

    def flush() -> None:
        nonlocal seq
        if buffered:
            snapshots.checkpoint(run_id, seq, _changes_table(buffered))
            seq += 1
            buffered.clear()

    def on_batch(batch: WriteResult) -> None:
        nonlocal done
        buffered.extend(batch.accepted)
        done += len(batch.accepted) + len(batch.rejected) + len(batch.failed)
        if len(buffered) >= checkpoint_endpoints:
            flush()
        if progress is not None:
            progress(done, len(changes))

    result = WriteResult()
    step = destination.limits.batch_size * SLICE_BATCHES
    sent = 0
    try:
        for start in range(0, len(changes), step):
            if deadline is not None and time.perf_counter() >= deadline:
                log.warning(
                    "time budget used: %d of %d endpoints left for the next run", len(changes) - sent, len(changes)
                )
                break
            piece = changes[start : start + step]
            result.add(destination.write(piece, on_batch=on_batch))
            sent += len(piece)
    except AwsCredentialsError:
        if done == 0:
            # AWS refused the very first request (no, expired or denied credentials): nothing reached the
            # destination, so nothing is pending and the run leaves no journal behind.
            snapshots.abandon(run_id)
        raise
    finally:
        flush()  # even on a crash: what was accepted is journaled
    return result, sent


def _changes_table(changes: list[EndpointChange]) -> pa.Table:
    return pa.table(
        {
            "endpoint_id": pa.array([c.endpoint_id for c in changes], pa.string()),
            "segments": pa.array([list(c.segments) for c in changes], pa.list_(pa.string())),
        },
        schema=SNAPSHOT_SCHEMA,
    )


def _next_snapshot(previous: pa.Table, diff: Diff, result: WriteResult) -> pa.Table:
    """Previous state, with accepted lists applied, failed ids unknown (null), ids the destination lacks dropped."""
    accepted = _changes_table(result.accepted)
    failed = pa.table({"endpoint_id": pa.array([c.endpoint_id for c, _ in result.failed], pa.string())})
    with duckdb.connect() as con:
        con.register("previous_in", previous)
        con.register("accepted", accepted)
        con.register("failed", failed)
        # Ids the destination doesn't have hold nothing there: forget them, so one that reappears is written afresh.
        gone = pa.concat_arrays([diff.vanished.cast(pa.string()), diff.unknown.column("endpoint_id").combine_chunks()])
        con.register("vanished", pa.table({"endpoint_id": gone}))
        return (
            con.sql(
                """
                SELECT endpoint_id, segments FROM previous_in
                WHERE (segments IS NULL OR len(segments) > 0)
                  AND endpoint_id NOT IN (SELECT endpoint_id FROM accepted)
                  AND endpoint_id NOT IN (SELECT endpoint_id FROM failed)
                  AND endpoint_id NOT IN (SELECT endpoint_id FROM vanished)
                UNION ALL SELECT endpoint_id, segments FROM accepted WHERE len(segments) > 0
                UNION ALL SELECT endpoint_id, NULL::VARCHAR[] FROM failed
                """
            )
            .to_arrow_table()
            .cast(SNAPSHOT_SCHEMA)
        )
