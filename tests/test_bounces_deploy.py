"""deploy/email-ops.yaml carries the fixes for the reference templates' deployment defects."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).parents[1] / "deploy" / "email-ops.yaml"


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(TEMPLATE))


def resources(template: dict, kind: str) -> dict:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_every_parameter_has_a_default(template):
    assert all("Default" in p for p in template["Parameters"].values())


def test_feedback_topic_and_queues_use_a_customer_managed_key_ses_may_use(template):
    """Reference defect X6: alias/aws/sns and alias/aws/sqs cannot be used by SES/SNS service principals."""
    key = template["Resources"]["FeedbackKey"]["Properties"]["KeyPolicy"]["Statement"]
    services = {s["Principal"].get("Service") for s in key}
    assert {"ses.amazonaws.com", "sns.amazonaws.com"} <= services
    for name in ("FeedbackTopic", "FeedbackQueue", "FeedbackDeadLetterQueue"):
        assert template["Resources"][name]["Properties"]["KmsMasterKeyId"] == {"Ref": "FeedbackKey"}


def test_queues_have_dead_letter_queues_and_six_times_the_function_timeout(template):
    functions = template["Resources"]
    for queue, function in (("FeedbackQueue", "BounceFunction"), ("ArchiveQueue", "ArchiverFunction")):
        props = functions[queue]["Properties"]
        assert props["RedrivePolicy"]["maxReceiveCount"] >= 1
        assert props["VisibilityTimeout"] >= 6 * functions[function]["Properties"]["Timeout"]


def test_sqs_functions_report_batch_item_failures(template):
    for function in resources(template, "AWS::Serverless::Function").values():
        for event in function["Properties"].get("Events", {}).values():
            assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_address_table_keeps_history(template):
    table = template["Resources"]["AddressTable"]
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"


def test_runtimes_and_handlers_exist(template):
    import importlib

    for function in resources(template, "AWS::Serverless::Function").values():
        module, _, name = function["Properties"]["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))
    assert template["Globals"]["Function"]["Runtime"] == "python3.11"


def test_archive_bucket_is_versioned_encrypted_and_expires(template):
    bucket = template["Resources"]["ArchiveBucket"]["Properties"]
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any("NoncurrentVersionExpiration" in r for r in rules)
    assert any("ExpirationInDays" in r for r in rules)
