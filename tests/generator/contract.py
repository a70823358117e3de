"""Independent copies of the synthetic lake's contract (classification, view mapping, recipient rule, status
precedence) written from the issue text, never from the generator's code; the generator tests derive their expected
numbers with these."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from ingest.generator import GeneratorConfig

END = datetime(2026, 11, 20, 12)
CONFIG = GeneratorConfig(seed=7, events=12_000, days=7, end=END)
EPOCH = datetime(1970, 1, 1)
HOUR = timedelta(hours=1)


def ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def parse_iso(text: str) -> int:
    return ms(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ"))


# --------------------------------------------------------------------------------------------------------------
# Independent copies of the contract (from the issue text)


def classify(obj: Any) -> str | None:
    """The producer classification rule downstream code uses."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("event_type"), str):
        return "pinpoint"
    if ("eventType" in obj or "notificationType" in obj) and isinstance(obj.get("mail"), dict):
        return "ses"
    if isinstance(obj.get("whatsAppWebhookEntry"), str):
        return "social"
    if "eventType" in obj and "messageId" in obj and "mail" not in obj:
        return "sms"
    return None


def raw_type(producer: str, obj: dict[str, Any]) -> str:
    if producer == "pinpoint":
        return obj["event_type"]
    if producer == "ses":
        return obj.get("eventType", obj.get("notificationType"))
    if producer == "social":
        value = whatsapp_value(obj)
        return value["statuses"][0]["status"] if "statuses" in value else "message"
    return obj["eventType"]


def whatsapp_value(obj: dict[str, Any]) -> dict[str, Any]:
    """The ``value`` of the Meta webhook entry an End User Messaging Social record carries as a string."""
    return json.loads(obj["whatsAppWebhookEntry"])["changes"][0]["value"]


PP_VIEW = {
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
SES_VIEW = {
    "Send": "email_send",
    "Delivery": "email_delivered",
    "Open": "email_open",
    "Click": "email_click",
    "Reject": "email_rejected",
    "Rendering Failure": "email_rendering_failure",
    "DeliveryDelay": "email_delivery_delay",
    "Complaint": "email_complaint",
}
EUM_FAILURE = [
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
]
EUM_VIEW = {
    "TEXT_QUEUED": "sms_buffered",
    "TEXT_PENDING": "sms_buffered",
    "TEXT_DELIVERED": "sms_success",
    "TEXT_SUCCESSFUL": "sms_success",
    **dict.fromkeys(EUM_FAILURE, "sms_failure"),
}
APP_PREFIXES = ("_session.", "_userauth.")
PRECEDENCE = {
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


def view_of(producer: str, obj: dict[str, Any]) -> str | None:
    kind = raw_type(producer, obj)
    if producer == "pinpoint":
        if kind in PP_VIEW:
            return PP_VIEW[kind]
        if not kind.startswith("_") or kind.startswith(APP_PREFIXES) or kind == "_monetization.purchase":
            return "app_event"
        return None
    if producer == "ses":
        if kind == "Bounce":
            return "email_hardbounce" if obj["bounce"]["bounceType"] == "Permanent" else "email_softbounce"
        if kind == "Subscription":
            prefs = obj["subscription"]["newTopicPreferences"]
            opted_out = prefs.get("unsubscribeAll") or any(
                t["subscriptionStatus"] == "OptOut" for t in prefs.get("topicSubscriptionStatus", [])
            )
            return "email_unsubscribe" if opted_out else None
        return SES_VIEW.get(kind)
    return EUM_VIEW.get(kind)


def email_message(producer: str, obj: dict[str, Any]) -> tuple[str, list[str], list[str]] | None:
    """(message id, destinations, recipients this event counts for) of an email record; None for other records."""
    if producer == "pinpoint":
        facets = obj.get("facets")
        if not facets:
            return None
        event = facets["email_channel"]["mail_event"]
        mail = event["mail"]
        kind = obj["event_type"]
        named = None
        if kind == "_email.delivered":
            named = event["delivery"]["recipients"]
        elif kind in ("_email.hardbounce", "_email.softbounce"):
            named = [r["email_address"] for r in event["bounce"]["bounced_recipients"]]
        elif kind == "_email.complaint":
            named = [r["email_address"] for r in event["complaint"]["complained_recipients"]]
        return mail["message_id"], mail["destination"], named if named is not None else mail["destination"]
    if producer == "ses":
        mail = obj["mail"]
        kind = raw_type("ses", obj)
        named = None
        if kind == "Delivery":
            named = obj["delivery"]["recipients"]
        elif kind == "Bounce":
            named = [r["emailAddress"] for r in obj["bounce"]["bouncedRecipients"]]
        elif kind == "Complaint":
            named = [r["emailAddress"] for r in obj["complaint"]["complainedRecipients"]]
        elif kind == "DeliveryDelay":
            named = [r["emailAddress"] for r in obj["deliveryDelay"]["delayedRecipients"]]
        return mail["messageId"], mail["destination"], named if named is not None else mail["destination"]
    return None


def sms_message(producer: str, obj: dict[str, Any]) -> tuple[str, str, bool, int] | None:
    """(message id, destination, is final, event time) of an SMS record; None for other records."""
    if producer == "sms" and obj["eventType"].startswith("TEXT_"):
        return obj["messageId"], obj["destinationPhoneNumber"], obj["isFinal"], obj["eventTimestamp"]
    if producer == "pinpoint" and obj["event_type"].startswith("_SMS."):
        a = obj["attributes"]
        final = obj["event_type"] in ("_SMS.SUCCESS", "_SMS.FAILURE", "_SMS.OPTOUT")
        return a["message_id"], a["destination_phone_number"], final, obj["event_timestamp"]
    return None


def event_time(producer: str, obj: dict[str, Any]) -> int:
    """The record's own event time (Pinpoint: event_timestamp, the send time for email)."""
    if producer == "pinpoint":
        return obj["event_timestamp"]
    if producer == "sms":
        return obj["eventTimestamp"]
    if producer == "social":  # Meta's whole seconds
        value = whatsapp_value(obj)
        return int((value.get("statuses") or value.get("messages"))[0]["timestamp"]) * 1_000
    kind = raw_type("ses", obj)
    key = {
        "Rendering Failure": "failure",
        "DeliveryDelay": "deliveryDelay",
        "FutureThing": "futureThing",
    }.get(kind, kind[:1].lower() + kind[1:])
    stamp = obj.get(key, {}).get("timestamp")
    return parse_iso(stamp or obj["mail"]["timestamp"])


def has(obj: Any, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return False
        obj = obj[key]
    return True


def first_of(distinct: list[tuple[str, dict[str, Any]]], producer: str, kind: str, **where: Any) -> dict[str, Any]:
    for p, obj in distinct:
        if p == producer and raw_type(p, obj) == kind and all(obj.get(k) == v for k, v in where.items()):
            return obj
    raise AssertionError(f"no {producer} {kind} record generated")


# MMS, voice, RCS (End User Messaging) and WhatsApp (End User Messaging Social): raw type -> (channel, canonical
# event type, receipt outcome), from the issue and AWS's event-type lists.
PHONE_FAILED_MMS = (
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
PHONE_TYPES: dict[str, tuple[str, str, str | None]] = {
    "MEDIA_QUEUED": ("mms", "mms_buffered", None),
    "MEDIA_PENDING": ("mms", "mms_buffered", None),
    "MEDIA_DELIVERED": ("mms", "mms_success", "delivered"),
    "MEDIA_SUCCESSFUL": ("mms", "mms_success", "delivered"),
    **{f"MEDIA_{s}": ("mms", "mms_failure", "failed") for s in PHONE_FAILED_MMS},
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
    "sent": ("whatsapp", "whatsapp_sent", None),
    "delivered": ("whatsapp", "whatsapp_delivered", "delivered"),
    "read": ("whatsapp", "whatsapp_read", "delivered"),
    "failed": ("whatsapp", "whatsapp_failed", "failed"),
}
#: WhatsApp statuses carry no finality; read and failed are the last a message gets.
WHATSAPP_FINAL = ("read", "failed")


def phone_status(producer: str, obj: dict[str, Any]) -> dict[str, Any] | None:
    """An MMS, voice, RCS or WhatsApp status record read as the models read it; None for other records."""
    kind = raw_type(producer, obj) if producer in ("sms", "social") else None
    if kind not in PHONE_TYPES:
        return None
    if producer == "sms":
        return {
            "raw": kind,
            "message_id": obj["messageId"],
            "destination": obj["destinationPhoneNumber"],
            "origination": obj["originationPhoneNumber"],
            "final": obj["isFinal"],
            "at": obj["eventTimestamp"],
            "status": obj["messageStatus"],
            "description": obj["messageStatusDescription"],
            "price": obj.get("totalMessagePrice"),
            "carrier_fee": obj.get("totalCarrierFee"),
            "parts": obj.get("totalMessageParts"),
            "call_seconds": obj.get("callDurationInSeconds"),
            "campaign_id": obj["context"].get("campaign_id"),
            "requested": obj["messageRequestTimestamp"],
            "conversation": None,
        }
    value = whatsapp_value(obj)
    item = value["statuses"][0]
    error = (item.get("errors") or [None])[0]
    return {
        "raw": kind,
        "message_id": item["id"],
        "destination": "+" + item["recipient_id"],
        "origination": "+" + value["metadata"]["display_phone_number"],
        "final": kind in WHATSAPP_FINAL,
        "at": int(item["timestamp"]) * 1_000,
        "status": kind,
        "description": f"{error['code']}: {error['message']}" if error else None,
        "price": None,
        "carrier_fee": None,
        "parts": None,
        "call_seconds": None,
        "campaign_id": None,
        "requested": None,
        "conversation": (item["conversation"]["id"], item["conversation"]["origin"]["type"])
        if "conversation" in item
        else None,
    }
