"""Test-wide fixtures: no test ever reaches real AWS."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from englake.models import build_models
from englake.project import DBT_WORK_DIR_VARIABLE
from englake.settings import Settings
from englake.storage import LakeStore, LocalStore, open_lake
from ingest.generator import TRUTH_KEY, GeneratorConfig, generate_lake
from ingest.synthetic.truth import GroundTruth


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (make test runs two processes), each worker's dbt writes its own target/ and logs/: two
    dbt runs writing one manifest and one partial-parse file at once would read each other's halves."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and DBT_WORK_DIR_VARIABLE not in os.environ:
        os.environ[DBT_WORK_DIR_VARIABLE] = tempfile.mkdtemp(prefix=f"englake-dbt-{worker}-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop(DBT_WORK_DIR_VARIABLE), ignore_errors=True))


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


@pytest.fixture(scope="session", autouse=True)
def _no_lake_left_in_the_working_folder() -> Iterator[None]:
    """`make demo` refuses a ./lake it did not create, so no test may leave one where the tests run (the default
    lake root is ./lake: a test that runs dbt with default settings makes one)."""
    lake = Path.cwd() / "lake"
    existed = lake.exists()
    yield
    assert existed or not lake.exists(), f"a test created {lake}: give it a lake under tmp_path"


#: The generated lake the model tests share (built once per session: dbt on DuckDB takes most of a minute).
MODELS_LAKE_CONFIG = GeneratorConfig(seed=11, events=6_000, days=10)


@pytest.fixture(scope="session")
def built_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GroundTruth, LocalStore]:
    """A generated lake with its ground truth, landed and built with dbt (every model and test) on DuckDB."""
    root = tmp_path_factory.mktemp("generated-lake")
    store = LocalStore(root)
    generate_lake(MODELS_LAKE_CONFIG, store)
    truth = GroundTruth.from_json(store.get(TRUTH_KEY).decode())
    settings = Settings(lake_root=str(root))
    # Segment windows end when the generated data ends, so they can be checked against the truth exactly.
    end = truth.end if isinstance(truth.end, datetime) else datetime.fromisoformat(truth.end)
    as_of = {"englake__segment_as_of": f"{end:%Y-%m-%d %H:%M:%S}"}
    result = build_models(settings, extra_args=["--vars", json.dumps(as_of)])
    assert result.statuses.get("error", 0) == 0, result.statuses
    assert result.statuses.get("fail", 0) == 0, result.statuses
    return settings, truth, store


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


#: The channel fixtures (tests/fixtures/README.md, `channels/`) with AWS's documented examples around them.
CHANNEL_FIXTURES = [Path(__file__).parent / "fixtures" / name for name in ("channels", "aws_examples")]


@pytest.fixture(scope="session")
def channels_lake(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The MMS, voice, RCS, WhatsApp and engagement-database fixture records landed as Firehose would and built with
    dbt (every model and data test) on DuckDB (tests/test_channels_*.py)."""
    from ingest.inputs import land_paths

    root = tmp_path_factory.mktemp("channels-lake")
    land_paths(CHANNEL_FIXTURES, LocalStore(root / "lake"), arrival=datetime(2026, 11, 20, 9, 30))
    settings = Settings(lake_root=str(root / "lake"), duckdb_path=str(root / "englake.duckdb"))
    result = build_models(settings)
    assert result.statuses.get("error", 0) == 0, result.statuses
    assert result.statuses.get("fail", 0) == 0, result.statuses
    return settings
