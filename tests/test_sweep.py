"""The sweep: every object under raw/ ends up readable by both engines, and every line is in raw/ or quarantined."""

from __future__ import annotations

import gzip
import uuid
from datetime import datetime
from typing import Any

import pytest

from englake.storage import LakeStore, LocalStore, StoredObject
from ingest.layout import MOVED_OBJECTS_PREFIX, RAW_PREFIXES, STREAM_NAMES, Producer, object_key, parse_object_key
from ingest.quarantine import STAGE_SWEEP, QuarantineEntry, quarantine_key, read_quarantine
from ingest.reader import MAX_JSON_DEPTH, LakeRecord, ScanReport, inspect_lake, read_lake
from ingest.sweep import (
    CORRUPT_GZIP,
    EMPTY_GZIP,
    LEDGER_KEY,
    MOVED,
    SALVAGED,
    TRUNCATED_GZIP,
    examine,
    load_ledger,
    sweep_lake,
)

ARRIVAL = datetime(2026, 3, 4, 5, 6, 7)
LINES = [
    '{"event_type":"_email.send","arrival_timestamp":1}',
    '{"event_type":"_email.open","arrival_timestamp":2}',
    '{"eventType":"Send","mail":{"messageId":"a"},"send":{}}',
    '{"eventType":"TEXT_DELIVERED","messageId":"s1","eventTimestamp":1686975103470}',
    '{"event_type":"_email.click","arrival_timestamp":3}',
]
TEXT = "".join(line + "\n" for line in LINES).encode()
DEEP = '{"event_type":"_email.send","x":' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}"


def key(n: int, *, gz: bool = True, producer: Producer = Producer.PINPOINT) -> str:
    oid = uuid.UUID(int=n, version=4)
    return object_key(RAW_PREFIXES[producer], STREAM_NAMES[producer], ARRIVAL, gzip=gz, object_id=oid)


class CountingStore:
    """A store that counts reads of raw objects, and can fail the Nth delete (a crash mid-sweep)."""

    def __init__(self, inner: LakeStore, fail_delete: bool = False) -> None:
        self.inner, self.root, self.gets, self.fail_delete = inner, inner.root, 0, fail_delete

    def get(self, key: str) -> bytes:
        self.gets += key.startswith("raw/")
        return self.inner.get(key)

    def delete(self, key: str) -> None:
        if self.fail_delete:
            raise KeyboardInterrupt("crash between the copy and the delete")
        self.inner.delete(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def store(local_or_s3_lake: LakeStore) -> LakeStore:
    return local_or_s3_lake


def raw_lines(store: LakeStore) -> list[str]:
    """Every line now under raw/, as the engines will read it."""
    lines = []
    for stored in store.list("raw/"):
        data = store.get(stored.key)
        lines += (gzip.decompress(data) if stored.key.endswith(".gz") else data).decode("utf-8").splitlines()
    return lines


def sweep_entries(store: LakeStore) -> list[QuarantineEntry]:
    return [entry for entry in read_quarantine(store) if entry.stage == STAGE_SWEEP]


def test_a_clean_lake_is_left_alone_and_not_read_twice(store: LakeStore) -> None:
    store.put(key(1), gzip.compress(TEXT))
    store.put(key(2, gz=False), TEXT)
    store.put(key(3, gz=False), b"")  # an empty plain object has no lines: both engines read it
    counting = CountingStore(store)
    first = sweep_lake(counting)  # type: ignore[arg-type]
    assert (first.objects, first.checked, first.already_checked, first.moved) == (3, 3, 0, 0)
    assert counting.gets == 3
    assert set(load_ledger(store)) == {key(1), key(2, gz=False), key(3, gz=False)}
    second = sweep_lake(counting)  # type: ignore[arg-type]
    assert (second.checked, second.already_checked) == (0, 3)
    assert counting.gets == 3  # the daily run decompresses nothing it checked before
    assert list(store.list("quarantine/")) == []


def test_a_changed_object_is_checked_again(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    store.put(key(1), gzip.compress(TEXT))
    sweep_lake(store)
    store.put(key(1), b"\x1f\x8bnow corrupt")
    report = sweep_lake(store)
    assert (report.checked, report.moved) == (1, 1)


def test_corrupt_gzip_is_moved_aside_whole(store: LakeStore) -> None:
    data = b"\x1f\x8b\x08\x00" + b"garbage" * 10
    store.put(key(1), data)
    store.put(key(2), gzip.compress(TEXT))
    report = sweep_lake(store)
    assert [(m.key, m.outcome, m.why) for m in report.moves] == [(key(1), MOVED, "corrupt gzip")]
    assert store.get(f"{MOVED_OBJECTS_PREFIX}{key(1)}") == data  # kept byte for byte
    assert sorted(s.key for s in store.list("raw/")) == [key(2)]
    (entry,) = sweep_entries(store)
    assert (entry.source, entry.key, entry.line, entry.offset, entry.reason) == (
        key(1),
        key(1),
        None,
        None,
        CORRUPT_GZIP,
    )
    assert f"object moved to {MOVED_OBJECTS_PREFIX}{key(1)}" in entry.detail
    assert raw_lines(store) == LINES


def test_a_wrong_crc_is_corrupt_not_salvaged() -> None:
    data = bytearray(gzip.compress(TEXT))
    data[-8] ^= 0xFF  # the CRC32 of the member
    verdict = examine(key(1), bytes(data))
    assert verdict.outcome == MOVED
    assert [e.reason for e in verdict.entries] == [CORRUPT_GZIP]


def test_truncated_gzip_keeps_the_complete_lines_and_quarantines_the_cut_one(store: LakeStore) -> None:
    big = [f'{{"event_type":"_email.send","n":{n},"pad":"{uuid.UUID(int=n * 7919, version=4)}"}}' for n in range(400)]
    text = "".join(line + "\n" for line in big).encode()
    compressed = gzip.compress(text)
    store.put(key(1), compressed[: len(compressed) // 2])
    report = sweep_lake(store)
    (move,) = report.moves
    assert move.outcome == SALVAGED
    assert move.why == "truncated gzip"
    salvaged = raw_lines(store)
    assert 0 < len(salvaged) < len(big)
    assert salvaged == big[: len(salvaged)]  # a cut stream is right up to the cut
    (entry,) = sweep_entries(store)
    assert entry.reason == TRUNCATED_GZIP
    assert entry.line == len(salvaged) + 1
    assert entry.record is not None
    assert big[len(salvaged)].startswith(entry.record)
    assert entry.offset == sum(len(line) + 1 for line in salvaged)
    assert f"{len(salvaged)} complete line(s)" in entry.detail
    (salvage,) = list(store.list("raw/"))
    assert move.salvage_key == salvage.key


def test_zero_byte_gz_is_moved_aside(store: LakeStore) -> None:
    store.put(key(1), b"")
    report = sweep_lake(store)
    assert [(m.outcome, m.why) for m in report.moves] == [(MOVED, "empty .gz object")]
    assert [e.reason for e in sweep_entries(store)] == [EMPTY_GZIP]
    assert store.get(f"{MOVED_OBJECTS_PREFIX}{key(1)}") == b""
    assert list(store.list("raw/")) == []


@pytest.mark.parametrize(
    ("name_gz", "data", "why"),
    [
        (True, TEXT, "plain text named .gz"),
        (False, gzip.compress(TEXT), "gzip content without .gz name"),
    ],
    ids=["plain-named-gz", "gzip-without-gz"],
)
def test_misnamed_objects_are_re_landed_whole(store: LakeStore, name_gz: bool, data: bytes, why: str) -> None:
    original = key(1, gz=name_gz)
    store.put(original, data)
    report = sweep_lake(store)
    (move,) = report.moves
    assert (move.outcome, move.why, move.lines, move.kept, move.quarantined) == (SALVAGED, why, 5, 5, 0)
    assert sweep_entries(store) == []  # nothing is lost, so nothing is quarantined
    (salvage,) = list(store.list("raw/"))
    assert salvage.key == move.salvage_key
    assert gzip.decompress(store.get(salvage.key)) == TEXT
    assert store.get(f"{MOVED_OBJECTS_PREFIX}{original}") == data


def test_invalid_utf8_lines_are_quarantined_and_the_rest_re_landed(store: LakeStore) -> None:
    bad = b'{"event_type":"_email.send","subject":"caf\xe9"}'
    text = (LINES[0] + "\n").encode() + bad + b"\n" + "".join(line + "\n" for line in LINES[1:]).encode()
    store.put(key(1), gzip.compress(text))
    report = sweep_lake(store)
    (move,) = report.moves
    assert (move.outcome, move.why, move.lines, move.kept, move.quarantined) == (
        SALVAGED,
        "invalid UTF-8",
        6,
        5,
        1,
    )
    (entry,) = sweep_entries(store)
    assert (entry.source, entry.line, entry.offset, entry.reason) == (key(1), 2, len(LINES[0]) + 1, "invalid UTF-8")
    assert entry.record == '{"event_type":"_email.send","subject":"caf\ufffd"}'
    assert raw_lines(store) == LINES  # reconciliation: 6 lines = 5 in raw/ + 1 quarantined
    assert move.salvage_key is not None
    assert move.salvage_key in entry.detail


def test_lines_nested_too_deeply_are_quarantined(store: LakeStore) -> None:
    store.put(key(1), gzip.compress(f"{LINES[0]}\n{DEEP}\n{LINES[1]}\n".encode()))
    sweep_lake(store)
    (entry,) = sweep_entries(store)
    assert (entry.line, entry.reason, entry.record) == (2, "JSON nested too deeply", DEEP)
    assert raw_lines(store) == LINES[:2]


def test_salvage_objects_are_named_as_firehose_names_them_in_the_same_hour(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    original = key(1, producer=Producer.SES)
    store.put(original, TEXT)  # plain text named .gz
    (move,) = sweep_lake(store).moves
    assert move.salvage_key is not None
    parsed, source = parse_object_key(move.salvage_key), parse_object_key(original)
    assert parsed is not None
    assert source is not None
    assert (parsed.prefix, parsed.stream, parsed.arrival, parsed.compressed) == (
        source.prefix,
        source.stream,
        source.arrival,
        True,
    )
    assert move.salvage_key.rsplit("/", 1)[0] == original.rsplit("/", 1)[0]
    assert move.salvage_key != original


def test_an_object_not_named_by_firehose_is_salvaged_into_its_hour_folder(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    store.put("raw/sms/2026/03/04/05/manual-upload.json", gzip.compress(TEXT))  # gzip without .gz
    (move,) = sweep_lake(store).moves
    assert move.salvage_key is not None
    parsed = parse_object_key(move.salvage_key)
    assert parsed is not None
    assert parsed.arrival_hour == datetime(2026, 3, 4, 5)
    assert move.salvage_key.startswith("raw/sms/2026/03/04/05/englake-sms-1-")


def test_a_crashed_sweep_redone_writes_the_same_objects_once(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    bad = b'{"event_type":"_email.send","x":"\xff"}\n'
    store.put(key(1), gzip.compress(bad + TEXT))
    with pytest.raises(KeyboardInterrupt):
        sweep_lake(CountingStore(store, fail_delete=True))  # type: ignore[arg-type]
    assert store.get(key(1))  # the original is still in raw/ next to its salvage
    report = sweep_lake(store)
    assert report.moved == 1
    assert len(list(store.list("raw/"))) == 1  # the same salvage key, written again
    assert len(sweep_entries(store)) == 1
    assert raw_lines(store) == LINES


def test_after_a_sweep_the_reader_finds_nothing_unreadable_and_every_line_is_accounted_for(store: LakeStore) -> None:
    cut = gzip.compress(TEXT * 40)
    objects = {
        key(1): gzip.compress(TEXT),
        key(2): b"\x1f\x8b\x08\x00" + b"not deflate at all" * 4,
        key(3): b"",
        key(4): TEXT,
        key(5, gz=False): gzip.compress(TEXT),
        key(6): gzip.compress(TEXT + b'{"eventType":"Open","mail":{"x":"\xc3"}}\n' + f"{DEEP}\n".encode()),
        key(7): cut[: len(cut) * 2 // 3],
    }
    for name, data in objects.items():
        store.put(name, data)
    before = ScanReport()
    list(read_lake(store, before))
    assert before.unreadable_objects == 2
    sweep_lake(store)
    after = inspect_lake(store)
    assert after.unreadable_objects == after.compression_mismatches == 0
    assert after.reconciles
    entries = sweep_entries(store)
    line_entries = [e for e in entries if e.line is not None]
    # Objects 1, 4, 5: 5 lines each; object 6: 5 + 2 quarantined; object 7: the salvaged lines + the cut one.
    salvaged_from_cut = len(raw_lines(store)) - 5 * 4
    assert len(line_entries) == 2 + 1
    assert sorted(e.key for e in entries if e.line is None) == sorted([key(2), key(3)])
    assert salvaged_from_cut + 1 <= len(LINES) * 40
    assert after.records == len(raw_lines(store))  # every line in raw/ is one record
    for name in objects:
        assert list(store.list(f"{MOVED_OBJECTS_PREFIX}{name}")) or name == key(1)
    assert {s.key for s in store.list("quarantine/")} == {quarantine_key(key(n)) for n in (2, 3, 6, 7)}


def test_the_ledger_keeps_moves_and_forgets_deleted_objects(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    store.put(key(1), gzip.compress(TEXT))
    store.put(key(2), b"")
    sweep_lake(store)
    store.delete(key(1))
    sweep_lake(store)
    ledger = load_ledger(store)
    assert set(ledger) == {key(2)}
    assert ledger[key(2)]["outcome"] == MOVED


def test_a_damaged_ledger_is_one_clear_error(tmp_path: Any) -> None:
    from englake.errors import LakeError

    store = LocalStore(tmp_path)
    store.put(LEDGER_KEY, b"not gzip")
    with pytest.raises(LakeError, match=r"sweep ledger .* is damaged"):
        sweep_lake(store)


def test_records_read_after_the_sweep_name_their_salvage_object(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    store.put(key(1), TEXT)
    (move,) = sweep_lake(store).moves
    records = [item for item in read_lake(store) if isinstance(item, LakeRecord)]
    assert [r.text for r in records] == LINES
    assert {r.key for r in records} == {move.salvage_key}


def test_stored_objects_carry_a_version(store: LakeStore) -> None:
    store.put(key(1), TEXT)
    (stored,) = list(store.list("raw/"))
    assert isinstance(stored, StoredObject)
    assert stored.version


def test_a_line_holding_ctrl_a_is_quarantined(store: LakeStore) -> None:
    """Ctrl-A is the field delimiter of both text readers: DuckDB's read_csv fails on the whole glob."""
    store.put(key(1), gzip.compress(f"{LINES[0]}\n".encode() + b'{"event_type":"_email.send","x":"a\x01b"}\n'))
    (move,) = sweep_lake(store).moves
    assert move.outcome == SALVAGED
    (entry,) = sweep_entries(store)
    assert entry.line == 2
    assert entry.reason.startswith("control character U+0001 in line")
    assert raw_lines(store) == LINES[:1]


def test_zero_padding_after_the_gzip_stream_is_re_landed_without_it(store: LakeStore) -> None:
    store.put(key(1), gzip.compress(TEXT) + b"\x00" * 16)
    (move,) = sweep_lake(store).moves
    assert (move.outcome, move.why, move.quarantined) == (SALVAGED, "zero bytes after the gzip stream", 0)
    assert raw_lines(store) == LINES


def test_two_gzip_members_are_one_readable_object() -> None:
    assert examine(key(1), gzip.compress(TEXT[:60]) + gzip.compress(TEXT[60:])).outcome == "ok"


def test_foreign_bytes_after_the_gzip_stream_make_it_corrupt() -> None:
    verdict = examine(key(1), gzip.compress(TEXT) + b"trailing junk")
    assert verdict.outcome == MOVED
    assert [e.reason for e in verdict.entries] == [CORRUPT_GZIP]


def test_generate_replace_keeps_moved_objects_and_forgets_the_ledger(tmp_path: Any) -> None:
    from ingest.generator import clear_synthetic

    store = LocalStore(tmp_path)
    store.put(key(1), b"")
    store.put(key(2), gzip.compress(TEXT))
    sweep_lake(store)
    clear_synthetic(store)
    assert [s.key for s in store.list("")] == [f"{MOVED_OBJECTS_PREFIX}{key(1)}"]


def test_salvage_objects_are_not_read_again_by_the_next_sweep(store: LakeStore) -> None:
    store.put(key(1), TEXT)  # plain text named .gz: salvaged
    (move,) = sweep_lake(store).moves
    counting = CountingStore(store)
    again = sweep_lake(counting)  # type: ignore[arg-type]
    assert (again.objects, again.checked, again.already_checked, counting.gets) == (1, 0, 1, 0)
    assert load_ledger(store)[move.salvage_key or ""]["outcome"] == "ok"
