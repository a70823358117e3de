"""Where the reply's words come from: an SES v2 email template (default) or an Amazon Pinpoint email template.

Pinpoint message templates end with Amazon Pinpoint's end of support (2026-10-30), so SES is the default; the
Pinpoint source stays for stacks that still have their template there, and can pin a template version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ReplyTemplate:
    subject: str
    html: str | None
    text: str | None


class TemplateSource(Protocol):
    def fetch(self) -> ReplyTemplate:
        """The template's subject and parts; raises on any service error (so the invocation is retried)."""
        ...


class SesTemplateSource:
    """SES v2 ``GetEmailTemplate`` (``TemplateContent`` {Subject, Text, Html})."""

    def __init__(self, sesv2_client: Any, name: str) -> None:
        self.client = sesv2_client
        self.name = name

    def fetch(self) -> ReplyTemplate:
        content = self.client.get_email_template(TemplateName=self.name)["TemplateContent"]
        return ReplyTemplate(content.get("Subject") or "", content.get("Html"), content.get("Text"))


class PinpointTemplateSource:
    """Amazon Pinpoint ``GetEmailTemplate`` (``EmailTemplateResponse`` {Subject, HtmlPart, TextPart})."""

    def __init__(self, pinpoint_client: Any, name: str, version: str | None = None) -> None:
        self.client = pinpoint_client
        self.name = name
        self.version = version

    def fetch(self) -> ReplyTemplate:
        kwargs = {"TemplateName": self.name}
        if self.version:
            kwargs["Version"] = self.version
        template = self.client.get_email_template(**kwargs)["EmailTemplateResponse"]
        return ReplyTemplate(template.get("Subject") or "", template.get("HtmlPart"), template.get("TextPart"))
