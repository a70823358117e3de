"""Which AWS service produced a record, decided by its content alone (never by the prefix it was found under).

The rule, shared word for word with the dbt staging models (a JSON ``null`` counts as absent, as in SQL):

1. a JSON object whose ``event_type`` is a string → Amazon Pinpoint event stream;
2. else an object with ``eventType`` or ``notificationType``, and an object ``mail`` → Amazon SES;
3. else an object with ``eventType`` and ``messageId``, and no ``mail`` → AWS End User Messaging SMS;
4. anything else → unrecognized (quarantined with reason ``unrecognized producer``).

Text that is not a JSON object (invalid JSON, an array, a number, a truncated record) is quarantined with a reason
naming the JSON error. An unknown event type of a known producer is still an event: it is kept, and ``inspect``
reports it against the documented type lists below (event-formats.md §1–§3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ingest.layout import Producer

#: Quarantine reasons; ``inspect`` counts by reason, so a reason never holds positions (those go in the entry).
UNRECOGNIZED = "unrecognized producer"
INVALID_JSON = "invalid JSON"
NOT_AN_OBJECT = "not a JSON object"

#: Amazon Pinpoint event-stream types, as documented: email, SMS, campaign, journey and app events (custom app
#: events carry any name without a leading underscore, and count as known). https://docs.aws.amazon.com/pinpoint/latest/developerguide/event-streams-data-email.html
#: (and …-data-sms, …-data-campaign, …-data-journey, …-data-app).
PINPOINT_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "_email.send",
        "_email.delivered",
        "_email.rejected",
        "_email.hardbounce",
        "_email.softbounce",
        "_email.complaint",
        "_email.open",
        "_email.click",
        "_email.unsubscribe",
        "_email.rendering_failure",
        "_SMS.BUFFERED",
        "_SMS.SUCCESS",
        "_SMS.FAILURE",
        "_SMS.OPTOUT",
        "_campaign.send",
        "_campaign.opened_notification",
        "_campaign.received_foreground",
        "_campaign.received_background",
        "_journey.send",
        "_session.start",
        "_session.stop",
        "_session.pause",
        "_session.resume",
        "_userauth.sign_in",
        "_userauth.sign_up",
        "_userauth.auth_fail",
        "_monetization.purchase",
    }
)

#: Amazon SES ``eventType`` values (event publishing) and ``notificationType`` values (identity notifications).
#: https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-firehose-contents.html
SES_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "Bounce",
        "Complaint",
        "Delivery",
        "Send",
        "Reject",
        "Open",
        "Click",
        "Rendering Failure",
        "DeliveryDelay",
        "Subscription",
    }
)

#: AWS End User Messaging SMS/MMS/voice/RCS ``eventType`` values: the API's EventType enum without the ``*ALL``
#: selectors. https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_EventDestination.html
#: Carrier statuses that text and media messages share.
_CARRIER_STATUSES = [
    "PENDING",
    "QUEUED",
    "SUCCESSFUL",
    "DELIVERED",
    "INVALID",
    "INVALID_MESSAGE",
    "UNREACHABLE",
    "CARRIER_UNREACHABLE",
    "BLOCKED",
    "CARRIER_BLOCKED",
    "SPAM",
    "UNKNOWN",
    "TTL_EXPIRED",
]
SMS_EVENT_TYPES: frozenset[str] = frozenset(
    [f"TEXT_{s}" for s in ["SENT", *_CARRIER_STATUSES, "PROTECT_BLOCKED"]]
    + [
        f"VOICE_{s}"
        for s in ["INITIATED", "RINGING", "ANSWERED", "COMPLETED", "BUSY", "NO_ANSWER", "FAILED", "TTL_EXPIRED"]
    ]
    + [f"MEDIA_{s}" for s in [*_CARRIER_STATUSES, "FILE_INACCESSIBLE", "FILE_TYPE_UNSUPPORTED", "FILE_SIZE_EXCEEDED"]]
    + [
        f"RCS_{s}"
        for s in [
            "QUEUED",
            "SENT",
            "DELIVERED",
            "READ",
            "FAILED",
            "TTL_EXPIRED",
            "PROTECT_BLOCKED",
            "FALLEN_BACK_TO_SMS",
        ]
    ]
)

KNOWN_EVENT_TYPES: dict[Producer, frozenset[str]] = {
    Producer.PINPOINT: PINPOINT_EVENT_TYPES,
    Producer.SES: SES_EVENT_TYPES,
    Producer.SMS: SMS_EVENT_TYPES,
}


def _present(record: dict[str, Any], key: str) -> bool:
    return record.get(key) is not None


def producer_of(record: Any) -> Producer | None:
    """The producer of a decoded JSON value by the shared content rule; ``None`` if unrecognizable."""
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("event_type"), str):
        return Producer.PINPOINT
    if (_present(record, "eventType") or _present(record, "notificationType")) and isinstance(record.get("mail"), dict):
        return Producer.SES
    if _present(record, "eventType") and _present(record, "messageId") and not _present(record, "mail"):
        return Producer.SMS
    return None


def event_type_of(producer: Producer, record: dict[str, Any]) -> str:
    """The raw event type as the producer spells it (SES: ``eventType``, else ``notificationType``)."""
    if producer is Producer.PINPOINT:
        value = record["event_type"]
    elif producer is Producer.SES:
        value = record["eventType"] if _present(record, "eventType") else record["notificationType"]
    else:
        value = record["eventType"]
    return value if isinstance(value, str) else json.dumps(value)


def is_custom_event_type(producer: Producer, event_type: str) -> bool:
    """A Pinpoint app's own event name (``PutEvents``): reserved names start with ``_``, custom ones do not."""
    return producer is Producer.PINPOINT and not event_type.startswith("_")


def is_known_event_type(producer: Producer, event_type: str) -> bool:
    """Documented by AWS for the producer, or a Pinpoint custom event (whose names are the app's to choose)."""
    return event_type in KNOWN_EVENT_TYPES[producer] or is_custom_event_type(producer, event_type)


def json_kind(value: Any) -> str:
    """The JSON type name of a decoded value, for reasons like ``not a JSON object: array``."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


@dataclass(frozen=True)
class Classified:
    """A decoded record with its producer and raw event type."""

    producer: Producer
    event_type: str
    data: dict[str, Any]

    @property
    def known(self) -> bool:
        return is_known_event_type(self.producer, self.event_type)


def classify(value: Any) -> Classified | str:
    """Classify a decoded JSON value: a :class:`Classified` record, or the quarantine reason as a string."""
    if not isinstance(value, dict):
        return f"{NOT_AN_OBJECT}: {json_kind(value)}"
    producer = producer_of(value)
    if producer is None:
        return UNRECOGNIZED
    return Classified(producer, event_type_of(producer, value), value)
