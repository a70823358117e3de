"""The tolerant reader on every odd shape a Firehose lake holds: nothing is dropped, counts are exact."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from englake.storage import LakeStore, LocalStore, open_lake
from ingest.classify import UNRECOGNIZED, classify, is_known_event_type, producer_of
from ingest.layout import RAW_PREFIXES, STREAM_NAMES, Producer, object_key
from ingest.quarantine import MAX_RECORD_CHARS, QuarantineEntry, quarantine_key, read_quarantine
from ingest.reader import (
    JSON_TOO_DEEP,
    MAX_JSON_DEPTH,
    LakeRecord,
    ScanReport,
    inspect_lake,
    read_bytes,
    read_lake,
    split_line,
    too_deep,
)

ARRIVAL = datetime(2026, 2, 3, 4, 5, 6)

PP_SEND = '{"event_type":"_email.send","arrival_timestamp":1}'
PP_OPEN = '{"event_type":"_email.open","arrival_timestamp":2}'
PP_SMS = '{"event_type":"_SMS.SUCCESS","attributes":{"customer_context":"{\\"userId\\":\\"u1\\"}"}}'
PP_CLICK = '{"event_type":"_email.click"}'
PP_FUTURE = '{"event_type":"_email.future_kind"}'
SES_SEND = '{"eventType":"Send","mail":{"messageId":"a"},"send":{}}'
SES_OPEN = '{"eventType":"Open","mail":{"messageId":"a"},"open":{"timestamp":"2017-08-05T00:41:02.669Z"}}'
SES_NOTIFICATION = '{"notificationType":"Bounce","mail":{"messageId":"b"},"bounce":{}}'
SMS_OK = '{"eventType":"TEXT_DELIVERED","messageId":"s1","eventTimestamp":1686975103470}'
SMS_FUTURE = '{"eventType":"TEXT_TELEPATHY","messageId":"s2"}'


def key(producer: Producer, n: int, *, gz: bool = True) -> str:
    return object_key(
        RAW_PREFIXES[producer], STREAM_NAMES[producer], ARRIVAL, gzip=gz, object_id=uuid.UUID(int=n, version=4)
    )


PINPOINT_A = [
    PP_SEND,  # line 1
    PP_OPEN,  # 2
    "",  # 3 blank
    "  \t",  # 4 blank
    PP_SMS,  # 5
    PP_CLICK + PP_CLICK,  # 6: two records run together
    PP_FUTURE,  # 7: unknown type, still an event
    '{"event_type":"_email.send","trunc',  # 8: invalid JSON
    "[1,2]",  # 9: not an object
    "42",  # 10: not an object
    '{"hello":"world"}',  # 11: no producer
    SES_SEND,  # 12: an SES event under the Pinpoint prefix
]


def crafted_objects() -> dict[str, bytes]:
    """A lake of every shape; the expected numbers below are counted by hand from these bytes."""
    pinpoint_a = "\n".join(PINPOINT_A)
    return {
        # gzip, newline-delimited, with a trailing newline
        key(Producer.PINPOINT, 1): gzip.compress((pinpoint_a + "\n").encode()),
        # plain, records run together on one line without a final newline, the last one cut short
        key(Producer.SES, 2, gz=False): (
            SES_SEND + SES_OPEN + " " + SES_NOTIFICATION + '{"eventType":"Send","mail":{'
        ).encode(),
        # gzip with CRLF line ends
        key(Producer.SMS, 3): gzip.compress(f"{SMS_OK}\r\n{SMS_OK}\r\n{SMS_FUTURE}\r\n".encode()),
        # gzip magic, then garbage
        key(Producer.SMS, 4): b"\x1f\x8b\x08\x00garbage",
        # named .gz but not compressed: Athena would choke; the reader reads it and says so
        key(Producer.PINPOINT, 5): f"{PP_OPEN}\n".encode(),
        # two gzip members concatenated (a valid gzip stream)
        key(Producer.PINPOINT, 6): gzip.compress(f"{PP_SEND}\n".encode()) + gzip.compress(f"{PP_CLICK}\n".encode()),
        # a line that is not UTF-8, then a good one
        key(Producer.SES, 7, gz=False): b'{"eventType":"Send","mail":{"x":"\xff\xfe"}}\n' + f"{SES_SEND}\n".encode(),
        # a truncated record run together with a complete one: the complete one survives
        key(Producer.PINPOINT, 8): gzip.compress(('{"event_type":"_email.send","x":{"a":1}' + PP_OPEN + "\n").encode()),
        # an object that is not named as Firehose names them
        "raw/sms/manual-upload.json": f"{SMS_OK}\n".encode(),
    }


EXPECTED_QUARANTINE = {
    "invalid JSON: Unterminated string starting at": 1,  # pinpoint A line 8
    "not a JSON object: array": 1,
    "not a JSON object: number": 1,
    UNRECOGNIZED: 1,
    "invalid JSON: Expecting property name enclosed in double quotes": 1,  # SES object 2, the cut record
    "unreadable object: corrupt gzip": 1,  # SMS object 4
    "invalid UTF-8": 1,  # SES object 7 line 1
    "invalid JSON: Expecting ',' delimiter": 1,  # pinpoint object 8, the truncated record
}
EXPECTED_PARSED = {
    # A: send, open, sms, click, click, future = 6 (+1 SES); object 5: open; object 6: send, click; object 8: open
    Producer.PINPOINT: 6 + 1 + 2 + 1,
    # A's misfiled send; object 2: send, open, notification; object 7: send
    Producer.SES: 1 + 3 + 1,
    # object 3: 3; manual upload: 1
    Producer.SMS: 3 + 1,
}


@pytest.fixture
def store(local_or_s3_lake: LakeStore) -> LakeStore:
    return local_or_s3_lake


def fill(store: LakeStore) -> None:
    for name, data in crafted_objects().items():
        store.put(name, data)


def test_crafted_lake_reconciles_with_exact_counts(store: LakeStore) -> None:
    fill(store)
    report = inspect_lake(store)
    assert report.objects == 9
    assert report.unreadable_objects == 1
    assert report.non_firehose_keys == 1
    assert report.compression_mismatches == 1
    assert report.blank_lines == 2
    # non-blank lines: A 10, SES-2 1, SMS-3 3, P-5 1, P-6 2, SES-7 2, P-8 1, manual 1
    assert report.lines == 10 + 1 + 3 + 1 + 2 + 2 + 1 + 1
    assert report.run_together_lines == 3  # A line 6, SES object 2, pinpoint object 8
    assert dict(report.parsed) == EXPECTED_PARSED
    assert dict(report.quarantined) == EXPECTED_QUARANTINE
    records_in = sum(EXPECTED_PARSED.values()) + sum(EXPECTED_QUARANTINE.values())
    assert records_in == 19 + 8
    assert report.records == records_in == report.parsed_total + report.quarantined_total
    assert report.reconciles
    assert report.unknown_types == {(Producer.PINPOINT, "_email.future_kind"): 1, (Producer.SMS, "TEXT_TELEPATHY"): 1}
    assert report.by_type[(Producer.PINPOINT, "_email.click")] == 3
    assert report.by_type[(Producer.SES, "Bounce")] == 1  # notificationType counts as the event type
    assert report.misfiled == {(Producer.PINPOINT, Producer.SES): 1}


def test_records_carry_their_object_line_and_byte_offset(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    fill(store)
    a = key(Producer.PINPOINT, 1)
    from_a = [item for item in read_lake(store) if item.key == a]
    starts = [sum(len(line) + 1 for line in PINPOINT_A[:i]) for i in range(len(PINPOINT_A))]
    assert [(item.line, item.offset) for item in from_a] == [
        (1, starts[0]),
        (2, starts[1]),
        (5, starts[4]),
        (6, starts[5]),
        (6, starts[5] + len(PP_CLICK)),
        *[(n, starts[n - 1]) for n in range(7, 13)],
    ]
    clicks = [i for i in from_a if isinstance(i, LakeRecord) and i.event_type == "_email.click"]
    body = gzip.decompress(store.get(a))
    for click in clicks:
        assert body[click.offset : click.offset + len(PP_CLICK)].decode() == click.text == PP_CLICK
    quarantined = [i for i in from_a if isinstance(i, QuarantineEntry)]
    assert [(q.line, q.reason) for q in quarantined] == [
        (8, "invalid JSON: Unterminated string starting at"),
        (9, "not a JSON object: array"),
        (10, "not a JSON object: number"),
        (11, UNRECOGNIZED),
    ]
    for q in quarantined:
        assert q.offset is not None
        assert q.record is not None
        assert body[q.offset : q.offset + len(q.record.encode())].decode() == q.record
        assert q.source == a  # the key relative to the lake root, wherever the lake is mounted


def test_cut_record_run_together_with_a_complete_one(tmp_path: Any) -> None:
    line = '{"event_type":"_email.send","x":{"a":1}' + PP_OPEN
    pieces = list(split_line(line))
    assert [(index, text) for index, text, _ in pieces] == [
        (0, line[: line.index(PP_OPEN)]),
        (len(line) - len(PP_OPEN), PP_OPEN),
    ]
    assert isinstance(pieces[0][2], json.JSONDecodeError)
    assert pieces[1][2] == json.loads(PP_OPEN)


def test_unreadable_object_is_quarantined_whole_and_the_scan_goes_on(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    bad, good = key(Producer.SMS, 1), key(Producer.SMS, 2)
    store.put(bad, b"\x1f\x8bnot really gzip")
    store.put(good, gzip.compress(f"{SMS_OK}\n".encode()))
    items = list(read_lake(store))
    assert [type(i).__name__ for i in items] == ["QuarantineEntry", "LakeRecord"]
    entry = items[0]
    assert isinstance(entry, QuarantineEntry)
    assert (entry.key, entry.line, entry.offset, entry.record) == (bad, None, None, None)
    assert entry.reason == "unreadable object: corrupt gzip"
    assert entry.detail.startswith("BadGzipFile")


@mock_aws
def test_an_s3_object_that_cannot_be_fetched_is_quarantined() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="gone")
    store = open_lake("s3://gone", s3)
    report = ScanReport()
    (entry,) = list(read_lake(store, report, objects=[type("Stored", (), {"key": "raw/ses/missing.gz"})()]))
    assert isinstance(entry, QuarantineEntry)
    assert entry.reason == "unreadable object: cannot fetch"
    assert (report.objects, report.unreadable_objects, report.records, report.quarantined_total) == (1, 1, 1, 1)


def test_quarantine_is_written_next_to_nothing_else_and_rewriting_is_idempotent(store: LakeStore) -> None:
    fill(store)
    first = inspect_lake(store, write=True)
    entries = list(read_quarantine(store))
    assert len(entries) == first.quarantined_total == 8
    assert first.quarantine_objects_written == 5  # pinpoint A, SES 2, SMS 4, SES 7, pinpoint 8
    keys = sorted(s.key for s in store.list("quarantine/"))
    assert quarantine_key(key(Producer.PINPOINT, 1)) in keys
    assert all(k.startswith("quarantine/raw/") and k.endswith(".ndjson") for k in keys)
    second = inspect_lake(store, write=True)
    assert sorted(s.key for s in store.list("quarantine/")) == keys
    again = list(read_quarantine(store))
    assert len(again) == second.quarantined_total == 8
    assert sorted(map(_where_and_why, again), key=str) == sorted(map(_where_and_why, entries), key=str)
    # The quarantine is never read as raw data.
    assert inspect_lake(store).records == first.records


def _where_and_why(entry: QuarantineEntry) -> tuple[Any, ...]:
    return (entry.source, entry.key, entry.line, entry.offset, entry.reason, entry.record)


def test_a_cleaned_object_loses_its_stale_quarantine(tmp_path: Any) -> None:
    store = LocalStore(tmp_path)
    name = key(Producer.PINPOINT, 1)
    store.put(name, b"not json\n")
    inspect_lake(store, write=True)
    assert [s.key for s in store.list("quarantine/")] == [quarantine_key(name)]
    store.put(name, f"{PP_SEND}\n".encode())
    report = inspect_lake(store, write=True)
    assert report.quarantined_total == 0
    assert list(store.list("quarantine/")) == []


def test_long_records_are_cut_in_the_quarantine_and_flagged() -> None:
    text = "x" * (MAX_RECORD_CHARS + 10)
    (entry,) = list(read_bytes(text.encode(), "raw/pinpoint/k"))
    assert isinstance(entry, QuarantineEntry)
    assert entry.truncated
    assert entry.record == text[:MAX_RECORD_CHARS]
    assert QuarantineEntry.from_json(entry.to_json()) == entry


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"event_type": "_email.send"}, Producer.PINPOINT),
        ({"event_type": "custom", "eventType": "Send", "mail": {}}, Producer.PINPOINT),  # the first rule wins
        ({"eventType": "Open", "mail": {}}, Producer.SES),
        ({"notificationType": "Bounce", "mail": {}}, Producer.SES),
        ({"eventType": "TEXT_SUCCESSFUL", "messageId": "m"}, Producer.SMS),
        ({"eventType": "TEXT_SUCCESSFUL", "messageId": "m", "mail": None}, Producer.SMS),  # null is absent
        ({"event_type": 5}, None),  # event_type must be a string
        ({"eventType": "Open", "mail": "not an object"}, None),
        ({"eventType": "TEXT_SUCCESSFUL"}, None),  # no messageId
        ({"notificationType": "Bounce", "messageId": "m"}, None),  # SMS needs eventType
        ({"eventType": None, "messageId": "m"}, None),
        ([{"event_type": "_email.send"}], None),
    ],
)
def test_classification_rule(value: Any, expected: Producer | None) -> None:
    assert producer_of(value) == expected
    if expected is None:
        assert isinstance(classify(value), str)


@pytest.mark.parametrize(
    ("producer", "event_type", "known"),
    [
        (Producer.PINPOINT, "_email.rendering_failure", True),
        (Producer.PINPOINT, "PlayedTrack", True),  # an app's custom event: its name is the app's choice
        (Producer.PINPOINT, "_SMS.RECEIVED", False),  # not a documented Pinpoint type (event-formats.md gotcha 13)
        (Producer.SES, "Rendering Failure", True),
        (Producer.SES, "RenderingFailure", False),
        (Producer.SMS, "TEXT_PROTECT_BLOCKED", True),
        (Producer.SMS, "TEXT_ALL", False),  # a selector for event destinations, never an event
    ],
)
def test_known_event_types(producer: Producer, event_type: str, known: bool) -> None:
    assert is_known_event_type(producer, event_type) is known


def test_moving_the_lake_folder_changes_no_record_and_no_quarantine_entry(tmp_path: Any) -> None:
    """Issue 9: record identity held the absolute object path, so a moved lake double-counted."""
    first = LocalStore(tmp_path / "here")
    fill(first)
    inspect_lake(first, write=True)
    (tmp_path / "here").rename(tmp_path / "there")
    moved = LocalStore(tmp_path / "there")
    again = LocalStore(tmp_path / "elsewhere")
    fill(again)
    inspect_lake(again, write=True)

    def seen(store: LakeStore) -> list[Any]:
        items = list(read_lake(store))
        return [(type(i).__name__, *_where_and_why(i)) if isinstance(i, QuarantineEntry) else i for i in items]

    assert seen(moved) == seen(again)

    def written(store: LakeStore) -> list[Any]:
        return sorted(map(_where_and_why, read_quarantine(store)), key=str)

    assert written(moved) == written(again)
    assert all(not entry.source.startswith("/") for entry in read_quarantine(moved))


def test_deeply_nested_json_is_quarantined_not_a_recursion_error() -> None:
    """Issue 9: `inspect` raised RecursionError on deeply nested JSON."""
    deep = "[" * 100_000 + "]" * 100_000
    not_json = "{" * 100_000  # unterminated as well as deep
    ok = '{"event_type":"_email.send","x":' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    data = "\n".join([PP_SEND, deep, not_json, ok, PP_OPEN]).encode()
    report = ScanReport()
    items = list(read_bytes(data, "raw/pinpoint/k", report))
    assert [(i.line, i.reason) for i in items if isinstance(i, QuarantineEntry)] == [
        (2, JSON_TOO_DEEP),
        (3, JSON_TOO_DEEP),
    ]
    assert [i.line for i in items if isinstance(i, LakeRecord)] == [1, 4, 5]  # exactly the limit still reads
    assert report.reconciles


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[" * (MAX_JSON_DEPTH + 1), True),
        ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, False),
        ('{"a":"' + "[" * (MAX_JSON_DEPTH + 5) + '"}', False),  # brackets inside a string are text
        ('{"a":"\\"' + "[" * 3 + '"}', False),
        ("[{}]" * (MAX_JSON_DEPTH * 3), False),  # many, but side by side
    ],
)
def test_depth_counts_nesting_outside_strings(text: str, deep: bool) -> None:
    assert too_deep(text.encode()) is deep


@pytest.mark.parametrize(
    ("record", "producer", "event_type"),
    [
        ('{"eventType":null,"messageId":"m1"}', None, None),  # null is absent: no eventType, not SMS
        ('{"eventType":null,"notificationType":"Bounce","mail":{"messageId":"b"}}', Producer.SES, "Bounce"),
        ('{"event_type":null,"eventType":"TEXT_DELIVERED","messageId":"m2"}', Producer.SMS, "TEXT_DELIVERED"),
        ('{"eventType":"TEXT_DELIVERED","messageId":null}', None, None),
        ('{"eventType":"Open","mail":null,"messageId":"m3"}', Producer.SMS, "Open"),
    ],
)
def test_json_null_counts_as_absent_when_reading(
    record: str, producer: Producer | None, event_type: str | None
) -> None:
    (item,) = list(read_bytes(record.encode(), "raw/sms/k"))
    if producer is None:
        assert isinstance(item, QuarantineEntry)
        assert item.reason == UNRECOGNIZED
    else:
        assert isinstance(item, LakeRecord)
        assert (item.producer, item.event_type) == (producer, event_type)


def test_a_quarantine_object_with_invalid_utf8_still_lists() -> None:
    """Issue 9: a damaged byte in a quarantine object made `lake quarantine` print a traceback."""
    store = _memory_store()
    entry = QuarantineEntry.make(
        source="raw/ses/k.gz", key="raw/ses/k.gz", line=3, offset=10, reason="invalid JSON", record="caf"
    )
    store.put("quarantine/raw/ses/k.gz.ndjson", entry.to_json().encode().replace(b'"caf"', b'"caf\xe9"') + b"\n")
    (read,) = list(read_quarantine(store))
    assert read.record == "caf\ufffd"
    assert (read.source, read.line, read.reason) == ("raw/ses/k.gz", 3, "invalid JSON")


def _memory_store() -> LakeStore:
    import tempfile

    return LocalStore(tempfile.mkdtemp())


#: Event types as event-formats.md documents them (§1.2–§1.6 Pinpoint, §2.1 SES, §3.1 End User Messaging).
DOCUMENTED_TYPES: dict[Producer, list[str]] = {
    Producer.PINPOINT: [
        *(
            f"_email.{t}"
            for t in ["send", "delivered", "rejected", "hardbounce", "softbounce", "complaint", "open", "click"]
        ),
        "_email.unsubscribe",
        "_email.rendering_failure",
        *(f"_SMS.{t}" for t in ["BUFFERED", "SUCCESS", "FAILURE", "OPTOUT"]),
        *(f"_campaign.{t}" for t in ["send", "opened_notification", "received_foreground", "received_background"]),
        "_journey.send",
        *(f"_session.{t}" for t in ["start", "stop", "pause", "resume"]),
        *(f"_userauth.{t}" for t in ["sign_in", "sign_up", "auth_fail"]),
        "_monetization.purchase",
    ],
    Producer.SES: [
        "Bounce",
        "Complaint",
        "Delivery",
        "Send",
        "Reject",
        "Open",
        "Click",
        "Rendering Failure",
        "DeliveryDelay",
        "Subscription",
    ],
    Producer.SMS: [
        *(
            f"TEXT_{t}"
            for t in [
                "DELIVERED",
                "SUCCESSFUL",
                "QUEUED",
                "PENDING",
                "BLOCKED",
                "TTL_EXPIRED",
                "CARRIER_UNREACHABLE",
                "INVALID",
                "INVALID_MESSAGE",
                "CARRIER_BLOCKED",
                "UNREACHABLE",
                "SPAM",
                "UNKNOWN",
                "PROTECT_BLOCKED",
                "SENT",
            ]
        ),
        *(
            f"VOICE_{t}"
            for t in ["INITIATED", "RINGING", "ANSWERED", "COMPLETED", "BUSY", "NO_ANSWER", "FAILED", "TTL_EXPIRED"]
        ),
        *(f"MEDIA_{t}" for t in ["FILE_INACCESSIBLE", "FILE_TYPE_UNSUPPORTED", "FILE_SIZE_EXCEEDED"]),
    ],
    # Meta's WhatsApp message statuses as End User Messaging Social delivers them, and an inbound message.
    Producer.SOCIAL: ["sent", "delivered", "read", "failed", "message"],
    # The engagement-database sample's <channel>:<status> (ingest/classify.py, engagementdb_event_type).
    Producer.ENGAGEMENTDB: [
        "email:Send",
        "email:Delivery",
        "email:Bounce.Permanent",
        "email:Complaint",
        "text:TEXT_DELIVERED",
        "media:MEDIA_SUCCESSFUL",
        "voice:VOICE_COMPLETED",
        "whatsapp:read",
        "whatsapp:message",
    ],
}
#: RCS event types of the End User Messaging EventType enum (API_EventDestination), which inspect knew and dbt did not.
RCS_TYPES = [
    f"RCS_{t}"
    for t in ["QUEUED", "SENT", "DELIVERED", "READ", "FAILED", "TTL_EXPIRED", "PROTECT_BLOCKED", "FALLEN_BACK_TO_SMS"]
]


@pytest.mark.parametrize("producer", list(Producer))
def test_every_documented_event_type_is_in_the_one_seed(producer: Producer) -> None:
    """Issue 10: the reader's lists and the models' seed disagreed; now the seed is the only list."""
    from ingest.classify import known_event_types

    missing = [t for t in DOCUMENTED_TYPES[producer] if not is_known_event_type(producer, t)]
    assert missing == []
    assert set(DOCUMENTED_TYPES[producer]) <= known_event_types()[producer] | {"Subscription"}


def test_rcs_event_types_are_in_the_seed() -> None:
    assert [t for t in RCS_TYPES if not is_known_event_type(Producer.SMS, t)] == []


def test_the_reader_knows_exactly_the_seeds_event_types(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """One list: a row added to the seed (any extra column) is known to the reader, a row removed is not."""
    import csv

    from ingest import classify

    seed = Path(classify.seed_path(classify.EVENT_TYPES_SEED))
    rows = list(csv.DictReader(seed.open()))
    assert {"producer", "raw_event_type"} <= set(rows[0])
    assert any(r["producer"] == "pinpoint" and r["raw_event_type"] == "_test.event" for r in rows)
    copy = tmp_path / "seeds" / "event_types.csv"
    copy.parent.mkdir()
    with copy.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["extra", *rows[0]])
        writer.writeheader()
        for row in rows:
            if row["raw_event_type"] != "_email.open":
                writer.writerow({"extra": "x", **row})
        writer.writerow({"extra": "y", "producer": "sms", "raw_event_type": "TEXT_TELEPATHY"})
    monkeypatch.setattr(classify, "seed_path", lambda name: tmp_path / "seeds" / f"{name}.csv")
    classify.known_event_types.cache_clear()
    try:
        assert is_known_event_type(Producer.SMS, "TEXT_TELEPATHY")
        assert not is_known_event_type(Producer.PINPOINT, "_email.open")
        assert is_known_event_type(Producer.PINPOINT, "_test.event")  # dbt knew it; now the reader does too
    finally:
        classify.known_event_types.cache_clear()
