"""A zero-byte .gz object under raw/: moved aside, the build goes on, the object is in the quarantine."""

from __future__ import annotations

from pathlib import Path

from ingest.layout import MOVED_OBJECTS_PREFIX
from ingest.sweep import EMPTY_GZIP
from tests.faults.broken import BuiltLake, unreadable_by_duckdb

KIND = "zero_byte_gz"


def test_without_the_sweep_duckdb_cannot_read_it(tmp_path: Path) -> None:
    unreadable_by_duckdb(tmp_path, KIND)


def test_the_sweep_moves_it_aside_with_one_entry(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    (entry,) = built_lake.entries(KIND)
    assert (entry.source, entry.line, entry.reason) == (broken.key, None, EMPTY_GZIP)
    assert built_lake.store.get(f"{MOVED_OBJECTS_PREFIX}{broken.key}") == b""
    assert not (built_lake.root / broken.key).exists()


def test_models_build_completes(built_lake: BuiltLake) -> None:
    assert "dbt build in" in built_lake.build_output


def test_lake_quarantine_names_the_object(built_lake: BuiltLake) -> None:
    key = built_lake.objects[KIND].key
    assert built_lake.quarantined(KIND) == [(key, None, EMPTY_GZIP)]
