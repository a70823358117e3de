"""Settings read from ``ENGLAKE_*`` environment variables: defaults for the embedded (local) default only.

Production on Athena has no defaults at all: a missing staging or data directory must never fall back to a bucket
someone else could own (table data would be written there), so ``Settings.athena()`` names what is missing instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.errors import ConfigError
from englake.project import DbtTarget

ENV_PREFIX = "ENGLAKE_"


#: S3 bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_S3_DIR = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$")
#: Glue database (= dbt-athena schema) names: lower case, digits, underscore
#: (https://docs.aws.amazon.com/athena/latest/ug/glue-best-practices.html#schema-names).
_SCHEMA = re.compile(r"^[a-z0-9_]{1,255}$")
#: Athena workgroup names (https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html).
_WORKGROUP = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


@dataclass(frozen=True)
class AthenaSettings:
    """Everything the Athena target needs, each value present and well formed."""

    schema: str
    workgroup: str
    region: str
    #: None only for reading (the workgroup's own result location is used).
    s3_staging_dir: str | None
    s3_data_dir: str | None

    def profile_env(self) -> dict[str, str]:
        """The environment variables dbt_project/profiles.yml reads for the athena target."""
        values = {
            "ENGLAKE_ATHENA_SCHEMA": self.schema,
            "ENGLAKE_ATHENA_S3_STAGING_DIR": self.s3_staging_dir,
            "ENGLAKE_ATHENA_S3_DATA_DIR": self.s3_data_dir,
            "ENGLAKE_ATHENA_WORKGROUP": self.workgroup,
            "ENGLAKE_AWS_REGION": self.region,
        }
        return {name: value for name, value in values.items() if value}


#: For compiling the Athena SQL offline only (`englake models check-athena`): nothing is ever written or read with
#: these. Upper case and underscores make the bucket name invalid, so no one can own it (bucketnamingrules above).
OFFLINE_COMPILE_ATHENA = AthenaSettings(
    schema="englake",
    workgroup="offline-compile-only",
    region="us-east-1",
    s3_staging_dir="s3://OFFLINE_COMPILE_ONLY_NO_BUCKET/staging/",
    s3_data_dir="s3://OFFLINE_COMPILE_ONLY_NO_BUCKET/tables/",
)


class Settings(BaseSettings):
    """Where the lake is and which AWS resources production uses; every field is ``ENGLAKE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    #: A local folder (the embedded default) or ``s3://bucket/prefix``.
    lake_root: str = "lake"
    #: DuckDB file for the embedded default; defaults to ``<lake_root>/englake.duckdb``.
    duckdb_path: str | None = None
    #: The dbt target: ``duckdb`` (embedded default) or ``athena`` (production).
    dbt_target: DbtTarget = DbtTarget.duckdb
    #: AWS Region; the SDK's own AWS_REGION / AWS_DEFAULT_REGION are read when ENGLAKE_AWS_REGION is not set.
    aws_region: str | None = Field(
        default=None, validation_alias=AliasChoices("ENGLAKE_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION")
    )
    #: Glue database holding the raw Firehose tables (production).
    glue_database: str = "englake_raw"
    #: The dbt-athena schema (Glue database) the models are built in, and read from (segment_membership).
    athena_schema: str | None = None
    #: Where Athena writes query results (``s3://bucket/prefix/``).
    athena_s3_staging_dir: str | None = None
    #: Where dbt-athena writes table data (``s3://bucket/prefix/``).
    athena_s3_data_dir: str | None = None
    athena_workgroup: str | None = None
    #: Amazon Pinpoint project (application) id, for the Pinpoint segment destination and handlers.
    pinpoint_application_id: str | None = None

    def __init__(self, **values: object) -> None:
        # A malformed variable is one clear line naming it, never a pydantic traceback.
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise ConfigError(_describe(error)) from None

    @property
    def is_local(self) -> bool:
        return not self.lake_root.startswith("s3://")

    @cached_property
    def local_lake_path(self) -> Path:
        """Absolute path of a local lake root (DuckDB resolves relative globs at query time, so never relative)."""
        return Path(self.lake_root).expanduser().resolve()

    @property
    def resolved_duckdb_path(self) -> Path:
        if self.duckdb_path:
            return Path(self.duckdb_path).expanduser().resolve()
        return self.local_lake_path / "englake.duckdb"

    def athena(self, *, building: bool = True) -> AthenaSettings:
        """The Athena settings, or ConfigError naming every missing or malformed variable (there are no defaults).

        ``building=False`` is for reading a model only: the workgroup's result location serves, so the staging and
        data directories may be unset (they are still checked when set).
        """
        values = {
            "athena_schema": (self.athena_schema, _SCHEMA, "a Glue database name: a-z, 0-9, _"),
            "athena_s3_staging_dir": (self.athena_s3_staging_dir, _S3_DIR, "s3://bucket/prefix/"),
            "athena_s3_data_dir": (self.athena_s3_data_dir, _S3_DIR, "s3://bucket/prefix/"),
            "athena_workgroup": (self.athena_workgroup, _WORKGROUP, "an Athena workgroup name"),
            "aws_region": (self.aws_region, _REGION, "an AWS Region such as eu-west-1"),
        }
        optional = set() if building else {"athena_s3_staging_dir", "athena_s3_data_dir"}
        missing = [env_name(field) for field, (value, _, _) in values.items() if not value and field not in optional]
        if missing:
            raise ConfigError(f"Athena needs {', '.join(missing)}: not set (there are no defaults)")
        for field, (value, pattern, shape) in values.items():
            if value and not pattern.match(value):
                raise ConfigError(f"{env_name(field)}={value!r} is not {shape}")
        return AthenaSettings(
            schema=str(self.athena_schema),
            workgroup=str(self.athena_workgroup),
            region=str(self.aws_region),
            s3_staging_dir=_with_slash(self.athena_s3_staging_dir) if self.athena_s3_staging_dir else None,
            s3_data_dir=_with_slash(self.athena_s3_data_dir) if self.athena_s3_data_dir else None,
        )


def env_name(field: str) -> str:
    """The environment variable of a Settings field (ENGLAKE_AWS_REGION also accepts the SDK's AWS_REGION)."""
    return f"{ENV_PREFIX}{field.upper()}" + (" (or AWS_REGION)" if field == "aws_region" else "")


def _with_slash(directory: str) -> str:
    return directory if directory.endswith("/") else directory + "/"


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        name = field.upper() if field.startswith(ENV_PREFIX) or field.startswith("AWS_") else env_name(field)
        problems.append(f"{name}={item.get('input')!r}: {item['msg']}")
    return "; ".join(problems)


def get_settings() -> Settings:
    return Settings()
