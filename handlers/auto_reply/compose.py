"""The reply as a MIME message: tags filled, threading headers set, marked as an automatic reply (RFC 3834 §3)."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from handlers.auto_reply.models import InboundMail
from handlers.auto_reply.templates import ReplyTemplate

NAME_TAG = "%%NAME%%"
ID_TAG = "%%ID%%"


def fill(text: str, values: dict[str, str], escape: bool) -> str:
    """Replace every occurrence of every tag (the reference replaced only the first); HTML-escape when asked."""
    for tag, value in values.items():
        text = text.replace(tag, html.escape(value, quote=True) if escape else value)
    return text


def compose_reply(mail: InboundMail, template: ReplyTemplate, source: str, to: str) -> EmailMessage:
    """The auto-reply to ``mail``, from ``source`` to ``to``."""
    original_from = _one_line(mail.mail.from_header)
    values = {NAME_TAG: original_from, ID_TAG: mail.mail.message_id}
    reply = EmailMessage(policy=SMTP)
    reply["From"] = source
    reply["To"] = to
    reply["Subject"] = _one_line(fill(template.subject, values, escape=False) + mail.mail.subject)
    reply["Date"] = formatdate(localtime=False)
    reply["Message-ID"] = make_msgid(domain=source.rpartition("@")[2] or None)
    original_id = _message_id(mail)
    if original_id:
        reply["In-Reply-To"] = original_id
        references = _one_line(mail.mail.header("References") or "").split()
        reply["References"] = " ".join([*references, original_id])
    reply["Auto-Submitted"] = "auto-replied"
    # Ask Exchange/Outlook auto-responders not to answer this answer.
    reply["X-Auto-Response-Suppress"] = "All"
    text = fill(template.text, values, escape=False) if template.text else None
    body_html = fill(template.html, values, escape=True) if template.html else None
    if text is not None:
        reply.set_content(text, subtype="plain", charset="utf-8")
        if body_html is not None:
            reply.add_alternative(body_html, subtype="html", charset="utf-8")
    elif body_html is not None:
        reply.set_content(body_html, subtype="html", charset="utf-8")
    else:
        reply.set_content("", subtype="plain", charset="utf-8")
    return reply


def _message_id(mail: InboundMail) -> str | None:
    """The original Message-ID header (angle-bracketed), for In-Reply-To and References."""
    value = mail.mail.header("Message-ID") or mail.mail.common_headers.message_id
    if not value:
        return None
    value = _one_line(value).strip()
    return value if value.startswith("<") else f"<{value}>"


def _one_line(value: str) -> str:
    """No CR/LF from attacker-controlled text reaches a header (header injection)."""
    return " ".join(value.replace("\r", " ").replace("\n", " ").split()) if value else ""
