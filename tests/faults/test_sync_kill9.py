"""Issue 9 tried ``kill -9`` during a segment sync and it held; this keeps it so. A real child process runs the sync
into the local endpoint store and SIGKILLs itself right after a batch is committed but before it is journaled (no
``finally`` runs); the next run must converge to the day's ground truth with no duplicate value, and fold in the
dead run's journal."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from englake.storage import LocalStore
from segmentation.catalog import write_export
from segmentation.destinations.local import LocalDestination
from segmentation.guard import GuardPolicy
from segmentation.membership import DuckDBMembership
from segmentation.sync import sync_segments
from tests.fixtures.segmentation import world

APP = "app-kill"
COUNT = 150
BATCH = 10
KILL_AFTER_BATCHES = 4

CHILD = f"""
import os, signal, sys
from pathlib import Path
from englake.storage import LocalStore
from segmentation.destinations.local import LocalDestination
from segmentation.guard import GuardPolicy
from segmentation.membership import DuckDBMembership
from segmentation.sync import sync_segments

lake = Path(sys.argv[1])
destination = LocalDestination(lake / "englake.duckdb", {APP!r}, LocalStore(lake), batch_size={BATCH})
commit_batch = destination._write_batch
batches = []

def write_then_die(batch):
    result = commit_batch(batch)  # committed to DuckDB ...
    batches.append(len(batch))
    if len(batches) == {KILL_AFTER_BATCHES}:
        os.kill(os.getpid(), signal.SIGKILL)  # ... and killed before the sync journals it
    return result

destination._write_batch = write_then_die
sync_segments(DuckDBMembership(lake / "englake.duckdb"), destination, LocalStore(lake),
              policy=GuardPolicy(max_removal_share=1.0), checkpoint_endpoints={BATCH})
"""


def _publish(lake: Path, pairs: list[tuple[str, str]]) -> None:
    world.publish(lake / "englake.duckdb", pairs)


def _stored(lake: Path) -> dict[str, list[str]]:
    return world.stored(lake / "englake.duckdb", APP)


def _sync(lake: Path):
    destination = LocalDestination(lake / "englake.duckdb", APP, LocalStore(lake), batch_size=BATCH)
    return sync_segments(
        DuckDBMembership(lake / "englake.duckdb"),
        destination,
        LocalStore(lake),
        policy=GuardPolicy(max_removal_share=1.0),
    )


def test_sync_kill9_mid_run_then_rerun_converges_without_duplicates(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    write_export(LocalStore(lake), APP, world.endpoints(COUNT))
    day0 = world.day_pairs(0, COUNT)
    _publish(lake, day0)
    assert _sync(lake).status == "succeeded"

    day1 = world.day_pairs(1, COUNT, change=0.6)
    _publish(lake, day1)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(lake)], capture_output=True, text=True, check=False, timeout=300
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    journal = sorted(p.name for p in (lake / "sync").rglob("journal/*/*"))
    assert "pending.parquet" in journal  # the dead run left its journal behind
    partly = _stored(lake)
    assert partly != world.expected(day0)
    assert partly != world.expected(day1)  # killed mid-run: some of day 1 is in, some not

    report = _sync(lake)
    assert report.status == "succeeded"
    stored = _stored(lake)
    assert {e: sorted(v) for e, v in stored.items()} == world.expected(day1)
    assert all(len(values) == len(set(values)) for values in stored.values())
    assert not list((lake / "sync").rglob("journal/*/*"))  # folded in and cleared
