"""The custom-channel side: a Pinpoint ``CustomDeliveryConfiguration`` invocation → call requests on a queue.

This runs inside Pinpoint's invocation, so it only decides and queues (one ``SendMessageBatch`` per 10 calls); the
dialer places the calls at Connect's pace. Endpoints that must not be called are recorded as ``skipped`` events.
The spoken message is the campaign's ``CustomMessage.Data`` (plain text, or JSON with a ``message`` key), with the
endpoint's ``{{Attributes.X}}`` variables filled in.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from englake.timestamps import parse_iso, to_naive_utc
from handlers.hooks.limits import CONNECT_ATTRIBUTES_MAX_BYTES, SQS_BATCH_MAX_MESSAGES
from handlers.hooks.models import HookEvent, views
from handlers.hooks.templates import fill, variables
from handlers.hooks.voice.results import SKIPPED_EVENT, CallContext, VoiceEvent
from handlers.hooks.voice.rules import VoiceRules, e164

MESSAGE_TOO_LONG = "message_too_long"
NO_MESSAGE = "no_message"
#: Connect contact attribute the contact flow reads ($.Attributes.Message) and speaks.
MESSAGE_ATTRIBUTE = "Message"


@dataclass(frozen=True)
class CallRequest:
    """One call to place; the queue message body."""

    application_id: str
    campaign_id: str
    activity_id: str
    treatment_id: str
    endpoint_id: str
    destination: str
    message: str
    #: The local calling window is checked again when dialing (the queue may have waited).
    timezone: str | None

    @property
    def call_key(self) -> str:
        """campaign/activity/endpoint: the idempotency key of this call."""
        return "/".join((self.application_id, self.campaign_id, self.activity_id, self.endpoint_id))

    @property
    def client_token(self) -> str:
        """Connect's idempotency token for the same call (valid 7 days): derived, so a retry sends the same one."""
        return str(uuid.UUID(hashlib.sha256(self.call_key.encode()).hexdigest()[:32]))

    @property
    def context(self) -> CallContext:
        return CallContext(self.application_id, self.campaign_id, self.activity_id, self.treatment_id, self.endpoint_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CallRequest:
        return cls(**json.loads(text))


@dataclass
class Plan:
    calls: list[CallRequest]
    skipped: list[VoiceEvent]


def message_text(event: HookEvent) -> str | None:
    """The message to speak: ``Data`` as text, or its ``message`` field when ``Data`` is a JSON object."""
    data = event.data
    if data is None and event.message_configuration:
        data = (event.message_configuration.get("CustomMessage") or {}).get("Data")
    if not isinstance(data, str) or not data.strip():
        return None
    try:
        document = json.loads(data)
    except json.JSONDecodeError:
        return data
    if isinstance(document, dict) and isinstance(document.get("message"), str):
        return document["message"]
    return data if not isinstance(document, dict | list) else None


def plan_calls(event: HookEvent, rules: VoiceRules, now: datetime) -> Plan:
    """Call requests for the endpoints that may be called now; a ``skipped`` event for every other one."""
    template = message_text(event)
    scheduled = _scheduled(event, now)
    calls: list[CallRequest] = []
    skipped: list[VoiceEvent] = []
    for endpoint in views(event):
        context = CallContext(
            event.application_id, event.campaign_id, event.activity_id, event.treatment_id, endpoint.endpoint_id
        )
        reason = rules.skip_reason(endpoint, now)
        message = ""
        if reason is None and template is None:
            reason = NO_MESSAGE
        if reason is None:
            message = fill(template or "", variables(endpoint.definition, endpoint.endpoint_id), escape=False)
            size = len(json.dumps({MESSAGE_ATTRIBUTE: message}, ensure_ascii=False).encode())
            if size > CONNECT_ATTRIBUTES_MAX_BYTES:
                reason = MESSAGE_TOO_LONG
        if reason is not None:
            skipped.append(VoiceEvent(SKIPPED_EVENT, scheduled, context, {"reason": reason}))
            continue
        zone = rules.zone(endpoint)
        calls.append(
            CallRequest(
                event.application_id,
                event.campaign_id,
                event.activity_id,
                event.treatment_id,
                endpoint.endpoint_id,
                e164(endpoint.address) or "",
                message,
                zone.key if zone else None,
            )
        )
    return Plan(calls, skipped)


def enqueue(sqs: Any, queue_url: str, calls: list[CallRequest]) -> None:
    """Queue the calls, 10 per SendMessageBatch; raises if any message was not accepted (Pinpoint retries, the
    dialer's ledger makes the re-queued duplicates harmless)."""
    for start in range(0, len(calls), SQS_BATCH_MAX_MESSAGES):
        chunk = calls[start : start + SQS_BATCH_MAX_MESSAGES]
        entries = [{"Id": str(i), "MessageBody": call.to_json()} for i, call in enumerate(chunk)]
        failed = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed") or []
        if failed:
            codes = sorted({f.get("Code", "?") for f in failed})
            raise RuntimeError(f"SQS refused {len(failed)} call request(s): {', '.join(codes)}")


def _scheduled(event: HookEvent, now: datetime) -> datetime:
    if event.scheduled_time:
        try:
            return parse_iso(event.scheduled_time)
        except ValueError:
            pass
    return to_naive_utc(now)
