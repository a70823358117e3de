"""The Athena code paths against moto's Athena and S3 (served on the loopback address so pyathena's Arrow reader
fetches the result file for real): membership from the dbt schema, a failed query as one AthenaError line, and the
Iceberg upkeep statements Athena receives."""

from __future__ import annotations

import boto3
import pytest

from englake.errors import AthenaError, exit_code
from englake.maintenance import maintain
from englake.settings import Settings
from segmentation.membership import membership_source
from tests.athena_server import AthenaServer, athena_server_fixture  # noqa: F401 (registers athena_server)

SETTINGS = {
    "lake_root": "s3://lake",
    "glue_database": "englake_raw",
    "athena_schema": "englake_models",
    "athena_workgroup": "englake",
    "athena_s3_staging_dir": "s3://athena-results/englake/",
    "athena_s3_data_dir": "s3://lake/tables/",
    "aws_region": "us-east-1",
}


def _lake() -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="athena-results")
    boto3.client("athena", region_name="us-east-1").create_work_group(
        Name="englake", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/englake/"}}
    )


def _executions() -> list[dict]:
    athena = boto3.client("athena", region_name="us-east-1")
    ids = athena.list_query_executions()["QueryExecutionIds"]
    return [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


def test_membership_is_queried_in_the_dbt_schema_and_read_as_arrow(athena_server: AthenaServer) -> None:
    _lake()
    athena_server.queue_result(["endpoint_id", "segment_name"], [("e1", "vip"), ("e2", "vip"), ("e1", "new")])
    table = membership_source(Settings(**SETTINGS)).read()
    assert sorted(zip(*table.to_pydict().values(), strict=True)) == [("e1", "new"), ("e1", "vip"), ("e2", "vip")]
    assert table.schema.names == ["endpoint_id", "segment_name"]
    (execution,) = _executions()
    assert execution["QueryExecutionContext"]["Database"] == "englake_models"
    assert '"englake_models"."segment_membership"' in execution["Query"]
    assert "englake_raw" not in execution["Query"]
    assert execution["WorkGroup"] == "englake"


def test_an_unreachable_workgroup_is_one_line_naming_it(athena_server: AthenaServer) -> None:
    _lake()
    settings = Settings(**SETTINGS | {"athena_workgroup": "no-such-workgroup"})
    with pytest.raises(AthenaError) as raised:
        membership_source(settings).read()
    message = str(raised.value)
    assert "\n" not in message
    assert "no-such-workgroup" in message
    assert "WorkGroup does not exist" in message
    assert not _executions()  # nothing ran, nothing to sync from


def test_a_failed_athena_query_is_one_line_naming_workgroup_and_query(athena_server: AthenaServer) -> None:
    settings = Settings(**SETTINGS)
    with pytest.raises(AthenaError) as raised:
        membership_source(settings, query_execution_id="0f4a3b2c-dead-beef-0000-000000000000").read()
    message = str(raised.value)
    assert "\n" not in message
    assert "englake" in message
    assert "0f4a3b2c-dead-beef-0000-000000000000" in message
    assert exit_code(raised.value) not in (0, 1, 3)  # its own code, apart from configuration errors


def test_maintenance_optimizes_and_vacuums_every_incremental_table(athena_server: AthenaServer) -> None:
    _lake()
    done = maintain(Settings(**SETTINGS), "athena")
    tables = {table.relation for table in done}
    # The incremental models of the project (the maintenance selector), in the dbt schema.
    assert {"englake_models.fct_events", "englake_models.stg_lake__records", "englake_models.fct_messages"} <= tables
    assert not {t for t in tables if "segment" in t or t.endswith(("email_open", "sms_success"))}  # views, tables
    sent = [execution["Query"] for execution in _executions()]
    for table in done:
        schema, name = table.relation.split(".")
        assert f'OPTIMIZE "{schema}"."{name}" REWRITE DATA USING BIN_PACK' in sent
        assert f'VACUUM "{schema}"."{name}"' in sent
    assert len(sent) == 2 * len(done)
