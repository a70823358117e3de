"""The dialer: call requests → Amazon Connect ``StartOutboundVoiceContact``, each at most once, paced.

Per request: check the calling window again (the queue may have waited) → claim the call in the ledger → wait for
a token of the pacer → dial with a ClientToken derived from the call key (Connect's own 7-day idempotency, a second
guard) → record ``placed`` or ``failed`` in the ledger and the lake. A request whose call is already claimed is
never dialed; its recorded outcome is written to the lake again with the same timestamps (so a crash between the
call and the lake write loses nothing, and the models keep one event). Throttling and the concurrent-call limit
release the claim and hand the request back to the queue (SQS partial batch failure), with every request after it
in the batch: they would meet the same limit.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from englake.errors import client_error_code
from handlers.hooks.voice.channel import MESSAGE_ATTRIBUTE, CallRequest
from handlers.hooks.voice.ledger import FAILED, PLACED, CallLedger
from handlers.hooks.voice.pacing import TokenBucket
from handlers.hooks.voice.results import FAILED_EVENT, PLACED_EVENT, SKIPPED_EVENT, VoiceEvent
from handlers.hooks.voice.rules import OUTSIDE_HOURS, VoiceRules

logger = logging.getLogger(__name__)

#: Connect errors that mean "not now": the request goes back to the queue.
RETRYABLE_ERRORS = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "LimitExceededException", "InternalServiceException"}
)


@dataclass(frozen=True)
class ConnectTarget:
    instance_id: str
    contact_flow_id: str
    queue_id: str | None = None
    #: Caller id; without it Connect uses the queue's outbound number (the reference set none).
    source_phone_number: str | None = None


@dataclass
class DialReport:
    counts: Counter[str] = field(default_factory=Counter)
    #: Requests to hand back to the queue (their ids, as given).
    retry: list[str] = field(default_factory=list)
    events: list[VoiceEvent] = field(default_factory=list)


def dial(
    requests: Sequence[tuple[str, CallRequest]],
    connect: Any,
    target: ConnectTarget,
    ledger: CallLedger,
    pacer: TokenBucket,
    rules: VoiceRules,
    now: Callable[[], datetime],
) -> DialReport:
    """Place each ``(id, request)`` at most once; ids of requests to retry are in ``report.retry``."""
    report = DialReport()
    backing_off = False
    for request_id, call in requests:
        if backing_off:
            report.retry.append(request_id)
            report.counts["deferred"] += 1
            continue
        moment = now()
        zone = _zone(call.timezone)
        if zone is None or not rules.within_hours(moment, zone):
            report.events.append(VoiceEvent(SKIPPED_EVENT, moment, call.context, {"reason": OUTSIDE_HOURS}))
            report.counts[OUTSIDE_HOURS] += 1
            continue
        # The pacer's wait comes before the claim: a Lambda timing out while it waits leaves no claim behind.
        pacer.acquire()
        existing = ledger.claim(call.call_key, call.client_token, moment)
        if existing is not None:
            report.counts["duplicate"] += 1
            if existing.status == PLACED and existing.contact_id and existing.decided_at:
                details = {"contact_id": existing.contact_id, "message_id": existing.contact_id}
                report.events.append(VoiceEvent(PLACED_EVENT, existing.decided_at, call.context, details))
            elif existing.status == FAILED and existing.decided_at:
                details = {"error_code": existing.error_code or ""}
                report.events.append(VoiceEvent(FAILED_EVENT, existing.decided_at, call.context, details))
            else:
                logger.warning("call %s is in doubt (claimed, never confirmed): not dialed again", call.client_token)
            continue
        try:
            response = connect.start_outbound_voice_contact(**_request(call, target))
        except EndpointConnectionError:
            # Connect was never reached: nobody was called, the request may go again.
            ledger.release(call.call_key)
            report.retry.append(request_id)
            report.counts["deferred"] += 1
            backing_off = True
            continue
        except BotoCoreError as error:
            # The request may have reached Connect (a read timeout): the call is in doubt and is not redialed.
            logger.error("call %s is in doubt after %s: not dialed again", call.client_token, type(error).__name__)
            report.counts["in_doubt"] += 1
            continue
        except ClientError as error:
            code = client_error_code(error)
            decided = now()
            if code in RETRYABLE_ERRORS:
                ledger.release(call.call_key)
                report.retry.append(request_id)
                report.counts["deferred"] += 1
                backing_off = True
                logger.warning("Connect said %s: backing off, %s handed back to the queue", code, request_id)
                continue
            ledger.failed(call.call_key, code, decided)
            report.events.append(VoiceEvent(FAILED_EVENT, decided, call.context, {"error_code": code}))
            report.counts["failed"] += 1
            continue
        decided = now()
        contact_id = response["ContactId"]
        ledger.placed(call.call_key, contact_id, decided)
        details = {"contact_id": contact_id, "message_id": contact_id}
        report.events.append(VoiceEvent(PLACED_EVENT, decided, call.context, details))
        report.counts["placed"] += 1
    logger.info("dialer: %s", dict(sorted(report.counts.items())))
    return report


def _request(call: CallRequest, target: ConnectTarget) -> dict[str, Any]:
    request: dict[str, Any] = {
        "DestinationPhoneNumber": call.destination,
        "ContactFlowId": target.contact_flow_id,
        "InstanceId": target.instance_id,
        "ClientToken": call.client_token,
        "Attributes": {MESSAGE_ATTRIBUTE: call.message},
    }
    if target.queue_id:
        request["QueueId"] = target.queue_id
    if target.source_phone_number:
        request["SourcePhoneNumber"] = target.source_phone_number
    return request


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None
