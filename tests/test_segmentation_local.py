"""The local destination (embedded default) and the ``englake segments`` commands, on a temporary lake."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from englake.cli import app as englake_app
from englake.errors import EXIT_CODES
from englake.storage import LocalStore
from segmentation.catalog import write_export
from segmentation.destinations.local import SCHEMA, LocalDestination
from segmentation.errors import GuardTripped, MembershipError
from segmentation.guard import GuardPolicy
from segmentation.membership import DuckDBMembership
from segmentation.sync import sync_segments
from tests.fixtures.segmentation import world

APP = "app-local"
COUNT = 200


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "lake"
    write_export(LocalStore(root), APP, world.endpoints(COUNT))
    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(root))
    monkeypatch.delenv("ENGLAKE_DUCKDB_PATH", raising=False)
    monkeypatch.delenv("ENGLAKE_PINPOINT_APPLICATION_ID", raising=False)
    return root


def _publish(lake: Path, pairs: list[tuple[str, str]]) -> None:
    world.publish(lake / "englake.duckdb", pairs)


def _stored(lake: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(lake / "englake.duckdb"), read_only=True) as con:
        rows = con.execute(
            f"SELECT endpoint_id, list_sort(list(segment_name)) FROM {SCHEMA}.endpoint_segments GROUP BY 1"
        ).fetchall()
    return dict(rows)


def _sync(lake: Path, **kwargs):
    destination = LocalDestination(lake / "englake.duckdb", APP, LocalStore(lake))
    membership = DuckDBMembership(lake / "englake.duckdb")
    return sync_segments(membership, destination, LocalStore(lake), **kwargs)


def test_local_store_follows_membership_day_by_day(lake: Path) -> None:
    for day in range(4):
        pairs = world.day_pairs(day, COUNT)
        _publish(lake, pairs)
        report = _sync(lake, policy=GuardPolicy(max_removal_share=1.0))
        assert report.status == "succeeded"
        assert _stored(lake) == world.expected(pairs)
    with duckdb.connect(str(lake / "englake.duckdb"), read_only=True) as con:
        other = con.execute(f"SELECT attributes FROM {SCHEMA}.endpoints WHERE endpoint_id = 'ep-00001'").fetchone()[0]
    assert '"Team":["t1"]' in other.replace(" ", "")  # the export's other attributes are kept as they were
    assert world.ATTRIBUTE not in other


def test_local_store_rejects_unknown_ids_like_pinpoint(lake: Path) -> None:
    _publish(lake, [("ep-00001", "seg_vip"), ("nobody", "seg_vip")])
    report = _sync(lake)
    assert report.unknown_endpoints == 1
    assert _stored(lake) == {"ep-00001": ["seg_vip"]}


def test_membership_with_duplicate_or_null_keys_fails_the_run(lake: Path) -> None:
    _publish(lake, [("ep-00001", "seg_vip"), ("ep-00001", "seg_vip")])
    with pytest.raises(MembershipError, match="more than once"):
        _sync(lake)
    _publish(lake, [("ep-00001", "seg_vip"), (None, "seg_vip")])
    with pytest.raises(MembershipError, match="null or blank endpoint_id"):
        _sync(lake)
    with duckdb.connect(str(lake / "englake.duckdb")) as con:
        con.execute("DROP TABLE segment_membership")
    with pytest.raises(MembershipError, match="relation not found"):
        _sync(lake)


def test_guard_on_the_local_store(lake: Path) -> None:
    pairs = world.day_pairs(0, COUNT)
    _publish(lake, pairs)
    _sync(lake)
    _publish(lake, [])
    with pytest.raises(GuardTripped):
        _sync(lake)
    assert _stored(lake) == world.expected(pairs)


def test_cli_sync_dry_run_who_report_and_guard_exit(lake: Path) -> None:
    runner = CliRunner()
    pairs = world.day_pairs(0, COUNT)
    _publish(lake, pairs)

    dry = runner.invoke(englake_app, ["segments", "sync", "--no-refresh", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output
    assert not (lake / "sync").exists()

    done = runner.invoke(englake_app, ["segments", "sync", "--no-refresh"])
    assert done.exit_code == 0, done.output
    assert "succeeded" in done.output
    assert _stored(lake) == world.expected(pairs)

    vip = sorted(e for e, s in pairs if s == "seg_vip")
    who = runner.invoke(englake_app, ["segments", "who", "--segment", "seg_vip", "--limit", "1000"])
    assert who.exit_code == 0, who.output
    assert all(e in who.output for e in vip)

    shown = runner.invoke(englake_app, ["segments", "report"])
    assert shown.exit_code == 0, shown.output
    assert f"local-{APP}-AdvancedSegmentTarget" in shown.output

    _publish(lake, [])
    tripped = runner.invoke(englake_app, ["segments", "sync", "--no-refresh"])
    assert tripped.exit_code == EXIT_CODES[GuardTripped]
    assert "membership is empty" in tripped.output
    assert _stored(lake) == world.expected(pairs)
    forced = runner.invoke(englake_app, ["segments", "sync", "--no-refresh", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _stored(lake) == {}


def test_a_reset_local_store_is_filled_again(lake: Path) -> None:
    pairs = world.day_pairs(0, COUNT)
    _publish(lake, pairs)
    _sync(lake)
    with duckdb.connect(str(lake / "englake.duckdb")) as con:
        con.execute(f"DROP SCHEMA {SCHEMA} CASCADE")  # e.g. the DuckDB file was rebuilt; the lake's state was not
    report = _sync(lake)
    assert report.written == len(world.expected(pairs))
    assert _stored(lake) == world.expected(pairs)
