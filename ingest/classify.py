"""Which AWS service produced a record, decided by its content alone (never by the prefix it was found under).

The rule, shared word for word with the dbt staging models (a JSON ``null`` counts as absent, as in SQL):

1. a JSON object whose ``event_type`` is a string → Amazon Pinpoint event stream;
2. else an object with ``eventType`` or ``notificationType``, and an object ``mail`` → Amazon SES;
3. else an object whose ``whatsAppWebhookEntry`` is a string → AWS End User Messaging Social (WhatsApp);
4. else an object whose ``channel`` is a string, with ``rawEvent`` or ``rawevent`` → a record of AWS's engagement
   database sample (its Firehose transformer's normalised record);
5. else an object with ``eventType`` and ``messageId``, and no ``mail`` → AWS End User Messaging SMS;
6. anything else → unrecognized (quarantined with reason ``unrecognized producer``).

The raw event type of the two newer producers is built from their content, the same way in SQL:

- Social: the first status's ``status`` of the webhook entry (``sent``, ``delivered``, ``read``, ``failed``, …),
  or ``message`` for an inbound message (the entry's first change holds ``messages``), else ``unknown``;
- engagement database: ``<channel>:<key>``, the key being ``type`` for email (``Bounce.<statusCode>`` for a bounce,
  as SES spells the bounce type), ``message`` for an inbound WhatsApp message, else ``status`` (the native
  ``eventType`` for text/media/voice, the WhatsApp status).

Text that is not a JSON object (invalid JSON, an array, a number, a truncated record) is quarantined with a reason
naming the JSON error. An unknown event type of a known producer is still an event: it is kept, and ``inspect``
reports it against the one list of event types, the dbt seed ``dbt_project/seeds/event_types.csv`` (the models
join the same seed, so both readers call the same types unknown).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from englake.project import seed_path
from ingest.layout import Producer

#: Quarantine reasons; ``inspect`` counts by reason, so a reason never holds positions (those go in the entry).
UNRECOGNIZED = "unrecognized producer"
INVALID_JSON = "invalid JSON"
NOT_AN_OBJECT = "not a JSON object"

#: The seed that lists every event type the models know (with its canonical type, channel, precedence, finality).
EVENT_TYPES_SEED = "event_types"
#: The seed row standing for every Pinpoint custom app event (names are the app's to choose).
CUSTOM_EVENT_MARKER = "<custom>"


@cache
def known_event_types() -> dict[Producer, frozenset[str]]:
    """The raw event types of each producer, read from the dbt event-type seed (the one list; columns by name).

    SES rows may refine a type by subtype (``Bounce.Permanent``, ``Subscription.OptOut``): the reader sees only
    ``eventType``, so the part before the first dot is what counts as known for SES.
    """
    with seed_path(EVENT_TYPES_SEED).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    known: dict[Producer, set[str]] = {producer: set() for producer in Producer}
    for row in rows:
        producer, raw = Producer(row["producer"].strip()), row["raw_event_type"].strip()
        if raw == CUSTOM_EVENT_MARKER:
            continue
        known[producer].add(raw.split(".", 1)[0] if producer is Producer.SES else raw)
    return {producer: frozenset(types) for producer, types in known.items()}


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
    if isinstance(record.get("whatsAppWebhookEntry"), str):
        return Producer.SOCIAL
    if isinstance(record.get("channel"), str) and (_present(record, "rawEvent") or _present(record, "rawevent")):
        return Producer.ENGAGEMENTDB
    if _present(record, "eventType") and _present(record, "messageId") and not _present(record, "mail"):
        return Producer.SMS
    return None


def _first(value: Any, *path: str | int) -> Any:
    """The value at ``path`` (keys and list indexes) of decoded JSON, ``None`` where the path does not hold."""
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str | None:
    """A JSON scalar as SQL's json_extract_scalar gives it (strings as they are, others as JSON text)."""
    if value is None or isinstance(value, dict | list):
        return None
    return value if isinstance(value, str) else json.dumps(value)


def social_event_type(record: dict[str, Any]) -> str:
    """A WhatsApp event's type: the first status of the Meta webhook entry, ``message`` for an inbound message."""
    try:
        entry = json.loads(record["whatsAppWebhookEntry"])
    except ValueError:
        return "unknown"
    value = _first(entry, "changes", 0, "value")
    status = _text(_first(value, "statuses", 0, "status"))
    if status is not None:
        return status
    inbound = _first(value, "messages", 0)
    return "message" if _text(_first(inbound, "id")) or _text(_first(inbound, "type")) else "unknown"


def engagementdb_event_type(record: dict[str, Any]) -> str:
    """``<channel>:<key>`` of an engagement-database record (see the module docstring)."""
    channel, kind, status = record["channel"], _text(record.get("type")), _text(record.get("status"))
    if channel == "email":
        key = f"{kind}.{_text(record.get('statusCode')) or ''}" if kind == "Bounce" else kind
    elif channel == "whatsapp" and kind == "message":
        key = "message"
    else:
        key = status
    return f"{channel}:{key or ''}"


def event_type_of(producer: Producer, record: dict[str, Any]) -> str:
    """The raw event type as the producer spells it (SES: ``eventType``, else ``notificationType``)."""
    if producer is Producer.PINPOINT:
        value = record["event_type"]
    elif producer is Producer.SES:
        value = record["eventType"] if _present(record, "eventType") else record["notificationType"]
    elif producer is Producer.SOCIAL:
        value = social_event_type(record)
    elif producer is Producer.ENGAGEMENTDB:
        value = engagementdb_event_type(record)
    else:
        value = record["eventType"]
    return value if isinstance(value, str) else json.dumps(value)


def is_custom_event_type(producer: Producer, event_type: str) -> bool:
    """A Pinpoint app's own event name (``PutEvents``): reserved names start with ``_``, custom ones do not."""
    return producer is Producer.PINPOINT and not event_type.startswith("_")


def is_known_event_type(producer: Producer, event_type: str) -> bool:
    """Documented by AWS for the producer, or a Pinpoint custom event (whose names are the app's to choose)."""
    return event_type in known_event_types()[producer] or is_custom_event_type(producer, event_type)


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
