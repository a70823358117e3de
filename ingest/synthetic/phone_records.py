"""Rendering MMS, voice and RCS messages (End User Messaging configuration-set events) and WhatsApp messages (End
User Messaging Social events) into the exact record text AWS writes.

Shapes follow the channel fixtures (tests/fixtures/README.md, ``channels/``): the documented SMS event
(event-formats.md §3.1) with the channel's event type, status, description, ids, times and prices; voice events
carry no message parts or carrier fee, a completed call ``callDurationInSeconds`` and ``totalDurationInMinutes``;
RCS events no parts or prices, the RCS agent id as origination. A WhatsApp event is AWS's header (``context`` with
the WABA and phone-number ids, ``aws_account_id``, ``message_timestamp`` with nanoseconds, ``messageId``) around
Meta's webhook entry as a JSON string. Rendering is pure (no randomness): a duplicate delivery is byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ingest.synthetic.config import from_ms
from ingest.synthetic.records import PhoneSend, eum_new_fields, eum_record


def _encode(obj: Any) -> str:
    return orjson.dumps(obj).decode()


#: The WhatsApp Business Account the synthetic business writes from (ids shaped like AWS's documented example).
WABA_ID = "1234567890abcde"
META_PHONE_NUMBER_ID = "abcde1234567890"
#: Meta's display form of the business number: digits, no '+'.
BUSINESS_DISPLAY_NUMBER = "15550984277"


@dataclass(slots=True)
class PhoneMessage(PhoneSend):
    """One MMS, voice call, RCS message or outbound WhatsApp message."""

    channel: str  # "mms" | "voice" | "rcs" | "whatsapp"
    parts: int | None = None
    price: float | None = None
    carrier_fee: float | None = None
    call_seconds: int | None = None
    conversation_id: str | None = None
    conversation_type: str | None = None


class PhoneRenderer:
    """Turns MMS, voice, RCS and WhatsApp events into record lines; bound to one account and region."""

    def __init__(self, aws_account_id: str, region: str) -> None:
        self.account = aws_account_id
        self.region = region
        self._social_context = {
            "MetaWabaIds": [
                {"wabaId": WABA_ID, "arn": f"arn:aws:social-messaging:{region}:{aws_account_id}:waba/{WABA_ID}"}
            ],
            "MetaPhoneNumberIds": [
                {
                    "metaPhoneNumberId": META_PHONE_NUMBER_ID,
                    "arn": f"arn:aws:social-messaging:{region}:{aws_account_id}:phone-number-id/{META_PHONE_NUMBER_ID}",
                }
            ],
        }

    def eum(
        self,
        message: PhoneMessage,
        event_type: str,
        event_ms: int,
        is_final: bool,
        status: str,
        description: str,
        new_fields: bool,
    ) -> str:
        """A ``MEDIA_*``, ``VOICE_*`` or ``RCS_*`` configuration-set event."""
        rec = eum_record(message, event_type, event_ms, is_final, status, description, "GSM")
        if message.parts is not None:
            rec["totalMessageParts"] = message.parts
        if message.price is not None:
            rec["totalMessagePrice"] = message.price
        if message.carrier_fee is not None:
            rec["totalCarrierFee"] = message.carrier_fee
        if event_type == "VOICE_COMPLETED" and message.call_seconds is not None:
            rec["callDurationInSeconds"] = message.call_seconds
            rec["totalDurationInMinutes"] = -(-message.call_seconds // 60)
        if new_fields:
            eum_new_fields(rec)
        return _encode(rec)

    def _social(self, entry_value: dict[str, Any], aws_ms: int, aws_nanos: int, event_id: str, new_fields: bool) -> str:
        entry = {"id": WABA_ID, "changes": [{"value": entry_value, "field": "messages"}]}
        moment = from_ms(aws_ms)
        rec: dict[str, Any] = {
            "context": self._social_context,
            "aws_account_id": self.account,
            "whatsAppWebhookEntry": _encode(entry),
            "message_timestamp": f"{moment:%Y-%m-%dT%H:%M:%S}.{aws_nanos:09d}Z",
            "messageId": event_id,
        }
        if new_fields:  # the keys records.NEW_FIELDS["social"] names
            rec["eventVersion"] = "1.0"
            rec["context"] = {**self._social_context, "region": self.region}
        return _encode(rec)

    def whatsapp_status(
        self,
        message: PhoneMessage,
        status: str,
        meta_seconds: int,
        error: tuple[int, str] | None,
        aws_ms: int,
        aws_nanos: int,
        event_id: str,
        new_fields: bool,
    ) -> str:
        """A status webhook (sent, delivered, read, failed). Sent and delivered name the conversation and its
        pricing, as Meta's do; read does not; failed carries Meta's error."""
        item: dict[str, Any] = {
            "id": message.message_id,
            "status": status,
            "timestamp": str(meta_seconds),
            "recipient_id": message.destination.removeprefix("+"),
        }
        if status in ("sent", "delivered") and message.conversation_id is not None:
            item["conversation"] = {"id": message.conversation_id, "origin": {"type": message.conversation_type}}
            item["pricing"] = {"billable": True, "pricing_model": "CBP", "category": message.conversation_type}
        if error is not None:
            item["errors"] = [{"code": error[0], "title": error[1], "message": error[1]}]
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": BUSINESS_DISPLAY_NUMBER, "phone_number_id": META_PHONE_NUMBER_ID},
            "statuses": [item],
        }
        return self._social(value, aws_ms, aws_nanos, event_id, new_fields)

    def whatsapp_inbound(
        self,
        wamid: str,
        sender: str,
        name: str,
        body: str,
        meta_seconds: int,
        aws_ms: int,
        aws_nanos: int,
        event_id: str,
        new_fields: bool,
    ) -> str:
        """An inbound text message from a customer (``sender`` in E.164)."""
        wa_id = sender.removeprefix("+")
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": BUSINESS_DISPLAY_NUMBER, "phone_number_id": META_PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [
                {"from": wa_id, "id": wamid, "timestamp": str(meta_seconds), "type": "text", "text": {"body": body}}
            ],
        }
        return self._social(value, aws_ms, aws_nanos, event_id, new_fields)
