"""Issues 9 and 14: a missing Region or missing, expired or denied credentials gave 80–115-line tracebacks, and the
Pinpoint sync without credentials reported "partial". Each is now one line with its own exit code, and the sync
stops before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

import englake.aws
import segmentation.destinations
from englake.errors import EXIT_CODES, AwsCredentialsError, AwsRegionError, AwsServiceError, PartialFailureError
from englake.storage import LocalStore
from segmentation.catalog import write_export
from tests.fakes.base import FakeServiceError
from tests.fakes.pinpoint import PinpointFake
from tests.faults.support import error_lines, fingerprint, invoke
from tests.fixtures.segmentation import world

APP = "app-creds"
COUNT = 60
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine with no credentials anywhere: no variables, no files, no instance metadata to ask."""
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a session made by an earlier test caches its credentials


@pytest.fixture
def no_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "ENGLAKE_AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local lake with an endpoint export and a built segment membership."""
    root = tmp_path / "lake"
    write_export(LocalStore(root), APP, world.endpoints(COUNT))
    world.publish(root / "englake.duckdb", [("ep-00001", "seg_vip")])
    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(root))
    monkeypatch.delenv("ENGLAKE_DUCKDB_PATH", raising=False)
    return root


def test_cli_missing_region_is_one_line(no_region: None) -> None:
    code, _, err = invoke("lake", "register-glue", "--bucket", "lake-bucket")
    assert code == EXIT_CODES[AwsRegionError]
    assert error_lines(err) == [
        "error: no AWS Region configured: set AWS_REGION (or AWS_DEFAULT_REGION, or region in ~/.aws/config)"
    ]


def test_cli_aws_region_alone_is_honoured(no_region: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore reads only AWS_DEFAULT_REGION; AWS_REGION (set by the AWS CLI docs, Lambda, CI) works too."""
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert englake.aws.client("s3").meta.region_name == "eu-west-1"
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="lake-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        code, out, err = invoke("lake", "register-glue", "--bucket", "lake-bucket", "--database", "raw_eu")
        assert code == 0, out + err
        assert boto3.client("glue", region_name="eu-west-1").get_database(Name="raw_eu")
        with pytest.raises(boto3.client("glue", region_name="us-east-1").exceptions.EntityNotFoundException):
            boto3.client("glue", region_name="us-east-1").get_database(Name="raw_eu")


def test_cli_missing_credentials_on_an_s3_lake_is_one_line(no_credentials: None) -> None:
    code, _, err = invoke("lake", "inspect", "--lake", "s3://lake-bucket/prefix")
    assert code == EXIT_CODES[AwsCredentialsError]
    [line] = error_lines(err)
    assert line.startswith("error: no usable AWS credentials (Unable to locate credentials)")
    assert "aws sso login" in line


def test_cli_pinpoint_sync_without_credentials_is_a_credentials_error_and_writes_nothing(
    no_credentials: None, lake: Path
) -> None:
    before = fingerprint(lake)
    code, out, err = invoke("segments", "sync", "-d", "pinpoint", "--application-id", APP, "--no-refresh")
    assert code == EXIT_CODES[AwsCredentialsError], out + err
    assert error_lines(err) == [
        "error: no AWS credentials found: configure them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
        "or `aws sso login`) and retry"
    ]
    assert "partial" not in out + err
    assert fingerprint(lake) == before


@pytest.mark.parametrize(
    ("code", "status", "says"),
    [
        ("ExpiredTokenException", 403, "The security token included in the request is expired"),
        ("AccessDeniedException", 403, "the credentials lack this permission"),
    ],
)
def test_cli_pinpoint_sync_with_refused_credentials_stops_at_the_first_request_and_leaves_no_state(
    lake: Path, monkeypatch: pytest.MonkeyPatch, code: str, status: int, says: str
) -> None:
    fake = PinpointFake()
    fake.add_app(APP)
    for endpoint in world.endpoints(COUNT):
        fake.put_endpoint(APP, endpoint)
    fake.inject_fault("UpdateEndpointsBatch", lambda _params: FakeServiceError(code, says, status))

    def client(service: str, **kwargs: Any) -> Any:
        return fake.attach(englake.aws.client(service, **kwargs))

    monkeypatch.setattr(segmentation.destinations, "aws_client", client)
    before = fingerprint(lake)
    exit_code, out, err = invoke("segments", "sync", "-d", "pinpoint", "--application-id", APP, "--no-refresh")
    assert exit_code == EXIT_CODES[AwsCredentialsError], out + err
    [line] = error_lines(err)
    assert line.startswith(f"error: UpdateEndpointsBatch: {code}: ")
    assert says in line
    assert fake.call_counts()["UpdateEndpointsBatch"] == 1  # stopped at once, not one failure per batch
    # No journal, snapshot or report: the next run starts from the same state.
    assert {k: v for k, v in fingerprint(lake).items() if not k.startswith("sync")} == before
    assert not [k for k, v in fingerprint(lake).items() if k.startswith("sync") and v != "dir"]


def test_cli_pinpoint_sync_with_failed_batches_is_a_partial_failure(
    lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service that fails requests (not the caller) marks those endpoints for the next run: exit 14, not 0."""
    fake = PinpointFake()
    fake.add_app(APP)
    for endpoint in world.endpoints(COUNT):
        fake.put_endpoint(APP, endpoint)
    fake.inject_fault("UpdateEndpointsBatch", lambda _params: FakeServiceError("NotFoundException", "gone", 404))
    monkeypatch.setattr(
        segmentation.destinations, "aws_client", lambda service, **kw: fake.attach(englake.aws.client(service, **kw))
    )
    code, out, err = invoke("segments", "sync", "-d", "pinpoint", "--application-id", APP, "--no-refresh")
    assert code == EXIT_CODES[PartialFailureError], out + err
    assert error_lines(err)[-1] == (
        "error: segment sync partial: 1 endpoint(s) failed, 0 not sent; the next run retries what was not written"
    )


def test_cli_other_aws_errors_are_one_line_naming_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    glue = boto3.client("glue", region_name="us-east-1")
    stubber = Stubber(glue)
    stubber.add_client_error("get_database", "InvalidInputException", "Database name is not valid", 400)
    stubber.activate()
    monkeypatch.setattr(englake.aws, "client", lambda *_args, **_kwargs: glue)
    code, _, err = invoke("lake", "register-glue", "--bucket", "lake-bucket")
    assert code == EXIT_CODES[AwsServiceError]
    assert error_lines(err) == ["error: GetDatabase: InvalidInputException: Database name is not valid"]
