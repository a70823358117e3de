"""Glue registration against moto: one raw table per producer, partition projection, idempotent."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from englake.errors import ConfigError
from ingest.glue import raw_table_input, register_glue
from ingest.layout import Producer


@pytest.fixture
def glue() -> Any:
    with mock_aws():
        yield boto3.client("glue", region_name="us-east-1")


def test_tables_are_created_with_the_exact_table_input(glue: Any) -> None:
    result = register_glue(glue, "s3://lake-bucket/team", database="englake_raw")
    assert (result.database_status, result.tables) == (
        "created",
        {
            "raw_pinpoint": "created",
            "raw_ses": "created",
            "raw_sms": "created",
            "raw_social": "created",
            "raw_engagementdb": "created",
            "raw_endpoint_exports": "created",
            "raw_campaign_catalog": "created",
            "quarantine_entries": "created",
            "phone_validations": "created",
        },
    )
    assert glue.get_database(Name="englake_raw")["Database"]["Name"] == "englake_raw"
    table = glue.get_table(DatabaseName="englake_raw", Name="raw_ses")["Table"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["PartitionKeys"] == [{"Name": "datehour", "Type": "string", "Comment": "Firehose arrival hour, UTC"}]
    assert table["Parameters"] == {
        "EXTERNAL": "TRUE",
        "classification": "text",
        "projection.enabled": "true",
        "projection.datehour.type": "date",
        "projection.datehour.format": "yyyy/MM/dd/HH",
        "projection.datehour.range": "2019/01/01/00,NOW",
        "projection.datehour.interval": "1",
        "projection.datehour.interval.unit": "HOURS",
        "storage.location.template": "s3://lake-bucket/team/raw/ses/${datehour}/",
    }
    descriptor = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == [("line", "string")]
    assert descriptor["Location"] == "s3://lake-bucket/team/raw/ses/"
    assert descriptor["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert descriptor["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert descriptor["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "Parameters": {
            "field.delim": "\x01",
            "serialization.format": "\x01",
            "serialization.last.column.takes.rest": "true",
        },
    }
    # The layout Firehose writes (raw/ses/YYYY/MM/DD/HH/) is exactly what the template projects.
    hour = "2026/11/20/09"
    assert table["Parameters"]["storage.location.template"].replace("${datehour}", hour) == (
        f"s3://lake-bucket/team/raw/ses/{hour}/"
    )


def test_registering_again_changes_nothing_and_drift_is_repaired(glue: Any) -> None:
    register_glue(glue, "s3://lake-bucket", database="englake_raw")
    again = register_glue(glue, "s3://lake-bucket", database="englake_raw")
    assert (again.database_status, set(again.tables.values())) == ("unchanged", {"unchanged"})
    versions = glue.get_table_versions(DatabaseName="englake_raw", TableName="raw_sms")["TableVersions"]
    assert len(versions) == 1
    # Someone edits a table by hand; registering puts it back.
    drifted = raw_table_input(Producer.SMS, "s3://lake-bucket")
    drifted["Parameters"]["projection.enabled"] = "false"
    glue.update_table(DatabaseName="englake_raw", TableInput=drifted)
    repaired = register_glue(glue, "s3://lake-bucket", database="englake_raw")
    assert repaired.tables == {
        "raw_pinpoint": "unchanged",
        "raw_ses": "unchanged",
        "raw_sms": "updated",
        "raw_social": "unchanged",
        "raw_engagementdb": "unchanged",
        "raw_endpoint_exports": "unchanged",
        "raw_campaign_catalog": "unchanged",
        "quarantine_entries": "unchanged",
        "phone_validations": "unchanged",
    }
    table = glue.get_table(DatabaseName="englake_raw", Name="raw_sms")["Table"]
    assert table["Parameters"]["projection.enabled"] == "true"


def test_a_later_projection_start_updates_every_table(glue: Any) -> None:
    register_glue(glue, "s3://lake-bucket", database="db")
    result = register_glue(glue, "s3://lake-bucket", database="db", projection_start="2024/06/01/00")
    assert {
        name: status
        for name, status in result.tables.items()
        if name.startswith("raw_") and name[4:] in {"pinpoint", "ses", "sms"}
    } == {
        "raw_pinpoint": "updated",
        "raw_ses": "updated",
        "raw_sms": "updated",
    }
    # not partitioned: no projection
    assert result.tables["raw_endpoint_exports"] == result.tables["raw_campaign_catalog"] == "unchanged"
    table = glue.get_table(DatabaseName="db", Name="raw_pinpoint")["Table"]
    assert table["Parameters"]["projection.datehour.range"] == "2024/06/01/00,NOW"


@pytest.mark.parametrize("root", ["lake", "/tmp/lake", "s3://", "gs://bucket"])
def test_tables_need_an_s3_lake_root(root: str) -> None:
    with pytest.raises(ConfigError, match="Glue tables need an S3 lake root"):
        raw_table_input(Producer.SES, root)


@pytest.mark.parametrize("start", ["2024-06-01", "2024/13/01/00", "2024/06/01/24", "NOW"])
def test_projection_start_must_be_an_hour(start: str) -> None:
    with pytest.raises(ConfigError, match="is not an hour in the form YYYY/MM/DD/HH"):
        raw_table_input(Producer.SES, "s3://b", projection_start=start)


def test_endpoint_exports_table_reads_every_export_as_lines(glue: Any) -> None:
    register_glue(glue, "s3://lake-bucket/team", database="englake_raw")
    table = glue.get_table(DatabaseName="englake_raw", Name="raw_endpoint_exports")["Table"]
    descriptor = table["StorageDescriptor"]
    assert descriptor["Location"] == "s3://lake-bucket/team/endpoints/"  # endpoints/<app>/<export>/… below it
    assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == [("line", "string")]
    assert table.get("PartitionKeys", []) == []
