"""Auto-reply as plain functions: a receipt event in, at most one reply per sender per window out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from handlers.addresses import AddressError, normalize_address
from handlers.auto_reply.authentication import DEFAULT_SENDER_CHECK, SenderCheck
from handlers.auto_reply.compose import compose_reply
from handlers.auto_reply.ledger import ReplyLedger
from handlers.auto_reply.loop_guard import skip_reason
from handlers.auto_reply.models import InboundMail, MalformedReceipt, parse_records
from handlers.auto_reply.templates import ReplyTemplate, TemplateSource

logger = logging.getLogger(__name__)

ReplyTarget = Literal["envelope", "reply-to"]


class AutoReplyFailed(RuntimeError):
    """Some records could not be answered; raised after every record was tried, so Lambda retries the event."""


@dataclass(frozen=True)
class AutoReplyConfig:
    #: The reply's From; must be a verified SES identity. None: the first envelope recipient the rule matched.
    source: str | None = None
    window: timedelta = timedelta(days=7)
    #: "envelope" answers the envelope sender (RFC 3834 §4); "reply-to" answers Reply-To, else From.
    reply_target: ReplyTarget = "envelope"
    configuration_set: str | None = None
    #: Which SPF/DKIM/DMARC verdicts a sender needs before it is answered (authentication.py).
    sender_check: SenderCheck = DEFAULT_SENDER_CHECK


@dataclass(frozen=True)
class ReplyOutcome:
    ses_message_id: str
    replied: bool
    #: Why no reply was sent (None when one was).
    skipped: str | None = None
    reply_message_id: str | None = None


def process_event(
    event: dict[str, Any],
    sesv2: Any,
    templates: TemplateSource,
    ledger: ReplyLedger,
    config: AutoReplyConfig,
) -> list[ReplyOutcome]:
    """Answer every record of a receipt event; raise ``AutoReplyFailed`` at the end if any record failed."""
    outcomes: list[ReplyOutcome] = []
    failures: list[str] = []
    cache: list[ReplyTemplate] = []
    for index, record in enumerate(parse_records(event)):
        if isinstance(record, MalformedReceipt):
            # A record we cannot read will not become readable on retry: log it, never reply to it.
            logger.error("skipped unreadable receipt record: %s", record)
            outcomes.append(ReplyOutcome(ses_message_id=f"Records[{index}]", replied=False, skipped=str(record)))
            continue
        try:
            outcomes.append(reply_to(record, sesv2, templates, ledger, config, cache))
        except Exception as error:
            logger.exception("auto-reply to SES message %s failed", record.mail.message_id)
            failures.append(f"{record.mail.message_id}: {error}")
    if failures:
        raise AutoReplyFailed("; ".join(failures))
    return outcomes


def reply_to(
    mail: InboundMail,
    sesv2: Any,
    templates: TemplateSource,
    ledger: ReplyLedger,
    config: AutoReplyConfig,
    template_cache: list[ReplyTemplate] | None = None,
) -> ReplyOutcome:
    """Answer one inbound mail unless a loop guard or the per-sender window says no."""
    ses_id = mail.mail.message_id
    own = {a for a in (_normalized(r) for r in mail.receipt.recipients) if a}
    source = config.source or (mail.receipt.recipients[0] if mail.receipt.recipients else None)
    if config.source and (configured := _normalized(config.source)):
        own.add(configured)
    target = _target(mail, config.reply_target)
    reason = skip_reason(mail, target, own, config.sender_check)
    if reason is None and source is None:
        reason = "no reply address: set a default source or match recipients in the rule"
    if reason is not None:
        logger.info("no auto-reply to SES message %s: %s", ses_id, reason)
        return ReplyOutcome(ses_message_id=ses_id, replied=False, skipped=reason)
    assert target is not None
    assert source is not None
    if not ledger.claim(target, ses_id, mail.receipt.timestamp, config.window):
        reason = f"already answered this sender within {config.window}"
        logger.info("no auto-reply to SES message %s: %s", ses_id, reason)
        return ReplyOutcome(ses_message_id=ses_id, replied=False, skipped=reason)
    try:
        if template_cache is not None and template_cache:
            template = template_cache[0]
        else:
            template = templates.fetch()
            if template_cache is not None:
                template_cache.append(template)
        reply = compose_reply(mail, template, source, target)
        request: dict[str, Any] = {
            "FromEmailAddress": source,
            "Destination": {"ToAddresses": [target]},
            "Content": {"Raw": {"Data": reply.as_bytes()}},
        }
        if config.configuration_set:
            request["ConfigurationSetName"] = config.configuration_set
        sent = sesv2.send_email(**request)
    except BaseException:
        ledger.release(target, ses_id)  # so the retry may answer
        raise
    logger.info("auto-replied to SES message %s", ses_id)
    return ReplyOutcome(ses_message_id=ses_id, replied=True, reply_message_id=sent.get("MessageId"))


def _target(mail: InboundMail, mode: ReplyTarget) -> str | None:
    """The normalized reply address: the envelope sender by default (From is trivially forged)."""
    if mode == "reply-to":
        for value in (*mail.mail.common_headers.reply_to, mail.mail.from_header):
            if value and (address := _normalized(value)):
                return address
        return None
    source = mail.mail.source.strip()
    if source in ("", "<>"):
        return None
    return _normalized(source)


def _normalized(value: str) -> str | None:
    try:
        return normalize_address(value)
    except AddressError:
        return None
