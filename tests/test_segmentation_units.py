"""Known answers for the sync's parts: the diff, the snapshot journal, the guard, the rate limiter, the catalog."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pytest

from englake.storage import LocalStore
from segmentation.catalog import latest_export, read_export, write_export
from segmentation.destinations.base import DestinationLimits
from segmentation.diff import compute_diff
from segmentation.errors import GuardTripped, SegmentNameError
from segmentation.guard import GuardPolicy, check_removals, check_segment_names
from segmentation.membership import ArrowMembership
from segmentation.ratelimit import RateLimiter, VirtualClock
from segmentation.snapshot import SNAPSHOT_SCHEMA, SnapshotStore


def _snapshot(rows: dict[str, list[str] | None]) -> pa.Table:
    return pa.table({"endpoint_id": list(rows), "segments": list(rows.values())}, schema=SNAPSHOT_SCHEMA)


def test_diff_known_answer() -> None:
    previous = _snapshot({"a": ["s1"], "b": ["s1", "s2"], "c": ["s2"], "d": None, "gone": ["s1"]})
    membership = ArrowMembership([("a", "s1"), ("b", "s1"), ("d", "s1"), ("e", "s3"), ("f", "s2"), ("f", "s1")]).read()
    diff = compute_diff(membership, previous, pa.array(["a", "b", "c", "d", "f"]), max_values=50)
    assert diff.to_write.to_pylist() == [
        {"endpoint_id": "b", "segments": ["s1"], "previous": ["s1", "s2"]},
        {"endpoint_id": "c", "segments": [], "previous": ["s2"]},  # removed from all
        {"endpoint_id": "d", "segments": ["s1"], "previous": None},  # unknown outcome: always rewritten
        {"endpoint_id": "f", "segments": ["s1", "s2"], "previous": []},  # sorted
    ]
    assert diff.unknown.column("endpoint_id").to_pylist() == ["e"]
    assert diff.vanished.to_pylist() == ["gone"]
    assert (diff.memberships_before, diff.memberships_after) == (5, 6)
    assert (diff.memberships_added, diff.memberships_removed) == (4, 3)
    assert (diff.endpoints_added, diff.endpoints_removed, diff.endpoints_cleared) == (3, 3, 2)
    assert diff.endpoints_unchanged == 1  # a
    by_name = {s.segment: s for s in diff.segments}
    assert (by_name["s2"].before, by_name["s2"].after, by_name["s2"].removed) == (2, 1, 2)


def test_diff_rejects_endpoints_over_the_value_limit() -> None:
    membership = ArrowMembership([("a", f"s{i}") for i in range(3)] + [("b", "s0")]).read()
    diff = compute_diff(membership, None, None, max_values=2)
    assert diff.too_many.column("endpoint_id").to_pylist() == ["a"]
    assert diff.to_write.column("endpoint_id").to_pylist() == ["b"]


def test_snapshot_journal_survives_a_crash_and_folds_on_commit(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    snaps = SnapshotStore(store, "dest")
    snaps.commit("run-1", _snapshot({"a": ["s1"], "b": ["s1"], "c": ["s2"]}))
    snaps.begin("run-2", pa.array(["a", "b", "d"]))
    snaps.checkpoint("run-2", 0, _snapshot({"a": ["s1", "s3"], "d": []}))
    # run-2 dies here: b was sent with no record of the outcome.
    loaded = dict(zip(*snaps.load().to_pydict().values(), strict=True))
    assert loaded == {"a": ["s1", "s3"], "b": None, "c": ["s2"]}
    snaps.commit("run-3", _snapshot({"a": ["s1"]}))
    assert [o.key for o in store.list("sync/dest/journal/")] == []
    assert dict(zip(*snaps.load().to_pydict().values(), strict=True)) == {"a": ["s1"]}
    # A journal older than the committed base (left by a crash between the two puts) is ignored.
    snaps.begin("run-0", pa.array(["a"]))
    assert dict(zip(*snaps.load().to_pydict().values(), strict=True)) == {"a": ["s1"]}


def test_guard_rules_and_force() -> None:
    previous = _snapshot({f"e{i}": ["vip"] for i in range(20)} | {f"x{i}": ["other"] for i in range(100)})
    vip_gone = ArrowMembership([(f"x{i}", "other") for i in range(100)]).read()
    diff = compute_diff(vip_gone, previous)
    with pytest.raises(GuardTripped, match=r"vip \(20 members\)"):
        check_removals(diff, GuardPolicy(max_removal_share=0.5), force=False)
    assert check_removals(diff, GuardPolicy(max_removal_share=0.5), force=True)  # rules reported, not raised
    small = compute_diff(
        ArrowMembership([(f"e{i}", "vip") for i in range(2, 20)] + [(f"x{i}", "other") for i in range(100)]).read(),
        previous,
    )
    assert check_removals(small, GuardPolicy(), force=False) == []


@pytest.mark.parametrize(
    ("name", "message"), [(" ", "blank"), ("vip ", "spaces"), ("a\tb", "control"), ("x" * 101, "101")]
)
def test_segment_names_the_destination_cannot_take(name: str, message: str) -> None:
    membership = ArrowMembership([("e1", name), ("e2", "fine")]).read()
    with pytest.raises(SegmentNameError, match=message):
        check_segment_names(membership, DestinationLimits(50, 100, 100), "Pinpoint")


def test_rate_limiter_paces_requests_on_a_virtual_clock() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(2.0, burst=1, initial=0, clock=clock.now, sleep=clock.sleep)
    for _ in range(10):
        limiter.acquire()
    assert clock.slept == pytest.approx(5.0, abs=0.05)
    assert RateLimiter(None).acquire() == 0.0


def test_a_simulated_only_clock_moves_by_its_sleeps_alone() -> None:
    """Real time passing moves the default clock, not the simulated-only one: a fake service sharing it sees the
    same instants on every run (the SMS sender's pacing test threw one ThrottlingException on a loaded CI machine)."""
    simulated, real = VirtualClock(real_time=False), VirtualClock()
    time.sleep(0.02)
    assert simulated.now() == 0.0
    assert real.now() >= 0.02
    simulated.sleep(1.5)
    simulated.sleep(-1.0)  # a negative wait is no wait
    assert simulated.now() == 1.5


def test_catalog_reads_the_export_that_sorts_last(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    write_export(store, "app", [{"Id": "old"}], export_id="20260101T000000Z")
    write_export(
        store,
        "app",
        [{"Id": "n1", "Attributes": {"AdvancedSegmentTarget": ["a", "a"], "Other": ["x"]}}, {"Id": "n2"}],
        export_id="20260102T000000Z/app/job-1",
    )
    export = latest_export(store, "app")
    assert export is not None
    assert export.export_id == "20260102T000000Z/app/job-1"
    table = read_export(store, export)
    assert table.column("endpoint_id").to_pylist() == ["n1", "n2"]
    assert table.column("segments").to_pylist() == [["a", "a"], None]
    assert latest_export(store, "other-app") is None
