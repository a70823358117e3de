"""Settings read from ``ENGLAKE_*`` environment variables, with defaults for the embedded (local) default."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the lake is and which AWS resources production uses; every field is ``ENGLAKE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_", extra="ignore")

    #: A local folder (the embedded default) or ``s3://bucket/prefix``.
    lake_root: str = "lake"
    #: DuckDB file for the embedded default; defaults to ``<lake_root>/englake.duckdb``.
    duckdb_path: str | None = None
    aws_region: str | None = None
    #: Glue database holding the raw Firehose tables (production).
    glue_database: str = "englake_raw"
    athena_workgroup: str = "englake"  # the workgroup deploy/lake.yaml creates
    #: Amazon Pinpoint project (application) id, for the Pinpoint segment destination and handlers.
    pinpoint_application_id: str | None = None

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


def get_settings() -> Settings:
    return Settings()
