"""deploy/lake.yaml declares what the code assumes: the same prefixes, stream names, buffering and Glue tables."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import yaml
from cfnlint.api import lint_file

from englake.settings import Settings
from ingest.glue import RAW_TABLES, raw_table_input
from ingest.landing import DEFAULT_BUFFER_BYTES, DEFAULT_BUFFER_SECONDS
from ingest.layout import ERROR_PREFIX, QUARANTINE_PREFIX, RAW_PREFIXES, STREAM_NAMES, Producer, object_key

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
BUCKET = "englake-test-bucket"
STREAM_RESOURCES = {
    Producer.PINPOINT: "PinpointDeliveryStream",
    Producer.SES: "SesDeliveryStream",
    Producer.SMS: "SmsDeliveryStream",
    Producer.SOCIAL: "SocialDeliveryStream",
    Producer.ENGAGEMENTDB: "EngagementdbDeliveryStream",
}
TABLE_RESOURCES = {
    Producer.PINPOINT: "RawPinpointTable",
    Producer.SES: "RawSesTable",
    Producer.SMS: "RawSmsTable",
    Producer.SOCIAL: "RawSocialTable",
    Producer.ENGAGEMENTDB: "RawEngagementdbTable",
}


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (!Ref, !Sub, …) as their long forms."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {"Ref": value} if suffix == "Ref" else {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load((DEPLOY / "lake.yaml").read_text(), Loader=_CfnLoader)


def resolve(node: Any, names: dict[str, str]) -> Any:
    """Evaluate !Ref and !Sub with the given names (parameters at their defaults, LakeBucket = the bucket name)."""
    if isinstance(node, dict):
        if set(node) == {"Ref"}:
            return names.get(node["Ref"], node)  # other resources stay references
        if set(node) == {"Fn::Sub"}:
            text = node["Fn::Sub"]
            for name, value in names.items():
                text = text.replace("${" + name + "}", value)
            assert "${" not in text.replace("${!", ""), f"unresolved name in {text}"
            return text.replace("${!", "${")
        return {key: resolve(value, names) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, names) for item in node]
    return node


@pytest.fixture(scope="module")
def names(template: dict[str, Any]) -> dict[str, str]:
    defaults = {name: str(p["Default"]) for name, p in template["Parameters"].items() if "Default" in p}
    return {**defaults, "LakeBucket": BUCKET, "GlueDatabase": defaults["GlueDatabaseName"]}


def resource(template: dict[str, Any], name: str) -> dict[str, Any]:
    return template["Resources"][name]


def test_cfn_lint_passes_on_the_lake_and_the_root_template() -> None:
    for name in ("lake.yaml", "template.yaml"):
        assert [str(match) for match in lint_file(DEPLOY / name)] == [], name


def test_the_root_template_passes_the_bucket_name_and_only_declared_parameters(template: dict[str, Any]) -> None:
    root = yaml.load((DEPLOY / "template.yaml").read_text(), Loader=_CfnLoader)
    passed = set(root["Resources"]["Lake"]["Properties"]["Parameters"])
    without_default = {name for name, p in template["Parameters"].items() if "Default" not in p}
    assert without_default == {"LakeBucketName"}
    assert without_default <= passed <= set(template["Parameters"])
    assert "LakeBucket" in template["Outputs"]


@pytest.mark.parametrize("producer", list(Producer))
def test_glue_tables_match_ingest_glue_exactly(
    template: dict[str, Any], names: dict[str, str], producer: Producer
) -> None:
    table = resource(template, TABLE_RESOURCES[producer])
    assert table["Type"] == "AWS::Glue::Table"
    assert resolve(table["Properties"]["DatabaseName"], names) == Settings().glue_database
    declared = resolve(table["Properties"]["TableInput"], names)
    assert declared == raw_table_input(producer, f"s3://{BUCKET}", projection_start=names["ProjectionStart"])
    assert declared["Name"] == RAW_TABLES[producer]


@pytest.mark.parametrize("producer", list(Producer))
def test_delivery_streams_write_where_the_lander_writes(
    template: dict[str, Any], names: dict[str, str], producer: Producer
) -> None:
    stream = resolve(resource(template, STREAM_RESOURCES[producer])["Properties"], names)
    assert stream["DeliveryStreamName"] == STREAM_NAMES[producer]
    assert stream["DeliveryStreamType"] == "DirectPut"
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["CompressionFormat"] == "GZIP"
    # Evaluate Firehose's prefix expression for an arrival and compare with the lander's key for it.
    arrival = datetime(2026, 11, 20, 9, 41, 7)
    evaluated = s3["Prefix"].replace("!{timestamp:yyyy/MM/dd/HH}", arrival.strftime("%Y/%m/%d/%H"))
    lander_key = object_key(RAW_PREFIXES[producer], STREAM_NAMES[producer], arrival)
    assert evaluated == f"{RAW_PREFIXES[producer]}2026/11/20/09/"
    assert lander_key.startswith(evaluated)
    assert s3["ErrorOutputPrefix"] == (
        f"{ERROR_PREFIX}{producer.value}/!{{firehose:error-output-type}}/!{{timestamp:yyyy/MM/dd/HH}}/"
    )
    hints = s3["BufferingHints"]
    assert int(hints["SizeInMBs"]) * 2**20 == DEFAULT_BUFFER_BYTES
    assert int(hints["IntervalInSeconds"]) == DEFAULT_BUFFER_SECONDS
    assert s3["CloudWatchLoggingOptions"]["Enabled"] is True
    # SES ends its records with a newline itself; the others get Firehose's delimiter (on by default).
    if producer is Producer.SES:
        assert "ProcessingConfiguration" not in s3
    elif producer is Producer.PINPOINT:
        # After the optional archive queuer (tests/test_deploy_root.py evaluates every combination).
        assert s3["ProcessingConfiguration"]["Fn::If"][0] == "ProcessPinpointRecords"
        delimiter = s3["ProcessingConfiguration"]["Fn::If"][1]["Processors"][-1]
        assert delimiter == {
            "Fn::If": ["AppendDelimiter", {"Type": "AppendDelimiterToRecord"}, {"Ref": "AWS::NoValue"}]
        }
    else:
        assert s3["ProcessingConfiguration"]["Fn::If"][0] == "AppendDelimiter"
        assert s3["ProcessingConfiguration"]["Fn::If"][1]["Processors"] == [{"Type": "AppendDelimiterToRecord"}]


def test_ses_publishes_every_event_type_the_api_knows(template: dict[str, Any]) -> None:
    destination = resource(template, "SesEventDestination")["Properties"]["EventDestination"]
    api = botocore.session.get_session().get_service_model("sesv2").shape_for("EventType").enum
    camel = ["".join(w.capitalize() if i else w.lower() for i, w in enumerate(v.split("_"))) for v in api]
    assert sorted(destination["MatchingEventTypes"]) == sorted(camel)
    assert len(camel) == 10
    assert destination["KinesisFirehoseDestination"]["DeliveryStreamARN"] == {
        "Fn::GetAtt": ["SesDeliveryStream", "Arn"]
    }


def test_end_user_messaging_and_pinpoint_feed_their_streams(template: dict[str, Any]) -> None:
    sms = resource(template, "SmsConfigurationSet")
    (destination,) = sms["Properties"]["EventDestinations"]
    assert destination["KinesisFirehoseDestination"]["DeliveryStreamArn"] == {
        "Fn::GetAtt": ["SmsDeliveryStream", "Arn"]
    }
    role = resource(template, "SmsEventDestinationRole")["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "sms-voice.amazonaws.com"}
    stream = resource(template, "PinpointEventStream")
    assert stream["Condition"] == "HasPinpointApplication"
    assert stream["Properties"]["DestinationStreamArn"] == {"Fn::GetAtt": ["PinpointDeliveryStream", "Arn"]}


def test_bucket_expires_errors_quarantine_and_athena_results_but_never_raw(template: dict[str, Any]) -> None:
    bucket = resource(template, "LakeBucket")["Properties"]
    rules = {rule.get("Prefix"): rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert {ERROR_PREFIX, QUARANTINE_PREFIX, "athena-results/"} <= set(rules)
    assert not any(prefix and prefix.startswith("raw/") for prefix in rules)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    policy = resource(template, "LakeBucketPolicy")["Properties"]["PolicyDocument"]["Statement"][0]
    assert (policy["Effect"], policy["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    workgroup = resource(template, "AthenaWorkGroup")["Properties"]["WorkGroupConfiguration"]
    assert workgroup["ResultConfiguration"]["OutputLocation"] == {"Fn::Sub": "s3://${LakeBucket}/athena-results/"}
