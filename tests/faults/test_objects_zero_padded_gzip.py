"""Zero bytes after a gzip stream (Python ignores them, DuckDB fails): re-landed without them, nothing lost."""

from __future__ import annotations

from pathlib import Path

from tests.faults.broken import BuiltLake, unreadable_by_duckdb

KIND = "zero_padded_gzip"


def test_without_the_sweep_duckdb_cannot_read_it(tmp_path: Path) -> None:
    unreadable_by_duckdb(tmp_path, KIND)


def test_nothing_is_quarantined(built_lake: BuiltLake) -> None:
    assert built_lake.entries(KIND) == []
    assert not (built_lake.root / built_lake.objects[KIND].key).exists()


def test_models_build_completes_with_every_event(built_lake: BuiltLake) -> None:
    ids = {i for i in built_lake.message_ids() if i.startswith("fault-padded-")}
    assert ids == {"fault-padded-0", "fault-padded-1"}
