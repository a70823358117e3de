"""The daily pipeline's state machine (deploy/pipeline.yaml), RUN in moto's Step Functions: moto runs the ASL, starts
a stand-in segment-sync state machine with `states:startExecution.sync:2` and publishes to a real (moto) SNS topic,
whose messages the test reads from a subscribed queue. `ecs:runTask.sync` runs the task in moto's ECS; the container
itself cannot run here, so each task's exit code is stubbed by the command it was given. Paths: success; a stale lake
stops before the sync and notifies; a dbt failure notifies and fails; the weekly maintenance run.

moto's port of the ASL interpreter leaves out two conversions Step Functions makes around every service call (its
hooks are empty): Parameters spelt as the API spells them (``Cluster`` → ECS's ``cluster``, case-insensitively by the
botocore shape) and responses in PascalCase (``Containers[0].ExitCode``). The fixture fills those two hooks in."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore import xform_name
from botocore.model import Shape
from cfnlint.decode import cfn_yaml
from moto import mock_aws
from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ecs import models as ecs_models
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import StateTaskService

from englake.errors import DbtError, StaleLakeError, exit_code
from ingest.layout import Producer

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "pipeline.yaml"
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/pipeline"


def definition(substitutions: dict[str, str | int]) -> str:
    """The template's ASL with DefinitionSubstitutions applied as CloudFormation does (a number replaces the whole
    quoted placeholder; a string is spliced into the JSON string)."""
    resource = cfn_yaml.load(str(TEMPLATE))["Resources"]["PipelineStateMachine"]["Properties"]
    text = json.dumps(resource["Definition"])
    declared = set(resource["DefinitionSubstitutions"])
    assert set(substitutions) == declared, declared ^ set(substitutions)
    for name, value in substitutions.items():
        if isinstance(value, int):
            text = text.replace(f'"${{{name}}}"', str(value))
        text = text.replace(f"${{{name}}}", str(value))
    assert not re.search(r"\$\{[A-Za-z]+\}", text), text
    return text


def _api_names(value: Any, shape: Shape) -> Any:
    """``value`` with its keys spelt as the API's shape spells them (ASL Parameters are case-insensitive)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        members = {name.lower(): name for name in shape.members}
        for key in list(value):
            name = members.get(key.lower(), key)
            item = value.pop(key)
            value[name] = _api_names(item, shape.members[name]) if name in shape.members else item
    elif shape.type_name == "list" and isinstance(value, list):
        value[:] = [_api_names(item, shape.member) for item in value]
    return value


def _pascal(value: Any) -> Any:
    """Step Functions returns service responses with PascalCase keys (a nested execution's Input/Output kept)."""
    if isinstance(value, dict):
        for key in list(value):
            item = value.pop(key)
            value[key[:1].upper() + key[1:]] = item if key.lower() in ("input", "output") else _pascal(item)
    elif isinstance(value, list):
        value[:] = [_pascal(item) for item in value]
    return value


def _normalise_as_step_functions_does(monkeypatch: pytest.MonkeyPatch) -> None:
    session = botocore.session.get_session()

    def parameters(self: Any, parameters: dict, boto_service_name: str | None = None, **_: Any) -> None:
        model = session.get_service_model(boto_service_name or self._get_boto_service_name())
        action = self._get_boto_service_action()
        (operation,) = [name for name in model.operation_names if xform_name(name) == action]
        _api_names(parameters, model.operation_model(operation).input_shape)

    def response(self: Any, response: Any, *_: Any, **__: Any) -> None:
        _pascal(response)

    monkeypatch.setattr(StateTaskService, "_normalise_parameters", parameters)
    monkeypatch.setattr(StateTaskService, "_normalise_response", response)
    # moto's ECS names an awsvpc task's network interface by its private DNS name, which moto's EC2 model lacks.
    monkeypatch.setattr(
        NetworkInterface,
        "private_dns_name",
        property(lambda eni: f"ip-{eni.private_ip_address.replace('.', '-')}.ec2.internal"),
        raising=False,
    )


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    exits: dict[str, int] = {}
    commands: list[list[str]] = []
    original = ecs_models.Task.__init__

    def task_with_exit_code(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        (override,) = self.overrides["containerOverrides"]
        commands.append(override["command"])
        self.containers[0].exitCode = exits[override["command"][1]]  # "build", "freshness" or "maintain"

    monkeypatch.setattr(ecs_models.Task, "__init__", task_with_exit_code)
    _normalise_as_step_functions_does(monkeypatch)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)]
        group = ec2.create_security_group(GroupName="dbt", Description="dbt", VpcId=vpc)["GroupId"]
        ecs = boto3.client("ecs", region_name=REGION)
        cluster = ecs.create_cluster(clusterName="englake")["cluster"]["clusterArn"]
        task_definition = ecs.register_task_definition(
            family="englake-dbt",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="1024",
            memory="4096",
            containerDefinitions=[
                {"name": "dbt", "image": "englake-dbt:latest", "essential": True, "cpu": 1024, "memory": 4096}
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="operations")["TopicArn"]
        queue = sqs.create_queue(QueueName="operations")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        sfn = boto3.client("stepfunctions", region_name=REGION)
        sync = sfn.create_state_machine(
            name="segment-sync",
            roleArn=ROLE,
            definition=json.dumps({"StartAt": "Synced", "States": {"Synced": {"Type": "Succeed"}}}),
        )["stateMachineArn"]

        def pipeline(sync_arn: str = sync) -> str:
            asl = definition(
                {
                    "Cluster": cluster,
                    "TaskDefinition": task_definition,
                    "Subnets": ",".join(subnets),
                    "SecurityGroup": group,
                    "AssignPublicIp": "ENABLED",
                    "DbtTimeout": 7200,
                    "StaleExitCode": int(cfn_yaml.load(str(TEMPLATE))["Parameters"]["StaleExitCode"]["Default"]),
                    "SyncStateMachineArn": sync_arn,
                    "TopicArn": topic,
                }
            )
            name = f"pipeline-{len(sfn.list_state_machines()['stateMachines'])}"
            return sfn.create_state_machine(name=name, roleArn=ROLE, definition=asl)["stateMachineArn"]

        def notifications() -> list[dict]:
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
            return [json.loads(m["Body"]) for m in messages]

        yield {
            "sfn": sfn,
            "exits": exits,
            "commands": commands,
            "pipeline": pipeline,
            "sync": sync,
            "subnets": subnets,
            "notifications": notifications,
        }


def run(world: dict[str, Any], machine: str, payload: dict | None = None) -> tuple[dict, list[str]]:
    sfn = world["sfn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload or {}))["executionArn"]
    deadline = time.monotonic() + 120
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not finish"
        time.sleep(0.2)
    events = sfn.get_execution_history(executionArn=execution)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    return described, entered


def sync_runs(world: dict[str, Any]) -> int:
    return len(world["sfn"].list_executions(stateMachineArn=world["sync"])["executions"])


def test_success_builds_checks_freshness_syncs_and_notifies(world: dict[str, Any]) -> None:
    world["exits"].update(build=0, freshness=0)
    described, entered = run(world, world["pipeline"]())
    assert described["status"] == "SUCCEEDED", described
    assert [s for s in entered if s in ("Build", "Freshness", "SyncSegments", "NotifySuccess")] == [
        "Build",
        "Freshness",
        "SyncSegments",
        "NotifySuccess",
    ]
    assert world["commands"] == [
        ["models", "build", "--target", "athena"],
        ["models", "freshness", "--target", "athena"],
    ]
    assert sync_runs(world) == 1
    (note,) = world["notifications"]()
    assert note["build"]["exit_code"] == 0
    assert note["freshness"]["exit_code"] == 0
    assert note["sync"]["status"] == "SUCCEEDED"


def test_a_stale_lake_stops_before_the_sync_and_notifies(world: dict[str, Any]) -> None:
    stale = exit_code(StaleLakeError("stale"))
    world["exits"].update(build=0, freshness=stale)
    described, entered = run(world, world["pipeline"]())
    assert described["status"] == "FAILED"
    assert described["error"] == "LakeStale"
    assert "SyncSegments" not in entered
    assert "NotifyStale" in entered
    assert sync_runs(world) == 0  # no segments from old data
    (note,) = world["notifications"]()
    assert note["freshness"]["exit_code"] == stale


def test_a_dbt_failure_notifies_and_fails_without_checking_or_syncing(world: dict[str, Any]) -> None:
    world["exits"].update(build=exit_code(DbtError("x")), freshness=0)
    described, entered = run(world, world["pipeline"]())
    assert described["status"] == "FAILED"
    assert described["error"] == "PipelineFailed"
    assert "Freshness" not in entered
    assert "SyncSegments" not in entered
    assert sync_runs(world) == 0
    (note,) = world["notifications"]()
    assert note["build"]["exit_code"] == exit_code(DbtError("x"))


def test_a_failed_freshness_check_is_a_failure_not_a_stale_lake(world: dict[str, Any]) -> None:
    world["exits"].update(build=0, freshness=exit_code(DbtError("the query failed")))
    described, entered = run(world, world["pipeline"]())
    assert described["status"] == "FAILED"
    assert described["error"] == "PipelineFailed"
    assert "NotifyStale" not in entered
    assert sync_runs(world) == 0


def test_without_a_segment_sync_the_pipeline_builds_checks_and_notifies(world: dict[str, Any]) -> None:
    world["exits"].update(build=0, freshness=0)
    described, entered = run(world, world["pipeline"](sync_arn=""))
    assert described["status"] == "SUCCEEDED"
    assert "SyncSegments" not in entered
    assert "NotifySuccess" in entered


def test_the_maintenance_run_optimizes_and_vacuums(world: dict[str, Any]) -> None:
    world["exits"].update(maintain=0)
    described, entered = run(world, world["pipeline"](), {"mode": "maintenance"})
    assert described["status"] == "SUCCEEDED"
    assert "Build" not in entered
    assert world["commands"] == [["models", "maintain", "--target", "athena"]]
    assert sync_runs(world) == 0


def test_the_template_and_the_cli_agree_on_the_stale_exit_code() -> None:
    parameters = cfn_yaml.load(str(TEMPLATE))["Parameters"]
    assert int(parameters["StaleExitCode"]["Default"]) == exit_code(StaleLakeError("x"))
    assert exit_code(StaleLakeError("x")) not in (0, 1, exit_code(DbtError("x")))


# ---------------------------------------------------------------- alarms across the stack

DEPLOY = TEMPLATE.parent


def _alarms(template: dict) -> list[dict]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]


@pytest.mark.parametrize("name", ["email-ops.yaml", "segmentation.yaml", "pipeline.yaml"])
def test_every_dead_letter_queue_has_an_alarm_that_notifies(name: str) -> None:
    template = cfn_yaml.load(str(DEPLOY / name))
    queues = [
        logical
        for logical, r in template["Resources"].items()
        if r["Type"] == "AWS::SQS::Queue" and "DeadLetter" in logical
    ]
    assert queues, name
    for queue in queues:
        watching = [
            a
            for a in _alarms(template)
            if a["Namespace"] == "AWS/SQS"
            and a["MetricName"] == "ApproximateNumberOfMessagesVisible"
            and a["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
        ]
        assert len(watching) == 1, f"{name}: {queue} has no alarm"
        assert watching[0]["AlarmActions"], f"{name}: {queue}'s alarm notifies no one"


def test_every_firehose_stream_alarms_on_delivery_errors() -> None:
    template = cfn_yaml.load(str(DEPLOY / "lake.yaml"))
    streams = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::KinesisFirehose::DeliveryStream"]
    assert len(streams) == len(Producer)  # one delivery stream per producer
    for stream in streams:
        assert [
            a
            for a in _alarms(template)
            if a["Namespace"] == "AWS/Firehose"
            and a["MetricName"] == "DeliveryToS3.Success"
            and a["Dimensions"] == [{"Name": "DeliveryStreamName", "Value": {"Ref": stream}}]
            and a["ComparisonOperator"] == "LessThanThreshold"
        ], stream


def test_pipeline_failures_and_timeouts_alarm() -> None:
    template = cfn_yaml.load(str(TEMPLATE))
    metrics = {
        a["MetricName"]
        for a in _alarms(template)
        if a["Namespace"] == "AWS/States" and a["Dimensions"][0]["Value"] == {"Ref": "PipelineStateMachine"}
    }
    assert metrics == {"ExecutionsFailed", "ExecutionsTimedOut"}
    root = cfn_yaml.load(str(DEPLOY / "template.yaml"))
    # Every part's alarms go to the one operations topic.
    for app in ("EmailOps", "Lake"):
        assert root["Resources"][app]["Properties"]["Parameters"]["AlarmTopicArn"] == {"Ref": "OperationsTopic"}
    assert root["Resources"]["Pipeline"]["Properties"]["Parameters"]["OperationsTopicArn"] == {"Ref": "OperationsTopic"}
