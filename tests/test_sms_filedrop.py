"""SMS from an S3 file drop (issue 11 item 2; reference spec §10 "Sending SMS Triggered by S3 File Drop").

S3, SQS (FIFO) and DynamoDB are moto; End User Messaging is the ``pinpoint-sms-voice-v2`` fake below a real client
(which throttles an identity that sends faster than its documented MPS). Known answers come from the files written
here. Each reference defect is named in its test.
"""

from __future__ import annotations

import csv
import io
import json

import boto3
import pytest
from moto import mock_aws

from englake.errors import InputError
from handlers.sms import handler
from handlers.sms.encoding import body_encoding
from handlers.sms.filedrop import ListQueue, S3Object, SqsRowQueue, intake_object, objects_from_event
from handlers.sms.pacing import Pacer, documented_mps
from handlers.sms.report import build_report
from handlers.sms.rows import SendRow
from handlers.sms.sender import RetryLater, SendOptions, identity_rates, send_rows
from segmentation.ratelimit import VirtualClock
from tests.email_ops_support import LambdaContext, sqs_event, sqs_event_from_queue
from tests.fakes.base import FakeServiceError
from tests.fakes.sms_voice_v2 import SmsVoiceV2Fake
from tests.sms_support import moto_ledger, sms_client

BUCKET = "englake-drop"
LONG_CODE = "+12065550152"
TOLL_FREE = "+18445550100"
SHORT_CODE = "12345"
PREFIX = "sms-reports/"


@pytest.fixture
def aws():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield s3


@pytest.fixture
def clock() -> VirtualClock:
    """Simulated time only: the pacer and the fake's throttle see the same instants however loaded the machine is."""
    return VirtualClock(real_time=False)


@pytest.fixture
def fake(clock) -> SmsVoiceV2Fake:
    fake = SmsVoiceV2Fake(clock=clock.now)
    fake.add_phone_number(LONG_CODE, "TEN_DLC")
    fake.add_phone_number(TOLL_FREE, "TOLL_FREE")
    fake.add_phone_number(SHORT_CODE, "SHORT_CODE")
    return fake


@pytest.fixture
def env(aws, fake, clock):
    client = sms_client(fake)
    return {
        "s3": aws,
        "ledger": moto_ledger(),
        "client": client,
        "pacer": Pacer(identity_rates(client), clock=clock.now, sleep=clock.sleep),
    }


def drop(s3, key: str, text: str | bytes) -> S3Object:
    body = text.encode("utf-8") if isinstance(text, str) else text
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    head = s3.head_object(Bucket=BUCKET, Key=key)
    return S3Object(BUCKET, key, head["ETag"].strip('"'))


def intake(env, obj: S3Object, queue=None, **kw):
    queue = queue if queue is not None else ListQueue()
    result = intake_object(obj, s3=env["s3"], queue=queue, ledger=env["ledger"], report_prefix=PREFIX, **kw)
    return result, queue


def send(env, rows, **options):
    return send_rows(
        rows,
        sms_client=env["client"],
        ledger=env["ledger"],
        pacer=env["pacer"],
        options=SendOptions(**options),
        s3=env["s3"],
    )


def report(env, key: str) -> dict:
    return json.loads(env["s3"].get_object(Bucket=BUCKET, Key=f"{PREFIX}{key}.report.json")["Body"].read())


def rejects(env, key: str) -> list[dict]:
    body = env["s3"].get_object(Bucket=BUCKET, Key=f"{PREFIX}{key}.rejects.csv")["Body"].read().decode()
    return list(csv.DictReader(io.StringIO(body)))


REFERENCE_SAMPLE = (
    "sms_number,message,external_campaign_id,short_code,message_type,id_1,id_2\r\n"
    '+14255550101,"Here is a long message, with a comma",12345,12345,TRANSACTIONAL,tracking 1, tracking2\r\n'
)


def test_reference_sample_file_is_read(env, fake) -> None:
    """The reference's sample (legacy/examples/sample_file.csv shape) still works, context columns kept."""
    _, queue = intake(env, drop(env["s3"], "files/sample.csv", REFERENCE_SAMPLE))
    [row] = queue.rows
    assert row.destination == "+14255550101"
    assert row.body == "Here is a long message, with a comma"
    assert row.campaign_id == "12345"
    assert row.origination == "12345"
    assert row.context == {"id_1": "tracking 1", "id_2": "tracking2"}


def test_reference_defect_line_by_line_csv_breaks_on_quoted_newlines(env) -> None:
    """§10: readline() split a quoted field with a newline into two broken rows. Here: BOM, CRLF, quoted commas,
    quotes and newlines, columns in any order by header name."""
    text = (
        "\ufeffMessage Body,Campaign-ID,Destination Phone Number\r\n"
        '"Line one, with a comma\r\nline two ""quoted""",spring,+1 425 555 0101\r\n'
        "second,spring,+14255550102\r\n"
    )
    _, queue = intake(env, drop(env["s3"], "files/x.csv", text), default_origination=LONG_CODE)
    assert [(r.row, r.destination, r.body, r.campaign_id) for r in queue.rows] == [
        (1, "+14255550101", 'Line one, with a comma\r\nline two "quoted"', "spring"),
        (2, "+14255550102", "second", "spring"),
    ]


def test_reference_defect_one_bad_row_aborts_the_rest_of_the_file(env) -> None:
    """§10: a row without exactly 7 fields raised ValueError, which stopped the rest of the file after earlier rows
    had been queued, and no E.164 validation. Here each bad row is a rejects row with its reason, next to a report."""
    text = (
        "destination_phone_number,message,message_type,origination_identity\n"
        "+14255550101,ok one,,+12065550152\n"
        "\n"
        "+14255550102,extra,TRANSACTIONAL,+12065550152,surplus\n"
        "4255550103,no country code,,+12065550152\n"
        "+14255550104,wrong type,MARKETING,+12065550152\n"
        "+14255550105,,,+12065550152\n"
        f"+14255550106,{'x' * 1601},,+12065550152\n"
        "+14255550107,ok two,promotional,+12065550152\n"
    )
    result, queue = intake(env, drop(env["s3"], "files/mixed.csv", text))
    assert [r.row for r in queue.rows] == [1, 8]
    assert queue.rows[1].message_type == "PROMOTIONAL"
    reasons = {int(r["row"]): r["reason"] for r in rejects(env, "files/mixed.csv")}
    assert set(reasons) == {2, 3, 4, 5, 6, 7}
    assert reasons[2] == "blank row"
    assert "5 fields" in reasons[3]
    assert "country code" in reasons[4]
    assert "MARKETING" in reasons[5]
    assert reasons[6] == "empty message"
    assert "1601 characters" in reasons[7]
    assert (result.rows, result.accepted, result.rejected) == (8, 2, 6)
    summary = report(env, "files/mixed.csv")
    assert (summary["rows"], summary["accepted"], summary["rejected"], summary["status"]) == (8, 2, 6, "queued")


def test_reference_defect_s3_key_not_url_decoded(env) -> None:
    """X2: the key from the S3 event was used as is, so "my file+1 é.csv" (sent as my+file%2B1+%C3%A9.csv) failed."""
    key = "files/my file+1 é.csv"
    obj = drop(env["s3"], key, REFERENCE_SAMPLE)
    event = {
        "Records": [
            {"s3": {"bucket": {"name": BUCKET}, "object": {"key": "files/my+file%2B1+%C3%A9.csv", "eTag": obj.etag}}}
        ]
    }
    [decoded] = objects_from_event(event, "test")
    assert decoded.key == key
    _, queue = intake(env, decoded)
    assert len(queue.rows) == 1
    assert objects_from_event({"Event": "s3:TestEvent"}, "test") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8"),
        (b"phone,text_body\n+14255550101,hi\n", "no column for destination"),
        (b"a,b\x00c\n1,2\n", "NUL bytes"),
    ],
)
def test_unusable_files_get_a_clear_error_and_a_report(env, body, message) -> None:
    obj = drop(env["s3"], "files/bad.csv", body)
    with pytest.raises(InputError, match=message):
        intake(env, obj)
    assert report(env, "files/bad.csv")["status"] == "failed"


def test_reference_defect_dedup_drops_a_second_message_to_the_same_number(env, fake) -> None:
    """§10: the FIFO dedup id "<number>-<campaign>" silently dropped a different message to the same number in the
    same campaign. Here both go, and their dedup ids differ."""
    text = (
        "destination_phone_number,message,campaign_id,origination_identity\n"
        f"+14255550101,Your order shipped,c1,{LONG_CODE}\n"
        f"+14255550101,Your order arrived,c1,{LONG_CODE}\n"
    )
    _, queue = intake(env, drop(env["s3"], "files/two.csv", text))
    assert queue.rows[0].dedup_id != queue.rows[1].dedup_id
    send(env, queue.rows)
    assert [m.params["MessageBody"] for m in fake.sent] == ["Your order shipped", "Your order arrived"]


def test_exactly_once_per_row_across_retriggers_and_redrops(env, fake) -> None:
    """A re-triggered event and the same file dropped again under another key send no row twice."""
    text = "destination_phone_number,message\n" + "".join(f"+1425555{n:04d},hello {n}\n" for n in range(101, 126))
    first = drop(env["s3"], "files/a.csv", text)
    _, queue = intake(env, first, default_origination=SHORT_CODE)
    send(env, queue.rows)
    send(env, queue.rows)  # SQS delivered every row twice
    again, queue2 = intake(env, first, default_origination=SHORT_CODE)  # the S3 event delivered twice
    assert again.already_done
    assert queue2.rows == []
    redrop, queue3 = intake(env, drop(env["s3"], "files/copy of a.csv", text), default_origination=SHORT_CODE)
    assert redrop.already_done
    send(env, queue3.rows)
    assert len(fake.sent) == 25
    final = report(env, "files/a.csv")
    assert (final["sent"], final["failed"], final["unknown"], final["pending"]) == (25, 0, 0, 0)


def test_reference_defect_per_address_failures_ignored(env, fake) -> None:
    """§10: the per-address result was never read (throttling, opt-out, invalid number lost). Here each refusal is
    recorded in the report with the service's reason, and the other rows go."""
    fake.lists["Default"].numbers["+14255550102"] = {"OptedOutTimestamp": 0, "EndUserOptedOut": True}
    text = (
        "destination_phone_number,message,origination_identity\n"
        f"+14255550101,ok,{LONG_CODE}\n"
        f"+14255550102,opted out,{LONG_CODE}\n"
        f"+14255550103,unknown identity,+19995550100\n"
        f"+14255550104,{'ç' * 400},{LONG_CODE}\n"
    )
    _, queue = intake(env, drop(env["s3"], "files/f.csv", text))
    outcomes = send(env, queue.rows, max_price="0.03")
    assert [o.status for o in outcomes] == ["sent", "failed", "failed", "failed"]
    final = report(env, "files/f.csv")
    assert final["sent"] == 1
    assert final["failure_reasons"] == {
        "DESTINATION_PHONE_NUMBER_OPTED_OUT": 1,
        "ResourceNotFoundException": 1,
        "PRICE_OVER_THRESHOLD": 1,  # 400 UCS-2 characters = 6 parts over a 0.03 MaxPrice
    }


def test_reference_defect_duplicate_number_in_one_batch_overwrites(env, fake) -> None:
    """§10: a batch was a dict keyed by number, so a second row to the same number in a batch was lost; and the
    batch's message type and short code came from its first record. Here every row goes as written."""
    text = "destination_phone_number,message,origination_identity,message_type\n" + "".join(
        f"+14255550101,msg {n},{LONG_CODE if n % 2 else SHORT_CODE},{'PROMOTIONAL' if n % 2 else 'TRANSACTIONAL'}\n"
        for n in range(10)
    )
    _, queue = intake(env, drop(env["s3"], "files/d.csv", text))
    send(env, queue.rows)
    assert [m.params["MessageBody"] for m in fake.sent] == [f"msg {n}" for n in range(10)]
    assert [m.origination for m in fake.sent] == [LONG_CODE if n % 2 else SHORT_CODE for n in range(10)]
    assert [m.params["MessageType"] for m in fake.sent] == [
        "PROMOTIONAL" if n % 2 else "TRANSACTIONAL" for n in range(10)
    ]


def test_reference_defect_no_rate_limit_paces_at_documented_mps(env, fake, clock) -> None:
    """§10: no rate limiter (the README's Sleep for long codes was not implemented). Here 30 two-part messages from a
    toll-free number (3 MPS) take at least (60 - 3) / 3 seconds and the service never throttles."""
    body = "x" * 200  # 2 GSM parts
    assert body_encoding(body).parts == 2
    text = "destination_phone_number,message\n" + "".join(f"+1425555{n:04d},{body}\n" for n in range(101, 131))
    _, queue = intake(env, drop(env["s3"], "files/tf.csv", text), default_origination=TOLL_FREE)
    start = clock.now()
    send(env, queue.rows)
    assert documented_mps("TOLL_FREE") == 3.0
    assert clock.now() - start >= (60 - 3) / 3
    assert fake.call_counts()["SendTextMessage"] == 30  # no ThrottlingException answered


def test_throttling_is_retried_with_backoff_and_a_row_goes_once(env, fake) -> None:
    throttles = iter([True, True])
    fake.inject_fault(
        "SendTextMessage",
        lambda params: FakeServiceError("ThrottlingException", "slow down") if next(throttles, False) else None,
    )
    _, queue = intake(env, drop(env["s3"], "files/t.csv", REFERENCE_SAMPLE))
    [outcome] = send(env, queue.rows)
    assert outcome.status == "sent"
    assert len(fake.sent) == 1
    assert fake.call_counts()["SendTextMessage"] == 3


def test_persistent_throttling_returns_the_row_to_the_queue_and_it_is_sent_once_later(env, fake) -> None:
    fake.inject_fault("SendTextMessage", lambda params: FakeServiceError("ThrottlingException", "slow down"))
    _, queue = intake(env, drop(env["s3"], "files/p.csv", REFERENCE_SAMPLE))
    with pytest.raises(RetryLater, match="throttled"):
        send(env, queue.rows)
    fake.clear_faults()
    [outcome] = send(env, queue.rows)
    assert outcome.status == "sent"
    assert len(fake.sent) == 1


def test_a_crash_after_claiming_never_resends_and_is_reported_unknown(env, fake) -> None:
    _, queue = intake(env, drop(env["s3"], "files/c.csv", REFERENCE_SAMPLE))
    row = queue.rows[0]
    env["ledger"].put_if_absent(f"FILE#{row.file_id}", f"ROW#{row.row:09d}", {"row": row.row, "status": "sending"})
    [outcome] = send(env, queue.rows)
    assert outcome.status == "duplicate"
    assert fake.sent == []
    rebuilt = build_report(env["ledger"], row.file_id)  # what `englake sms report` shows
    assert rebuilt["unknown"] == 1
    assert rebuilt["unknown_rows"] == [1]


def test_send_request_carries_context_configuration_set_price_and_ttl(env, fake) -> None:
    _, queue = intake(env, drop(env["s3"], "files/s.csv", REFERENCE_SAMPLE))
    send(env, queue.rows, configuration_set="englake-sms", max_price="0.50", time_to_live=3600)
    params = fake.sent[0].params
    assert params["Context"] == {
        "campaign_id": "12345",
        "row_id": f"{queue.rows[0].file_id[:16]}:1",
        "id_1": "tracking 1",
        "id_2": "tracking2",
    }
    assert params["ConfigurationSetName"] == "englake-sms"
    assert params["MaxPrice"] == "0.50"
    assert params["TimeToLive"] == 3600
    assert params["OriginationIdentity"] == SHORT_CODE


def test_message_parts_follow_the_documented_character_limits() -> None:
    """SMS character limits: 160 GSM / 153 per part, 70 UCS-2 / 67 per part; 481 GSM characters are 4 parts."""
    assert body_encoding("a" * 160).parts == 1
    assert body_encoding("a" * 161).parts == 2
    assert body_encoding("a" * 481).parts == 4
    assert body_encoding("€" * 80).encoding == "GSM"  # extension table: two septets each
    assert body_encoding("€" * 80).parts == 1  # 160 septets
    assert body_encoding("€" * 81).parts == 2
    assert body_encoding("ü" * 160).parts == 1  # ü is in the GSM basic set
    assert body_encoding("ç" * 70).encoding == "UCS2"  # lower-case ç is not (only Ç)
    assert body_encoding("ç" * 70).parts == 1
    assert body_encoding("ç" * 71).parts == 2


def test_lambdas_file_to_queue_to_sender(env, fake, monkeypatch) -> None:
    """The two Lambda entry points over moto SQS (FIFO, one group per origination identity)."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(
        QueueName="englake-sms-send.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    )["QueueUrl"]
    obj = drop(env["s3"], "files/l.csv", REFERENCE_SAMPLE)
    monkeypatch.setattr(
        handler,
        "_filedrop_deps",
        lambda: {
            "s3": env["s3"],
            "queue": SqsRowQueue(sqs, url),
            "ledger": env["ledger"],
            "report_prefix": PREFIX,
            "default_origination": None,
            "assume_us": False,
        },
    )
    monkeypatch.setattr(
        handler,
        "_sender_deps",
        lambda: {
            "sms_client": env["client"],
            "ledger": env["ledger"],
            "pacer": env["pacer"],
            "options": SendOptions(),
            "s3": env["s3"],
        },
    )
    s3_event = {"Records": [{"s3": {"bucket": {"name": BUCKET}, "object": {"key": obj.key, "eTag": obj.etag}}}]}
    response = handler.filedrop_handler(sqs_event([json.dumps(s3_event), "not json"]), LambdaContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    queued = sqs_event_from_queue(sqs, url)
    assert len(queued["Records"]) == 1
    SendRow.from_json(json.loads(queued["Records"][0]["body"]))
    queued["Records"][0]["attributes"]["MessageGroupId"] = SHORT_CODE
    assert handler.sender_handler(queued, LambdaContext()) == {"batchItemFailures": []}
    assert len(fake.sent) == 1
    assert report(env, "files/l.csv")["sent"] == 1


def test_reference_defect_one_send_message_per_row_uses_send_message_batch(env) -> None:
    """X7: one SQS SendMessage per row. Here 25 rows take 3 SendMessageBatch requests (10 + 10 + 5)."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="q.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    calls = []
    sqs.meta.events.register("before-call.sqs.*", lambda model, **kw: calls.append(model.name))
    text = "destination_phone_number,message\n" + "".join(f"+1425555{n:04d},hi\n" for n in range(101, 126))
    intake(env, drop(env["s3"], "files/b.csv", text), queue=SqsRowQueue(sqs, url), default_origination=SHORT_CODE)
    assert calls == ["SendMessageBatch"] * 3


def test_reference_defect_timeout_restarts_the_file_checkpoint_resumes(env, fake, monkeypatch) -> None:
    """§10: 600 s cap with no checkpoint; S3 retried from the start. Here an intake that dies after queueing some
    rows resumes after its checkpoint, and no row is sent twice."""
    from handlers.sms import filedrop

    monkeypatch.setattr(filedrop, "CHECKPOINT_ROWS", 10)
    text = "destination_phone_number,message\n" + "".join(f"+1425555{n:04d},hi {n}\n" for n in range(101, 146))
    obj = drop(env["s3"], "files/r.csv", text)

    class Dying(ListQueue):
        def send(self, rows):
            if len(self.rows) >= 20:
                raise TimeoutError("Lambda timed out")
            super().send(rows)

    first = Dying()
    with pytest.raises(TimeoutError):
        intake(env, obj, queue=first, default_origination=SHORT_CODE)
    send(env, first.rows)
    _, second = intake(env, obj, queue=ListQueue(), default_origination=SHORT_CODE)
    assert [r.row for r in second.rows] == list(range(21, 46))  # after the checkpoint
    send(env, second.rows + first.rows)  # and a redelivery of the first rows on top
    assert sorted(m.params["MessageBody"] for m in fake.sent) == sorted(f"hi {n}" for n in range(101, 146))


def test_huge_fields_are_a_clear_error(env) -> None:
    obj = drop(env["s3"], "files/huge.csv", "destination_phone_number,message\n+14255550101," + "x" * 200_000 + "\n")
    with pytest.raises(InputError, match="not a readable CSV"):
        intake(env, obj)


def test_reference_defect_bodies_and_numbers_in_logs(env, fake, caplog) -> None:
    """§10: LOG_LEVEL=DEBUG logged every body and number. Here logs carry masked numbers and no bodies."""
    import logging

    caplog.set_level(logging.DEBUG, logger="handlers")
    fake.lists["Default"].numbers["+14255550102"] = {"OptedOutTimestamp": 0, "EndUserOptedOut": True}
    text = "destination_phone_number,message\n+14255550101,secret code 991\n+14255550102,secret code 992\n"
    _, queue = intake(env, drop(env["s3"], "files/pii.csv", text), default_origination=SHORT_CODE)
    send(env, queue.rows)
    assert "secret" not in caplog.text
    assert "4255550101" not in caplog.text
    assert "4255550102" not in caplog.text


def test_identity_rates_come_from_the_number_type_by_number_id_or_arn(env, fake) -> None:
    rate_for = identity_rates(env["client"])
    short = fake.numbers[SHORT_CODE]
    assert rate_for(SHORT_CODE) == 100.0
    assert rate_for(short["PhoneNumberId"]) == 100.0
    assert rate_for(fake.numbers[TOLL_FREE]["PhoneNumberArn"]) == 3.0
    assert rate_for(LONG_CODE) == 1.0  # 10DLC
    assert rate_for("MySenderID") == 1.0  # unknown: the conservative default
    assert fake.call_counts()["DescribePhoneNumbers"] == 2  # three numbers, two per page, read once
