"""The dbt segment models and the sync together, over several days of one generated lake: endpoints enter and
leave the segments as the windows move, the local endpoint store follows, and the guard stops a mass removal."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from englake.dbt import run_dbt
from englake.models import build_models
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import TRUTH_KEY, GeneratorConfig, generate_lake
from ingest.synthetic.truth import GroundTruth
from segmentation.destinations import open_destination
from segmentation.errors import GuardTripped
from segmentation.membership import DuckDBMembership
from segmentation.sync import sync_segments

pytestmark = pytest.mark.dbt


def _rows(path: Path, sql: str) -> set[tuple]:
    with duckdb.connect(str(path), read_only=True) as db:
        return set(db.execute(sql).fetchall())


def test_synced_store_follows_the_segments_day_by_day(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "lake")
    generate_lake(GeneratorConfig(seed=21, events=5_000, days=14), store)
    truth = GroundTruth.from_json(store.get(TRUTH_KEY).decode())
    end = truth.end if isinstance(truth.end, datetime) else datetime.fromisoformat(truth.end)
    settings = Settings(lake_root=str(tmp_path / "lake"))
    build_models(settings)
    db = settings.resolved_duckdb_path

    def sync_as_of(moment: datetime, *, force: bool = False):
        as_of = {"englake__segment_as_of": f"{moment:%Y-%m-%d %H:%M:%S}"}
        destination = open_destination("local", settings=settings, store=store)
        return sync_segments(
            DuckDBMembership(db, "segment_membership"),
            destination,
            store,
            refresh=lambda: run_dbt(["build", "--select", "tag:segment+", "--vars", json.dumps(as_of)], settings),
            force=force,
        )

    membership_sql = "select endpoint_id, segment_name from segment_membership"
    synced_sql = "select endpoint_id, segment_name from englake_sync.endpoint_segments"

    first = sync_as_of(end)
    day_one = _rows(db, membership_sql)
    assert {segment for _, segment in day_one} == {"engaged_recent_buyers", "webinar_registrants_opened_invite"}
    assert _rows(db, synced_sql) == day_one
    assert first.status == "succeeded"

    # Two days later nobody viewed a product page in the last 24 hours: every buyer leaves that segment, the
    # webinar segment stays. A removal that large is stopped by the guard, with nothing written…
    with pytest.raises(GuardTripped):
        sync_as_of(end + timedelta(days=2))
    assert _rows(db, synced_sql) == day_one
    # …and goes through once forced: the store matches the new membership, departed endpoints hold nothing.
    sync_as_of(end + timedelta(days=2), force=True)
    day_three = _rows(db, membership_sql)
    assert {segment for _, segment in day_three} == {"webinar_registrants_opened_invite"}
    assert _rows(db, synced_sql) == day_three
    departed = {endpoint for endpoint, segment in day_one} - {endpoint for endpoint, _ in day_three}
    assert departed
    in_list = ", ".join(repr(e) for e in departed)
    still_there = _rows(db, f"select endpoint_id from englake_sync.endpoints where endpoint_id in ({in_list})")
    assert {e for (e,) in still_there} == departed  # the endpoints stay; only their attribute changed
    values = _rows(
        db,
        'select endpoint_id, "values" from englake_sync.endpoint_attributes '
        f"where attribute = 'AdvancedSegmentTarget' and endpoint_id in ({in_list})",
    )
    assert all(not value for _, value in values)  # cleared (an empty list), not left stale

    # Back to the first day: everyone returns, exactly once each.
    sync_as_of(end)
    assert _rows(db, synced_sql) == day_one
