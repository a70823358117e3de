"""A gzip object cut short (an interrupted upload): its complete lines stay in raw/, the cut line is quarantined."""

from __future__ import annotations

from pathlib import Path

from ingest.layout import MOVED_OBJECTS_PREFIX
from ingest.sweep import SALVAGED, TRUNCATED_GZIP, examine
from tests.faults.broken import BuiltLake, unreadable_by_duckdb

KIND = "truncated_gzip"


def test_without_the_sweep_duckdb_cannot_read_it(tmp_path: Path) -> None:
    unreadable_by_duckdb(tmp_path, KIND)


def test_every_line_before_the_cut_is_salvaged_and_the_cut_one_quarantined(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    verdict = examine(broken.key, broken.data)
    assert verdict.outcome == SALVAGED
    assert verdict.salvage is not None
    salvaged = verdict.salvage.decode().splitlines()
    assert salvaged == broken.lines[: len(salvaged)]  # right up to the cut
    (entry,) = built_lake.entries(KIND)
    assert entry.reason == TRUNCATED_GZIP
    assert entry.line == len(salvaged) + 1
    assert entry.record is not None
    assert broken.lines[len(salvaged)].startswith(entry.record)
    # Reconciliation: the lines the bytes still hold are all in raw/ or quarantined; the rest the entry declares lost.
    assert f"ends after {len(salvaged)} complete line(s)" in entry.detail
    assert built_lake.store.get(f"{MOVED_OBJECTS_PREFIX}{broken.key}") == broken.data


def test_models_build_completes_with_the_salvaged_events(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    salvaged = examine(broken.key, broken.data).kept
    ids = {i for i in built_lake.message_ids() if i.startswith("fault-truncated-")}
    assert ids == {f"fault-truncated-{n}" for n in range(salvaged)}


def test_lake_quarantine_names_the_cut_line(built_lake: BuiltLake) -> None:
    key = built_lake.objects[KIND].key
    (entry,) = built_lake.entries(KIND)
    assert built_lake.quarantined(KIND) == [(key, entry.line, TRUNCATED_GZIP)]
