"""Audience import from an S3 file drop: parsing and validation of the file, phone validation of phone rows only,
import on both back ends (Pinpoint CreateImportJob, Customer Profiles upload job), the per-file report, the
notification, staging clean-up, and the trigger's one run per object version. Reference defects of
seed-architectures-spec.md §3 are named in the tests."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from handlers.audiences import process
from handlers.audiences.contracts import Outcome
from handlers.audiences.parse import AudienceFileError, parse_audience
from handlers.audiences.trigger import NotificationError, TriggerConfig, objects_in, start_runs
from tests.audience_support import BUCKET, DOMAIN, PREFIX, World, world

#: The reference's sample file shape (legacy/examples/sample_data_S3_triggered_import.csv): no Id column, a
#: duplicated address, an 11-digit US number without "+", punctuation, and a Timezone column of its own.
SAMPLE = (
    b"ChannelType,Address,FirstName,LastName,Timezone\n"
    b"SMS,+14256791901,John,Smith,CST\n"
    b"SMS,+1 (202) 555-0191,Ivan,Popov,PST\n"
    b"SMS,+351 282 43 50 50,Tim,Doe,IST\n"
    b"SMS,+14256791901,John,Smith,CST\n"
    b"EMAIL,mary@example.com,Mary,Major,EST\n"
)


def _run(w: World, key: str, body: bytes, backend: str = "pinpoint", validate: bool = True, campaign=None):
    ref = w.drop(key, body)
    start = w.start(ref, backend, campaign=campaign, validate=validate)
    ctx = w.context(backend, validate)
    staged, status = process.run_import(start, ctx)
    state = {"input": start.model_dump(mode="json"), "staged": staged.model_dump(mode="json")}
    if status is not None:
        state["import"] = status.model_dump(mode="json")
    outcome = process.finish(state, ctx, w.sns, w.topic_arn)
    report = json.loads(w.s3.get_object(Bucket=BUCKET, Key=staged.report_key)["Body"].read())
    return staged, status, outcome, report


# -- the file -----------------------------------------------------------------------------------------------------


def test_defect_3b_standard_columns_keep_their_meaning_only_unknown_ones_become_attributes() -> None:
    body = (
        b"Id,ChannelType,Address,User.UserId,Location.Country,Location.City,Demographic.Timezone,OptOut,"
        b"FirstName,User.UserAttributes.Plan,Attributes.Team\n"
        b"ep-1,EMAIL,ann@example.com,user-1,DE,Berlin,Europe/Berlin,NONE,Ann,gold,blue\n"
    )
    parsed = parse_audience(body, "x.csv")
    assert parsed.rejects == []
    endpoint = parsed.endpoints[0][1]
    assert endpoint["Id"] == "ep-1"
    assert endpoint["User"] == {"UserId": "user-1", "UserAttributes": {"Plan": ["gold"]}}
    assert endpoint["Location"] == {"Country": "DE", "City": "Berlin"}
    assert endpoint["Demographic"] == {"Timezone": "Europe/Berlin"}
    assert endpoint["OptOut"] == "NONE"
    # The reference renamed Id, User.UserId, Location.*, Demographic.* to Attributes.*.
    assert endpoint["Attributes"] == {"FirstName": ["Ann"], "Team": ["blue"]}


def test_duplicate_ids_are_rejected_naming_the_first_line() -> None:
    parsed = parse_audience(SAMPLE, "sample.csv")
    assert parsed.rows == 5
    assert len(parsed.endpoints) == 4
    [reject] = parsed.rejects
    assert reject.line == 5
    assert "duplicate Id" in reject.reason
    assert "first on line 2" in reject.reason


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"ChannelType,Phone\n", "no 'Address' column"),
        (b"Address,ChannelType,Address\n", "'Address' appears more than once"),
        (b"ChannelType,Address,Location.Planet\n", "Location has no member 'Planet'"),
        (b"ChannelType,Address,a:b\n", "attribute name 'a:b'"),
    ],
)
def test_wrong_headers_fail_the_file_with_the_column_named(header: bytes, message: str) -> None:
    with pytest.raises(AudienceFileError, match=message):
        parse_audience(header + b"SMS,+12065550142\n", "bad.csv")


def test_bad_rows_are_rejected_with_their_reason_and_the_rest_is_kept() -> None:
    body = (
        b"ChannelType,Address,FirstName\n"
        b"SMS,+12065550142,Ok\n"
        b"FAX,+12065550143,Nope\n"
        b"EMAIL,,Empty\n"
        b"EMAIL,not-an-email,Bad\n"
        b"SMS,+12065550144\n"
        b"EMAIL,caf\xe9@example.com,Latin1\n"
        b"EMAIL,long@example.com," + b"x" * 70_000 + b"\n"
        b"EMAIL,big@example.com," + b"y" * 101 + b"\n"
    )
    parsed = parse_audience(body, "mixed.csv")
    reasons = {r.line: r.reason for r in parsed.rejects}
    assert [line for line, _ in parsed.endpoints] == [2]
    assert "FAX" in reasons[3]
    assert reasons[4] == "Address is empty"
    assert "not an email address" in reasons[5]
    assert reasons[6] == "2 cells for 3 columns"
    assert reasons[7].startswith("not UTF-8 at byte")
    assert "at most 65,536" in reasons[8]
    assert "at most 100" in reasons[9]
    assert parsed.rows == 8


def test_a_utf16_file_is_refused_with_what_to_do() -> None:
    with pytest.raises(AudienceFileError, match="UTF-16"):
        parse_audience("ChannelType,Address\n".encode("utf-16"), "excel.csv")


def test_defect_3b_each_record_keeps_its_own_fields_not_the_first_records_header() -> None:
    body = (
        b'{"ChannelType":"EMAIL","Address":"a@example.com","Attributes":{"Team":["x","y"]},"Score":3}\n'
        b"{not json}\n"
        b'{"Id":"ep-2","ChannelType":"EMAIL","Address":"b@example.com","User":{"UserId":"u2"}}\n'
        b"[1,2]\n"
    )
    parsed = parse_audience(body, "list.ndjson")
    assert parsed.format == "JSON"
    first, second = (e for _, e in parsed.endpoints)
    assert first["Attributes"] == {"Team": ["x", "y"], "Score": ["3"]}
    assert second == {"Id": "ep-2", "ChannelType": "EMAIL", "Address": "b@example.com", "User": {"UserId": "u2"}}
    assert [r.line for r in parsed.rejects] == [2, 4]


# -- phone validation: phone rows only, nobody opted out ----------------------------------------------------------


def test_defect_3b_non_sms_rows_are_never_phone_validated_or_opted_out() -> None:
    with world() as w:
        staged, status, _, report = _run(w, PREFIX + "sample.csv", SAMPLE)
        assert status is not None
        assert status.state == "SUCCEEDED"
        assert "mary@example.com" not in w.phones.validated
        email = [
            e for e in w.endpoints.endpoints(status.job.job_id and "a" * 32).values() if e["ChannelType"] == "EMAIL"
        ]
        assert [e["Address"] for e in email] == ["mary@example.com"]
        assert email[0]["OptOut"] == "NONE"
        assert report["accepted"] == staged.accepted


def test_defect_3b_invalid_numbers_are_rejected_with_a_reason_never_imported_opted_out() -> None:
    body = b"ChannelType,Address\nSMS,+12065550142\nSMS,12345\nSMS,+1 (202) 555-0100\n"
    with world() as w:
        w.phones.set_number("+12025550100", "LANDLINE")
        _, _status, outcome, report = _run(w, PREFIX + "numbers.csv", body)
        endpoints = w.endpoints.endpoints("a" * 32)
        assert sorted(e["Address"] for e in endpoints.values()) == ["+12065550142"]
        assert all(e["OptOut"] == "NONE" for e in endpoints.values())
        reasons = {r["line"]: r["reason"] for r in report["rejects"]}
        assert reasons[3].startswith("invalid phone number")
        assert reasons[4] == "phone number can't receive SMS (LANDLINE)"
        assert (outcome.accepted, outcome.rejected) == (1, 2)


def test_defect_3b_the_files_own_columns_are_not_overwritten_by_validation_results() -> None:
    with world() as w:
        _run(w, PREFIX + "sample.csv", SAMPLE)
        john = next(e for e in w.endpoints.endpoints("a" * 32).values() if e["Address"] == "+14256791901")
        assert john["Attributes"]["Timezone"] == ["CST"]  # the reference replaced it with the validator's answer
        assert john["Location"]["Country"] == "US"  # filled from validation only because the file had none


def test_defect_4_validation_covers_the_imported_rows_not_the_whole_project() -> None:
    with world() as w:
        for i in range(5):  # endpoints of earlier imports that were never validated
            w.endpoints.put_endpoint("a" * 32, {"Id": f"old-{i}", "ChannelType": "SMS", "Address": f"+1206555010{i}"})
        _run(w, PREFIX + "sample.csv", SAMPLE)
        assert sorted(w.phones.validated) == ["+12025550191", "+14256791901", "+351282435050"]


# -- import on both back ends: report, notification, staging ------------------------------------------------------


@pytest.mark.parametrize("backend", ["pinpoint", "customer-profiles"])
def test_import_end_to_end_with_report_notification_and_clean_staging(backend: str) -> None:
    with world() as w:
        staged, status, outcome, report = _run(w, PREFIX + "sample.csv", SAMPLE, backend=backend)
        assert status is not None
        assert status.state == "SUCCEEDED"
        # Line 4 is a Portuguese landline (libphonenumber's answer, the fake's ground truth); line 5 repeats line 2.
        assert (report["rows"], report["accepted"], report["rejected"]) == (5, 3, 2)
        assert [(r["line"], r["reason"][: 20 if r["line"] == 4 else 12]) for r in report["rejects"]] == [
            (4, "phone number can't r"),
            (5, "duplicate Id"),
        ]
        if backend == "pinpoint":
            imported = {e["Address"] for e in w.endpoints.endpoints("a" * 32).values()}
        else:
            profiles = w.profile_store.profiles[DOMAIN].values()
            imported = {p.get("PhoneNumber") or p.get("EmailAddress") for p in profiles}
            assert {p["Attributes"]["FirstName"] for p in profiles} == {"John", "Ivan", "Mary"}
            assert {p["Attributes"]["englake_audience"] for p in profiles} == {staged.audience_name}
        assert imported == {"+14256791901", "+12025550191", "mary@example.com"}
        # X9: the staged copy is deleted; the dropped file and the report stay.
        keys = [o["Key"] for o in w.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        assert not [k for k in keys if k.startswith("audiences/staging/")]
        assert sorted(keys) == sorted([PREFIX + "sample.csv", staged.report_key])
        [note] = w.notifications()
        assert Outcome.model_validate(note) == outcome
        assert (note["status"], note["accepted"], note["rejected"], note["stage"]) == ("SUCCEEDED", 3, 2, "import")
        assert set(note) == set(Outcome.model_fields)  # one schema for every ending


def test_a_file_with_every_row_rejected_is_reported_not_imported() -> None:
    with world() as w:
        staged, status, outcome, report = _run(w, PREFIX + "bad.csv", b"ChannelType,Address\nFAX,1\n")
        assert status is None
        assert staged.staged_key is None
        assert outcome.status == "REJECTED"
        assert report["status"] == "REJECTED"
        assert w.endpoints.import_jobs["a" * 32] == {}


def test_an_unreadable_file_is_reported_and_raised() -> None:
    with world() as w:
        ref = w.drop(PREFIX + "nothing.csv", b"")
        start = w.start(ref, "pinpoint")
        with pytest.raises(AudienceFileError, match="empty"):
            process.stage(start, w.context("pinpoint"))
        report = json.loads(w.s3.get_object(Bucket=BUCKET, Key=f"audiences/reports/{start.run_id}.json")["Body"].read())
        assert report["status"] == "FAILED"
        assert "empty" in report["error"]


# -- the trigger: one run per object version ------------------------------------------------------------------------


@pytest.fixture
def sfn_world():
    with world() as w:
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
        arn = sfn.create_state_machine(name="audiences", definition=definition, roleArn=role)["stateMachineArn"]
        yield w, sfn, TriggerConfig(state_machine_arn=arn, backend="pinpoint", prefix=PREFIX)


def _s3_record(key: str, etag: str, version: str | None = None) -> dict:
    obj = {"key": key, "size": 10, "eTag": etag}
    if version:
        obj["versionId"] = version
    return {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": BUCKET}, "object": obj}}


def test_defect_x2_notification_keys_are_url_decoded(sfn_world) -> None:
    w, sfn, config = sfn_world
    ref = w.drop(PREFIX + "my list é.csv", SAMPLE)
    # S3 notifications encode keys: spaces as "+", UTF-8 percent-encoded.
    message = {"Records": [_s3_record("audiences/incoming/my+list+%C3%A9.csv", ref.etag, ref.version_id)]}
    [started] = start_runs(json.dumps(message), w.s3, sfn, config)
    assert started.object.key == PREFIX + "my list é.csv"
    execution = sfn.describe_execution(executionArn=started.execution_arn)
    assert json.loads(execution["input"])["object"]["key"] == PREFIX + "my list é.csv"


def test_defect_3_two_files_in_the_same_second_both_run_and_a_redelivery_runs_once(sfn_world) -> None:
    w, sfn, config = sfn_world
    a = w.drop(PREFIX + "a.csv", SAMPLE)
    b = w.drop(PREFIX + "b.csv", SAMPLE)
    message = json.dumps({"Records": [_s3_record(PREFIX + "a.csv", a.etag, a.version_id)]})
    first = start_runs(message, w.s3, sfn, config)
    second = start_runs(
        json.dumps({"Records": [_s3_record(PREFIX + "b.csv", b.etag, b.version_id)]}), w.s3, sfn, config
    )
    executions = sfn.list_executions(stateMachineArn=config.state_machine_arn)["executions"]
    assert len(executions) == 2  # the reference named both import_run-<same second>: the second was lost
    assert first[0].run_id != second[0].run_id
    again = start_runs(message, w.s3, sfn, config)  # at-least-once delivery
    assert again[0].new is False
    assert len(sfn.list_executions(stateMachineArn=config.state_machine_arn)["executions"]) == 2


def test_a_new_version_of_the_same_key_is_a_new_run(sfn_world) -> None:
    w, sfn, config = sfn_world
    v1 = w.drop(PREFIX + "weekly.csv", SAMPLE)
    v2 = w.drop(PREFIX + "weekly.csv", SAMPLE + b"EMAIL,new@example.com,N,N,UTC\n")
    runs = [
        start_runs(
            json.dumps({"Records": [_s3_record(PREFIX + "weekly.csv", v.etag, v.version_id)]}), w.s3, sfn, config
        )
        for v in (v1, v2)
    ]
    assert runs[0][0].run_id != runs[1][0].run_id
    assert all(r[0].new for r in runs)


def test_eventbridge_events_sns_envelopes_and_test_events(sfn_world) -> None:
    w, sfn, config = sfn_world
    ref = w.drop(PREFIX + "eb.csv", SAMPLE)
    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {
            "bucket": {"name": BUCKET},
            "object": {"key": ref.key, "etag": ref.etag, "version-id": ref.version_id},
        },
    }
    assert start_runs(json.dumps(event), w.s3, sfn, config)[0].run_id == ref.run_id()
    envelope = {"Type": "Notification", "Message": json.dumps(event)}
    assert start_runs(json.dumps(envelope), w.s3, sfn, config)[0].new is False
    assert objects_in('{"Event": "s3:TestEvent"}') == []
    with pytest.raises(NotificationError, match="neither an EventBridge"):
        objects_in('{"hello": 1}', "SQS message 7")


def test_staging_and_reports_never_trigger_a_run(sfn_world) -> None:
    w, sfn, config = sfn_world
    ref = w.drop("audiences/staging/run/endpoints.json", b"{}")
    assert start_runs(json.dumps({"Records": [_s3_record(ref.key, ref.etag)]}), w.s3, sfn, config) == []


def test_trigger_lambda_reports_only_the_bad_message(sfn_world, monkeypatch) -> None:
    from handlers.audiences import handler

    w, sfn, config = sfn_world
    ref = w.drop(PREFIX + "ok.csv", SAMPLE)
    deps = handler.Dependencies(w.s3, sfn, w.sns, w.context("pinpoint"), config, w.topic_arn)
    monkeypatch.setattr(handler, "dependencies", lambda: deps)
    good = json.dumps({"Records": [_s3_record(ref.key, ref.etag, ref.version_id)]})
    event = {
        "Records": [
            _sqs("m-1", good),
            _sqs("m-2", "not json"),
        ]
    }
    response = handler.trigger_handler(event, _Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert len(sfn.list_executions(stateMachineArn=config.state_machine_arn)["executions"]) == 1


def _sqs(message_id: str, body: str) -> dict:
    return {
        "messageId": message_id,
        "receiptHandle": "r",
        "body": body,
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
        "awsRegion": "us-east-1",
    }


class _Context:
    function_name = "trigger"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:trigger"
    aws_request_id = "req-1"


@mock_aws
def test_missing_object_is_a_clear_error() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    from handlers.audiences.contracts import ObjectRef

    with pytest.raises(AudienceFileError, match="no such object"):
        process._read(s3, ObjectRef(bucket=BUCKET, key="gone.csv"))
