"""Ground truth of a synthetic lake, accumulated from the generator's own semantic events (never from its output).

The view mapping below is this module's own copy of the contract the dbt models implement; tests of the models
compare their row counts with ``GroundTruth.view_rows`` and friends.

Counting rules (the ones a model has to get right):

- ``events_by_raw_type`` counts distinct events (duplicated lines once) by ``"<producer>:<raw type>"``.
- ``view_rows``: one row per event, except ``email_hardbounce`` / ``email_softbounce`` (one row per bounced
  recipient) and ``email_complaint`` (one row per complained recipient). Unknown types are in no view.
- ``messages`` is keyed by ``(message_id, recipient address)``. Events naming recipients (delivery recipients,
  bounced, complained and delayed recipients) count for those recipients only; the others (send, open, click, reject,
  rendering failure, subscription, unsubscribe) count for every address of the mail's destination list.
- ``campaigns[campaign_id][treatment_id]``: Pinpoint campaign events carry ``attributes.treatment_id``; SES-native
  mail belongs to a campaign through its ``campaign`` mail tag and has no treatment: its treatment key is ``""``.
- ``endpoints``: engagement facts per endpoint id. A fact is attributed to an endpoint either by the Pinpoint
  ``client.client_id`` (``"match": "endpoint_id"``; campaign/journey email, app events) or, for SES-native and
  Pinpoint transactional email (whose client id is a per-message UUID), by the recipient address
  (``"match": "address"``). App events (custom, ``_monetization.purchase``, ``_userauth.*``; sessions are left out)
  use the user's EMAIL endpoint as client id, so they sit on the EMAIL endpoint.
"""

from __future__ import annotations

import json
import operator
from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import orjson

from ingest.synthetic.config import from_ms

# ---------------------------------------------------------------------------------------------------------------
# The view contract (own copy; the dbt seed is written by someone else from the same issue text)

VIEWS: tuple[str, ...] = (
    "email_send",
    "email_delivered",
    "email_open",
    "email_click",
    "email_rejected",
    "email_rendering_failure",
    "email_delivery_delay",
    "email_hardbounce",
    "email_softbounce",
    "email_complaint",
    "email_unsubscribe",
    "sms_buffered",
    "sms_success",
    "sms_failure",
    "sms_optout",
    "campaign_send",
    "journey_send",
    "app_event",
)

PINPOINT_VIEWS: dict[str, str] = {
    "_email.send": "email_send",
    "_email.delivered": "email_delivered",
    "_email.open": "email_open",
    "_email.click": "email_click",
    "_email.rejected": "email_rejected",
    "_email.rendering_failure": "email_rendering_failure",
    "_email.hardbounce": "email_hardbounce",
    "_email.softbounce": "email_softbounce",
    "_email.complaint": "email_complaint",
    "_email.unsubscribe": "email_unsubscribe",
    "_SMS.BUFFERED": "sms_buffered",
    "_SMS.SUCCESS": "sms_success",
    "_SMS.FAILURE": "sms_failure",
    "_SMS.OPTOUT": "sms_optout",
    "_campaign.send": "campaign_send",
    "_journey.send": "journey_send",
}
PINPOINT_APP_TYPES: frozenset[str] = frozenset(
    {
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
#: Documented Pinpoint types that feed no view (push interactions).
PINPOINT_OTHER_TYPES: frozenset[str] = frozenset(
    {"_campaign.opened_notification", "_campaign.received_foreground", "_campaign.received_background"}
)
SES_VIEWS: dict[str, str] = {
    "Send": "email_send",
    "Delivery": "email_delivered",
    "Open": "email_open",
    "Click": "email_click",
    "Reject": "email_rejected",
    "Rendering Failure": "email_rendering_failure",
    "DeliveryDelay": "email_delivery_delay",
    "Complaint": "email_complaint",
    # "Bounce" depends on bounceType, "Subscription" on newTopicPreferences (see view_for)
}
SES_TYPES: frozenset[str] = frozenset({*SES_VIEWS, "Bounce", "Subscription"})
SMS_VIEWS: dict[str, str] = {
    "TEXT_QUEUED": "sms_buffered",
    "TEXT_PENDING": "sms_buffered",
    "TEXT_DELIVERED": "sms_success",
    "TEXT_SUCCESSFUL": "sms_success",
    **{
        t: "sms_failure"
        for t in (
            "TEXT_BLOCKED",
            "TEXT_TTL_EXPIRED",
            "TEXT_CARRIER_UNREACHABLE",
            "TEXT_INVALID",
            "TEXT_INVALID_MESSAGE",
            "TEXT_CARRIER_BLOCKED",
            "TEXT_UNREACHABLE",
            "TEXT_SPAM",
            "TEXT_UNKNOWN",
            "TEXT_PROTECT_BLOCKED",
        )
    },
}
#: Documented EUM SMS types that feed no SMS view (TEXT_SENT is in the enum but "not supported"); MMS, voice and RCS
#: types are in ``PHONE_CHANNEL_TYPES``.
SMS_OTHER_TYPES: frozenset[str] = frozenset({"TEXT_SENT"})

#: MMS, voice and RCS (End User Messaging configuration-set events) and WhatsApp (End User Messaging Social status
#: webhooks): raw type -> (channel, canonical event type, receipt outcome: "delivered", "failed" or None). Finality
#: is what the record says (``isFinal``); WhatsApp statuses say nothing, and read and failed are final.
PHONE_CHANNEL_TYPES: dict[str, tuple[str, str, str | None]] = {
    "MEDIA_QUEUED": ("mms", "mms_buffered", None),
    "MEDIA_PENDING": ("mms", "mms_buffered", None),
    "MEDIA_DELIVERED": ("mms", "mms_success", "delivered"),
    "MEDIA_SUCCESSFUL": ("mms", "mms_success", "delivered"),
    **{
        f"MEDIA_{s}": ("mms", "mms_failure", "failed")
        for s in (
            "BLOCKED",
            "TTL_EXPIRED",
            "CARRIER_UNREACHABLE",
            "INVALID",
            "INVALID_MESSAGE",
            "CARRIER_BLOCKED",
            "UNREACHABLE",
            "SPAM",
            "UNKNOWN",
            "FILE_INACCESSIBLE",
            "FILE_TYPE_UNSUPPORTED",
            "FILE_SIZE_EXCEEDED",
        )
    },
    "VOICE_INITIATED": ("voice", "voice_initiated", None),
    "VOICE_RINGING": ("voice", "voice_ringing", None),
    "VOICE_ANSWERED": ("voice", "voice_answered", None),
    "VOICE_COMPLETED": ("voice", "voice_completed", "delivered"),
    **{f"VOICE_{s}": ("voice", "voice_failed", "failed") for s in ("BUSY", "NO_ANSWER", "FAILED", "TTL_EXPIRED")},
    "RCS_QUEUED": ("rcs", "rcs_buffered", None),
    "RCS_SENT": ("rcs", "rcs_buffered", None),
    "RCS_DELIVERED": ("rcs", "rcs_success", "delivered"),
    "RCS_READ": ("rcs", "rcs_read", "delivered"),
    **{f"RCS_{s}": ("rcs", "rcs_failure", "failed") for s in ("FAILED", "TTL_EXPIRED", "PROTECT_BLOCKED")},
    "RCS_FALLEN_BACK_TO_SMS": ("rcs", "rcs_fallen_back_to_sms", None),
}
WHATSAPP_TYPES: dict[str, tuple[str, str, str | None]] = {
    "accepted": ("whatsapp", "whatsapp_accepted", None),
    "sent": ("whatsapp", "whatsapp_sent", None),
    "delivered": ("whatsapp", "whatsapp_delivered", "delivered"),
    "read": ("whatsapp", "whatsapp_read", "delivered"),
    "failed": ("whatsapp", "whatsapp_failed", "failed"),
}
WHATSAPP_FINAL: frozenset[str] = frozenset({"read", "failed"})
#: An inbound WhatsApp message (a customer writing to the business number).
WHATSAPP_INBOUND = "message"
SOCIAL_TYPES: frozenset[str] = frozenset({*WHATSAPP_TYPES, WHATSAPP_INBOUND})
#: The per-message status views of the phone channels, and the other views of the new channels.
CHANNEL_STATUS_VIEWS: dict[str, str] = {
    "mms": "mms_status",
    "voice": "voice_status",
    "rcs": "rcs_status",
    "whatsapp": "whatsapp_status",
}

#: Email ``latest_status`` precedence per (message, recipient): the highest view with a row wins.
EMAIL_STATUS_PRECEDENCE: dict[str, int] = {
    "email_complaint": 90,
    "email_hardbounce": 80,
    "email_unsubscribe": 70,
    "email_click": 60,
    "email_open": 50,
    "email_delivered": 40,
    "email_softbounce": 30,
    "email_delivery_delay": 20,
    "email_rejected": 15,
    "email_rendering_failure": 15,
    "email_send": 10,
}
#: Pinpoint SMS types that are final; EUM records say so themselves (``isFinal``).
PINPOINT_SMS_FINAL: frozenset[str] = frozenset({"_SMS.SUCCESS", "_SMS.FAILURE", "_SMS.OPTOUT"})


def is_known_type(producer: str, raw_type: str) -> bool:
    """Whether AWS documents ``raw_type`` for ``producer`` (Pinpoint custom event names count as known)."""
    if producer == "pinpoint":
        return (
            not raw_type.startswith("_")
            or raw_type in PINPOINT_VIEWS
            or raw_type in PINPOINT_APP_TYPES
            or raw_type in PINPOINT_OTHER_TYPES
        )
    if producer == "ses":
        return raw_type in SES_TYPES
    if producer == "social":
        return raw_type in SOCIAL_TYPES
    return raw_type in SMS_VIEWS or raw_type in SMS_OTHER_TYPES or raw_type in PHONE_CHANNEL_TYPES


def view_for(producer: str, raw_type: str, *, bounce_type: str | None = None, unsubscribed: bool = False) -> str | None:
    """The per-event-type view an event feeds, or None (unknown types, SES opt-ins, push interactions)."""
    if producer == "pinpoint":
        view = PINPOINT_VIEWS.get(raw_type)
        if view is None and (not raw_type.startswith("_") or raw_type in PINPOINT_APP_TYPES):
            view = "app_event"
        return view
    if producer == "ses":
        if raw_type == "Bounce":
            return "email_hardbounce" if bounce_type == "Permanent" else "email_softbounce"
        if raw_type == "Subscription":
            return "email_unsubscribe" if unsubscribed else None  # an opt-in is "email_subscribe": no view
        return SES_VIEWS.get(raw_type)
    return SMS_VIEWS.get(raw_type)


_PER_RECIPIENT_VIEWS = frozenset({"email_hardbounce", "email_softbounce", "email_complaint"})
_CAMPAIGN_COUNTER = {
    "email_send": "sends",
    "email_delivered": "deliveries",
    "email_open": "opens",
    "email_click": "clicks",
    "email_hardbounce": "hardbounces",
    "email_softbounce": "softbounces",
    "email_complaint": "complaints",
    "email_unsubscribe": "unsubscribes",
    "sms_success": "sms_success",
    "sms_failure": "sms_failure",
}
CAMPAIGN_COUNTERS: tuple[str, ...] = (
    "sends",
    "deliveries",
    "opens",
    "unique_opens",
    "clicks",
    "unique_clicks",
    "hardbounces",
    "softbounces",
    "complaints",
    "unsubscribes",
    "campaign_sends",
    "sms_success",
    "sms_failure",
)
JOURNEY_COUNTERS: tuple[str, ...] = tuple("journey_sends" if c == "campaign_sends" else c for c in CAMPAIGN_COUNTERS)

# ---------------------------------------------------------------------------------------------------------------
# The truth itself

_TIME_KEYS = frozenset({"start", "end", "sent_at", "time", "first", "last", "status_at"})


#: What orjson writes for each datetime of the truth (hundreds of thousands): ``value.isoformat("T", "milliseconds")``,
#: called from C, a third faster than a Python function doing the same. Anything else the truth should never hold
#: fails in that call, and orjson raises its ``JSONEncodeError`` (a ``TypeError``) naming the type.
_default = operator.methodcaller("isoformat", "T", "milliseconds")


def _decode_times(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in _TIME_KEYS and isinstance(v, str):
                value[k] = datetime.fromisoformat(v)
            elif isinstance(v, dict | list):
                _decode_times(v, k)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict | list):
                _decode_times(v)
    return value


# orjson hands datetimes to ``_default`` (millisecond ISO text) and writes the rest ~6x faster than ``json`` (the truth
# of 1M events is ~300 MB of JSON).
_TRUTH_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


@dataclass
class GroundTruth:
    """What a synthetic lake contains, in the terms its consumers (reader, dbt views, segments) are tested on.

    Times are naive UTC ``datetime``s with millisecond precision.
    """

    seed: int
    start: datetime  # event-time window start (inclusive)
    end: datetime  # event-time window end (exclusive); records arriving at or after it are not in the lake
    application_id: str
    #: every line written: valid events, byte-identical duplicates, malformed and unclassifiable lines
    records_written: int
    #: lines per stream they arrive on (RawRecord.producer value, "unknown" for None); truncated JSON keeps its stream
    records_by_producer: dict[str, int]
    #: extra byte-identical copies (a line written twice counts 1 here)
    duplicate_records: int
    #: lines that are not a JSON object (truncated JSON, plain text, arrays, bare numbers)
    malformed_records: int
    #: valid JSON objects that match no producer by the classification rule
    unclassifiable_records: int
    #: valid lines (duplicates included) carrying keys AWS does not document yet (see records.NEW_FIELDS)
    new_field_records: int
    #: valid lines (duplicates included) whose Firehose arrival is at least one hour after the record's event time
    late_records: int
    #: "producer:raw_type" -> distinct events whose raw type AWS does not document
    unknown_event_types: dict[str, int]
    #: "producer:raw_type" -> distinct events (after dedup)
    events_by_raw_type: dict[str, int]
    #: view name -> rows after dedup (all VIEWS present)
    view_rows: dict[str, int]
    #: canonical event types that have no per-event-type view (SES subscription opt-ins) -> distinct events
    events_without_view: dict[str, int]
    #: campaign id -> treatment id ("" for SES-native) -> CAMPAIGN_COUNTERS
    campaigns: dict[str, dict[str, dict[str, int]]]
    #: journey id -> JOURNEY_COUNTERS
    journeys: dict[str, dict[str, int]]
    #: campaign id -> name, channel (EMAIL/SMS), producer (pinpoint/ses), webinar_id, treatments {id: subject or body}
    campaign_catalog: dict[str, dict[str, Any]]
    #: journey id -> name, activities {activity id: EMAIL/SMS}
    journey_catalog: dict[str, dict[str, Any]]
    #: (message id, recipient address) -> channel, producer, endpoint_id, client_id, campaign_id, treatment_id,
    #: journey_id, subject, sent_at, counts {view: rows}, latest_status, price; MMS, voice, RCS and WhatsApp
    #: messages add status {raw_event_type, message_status, description, is_final, status_at}, status_counts
    #: {event type: events}, delivered_receipts, failed_receipts, origination, parts, call_duration_seconds,
    #: conversation_id, conversation_type
    messages: dict[tuple[str, str], dict[str, Any]]
    #: endpoint id -> channel, address, user_id, opt_out, email_opens, email_clicks, events {name: [...]},
    #: emails_received
    endpoints: dict[str, dict[str, Any]]
    #: WhatsApp conversation id -> type (Meta's origin type), business and customer numbers, messages (distinct
    #: outbound messages whose statuses name it), first and last time of those statuses (Meta's whole seconds)
    conversations: dict[str, dict[str, Any]]
    #: inbound WhatsApp message id -> from (E.164), type (text, image, …), time (Meta's whole seconds), business number
    whatsapp_inbound: dict[str, dict[str, Any]]

    @property
    def distinct_events(self) -> int:
        return sum(self.events_by_raw_type.values())

    def to_json(self) -> str:
        """JSON text; ``messages`` becomes a list of ``[message_id, recipient, fields]`` (JSON has no tuple keys)."""
        return self.to_json_bytes().decode()

    def to_json_bytes(self) -> bytes:
        """``to_json`` as UTF-8 bytes, what the lake stores (hundreds of MB at a million events: no round trip)."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "messages"}
        data["messages"] = [[mid, rcpt, m] for (mid, rcpt), m in self.messages.items()]
        return orjson.dumps(data, default=_default, option=_TRUTH_JSON_OPTIONS)

    @classmethod
    def from_json(cls, text: str) -> GroundTruth:
        data = json.loads(text)
        data["start"] = datetime.fromisoformat(data["start"])
        data["end"] = datetime.fromisoformat(data["end"])
        data["messages"] = {(mid, rcpt): _decode_times(m) for mid, rcpt, m in data["messages"]}
        _decode_times(data["endpoints"])
        _decode_times(data["conversations"])
        _decode_times(data["whatsapp_inbound"])
        return cls(**data)


# ---------------------------------------------------------------------------------------------------------------
# Accumulation while generating


class TruthBuilder:
    """Counts what the planner emits. Every ``*_event`` call is one distinct event that made it into the lake."""

    def __init__(self, seed: int, start: datetime, end: datetime, application_id: str) -> None:
        self.seed = seed
        self.start = start
        self.end = end
        self.application_id = application_id
        self.records_written = 0
        self.records_by_producer: Counter[str] = Counter()
        self.duplicate_records = 0
        self.malformed_records = 0
        self.unclassifiable_records = 0
        self.new_field_records = 0
        self.late_records = 0
        self.events_by_raw_type: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.view_rows: dict[str, int] = dict.fromkeys(VIEWS, 0)
        self.events_without_view: Counter[str] = Counter()
        self.campaigns: dict[str, dict[str, dict[str, int]]] = {}
        self.journeys: dict[str, dict[str, int]] = {}
        self._unique: set[tuple[str, str, str, str]] = set()
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._sms_best: dict[tuple[str, str], tuple[bool, int]] = {}
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.address_to_endpoint: dict[str, str] = {}
        self.campaign_catalog: dict[str, dict[str, Any]] = {}
        self.journey_catalog: dict[str, dict[str, Any]] = {}
        self.conversations: dict[str, dict[str, Any]] = {}
        self.whatsapp_inbound: dict[str, dict[str, Any]] = {}
        self._raw_types: dict[tuple[str, str], tuple[str, bool]] = {}

    # -- lines ------------------------------------------------------------------------------------------------
    def line(self, producer: str | None, duplicate: bool = False, late: bool = False, new_fields: bool = False) -> None:
        self.records_written += 1
        self.records_by_producer[str(producer) if producer else "unknown"] += 1
        self.duplicate_records += duplicate
        self.late_records += late
        self.new_field_records += new_fields

    def malformed_line(self, producer: str | None) -> None:
        self.line(producer)
        self.malformed_records += 1

    def unclassifiable_line(self) -> None:
        self.line(None)
        self.unclassifiable_records += 1

    # -- endpoints --------------------------------------------------------------------------------------------
    def add_endpoint(self, endpoint_id: str, channel: str, address: str, user_id: str) -> None:
        self.endpoints[endpoint_id] = {
            "channel": channel,
            "address": address,
            "user_id": user_id,
            "opt_out": "NONE",
            "email_opens": [],
            "email_clicks": [],
            "events": {},
            "emails_received": [],
        }
        self.address_to_endpoint[address] = endpoint_id

    def set_opt_out(self, endpoint_id: str, value: str) -> None:
        self.endpoints[endpoint_id]["opt_out"] = value

    # -- events -----------------------------------------------------------------------------------------------
    def _raw(self, producer: str, raw_type: str) -> None:
        # Once per event, over a few dozen distinct types: the key and whether AWS documents the type, made once each.
        known = self._raw_types.get((producer, raw_type))
        if known is None:
            known = self._raw_types[producer, raw_type] = (f"{producer}:{raw_type}", is_known_type(producer, raw_type))
        key, documented = known
        self.events_by_raw_type[key] += 1
        if not documented:
            self.unknown[key] += 1

    def _campaign(self, campaign_id: str, treatment_id: str) -> dict[str, int]:
        by_treatment = self.campaigns.setdefault(campaign_id, {})
        counters = by_treatment.get(treatment_id)
        if counters is None:
            counters = by_treatment[treatment_id] = dict.fromkeys(CAMPAIGN_COUNTERS, 0)
        return counters

    def _journey(self, journey_id: str) -> dict[str, int]:
        counters = self.journeys.get(journey_id)
        if counters is None:
            counters = self.journeys[journey_id] = dict.fromkeys(JOURNEY_COUNTERS, 0)
        return counters

    def _count_engagement(self, counters: dict[str, int], scope: str, view: str, rows: int, message_id: str) -> None:
        counters[_CAMPAIGN_COUNTER[view]] += rows
        if view in ("email_open", "email_click"):
            unique = (scope, message_id, view, "")
            if unique not in self._unique:
                self._unique.add(unique)
                counters["unique_opens" if view == "email_open" else "unique_clicks"] += 1

    def _message(self, message_id: str, recipient: str, channel: str, producer: str, m: Any) -> dict[str, Any]:
        key = (message_id, recipient)
        entry = self.messages.get(key)
        if entry is None:
            entry = self.messages[key] = {
                "channel": channel,
                "producer": producer,
                "endpoint_id": m.endpoint_id if recipient == m.endpoint_address else None,
                "client_id": m.client_id,
                "campaign_id": m.campaign_id,
                "treatment_id": m.treatment_id,
                "journey_id": m.journey_id,
                "subject": None,
                "sent_at": m.sent_ms if channel == "email" else None,
                "counts": {},
                "human_counts": {},  # opens and clicks the event does not mark as a machine's (SES isBotEvent)
                "latest_status": None,
                "price": None,
                "carrier_fee": None,
                "country": getattr(m, "iso_country", None),
                "configuration_set": getattr(m, "config_set", None),
            }
        return entry

    def email_event(
        self,
        mail: Any,
        producer: str,
        raw_type: str,
        happened_ms: int,
        *,
        named: tuple[str, ...] | None = None,
        bounce_type: str | None = None,
        unsubscribed: bool = False,
        link: str | None = None,
        bot: bool = False,
        shows_subject: bool = True,
    ) -> None:
        """One email event of ``mail`` (a records.Mail). ``named``: the recipients the event names, if it does."""
        self._raw(producer, raw_type)
        view = view_for(producer, raw_type, bounce_type=bounce_type, unsubscribed=unsubscribed)
        recipients = named if named is not None else mail.destinations
        rows = (len(named) if named is not None else 1) if view in _PER_RECIPIENT_VIEWS else 1
        if view is not None:
            self.view_rows[view] += rows
        elif is_known_type(producer, raw_type):
            self.events_without_view["email_subscribe"] += 1  # the one known email type with no view: an opt-in
        for rcpt in recipients:
            entry = self._message(mail.message_id, rcpt, "email", producer, mail)
            if shows_subject and entry["subject"] is None:
                entry["subject"] = mail.subject
            if view is None:
                continue
            counts = entry["counts"]
            counts[view] = counts.get(view, 0) + 1
            if view in ("email_open", "email_click") and not bot:
                entry["human_counts"][view] = entry["human_counts"].get(view, 0) + 1
            if view in ("email_open", "email_click"):
                self._engagement_fact(mail, producer, rcpt, view, happened_ms, link, bot)
        if view in _CAMPAIGN_COUNTER:
            if mail.campaign_id is not None:
                scope = f"c:{mail.campaign_id}:{mail.treatment_id or ''}"
                counters = self._campaign(mail.campaign_id, mail.treatment_id or "")
                self._count_engagement(counters, scope, view, rows, mail.message_id)
            if mail.journey_id is not None:
                self._count_engagement(
                    self._journey(mail.journey_id), f"j:{mail.journey_id}", view, rows, mail.message_id
                )

    def _engagement_fact(
        self, mail: Any, producer: str, rcpt: str, view: str, happened_ms: int, link: str | None, bot: bool
    ) -> None:
        if mail.endpoint_id is not None and rcpt == mail.endpoint_address:
            endpoint_id, match = mail.endpoint_id, "endpoint_id"
        else:
            endpoint_id, match = self.address_to_endpoint.get(rcpt), "address"
        if endpoint_id is None:
            return
        fact: dict[str, Any] = {
            "message_id": mail.message_id,
            "campaign_id": mail.campaign_id,
            "journey_id": mail.journey_id,
            "time": happened_ms,
            "producer": producer,
            "match": match,
            "bot": bot,
        }
        if view == "email_click":
            fact["link"] = link
            self.endpoints[endpoint_id]["email_clicks"].append(fact)
        else:
            self.endpoints[endpoint_id]["email_opens"].append(fact)

    def sms_event(self, sms: Any, producer: str, raw_type: str, event_ms: int, *, is_final: bool, priced: bool) -> None:
        """One SMS event of ``sms`` (a records.Sms); ``event_ms`` is the record's own event time."""
        self._raw(producer, raw_type)
        view = view_for(producer, raw_type)
        key = (sms.message_id, sms.destination)
        entry = self._message(sms.message_id, sms.destination, "sms", producer, sms)
        if producer == "sms":
            entry["sent_at"] = sms.request_ms
        elif entry["sent_at"] is None or event_ms < entry["sent_at"]:
            entry["sent_at"] = event_ms
        if priced:
            entry["price"] = sms.price
            entry["carrier_fee"] = sms.carrier_fee if producer == "sms" else None
        if view is None:
            return
        self.view_rows[view] += 1
        counts = entry["counts"]
        counts[view] = counts.get(view, 0) + 1
        rank = (is_final, event_ms)
        best = self._sms_best.get(key)
        if best is None or rank > best:
            self._sms_best[key] = rank
            entry["latest_status"] = view
        if view in _CAMPAIGN_COUNTER:
            if sms.campaign_id is not None:
                self._campaign(sms.campaign_id, sms.treatment_id or "")[_CAMPAIGN_COUNTER[view]] += 1
            if sms.journey_id is not None:
                self._journey(sms.journey_id)[_CAMPAIGN_COUNTER[view]] += 1

    def phone_event(
        self,
        message: Any,
        producer: str,
        raw_type: str,
        event_ms: int,
        *,
        is_final: bool,
        status: str,
        description: str | None,
    ) -> None:
        """One MMS, voice, RCS or WhatsApp status of ``message`` (a channel_records.PhoneMessage); ``event_ms`` is
        the time the record states (for WhatsApp Meta's whole seconds, in ms)."""
        self._raw(producer, raw_type)
        channel, event_type, outcome = (WHATSAPP_TYPES if producer == "social" else PHONE_CHANNEL_TYPES)[raw_type]
        key = (message.message_id, message.destination)
        entry = self._message(message.message_id, message.destination, channel, producer, message)
        if "status" not in entry:
            entry.update(
                status=None,
                origination=message.origination,
                parts=message.parts,
                call_duration_seconds=None,
                conversation_id=None,
                conversation_type=None,
                pricing_category=None,
                delivered_receipts=0,
                failed_receipts=0,
                status_counts={},
            )
        if message.campaign_id is not None:
            # the campaign is known (its counters are email's and SMS's: its messages are counted in ``messages``)
            self._campaign(message.campaign_id, message.treatment_id or "")
        if producer == "social":
            entry["sent_at"] = event_ms if entry["sent_at"] is None else min(entry["sent_at"], event_ms)
        else:
            entry["sent_at"] = message.request_ms
        entry["price"] = message.price
        entry["carrier_fee"] = message.carrier_fee
        # fct_messages has no per-type counts for these channels: theirs are apart from ``counts``
        entry["status_counts"][event_type] = entry["status_counts"].get(event_type, 0) + 1
        if outcome == "delivered":
            entry["delivered_receipts"] += 1
        elif outcome == "failed":
            entry["failed_receipts"] += 1
        if raw_type == "VOICE_COMPLETED":
            entry["call_duration_seconds"] = message.call_seconds
        conversation = message.conversation_id if raw_type in ("sent", "delivered") else None
        if conversation is not None:
            entry["conversation_id"], entry["conversation_type"] = conversation, message.conversation_type
            entry["pricing_category"] = message.conversation_type
            facts = self.conversations.setdefault(
                conversation,
                {
                    "type": message.conversation_type,
                    "origination": message.origination,
                    "destination": message.destination,
                    "message_ids": [],
                    "first": event_ms,
                    "last": event_ms,
                },
            )
            if message.message_id not in facts["message_ids"]:
                facts["message_ids"].append(message.message_id)
            facts["first"], facts["last"] = min(facts["first"], event_ms), max(facts["last"], event_ms)
        rank = (is_final, event_ms)
        best = self._sms_best.get(key)
        if best is None or rank > best:
            self._sms_best[key] = rank
            entry["latest_status"] = event_type
            entry["status"] = {
                "raw_event_type": raw_type,
                "message_status": status,
                "description": description,
                "is_final": is_final,
                "status_at": event_ms,
            }

    def whatsapp_inbound_message(self, message_id: str, sender: str, kind: str, at_ms: int, business: str) -> None:
        """A customer's message to the business number (``at_ms``: Meta's whole seconds, in ms)."""
        self._raw("social", WHATSAPP_INBOUND)
        self.whatsapp_inbound[message_id] = {"from": sender, "type": kind, "time": at_ms, "business": business}

    def campaign_send(self, campaign_id: str, treatment_id: str) -> None:
        self._raw("pinpoint", "_campaign.send")
        self.view_rows["campaign_send"] += 1
        self._campaign(campaign_id, treatment_id)["campaign_sends"] += 1

    def journey_send(self, journey_id: str) -> None:
        self._raw("pinpoint", "_journey.send")
        self.view_rows["journey_send"] += 1
        self._journey(journey_id)["journey_sends"] += 1

    def app_event(
        self, raw_type: str, endpoint_id: str, happened_ms: int, attributes: dict[str, str], metrics: dict[str, float]
    ) -> None:
        self._raw("pinpoint", raw_type)
        view = view_for("pinpoint", raw_type)
        if view is not None:
            self.view_rows[view] += 1
        if raw_type.startswith("_session."):
            return
        events = self.endpoints[endpoint_id]["events"]
        events.setdefault(raw_type, []).append({"time": happened_ms, "attributes": attributes, "metrics": metrics})

    # -- the end ----------------------------------------------------------------------------------------------
    def finish(self) -> GroundTruth:
        for (message_id, rcpt), entry in self.messages.items():
            if entry["sent_at"] is not None:
                entry["sent_at"] = from_ms(entry["sent_at"])
            if entry.get("status") is not None:
                entry["status"]["status_at"] = from_ms(entry["status"]["status_at"])
            if entry["channel"] != "email":
                continue
            counts = entry["counts"]
            if counts:
                entry["latest_status"] = max(counts, key=EMAIL_STATUS_PRECEDENCE.__getitem__)
            if not counts.get("email_send"):
                continue
            if entry["endpoint_id"] is not None:
                endpoint_id, match = entry["endpoint_id"], "endpoint_id"
            else:
                endpoint_id, match = self.address_to_endpoint.get(rcpt), "address"
            if endpoint_id is None:
                continue
            self.endpoints[endpoint_id]["emails_received"].append(
                {
                    "message_id": message_id,
                    "subject": entry["subject"],
                    "sent_at": entry["sent_at"],
                    "campaign_id": entry["campaign_id"],
                    "journey_id": entry["journey_id"],
                    "producer": entry["producer"],
                    "match": match,
                    "delivered": bool(counts.get("email_delivered")),
                    "opened": bool(counts.get("email_open")),
                }
            )
        for endpoint in self.endpoints.values():
            for fact in endpoint["email_opens"]:
                fact["time"] = from_ms(fact["time"])
            for fact in endpoint["email_clicks"]:
                fact["time"] = from_ms(fact["time"])
            for facts in endpoint["events"].values():
                for fact in facts:
                    fact["time"] = from_ms(fact["time"])
        for facts in self.conversations.values():
            facts["first"], facts["last"] = from_ms(facts["first"]), from_ms(facts["last"])
        for facts in self.whatsapp_inbound.values():
            facts["time"] = from_ms(facts["time"])
        return GroundTruth(
            seed=self.seed,
            start=self.start,
            end=self.end,
            application_id=self.application_id,
            records_written=self.records_written,
            records_by_producer=dict(sorted(self.records_by_producer.items())),
            duplicate_records=self.duplicate_records,
            malformed_records=self.malformed_records,
            unclassifiable_records=self.unclassifiable_records,
            new_field_records=self.new_field_records,
            late_records=self.late_records,
            unknown_event_types=dict(sorted(self.unknown.items())),
            events_by_raw_type=dict(sorted(self.events_by_raw_type.items())),
            view_rows=self.view_rows,
            events_without_view=dict(self.events_without_view),
            campaigns=self.campaigns,
            journeys=self.journeys,
            campaign_catalog=self.campaign_catalog,
            journey_catalog=self.journey_catalog,
            messages=self.messages,
            endpoints=self.endpoints,
            conversations=self.conversations,
            whatsapp_inbound=self.whatsapp_inbound,
        )
