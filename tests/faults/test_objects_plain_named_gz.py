"""Plain text named .gz (the engines gunzip by name): re-landed as real gzip, nothing quarantined, events kept."""

from __future__ import annotations

from pathlib import Path

from ingest.layout import MOVED_OBJECTS_PREFIX
from tests.faults.broken import BuiltLake, unreadable_by_duckdb

KIND = "plain_named_gz"


def test_without_the_sweep_duckdb_cannot_read_it(tmp_path: Path) -> None:
    unreadable_by_duckdb(tmp_path, KIND)


def test_every_line_is_re_landed_and_none_quarantined(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    assert built_lake.entries(KIND) == []
    assert built_lake.store.get(f"{MOVED_OBJECTS_PREFIX}{broken.key}") == broken.data
    assert not (built_lake.root / broken.key).exists()


def test_models_build_completes_with_every_event(built_lake: BuiltLake) -> None:
    ids = {i for i in built_lake.message_ids() if i.startswith("fault-plain-")}
    assert ids == {f"fault-plain-{n}" for n in range(3)}
