"""The archived message as proper MIME: what a mail client would show, plus the metadata to find it again.

Email is ``multipart/alternative`` (``text/plain`` then ``text/html``, each ``charset=utf-8``, quoted-printable, so
the file is 7-bit clean); SMS, push and voice are ``text/plain``. Non-ASCII header values are RFC 2047 encoded
words (``email.policy.SMTP``). The reference labelled every part ``text/plain`` (HTML included) and decoded the
stream as ASCII, mangling every accented character.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC as _UTC
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from englake.timestamps import iso
from handlers.archiver.events import ArchiveRequest

ARCHIVE_DOMAIN = "archive.englake.invalid"


@dataclass(frozen=True)
class Rendered:
    """Rendered pieces of one message."""

    channel: str
    subject: str | None
    html: str | None
    text: str | None
    from_address: str | None = None
    origin: str = "inline"
    campaign_version: int | None = None


def build_message(request: ArchiveRequest, rendered: Rendered) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    if rendered.from_address:
        message["From"] = _one_line(rendered.from_address)
    if rendered.subject is not None:
        message["Subject"] = _one_line(rendered.subject)
    message["Date"] = format_datetime(request.event_time.replace(tzinfo=_UTC))
    message["Message-ID"] = f"<{request.message_id}@{ARCHIVE_DOMAIN}>"
    for name, value in _metadata(request, rendered):
        message[name] = value
    text, html = rendered.text, rendered.html
    if rendered.channel == "EMAIL" and html is not None:
        if text is not None:
            message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
            message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        else:
            message.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    else:
        message.set_content(text or "", subtype="plain", charset="utf-8", cte="quoted-printable")
    return message


def headers_only_message(request: ArchiveRequest) -> EmailMessage:
    """An SES Send event carries headers, not the body: archive those, and say so in the body."""
    message = EmailMessage(policy=SMTP)
    skip = {"content-type", "content-transfer-encoding", "mime-version"}
    for name, value in request.headers:
        if name.lower() not in skip and name.isascii() and name.strip():
            message[name] = _one_line(value)
    if "Date" not in message:
        message["Date"] = format_datetime(request.event_time.replace(tzinfo=_UTC))
    for name, value in _metadata(request, None):
        message[name] = value
    message.set_content(
        "Amazon SES event publishing carries a message's headers, not its body: only the headers were archived.\n",
        subtype="plain",
        charset="utf-8",
    )
    return message


def _metadata(request: ArchiveRequest, rendered: Rendered | None) -> list[tuple[str, str]]:
    values = [
        ("X-Englake-Event-Type", request.event_type),
        ("X-Englake-Event-Time", iso(request.event_time)),
        ("X-Englake-Endpoint-Id", request.endpoint_id),
        ("X-Englake-Application-Id", request.application_id),
        ("X-Englake-Campaign-Id", request.campaign_id),
        ("X-Englake-Treatment-Id", request.treatment_id if request.kind == "campaign" else None),
        (
            "X-Englake-Campaign-Version",
            str(rendered.campaign_version) if rendered and rendered.campaign_version else None,
        ),
        ("X-Englake-Journey-Id", request.journey_id),
        ("X-Englake-Journey-Activity-Id", request.journey_activity_id),
        ("X-Englake-Channel", rendered.channel if rendered else request.channel),
        ("X-Englake-Content", rendered.origin if rendered else "headers-only"),
    ]
    return [(name, _one_line(value)) for name, value in values if value]


def _one_line(value: str) -> str:
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split())
