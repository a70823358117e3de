"""``land`` takes records as people have them: AWS's pretty-printed examples, arrays, envelopes, gzip, junk."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from englake.errors import InputError
from englake.storage import LocalStore, open_lake
from ingest.inputs import (
    InputRecord,
    InputRejection,
    event_time,
    expand_paths,
    land_paths,
    parse_text,
    read_input,
)
from ingest.landing import BufferingHints
from ingest.layout import Producer, parse_object_key
from ingest.quarantine import input_quarantine_key, read_quarantine
from ingest.reader import inspect_lake

EXAMPLES = Path(__file__).parent / "fixtures" / "aws_examples"


def summary(path: Path | str) -> list[tuple[str, int | None, str]]:
    """(kind, line, event type or reason) of everything in a file."""
    return [
        ("record", item.line, item.event_type) if isinstance(item, InputRecord) else ("reject", item.line, item.reason)
        for item in read_input(path)
    ]


def test_pretty_printed_pinpoint_examples_one_after_another() -> None:
    assert summary(EXAMPLES / "pinpoint_email_examples.json") == [
        ("record", 1, "_email.delivered"),
        ("record", 74, "_email.send"),
        ("record", 140, "_email.click"),
        ("record", 214, "_email.open"),
    ]


def test_published_examples_with_invalid_json_are_rejected_and_the_rest_read() -> None:
    assert summary(EXAMPLES / "pinpoint_published.json") == [
        ("reject", 1, "invalid JSON: Expecting ',' delimiter"),  # the SMS example as published
        ("record", 36, "_SMS.SUCCESS"),
        ("reject", 71, "invalid JSON: Invalid control character at"),  # the campaign example's ↳ wraps
        ("record", 103, "_campaign.send"),
        ("record", 133, "_journey.send"),
        ("record", 165, "_session.stop"),
    ]
    first = next(iter(read_input(EXAMPLES / "pinpoint_published.json")))
    assert isinstance(first, InputRejection)
    assert first.detail == "Expecting ',' delimiter at line 29 column 5"  # "customer_context", after the gap
    assert first.text is not None
    assert first.text.startswith('{\n  "event_type": "_SMS.SUCCESS"')
    assert first.text.endswith('"awsAccountId": "123456789012"\n}')


def test_a_top_level_array_of_every_ses_event_type() -> None:
    items = list(read_input(EXAMPLES / "ses_event_publishing.json"))
    assert all(isinstance(item, InputRecord) and item.producer is Producer.SES for item in items)
    assert [item.event_type for item in items if isinstance(item, InputRecord)] == [
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
    ]
    assert [item.where for item in items][:2] == ["line 1, [0]", "line 1, [1]"]


def test_ses_notifications_inside_sns_envelopes() -> None:
    items = list(read_input(EXAMPLES / "ses_notifications_sns.ndjson"))
    assert [(i.line, i.where, i.event_type) for i in items if isinstance(i, InputRecord)] == [
        (1, "line 1, Message", "Bounce"),
        (2, "line 2, Message", "Complaint"),
        (3, "line 3, Message", "Delivery"),
    ]
    assert all(isinstance(i, InputRecord) for i in items)


def test_end_user_messaging_examples() -> None:
    assert summary(EXAMPLES / "eum_sms.json") == [
        ("record", 1, "TEXT_SUCCESSFUL"),
        ("reject", 24, "invalid JSON: Expecting ',' delimiter"),  # the Protect example as published
        ("reject", 58, "unrecognized producer"),  # a two-way inbound payload is not an event record
    ]


def test_pretty_printed_records_land_as_one_compact_line_and_ndjson_lines_verbatim() -> None:
    pretty = (EXAMPLES / "eum_sms.json").read_text().split("\n}\n")[0] + "\n}\n"
    ndjson = '{"eventType": "TEXT_PENDING",  "messageId": "m", "totalMessagePrice": 0.09582, "x": 1.0}\n'
    (a,) = [i for i in parse_text(pretty, "a") if isinstance(i, InputRecord)]
    (b,) = [i for i in parse_text(ndjson, "b") if isinstance(i, InputRecord)]
    assert "\n" not in a.text
    assert json.loads(a.text) == a.data
    assert a.text.startswith('{"eventType":"TEXT_SUCCESSFUL","eventVersion":"1.0","eventTimestamp":1686975103470,')
    assert b.text == ndjson.strip()  # byte for byte: spacing and 1.0 are kept


def _ses_example(n: int = 0) -> dict[str, Any]:
    return json.loads((EXAMPLES / "ses_event_publishing.json").read_text())[n]


def test_firehose_transformation_kinesis_and_sqs_envelopes() -> None:
    pinpoint = [i.data for i in read_input(EXAMPLES / "pinpoint_email_examples.json") if isinstance(i, InputRecord)]
    sms = next(i.data for i in read_input(EXAMPLES / "eum_sms.json") if isinstance(i, InputRecord))
    two = (json.dumps(pinpoint[0]) + "\n" + json.dumps(pinpoint[1]) + "\n").encode()
    firehose = {
        "invocationId": "inv-1",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/englake-pinpoint",
        "records": [
            {"recordId": "1", "approximateArrivalTimestamp": 1, "data": base64.b64encode(two).decode()},
            {"recordId": "2", "data": base64.b64encode(gzip.compress(json.dumps(sms).encode())).decode()},
            {"recordId": "3", "data": "***not base64***"},
        ],
    }
    kinesis = {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "kinesis": {"data": base64.b64encode(json.dumps(pinpoint[2]).encode()).decode()},
            }
        ]
    }
    sns_envelope = {
        "Type": "Notification",
        "TopicArn": "arn:aws:sns:us-east-1:1:t",
        "Message": json.dumps(_ses_example(2)),
    }
    sqs = {
        "Records": [
            {"eventSource": "aws:sqs", "messageId": "q1", "body": json.dumps(sns_envelope)},
            {"eventSource": "aws:sqs", "messageId": "q2", "body": "STOP"},
        ]
    }
    sns_lambda = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(_ses_example(5))}}]}
    text = "\n".join(json.dumps(envelope) for envelope in (firehose, kinesis, sqs, sns_lambda))
    got = [
        (i.line, i.where, i.event_type if isinstance(i, InputRecord) else i.reason) for i in parse_text(text, "events")
    ]
    assert got == [
        (1, "line 1, records[0].data", "_email.delivered"),
        (1, f"line 1, records[0].data (char {len(json.dumps(pinpoint[0])) + 1})", "_email.send"),
        (1, "line 1, records[1].data", "TEXT_SUCCESSFUL"),
        (1, "line 1, records[2].data", "invalid envelope payload: not base64"),
        (2, "line 2, Records[0].kinesis.data", "_email.click"),
        (3, "line 3, Records[0].body, Message", "Delivery"),
        (3, "line 3, Records[1].body", "invalid JSON: Expecting value"),
        (4, "line 4, Records[0].Sns.Message", "Open"),
    ]


def test_not_objects_and_unknown_objects_are_rejected_with_their_kind() -> None:
    text = '42\n"text"\nnull\n{"hello": "world"}\n{"event_type": "_email.send"}\n'
    got = [(i.line, i.event_type if isinstance(i, InputRecord) else i.reason) for i in parse_text(text, "t")]
    assert got == [
        (1, "not a JSON object: number"),
        (2, "not a JSON object: string"),
        (3, "not a JSON object: null"),
        (4, "unrecognized producer"),
        (5, "_email.send"),
    ]


def test_an_unreadable_file_is_one_rejection(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'{"event_type":"_email.send"}\n')[:15])
    (item,) = list(read_input(broken))
    assert isinstance(item, InputRejection)
    assert item.reason == "unreadable input: corrupt gzip"
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{"event_type": "caf\xe9"}'.encode("latin-1"))
    (item,) = list(read_input(latin))
    assert isinstance(item, InputRejection)
    assert item.reason == "unreadable input: not UTF-8 text"


@pytest.mark.parametrize(
    ("producer", "record", "expected"),
    [
        (
            Producer.PINPOINT,
            {"arrival_timestamp": 1564618622690, "event_timestamp": 1},
            datetime(2019, 8, 1, 0, 17, 2, 690000),
        ),
        (Producer.PINPOINT, {"event_timestamp": 1564618621380}, datetime(2019, 8, 1, 0, 17, 1, 380000)),
        (
            Producer.SES,
            {
                "eventType": "Open",
                "mail": {"timestamp": "2017-08-05T00:40:02.012Z"},
                "open": {"timestamp": "2017-08-05T01:00:00.5Z"},
            },
            datetime(2017, 8, 5, 1, 0, 0, 500000),
        ),
        (
            Producer.SES,
            {"eventType": "Send", "mail": {"timestamp": "2016-10-14T05:02:16.645Z"}, "send": {}},
            datetime(2016, 10, 14, 5, 2, 16, 645000),
        ),
        (
            Producer.SES,
            {"eventType": "Rendering Failure", "mail": {"timestamp": "2018-01-22T18:43:06.197Z"}, "failure": {}},
            datetime(2018, 1, 22, 18, 43, 6, 197000),
        ),
        (
            Producer.SES,
            {"notificationType": "Bounce", "mail": {"timestamp": "2018-10-08T14:05:45 +0000"}, "bounce": {}},
            datetime(2018, 10, 8, 14, 5, 45),
        ),
        (Producer.SES, {"eventType": "Send", "mail": {"timestamp": "yesterday"}}, None),
        (Producer.SMS, {"eventTimestamp": 1686975103470}, datetime(2023, 6, 17, 4, 11, 43, 470000)),
        (Producer.SMS, {"eventTimestamp": "soon"}, None),
    ],
)
def test_event_time_for_arrival_from_event(
    producer: Producer, record: dict[str, Any], expected: datetime | None
) -> None:
    assert event_time(producer, record) == expected


def test_expand_paths_walks_folders_and_names_missing_inputs(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "2.json").write_text("{}")
    (tmp_path / "a" / "1.json").write_text("{}")
    (tmp_path / "a" / ".hidden").write_text("{}")
    assert expand_paths([tmp_path / "a"]) == [tmp_path / "a" / "1.json", tmp_path / "a" / "b" / "2.json"]
    with pytest.raises(InputError, match=r"input file .*missing\.json does not exist"):
        expand_paths([tmp_path / "a", tmp_path / "missing.json"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no input files in folder"):
        expand_paths([tmp_path / "empty"])


def test_landing_the_examples_folder_by_event_time(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "lake")
    result = land_paths([EXAMPLES], store, arrival_from_event=True)
    assert result.files == 5
    assert dict(result.found) == {Producer.PINPOINT: 8, Producer.SES: 13, Producer.SMS: 1}
    assert dict(result.rejected) == {
        "invalid JSON: Expecting ',' delimiter": 2,
        "invalid JSON: Invalid control character at": 1,
        "unrecognized producer": 1,
    }
    assert result.arrival_fallbacks == 0
    totals = result.landing.totals()
    # Pinpoint: the four email examples arrive within two minutes (one object); four more on other days.
    assert (totals[Producer.PINPOINT].objects, totals[Producer.PINPOINT].records) == (5, 8)
    assert (totals[Producer.SES].objects, totals[Producer.SES].records) == (10, 13)
    assert (totals[Producer.SMS].objects, totals[Producer.SMS].records) == (1, 1)
    keys = sorted(o.key for o in result.landing.objects)
    assert any(k.startswith("raw/pinpoint/2019/08/01/00/englake-pinpoint-1-2019-08-01-00-17-02-") for k in keys)
    notifications = [o for o in result.landing.objects if o.key.startswith("raw/ses/2016/01/27/14/")]
    assert [(n.records, parse_object_key(n.key).arrival) for n in notifications] == [  # type: ignore[union-attr]
        (3, datetime(2016, 1, 27, 14, 59, 38))
    ]
    # Read back: every landed record is an event, and the rejections are in the input quarantine.
    report = inspect_lake(store)
    assert dict(report.parsed) == dict(result.found)
    assert report.quarantined_total == 0
    quarantined = list(read_quarantine(store))
    assert len(quarantined) == 4
    assert {q.source for q in quarantined} == {
        str((EXAMPLES / "pinpoint_published.json").resolve()),
        str((EXAMPLES / "eum_sms.json").resolve()),
    }
    assert input_quarantine_key(EXAMPLES / "eum_sms.json") in result.quarantine_keys


def test_landing_again_replaces_the_input_quarantine(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    source.write_text('{"event_type":"_email.send"}\nnot json\n')
    store = LocalStore(tmp_path / "lake")
    for _ in range(2):
        result = land_paths([source], store, arrival=datetime(2026, 1, 1, 12, 0), hints=BufferingHints())
    assert result.landing.records == 1
    assert [q.reason for q in read_quarantine(store)] == ["invalid JSON: Expecting value"]
    assert (
        inspect_lake(store).parsed[Producer.PINPOINT] == 2
    )  # each landing delivers the record again, as Firehose would
    source.write_text('{"event_type":"_email.send"}\n')
    land_paths([source], store, arrival=datetime(2026, 1, 1, 12, 0))
    assert list(read_quarantine(store)) == []


def test_records_without_an_event_time_arrive_at_the_given_arrival(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    source.write_text(
        '{"event_type":"_custom.thing"}\n{"event_type":"_email.send","arrival_timestamp":1564618622690}\n'
    )
    store = LocalStore(tmp_path / "lake")
    result = land_paths([source], store, arrival=datetime(2026, 1, 1, 12, 0), arrival_from_event=True)
    assert result.arrival_fallbacks == 1
    # Sorted by arrival before landing: the 2019 record first, the one without a time at the given arrival.
    assert [(o.arrival, o.records) for o in result.landing.objects] == [
        (datetime(2019, 8, 1, 0, 17, 2, 690000), 1),
        (datetime(2026, 1, 1, 12, 0), 1),
    ]


@mock_aws
def test_landing_into_an_s3_lake() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="lake-bucket")
    store = open_lake("s3://lake-bucket/prod", s3)
    result = land_paths([EXAMPLES / "eum_sms.json"], store, arrival=datetime(2026, 5, 1, 8, 30))
    (landed,) = result.landing.objects
    assert landed.key.startswith("raw/sms/2026/05/01/08/englake-sms-1-2026-05-01-08-30-00-")
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket="lake-bucket")["Contents"])
    assert keys == sorted([f"prod/{landed.key}", f"prod/{input_quarantine_key(EXAMPLES / 'eum_sms.json')}"])
    assert [q.reason for q in read_quarantine(store)] == [
        "invalid JSON: Expecting ',' delimiter",
        "unrecognized producer",
    ]
