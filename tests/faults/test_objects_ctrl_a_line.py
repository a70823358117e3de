"""A line holding Ctrl-A (the text readers' field delimiter): quarantined with its line, the others kept."""

from __future__ import annotations

from pathlib import Path

from ingest.layout import MOVED_OBJECTS_PREFIX
from ingest.sweep import FIELD_DELIMITER_IN_LINE
from tests.faults.broken import BuiltLake, unreadable_by_duckdb

KIND = "ctrl_a_line"


def test_without_the_sweep_duckdb_cannot_read_it(tmp_path: Path) -> None:
    assert "Expected Number of Columns" in unreadable_by_duckdb(tmp_path, KIND)


def test_the_sweep_accounts_for_every_line(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    (entry,) = built_lake.entries(KIND)
    assert (entry.source, entry.line, entry.reason) == (broken.key, 3, FIELD_DELIMITER_IN_LINE)
    assert built_lake.store.get(f"{MOVED_OBJECTS_PREFIX}{broken.key}") == broken.data


def test_models_build_completes_with_the_good_lines(built_lake: BuiltLake) -> None:
    ids = {i for i in built_lake.message_ids() if i.startswith("fault-ctrla-")}
    assert ids == {"fault-ctrla-0", "fault-ctrla-1"}


def test_lake_quarantine_names_the_line(built_lake: BuiltLake) -> None:
    key = built_lake.objects[KIND].key
    assert built_lake.quarantined(KIND) == [(key, 3, FIELD_DELIMITER_IN_LINE)]
