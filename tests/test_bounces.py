"""Bounce and complaint processing: documented SES examples and generated feedback through SQS, into the address
store (DynamoDB on moto, and SQLite) and the SES account suppression list (fake)."""

from __future__ import annotations

import copy
import itertools
import json
import logging
from datetime import datetime, timedelta

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.config import Config
from moto import mock_aws

from handlers.bounces import handler
from handlers.bounces.models import MalformedNotification, parse_notification
from handlers.bounces.policy import Category, PolicyConfig
from handlers.bounces.process import process_message
from handlers.bounces.store import DynamoDBAddressStore, SqliteAddressStore, create_dynamodb_table
from handlers.bounces.suppression import SuppressionList
from tests.email_ops_support import LambdaContext, fixture, kinesis_event, sns_envelope, sqs_event, sqs_event_from_queue
from tests.fakes.base import throttled
from tests.fakes.sesv2 import SesV2Fake

TABLE = "englake-addresses"


# -- generated feedback -------------------------------------------------------------------------------------------


def bounce(
    recipients: list[str],
    bounce_type: str = "Permanent",
    subtype: str = "General",
    at: str = "2024-03-01T10:00:00.000Z",
    feedback_id: str = "fb-1",
    spelling: str = "notificationType",
) -> dict:
    return {
        spelling: "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": subtype,
            "bouncedRecipients": [
                {"emailAddress": r, "status": "5.1.1", "action": "failed", "diagnosticCode": f"smtp; 550 {r}"}
                for r in recipients
            ],
            "timestamp": at,
            "feedbackId": feedback_id,
            "someFieldSesAddsLater": {"x": 1},
        },
        "mail": {"messageId": f"mail-{feedback_id}", "timestamp": at, "destination": recipients},
    }


def complaint(
    recipients: list[str], at: str = "2024-03-01T10:00:00.000Z", feedback_id: str = "cfb-1", **extra: str
) -> dict:
    return {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": r} for r in recipients],
            "timestamp": at,
            "feedbackId": feedback_id,
            **extra,
        },
        "mail": {"messageId": f"mail-{feedback_id}", "timestamp": at},
    }


def delivery(recipient: str, at: str = "2024-03-02T10:00:00.000Z") -> dict:
    message = fixture("ses/notification-delivery.json")
    message["delivery"]["recipients"] = [recipient]
    message["delivery"]["timestamp"] = at
    return message


def pinpoint_bounce(recipient: str, event_type: str = "_email.hardbounce", feedback_id: str = "pp-1") -> dict:
    return {
        "event_type": event_type,
        "event_timestamp": 1709287200000,
        "arrival_timestamp": 1709287260000,
        "event_version": "3.1",
        "application": {"app_id": "app-1", "sdk": {}},
        "client": {"client_id": "endpoint-1"},
        "attributes": {"feedback": "bounced"},
        "facets": {
            "email_channel": {
                "mail_event": {
                    "mail": {"message_id": "pp-mail-1", "destination": [recipient]},
                    "bounce": {
                        "bounce_type": "Permanent" if event_type == "_email.hardbounce" else "Transient",
                        "bounce_sub_type": "General",
                        "bounced_recipients": [
                            {"email_address": recipient, "status": "5.1.1", "diagnostic_code": "smtp; 550"}
                        ],
                        "feedback_id": feedback_id,
                    },
                }
            }
        },
        "awsAccountId": "123456789012",
    }


# -- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture
def ses():
    fake = SesV2Fake()
    client = fake.attach(boto3.client("sesv2", region_name="us-east-1"))
    return fake, SuppressionList(client)


@pytest.fixture
def dynamo_store():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_dynamodb_table(client, TABLE)
        yield DynamoDBAddressStore(client, TABLE)


@pytest.fixture(params=["dynamodb", "sqlite"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield SqliteAddressStore(tmp_path / "addresses.sqlite")
    else:
        yield request.getfixturevalue("dynamo_store")


@pytest.fixture
def lambda_env(monkeypatch, ses):
    """The SQS Lambda entry point wired to moto DynamoDB and the SES v2 fake, as deployed."""
    fake, _ = ses
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_dynamodb_table(client, TABLE)
        monkeypatch.setenv("ENGLAKE_ADDRESS_TABLE", TABLE)
        handler.dependencies.cache_clear()
        deps = handler.dependencies()
        fake.attach(deps.suppression_list.client)
        yield fake, deps
        handler.dependencies.cache_clear()


CONFIG = PolicyConfig()


def run(store, ses_list, *messages, config=CONFIG):
    return [process_message(m, store, ses_list, config) for m in messages]


# -- documented examples through the Lambda entry point -----------------------------------------------------------


def test_documented_bounce_notification_suppresses_and_records_evidence(lambda_env):
    fake, deps = lambda_env
    response = handler.lambda_handler(
        sqs_event([sns_envelope(fixture("ses/notification-bounce.json"))]), LambdaContext()
    )
    assert response == {"batchItemFailures": []}
    row = deps.store.get("jane@example.com")
    assert row.status == "suppressed"
    assert row.reason == "BOUNCE"
    assert (row.type, row.subtype) == ("Permanent", "General")
    assert row.first_seen == row.last_seen == datetime(2016, 1, 27, 14, 59, 38, 237000)
    assert row.suppressed_at == datetime(2016, 1, 27, 14, 59, 38, 237000)
    assert row.count == 1
    assert row.last_feedback_id == "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000"
    assert row.last_diagnostic_code == "smtp; 550 5.1.1 <jane@example.com>... User"
    assert fake.suppressed["jane@example.com"]["Reason"] == "BOUNCE"
    # mary and richard were destinations of the mail, not bounced recipients: untouched.
    assert deps.store.get("mary@example.com") is None
    assert set(fake.suppressed) == {"jane@example.com"}


def test_documented_complaint_and_delivery_notifications(lambda_env):
    fake, deps = lambda_env
    bodies = [
        sns_envelope(fixture("ses/notification-complaint.json")),
        sns_envelope(fixture("ses/notification-delivery.json")),
    ]
    assert handler.lambda_handler(sqs_event(bodies), LambdaContext()) == {"batchItemFailures": []}
    row = deps.store.get("richard@example.com")
    assert (row.status, row.reason, row.type, row.subtype) == ("suppressed", "COMPLAINT", "Complaint", "abuse")
    assert fake.suppressed["richard@example.com"]["Reason"] == "COMPLAINT"
    assert deps.store.get("jane@example.com") is None  # a delivery records nothing and suppresses nothing


def test_documented_event_publishing_records_are_read_too(ses, store):
    fake, ses_list = ses
    run(store, ses_list, sns_envelope(fixture("ses/event-bounce.json")), fixture("ses/event-complaint.json"))
    assert store.get("recipient@example.com").reason == "COMPLAINT"
    assert fake.suppressed["recipient@example.com"]["Reason"] == "COMPLAINT"
    assert store.get("recipient@example.com").count == 2


def test_through_sns_and_a_real_queue(lambda_env):
    """SES → SNS topic → SQS queue (moto), then the queue's messages as the event source mapping delivers them."""
    fake, _deps = lambda_env
    sns, sqs = boto3.client("sns", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
    topic = sns.create_topic(Name="ses-feedback")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="feedback")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    multi = bounce(["a@example.com", "B@Example.com", "c@example.com"], feedback_id="fb-multi")
    for message in (fixture("ses/notification-bounce.json"), multi, fixture("ses/notification-complaint.json")):
        sns.publish(TopicArn=topic, Message=json.dumps(message))
    event = sqs_event_from_queue(sqs, queue_url)
    assert len(event["Records"]) == 3
    assert handler.lambda_handler(event, LambdaContext()) == {"batchItemFailures": []}
    assert set(fake.suppressed) == {
        "jane@example.com",
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "richard@example.com",
    }


# -- reference defects --------------------------------------------------------------------------------------------


def test_every_recipient_not_the_first_one(ses, store):
    """Reference (and listmonk) act on the first recipient only."""
    fake, ses_list = ses
    run(store, ses_list, bounce(["one@example.com", "two@example.com", "three@example.com"]))
    assert {a for a in fake.suppressed} == {"one@example.com", "two@example.com", "three@example.com"}
    assert all(store.get(a).suppressed for a in fake.suppressed)


def test_throttled_suppression_call_fails_the_message_and_a_retry_completes_it(lambda_env):
    """Reference defect X1: a throttled PutSuppressedDestination was logged and the message deleted."""
    fake, deps = lambda_env
    # One attempt, so the test need not wait out botocore's backoff; production retries adaptively first.
    single = fake.attach(
        boto3.client("sesv2", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    )
    deps.suppression_list.client = single
    fake.inject_fault("PutSuppressedDestination", lambda _params: throttled())
    event = sqs_event(
        [sns_envelope(bounce(["t@example.com"], feedback_id="fb-t")), sns_envelope(bounce(["u@example.com"]))],
        ids=["throttled-1", "throttled-2"],
    )
    # Every record failed, so powertools raises: the whole batch returns to the queue.
    with pytest.raises(BatchProcessingError, match="TooManyRequestsException"):
        handler.lambda_handler(event, LambdaContext())
    assert not fake.suppressed
    # SQS redelivers; the store already holds the feedback (a re-delivery) but the mirror is still owed.
    fake.clear_faults()
    assert handler.lambda_handler(event, LambdaContext()) == {"batchItemFailures": []}
    assert fake.suppressed["t@example.com"]["Reason"] == "BOUNCE"
    row = deps.store.get("t@example.com")
    assert (row.ses_reason, row.count) == ("BOUNCE", 1)


def test_a_throttled_record_fails_alone(lambda_env):
    fake, deps = lambda_env
    single = fake.attach(
        boto3.client("sesv2", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    )
    deps.suppression_list.client = single
    fake.inject_fault(
        "PutSuppressedDestination", lambda params: throttled() if params["EmailAddress"] == "slow@example.com" else None
    )
    event = sqs_event(
        [sns_envelope(bounce(["slow@example.com"], feedback_id="a")), sns_envelope(bounce(["fast@example.com"]))],
        ids=["slow", "fast"],
    )
    assert handler.lambda_handler(event, LambdaContext()) == {"batchItemFailures": [{"itemIdentifier": "slow"}]}
    assert set(fake.suppressed) == {"fast@example.com"}


def test_one_malformed_message_fails_only_itself(lambda_env, caplog):
    fake, deps = lambda_env
    missing_recipients = bounce(["x@example.com"])
    del missing_recipients["bounce"]["bouncedRecipients"][0]["emailAddress"]
    bodies = [
        sns_envelope(bounce(["ok1@example.com"], feedback_id="fb-ok1")),
        sns_envelope(missing_recipients),
        "{not json",
        sns_envelope(bounce(["ok2@example.com"], feedback_id="fb-ok2")),
    ]
    ids = ["good-1", "bad-field", "bad-json", "good-2"]
    with caplog.at_level(logging.ERROR):
        response = handler.lambda_handler(sqs_event(bodies, ids), LambdaContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": "bad-field"}, {"itemIdentifier": "bad-json"}]}
    assert set(fake.suppressed) == {"ok1@example.com", "ok2@example.com"}
    assert deps.store.get("x@example.com") is None


def test_malformed_errors_name_the_message_and_the_field():
    broken = bounce(["x@example.com"])
    del broken["bounce"]["bouncedRecipients"][0]["emailAddress"]
    with pytest.raises(
        MalformedNotification, match=r"SQS message m-1: field 'bounce\.bouncedRecipients\.0\.emailAddress'"
    ):
        parse_notification(sns_envelope(broken), "SQS message m-1")
    with pytest.raises(MalformedNotification, match=r"bounce\.timestamp"):
        parse_notification(bounce(["x@example.com"], at="yesterday"), "m")
    with pytest.raises(MalformedNotification, match=r"emailAddress.*not an email address"):
        parse_notification(bounce(["not-an-address"]), "m")
    with pytest.raises(MalformedNotification, match="no 'notificationType'"):
        parse_notification(json.dumps({"hello": "world"}), "m")


# -- idempotency, monotonicity, order ----------------------------------------------------------------------------


def test_a_redelivered_notification_changes_nothing(ses, store):
    _fake, ses_list = ses
    message = sns_envelope(bounce(["dup@example.com"], bounce_type="Transient", subtype="MailboxFull"))
    run(store, ses_list, message)
    before = store.get("dup@example.com")
    outcomes = run(store, ses_list, message, message)
    assert store.get("dup@example.com") == before  # version included: nothing was written
    assert before.count == 1
    assert [o[0].new for o in outcomes] == [False, False]
    assert len(store.entries("dup@example.com")) == 1


def test_suppression_calls_are_not_repeated_needlessly(ses, store):
    fake, ses_list = ses
    message = bounce(["once@example.com"])
    run(store, ses_list, message, message, bounce(["once@example.com"], feedback_id="fb-2"))
    assert fake.call_counts()["PutSuppressedDestination"] == 1


def test_a_later_delivery_never_undoes_a_suppression(lambda_env):
    fake, deps = lambda_env
    bodies = [sns_envelope(fixture("ses/notification-bounce.json")), sns_envelope(delivery("jane@example.com"))]
    handler.lambda_handler(sqs_event(bodies), LambdaContext())
    assert deps.store.get("jane@example.com").suppressed
    assert "jane@example.com" in fake.suppressed


def test_complaint_outranks_bounce_in_any_order(ses, tmp_path):
    fake, ses_list = ses
    for i, order in enumerate(itertools.permutations([bounce(["o@example.com"]), complaint(["o@example.com"])])):
        store = SqliteAddressStore(tmp_path / f"{i}.sqlite")
        fake.suppressed.clear()
        run(store, ses_list, *order)
        assert store.get("o@example.com").reason == "COMPLAINT"
        assert fake.suppressed["o@example.com"]["Reason"] == "COMPLAINT"


def _mixed_history(address: str) -> list[dict]:
    return [
        bounce([address], "Transient", "MailboxFull", "2024-03-01T00:00:00.000Z", "s1"),
        bounce([address], "Undetermined", "Undetermined", "2024-03-03T00:00:00.000Z", "s2"),
        bounce([address], "Transient", "ContentRejected", "2024-03-04T00:00:00.000Z", "c1"),
        bounce([address], "Transient", "General", "2024-03-05T00:00:00.000Z", "s3"),
        bounce([address], "Permanent", "OnAccountSuppressionList", "2024-03-06T00:00:00.000Z", "a1"),
        complaint([address], "2024-03-02T00:00:00.000Z", "k1", complaintFeedbackType="not-spam"),
        delivery(address, "2024-03-07T00:00:00.000Z"),
    ]


def test_out_of_order_delivery_gives_the_same_final_state(ses, tmp_path):
    fake, ses_list = ses
    history = _mixed_history("order@example.com")
    states, lists = set(), set()
    for order in itertools.islice(itertools.permutations(history), 0, None, 211):
        store = SqliteAddressStore(":memory:")
        # The OnAccountSuppressionList bounce in the history means SES's list holds the address already.
        fake.suppressed.clear()
        fake.PutSuppressedDestination("order@example.com", "BOUNCE")
        # every message twice, the duplicates interleaved
        run(store, ses_list, *order, *reversed(order))
        states.add(json.dumps(store.get("order@example.com").meaning(), default=str, sort_keys=True))
        lists.add(json.dumps({a: e["Reason"] for a, e in fake.suppressed.items()}))
    assert len(states) == 1
    assert len(lists) == 1
    final = json.loads(states.pop())
    assert final["status"] == "suppressed"
    assert final["reason"] == "BOUNCE"
    assert final["suppressed_at"] == "2024-03-05 00:00:00"  # the third soft bounce within 7 days
    assert final["count"] == 3  # s1, s2, s3; not the content rejection, the consequence or the not-spam report
    assert final["feedback_count"] == 6
    assert final["first_seen"] == "2024-03-01 00:00:00"
    assert final["last_seen"] == "2024-03-06 00:00:00"
    assert (final["type"], final["subtype"]) == ("Permanent", "OnAccountSuppressionList")


def test_out_of_order_on_dynamodb_matches_sqlite(ses, dynamo_store, tmp_path):
    _fake, ses_list = ses
    history = _mixed_history("same@example.com")
    run(dynamo_store, ses_list, *reversed(history))
    sqlite = SqliteAddressStore(tmp_path / "a.sqlite")
    run(sqlite, ses_list, *history)
    assert dynamo_store.get("same@example.com").meaning() == sqlite.get("same@example.com").meaning()


# -- classification ------------------------------------------------------------------------------------------------


def test_soft_bounces_suppress_after_the_threshold_within_the_window(ses, store):
    fake, ses_list = ses
    config = PolicyConfig(soft_bounce_threshold=3, soft_bounce_window=timedelta(days=7))
    at = ["2024-03-01T00:00:00Z", "2024-03-04T00:00:00Z", "2024-03-07T23:00:00Z"]
    run(
        store,
        ses_list,
        *(bounce(["soft@example.com"], "Transient", "MailboxFull", t, f"s{i}") for i, t in enumerate(at[:2])),
        config=config,
    )
    assert not store.get("soft@example.com").suppressed
    run(store, ses_list, bounce(["soft@example.com"], "Undetermined", "Undetermined", at[2], "s2"), config=config)
    row = store.get("soft@example.com")
    assert (row.status, row.reason, row.count) == ("suppressed", "BOUNCE", 3)
    assert fake.suppressed["soft@example.com"]["Reason"] == "BOUNCE"


def test_soft_bounces_spread_beyond_the_window_do_not_suppress(ses, store):
    """The window is measured on bounce timestamps, not on when we process them (all processed at once here)."""
    fake, ses_list = ses
    at = ["2024-01-01T00:00:00Z", "2024-01-10T00:00:00Z", "2024-01-20T00:00:00Z", "2024-01-30T00:00:00Z"]
    run(
        store, ses_list, *(bounce(["spread@example.com"], "Transient", "General", t, f"s{i}") for i, t in enumerate(at))
    )
    row = store.get("spread@example.com")
    assert (row.status, row.count) == ("active", 4)
    assert "spread@example.com" not in fake.suppressed


def test_content_rejections_are_recorded_but_not_counted(ses, store):
    _fake, ses_list = ses
    run(
        store,
        ses_list,
        *(
            bounce(["content@example.com"], "Transient", "ContentRejected", f"2024-03-0{i + 1}T00:00:00Z", f"c{i}")
            for i in range(4)
        ),
    )
    row = store.get("content@example.com")
    assert (row.status, row.count, row.feedback_count) == ("active", 0, 4)


def test_on_account_suppression_list_is_a_consequence_not_a_new_bounce(ses, store):
    fake, ses_list = ses
    [[outcome]] = run(store, ses_list, bounce(["known@example.com"], "Permanent", "OnAccountSuppressionList"))
    row = store.get("known@example.com")
    assert outcome.category is Category.CONSEQUENCE
    assert (row.status, row.reason, row.count, row.feedback_count) == ("suppressed", "BOUNCE", 0, 1)
    assert fake.call_counts()["PutSuppressedDestination"] == 0  # SES already refused it from its own list


def test_global_suppressed_subtype_is_mirrored_to_the_account_list(ses, store):
    fake, ses_list = ses
    run(store, ses_list, bounce(["global@example.com"], "Permanent", "Suppressed"))
    assert fake.suppressed["global@example.com"]["Reason"] == "BOUNCE"
    assert store.get("global@example.com").count == 1


def test_not_spam_complaints_do_not_suppress(ses, store):
    fake, ses_list = ses
    run(store, ses_list, complaint(["fine@example.com"], complaintFeedbackType="not-spam"))
    assert not store.get("fine@example.com").suppressed
    assert not fake.suppressed


def test_addresses_are_normalized_onto_one_row(ses, store):
    fake, ses_list = ses
    run(
        store,
        ses_list,
        bounce(['"Jane Doe" <Jane.Doe@Example.COM>'], "Transient", "General", "2024-03-01T00:00:00Z", "n1"),
        bounce(["  jane.doe@example.com "], "Transient", "General", "2024-03-02T00:00:00Z", "n2"),
        bounce(["JANE.DOE@EXAMPLE.COM"], "Transient", "General", "2024-03-03T00:00:00Z", "n3"),
    )
    row = store.get("jane.doe@example.com")
    assert (row.count, row.status) == (3, "suppressed")
    assert list(fake.suppressed) == ["jane.doe@example.com"]


def test_mirroring_can_be_turned_off(ses, store):
    fake, ses_list = ses
    run(store, ses_list, bounce(["local@example.com"]), config=PolicyConfig(mirror_to_ses=False))
    assert store.get("local@example.com").suppressed
    assert not fake.suppressed


def test_rows_are_never_deleted_and_the_ledger_keeps_evidence(ses, store):
    _fake, ses_list = ses
    run(store, ses_list, bounce(["ev@example.com"], feedback_id="e1"), complaint(["ev@example.com"], feedback_id="e2"))
    entries = store.entries("ev@example.com")
    assert [(e.feedback_id, e.category, e.diagnostic_code) for e in entries] == [
        ("e1", "hard", "smtp; 550 ev@example.com"),
        ("e2", "complaint", None),
    ]


# -- the Pinpoint event stream ------------------------------------------------------------------------------------


def test_pinpoint_stream_records_through_kinesis(lambda_env):
    fake, deps = lambda_env
    payloads = [
        json.dumps(pinpoint_bounce("Hard@Example.com")).encode(),
        json.dumps(fixture("ses/event-delivery.json")).encode(),
        b"\xff\xfe not utf-8",
        json.dumps(pinpoint_bounce("soft@example.com", "_email.softbounce", "pp-2")).encode(),
    ]
    event = kinesis_event(payloads)
    response = handler.kinesis_handler(event, LambdaContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][2]["kinesis"]["sequenceNumber"]}]}
    assert deps.store.get("hard@example.com").reason == "BOUNCE"
    assert deps.store.get("hard@example.com").last_feedback_id == "pp-1"
    soft = deps.store.get("soft@example.com")
    assert (soft.status, soft.count, soft.type) == ("active", 1, "Transient")
    assert set(fake.suppressed) == {"hard@example.com"}


def test_pinpoint_feedback_and_ses_feedback_with_one_feedback_id_count_once(ses, store):
    _fake, ses_list = ses
    pinpoint = pinpoint_bounce("both@example.com", "_email.softbounce", "shared-id")
    run(store, ses_list, pinpoint, bounce(["both@example.com"], "Transient", "General", feedback_id="shared-id"))
    assert store.get("both@example.com").count == 1


def test_raw_message_delivery_bodies_are_read_too(ses, store):
    _fake, ses_list = ses
    run(store, ses_list, json.dumps(copy.deepcopy(fixture("ses/notification-bounce.json"))))
    assert store.get("jane@example.com").suppressed


def test_concurrent_writers_never_lose_an_update(dynamo_store):
    """Two Lambdas folding feedback into one row: the loser of the version race re-reads and retries."""
    from handlers.bounces.models import parse_notification as parse
    from handlers.bounces.policy import classify
    from handlers.bounces.store import FeedbackEntry

    def entry(feedback_id, at):
        [feedback] = parse(bounce(["race@example.com"], "Transient", "General", at, feedback_id)).feedback
        return FeedbackEntry.from_feedback(feedback, classify(feedback))

    dynamo_store.record(entry("r1", "2024-03-01T00:00:00Z"))
    stale = dynamo_store.get("race@example.com")
    dynamo_store.record(entry("r2", "2024-03-02T00:00:00Z"))  # another writer got there first
    reads = iter([stale])
    original_get = dynamo_store.get
    dynamo_store.get = lambda address: next(reads, None) or original_get(address)
    dynamo_store.record(entry("r3", "2024-03-03T00:00:00Z"))
    dynamo_store.get = original_get
    row = dynamo_store.get("race@example.com")
    assert (row.count, row.feedback_count, row.last_feedback_id) == (3, 3, "r3")
