"""`}{` inside a string on a line of records run together: both records are events, in Python and in SQL."""

from __future__ import annotations

from ingest.reader import LakeRecord, read_bytes
from tests.faults.broken import BuiltLake

KIND = "braces_in_string"


def test_the_reader_finds_both_records(built_lake: BuiltLake) -> None:
    broken = built_lake.objects[KIND]
    items = list(read_bytes(broken.data, broken.key))
    assert all(isinstance(i, LakeRecord) for i in items)
    assert [i.data["messageId"] for i in items] == ["fault-braces-0", "fault-braces-1"]  # type: ignore[union-attr]
    assert built_lake.entries(KIND) == []  # readable text: the sweep leaves it in place
    assert (built_lake.root / broken.key).exists()


def test_models_build_completes(built_lake: BuiltLake) -> None:
    assert "dbt build in" in built_lake.build_output


def test_the_models_find_the_same_records_as_the_reader(built_lake: BuiltLake) -> None:
    ids = {i for i in built_lake.message_ids() if i.startswith("fault-braces-")}
    assert ids == {"fault-braces-0", "fault-braces-1"}
    key = built_lake.objects[KIND].key
    assert [r for r in built_lake.model_quarantine() if r.source == key] == []
