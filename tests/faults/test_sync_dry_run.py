"""Issue 9: ``segments sync --dry-run`` and a guard-stopped run rewrote the local store's endpoint attributes from a
newer partial export while saying nothing was written. Both must leave the lake folder — DuckDB file, sync state,
run reports — byte for byte as it was; the real run after them still applies the newer export."""

from __future__ import annotations

from pathlib import Path

import pytest

import englake.aws
import segmentation.destinations
from englake.errors import EXIT_CODES, GuardTripped
from englake.storage import LocalStore
from segmentation.catalog import write_export
from tests.fakes.pinpoint import PinpointFake
from tests.faults.support import fingerprint, invoke
from tests.fixtures.segmentation import world

APP = "app-dry"
COUNT = 120


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A lake whose store was synced once from a full export; a newer export then lists only half the endpoints."""
    root = tmp_path / "lake"
    everyone = world.endpoints(COUNT)
    write_export(LocalStore(root), APP, everyone, export_id="20260101T000000Z")
    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(root))
    monkeypatch.setenv("ENGLAKE_PINPOINT_APPLICATION_ID", APP)
    monkeypatch.delenv("ENGLAKE_DUCKDB_PATH", raising=False)
    _publish(root, world.day_pairs(0, COUNT))
    code, out, err = invoke("segments", "sync", "--no-refresh")
    assert code == 0, out + err
    write_export(LocalStore(root), APP, everyone[: COUNT // 2], export_id="20260102T000000Z")
    return root


def _publish(lake: Path, pairs: list[tuple[str, str]]) -> None:
    world.publish(lake / "englake.duckdb", pairs)


def _stored(lake: Path) -> dict[str, list[str]]:
    return world.stored(lake / "englake.duckdb", APP)


def test_dry_run_with_a_newer_partial_export_writes_nothing_anywhere(lake: Path) -> None:
    _publish(lake, world.day_pairs(1, COUNT))
    before = fingerprint(lake)
    code, out, err = invoke("segments", "sync", "--no-refresh", "--dry-run")
    assert code == 0, out + err
    assert "dry run" in out
    assert fingerprint(lake) == before


def test_guard_stopped_run_with_a_newer_partial_export_writes_nothing_anywhere(lake: Path) -> None:
    _publish(lake, [])  # an empty membership trips the guard
    before = fingerprint(lake)
    code, _, err = invoke("segments", "sync", "--no-refresh")
    assert code == EXIT_CODES[GuardTripped]
    assert "membership is empty" in err
    assert fingerprint(lake) == before


def test_the_real_run_after_a_dry_run_applies_the_newer_export(lake: Path) -> None:
    pairs = world.day_pairs(1, COUNT)
    _publish(lake, pairs)
    assert invoke("segments", "sync", "--no-refresh", "--dry-run")[0] == 0
    code, out, err = invoke("segments", "sync", "--no-refresh", "--force")
    assert code == 0, out + err
    kept = {f"ep-{i:05d}" for i in range(COUNT // 2)}
    # Endpoints gone from the newer export lose what syncs wrote; the others hold exactly their segments.
    assert _stored(lake) == {e: s for e, s in world.expected(pairs).items() if e in kept}


def test_segments_who_reads_without_writing(lake: Path) -> None:
    before = fingerprint(lake)
    code, out, err = invoke("segments", "who", "--limit", "5")
    assert code == 0, out + err
    assert "ep-0" in out
    assert fingerprint(lake) == before


def test_pinpoint_dry_run_runs_no_export_job_and_writes_nothing(lake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An export job writes a new export into the lake: a dry run reads the newest one there instead."""
    fake = PinpointFake()
    fake.add_app(APP)
    for endpoint in world.endpoints(COUNT):
        fake.put_endpoint(APP, endpoint)
    monkeypatch.setattr(
        segmentation.destinations, "aws_client", lambda service, **kw: fake.attach(englake.aws.client(service, **kw))
    )
    _publish(lake, world.day_pairs(1, COUNT))
    before = fingerprint(lake)
    code, out, err = invoke(
        "segments", "sync", "-d", "pinpoint", "--application-id", APP, "--no-refresh", "--dry-run",
        "--export-role-arn", "arn:aws:iam::123456789012:role/export",
    )  # fmt: skip
    assert code == 0, out + err
    assert "instead of running an export job" in err
    assert fake.calls == []
    assert fingerprint(lake) == before
