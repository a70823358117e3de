"""The SES receipt-rule Lambda event (ops-anchors.md C3), parsed leniently: every record, any missing subject."""

from __future__ import annotations

from datetime import datetime
from email.policy import default as default_policy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from englake.errors import InputError
from englake.timestamps import parse_iso


class MalformedReceipt(InputError):
    """A receipt record that cannot be read; names the record and the field."""


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Header(_Lenient):
    name: str
    value: str


class CommonHeaders(_Lenient):
    from_: list[str] = Field(default_factory=list, alias="from")
    to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    reply_to: list[str] = Field(default_factory=list, alias="replyTo")
    return_path: str | None = Field(default=None, alias="returnPath")
    message_id: str | None = Field(default=None, alias="messageId")
    subject: str | None = None


class Mail(_Lenient):
    message_id: str = Field(alias="messageId")
    #: The envelope sender (MAIL FROM); empty for bounces and other null-return-path mail.
    source: str = ""
    destination: list[str] = Field(default_factory=list)
    headers_truncated: bool = Field(default=False, alias="headersTruncated")
    headers: list[Header] = Field(default_factory=list)
    common_headers: CommonHeaders = Field(default_factory=CommonHeaders, alias="commonHeaders")

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), RFC 2047 encoded words decoded."""
        wanted = name.lower()
        return [_decode(h.value) for h in self.headers if h.name.strip().lower() == wanted]

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    @property
    def subject(self) -> str:
        """The decoded subject, or "" when the mail has none (the reference produced "…undefined")."""
        raw = self.common_headers.subject
        if raw is None:
            raw = self.header("Subject")
        return _decode(raw) if raw else ""

    @property
    def from_header(self) -> str:
        if self.common_headers.from_:
            return _decode(self.common_headers.from_[0])
        return self.header("From") or ""


class Verdict(_Lenient):
    status: str = "GRAY"


class Receipt(_Lenient):
    timestamp: datetime
    #: The envelope recipients this rule matched (RCPT TO): our own addresses.
    recipients: list[str] = Field(default_factory=list)
    spam_verdict: Verdict = Field(default_factory=Verdict, alias="spamVerdict")
    virus_verdict: Verdict = Field(default_factory=Verdict, alias="virusVerdict")
    spf_verdict: Verdict = Field(default_factory=Verdict, alias="spfVerdict")
    dkim_verdict: Verdict = Field(default_factory=Verdict, alias="dkimVerdict")
    dmarc_verdict: Verdict = Field(default_factory=Verdict, alias="dmarcVerdict")

    @field_validator("timestamp", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        return parse_iso(value) if isinstance(value, str) else value


class InboundMail(_Lenient):
    mail: Mail
    receipt: Receipt


def parse_records(event: dict[str, Any]) -> list[InboundMail | MalformedReceipt]:
    """Every record of a receipt event (not only ``Records[0]``); unreadable ones come back as errors, in place."""
    records = event.get("Records")
    if not isinstance(records, list):
        raise MalformedReceipt("event has no 'Records' list: not an SES receipt-rule event")
    parsed: list[InboundMail | MalformedReceipt] = []
    for index, record in enumerate(records):
        ref = f"Records[{index}]"
        try:
            parsed.append(InboundMail.model_validate((record or {}).get("ses")))
        except ValidationError as error:
            problems = "; ".join(
                f"field 'ses.{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in error.errors()[:5]
            )
            parsed.append(MalformedReceipt(f"{ref}: {problems}"))
    return parsed


def _decode(value: str) -> str:
    """RFC 2047 encoded words → text (``=?UTF-8?B?…?=``), leaving plain values as they are."""
    if "=?" not in value:
        return value
    return str(default_policy.header_factory("x-decode", value))
