"""The messy parts, per fault kind: malformed and unclassifiable lines, unknown event types, late and
duplicate delivery, new fields; every line classifies as its stream and the line counts match the truth."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from ingest.generator import RawRecord, SyntheticLake
from ingest.layout import Producer
from ingest.synthetic.records import NEW_FIELDS
from tests.generator.contract import (
    CONFIG,
    classify,
    event_time,
    has,
    ms,
    raw_type,
    view_of,
)

# --------------------------------------------------------------------------------------------------------------
# Classification and ground-truth line counts


def test_every_line_classifies_as_its_stream(lake: SyntheticLake, parsed: list[tuple[RawRecord, Any]]) -> None:
    malformed = unclassifiable = 0
    for r, obj in parsed:
        producer = classify(obj)
        if not isinstance(obj, dict):
            malformed += 1  # json cannot parse it, or it is not an object (array, number)
            assert r.producer is None or obj is None  # truncated JSON keeps its stream; other garbage has none
        elif producer is None:
            unclassifiable += 1
            assert r.producer is None
        else:
            assert r.producer == Producer(producer)
    truth = lake.truth
    assert malformed == truth.malformed_records >= 4
    assert unclassifiable == truth.unclassifiable_records >= 3
    kinds = {type(obj).__name__ for _, obj in parsed if not isinstance(obj, dict)}
    assert {"NoneType", "list", "int"} <= kinds  # truncated/plain text, array, bare number


def test_line_counts_match_truth(lake: SyntheticLake, records: list[RawRecord]) -> None:
    truth = lake.truth
    assert truth.records_written == len(records)
    by_producer = Counter(r.producer.value if r.producer else "unknown" for r in records)
    assert dict(by_producer) == truth.records_by_producer
    lines = Counter(r.line for r in records)
    assert sum(n - 1 for n in lines.values()) == truth.duplicate_records
    assert 0.005 * len(records) < truth.duplicate_records < 0.02 * len(records)


def test_unknown_event_types(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    unknown = lake.truth.unknown_event_types
    assert set(unknown) == {"pinpoint:_email.future_thing", "ses:FutureThing", "sms:TEXT_FUTURE_STATUS"}
    assert all(n >= 2 for n in unknown.values())
    for key, n in unknown.items():
        producer, kind = key.split(":", 1)
        assert sum(1 for p, obj in distinct if p == producer and raw_type(p, obj) == kind) == n
        assert all(view_of(p, obj) is None for p, obj in distinct if p == producer and raw_type(p, obj) == kind)


def test_late_records_and_duplicates(lake: SyntheticLake, valid: list[tuple[RawRecord, str, dict[str, Any]]]) -> None:
    late = sum(1 for r, p, obj in valid if ms(r.arrival) - event_time(p, obj) >= 3_600_000)
    assert late == lake.truth.late_records
    lags = [ms(r.arrival) - event_time(p, obj) for r, p, obj in valid]
    assert any(lag >= 24 * 3_600_000 for lag in lags)  # some arrive days later
    # carrier receipts up to 72 hours after the request
    eum = [obj for _, p, obj in valid if p == "sms" and obj["isFinal"]]
    assert any(o["eventTimestamp"] - o["messageRequestTimestamp"] >= 72 * 3_600_000 for o in eum)
    # a duplicate can land in a later Firehose hour (another object, another folder)
    first_seen: dict[str, datetime] = {}
    crossed = 0
    for r, _, _ in valid:
        if r.line in first_seen and r.arrival.replace(minute=0, second=0, microsecond=0) != first_seen[r.line]:
            crossed += 1
        first_seen.setdefault(r.line, r.arrival.replace(minute=0, second=0, microsecond=0))
    assert crossed > 0


def test_arrival_is_never_before_event_time(valid: list[tuple[RawRecord, str, dict[str, Any]]]) -> None:
    start, end = CONFIG.window()
    quirks = 0
    for r, p, obj in valid:
        t = event_time(p, obj)
        assert ms(start) <= t < ms(end)
        assert ms(r.arrival) >= t, r.line
        if p == "pinpoint":
            assert ms(r.arrival) >= obj["arrival_timestamp"]
            if obj["arrival_timestamp"] < obj["event_timestamp"]:
                assert obj["event_type"].startswith("_SMS.")  # the documented quirk, nowhere else
                quirks += 1
    assert quirks > 0


def test_new_fields_are_present_where_truth_says(
    lake: SyntheticLake, valid: list[tuple[RawRecord, str, dict[str, Any]]]
) -> None:
    carrying = [(p, obj) for _, p, obj in valid if any(has(obj, path) for path in NEW_FIELDS[p])]
    assert len(carrying) == lake.truth.new_field_records >= 3
    assert {p for p, _ in carrying} == {"pinpoint", "ses", "sms", "social"}
    assert all(all(has(obj, path) for path in NEW_FIELDS[p]) for p, obj in carrying)  # top-level and nested
