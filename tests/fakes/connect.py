"""A fake of Amazon Connect's outbound voice API, answering below a real boto3 ``connect`` client (see ``base.py``).

``StartOutboundVoiceContact`` (PUT /contact/outbound-voice) behaves as the API reference documents
(https://docs.aws.amazon.com/connect/latest/APIReference/API_StartOutboundVoiceContact.html):

- the instance, contact flow and queue must exist (``add_instance``), else ``ResourceNotFoundException`` (404);
- ``DestinationPhoneNumber`` must be E.164, else ``InvalidParameterException`` (400); numbers in
  ``blocked_destinations`` answer ``DestinationNotAllowedException`` (403);
- ``Attributes``: keys of letters, digits, ``-`` and ``_``; at most 32,768 UTF-8 bytes in all, else 400;
- ``ClientToken`` makes the request idempotent: the same token returns the same ContactId while the contact is
  live and within 7 days; a token whose contact has ended starts a *new* contact (as documented: "If the contact is
  disconnected, a new contact is started") — so the token alone cannot prevent a second call;
- the API is throttled at 2 requests per second with a burst of 5 (token bucket; ``ThrottlingException``, 429) and
  the instance allows 10 concurrent calls, each lasting ``call_seconds`` (``LimitExceededException``, 429). Pass
  ``clock`` to run both on a virtual clock.

``placed`` lists every *new* contact placed (destination, flow, attributes, token): the people who got a call.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tests.fakes.base import FakeServiceError, RestJsonFake

QUOTAS_URL = "https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html"
#: StartOutboundVoiceContact: 2 requests per second, burst 5 (QUOTAS_URL, API throttling).
RATE_PER_SECOND = 2.0
BURST = 5
#: Concurrent active calls per instance (QUOTAS_URL).
CONCURRENT_CALLS = 10
#: Contact attributes: 32,768 UTF-8 bytes in all (API reference).
MAX_ATTRIBUTE_BYTES = 32_768
#: ClientToken validity (API reference).
TOKEN_VALIDITY = timedelta(days=7)
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_ATTRIBUTE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class PlacedCall:
    contact_id: str
    destination: str
    contact_flow_id: str
    attributes: dict[str, str]
    client_token: str | None
    started: float
    source: str | None = None
    queue_id: str | None = None


@dataclass
class _Instance:
    flows: set[str] = field(default_factory=set)
    queues: set[str] = field(default_factory=set)


def _error(code: str, status: int, message: str) -> FakeServiceError:
    return FakeServiceError(code, message, status)


class ConnectFake(RestJsonFake):
    service_name = "connect"

    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        call_seconds: float = 60.0,
        rate: float = RATE_PER_SECOND,
        burst: int = BURST,
        concurrent_calls: int = CONCURRENT_CALLS,
    ) -> None:
        super().__init__()
        self.clock = clock or time.monotonic
        self.call_seconds = call_seconds
        self.rate = rate
        self.burst = float(burst)
        self.concurrent_calls = concurrent_calls
        self.instances: dict[str, _Instance] = {}
        self.blocked_destinations: set[str] = set()
        self.placed: list[PlacedCall] = []
        self.requests: list[dict[str, Any]] = []
        self.throttled = 0
        self._tokens = float(burst)
        self._last = self.clock()
        self._by_token: dict[str, PlacedCall] = {}

    def add_instance(self, instance_id: str, flows: list[str], queues: list[str] | None = None) -> None:
        self.instances[instance_id] = _Instance(set(flows), set(queues or []))

    def placed_to(self, destination: str) -> int:
        return sum(call.destination == destination for call in self.placed)

    def active_calls(self) -> int:
        now = self.clock()
        return sum(now - call.started < self.call_seconds for call in self.placed)

    def _take_token(self) -> None:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1:
            self.throttled += 1
            raise _error("ThrottlingException", 429, "Rate exceeded")
        self._tokens -= 1

    def StartOutboundVoiceContact(self, **params: Any) -> dict[str, Any]:
        self.requests.append(params)
        self._take_token()
        instance = self.instances.get(params["InstanceId"])
        if instance is None:
            raise _error("ResourceNotFoundException", 404, "Instance not found")
        if params["ContactFlowId"] not in instance.flows:
            raise _error("ResourceNotFoundException", 404, "Contact flow not found")
        if params.get("QueueId") and params["QueueId"] not in instance.queues:
            raise _error("ResourceNotFoundException", 404, "Queue not found")
        destination = params["DestinationPhoneNumber"]
        if not _E164.match(destination):
            raise _error("InvalidParameterException", 400, "DestinationPhoneNumber is not E.164")
        if destination in self.blocked_destinations:
            raise _error("DestinationNotAllowedException", 403, "Outbound calls to this destination are not allowed")
        attributes = params.get("Attributes") or {}
        if any(not _ATTRIBUTE_KEY.match(k) for k in attributes):
            raise _error("InvalidParameterException", 400, "Attribute keys may hold letters, digits, - and _")
        size = sum(len(k.encode()) + len(str(v).encode()) for k, v in attributes.items())
        if size > MAX_ATTRIBUTE_BYTES:
            raise _error(
                "InvalidParameterException", 400, f"Attributes are {size} bytes; at most {MAX_ATTRIBUTE_BYTES}"
            )
        token = params.get("ClientToken")
        now = self.clock()
        if token and token in self._by_token:
            previous = self._by_token[token]
            live = now - previous.started < self.call_seconds
            if live and now - previous.started < TOKEN_VALIDITY.total_seconds():
                return {"ContactId": previous.contact_id}
        if self.active_calls() >= self.concurrent_calls:
            raise _error("LimitExceededException", 429, "Concurrent call limit of the instance reached")
        call = PlacedCall(
            str(uuid.uuid4()),
            destination,
            params["ContactFlowId"],
            dict(attributes),
            token,
            now,
            params.get("SourcePhoneNumber"),
            params.get("QueueId"),
        )
        self.placed.append(call)
        if token:
            self._by_token[token] = call
        return {"ContactId": call.contact_id}

    def describe(self) -> str:
        return json.dumps({"placed": len(self.placed), "throttled": self.throttled})
