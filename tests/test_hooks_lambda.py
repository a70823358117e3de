"""The voice channel's Lambda entry points end to end on moto (SQS, DynamoDB, S3) and the Connect fake: Pinpoint's
custom-channel invocation → the call queue → the dialer (partial batch failures) → Connect → events in an S3 lake
that the lake reader reads back. Also the deploy template's scoping and wiring."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from cfnlint.decode import cfn_yaml
from moto import mock_aws

from englake.storage import S3Store
from handlers.hooks import handler as hook_handler
from handlers.hooks.config import DIALER_CONCURRENCY
from handlers.hooks.voice.ledger import create_table
from ingest.reader import LakeRecord, read_lake
from tests.fakes.connect import ConnectFake
from tests.hooks_support import custom_channel_event

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def noon_zone() -> str:
    """A fixed-offset zone where it is about noon now, so calling hours hold whenever the test runs."""
    offset = 12 - datetime.now(UTC).hour
    offset = offset - 24 if offset > 12 else offset
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


class _Context:
    function_name = "englake-voice"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:englake-voice"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch):
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="calls")["QueueUrl"]
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_table(dynamodb, "calls")
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake")
        fake = ConnectFake()
        fake.add_instance("inst", ["flow"])
        connect = fake.attach(
            boto3.client("connect", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
        )
        env = {
            "VOICE_QUEUE_URL": queue,
            "VOICE_LEDGER_TABLE": "calls",
            "CONNECT_INSTANCE_ID": "inst",
            "CONNECT_CONTACT_FLOW_ID": "flow",
            "LAKE_ROOT": "s3://lake",
            "VOICE_CALLS_PER_SECOND": "100",
        }
        for name, value in env.items():
            monkeypatch.setenv(f"ENGLAKE_HOOKS_{name}", value)
        for cached in (hook_handler.settings, hook_handler.voice_clients, hook_handler.lake, hook_handler.pacer):
            cached.cache_clear()
        monkeypatch.setattr(
            hook_handler, "voice_clients", lambda: {"sqs": sqs, "dynamodb": dynamodb, "connect": connect}
        )
        yield {"sqs": sqs, "queue": queue, "fake": fake, "s3": s3}
        for cached in (hook_handler.settings, hook_handler.lake, hook_handler.pacer):
            cached.cache_clear()


def _sqs_event(sqs: Any, queue: str) -> dict[str, Any]:
    records = []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        for m in messages:
            records.append({"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs"})
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
    return {"Records": records}


def test_invocation_to_calls_to_lake(stack: dict[str, Any]) -> None:
    event = copy.deepcopy(custom_channel_event())
    zone = noon_zone()
    voice = {
        "ChannelType": "VOICE",
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        "Demographic": {"Timezone": zone},
        "Attributes": {"VoiceConsent": ["yes"]},
    }
    event["Endpoints"].update(
        {f"v{i}": {**voice, "Address": f"+1206555{i:04d}"} for i in range(3)}
        | {"opted-out": {**voice, "Address": "+12065559999", "OptOut": "ALL"}}
    )
    for _ in range(2):  # Pinpoint retries the invocation
        assert hook_handler.voice_channel_handler(copy.deepcopy(event), _Context()) == {"queued": 3, "skipped": 2}
    batch = _sqs_event(stack["sqs"], stack["queue"])
    batch["Records"].append({"messageId": "poison", "body": "{not json", "eventSource": "aws:sqs"})
    response = hook_handler.dialer_handler(batch, _Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert len(stack["fake"].placed) == 3  # six requests, three people, three calls
    records = [r for r in read_lake(S3Store("s3://lake", stack["s3"])) if isinstance(r, LakeRecord)]
    types = sorted(r.event_type for r in records)
    # skips from both invocations (identical records: one event after deduplication), a placed event per call
    # and, for the three duplicate requests, the same placed events again
    assert types.count("englake.voice.placed") == 6
    assert len({json.dumps(r.data, sort_keys=True) for r in records if r.event_type.endswith("placed")}) == 3
    assert types.count("englake.voice.skipped") == 4
    assert all(r.known for r in records)


def test_voice_handlers_name_missing_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from englake.errors import ConfigError

    monkeypatch.delenv("ENGLAKE_HOOKS_VOICE_QUEUE_URL", raising=False)
    hook_handler.settings.cache_clear()
    with pytest.raises(ConfigError, match="ENGLAKE_HOOKS_VOICE_QUEUE_URL"):
        hook_handler.voice_channel_handler(custom_channel_event(), _Context())
    hook_handler.settings.cache_clear()


# -- the template ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return cfn_yaml.load(str(DEPLOY / "hooks.yaml"))


def test_no_project_wide_hook_and_no_delivery_mode(template: dict[str, Any]) -> None:
    """Defects §12-§14: the reference set AWS::Pinpoint::ApplicationSettings CampaignHook (every campaign of the
    project), and §14 with Mode DELIVERY. We create neither: the hooks are attached to single campaigns."""
    text = (DEPLOY / "hooks.yaml").read_text()
    assert "AWS::Pinpoint::ApplicationSettings" not in text
    assert "DELIVERY" not in text
    types = {r["Type"] for r in template["Resources"].values()}
    assert not any(t.startswith("AWS::Pinpoint::") for t in types)


def test_pinpoint_may_invoke_only_from_this_projects_campaigns(template: dict[str, Any]) -> None:
    """Defect §12: the reference's permission named ``mobiletargeting:…:/apps/<id>*`` (a leading slash and a bare
    wildcard): ours names ``apps/<id>/campaigns/*`` (``apps/<id>/*`` for the custom channel) and the account."""
    for name in ("FilterHookPermission", "TemplateHookPermission", "VoiceChannelPermission"):
        permission = template["Resources"][name]["Properties"]
        assert permission["Principal"] == {"Fn::Sub": "pinpoint.${AWS::Region}.amazonaws.com"}
        assert "apps/${PinpointApplicationId}/" in permission["SourceArn"]["Fn::Sub"]
        assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
        assert ":/apps" not in permission["SourceArn"]["Fn::Sub"]


def test_hooks_answer_within_pinpoints_15_seconds(template: dict[str, Any]) -> None:
    for name in ("FilterHookFunction", "TemplateHookFunction"):
        assert template["Resources"][name]["Properties"]["Timeout"] < 15


def test_the_dialer_is_paced_idempotent_and_fails_single_records(template: dict[str, Any]) -> None:
    dialer = template["Resources"]["DialerFunction"]["Properties"]
    source = dialer["Events"]["Calls"]["Properties"]
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # the per-dialer pace (settings) assumes this many dialers at once
    assert source["ScalingConfig"]["MaximumConcurrency"] == DIALER_CONCURRENCY
    queue = template["Resources"]["VoiceQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * dialer["Timeout"]
    assert "deadLetterTargetArn" in queue["RedrivePolicy"]
    statements = dialer["Policies"][0]["Statement"]
    assert {"connect:StartOutboundVoiceContact"} == {s["Action"] for s in statements if "connect" in str(s["Action"])}
    channel = template["Resources"]["VoiceChannelFunction"]["Properties"]
    assert channel["DeadLetterQueue"]["Type"] == "SQS"


def test_every_function_has_an_errors_alarm(template: dict[str, Any]) -> None:
    alarmed = {
        r["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("MetricName") == "Errors"
    }
    assert alarmed == {"FilterHookFunction", "TemplateHookFunction", "VoiceChannelFunction", "DialerFunction"}


def test_alarms_reach_their_topic(template: dict[str, Any]) -> None:
    """Defect X6: a topic under the AWS-managed alias/aws/sns key cannot receive CloudWatch's alarms; ours uses a
    customer-managed key that grants CloudWatch."""
    topic = template["Resources"]["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmKey"}
    statements = template["Resources"]["AlarmKey"]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Principal"].get("Service") == "cloudwatch.amazonaws.com" for s in statements)
