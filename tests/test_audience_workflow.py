"""The import → validate → campaign workflow: the state machine of deploy/audiences.yaml RUN by moto's Step
Functions (``execute_state_machine``), its Lambda tasks being moto-deployed functions whose invocations run our
step handlers in-process against the fakes, on both back ends. A duplicated trigger makes exactly one campaign;
every failure ends in one notification; the reference defects of §3, §5 and §15 are named."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.decode import cfn_yaml
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend

from handlers.audiences import handler as audience_handler
from handlers.audiences.trigger import TriggerConfig, start_runs
from handlers.campaigns import handler as campaign_handler
from tests import audience_support
from tests.audience_support import BUCKET, DOMAIN, PREFIX, World
from tests.fakes.pinpoint_campaigns import activity

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "audiences.yaml"
MAX_IMPORT_POLLS = 5
MAX_CAMPAIGN_POLLS = 6
FILE = (
    b"Id,ChannelType,Address,FirstName\n"
    b"ep-1,SMS,+12065550142,Ann\n"
    b"ep-2,SMS,+12065550143,Bob\n"
    b"ep-3,EMAIL,cy@example.com,Cy\n"
    b"ep-4,SMS,not a number,Dee\n"
)


def definition(functions: dict[str, str], topic_arn: str) -> str:
    """The template's ASL with its DefinitionSubstitutions applied (numbers stay numbers), polls shortened."""
    resource = cfn_yaml.load(str(TEMPLATE))["Resources"]["AudienceStateMachine"]["Properties"]
    values: dict[str, Any] = {
        "AudienceStepsFunctionArn": functions["audience"],
        "CampaignStepsFunctionArn": functions["campaign"],
        "TopicArn": topic_arn,
        "ImportPollSeconds": 0,
        "MaxImportPolls": MAX_IMPORT_POLLS,
        "CampaignPollSeconds": 0,
        "MaxCampaignPolls": MAX_CAMPAIGN_POLLS,
    }
    assert set(values) == set(resource["DefinitionSubstitutions"])

    def substitute(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: substitute(v) for k, v in node.items()}
        if isinstance(node, list):
            return [substitute(v) for v in node]
        if isinstance(node, str) and node.startswith("${") and node.endswith("}"):
            return values[node[2:-1]]
        return node

    return json.dumps(substitute(resource["Definition"]))


class Workflow:
    def __init__(self, w: World, campaign: str | None, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.w = w
        self.sfn = boto3.client("stepfunctions", region_name="us-east-1")
        lam = boto3.client("lambda", region_name="us-east-1")
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="steps", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        arns = {}
        for name in ("audience", "campaign"):
            arns[name] = lam.create_function(
                FunctionName=f"{name}-steps",
                Runtime="python3.11",
                Role=role,
                Handler="x.handler",
                Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
            )["FunctionArn"]
        self.arn = self.sfn.create_state_machine(
            name="englake-audiences", definition=definition(arns, w.topic_arn), roleArn=role
        )["stateMachineArn"]
        deps = audience_handler.Dependencies(
            s3=w.s3, sfn=self.sfn, sns=w.sns, context=w.context(backend), trigger=None, topic_arn=w.topic_arn
        )
        self.invocations: list[str] = []
        self.errors: list[str] = []

        def invoke(backend_self, function_name, qualifier, body, headers, response_headers):
            event = json.loads(body)
            self.invocations.append(f"{function_name.rsplit(':', 1)[-1]}:{event['step']}")
            try:
                if function_name.endswith("audience-steps"):
                    result = audience_handler.run_step(event["step"], event["state"], deps)
                else:
                    result = campaign_handler.run_step(event, w.campaign_backend)
            except Exception as error:  # noqa: BLE001 - a Lambda function error, as the service reports it
                response_headers["x-amz-function-error"] = "Unhandled"
                self.errors.append(f"{type(error).__name__}: {error}")
                return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
            return json.dumps(result).encode()

        monkeypatch.setattr(LambdaSimpleBackend, "invoke", invoke)
        plan = w.start(w.drop(PREFIX + "probe.csv", b"x"), backend, campaign=campaign).campaign
        w.s3.delete_object(Bucket=BUCKET, Key=PREFIX + "probe.csv")
        self.config = TriggerConfig(state_machine_arn=self.arn, backend=backend, prefix=PREFIX, campaign=plan)

    def notify(self, key: str, ref) -> list:
        record = {
            "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, "eTag": ref.etag, "versionId": ref.version_id}},
        }
        return start_runs(json.dumps({"Records": [record]}), self.w.s3, self.sfn, self.config)

    def wait(self, execution_arn: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return described
            time.sleep(0.05)
        raise AssertionError(f"{execution_arn} still running after {timeout} s: {self.invocations}")

    def executions(self) -> list[dict]:
        return self.sfn.list_executions(stateMachineArn=self.arn)["executions"]


@pytest.fixture
def sfn_mock():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        yield


def _world(**kwargs):
    # mock_aws is already active (sfn_mock): world() nests its own, which shares the same backends.
    return audience_support.world(**kwargs)


def _staging_keys(w: World) -> list[str]:
    return [o["Key"] for o in w.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []) if "/staging/" in o["Key"]]


@pytest.mark.parametrize(("backend", "campaign"), [("pinpoint", "pinpoint"), ("customer-profiles", "connect")])
def test_defect_15_a_duplicated_trigger_makes_exactly_one_campaign_on_both_back_ends(
    sfn_mock, monkeypatch, backend: str, campaign: str
) -> None:
    with _world(connect_states=["Running", "Completed"]) as w:
        flow = Workflow(w, campaign, backend, monkeypatch)
        ref = w.drop(PREFIX + "spring sale.csv", FILE)
        first = flow.notify("audiences/incoming/spring+sale.csv", ref)  # URL-encoded, as S3 sends it
        again = flow.notify("audiences/incoming/spring+sale.csv", ref)  # SNS/SQS at-least-once, Lambda retries
        described = flow.wait(first[0].execution_arn)
        third = flow.notify("audiences/incoming/spring+sale.csv", ref)  # redelivered after the run ended
        assert described["status"] == "SUCCEEDED", flow.invocations
        assert [s.new for s in first + again + third] == [True, False, False]
        assert len(flow.executions()) == 1
        # A rerun of the same object version by hand (another execution name) still finds the campaign.
        manual = flow.sfn.start_execution(stateMachineArn=flow.arn, name="manual-rerun", input=described["input"])
        assert flow.wait(manual["executionArn"])["status"] == "SUCCEEDED"

        campaigns = w.campaigns.campaigns if campaign == "pinpoint" else w.connect_fake.campaigns
        assert len(campaigns) == 1
        notes = w.notifications()
        assert [n["status"] for n in notes] == ["SUCCEEDED", "SUCCEEDED"]
        assert notes[0]["campaign_id"] == notes[1]["campaign_id"]
        assert (notes[0]["accepted"], notes[0]["rejected"], notes[0]["stage"]) == (3, 1, "campaign")
        assert _staging_keys(w) == []
        if backend == "pinpoint":
            # §15: the campaign targets the imported audience's segment, and only its rows were validated.
            # (The manual rerun imported the file again — endpoints are written by id, so nothing doubles.)
            first_job = next(iter(w.endpoints.import_jobs[audience_support.APP].values()))
            [(_, versions)] = w.campaigns.campaigns.items()
            assert versions[0]["SegmentId"] == first_job["Definition"]["SegmentId"]
            assert set(w.phones.validated) == {"+12065550142", "+12065550143"}
            assert len(w.endpoints.endpoints(audience_support.APP)) == 3
        else:
            [connect_campaign] = w.connect_fake.campaigns.values()
            segment_name = connect_campaign["source"]["customerProfilesSegmentArn"].rsplit("/", 1)[-1]
            assert w.profile_store.members(DOMAIN, segment_name) == {"ep-1", "ep-2", "ep-3"}


def test_defect_3b_the_campaign_step_is_reachable_and_the_choice_reads_typed_fields(sfn_mock, monkeypatch) -> None:
    """The reference compared "true" with "True" and never reached CreateCampaign; here the branch is taken."""
    with _world() as w:
        flow = Workflow(w, "pinpoint", "pinpoint", monkeypatch)
        ref = w.drop(PREFIX + "a.csv", FILE)
        [started] = flow.notify(ref.key, ref)
        assert flow.wait(started.execution_arn)["status"] == "SUCCEEDED"
        assert "campaign-steps:create" in flow.invocations
        assert flow.invocations.count("campaign-steps:check") == 4  # DEFAULT_SCRIPT: none, pending, running, done


@pytest.mark.parametrize(
    ("script", "expected_error"),
    [
        ([[activity("CANCELLED")]], "cancelled"),
        ([[activity("COMPLETED", "SUCCESS"), activity("COMPLETED", "FAIL")]], "an activity failed"),
        ([[activity("PAUSED")]], "still PAUSED after 6 polls"),
    ],
)
def test_defect_5_cancelled_failed_or_stuck_campaigns_end_the_run_with_a_notification(
    sfn_mock, monkeypatch, script, expected_error: str
) -> None:
    with _world(activity_script=script) as w:
        flow = Workflow(w, "pinpoint", "pinpoint", monkeypatch)
        ref = w.drop(PREFIX + "a.csv", FILE)
        [started] = flow.notify(ref.key, ref)
        described = flow.wait(started.execution_arn)
        assert described["status"] == "FAILED"
        [note] = w.notifications()
        assert (note["status"], note["stage"]) == ("FAILED", "campaign")
        assert expected_error in note["error"]
        assert flow.invocations.count("campaign-steps:check") <= MAX_CAMPAIGN_POLLS
        assert _staging_keys(w) == []


def test_defect_3b_a_missing_template_is_notified_and_makes_no_campaign(sfn_mock, monkeypatch) -> None:
    with _world() as w:
        flow = Workflow(w, "pinpoint", "pinpoint", monkeypatch)
        w.campaigns.templates.clear()
        ref = w.drop(PREFIX + "a.csv", FILE)
        [started] = flow.notify(ref.key, ref)
        assert flow.wait(started.execution_arn)["status"] == "FAILED"
        [note] = w.notifications()
        assert note["stage"] == "campaign"
        assert "template 'welcome-sms' does not exist" in note["error"]
        assert w.campaigns.campaigns == {}


def test_defect_x3_an_import_that_never_ends_times_out_and_is_notified(sfn_mock, monkeypatch) -> None:
    with _world() as w:
        w.profile_store.upload_polls = 10_000  # the upload job stays IN_PROGRESS
        flow = Workflow(w, None, "customer-profiles", monkeypatch)
        ref = w.drop(PREFIX + "a.csv", FILE)
        [started] = flow.notify(ref.key, ref)
        assert flow.wait(started.execution_arn)["status"] == "FAILED"
        [note] = w.notifications()
        assert (note["status"], note["stage"]) == ("FAILED", "import")
        assert f"still IN_PROGRESS after {MAX_IMPORT_POLLS} polls" in note["error"]
        assert flow.invocations.count("audience-steps:check_import") == MAX_IMPORT_POLLS


def test_a_file_with_a_wrong_header_is_notified_as_a_stage_failure(sfn_mock, monkeypatch) -> None:
    with _world() as w:
        flow = Workflow(w, "pinpoint", "pinpoint", monkeypatch)
        ref = w.drop(PREFIX + "bad.csv", b"Name,Phone\nAnn,+12065550142\n")
        [started] = flow.notify(ref.key, ref)
        assert flow.wait(started.execution_arn)["status"] == "FAILED"
        [note] = w.notifications()
        assert (note["status"], note["stage"]) == ("FAILED", "stage")
        assert "AudienceFileError" in note["error"]
        assert "no 'ChannelType' column" in note["error"]
        assert w.endpoints.import_jobs[audience_support.APP] == {}


def test_import_only_runs_end_without_a_campaign(sfn_mock, monkeypatch) -> None:
    with _world() as w:
        flow = Workflow(w, None, "pinpoint", monkeypatch)
        ref = w.drop(PREFIX + "a.csv", FILE)
        [started] = flow.notify(ref.key, ref)
        assert flow.wait(started.execution_arn)["status"] == "SUCCEEDED", flow.errors
        [note] = w.notifications()
        assert (note["status"], note["stage"], note["campaign_id"]) == ("SUCCEEDED", "import", None)
        assert not [i for i in flow.invocations if i.startswith("campaign-steps")]
        # No campaign will target it: no import segment is defined (the reference made one per file).
        [job] = w.endpoints.import_jobs[audience_support.APP].values()
        assert job["Definition"]["DefineSegment"] is False
