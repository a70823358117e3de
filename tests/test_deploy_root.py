"""deploy/template.yaml nests the three parts consistently: every file, parameter and output it names exists, every
required parameter is passed, and the wiring between the parts has no cycle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NESTED_TYPES = {"AWS::Serverless::Application", "AWS::CloudFormation::Stack"}
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9:._]+)\}")


def load(path: Path) -> dict[str, Any]:
    return cfn_yaml.load(str(path))


@pytest.fixture(scope="module")
def root() -> dict[str, Any]:
    return load(DEPLOY / "template.yaml")


@pytest.fixture(scope="module")
def nested(root: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Logical id of each nested application → its parsed template."""
    apps = {name: r for name, r in root["Resources"].items() if r["Type"] in NESTED_TYPES}
    return {name: load(DEPLOY / app["Properties"]["Location"]) for name, app in apps.items()}


def references(node: Any) -> Iterator[tuple[str, str | None]]:
    """Every (logical id, attribute) that ``node`` references through Ref, Fn::GetAtt or Fn::Sub."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref":
                yield str(value), None
            elif key == "Fn::GetAtt":
                yield str(value[0]), str(value[1])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                for name in _SUB_NAME.findall(text):
                    target, _, attribute = name.partition(".")
                    yield target, attribute or None
                if not isinstance(value, str):
                    yield from references(value[1])
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def nested_outputs_used(root: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(where in the root, nested application, output name) for every !GetAtt App.Outputs.Name."""
    for section in ("Resources", "Outputs"):
        for name, body in root[section].items():
            for target, attribute in references(body):
                if attribute and attribute.startswith("Outputs."):
                    yield f"{section}.{name}", target, attribute.removeprefix("Outputs.")


def test_every_nested_location_is_a_file_here(root: dict[str, Any]) -> None:
    apps = [r for r in root["Resources"].values() if r["Type"] in NESTED_TYPES]
    assert {a["Properties"]["Location"] for a in apps} == {
        "lake.yaml",
        "email-ops.yaml",
        "segmentation.yaml",
        "sms-ops.yaml",
        "audiences.yaml",
    }
    for app in apps:
        assert (DEPLOY / app["Properties"]["Location"]).is_file()


def test_passed_parameters_are_declared_and_required_ones_are_passed(
    root: dict[str, Any], nested: dict[str, dict[str, Any]]
) -> None:
    for name, template in nested.items():
        passed = set(root["Resources"][name]["Properties"].get("Parameters", {}))
        declared = template.get("Parameters", {})
        assert passed <= set(declared), f"{name} does not declare {passed - set(declared)}"
        required = {p for p, spec in declared.items() if "Default" not in spec}
        assert required <= passed, f"{name} needs {required - passed}"


def test_root_parameters_passed_through_keep_the_nested_constraints(
    root: dict[str, Any], nested: dict[str, dict[str, Any]]
) -> None:
    """A root default must be a value the nested template accepts (checked where the nested app always exists)."""
    for name, template in nested.items():
        if "Condition" in root["Resources"][name]:
            continue
        for parameter, value in root["Resources"][name]["Properties"].get("Parameters", {}).items():
            if not (isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in root["Parameters"]):
                continue
            outer, inner = root["Parameters"][value["Ref"]], template["Parameters"][parameter]
            assert outer["Type"] == inner["Type"] or inner["Type"] == "CommaDelimitedList", parameter
            if "Default" not in outer:
                continue
            default = str(outer["Default"])
            if "AllowedPattern" in inner:
                assert re.fullmatch(inner["AllowedPattern"], default), f"{name}.{parameter}: {default!r}"
            if "AllowedValues" in inner:
                assert default in [str(v) for v in inner["AllowedValues"]], f"{name}.{parameter}"
            for bound, ok in (("MinValue", float.__ge__), ("MaxValue", float.__le__)):
                if bound in inner:
                    assert ok(float(default), float(inner[bound])), f"{name}.{parameter} {bound}"


def test_every_nested_output_the_root_uses_is_declared(root: dict[str, Any], nested: dict[str, dict[str, Any]]) -> None:
    used = list(nested_outputs_used(root))
    assert used
    for where, app, output in used:
        assert app in nested, f"{where}: {app} is not a nested application"
        declared = nested[app].get("Outputs", {})
        assert output in declared, f"{where}: {app} has no output {output}"
        # An output that only exists under a condition may only be read under a condition of the root's own.
        if "Condition" in declared[output]:
            section, name = where.split(".", 1)
            assert "Condition" in root[section][name], f"{where} reads conditional {app}.{output} unconditionally"


def test_the_root_exposes_what_each_part_promised(root: dict[str, Any]) -> None:
    outputs = root["Outputs"]
    lake = {
        "LakeBucket",
        "LakeRoot",
        "PinpointDeliveryStreamName",
        "SesDeliveryStreamName",
        "SmsDeliveryStreamName",
        "GlueDatabase",
        "AthenaWorkGroup",
        "SesConfigurationSet",
        "SmsEventDestinationRoleArn",
    }
    email_ops = {"AddressTableName", "ArchiveBucketName", "FeedbackTopicArn", "FeedbackQueueUrl"}
    segmentation = {"SyncFunctionArn", "SyncStateMachineArn", "FailureTopicArn"}
    assert lake | email_ops | segmentation <= set(outputs)
    for name in lake:
        assert outputs[name]["Value"] == {"Fn::GetAtt": ["Lake", f"Outputs.{name}"]}
    for name in email_ops:
        assert outputs[name]["Value"] == {"Fn::GetAtt": ["EmailOps", f"Outputs.{name}"]}
    for name in segmentation:
        assert outputs[name]["Value"] == {"Fn::GetAtt": ["Segmentation", f"Outputs.{name}"]}
        assert outputs[name]["Condition"] == "HasPinpointApplication"


def test_segmentation_only_with_a_pinpoint_project_and_wired_to_the_lake(root: dict[str, Any]) -> None:
    assert root["Conditions"]["HasPinpointApplication"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "PinpointApplicationId"}, ""]}]
    }
    assert re.fullmatch(root["Parameters"]["PinpointApplicationId"]["AllowedPattern"], "")
    assert re.fullmatch(root["Parameters"]["PinpointApplicationId"]["AllowedPattern"], "0123456789abcdef" * 2)
    assert not re.fullmatch(root["Parameters"]["PinpointApplicationId"]["AllowedPattern"], "g" * 32)
    segmentation = root["Resources"]["Segmentation"]
    assert segmentation["Condition"] == "HasPinpointApplication"
    parameters = segmentation["Properties"]["Parameters"]
    assert parameters["LakeBucketName"] == {"Fn::GetAtt": ["Lake", "Outputs.LakeBucket"]}
    assert parameters["AthenaWorkGroupName"] == {"Fn::GetAtt": ["Lake", "Outputs.AthenaWorkGroup"]}
    assert parameters["PinpointApplicationId"] == {"Ref": "PinpointApplicationId"}
    assert root["Parameters"]["SegmentDatabase"]["Default"] == "englake"  # ENGLAKE_ATHENA_SCHEMA's default
    # The sync is a container image that carries its dependencies: no layer to pass.
    assert set(parameters) == {
        "LakeBucketName",
        "AthenaWorkGroupName",
        "PinpointApplicationId",
        "SegmentDatabase",
        "NotificationEmail",
    }


def test_every_root_parameter_is_used_and_listed_once(root: dict[str, Any]) -> None:
    """A parameter nothing references (one left behind when a nested template dropped it) would be asked for in vain."""
    used = {target for section in ("Conditions", "Resources", "Outputs") for target, _ in references(root[section])}
    declared = set(root["Parameters"])
    assert declared <= used, f"never referenced: {sorted(declared - used)}"
    groups = root["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    listed = [name for group in groups for name in group["Parameters"]]
    assert len(listed) == len(set(listed))
    assert set(listed) <= declared, f"the console groups undeclared {sorted(set(listed) - declared)}"


def test_dependencies_between_the_parts_have_no_cycle(root: dict[str, Any]) -> None:
    resources = root["Resources"]
    graph: dict[str, set[str]] = {}
    for name, body in resources.items():
        depends = body.get("DependsOn", [])
        depends = [depends] if isinstance(depends, str) else depends
        graph[name] = {target for target, _ in references(body) if target in resources} | set(depends)
    # EmailOps must not wait for anything: Lake takes its archive queuer.
    assert graph["EmailOps"] == set()
    assert graph["Lake"] == {"EmailOps"}
    assert graph["Segmentation"] == {"Lake"}
    done: set[str] = set()
    while len(done) < len(graph):
        ready = {name for name, deps in graph.items() if name not in done and deps <= done}
        assert ready, f"cycle among {set(graph) - done}"
        done |= ready


def test_the_archive_queuer_feeds_the_pinpoint_stream(root: dict[str, Any], nested: dict[str, dict[str, Any]]) -> None:
    passed = root["Resources"]["Lake"]["Properties"]["Parameters"]["ArchiveQueuerFunctionArn"]
    assert passed == {"Fn::GetAtt": ["EmailOps", "Outputs.ArchiveQueuerFunctionArn"]}
    assert nested["EmailOps"]["Outputs"]["ArchiveQueuerFunctionArn"]["Value"] == {
        "Fn::GetAtt": ["ArchiveQueuerFunction", "Arn"]
    }
    sample = "arn:aws:lambda:eu-west-1:123456789012:function:englake-EmailOps-ArchiveQueuerFunction-AbC123"
    pattern = nested["Lake"]["Parameters"]["ArchiveQueuerFunctionArn"]["AllowedPattern"]
    assert re.fullmatch(pattern, sample)
    assert re.fullmatch(pattern, "")


def test_bounce_processing_gets_the_lake_configuration_set_events(
    root: dict[str, Any], nested: dict[str, dict[str, Any]]
) -> None:
    (destination,) = [
        r for r in root["Resources"].values() if r["Type"] == "AWS::SES::ConfigurationSetEventDestination"
    ]
    properties = destination["Properties"]
    assert properties["ConfigurationSetName"] == {"Fn::GetAtt": ["Lake", "Outputs.SesConfigurationSet"]}
    event = properties["EventDestination"]
    assert event["Enabled"] is True
    assert sorted(event["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert event["SnsDestination"]["TopicARN"] == {"Fn::GetAtt": ["EmailOps", "Outputs.FeedbackTopicArn"]}
    # The topic lets SES publish (and its key lets SES encrypt) before the root can create the destination.
    assert nested["EmailOps"]["Outputs"]["FeedbackTopicArn"]["Value"] == {"Ref": "FeedbackTopic"}
    # The lake's own destination has another name on the same configuration set.
    lake_destination = nested["Lake"]["Resources"]["SesEventDestination"]["Properties"]["EventDestination"]
    assert lake_destination["Name"] != event["Name"]


# ---------------------------------------------------------------- the Pinpoint stream's processors, evaluated


def evaluate(node: Any, conditions: dict[str, bool]) -> Any:
    """Resolve Fn::If with the given condition values and drop AWS::NoValue, as CloudFormation does."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, yes, no = node["Fn::If"]
            return evaluate(yes if conditions[name] else no, conditions)
        out = {k: evaluate(v, conditions) for k, v in node.items()}
        return {k: v for k, v in out.items() if v != {"Ref": "AWS::NoValue"}}
    if isinstance(node, list):
        items = [evaluate(item, conditions) for item in node]
        return [item for item in items if item != {"Ref": "AWS::NoValue"}]
    return node


@pytest.mark.parametrize(("delimiter", "queuer"), [(True, True), (True, False), (False, True), (False, False)])
def test_pinpoint_stream_runs_the_queuer_then_the_delimiter(
    nested: dict[str, dict[str, Any]], delimiter: bool, queuer: bool
) -> None:
    lake = nested["Lake"]
    conditions = {
        "AppendDelimiter": delimiter,
        "HasArchiveQueuer": queuer,
        "ProcessPinpointRecords": delimiter or queuer,
    }
    assert lake["Conditions"]["ProcessPinpointRecords"] == {
        "Fn::Or": [{"Condition": "AppendDelimiter"}, {"Condition": "HasArchiveQueuer"}]
    }
    s3 = evaluate(lake["Resources"]["PinpointDeliveryStream"]["Properties"], conditions)[
        "ExtendedS3DestinationConfiguration"
    ]
    lambda_processor = {
        "Type": "Lambda",
        "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": {"Ref": "ArchiveQueuerFunctionArn"}}],
    }
    expected = [lambda_processor] * queuer + [{"Type": "AppendDelimiterToRecord"}] * delimiter
    if expected:
        assert s3["ProcessingConfiguration"] == {"Enabled": True, "Processors": expected}
    else:
        assert "ProcessingConfiguration" not in s3
    statements = evaluate(lake["Resources"]["FirehoseDeliveryRole"]["Properties"], conditions)["Policies"][0][
        "PolicyDocument"
    ]["Statement"]
    invoke = [s for s in statements if "lambda:InvokeFunction" in s["Action"]]
    if queuer:
        (statement,) = invoke
        assert sorted(statement["Action"]) == ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"]
        assert {"Ref": "ArchiveQueuerFunctionArn"} in statement["Resource"]
    else:
        assert invoke == []
