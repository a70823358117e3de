"""SMS handler settings from ``ENGLAKE_SMS_*`` / ``ENGLAKE_*`` environment variables (set by deploy/sms-ops.yaml)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.aws import client as aws_client
from englake.errors import ConfigError
from handlers.sms.contacts import Contacts, CustomerProfilesContacts, NoContacts, PinpointContacts
from handlers.sms.keywords import DEFAULT_LOCALES, KeywordMatcher, LocaleKeywords, MatchMode
from handlers.sms.ledger import DynamoDBLedger, Ledger, SqliteLedger
from handlers.sms.optouts import OptOutConfig


class SmsSettings(BaseSettings):
    """Every field is ``ENGLAKE_SMS_<FIELD>`` unless it has its own alias."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_SMS_", extra="ignore", populate_by_name=True)

    #: DynamoDB idempotency table (production); unset uses the SQLite file ``ledger_db``.
    table: str | None = None
    ledger_db: str = "lake/sms-ledger.sqlite"
    #: End User Messaging opt-out list of the two-way numbers.
    opt_out_list: str = "Default"
    #: "whole" (the message is the keyword) or "first-word".
    keyword_mode: MatchMode = MatchMode.WHOLE
    #: JSON {locale: {opt_out: [...], opt_in: [...], help: [...], opt_out_reply, opt_in_reply, help_reply}}, merged
    #: over the defaults (en-US, fr-CA).
    keywords: str | None = None
    configuration_set: str | None = None
    #: Default origination identity of file-drop sends (a row may name its own).
    origination_identity: str | None = None
    #: Upper bound on one message's price (SendTextMessage ``MaxPrice``, USD, e.g. "0.10").
    max_price: str | None = None
    #: Seconds a message may wait to be delivered (SendTextMessage ``TimeToLive``, 5–259200).
    time_to_live: int | None = None
    #: JSON {identity: MPS} overriding the documented default for identities with a raised limit.
    mps_overrides: str | None = None
    #: Queue of validated rows (file drop → sender).
    queue_url: str | None = None
    #: Where reports and rejects go: ``<report_prefix><object key>.report.json`` / ``.rejects.csv``.
    report_prefix: str = "sms-reports/"
    assume_us: bool = False
    #: Customer Profiles domain whose profiles are marked (opt-outs, validation attributes); takes precedence over
    #: the Pinpoint application (Pinpoint reached its end of support on 2026-10-30).
    profiles_domain: str | None = None
    #: Pinpoint application whose endpoints are marked (opt-outs, validation attributes); unset = none.
    pinpoint_application_id: str | None = Field(default=None, alias="ENGLAKE_PINPOINT_APPLICATION_ID")
    lake_root: str = Field(default="lake", alias="ENGLAKE_LAKE_ROOT")
    aws_region: str | None = Field(default=None, alias="ENGLAKE_AWS_REGION")

    def ledger(self, dynamodb_client: Any = None) -> Ledger:
        if self.table:
            return DynamoDBLedger(dynamodb_client or aws_client("dynamodb", self.aws_region), self.table)
        return SqliteLedger(self.ledger_db)

    def matcher(self) -> KeywordMatcher:
        locales = dict(DEFAULT_LOCALES)
        if self.keywords:
            try:
                custom = json.loads(self.keywords)
                for locale, words in custom.items():
                    base = locales.get(locale, DEFAULT_LOCALES["en-US"])
                    merged = {**base.__dict__, **{k: tuple(v) if isinstance(v, list) else v for k, v in words.items()}}
                    locales[locale] = LocaleKeywords(**merged)
            except (ValueError, TypeError, AttributeError) as error:
                raise ConfigError(f"ENGLAKE_SMS_KEYWORDS is not a keyword map: {error}") from None
        try:
            return KeywordMatcher(locales, self.keyword_mode)
        except ValueError as error:
            raise ConfigError(f"ENGLAKE_SMS_KEYWORDS: {error}") from None

    def opt_out_config(self) -> OptOutConfig:
        return OptOutConfig(self.opt_out_list, self.matcher(), self.configuration_set)

    def mps(self) -> dict[str, float]:
        if not self.mps_overrides:
            return {}
        try:
            return {str(k): float(v) for k, v in json.loads(self.mps_overrides).items()}
        except (ValueError, TypeError, AttributeError) as error:
            raise ConfigError(f"ENGLAKE_SMS_MPS_OVERRIDES is not a {{identity: MPS}} map: {error}") from None

    def contacts(self, pinpoint_client: Any = None, s3_client: Any = None) -> Contacts:
        if self.profiles_domain:
            return CustomerProfilesContacts(aws_client("customer-profiles", self.aws_region), self.profiles_domain)
        if not self.pinpoint_application_id:
            return NoContacts()
        from englake.storage import open_lake

        return PinpointContacts(
            pinpoint_client or aws_client("pinpoint", self.aws_region),
            self.pinpoint_application_id,
            open_lake(self.lake_root, s3_client),
            assume_us=self.assume_us,
        )
