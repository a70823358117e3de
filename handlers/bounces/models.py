"""Bounce and complaint feedback, in every spelling it arrives in, parsed into one record per recipient.

Three producers, one result (``Feedback``):

- SES identity feedback notifications (``notificationType``), usually inside an SNS envelope in an SQS body;
- SES event publishing through a configuration set (``eventType``), via SNS (envelope) or raw;
- the Amazon Pinpoint event stream (``event_type`` ``_email.hardbounce`` / ``_email.softbounce`` /
  ``_email.complaint``), whose facets re-spell the SES fields in snake_case (event-formats.md §1.2).

Models ignore unknown fields: SES reserves the right to add fields (event-formats.md §2.5). A notification that
cannot be read raises ``MalformedNotification`` naming the field; a notification of another kind (Delivery, Send,
Open, …) parses to ``Notification(kind=…, feedback=[])`` and is acknowledged without effect.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from englake.errors import InputError
from englake.timestamps import from_epoch_ms, parse_iso
from handlers.addresses import AddressError, normalize_address

FeedbackKind = Literal["Bounce", "Complaint"]
Source = Literal["ses-notification", "ses-event", "pinpoint"]

#: Pinpoint stream event types that carry bounce/complaint facets (event-formats.md §1.2).
PINPOINT_FEEDBACK_TYPES = {
    "_email.hardbounce": "Bounce",
    "_email.softbounce": "Bounce",
    "_email.complaint": "Complaint",
}


class MalformedNotification(InputError):
    """A message that is not a readable SES or Pinpoint notification; names the message and the field."""


@dataclass(frozen=True)
class Feedback:
    """One recipient of one bounce or complaint: the unit of idempotency is (``feedback_id``, ``address``)."""

    address: str
    kind: FeedbackKind
    #: Permanent / Transient / Undetermined for bounces; None for complaints.
    bounce_type: str | None
    #: bounceSubType, or complaintSubType (e.g. OnAccountSuppressionList) for complaints.
    subtype: str | None
    #: complaintFeedbackType (abuse, fraud, not-spam, …) when the ISP attached a feedback report.
    complaint_feedback_type: str | None
    feedback_id: str
    #: When the bounce or complaint happened (naive UTC); soft-bounce windows count on this, not processing time.
    timestamp: datetime
    diagnostic_code: str | None
    status: str | None
    message_id: str | None
    source: Source


@dataclass(frozen=True)
class Notification:
    """A parsed message: what kind it was and the feedback it carries (empty for kinds we do not act on)."""

    kind: str
    source: Source
    feedback: list[Feedback]


# -- SES (camelCase) ----------------------------------------------------------------------------------------------


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _SesRecipient(_Lenient):
    email_address: str = Field(alias="emailAddress")
    action: str | None = None
    status: str | None = None
    diagnostic_code: str | None = Field(default=None, alias="diagnosticCode")


class _SesBounce(_Lenient):
    bounce_type: str = Field(alias="bounceType")
    bounce_sub_type: str | None = Field(default=None, alias="bounceSubType")
    bounced_recipients: list[_SesRecipient] = Field(alias="bouncedRecipients", min_length=1)
    timestamp: str
    feedback_id: str | None = Field(default=None, alias="feedbackId")


class _SesComplaint(_Lenient):
    complained_recipients: list[_SesRecipient] = Field(alias="complainedRecipients", min_length=1)
    timestamp: str
    feedback_id: str | None = Field(default=None, alias="feedbackId")
    complaint_sub_type: str | None = Field(default=None, alias="complaintSubType")
    complaint_feedback_type: str | None = Field(default=None, alias="complaintFeedbackType")


class _SesMail(_Lenient):
    message_id: str | None = Field(default=None, alias="messageId")


class _SesNotification(_Lenient):
    mail: _SesMail = Field(default_factory=_SesMail)
    bounce: _SesBounce | None = None
    complaint: _SesComplaint | None = None


# -- Pinpoint (snake_case facets) ---------------------------------------------------------------------------------


class _PinpointRecipient(_Lenient):
    email_address: str
    action: str | None = None
    status: str | None = None
    diagnostic_code: str | None = None


class _PinpointBounce(_Lenient):
    bounce_type: str | None = None
    bounce_sub_type: str | None = None
    bounced_recipients: list[_PinpointRecipient] = Field(min_length=1)
    feedback_id: str | None = None


class _PinpointComplaint(_Lenient):
    complained_recipients: list[_PinpointRecipient] = Field(min_length=1)
    feedback_id: str | None = None
    complaint_feedback_type: str | None = None
    complaint_sub_type: str | None = None


class _PinpointMail(_Lenient):
    message_id: str | None = None


class _PinpointMailEvent(_Lenient):
    mail: _PinpointMail = Field(default_factory=_PinpointMail)
    bounce: _PinpointBounce | None = None
    complaint: _PinpointComplaint | None = None


class _PinpointEmailChannel(_Lenient):
    mail_event: _PinpointMailEvent


class _PinpointFacets(_Lenient):
    email_channel: _PinpointEmailChannel


class _PinpointEvent(_Lenient):
    event_type: str
    event_timestamp: int
    arrival_timestamp: int | None = None
    facets: _PinpointFacets

    @field_validator("event_timestamp", "arrival_timestamp", mode="before")
    @classmethod
    def _epoch_ms(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.isdigit() else value


# -- parsing ------------------------------------------------------------------------------------------------------


def unwrap(body: str | dict[str, Any], message_ref: str = "message") -> dict[str, Any]:
    """The notification document inside an SQS body: unwraps an SNS envelope (``Message`` is a JSON string)."""
    document = _loads(body, message_ref, "body") if isinstance(body, str) else body
    if not isinstance(document, dict):
        raise MalformedNotification(f"{message_ref}: body is {type(document).__name__}, not a JSON object")
    if document.get("Type") == "Notification" and "Message" in document:
        inner = document["Message"]
        document = _loads(inner, message_ref, "Message") if isinstance(inner, str) else inner
        if not isinstance(document, dict):
            raise MalformedNotification(f"{message_ref}: SNS field 'Message' is not a JSON object")
    return document


def parse_notification(body: str | dict[str, Any], message_ref: str = "message") -> Notification:
    """Parse one message (SQS body, SNS envelope, or a stream record) into per-recipient feedback."""
    document = unwrap(body, message_ref)
    if "notificationType" in document:
        return _parse_ses(document, document["notificationType"], "ses-notification", message_ref)
    if "eventType" in document:
        return _parse_ses(document, document["eventType"], "ses-event", message_ref)
    if "event_type" in document:
        return _parse_pinpoint(document, message_ref)
    raise MalformedNotification(
        f"{message_ref}: no 'notificationType' (SES notification), 'eventType' (SES event publishing) "
        "or 'event_type' (Pinpoint event stream) field"
    )


def _parse_ses(document: dict[str, Any], kind: Any, source: Source, ref: str) -> Notification:
    if kind not in ("Bounce", "Complaint"):
        return Notification(kind=str(kind), source=source, feedback=[])
    model = _validate(_SesNotification, document, ref)
    mail_id = model.mail.message_id
    if kind == "Bounce":
        if model.bounce is None:
            raise MalformedNotification(f"{ref}: field 'bounce' is missing from a Bounce notification")
        bounce = model.bounce
        at = _iso(bounce.timestamp, ref, "bounce.timestamp")
        feedback = [
            Feedback(
                address=_address(r.email_address, ref, f"bounce.bouncedRecipients[{i}].emailAddress"),
                kind="Bounce",
                bounce_type=bounce.bounce_type,
                subtype=bounce.bounce_sub_type,
                complaint_feedback_type=None,
                feedback_id=bounce.feedback_id or _derived_id("Bounce", mail_id, bounce.timestamp),
                timestamp=at,
                diagnostic_code=r.diagnostic_code,
                status=r.status,
                message_id=mail_id,
                source=source,
            )
            for i, r in enumerate(bounce.bounced_recipients)
        ]
    else:
        if model.complaint is None:
            raise MalformedNotification(f"{ref}: field 'complaint' is missing from a Complaint notification")
        complaint = model.complaint
        at = _iso(complaint.timestamp, ref, "complaint.timestamp")
        feedback = [
            Feedback(
                address=_address(r.email_address, ref, f"complaint.complainedRecipients[{i}].emailAddress"),
                kind="Complaint",
                bounce_type=None,
                subtype=complaint.complaint_sub_type,
                complaint_feedback_type=complaint.complaint_feedback_type,
                feedback_id=complaint.feedback_id or _derived_id("Complaint", mail_id, complaint.timestamp),
                timestamp=at,
                diagnostic_code=None,
                status=None,
                message_id=mail_id,
                source=source,
            )
            for i, r in enumerate(complaint.complained_recipients)
        ]
    return Notification(kind=str(kind), source=source, feedback=_dedupe(feedback))


def _parse_pinpoint(document: dict[str, Any], ref: str) -> Notification:
    kind = PINPOINT_FEEDBACK_TYPES.get(document["event_type"])
    if kind is None:
        return Notification(kind=str(document["event_type"]), source="pinpoint", feedback=[])
    model = _validate(_PinpointEvent, document, ref)
    mail_event = model.facets.email_channel.mail_event
    mail_id = mail_event.mail.message_id
    # event_timestamp is the *send* time for email events (event-formats.md §0 #5); the arrival time is the
    # closest the stream gets to when the bounce or complaint happened.
    at = from_epoch_ms(model.arrival_timestamp or model.event_timestamp)
    stamp = str(model.arrival_timestamp or model.event_timestamp)
    prefix = "facets.email_channel.mail_event"
    if kind == "Bounce":
        if mail_event.bounce is None:
            raise MalformedNotification(f"{ref}: field '{prefix}.bounce' is missing from a {model.event_type} event")
        bounce = mail_event.bounce
        default_type = "Permanent" if model.event_type == "_email.hardbounce" else "Transient"
        feedback = [
            Feedback(
                address=_address(r.email_address, ref, f"{prefix}.bounce.bounced_recipients[{i}].email_address"),
                kind="Bounce",
                bounce_type=bounce.bounce_type or default_type,
                subtype=bounce.bounce_sub_type,
                complaint_feedback_type=None,
                feedback_id=bounce.feedback_id or _derived_id("Bounce", mail_id, stamp),
                timestamp=at,
                diagnostic_code=r.diagnostic_code,
                status=r.status,
                message_id=mail_id,
                source="pinpoint",
            )
            for i, r in enumerate(bounce.bounced_recipients)
        ]
    else:
        if mail_event.complaint is None:
            raise MalformedNotification(f"{ref}: field '{prefix}.complaint' is missing from a _email.complaint event")
        complaint = mail_event.complaint
        feedback = [
            Feedback(
                address=_address(r.email_address, ref, f"{prefix}.complaint.complained_recipients[{i}].email_address"),
                kind="Complaint",
                bounce_type=None,
                subtype=complaint.complaint_sub_type,
                complaint_feedback_type=complaint.complaint_feedback_type,
                feedback_id=complaint.feedback_id or _derived_id("Complaint", mail_id, stamp),
                timestamp=at,
                diagnostic_code=None,
                status=None,
                message_id=mail_id,
                source="pinpoint",
            )
            for i, r in enumerate(complaint.complained_recipients)
        ]
    return Notification(kind=kind, source="pinpoint", feedback=_dedupe(feedback))


def _validate(model: type[BaseModel], document: dict[str, Any], ref: str) -> Any:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"field '{'.'.join(str(part) for part in e['loc'])}': {e['msg']}" for e in error.errors()[:5]
        )
        raise MalformedNotification(f"{ref}: {problems}") from None


def _loads(text: str, ref: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError) as error:
        raise MalformedNotification(f"{ref}: {what} is not JSON ({error})") from None


def _address(value: str, ref: str, field: str) -> str:
    try:
        return normalize_address(value)
    except AddressError as error:
        raise MalformedNotification(f"{ref}: field '{field}': {error}") from None


def _iso(value: str, ref: str, field: str) -> datetime:
    try:
        return parse_iso(value)
    except ValueError:
        raise MalformedNotification(f"{ref}: field '{field}' is not an ISO-8601 time: {value!r}") from None


def _derived_id(kind: str, message_id: str | None, timestamp: str) -> str:
    """A stable stand-in when a producer omits ``feedbackId``: the same notification always derives the same id."""
    digest = hashlib.sha256(f"{kind}|{message_id}|{timestamp}".encode()).hexdigest()[:32]
    return f"derived-{digest}"


def _dedupe(feedback: list[Feedback]) -> list[Feedback]:
    """One record per address: a recipient listed twice (two spellings) is one mailbox."""
    seen: dict[str, Feedback] = {}
    for item in feedback:
        seen.setdefault(item.address, item)
    return list(seen.values())
