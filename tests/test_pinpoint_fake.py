"""The Pinpoint fake behaves as the service documents, through a real boto3 client (event-formats.md §5)."""

from __future__ import annotations

import gzip
import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from segmentation.ratelimit import VirtualClock
from tests.fakes.pinpoint import (
    MAX_ATTRIBUTE_VALUE_CHARS,
    MAX_BATCH_ITEMS,
    MAX_ENDPOINTS_PER_USER,
    MAX_VALUES_PER_ATTRIBUTE,
    RATE_QUOTAS,
    PinpointFake,
)

APP = "app-1"


def _client(fake: PinpointFake, attempts: int = 1):
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return fake.attach(boto3.client("pinpoint", region_name="us-east-1", config=config))


@pytest.fixture
def fake() -> PinpointFake:
    fake = PinpointFake(enforce_quotas=False)
    fake.add_app(APP)
    return fake


def _code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return raised.value.response["Error"]["Code"]


def test_unknown_id_is_created_and_answered_202(fake: PinpointFake) -> None:
    client = _client(fake)
    response = client.update_endpoint(
        ApplicationId=APP, EndpointId="new", EndpointRequest={"Attributes": {"AdvancedSegmentTarget": ["a"]}}
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    created = client.get_endpoint(ApplicationId=APP, EndpointId="new")["EndpointResponse"]
    assert created["Attributes"] == {"AdvancedSegmentTarget": ["a"]}
    assert created["OptOut"] == "ALL"  # documented: created without Address → opted out of everything


def test_batch_overwrites_named_attributes_only_and_empty_list_clears(fake: PinpointFake) -> None:
    fake.put_endpoint(
        APP,
        {
            "Id": "e1",
            "ChannelType": "EMAIL",
            "Address": "a@example.com",
            "Attributes": {"AdvancedSegmentTarget": ["old"], "Team": ["x"]},
            "User": {"UserId": "u1", "UserAttributes": {"Plan": ["pro"]}},
            "Metrics": {"score": 1.0},
        },
    )
    client = _client(fake)
    response = client.update_endpoints_batch(
        ApplicationId=APP,
        EndpointBatchRequest={"Item": [{"Id": "e1", "Attributes": {"AdvancedSegmentTarget": ["b", "c"]}}]},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    endpoint = fake.endpoint(APP, "e1")
    assert endpoint["Attributes"] == {"AdvancedSegmentTarget": ["b", "c"], "Team": ["x"]}
    assert endpoint["Address"] == "a@example.com"
    assert endpoint["User"] == {"UserId": "u1", "UserAttributes": {"Plan": ["pro"]}}
    assert endpoint["Metrics"] == {"score": 1.0}

    client.update_endpoints_batch(
        ApplicationId=APP, EndpointBatchRequest={"Item": [{"Id": "e1", "Attributes": {"AdvancedSegmentTarget": []}}]}
    )
    assert fake.endpoint(APP, "e1")["Attributes"] == {"Team": ["x"]}


def test_ids_are_case_insensitive(fake: PinpointFake) -> None:
    client = _client(fake)
    client.update_endpoint(ApplicationId=APP, EndpointId="Abc", EndpointRequest={"Attributes": {"k": ["1"]}})
    client.update_endpoint(ApplicationId=APP, EndpointId="aBC", EndpointRequest={"Attributes": {"k": ["2"]}})
    assert list(fake.endpoints(APP)) == ["Abc"]
    assert fake.endpoint(APP, "ABC")["Attributes"] == {"k": ["2"]}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"Id": "e", "Attributes": {"A": [str(i) for i in range(MAX_VALUES_PER_ATTRIBUTE + 1)]}}, "at most 50 values"),
        ({"Id": "e", "Attributes": {"A": ["x" * (MAX_ATTRIBUTE_VALUE_CHARS + 1)]}}, "at most 100 characters"),
        ({"Id": "e", "Attributes": {"A" * 51: ["x"]}}, "Attribute name"),
        ({"Id": "e${x}", "Attributes": {"A": ["x"]}}, "can't contain"),
        ({"Id": "e", "ChannelType": "FAX"}, "Invalid ChannelType"),
        ({"Id": "e", "User": {"UserAttributes": {"A": ["v"] * 51}}}, "at most 50 values"),
    ],
)
def test_limits_reject_the_whole_request(fake: PinpointFake, item: dict, message: str) -> None:
    client = _client(fake)
    good = {"Id": "fine", "Attributes": {"A": ["ok"]}}
    with pytest.raises(ClientError) as raised:
        client.update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest={"Item": [good, item]})
    assert _code(raised) == "BadRequestException"
    assert message in str(raised.value)
    assert fake.endpoints(APP) == {}  # a 400 changes nothing


def test_more_than_100_items_is_rejected(fake: PinpointFake) -> None:
    client = _client(fake)
    items = [{"Id": f"e{i}"} for i in range(MAX_BATCH_ITEMS + 1)]
    with pytest.raises(ClientError) as raised:
        client.update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest={"Item": items})
    assert _code(raised) == "BadRequestException"
    assert "101 items" in str(raised.value)
    client.update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest={"Item": items[:MAX_BATCH_ITEMS]})
    assert len(fake.endpoints(APP)) == MAX_BATCH_ITEMS


def test_attribute_names_per_application_and_endpoints_per_user(fake: PinpointFake) -> None:
    client = _client(fake)
    for i in range(5):
        client.update_endpoint(
            ApplicationId=APP,
            EndpointId=f"n{i}",
            EndpointRequest={"Attributes": {f"a{i}_{j}": ["v"] for j in range(50)}},
        )
    with pytest.raises(ClientError, match="at most 250"):
        client.update_endpoint(ApplicationId=APP, EndpointId="n9", EndpointRequest={"Attributes": {"one_more": ["v"]}})
    for i in range(MAX_ENDPOINTS_PER_USER):
        client.update_endpoint(ApplicationId=APP, EndpointId=f"u{i}", EndpointRequest={"User": {"UserId": "same"}})
    with pytest.raises(ClientError, match="at most 15 per user"):
        client.update_endpoint(ApplicationId=APP, EndpointId="u99", EndpointRequest={"User": {"UserId": "same"}})
    users = client.get_user_endpoints(ApplicationId=APP, UserId="same")["EndpointsResponse"]["Item"]
    assert len(users) == MAX_ENDPOINTS_PER_USER


def test_get_delete_and_unknown_application(fake: PinpointFake) -> None:
    client = _client(fake)
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_endpoint(ApplicationId=APP, EndpointId="nope")
    deleted = client.delete_endpoint(ApplicationId=APP, EndpointId="nope")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202  # documented: missing is still accepted
    with pytest.raises(client.exceptions.NotFoundException):
        client.update_endpoints_batch(ApplicationId="no-such-app", EndpointBatchRequest={"Item": [{"Id": "e"}]})
    app_id = client.create_app(CreateApplicationRequest={"Name": "x"})["ApplicationResponse"]["Id"]
    assert client.get_app(ApplicationId=app_id)["ApplicationResponse"]["Name"] == "x"


def test_rate_quota_throttles_on_a_virtual_clock() -> None:
    clock = VirtualClock()
    fake = PinpointFake(clock=clock.now)
    fake.add_app(APP)
    client = _client(fake, attempts=1)
    batch = {"Item": [{"Id": "e"}]}
    for _ in range(int(RATE_QUOTAS["UpdateEndpointsBatch"])):  # burst = rate
        client.update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest=batch)
    with pytest.raises(ClientError) as raised:
        client.update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest=batch)
    assert _code(raised) == "TooManyRequestsException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    clock.sleep(0.5)  # one token at 2 rps
    client.update_endpoints_batch(ApplicationId=APP, EndpointBatchRequest=batch)
    # Quotas count per operation: GetEndpoint (10 rps) is unaffected.
    client.get_endpoint(ApplicationId=APP, EndpointId="e")
    assert fake.throttled_count == 1


@mock_aws
def test_export_job_writes_pinpoint_format_to_s3() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="lake")
    fake = PinpointFake(s3, enforce_quotas=False, export_polls=2)
    fake.add_app(APP)
    for i in range(3):
        fake.put_endpoint(APP, {"Id": f"e{i}", "ChannelType": "SMS", "Address": f"+1206555010{i}"})
    client = _client(fake)
    job = client.create_export_job(
        ApplicationId=APP,
        ExportJobRequest={"RoleArn": "arn:aws:iam::123456789012:role/x", "S3UrlPrefix": "s3://lake/endpoints/"},
    )["ExportJobResponse"]
    assert job["JobStatus"] == "CREATED"
    states = [
        client.get_export_job(ApplicationId=APP, JobId=job["Id"])["ExportJobResponse"]["JobStatus"] for _ in "abc"
    ]
    assert states == ["IN_PROGRESS", "IN_PROGRESS", "COMPLETED"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake")["Contents"]]
    assert keys == [f"endpoints/{APP}/{job['Id']}/00000.gz"]
    lines = gzip.decompress(s3.get_object(Bucket="lake", Key=keys[0])["Body"].read()).decode().splitlines()
    assert sorted(json.loads(line)["Id"] for line in lines) == ["e0", "e1", "e2"]
    listed = client.get_export_jobs(ApplicationId=APP)["ExportJobsResponse"]["Item"]
    assert [j["Id"] for j in listed] == [job["Id"]]


@mock_aws
def test_import_job_reads_json_and_csv_from_s3() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="inbox")
    rows = [{"Id": "j1", "ChannelType": "EMAIL", "Address": "a@example.com"}, {"Id": "bad", "ChannelType": "FAX"}]
    s3.put_object(Bucket="inbox", Key="json/part.json", Body="\n".join(json.dumps(r) for r in rows).encode())
    s3.put_object(
        Bucket="inbox",
        Key="csv/part.csv",
        Body=b"ChannelType,Address,Id,User.UserId,Attributes.Team\nSMS,+12065550100,c1,u1,blue\n",
    )
    fake = PinpointFake(s3, enforce_quotas=False)
    fake.add_app(APP)
    client = _client(fake)
    role = "arn:aws:iam::123456789012:role/x"
    job = client.create_import_job(
        ApplicationId=APP, ImportJobRequest={"Format": "JSON", "S3Url": "s3://inbox/json/", "RoleArn": role}
    )["ImportJobResponse"]
    done = client.get_import_job(ApplicationId=APP, JobId=job["Id"])["ImportJobResponse"]
    assert (done["JobStatus"], done["TotalProcessed"], done["TotalFailures"]) == ("COMPLETED", 2, 1)
    assert "Invalid ChannelType" in done["Failures"][0]
    client.create_import_job(
        ApplicationId=APP, ImportJobRequest={"Format": "CSV", "S3Url": "s3://inbox/csv/part.csv", "RoleArn": role}
    )
    assert fake.endpoint(APP, "c1")["User"] == {"UserId": "u1"}
    assert fake.endpoint(APP, "c1")["Attributes"] == {"Team": ["blue"]}
    assert fake.endpoint(APP, "j1")["Address"] == "a@example.com"
    assert len(client.get_import_jobs(ApplicationId=APP)["ImportJobsResponse"]["Item"]) == 2


def test_endpoints_per_user_follow_moves_and_deletes(fake: PinpointFake) -> None:
    client = _client(fake)
    for i in range(MAX_ENDPOINTS_PER_USER):
        client.update_endpoint(ApplicationId=APP, EndpointId=f"u{i}", EndpointRequest={"User": {"UserId": "a"}})
    client.update_endpoint(ApplicationId=APP, EndpointId="u0", EndpointRequest={"User": {"UserId": "b"}})  # moves
    client.delete_endpoint(ApplicationId=APP, EndpointId="u1")
    client.update_endpoint(ApplicationId=APP, EndpointId="x1", EndpointRequest={"User": {"UserId": "a"}})
    client.update_endpoint(ApplicationId=APP, EndpointId="x2", EndpointRequest={"User": {"UserId": "a"}})
    with pytest.raises(ClientError, match="at most 15 per user"):
        client.update_endpoint(ApplicationId=APP, EndpointId="x3", EndpointRequest={"User": {"UserId": "a"}})
    client.delete_user_endpoints(ApplicationId=APP, UserId="a")
    client.update_endpoint(ApplicationId=APP, EndpointId="x3", EndpointRequest={"User": {"UserId": "a"}})
    assert len(client.get_user_endpoints(ApplicationId=APP, UserId="a")["EndpointsResponse"]["Item"]) == 1
