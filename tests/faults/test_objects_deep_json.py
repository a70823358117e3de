"""A record nested deeper than MAX_JSON_DEPTH: quarantined (never a RecursionError), its neighbours kept."""

from __future__ import annotations

from ingest.quarantine import QuarantineEntry
from ingest.reader import JSON_TOO_DEEP, LakeRecord, read_bytes
from tests.faults.broken import BuiltLake, deep_record

KIND = "deep_json"


def test_the_reader_and_the_sweep_account_for_every_line(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    items = list(read_bytes(broken.data, broken.key))
    assert [type(i).__name__ for i in items] == ["LakeRecord", "QuarantineEntry", "LakeRecord"]
    assert isinstance(items[1], QuarantineEntry)
    assert (items[1].line, items[1].reason) == (2, JSON_TOO_DEEP)
    (entry,) = built_lake.entries(KIND)
    assert (entry.source, entry.line, entry.reason, entry.record) == (
        broken.key,
        2,
        JSON_TOO_DEEP,
        deep_record(KIND.split("_")[0]),
    )
    assert sum(isinstance(i, LakeRecord) for i in items) + 1 == len(broken.lines)


def test_models_build_completes_without_the_deep_record(built_lake: BuiltLake) -> None:
    ids = {i for i in built_lake.message_ids() if i.startswith("fault-deep-")}
    assert ids == {"fault-deep-0", "fault-deep-1"}


def test_lake_quarantine_names_the_line(built_lake: BuiltLake) -> None:
    key = built_lake.objects[KIND].key
    assert built_lake.quarantined(KIND) == [(key, 2, JSON_TOO_DEEP)]
