"""Bounce handler settings, from ``ENGLAKE_*`` environment variables (set by deploy/email-ops.yaml in Lambda)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.aws import client as aws_client
from handlers.bounces.policy import PolicyConfig
from handlers.bounces.store import AddressStore, DynamoDBAddressStore, SqliteAddressStore


class BounceSettings(BaseSettings):
    """Every field is ``ENGLAKE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_", extra="ignore")

    #: DynamoDB address table (production). When unset, the local SQLite store at ``address_db`` is used.
    address_table: str | None = None
    #: SQLite file of the local address store.
    address_db: str = "lake/addresses.sqlite"
    soft_bounce_threshold: int = 3
    soft_bounce_window_days: float = 7.0
    #: Mirror suppressions into the SES account-level suppression list.
    mirror_to_ses: bool = True
    aws_region: str | None = None

    def policy(self) -> PolicyConfig:
        return PolicyConfig(
            soft_bounce_threshold=self.soft_bounce_threshold,
            soft_bounce_window=timedelta(days=self.soft_bounce_window_days),
            mirror_to_ses=self.mirror_to_ses,
        )

    def store(self, dynamodb_client: Any = None) -> AddressStore:
        if self.address_table:
            return DynamoDBAddressStore(dynamodb_client or aws_client("dynamodb", self.aws_region), self.address_table)
        return SqliteAddressStore(self.address_db)
