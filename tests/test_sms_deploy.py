"""deploy/sms-ops.yaml carries the fixes for the SMS reference templates' deployment defects (spec §4, §9, §10, X1,
X6, X11, X12) and the project's rules (least privilege, DLQs, alarms)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).parents[1] / "deploy" / "sms-ops.yaml"


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(TEMPLATE))


def resources(template: dict, kind: str) -> dict:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_reference_defect_aws_managed_key_drops_inbound_sms(template) -> None:
    """§9 / X6: the two-way topic used alias/aws/sns, whose policy no service principal can use, so End User
    Messaging could not publish inbound SMS. Here a customer-managed key grants sms-voice.amazonaws.com (and SNS,
    for the encrypted queue), the topic and queues use it, and the topic policy lets the service publish."""
    statements = template["Resources"]["SmsKey"]["Properties"]["KeyPolicy"]["Statement"]
    by_service = {s["Principal"].get("Service"): s for s in statements}
    assert {"kms:GenerateDataKey*", "kms:Decrypt"} <= set(by_service["sms-voice.amazonaws.com"]["Action"])
    assert "sns.amazonaws.com" in by_service
    for name in ("InboundTopic", "InboundQueue", "InboundDeadLetterQueue"):
        assert template["Resources"][name]["Properties"]["KmsMasterKeyId"] == {"Ref": "SmsKey"}
    (publish,) = template["Resources"]["InboundTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert publish["Principal"]["Service"] == "sms-voice.amazonaws.com"
    assert publish["Action"] == "sns:Publish"
    assert "alias/aws/" not in json.dumps(template)


def test_reference_defect_errors_swallowed_queues_have_dlqs_and_partial_batches(template) -> None:
    """X1: errors were logged and the message deleted. Every queue here has a dead-letter queue, every SQS function
    reports batch item failures, and visibility is at least 6 x the consumer's timeout."""
    res = template["Resources"]
    for queue, function in (
        ("InboundQueue", "OptOutFunction"),
        ("IntakeQueue", "FileDropFunction"),
        ("SendQueue", "SenderFunction"),
    ):
        props = res[queue]["Properties"]
        assert props["RedrivePolicy"]["maxReceiveCount"] >= 1
        assert props["VisibilityTimeout"] >= 6 * res[function]["Properties"]["Timeout"]
    for function in resources(template, "AWS::Serverless::Function").values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_every_dead_letter_queue_has_an_alarm(template) -> None:
    queues = {name for name in resources(template, "AWS::SQS::Queue") if "DeadLetter" in name}
    alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in resources(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["Namespace"] == "AWS/SQS"
    }
    assert queues == alarmed


def test_reference_defect_concurrent_validations_reserved_concurrency_one(template) -> None:
    """§4: concurrent executions validated the same numbers twice (billed per request)."""
    function = template["Resources"]["PhoneValidationFunction"]["Properties"]
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["Events"]["Schedule"]["Properties"]["DeadLetterConfig"]


def test_reference_defect_fifo_dedup_per_number_and_campaign(template) -> None:
    """§10: the FIFO queue deduplicated on number + campaign and had no DLQ; here dedup ids are per row (the code
    sets them) and content-based deduplication is off."""
    queue = template["Resources"]["SendQueue"]["Properties"]
    assert queue["FifoQueue"] is True
    assert queue["ContentBasedDeduplication"] is False


def test_reference_defect_deploy_race_bucket_waits_for_its_queue_policy(template) -> None:
    """X12: the bucket's notification target had no permission yet when the bucket was created."""
    assert template["Resources"]["DropBucket"]["DependsOn"] == "IntakeQueuePolicy"
    # X9: nothing grows without bound.
    (rule,) = template["Resources"]["DropBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "ReportRetentionDays"}
    filters = template["Resources"]["DropBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert filters[0]["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "files/"}]


def test_least_privilege_no_wildcard_actions_or_resources(template) -> None:
    for name, function in resources(template, "AWS::Serverless::Function").items():
        text = json.dumps(function["Properties"]["Policies"])
        assert '"Resource": "*"' not in text, name
        for statement in function["Properties"]["Policies"][0]["Statement"]:
            actions = statement["Action"] if isinstance(statement, dict) and "Action" in statement else []
            for action in [actions] if isinstance(actions, str) else actions:
                assert not action.endswith(":*"), f"{name}: {action}"


def test_handlers_exist_and_runtimes_are_current(template) -> None:
    """X11: python3.7 runtimes."""
    assert template["Globals"]["Function"]["Runtime"] == "python3.11"
    for function in resources(template, "AWS::Serverless::Function").values():
        module, _, name = function["Properties"]["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))


def test_every_parameter_has_a_default(template) -> None:
    assert all("Default" in p for p in template["Parameters"].values())
