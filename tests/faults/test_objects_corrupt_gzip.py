"""A corrupt gzip object under raw/: moved aside whole, the build goes on, the object is in the quarantine."""

from __future__ import annotations

from pathlib import Path

from ingest.layout import MOVED_OBJECTS_PREFIX
from ingest.reader import read_bytes
from ingest.sweep import CORRUPT_GZIP
from tests.faults.broken import BuiltLake, broken_object, unreadable_by_duckdb

KIND = "corrupt_gzip"


def test_without_the_sweep_duckdb_cannot_read_it(tmp_path: Path) -> None:
    """The defect (issue 9): one corrupt .gz fails read_csv over the whole glob, so every model."""
    unreadable_by_duckdb(tmp_path, KIND)
    broken = broken_object(KIND)
    (entry,) = list(read_bytes(broken.data, broken.key))  # the Python reader: one quarantined unit
    assert entry.reason == CORRUPT_GZIP  # type: ignore[union-attr]


def test_the_sweep_moves_it_aside_with_one_entry(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    (entry,) = built_lake.entries(KIND)
    assert (entry.source, entry.line, entry.offset, entry.reason, entry.record) == (
        broken.key,
        None,
        None,
        CORRUPT_GZIP,
        None,
    )
    assert built_lake.store.get(f"{MOVED_OBJECTS_PREFIX}{broken.key}") == broken.data
    assert not (built_lake.root / broken.key).exists()


def test_models_build_completes(built_lake: BuiltLake) -> None:
    assert "dbt build in" in built_lake.build_output
    assert built_lake.query("select count(*) from fct_events")[0][0] > 0


def test_lake_quarantine_names_the_object(built_lake: BuiltLake) -> None:
    key = built_lake.objects[KIND].key
    assert built_lake.quarantined(KIND) == [(key, None, CORRUPT_GZIP)]
