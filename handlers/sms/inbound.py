"""The inbound two-way SMS payload (event-formats.md §3.3), from an SQS body: an SNS envelope or raw delivery.

Naming trap: in the inbound payload ``originationNumber`` is the *customer* and ``destinationNumber`` is *our*
number (the one the reply must come from). The payload has no timestamp; the SNS envelope's ``Timestamp`` (or the
SQS ``SentTimestamp`` with raw delivery) orders messages, since inbound SMS are not guaranteed to arrive in order.
Errors name the field, never the body or the full number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from englake.errors import InputError
from englake.timestamps import parse_iso
from handlers.phone_validation.normalize import PhoneNumberError, to_e164

_SHORT_CODE = re.compile(r"^\d{3,8}$")


class MalformedInbound(InputError):
    """An inbound message we cannot read (names the record and the field)."""


@dataclass(frozen=True)
class InboundSms:
    customer_number: str  # originationNumber, E.164
    our_number: str  # destinationNumber: replies come from here
    body: str
    inbound_message_id: str
    keyword: str | None
    previous_message_id: str | None
    received_at: datetime | None


def parse_inbound(body: str | dict[str, Any], record: str, sent_at: datetime | None = None) -> InboundSms:
    """Parse one SQS body (SNS ``Notification`` envelope, or the bare payload with raw message delivery)."""
    document = _json(body, record, "body")
    received_at = sent_at
    if isinstance(document, dict) and document.get("Type") == "Notification" and "Message" in document:
        if document.get("Timestamp"):
            try:
                received_at = parse_iso(str(document["Timestamp"]))
            except ValueError:
                raise MalformedInbound(f"{record}: SNS Timestamp is not an ISO-8601 time") from None
        document = _json(document["Message"], record, "SNS Message")
    if not isinstance(document, dict):
        raise MalformedInbound(f"{record}: the inbound SMS payload is not a JSON object")
    fields = {}
    for name in ("originationNumber", "destinationNumber", "messageBody", "inboundMessageId"):
        value = document.get(name)
        if not isinstance(value, str) or (name != "messageBody" and not value.strip()):
            raise MalformedInbound(f"{record}: field {name} is missing or not text")
        fields[name] = value
    numbers = {}
    for name in ("originationNumber", "destinationNumber"):
        if name == "destinationNumber" and _SHORT_CODE.match(fields[name].strip()):
            numbers[name] = fields[name].strip()  # two-way short codes are not E.164
            continue
        try:
            numbers[name] = to_e164(fields[name])
        except PhoneNumberError as error:
            raise MalformedInbound(f"{record}: field {name} is not an E.164 number ({error})") from None
    return InboundSms(
        customer_number=numbers["originationNumber"],
        our_number=numbers["destinationNumber"],
        body=fields["messageBody"],
        inbound_message_id=fields["inboundMessageId"].strip(),
        keyword=document.get("messageKeyword") if isinstance(document.get("messageKeyword"), str) else None,
        previous_message_id=document.get("previousPublishedMessageId"),
        received_at=received_at,
    )


def _json(value: Any, record: str, what: str) -> Any:
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise MalformedInbound(f"{record}: {what} is not JSON text")
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise MalformedInbound(f"{record}: {what} is not JSON ({error.msg} at line {error.lineno})") from None
