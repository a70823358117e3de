"""Test-wide fixtures: no test ever reaches real AWS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ingest.storage import LakeStore, LocalStore, open_lake


@pytest.fixture(autouse=True)
def _aws_test_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region, so botocore signs requests that moto or our fakes answer."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(params=["local", "s3"])
def local_or_s3_lake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LakeStore]:
    """An empty lake, once as a local folder and once as ``s3://lake-bucket/lake`` (moto)."""
    if request.param == "local":
        yield LocalStore(tmp_path)
        return
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake-bucket")
        yield open_lake("s3://lake-bucket/lake", s3)
