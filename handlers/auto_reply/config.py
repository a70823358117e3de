"""Auto-reply settings, from ``ENGLAKE_*`` environment variables (set by deploy/email-ops.yaml in Lambda)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.aws import client as aws_client
from handlers.auto_reply.authentication import DEFAULT_SENDER_CHECK, SenderCheck
from handlers.auto_reply.ledger import DynamoDBReplyLedger, ReplyLedger, SqliteReplyLedger
from handlers.auto_reply.process import AutoReplyConfig
from handlers.auto_reply.templates import PinpointTemplateSource, SesTemplateSource, TemplateSource


class AutoReplySettings(BaseSettings):
    """Every field is ``ENGLAKE_AUTO_REPLY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_AUTO_REPLY_", extra="ignore")

    template: str
    #: "ses" (SES v2 email template, the default) or "pinpoint" (until Pinpoint's end of support).
    template_source: Literal["ses", "pinpoint"] = "ses"
    #: Pinpoint template version to pin (Pinpoint only; default: the active version).
    template_version: str | None = None
    #: The reply's From (a verified identity); empty: the address the mail was sent to.
    source: str | None = None
    window_hours: float = 168.0
    reply_target: Literal["envelope", "reply-to"] = "envelope"
    configuration_set: str | None = None
    #: SPF/DKIM/DMARC verdicts a sender needs (authentication.py): spf-or-dkim, spf, dmarc or dmarc-fail-only.
    sender_check: SenderCheck = DEFAULT_SENDER_CHECK
    #: DynamoDB table of the per-sender window; unset: the local SQLite file ``ledger_db``.
    ledger_table: str | None = None
    ledger_db: str = "lake/auto-reply.sqlite"
    region: str | None = None

    def config(self) -> AutoReplyConfig:
        return AutoReplyConfig(
            source=self.source or None,
            window=timedelta(hours=self.window_hours),
            reply_target=self.reply_target,
            configuration_set=self.configuration_set or None,
            sender_check=self.sender_check,
        )

    def template_source_for(self, sesv2: Any) -> TemplateSource:
        if self.template_source == "pinpoint":
            return PinpointTemplateSource(aws_client("pinpoint", self.region), self.template, self.template_version)
        return SesTemplateSource(sesv2, self.template)

    def ledger(self) -> ReplyLedger:
        if self.ledger_table:
            return DynamoDBReplyLedger(aws_client("dynamodb", self.region), self.ledger_table)
        return SqliteReplyLedger(self.ledger_db)
