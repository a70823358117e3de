"""The Connect voice channel (§14): CustomDeliveryConfiguration, configured endpoint types only, consent and
opt-out, calling hours in the endpoint's zone, pacing inside Connect's quota, one call per campaign/activity/endpoint
whatever retries, outcomes in the lake. Connect is ``tests/fakes/connect.py`` below a real boto3 client; SQS,
DynamoDB and S3 are moto."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws

from englake.errors import ConfigError
from englake.storage import LocalStore
from handlers.hooks.campaigns import custom_delivery_request, filter_hook_request
from handlers.hooks.models import HookEvent
from handlers.hooks.voice.channel import CallRequest, enqueue, plan_calls
from handlers.hooks.voice.dial import ConnectTarget, dial
from handlers.hooks.voice.ledger import CallLedger, create_table
from handlers.hooks.voice.pacing import TokenBucket
from handlers.hooks.voice.results import VOICE_EVENT_TYPES, land_events
from handlers.hooks.voice.rules import VoiceRules
from ingest.layout import Producer
from ingest.reader import LakeRecord, read_lake
from tests.fakes.connect import ConnectFake
from tests.hooks_support import custom_channel_event

INSTANCE, FLOW, QUEUE = "inst-1", "flow-1", "queue-1"
TARGET = ConnectTarget(INSTANCE, FLOW, QUEUE, "+12065550100")
#: Tuesday 2026-12-01 18:00 UTC = 10:00 in Los Angeles, 19:00 in Paris, 03:00 in Tokyo.
NOON_ISH = datetime(2026, 12, 1, 18, 0)


class VirtualClock:
    def __init__(self) -> None:
        self.t = 1_000.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def phone(i: int, **extra: Any) -> dict[str, Any]:
    endpoint = {
        "ChannelType": "VOICE",
        "Address": f"+1206555{i:04d}",
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        "Demographic": {"Timezone": "America/Los_Angeles"},
        "Attributes": {"VoiceConsent": ["yes"]},
        "User": {"UserAttributes": {"FirstName": [f"Name{i}"]}},
    }
    for key, value in extra.items():
        if value is None:
            endpoint.pop(key, None)
        else:
            endpoint[key] = value
    return endpoint


def voice_event(endpoints: dict[str, Any]) -> HookEvent:
    event = copy.deepcopy(custom_channel_event())
    event["Endpoints"] = endpoints
    return HookEvent.model_validate(event)


@pytest.fixture
def aws(tmp_path) -> Iterator[dict[str, Any]]:
    with mock_aws():
        clock = VirtualClock()
        fake = ConnectFake(clock=clock.now)
        fake.add_instance(INSTANCE, [FLOW], [QUEUE])
        connect = fake.attach(
            boto3.client(
                "connect", region_name="us-east-1", config=Config(retries={"mode": "standard", "total_max_attempts": 1})
            )
        )
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_table(dynamodb, "calls")
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="calls")["QueueUrl"]
        yield {
            "clock": clock,
            "fake": fake,
            "connect": connect,
            "ledger": CallLedger(dynamodb, "calls"),
            "sqs": sqs,
            "queue": queue,
            "lake": LocalStore(tmp_path / "lake"),
        }


def drain(aws: dict[str, Any]) -> list[tuple[str, CallRequest]]:
    requests = []
    while messages := aws["sqs"].receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10).get("Messages"):
        for m in messages:
            requests.append((m["MessageId"], CallRequest.from_json(m["Body"])))
            aws["sqs"].delete_message(QueueUrl=aws["queue"], ReceiptHandle=m["ReceiptHandle"])
    return requests


def run_dialer(aws: dict[str, Any], requests, rules: VoiceRules | None = None, rate: float = 2.0, burst: int = 5):
    clock = aws["clock"]
    pacer = TokenBucket(rate, burst, clock=clock.now, sleep=clock.sleep)
    at = lambda: NOON_ISH  # noqa: E731 - the wall clock of the calls (calling hours), apart from the pacing clock
    return dial(requests, aws["connect"], TARGET, aws["ledger"], pacer, rules or VoiceRules(), at)


def lake_events(store: LocalStore) -> list[LakeRecord]:
    return [r for r in read_lake(store) if isinstance(r, LakeRecord)]


def test_the_channel_is_a_custom_delivery_configuration_not_the_deprecated_delivery_mode() -> None:
    """Defect §14: the reference used CampaignHook Mode DELIVERY (deprecated: "not supported anymore")."""
    with pytest.raises(ConfigError, match="deprecated"):
        filter_hook_request("englake-voice", mode="DELIVERY")
    arn = "arn:aws:lambda:us-east-1:123456789012:function:englake-voice"
    request = {
        **custom_delivery_request(arn, ["VOICE", "SMS"], "Hello {{User.UserAttributes.FirstName}}"),
        **filter_hook_request("englake-filter"),
    }
    # botocore validates the request against Pinpoint's model (WriteCampaignRequest) before the stub answers.
    pinpoint = boto3.client("pinpoint", region_name="us-east-1")
    with Stubber(pinpoint) as stub:
        stub.add_response(
            "update_campaign",
            {
                "CampaignResponse": {
                    "ApplicationId": "app",
                    "Arn": "arn",
                    "CreationDate": "now",
                    "Id": "c",
                    "LastModifiedDate": "now",
                    "SegmentId": "s",
                    "SegmentVersion": 1,
                }
            },
        )
        pinpoint.update_campaign(ApplicationId="app", CampaignId="c", WriteCampaignRequest=request)


def test_only_configured_endpoint_types_are_called_and_the_others_are_recorded(aws) -> None:
    """Defect §14: non-SMS endpoints were skipped silently. The fixture's CUSTOM endpoint is not a configured type:
    it is not called, and the skip is an event in the lake."""
    event = HookEvent.model_validate(custom_channel_event())
    plan = plan_calls(event, VoiceRules(), NOON_ISH)
    assert plan.calls == []
    assert [e.details["reason"] for e in plan.skipped] == ["endpoint_type_not_configured"]
    land_events(aws["lake"], plan.skipped)
    (record,) = lake_events(aws["lake"])
    assert record.producer is Producer.PINPOINT
    assert record.known
    assert record.event_type == "englake.voice.skipped"
    assert record.data["client"]["client_id"] == "EndpointId-1234"
    assert record.data["attributes"]["campaign_id"] == "13978104ce5d6017c72552257example"
    assert "+14255555555" not in record.text  # no phone number in the lake


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"OptOut": "ALL"}, "opted_out"),
        ({"EndpointStatus": "INACTIVE"}, "endpoint_inactive"),
        ({"Attributes": None}, "no_consent"),
        ({"Attributes": {"VoiceConsent": ["no"]}}, "no_consent"),
        ({"Address": "+1 555"}, "invalid_number"),
        ({"Demographic": None}, "no_timezone"),
        ({"Demographic": {"Timezone": "Not/AZone"}}, "no_timezone"),
        ({"Demographic": {"Timezone": "Asia/Tokyo"}}, "outside_calling_hours"),  # 03:00 there
        ({"Demographic": {"Timezone": "Europe/Paris"}}, None),  # 19:00: inside 09:00-20:00
        ({"ChannelType": "SMS"}, None),
    ],
)
def test_consent_opt_out_number_and_calling_hours_in_the_endpoints_zone(change: dict, reason: str | None) -> None:
    """Defect §14: no calling-hours or consent checks."""
    plan = plan_calls(voice_event({"e": phone(1, **change)}), VoiceRules(), NOON_ISH)
    if reason is None:
        assert len(plan.calls) == 1
        assert plan.calls[0].destination == "+12065550001"
    else:
        assert plan.calls == []
        assert plan.skipped[0].details["reason"] == reason


def test_a_pinpoint_retry_never_calls_anyone_twice(aws) -> None:
    """Defect §14: after a failure Pinpoint retried the invocation and re-called the endpoints already called.
    Here the retried invocation queues the same calls again and the dialer's ledger places each once."""
    event = voice_event({f"e{i}": phone(i) for i in range(6)})
    for _attempt in range(2):  # Pinpoint invokes twice with the same batch
        enqueue(aws["sqs"], aws["queue"], plan_calls(event, VoiceRules(), NOON_ISH).calls)
    requests = drain(aws)
    assert len(requests) == 12
    report = run_dialer(aws, requests)
    assert report.counts["placed"] == 6
    assert report.counts["duplicate"] == 6
    assert len(aws["fake"].placed) == 6
    assert all(aws["fake"].placed_to(f"+1206555{i:04d}") == 1 for i in range(6))


def test_the_reference_without_a_ledger_would_call_twice(aws) -> None:
    """Connect's ClientToken alone does not stop a second call once the first has ended (documented: "If the
    contact is disconnected, a new contact is started") — which is why the ledger exists."""
    request = {
        "DestinationPhoneNumber": "+12065550001",
        "ContactFlowId": FLOW,
        "InstanceId": INSTANCE,
        "ClientToken": "same-token",
    }
    aws["connect"].start_outbound_voice_contact(**request)
    aws["clock"].sleep(120)  # the first call ended
    aws["connect"].start_outbound_voice_contact(**request)
    assert aws["fake"].placed_to("+12065550001") == 2


def test_a_crash_after_the_call_does_not_call_again_and_the_outcome_reaches_the_lake(aws) -> None:
    calls = plan_calls(voice_event({"e": phone(1)}), VoiceRules(), NOON_ISH).calls
    first = run_dialer(aws, [("m1", calls[0])])
    # the Lambda died before writing the lake: SQS redelivers, the ledger says PLACED, the event is written again
    second = run_dialer(aws, [("m1", calls[0])])
    assert len(aws["fake"].placed) == 1
    assert second.counts == {"duplicate": 1}
    land_events(aws["lake"], first.events)
    land_events(aws["lake"], second.events)
    records = lake_events(aws["lake"])
    assert [r.event_type for r in records] == ["englake.voice.placed"] * 2
    assert records[0].data == records[1].data  # same record: the models' deduplication keeps one


def test_a_call_in_doubt_is_not_dialed_again(aws) -> None:
    call = plan_calls(voice_event({"e": phone(1)}), VoiceRules(), NOON_ISH).calls[0]
    aws["ledger"].claim(call.call_key, call.client_token, NOON_ISH)  # claimed, then the Lambda died mid-call
    report = run_dialer(aws, [("m1", call)])
    assert aws["fake"].placed == []
    assert report.counts == {"duplicate": 1}


def test_one_connect_error_does_not_abort_the_rest(aws) -> None:
    """Defect §14: one Connect error aborted the remaining endpoints of the batch."""
    aws["fake"].blocked_destinations.add("+12065550002")
    calls = plan_calls(voice_event({f"e{i}": phone(i) for i in range(1, 5)}), VoiceRules(), NOON_ISH).calls
    report = run_dialer(aws, [(str(i), c) for i, c in enumerate(calls)])
    assert report.counts == {"placed": 3, "failed": 1}
    failed = [e for e in report.events if e.event_type == "englake.voice.failed"]
    assert failed[0].details == {"error_code": "DestinationNotAllowedException"}
    assert aws["ledger"].get(calls[1].call_key).status == "FAILED"  # never retried


def test_pacing_stays_inside_connects_quota(aws) -> None:
    """Defect §14: no pacing (and Connect's outbound limits are low). Connect allows 2 StartOutboundVoiceContact
    per second (burst 5): paced at that rate, 20 calls see no throttling and take (20 - 5) / 2 = 7.5 s."""
    aws["fake"].concurrent_calls = 100
    calls = plan_calls(voice_event({f"e{i}": phone(i) for i in range(20)}), VoiceRules(), NOON_ISH).calls
    started = aws["clock"].t
    report = run_dialer(aws, [(str(i), c) for i, c in enumerate(calls)])
    assert report.counts == {"placed": 20}
    assert aws["fake"].throttled == 0
    assert aws["clock"].t - started == pytest.approx(7.5, abs=0.01)


def test_throttling_hands_the_rest_back_to_the_queue_and_they_are_placed_later(aws) -> None:
    """Defect §14: one throttling error aborted the remaining endpoints of the batch."""
    aws["fake"].concurrent_calls = 100
    calls = plan_calls(voice_event({f"e{i}": phone(i) for i in range(10)}), VoiceRules(), NOON_ISH).calls
    requests = [(str(i), c) for i, c in enumerate(calls)]
    report = run_dialer(aws, requests, rate=100, burst=100)  # a misconfigured, too-fast dialer
    assert report.counts["placed"] == 5
    assert aws["fake"].throttled == 1
    assert report.retry == [str(i) for i in range(5, 10)]
    assert aws["ledger"].get(calls[5].call_key) is None  # released, so the redelivery may dial
    aws["clock"].sleep(10)
    again = run_dialer(aws, [r for r in requests if r[0] in report.retry])
    assert again.counts == {"placed": 5}
    assert len(aws["fake"].placed) == 10


def test_the_concurrent_call_limit_defers_instead_of_failing(aws) -> None:
    aws["fake"].concurrent_calls = 3
    calls = plan_calls(voice_event({f"e{i}": phone(i) for i in range(5)}), VoiceRules(), NOON_ISH).calls
    report = run_dialer(aws, [(str(i), c) for i, c in enumerate(calls)])
    assert report.counts == {"placed": 3, "deferred": 2}


def test_calling_hours_are_checked_again_when_dialing(aws) -> None:
    calls = plan_calls(voice_event({"e": phone(1)}), VoiceRules(), NOON_ISH).calls
    late = VoiceRules(calling_end=datetime(2026, 1, 1, 10, 0).time())  # the window closed while queued
    report = run_dialer(aws, [("m", calls[0])], rules=late)
    assert report.counts == {"outside_calling_hours": 1}
    assert aws["fake"].placed == []


def test_the_message_is_personalised_and_the_caller_id_is_set(aws) -> None:
    """Defect §14: no SourcePhoneNumber, so the queue's outbound caller id was used."""
    calls = plan_calls(voice_event({"e": phone(7)}), VoiceRules(), NOON_ISH).calls
    run_dialer(aws, [("m", calls[0])])
    (placed,) = aws["fake"].placed
    assert placed.attributes == {"Message": "Hello Name7, your appointment is tomorrow."}
    assert placed.source == "+12065550100"  # the reference set no SourcePhoneNumber
    assert placed.client_token == calls[0].client_token


def test_outcomes_land_as_events_the_lake_reader_accepts(aws) -> None:
    """Defect §14: results were not recorded."""
    aws["fake"].blocked_destinations.add("+12065550002")
    event = voice_event({"a": phone(1), "b": phone(2), "c": phone(3, OptOut="ALL")})
    plan = plan_calls(event, VoiceRules(), NOON_ISH)
    report = run_dialer(aws, [(str(i), c) for i, c in enumerate(plan.calls)])
    land_events(aws["lake"], [*plan.skipped, *report.events])
    records = lake_events(aws["lake"])
    assert sorted(r.event_type for r in records) == [
        "englake.voice.failed",
        "englake.voice.placed",
        "englake.voice.skipped",
    ]
    assert all(r.known and r.producer is Producer.PINPOINT for r in records)
    assert {r.event_type for r in records} <= set(VOICE_EVENT_TYPES)
    assert all(r.key.startswith("raw/pinpoint/") and "englake-voice-1-" in r.key for r in records)


def test_calling_days_and_settings() -> None:
    from handlers.hooks.config import HookSettings

    rules = HookSettings(voice_calling_days="1,2,3,4,5", voice_calling_start="10:00").voice_rules()
    saturday_noon_la = datetime(2026, 12, 5, 20, 0)
    assert plan_calls(voice_event({"e": phone(1)}), rules, saturday_noon_la).skipped[0].details == {
        "reason": "outside_calling_hours"
    }
    assert len(plan_calls(voice_event({"e": phone(1)}), rules, NOON_ISH).calls) == 1  # Tuesday 10:00 in LA


def test_the_connect_fake_answers_with_the_services_error_codes() -> None:
    """The fake's errors are the operation's documented errors (botocore's model), plus Connect's generic
    ThrottlingException (429) that every Connect API can return."""
    import ast
    import inspect

    import botocore.session

    from tests.fakes import connect as fake_module

    model = botocore.session.get_session().get_service_model("connect")
    documented = {e.name for e in model.operation_model("StartOutboundVoiceContact").error_shapes}
    raised = {
        node.args[0].value
        for node in ast.walk(ast.parse(inspect.getsource(fake_module)))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_error"
    }
    assert raised - documented == {"ThrottlingException"}


def test_a_lost_connection_is_retried_and_a_read_timeout_is_never_redialed(aws) -> None:
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    calls = plan_calls(voice_event({"a": phone(1), "b": phone(2)}), VoiceRules(), NOON_ISH).calls
    original = aws["connect"].start_outbound_voice_contact

    def unreachable(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://connect.us-east-1.amazonaws.com")

    aws["connect"].start_outbound_voice_contact = unreachable
    report = run_dialer(aws, [("a", calls[0]), ("b", calls[1])])
    assert report.retry == ["a", "b"]
    assert aws["ledger"].get(calls[0].call_key) is None  # released: nobody was called

    def timed_out(**params: Any) -> None:
        original(**params)  # Connect placed the call, the answer never arrived
        raise ReadTimeoutError(endpoint_url="https://connect.us-east-1.amazonaws.com")

    aws["connect"].start_outbound_voice_contact = timed_out
    report = run_dialer(aws, [("a", calls[0])])
    assert report.counts == {"in_doubt": 1}
    aws["connect"].start_outbound_voice_contact = original
    again = run_dialer(aws, [("a", calls[0])])
    assert again.counts == {"duplicate": 1}
    assert aws["fake"].placed_to("+12065550001") == 1
