"""Activity events from the streams that carry them, as one typed record each.

- Pinpoint event stream records (Kinesis Data Streams, or a Firehose/SQS copy): ``event_type``,
  ``event_timestamp`` (epoch ms), ``application.app_id``, ``client.client_id`` (the endpoint id), ``attributes``;
  a custom event's type is its own name (``webinar_registration``).
- SES event publishing records (``eventType``, through SNS/SQS or EventBridge): the endpoint is the value of the
  ``endpoint_id`` message tag (SES knows no endpoints) and the application is the configured default one.

An event without an endpoint id is not an error of the record: it is reported as skipped. A record that is not
JSON, or lacks its type or time, raises ``MalformedEvent`` so that record alone fails.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from englake.errors import InputError
from englake.timestamps import from_epoch_ms, parse_iso

#: The SES message tag that names the endpoint (the archiver reads the same tag by default).
SES_ENDPOINT_TAG = "endpoint_id"


class MalformedEvent(InputError):
    """The record can't be read as an event (names the record and the field)."""


@dataclass(frozen=True)
class ActivityEvent:
    event_type: str
    at: datetime
    application_id: str | None
    endpoint_id: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    #: Identical copies (at-least-once delivery) share it.
    event_id: str = ""


def parse_event(body: str | bytes | dict[str, Any], ref: str = "record") -> ActivityEvent:
    """One record (Pinpoint stream, SES event, or either in an SNS envelope / EventBridge event)."""
    try:
        document = json.loads(body) if isinstance(body, (str, bytes)) else body
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MalformedEvent(f"{ref}: not JSON ({error})") from None
    if not isinstance(document, dict):
        raise MalformedEvent(f"{ref}: expected a JSON object")
    if document.get("Type") == "Notification" and "Message" in document:
        return parse_event(document["Message"], ref)
    if "detail" in document and "detail-type" in document:
        return parse_event(document["detail"], ref)
    event_id = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:32]
    if "event_type" in document:
        return _pinpoint(document, ref, event_id)
    if "eventType" in document or "notificationType" in document:
        return _ses(document, ref, event_id)
    raise MalformedEvent(f"{ref}: neither a Pinpoint event (event_type) nor an SES event (eventType)")


def _pinpoint(document: dict[str, Any], ref: str, event_id: str) -> ActivityEvent:
    try:
        at = from_epoch_ms(document["event_timestamp"])
    except (KeyError, TypeError, ValueError):
        raise MalformedEvent(f"{ref}: event_timestamp missing or not epoch milliseconds") from None
    attributes = document.get("attributes") or {}
    return ActivityEvent(
        event_type=str(document["event_type"]),
        at=at,
        application_id=(document.get("application") or {}).get("app_id"),
        endpoint_id=(document.get("client") or {}).get("client_id"),
        attributes={str(k): str(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {},
        event_id=event_id,
    )


def _ses(document: dict[str, Any], ref: str, event_id: str) -> ActivityEvent:
    kind = document.get("eventType") or document.get("notificationType")
    mail = document.get("mail") or {}
    tags = mail.get("tags") or {}
    endpoint = (tags.get(SES_ENDPOINT_TAG) or [None])[0]
    detail = document.get(str(kind).lower()) or {}
    stamp = detail.get("timestamp") or mail.get("timestamp")
    if not stamp:
        raise MalformedEvent(f"{ref}: SES {kind} event without a timestamp")
    try:
        at = parse_iso(stamp)
    except ValueError:
        raise MalformedEvent(f"{ref}: SES timestamp {stamp!r} is not ISO-8601") from None
    return ActivityEvent(event_type=str(kind), at=at, application_id=None, endpoint_id=endpoint, event_id=event_id)
