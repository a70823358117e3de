"""Production registration: a Glue database and one raw table per producer over the Firehose prefixes.

Each table has a single ``line string`` column holding a whole raw line (the dbt staging models parse the JSON, so
nothing AWS adds to a record is ever lost to a schema), read with LazySimpleSerDe and a field delimiter JSON text
cannot contain (Ctrl-A: JSON escapes control characters). Partitions are projected from the arrival hour folders
Firehose writes (``datehour`` = ``yyyy/MM/dd/HH``), so no crawler and no per-partition ``ALTER TABLE`` is ever
needed (event-formats.md §4.4). Athena reads ``.gz`` objects as GZIP by their extension.

``deploy/lake.yaml`` declares the same tables; a test compares the two so they cannot drift.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from englake.errors import ConfigError
from ingest.layout import (
    CATALOG_PREFIX,
    ENDPOINT_EXPORT_PREFIX,
    PHONE_VALIDATIONS_PREFIX,
    QUARANTINE_PREFIX,
    RAW_PREFIXES,
    Producer,
)

#: Raw table per producer.
RAW_TABLES: dict[Producer, str] = {p: f"raw_{p.value}" for p in Producer}
#: The Pinpoint endpoint exports (endpoints/<application_id>/<export_id>/…gz), read the same way: one line a row.
ENDPOINT_EXPORT_TABLE = "raw_endpoint_exports"
#: The dbt source table over the lake's campaign catalog (``englake lake export-campaigns``).
CAMPAIGN_CATALOG_TABLE = "raw_campaign_catalog"
#: The dbt source table over the Python quarantine (what the sweep and ``land`` took out), for ``lake_quarantine``.
QUARANTINE_TABLE = "quarantine_entries"
#: The dbt source table over the phone validation results (``dim_phone_numbers``).
PHONE_VALIDATIONS_TABLE = "phone_validations"
LINE_COLUMN = "line"
PARTITION_KEY = "datehour"
#: Athena date-projection format of the Firehose folder hour (``YYYY/MM/DD/HH``).
DATEHOUR_FORMAT = "yyyy/MM/dd/HH"
#: First projected hour; Athena enumerates hours from here to NOW, so set it no earlier than the first events.
DEFAULT_PROJECTION_START = "2019/01/01/00"
#: Ctrl-A, Hive's own default field delimiter; it never occurs in JSON text, so a line is always one field.
FIELD_DELIMITER = "\u0001"
TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"

#: Text objects read one line per row into the single column (gzip by the .gz extension).
_TEXT_LINES_FORMAT: dict[str, Any] = {
    "InputFormat": TEXT_INPUT_FORMAT,
    "OutputFormat": TEXT_OUTPUT_FORMAT,
    "SerdeInfo": {
        "SerializationLibrary": LAZY_SIMPLE_SERDE,
        "Parameters": {
            "field.delim": FIELD_DELIMITER,
            "serialization.format": FIELD_DELIMITER,
            # Should a control character ever reach a line, the single column still takes all of it.
            "serialization.last.column.takes.rest": "true",
        },
    },
}

_DATEHOUR = re.compile(r"^\d{4}/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/([01]\d|2[0-3])$")


def lake_location(lake_root: str) -> str:
    """``s3://bucket/prefix/`` of an S3 lake root, with one trailing slash."""
    if not lake_root.startswith("s3://") or not lake_root[5:].split("/", 1)[0]:
        raise ConfigError(
            f"Glue tables need an S3 lake root (s3://bucket or s3://bucket/prefix), not {lake_root!r}; "
            "pass --lake s3://… or set ENGLAKE_LAKE_ROOT"
        )
    return lake_root.rstrip("/") + "/"


def raw_table_input(
    producer: Producer, lake_root: str, *, projection_start: str = DEFAULT_PROJECTION_START
) -> dict[str, Any]:
    """The Glue ``TableInput`` of a producer's raw table over ``<lake_root>/raw/<producer>/``."""
    if not _DATEHOUR.match(projection_start):
        raise ConfigError(f"projection start {projection_start!r} is not an hour in the form YYYY/MM/DD/HH")
    location = lake_location(lake_root) + RAW_PREFIXES[producer]
    return {
        "Name": RAW_TABLES[producer],
        "Description": f"Raw {producer.value} records as Firehose delivered them: one line per row, partitioned by "
        "arrival hour (partition projection).",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "EXTERNAL": "TRUE",
            "classification": "text",
            "projection.enabled": "true",
            f"projection.{PARTITION_KEY}.type": "date",
            f"projection.{PARTITION_KEY}.format": DATEHOUR_FORMAT,
            f"projection.{PARTITION_KEY}.range": f"{projection_start},NOW",
            f"projection.{PARTITION_KEY}.interval": "1",
            f"projection.{PARTITION_KEY}.interval.unit": "HOURS",
            "storage.location.template": f"{location}${{{PARTITION_KEY}}}/",
        },
        "PartitionKeys": [{"Name": PARTITION_KEY, "Type": "string", "Comment": "Firehose arrival hour, UTC"}],
        "StorageDescriptor": {
            "Columns": [{"Name": LINE_COLUMN, "Type": "string", "Comment": "one raw line, parsed by the dbt models"}],
            "Location": location,
            **copy.deepcopy(_TEXT_LINES_FORMAT),
        },
    }


def _text_lines_table_input(name: str, prefix: str, lake_root: str, description: str, comment: str) -> dict[str, Any]:
    """A Glue ``TableInput`` over every object below ``<lake_root>/<prefix>`` (sub-folders too), one line a row."""
    return {
        "Name": name,
        "Description": description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", "classification": "text"},
        "StorageDescriptor": {
            "Columns": [{"Name": LINE_COLUMN, "Type": "string", "Comment": comment}],
            "Location": lake_location(lake_root) + prefix,
            **copy.deepcopy(_TEXT_LINES_FORMAT),
        },
    }


@dataclass(frozen=True)
class TextTable:
    """An unpartitioned Glue table of text lines over one lake prefix (sub-folders too)."""

    prefix: str
    description: str
    comment: str  # of the one ``line`` column


#: Every unpartitioned text-lines table the models read, by name (the Athena check builds the same from this list).
TEXT_TABLES: dict[str, TextTable] = {
    ENDPOINT_EXPORT_TABLE: TextTable(
        ENDPOINT_EXPORT_PREFIX,
        "Amazon Pinpoint endpoint exports (CreateExportJob output): one endpoint JSON line per row.",
        "one exported endpoint, as JSON",
    ),
    CAMPAIGN_CATALOG_TABLE: TextTable(
        CATALOG_PREFIX,
        "Campaign and journey definitions (Pinpoint GetCampaigns / ListJourneys, names kept by the team).",
        "one campaign or journey, as JSON",
    ),
    QUARANTINE_TABLE: TextTable(
        QUARANTINE_PREFIX,
        "What englake could not read before the models did (sweep, land): one quarantine entry JSON per row.",
        "one quarantine entry, as JSON",
    ),
    PHONE_VALIDATIONS_TABLE: TextTable(
        PHONE_VALIDATIONS_PREFIX,
        "Phone number validation results (englake sms validate, the validation Lambda): one result JSON per row.",
        "one PhoneValidation, as JSON",
    ),
}


def text_table_input(name: str, lake_root: str) -> dict[str, Any]:
    """The Glue ``TableInput`` of one of :data:`TEXT_TABLES`."""
    table = TEXT_TABLES[name]
    return _text_lines_table_input(name, table.prefix, lake_root, table.description, table.comment)


@dataclass
class GlueRegistration:
    """What ``register_glue`` did: ``created``, ``updated`` or ``unchanged`` for the database and each table."""

    database: str
    database_status: str
    tables: dict[str, str] = field(default_factory=dict)


def _shaped_like(existing: Any, wanted: Any) -> Any:
    """``existing`` cut down to the keys ``wanted`` has (``Parameters`` maps are kept whole, to see removals)."""
    if isinstance(wanted, dict) and isinstance(existing, dict):
        return {
            key: existing.get(key) if key == "Parameters" else _shaped_like(existing.get(key), value)
            for key, value in wanted.items()
        }
    if isinstance(wanted, list) and isinstance(existing, list) and len(wanted) == len(existing):
        return [_shaped_like(old, new) for old, new in zip(existing, wanted, strict=True)]
    return existing


def register_glue(
    glue: Any,
    lake_root: str,
    *,
    database: str,
    projection_start: str = DEFAULT_PROJECTION_START,
) -> GlueRegistration:
    """Create or update the database, the raw tables and the endpoint-export table; running it again changes nothing."""
    tables: dict[Any, dict[str, Any]] = {
        p: raw_table_input(p, lake_root, projection_start=projection_start) for p in Producer
    }
    tables.update({name: text_table_input(name, lake_root) for name in TEXT_TABLES})
    try:
        glue.get_database(Name=database)
        status = "unchanged"
    except glue.exceptions.EntityNotFoundException:
        glue.create_database(
            DatabaseInput={"Name": database, "Description": "englake: raw Firehose tables of the event lake"}
        )
        status = "created"
    result = GlueRegistration(database, status)
    for table_input in tables.values():
        name = table_input["Name"]
        try:
            existing = glue.get_table(DatabaseName=database, Name=name)["Table"]
        except glue.exceptions.EntityNotFoundException:
            glue.create_table(DatabaseName=database, TableInput=table_input)
            result.tables[name] = "created"
            continue
        if _shaped_like(existing, table_input) == table_input:
            result.tables[name] = "unchanged"
        else:
            glue.update_table(DatabaseName=database, TableInput=table_input)
            result.tables[name] = "updated"
    return result
