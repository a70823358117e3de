"""The main job (`englake demo`, the README's first command) on the embedded default."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from englake.demo import run_demo
from englake.errors import LakeError
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import TRUTH_KEY
from ingest.synthetic.truth import GroundTruth

pytestmark = pytest.mark.dbt


def test_demo_lands_builds_summarises_and_syncs(tmp_path: Path) -> None:
    settings = Settings(lake_root=str(tmp_path / "lake"))
    result = run_demo(settings, events=3_000, days=14, seed=7)
    truth = GroundTruth.from_json(LocalStore(tmp_path / "lake").get(TRUTH_KEY).decode())

    assert result.scan.reconciles
    assert result.scan.records == truth.records_written
    assert result.build.statuses.get("error", 0) == 0
    assert result.build.statuses.get("fail", 0) == 0
    assert {row["campaign_id"] for row in result.campaigns} <= set(truth.campaigns)
    assert result.sync.status == "succeeded"
    with duckdb.connect(str(settings.resolved_duckdb_path), read_only=True) as db:
        membership = set(db.execute("select endpoint_id, segment_name from segment_membership").fetchall())
        synced = set(db.execute("select endpoint_id, segment_name from englake_sync.endpoint_segments").fetchall())
    assert membership  # the sample data fills the example segments
    assert synced == membership


def test_demo_runs_again_on_its_own_lake(tmp_path: Path) -> None:
    settings = Settings(lake_root=str(tmp_path / "lake"))
    run_demo(settings, events=500, days=3, seed=3)
    again = run_demo(settings, events=500, days=3, seed=3)
    assert again.sync.status == "succeeded"


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "lake").mkdir()
    (tmp_path / "lake" / "precious.json").write_text("{}")
    with pytest.raises(LakeError, match="did not create"):
        run_demo(Settings(lake_root=str(tmp_path / "lake")), events=500)
    assert (tmp_path / "lake" / "precious.json").exists()
