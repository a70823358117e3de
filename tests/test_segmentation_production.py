"""The production path: lake and sync state in S3, membership from an Athena query in the dbt schema, known endpoints
from a Pinpoint export job, through the Lambda's plain function (moto's server for S3 and Athena, so pyathena's Arrow
reader fetches the result file for real; the Pinpoint fake for Pinpoint)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from englake.aws import client as aws_client
from englake.settings import Settings
from englake.storage import S3Store
from segmentation.catalog import LakeExportCatalog, PinpointExportCatalog
from segmentation.destinations.pinpoint import PinpointDestination
from segmentation.errors import GuardTripped
from segmentation.handler import run_scheduled_sync
from segmentation.ratelimit import VirtualClock
from segmentation.sync import sync_segments
from tests.athena_server import AthenaServer, athena_server_fixture  # noqa: F401 (registers athena_server)
from tests.fakes.pinpoint import PinpointFake
from tests.fixtures.segmentation import world

APP = "app-prod"
COUNT = 300
ROLE = "arn:aws:iam::123456789012:role/pinpoint-export"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, athena_server: AthenaServer) -> dict[str, Any]:
    # moto's server (athena_server) holds S3 and Athena.
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="lake")
    s3.create_bucket(Bucket="athena-results")
    clock = VirtualClock()
    fake = PinpointFake(s3, clock=clock.now, export_polls=1)
    fake.add_app(APP)
    seeded = world.endpoints(COUNT)
    for endpoint in seeded:
        fake.put_endpoint(APP, endpoint)
    monkeypatch.setenv("ENGLAKE_SEGMENTS_EXPORT_ROLE_ARN", ROLE)
    monkeypatch.setattr("segmentation.catalog.time.sleep", clock.sleep)
    monkeypatch.setattr("segmentation.ratelimit.time.sleep", clock.sleep)
    return {
        "s3": s3,
        "fake": fake,
        "client": fake.attach(aws_client("pinpoint", region="us-east-1")),
        "settings": Settings(
            lake_root="s3://lake/root",
            pinpoint_application_id=APP,
            athena_schema="englake",
            athena_workgroup="englake",
            athena_s3_staging_dir="s3://athena-results/segments/",
        ),
    }


def _athena_query(s3: Any, pairs: list[tuple[str, str]]) -> str:
    """Run the membership query in moto's Athena and land its CSV result where Athena would."""
    athena = boto3.client("athena", region_name="us-east-1")
    query_id = athena.start_query_execution(
        QueryString="SELECT endpoint_id, segment_name FROM segment_membership",
        QueryExecutionContext={"Database": "db"},
        ResultConfiguration={"OutputLocation": "s3://athena-results/segments/"},
    )["QueryExecutionId"]
    location = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["ResultConfiguration"]
    bucket, _, key = location["OutputLocation"][5:].partition("/")
    body = '"endpoint_id","segment_name"\n' + "".join(f'"{e}","{s}"\n' for e, s in pairs)
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    return query_id


def _attribute(fake: PinpointFake, endpoint_id: str) -> list[str] | None:
    return fake.endpoint(APP, endpoint_id).get("Attributes", {}).get(world.ATTRIBUTE)


def test_scheduled_sync_over_days_keeps_state_in_s3(aws: dict[str, Any]) -> None:
    fake, s3 = aws["fake"], aws["s3"]
    for day in range(3):
        pairs = world.day_pairs(day, COUNT)
        summary = run_scheduled_sync(
            {"QueryExecutionId": _athena_query(s3, pairs)}, settings=aws["settings"], pinpoint_client=aws["client"]
        )
        assert summary["status"] == "succeeded"
        want = world.expected(pairs)
        for endpoint_id in fake.endpoints(APP):
            assert _attribute(fake, endpoint_id) == want.get(endpoint_id)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix="root/")["Contents"]]
    state = f"root/sync/pinpoint-{APP}-{world.ATTRIBUTE}/"
    assert f"{state}snapshot/CURRENT.json" in keys
    assert sum(k.startswith(f"{state}runs/") for k in keys) == 3
    assert not any(k.startswith(f"{state}journal/") for k in keys)  # folded into the base
    assert any(k.startswith(f"root/endpoints/{APP}/") and k.endswith(".gz") for k in keys)  # the export jobs' files
    assert fake.call_counts()["CreateExportJob"] == 3
    assert len(fake.endpoints(APP)) == COUNT  # no ghost endpoints


def test_scheduled_sync_raises_when_the_guard_trips(aws: dict[str, Any]) -> None:
    pairs = world.day_pairs(0, COUNT)
    run_scheduled_sync(
        {"QueryExecutionId": _athena_query(aws["s3"], pairs)}, settings=aws["settings"], pinpoint_client=aws["client"]
    )
    with pytest.raises(GuardTripped):
        run_scheduled_sync(
            {"QueryExecutionId": _athena_query(aws["s3"], [])}, settings=aws["settings"], pinpoint_client=aws["client"]
        )


def test_time_budget_leaves_the_rest_for_the_next_invocation(aws: dict[str, Any]) -> None:
    fake = aws["fake"]
    store = S3Store("s3://lake/root", aws["s3"])
    catalog = PinpointExportCatalog(aws["client"], store, APP, ROLE)
    clock = VirtualClock()
    destination = PinpointDestination(aws["client"], APP, catalog, clock=clock.now, sleep=clock.sleep)
    pairs = world.day_pairs(0, COUNT)
    first = sync_segments(world.membership(pairs), destination, store, time_budget=0.0)
    assert first.status == "incomplete"
    assert first.not_sent == first.to_write
    destination = PinpointDestination(aws["client"], APP, LakeExportCatalog(store, APP))
    second = sync_segments(world.membership(pairs), destination, store)
    assert second.status == "succeeded"
    assert second.written == first.to_write
    want = world.expected(pairs)
    assert all(_attribute(fake, e) == want.get(e) for e in fake.endpoints(APP))


def test_continuation_round_reads_the_export_of_round_zero(aws: dict[str, Any]) -> None:
    fake, s3 = aws["fake"], aws["s3"]
    pairs = world.day_pairs(0, COUNT)
    query = _athena_query(s3, pairs)
    run_scheduled_sync({"QueryExecutionId": query}, settings=aws["settings"], pinpoint_client=aws["client"])
    assert fake.call_counts()["CreateExportJob"] == 1
    again = run_scheduled_sync(
        {"QueryExecutionId": query, "round": 1}, settings=aws["settings"], pinpoint_client=aws["client"]
    )
    assert fake.call_counts()["CreateExportJob"] == 1
    assert again["written"] == 0
    assert again["status"] == "succeeded"
