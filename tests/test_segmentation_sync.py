"""Segment sync to Pinpoint, end to end through a real boto3 client answered by the Pinpoint fake.

Every test compares the fake's endpoints with the generated ground truth (tests/fixtures/segmentation/world.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from englake.aws import client as aws_client
from englake.pinpoint_quotas import UPDATE_ENDPOINTS_BATCH_RPS
from englake.storage import LocalStore
from segmentation.catalog import LakeExportCatalog, write_export
from segmentation.destinations.pinpoint import PinpointDestination
from segmentation.errors import GuardTripped, SegmentNameError
from segmentation.guard import GuardPolicy
from segmentation.ratelimit import VirtualClock
from segmentation.snapshot import SnapshotStore
from segmentation.sync import sync_segments
from tests.fakes.base import FakeServiceError, bad_request, throttled
from tests.fakes.pinpoint import PinpointFake
from tests.fixtures.segmentation import world

APP = "app-seg"
COUNT = 400


@dataclass
class Env:
    store: LocalStore
    fake: PinpointFake
    clock: VirtualClock
    seeded: dict[str, dict[str, Any]]
    client: Any

    def destination(self, rate: float | None = UPDATE_ENDPOINTS_BATCH_RPS) -> PinpointDestination:
        catalog = LakeExportCatalog(self.store, APP)
        return PinpointDestination(self.client, APP, catalog, rate=rate, clock=self.clock.now, sleep=self.clock.sleep)

    def sync(self, pairs: list[tuple[str, str]], **kwargs: Any):
        return sync_segments(world.membership(pairs), self.destination(), self.store, **kwargs)

    def attribute(self, endpoint_id: str) -> list[str] | None:
        endpoint = self.fake.endpoint(APP, endpoint_id)
        assert endpoint is not None
        return endpoint.get("Attributes", {}).get(world.ATTRIBUTE)

    def assert_state(self, pairs: list[tuple[str, str]]) -> None:
        """Every endpoint holds exactly its segments, no duplicates, nothing else changed, no ghost endpoints."""
        want = world.expected(pairs)
        stored = self.fake.endpoints(APP)
        assert set(stored) == set(self.seeded), "ghost endpoints were created or endpoints lost"
        for endpoint_id, seeded in self.seeded.items():
            got = self.attribute(endpoint_id)
            assert got == want.get(endpoint_id), endpoint_id
            endpoint = stored[endpoint_id]
            others = {k: v for k, v in endpoint.get("Attributes", {}).items() if k != world.ATTRIBUTE}
            assert others == seeded["Attributes"], endpoint_id
            for field in ("ChannelType", "Address", "User", "Metrics"):
                assert endpoint[field] == seeded[field], (endpoint_id, field)


@pytest.fixture
def env(tmp_path: Path) -> Env:
    clock = VirtualClock(real_time=False)  # the limiter and the fake see the same instants under any load
    store = LocalStore(tmp_path / "lake")
    fake = PinpointFake(clock=clock.now)
    fake.add_app(APP)
    seeded = {e["Id"]: e for e in world.endpoints(COUNT)}
    for endpoint in seeded.values():
        fake.put_endpoint(APP, endpoint)
    write_export(store, APP, seeded.values())
    client = fake.attach(aws_client("pinpoint", region="us-east-1"))
    return Env(store, fake, clock, seeded, client)


def test_several_days_converge_with_adds_removals_and_full_removals(env: Env) -> None:
    total_calls = 0
    for day in range(5):
        pairs = world.day_pairs(day, COUNT)
        before = len(env.fake.calls)
        report = env.sync(pairs, policy=GuardPolicy(max_removal_share=1.0))
        env.assert_state(pairs)
        calls = len(env.fake.calls) - before
        total_calls += calls
        assert report.status == "succeeded"
        assert report.failed == report.rejected == 0
        assert report.api_calls == calls == -(-report.written // 100)  # ceil: full batches of 100
        if day:
            assert report.endpoints_removed > 0
            assert report.endpoints_added > 0
            assert report.endpoints_cleared > 0
            assert report.written < COUNT  # only what changed
    assert env.fake.call_counts().keys() == {"UpdateEndpointsBatch"}  # no GetEndpoint, no UpdateEndpoint
    assert env.fake.throttled_count == 0  # the client-side limiter kept to the 2 rps quota


def test_an_unchanged_day_writes_nothing(env: Env) -> None:
    pairs = world.day_pairs(0, COUNT)
    env.sync(pairs)
    calls = len(env.fake.calls)
    report = env.sync(pairs)
    assert len(env.fake.calls) == calls
    assert (report.written, report.api_calls, report.endpoints_unchanged) == (0, 0, report.endpoints_in_membership)


def test_dry_run_writes_nothing_and_reports_the_diff(env: Env) -> None:
    pairs = world.day_pairs(0, COUNT)
    report = env.sync(pairs, dry_run=True)
    assert env.fake.calls == []
    assert list(env.store.list("sync/")) == []
    assert report.status == "dry-run"
    assert report.to_write == len(world.expected(pairs))
    assert report.memberships == len(pairs)
    first = report.change_examples[0]
    assert first == {
        "endpoint_id": first["endpoint_id"],
        "before": [],
        "after": world.expected(pairs)[first["endpoint_id"]],
    }


def test_unknown_ids_are_reported_and_never_created(env: Env) -> None:
    pairs = [*world.day_pairs(0, COUNT), ("ghost-1", "seg_vip"), ("ghost-2", "seg_new")]
    report = env.sync(pairs)
    assert report.unknown_endpoints == 2
    assert set(report.unknown_examples) == {"ghost-1", "ghost-2"}
    assert env.fake.endpoint(APP, "ghost-1") is None
    env.assert_state([p for p in pairs if not p[0].startswith("ghost")])


def test_deleted_endpoint_is_not_recreated_when_it_leaves(env: Env) -> None:
    pairs = world.day_pairs(0, COUNT)
    env.sync(pairs)
    gone = pairs[0][0]
    env.fake.apps[APP].pop(gone.casefold())
    del env.seeded[gone]
    write_export(env.store, APP, env.seeded.values(), export_id="99990101T000000Z")
    report = env.sync([p for p in pairs if p[0] != gone])
    assert env.fake.endpoint(APP, gone) is None  # clearing it would have recreated a ghost
    assert report.vanished_endpoints == 1
    env.assert_state([p for p in pairs if p[0] != gone])


def test_guard_stops_an_empty_membership_and_force_overrides(env: Env) -> None:
    pairs = world.day_pairs(0, COUNT)
    env.sync(pairs)
    calls = len(env.fake.calls)
    with pytest.raises(GuardTripped, match="membership is empty"):
        env.sync([])
    assert len(env.fake.calls) == calls
    env.assert_state(pairs)  # nobody was wiped
    report = env.sync([], force=True)
    assert report.forced
    assert report.guard
    env.assert_state([])


def test_guard_stops_excess_removals_and_a_vanished_segment(env: Env) -> None:
    pairs = world.day_pairs(0, COUNT)
    env.sync(pairs)
    half = [p for p in pairs if int(p[0][3:]) % 2]
    with pytest.raises(GuardTripped, match=r"above the limit of 20%"):
        env.sync(half)
    no_vip = [p for p in pairs if p[1] != "seg_vip"]
    with pytest.raises(GuardTripped, match="seg_vip"):
        env.sync(no_vip, policy=GuardPolicy(max_removal_share=0.9))
    report = env.sync(half, policy=GuardPolicy(max_removal_share=0.6))
    assert report.status == "succeeded"
    env.assert_state(half)
    assert SnapshotStore(env.store, env.destination().id).latest_report()["status"] == "succeeded"


class _Crash(BaseException):
    """A process dying mid-run (BaseException: nothing in the stack may swallow it)."""


def test_crash_between_batches_then_rerun_converges_without_duplicates(env: Env) -> None:
    day0, day1, day2 = (world.day_pairs(d, COUNT, change=0.5) for d in range(3))
    env.sync(day0)
    sent = {"n": 0}

    def crash_on_second(_params: dict) -> None:
        sent["n"] += 1
        if sent["n"] == 2:
            raise _Crash()

    env.fake.inject_fault("UpdateEndpointsBatch", crash_on_second)
    with pytest.raises(_Crash):
        env.sync(day1, policy=GuardPolicy(max_removal_share=1.0))
    env.fake.clear_faults()
    # One batch of day 1 landed; the next run sees day 2 (some of those endpoints have left segments since).
    report = env.sync(day2, policy=GuardPolicy(max_removal_share=1.0))
    assert report.status == "succeeded"
    env.assert_state(day2)
    for endpoint in env.fake.endpoints(APP).values():
        values = endpoint.get("Attributes", {}).get(world.ATTRIBUTE, [])
        assert len(values) == len(set(values))


class _CrashingStore(LocalStore):
    """Dies when the sync tries to checkpoint accepted endpoints: the run is killed after writes, before records."""

    def put(self, key: str, data: bytes) -> None:
        if "/accepted-" in key:
            raise _Crash()
        super().put(key, data)


def test_crash_before_any_checkpoint_rewrites_endpoints_whose_outcome_is_unknown(env: Env, tmp_path: Path) -> None:
    day0 = world.day_pairs(0, COUNT)
    env.sync(day0)
    day1 = world.day_pairs(1, COUNT, change=0.5)
    crashing = _CrashingStore(env.store.path)
    with pytest.raises(_Crash):
        sync_segments(world.membership(day1), env.destination(), crashing, policy=GuardPolicy(max_removal_share=1.0))
    # Day 1 reached Pinpoint but no record of it did. Going back to day 0 must undo it, though day 0 equals the
    # snapshot: the pending journal marks those endpoints unknown, so they are rewritten.
    report = env.sync(day0, policy=GuardPolicy(max_removal_share=1.0))
    assert report.written > 0
    env.assert_state(day0)


def test_failed_batch_is_retried_next_run(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = world.day_pairs(0, COUNT)
    calls = {"n": 0}

    def fail_second_batch(_params: dict) -> FakeServiceError | None:
        calls["n"] += 1
        return throttled() if calls["n"] in (2, 3) else None  # batch 2 throttled on both attempts

    env.fake.inject_fault("UpdateEndpointsBatch", fail_second_batch)
    monkeypatch.setattr("botocore.endpoint.time.sleep", env.clock.sleep)
    destination = env.destination()
    two_attempts = Config(retries={"mode": "standard", "total_max_attempts": 2})
    destination.client = env.fake.attach(aws_client("pinpoint", region="us-east-1", config=two_attempts))
    report = sync_segments(world.membership(pairs), destination, env.store)
    assert report.status == "partial"
    assert report.failed == 100
    assert report.failed_examples[0]["reason"].startswith("TooManyRequestsException")
    env.fake.clear_faults()
    again = env.sync(pairs)
    assert again.written == 100
    assert again.status == "succeeded"
    env.assert_state(pairs)


def test_throttling_is_absorbed_by_retries(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 storm (another client eating the quota) ends in no failure: botocore's retries absorb it.

    Standard mode here: adaptive mode (production) adds a client-side bucket that waits in real time after a
    throttle, which would only make this test slow; the retry decisions are the same.
    """
    storm = iter([throttled()] * 4)
    env.fake.inject_fault("UpdateEndpointsBatch", lambda _p: next(storm, None))
    monkeypatch.setattr("botocore.endpoint.time.sleep", env.clock.sleep)  # retry back-off on the virtual clock
    pairs = world.day_pairs(0, COUNT)
    destination = env.destination()
    standard = Config(retries={"mode": "standard", "total_max_attempts": 10})
    destination.client = env.fake.attach(aws_client("pinpoint", region="us-east-1", config=standard))
    report = sync_segments(world.membership(pairs), destination, env.store)
    assert report.status == "succeeded"
    assert report.failed == 0
    assert report.retries == 4
    env.assert_state(pairs)


def test_rate_limiter_keeps_to_the_quota_on_the_virtual_clock(env: Env) -> None:
    pairs = world.day_pairs(0, COUNT)
    start = env.clock.now()
    report = env.sync(pairs)
    elapsed = env.clock.now() - start
    batches = report.api_calls
    assert env.fake.throttled_count == 0
    # Burst of 2, then 2 per second: (batches - 2) / 2 seconds at least.
    assert elapsed >= (batches - 2) / UPDATE_ENDPOINTS_BATCH_RPS


def test_endpoint_in_too_many_segments_is_rejected_not_truncated(env: Env) -> None:
    crowded = [("ep-00001", f"s{i:02d}") for i in range(51)]
    pairs = [*crowded, ("ep-00002", "seg_vip")]
    report = env.sync(pairs)
    assert report.rejected == 1
    assert report.rejected_examples[0]["endpoint_id"] == "ep-00001"
    assert "51 segments" in report.rejected_examples[0]["reason"]
    assert env.attribute("ep-00001") is None
    assert env.attribute("ep-00002") == ["seg_vip"]


def test_segment_name_over_100_characters_stops_before_any_write(env: Env) -> None:
    pairs = [("ep-00001", "x" * 101), ("ep-00002", "seg_vip")]
    with pytest.raises(SegmentNameError, match="101 characters"):
        env.sync(pairs)
    assert env.fake.calls == []


def test_rejected_endpoint_inside_a_batch_is_isolated(env: Env) -> None:
    """Pinpoint refuses a whole request for one bad item; the destination splits it and writes the rest."""
    env.fake.inject_fault(
        "UpdateEndpointsBatch",
        lambda params: (
            bad_request("endpoint ep-00007 broke")
            if any(i["Id"] == "ep-00007" for i in params["EndpointBatchRequest"]["Item"])
            else None
        ),
    )
    pairs = world.day_pairs(0, COUNT)
    report = env.sync(pairs)
    assert report.rejected == 1
    assert report.rejected_examples[0]["endpoint_id"] == "ep-00007"
    assert env.attribute("ep-00007") is None
    want = world.expected(pairs)
    assert all(env.attribute(e) == want.get(e) for e in env.seeded if e != "ep-00007")


def test_first_sync_cleans_up_what_the_reference_left(env: Env) -> None:
    """Values already on endpoints (duplicates, stale members) are the baseline of a first sync, and get fixed."""
    env.fake.put_endpoint(APP, {"Id": "ep-00003", "Attributes": {world.ATTRIBUTE: ["seg_vip", "seg_vip"]}})
    env.fake.put_endpoint(APP, {"Id": "ep-00004", "Attributes": {world.ATTRIBUTE: ["seg_old"]}})
    env.seeded["ep-00003"] = {**env.seeded["ep-00003"]}
    write_export(env.store, APP, env.fake.endpoints(APP).values(), export_id="99990101T000000Z")
    report = env.sync([("ep-00003", "seg_vip")], force=True)
    assert env.attribute("ep-00003") == ["seg_vip"]
    assert env.attribute("ep-00004") is None
    assert report.endpoints_cleared == 1


def test_endpoint_deleted_then_recreated_is_written_again(env: Env) -> None:
    pairs = world.day_pairs(0, COUNT)
    env.sync(pairs)
    member = pairs[0][0]
    env.fake.apps[APP].pop(member.casefold())
    without = [e for e in env.seeded.values() if e["Id"] != member]
    write_export(env.store, APP, without, export_id="99990101T000000Z")
    report = env.sync(pairs)
    assert report.unknown_endpoints == 1  # still in a segment, but gone from Pinpoint: reported, not recreated
    assert env.fake.endpoint(APP, member) is None
    env.fake.put_endpoint(APP, env.seeded[member])  # the app registers it again, without our attribute
    write_export(env.store, APP, env.seeded.values(), export_id="99990102T000000Z")
    env.sync(pairs)
    env.assert_state(pairs)
