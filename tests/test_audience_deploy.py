"""deploy/audiences.yaml read as CloudFormation: the state machine's loops are bounded and every task retries and
catches (X3), the drop bucket's notification configuration is never written (X5), the Pinpoint import role reads one
prefix of one bucket, queues have dead-letter queues, and the environment the template sets is what the code reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

from handlers.audiences.settings import AudienceSettings

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "audiences.yaml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return cfn_yaml.load(str(TEMPLATE))


def _states(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["AudienceStateMachine"]["Properties"]["Definition"]["States"]


def test_defect_x3_every_task_retries_and_catches_and_every_loop_is_bounded(template) -> None:
    states = _states(template)
    for name, state in states.items():
        if state["Type"] == "Task":
            assert state.get("Retry"), f"{name} has no Retry"
            if name != "NotifyFinishFailed":  # the last resort: it retries, then the run fails
                assert state.get("Catch"), f"{name} has no Catch"
                assert state["Catch"][0]["ErrorEquals"] == ["States.ALL"], name
    # The two wait loops: each Choice that loops back to its Wait has a branch on the poll count.
    for choice, wait, bound in (
        ("ImportDone?", "WaitForImport", "${MaxImportPolls}"),
        ("CampaignDone?", "WaitForCampaign", "${MaxCampaignPolls}"),
    ):
        assert states[choice]["Default"] == wait
        counts = [c for c in states[choice]["Choices"] if "NumericGreaterThanEquals" in c]
        assert len(counts) == 1, choice
        assert counts[0]["Variable"].endswith(".polls")
        assert counts[0]["NumericGreaterThanEquals"] == bound
    assert template["Resources"]["AudienceStateMachine"]["Properties"]["Definition"]["TimeoutSeconds"] > 0


def test_defect_x3_every_failure_path_reaches_the_notification(template) -> None:
    states = _states(template)
    for name, state in states.items():
        for catch in state.get("Catch", []):
            target = catch["Next"]
            while states[target]["Type"] == "Pass":
                target = states[target]["Next"]
            assert target in ("Finish", "NotifyFinishFailed"), f"{name} catches into {target}"
    for name in ("ImportFailed", "ImportTimedOut", "CampaignFailed", "CampaignTimedOut"):
        assert states[name]["Next"] == "Finish"
        assert states[name]["Parameters"]["stage"] in ("import", "campaign")


def test_defect_x5_the_bucket_notification_configuration_is_never_written(template) -> None:
    types = {r["Type"] for r in template["Resources"].values()}
    assert not {t for t in types if t.startswith(("Custom::", "AWS::CloudFormation::CustomResource"))}
    assert "AWS::S3::Bucket" not in types  # the drop bucket is the user's
    rule = template["Resources"]["DropRule"]["Properties"]
    assert rule["EventPattern"]["detail-type"] == ["Object Created"]
    assert rule["Targets"][0]["DeadLetterConfig"]


def test_defect_3_the_import_role_reads_the_staging_prefix_of_this_bucket_only(template) -> None:
    role = template["Resources"]["PinpointImportRole"]["Properties"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    resources = [s["Resource"] for s in statements]
    assert resources[0] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${DropBucketName}/${StagingPrefix}*"}
    assert resources[1] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${DropBucketName}"}  # no "<bucket>*"
    assert "ManagedPolicyArns" not in role  # the reference attached AWSGlueServiceRole


def test_queues_have_dead_letter_queues_and_sources_report_item_failures(template) -> None:
    resources = template["Resources"]
    for name in ("TriggerQueue", "AttributesQueue"):
        assert resources[name]["Properties"]["RedrivePolicy"]["maxReceiveCount"] >= 1
    for function in ("TriggerFunction", "AttributesFunction", "AttributesStreamFunction"):
        for event in resources[function]["Properties"]["Events"].values():
            assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], function
    alarms = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert len(alarms) == 3


def test_the_environment_the_template_sets_is_what_the_code_reads(template) -> None:
    variables = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            variables |= set(resource["Properties"].get("Environment", {}).get("Variables", {}))
    fields = {f"ENGLAKE_AUDIENCES_{name.upper()}" for name in AudienceSettings.model_fields}
    audience_variables = {v for v in variables if v.startswith("ENGLAKE_AUDIENCES_")}
    assert audience_variables <= fields
    handler_source = (TEMPLATE.parent.parent / "handlers" / "event_attributes" / "handler.py").read_text()
    for variable in variables - audience_variables - {"POWERTOOLS_LOG_LEVEL", "POWERTOOLS_SERVICE_NAME"}:
        assert variable in handler_source, variable


def test_functions_run_python_3_11_with_their_handlers(template) -> None:
    import importlib

    assert template["Globals"]["Function"]["Runtime"] == "python3.11"
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            module, _, function = resource["Properties"]["Handler"].rpartition(".")
            assert callable(getattr(importlib.import_module(module), function))
