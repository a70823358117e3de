"""One line with bytes that are not UTF-8: that line quarantined with object and line, the others kept."""

from __future__ import annotations

from pathlib import Path

from ingest.layout import MOVED_OBJECTS_PREFIX
from ingest.quarantine import QuarantineEntry
from ingest.reader import INVALID_UTF8, LakeRecord, read_bytes
from tests.faults.broken import BuiltLake, unreadable_by_duckdb

KIND = "invalid_utf8"


def test_without_the_sweep_duckdb_cannot_read_it(tmp_path: Path) -> None:
    unreadable_by_duckdb(tmp_path, KIND)


def test_the_reader_and_the_sweep_account_for_every_line(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    items = list(read_bytes(broken.data, broken.key))
    assert [type(i).__name__ for i in items] == ["LakeRecord", "QuarantineEntry", "LakeRecord", "LakeRecord"]
    (entry,) = built_lake.entries(KIND)
    (read,) = [i for i in items if isinstance(i, QuarantineEntry)]
    assert (entry.source, entry.line, entry.offset, entry.reason) == (broken.key, 2, read.offset, INVALID_UTF8)
    assert entry.record == read.record
    assert "\ufffd" in (entry.record or "")
    # 4 lines = 3 re-landed + 1 quarantined
    assert sum(isinstance(i, LakeRecord) for i in items) + len(built_lake.entries(KIND)) == len(broken.lines)
    assert built_lake.store.get(f"{MOVED_OBJECTS_PREFIX}{broken.key}") == broken.data


def test_models_build_completes_with_the_good_lines(built_lake: BuiltLake) -> None:
    ids = {i for i in built_lake.message_ids() if i.startswith("fault-utf8-")}
    assert ids == {f"fault-utf8-{n}" for n in range(3)}


def test_lake_quarantine_names_the_line(built_lake: BuiltLake) -> None:
    key = built_lake.objects[KIND].key
    assert built_lake.quarantined(KIND) == [(key, 2, INVALID_UTF8)]
