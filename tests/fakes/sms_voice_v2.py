"""A fake of AWS End User Messaging SMS (``pinpoint-sms-voice-v2``, JSON 1.0 protocol) below a real boto3 client.

What it does, as the service documents (event-formats.md §3; the API reference for each operation):

- Origination numbers (``add_phone_number``) with their ``NumberType`` and opt-out list; ``DescribePhoneNumbers``.
- Opt-out lists: ``CreateOptOutList``, ``PutOptedOutNumber`` (idempotent; ``EndUserOptedOut`` false, as for any
  number we put), ``DeleteOptedOutNumber`` (``ResourceNotFoundException`` for a number not on the list),
  ``DescribeOptedOutNumbers`` (paginated, ≤ 100 per page).
- ``SendTextMessage``: checks what botocore does not (E.164 destination, ≤ 1,600 characters, ≤ 5 ``Context``
  entries, ``MessageType`` enum, ``TimeToLive`` range), answers ``ConflictException`` DESTINATION_PHONE_NUMBER_OPTED_OUT
  for a number on the identity's opt-out list, ``ValidationException`` PRICE_OVER_THRESHOLD when the message would
  cost more than ``MaxPrice``, ``ResourceNotFoundException`` for an unknown identity, and ``ThrottlingException``
  when an identity sends faster than its documented MPS (message parts per second, token bucket with burst = one
  second, on ``clock``) — the sender's pacing is tested against this.
- Every accepted message produces End User Messaging SMS events in the documented format (``TEXT_PENDING``, not
  final, then the final status: ``TEXT_DELIVERED`` or one set with ``set_outcome``), with the send's ``context``,
  ready to be landed in the lake.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.sms.encoding import MAX_BODY_CHARS, body_encoding
from handlers.sms.pacing import documented_mps
from tests.fakes.base import FakeServiceError, RestJsonFake

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
#: Entries in SendTextMessage ``Context`` (service model: map max 5).
MAX_CONTEXT_ENTRIES = 5
#: Price per message part the fake charges (USD), to exercise MaxPrice.
PRICE_PER_PART = 0.00581
#: Final statuses the fake can give: event type → (messageStatus, description).
FINAL_STATUSES = {
    "TEXT_DELIVERED": ("DELIVERED", "Message has been accepted by phone"),
    "TEXT_SUCCESSFUL": ("SUCCESSFUL", "Message has been accepted by phone carrier"),
    "TEXT_CARRIER_UNREACHABLE": ("CARRIER_UNREACHABLE", "Phone carrier is currently unreachable/unavailable"),
    "TEXT_BLOCKED": ("BLOCKED", "Phone is currently blocked/unavailable"),
    "TEXT_INVALID": ("INVALID", "Destination phone number is invalid"),
}


def validation(message: str, reason: str) -> FakeServiceError:
    return FakeServiceError("ValidationException", message, 400, {"Reason": reason})


def conflict(message: str, reason: str, resource_type: str, resource_id: str) -> FakeServiceError:
    fields = {"Reason": reason, "ResourceType": resource_type, "ResourceId": resource_id}
    return FakeServiceError("ConflictException", message, 400, fields)


def not_found(message: str, resource_type: str, resource_id: str) -> FakeServiceError:
    return FakeServiceError(
        "ResourceNotFoundException", message, 400, {"ResourceType": resource_type, "ResourceId": resource_id}
    )


@dataclass
class SentMessage:
    message_id: str
    params: dict[str, Any]
    origination: str
    parts: int
    encoding: str
    at: float  # clock time of acceptance


@dataclass
class _OptOutList:
    name: str
    created: float
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)


class SmsVoiceV2Fake(RestJsonFake):
    """End User Messaging SMS; attach to ``boto3.client("pinpoint-sms-voice-v2")``."""

    service_name = "pinpoint-sms-voice-v2"

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        now_ms: Callable[[], int] | None = None,
        enforce_mps: bool = True,
        account: str = "123456789012",
        region: str = "us-east-1",
    ) -> None:
        """``clock`` paces MPS (virtual in benchmarks); ``now_ms`` stamps events (wall time by default)."""
        super().__init__()
        self.clock = clock or time.monotonic
        self.now_ms = now_ms or (lambda: int(time.time() * 1000))
        self.enforce_mps = enforce_mps
        self.account = account
        self.region = region
        self.numbers: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, _OptOutList] = {"Default": _OptOutList("Default", time.time())}
        self.sent: list[SentMessage] = []
        self.events: list[dict[str, Any]] = []
        self.outcomes: dict[str, str] = {}
        self._buckets: dict[str, _ThrottleBucket] = {}

    # -- ground truth -------------------------------------------------------------------------------------------

    def add_phone_number(
        self,
        number: str,
        number_type: str = "LONG_CODE",
        *,
        iso_country: str = "US",
        opt_out_list: str = "Default",
        self_managed_opt_outs: bool = True,
        two_way: bool = True,
    ) -> str:
        """Register an origination number; returns its PhoneNumberId."""
        number_id = f"phone-{uuid.uuid4().hex}"
        self.numbers[number] = {
            "PhoneNumberArn": f"arn:aws:sms-voice:{self.region}:{self.account}:phone-number/{number_id}",
            "PhoneNumberId": number_id,
            "PhoneNumber": number,
            "Status": "ACTIVE",
            "IsoCountryCode": iso_country,
            "MessageType": "TRANSACTIONAL",
            "NumberCapabilities": ["SMS"],
            "NumberType": number_type,
            "MonthlyLeasingPrice": "1.00",
            "TwoWayEnabled": two_way,
            "SelfManagedOptOutsEnabled": self_managed_opt_outs,
            "OptOutListName": opt_out_list,
            "DeletionProtectionEnabled": False,
            "CreatedTimestamp": time.time(),
        }
        self.lists.setdefault(opt_out_list, _OptOutList(opt_out_list, time.time()))
        return number_id

    def set_outcome(self, destination: str, event_type: str) -> None:
        """The final status messages to ``destination`` will get."""
        if event_type not in FINAL_STATUSES:
            raise ValueError(f"unknown final status {event_type}")
        self.outcomes[destination] = event_type

    def opted_out(self, list_name: str = "Default") -> set[str]:
        return set(self.lists[list_name].numbers)

    # -- operations ---------------------------------------------------------------------------------------------

    def CreateOptOutList(self, OptOutListName: str, Tags: list | None = None, ClientToken: str | None = None) -> dict:
        if OptOutListName in self.lists:
            raise conflict(f"{OptOutListName} exists", "RESOURCE_ALREADY_EXISTS", "opt-out-list", OptOutListName)
        created = self.lists[OptOutListName] = _OptOutList(OptOutListName, time.time())
        return {**self._list_ids(created), "Tags": Tags or [], "CreatedTimestamp": created.created}

    def PutOptedOutNumber(self, OptOutListName: str, OptedOutNumber: str) -> dict:
        opt_out_list = self._list(OptOutListName)
        self._check_e164(OptedOutNumber, "OptedOutNumber")
        entry = opt_out_list.numbers.setdefault(
            OptedOutNumber, {"OptedOutTimestamp": time.time(), "EndUserOptedOut": False}
        )
        return {**self._list_ids(opt_out_list), "OptedOutNumber": OptedOutNumber, **entry}

    def DeleteOptedOutNumber(self, OptOutListName: str, OptedOutNumber: str) -> dict:
        opt_out_list = self._list(OptOutListName)
        entry = opt_out_list.numbers.pop(OptedOutNumber, None)
        if entry is None:
            raise not_found(f"{OptedOutNumber} is not on {OptOutListName}", "opted-out-number", OptedOutNumber)
        return {**self._list_ids(opt_out_list), "OptedOutNumber": OptedOutNumber, **entry}

    def DescribeOptedOutNumbers(
        self,
        OptOutListName: str,
        OptedOutNumbers: list[str] | None = None,
        Filters: list[dict[str, Any]] | None = None,
        NextToken: str | None = None,
        MaxResults: int | None = None,
    ) -> dict:
        opt_out_list = self._list(OptOutListName)
        if OptedOutNumbers:
            missing = [n for n in OptedOutNumbers if n not in opt_out_list.numbers]
            if missing:
                raise not_found(f"{len(missing)} numbers are not on {OptOutListName}", "opted-out-number", missing[0])
        rows = [
            {"OptedOutNumber": number, **entry}
            for number, entry in sorted(opt_out_list.numbers.items())
            if not OptedOutNumbers or number in OptedOutNumbers
        ]
        for flt in Filters or []:
            if flt["Name"] == "end-user-opted-out":
                wanted = {v.lower() == "true" for v in flt["Values"]}
                rows = [r for r in rows if r["EndUserOptedOut"] in wanted]
        start = int(NextToken or 0)
        size = MaxResults or 100
        page = rows[start : start + size]
        output = {**self._list_ids(opt_out_list), "OptedOutNumbers": page}
        if start + size < len(rows):
            output["NextToken"] = str(start + size)
        return output

    def DescribePhoneNumbers(
        self,
        PhoneNumberIds: list[str] | None = None,
        Filters: list | None = None,
        NextToken: str | None = None,
        MaxResults: int | None = None,
        Owner: str | None = None,
    ) -> dict:
        rows = list(self.numbers.values())
        if PhoneNumberIds:
            rows = []
            for wanted in PhoneNumberIds:
                row = self._number(wanted)
                if row is None:
                    raise not_found(f"no phone number {wanted}", "phone-number", wanted)
                rows.append(row)
        return {"PhoneNumbers": rows}

    def SendTextMessage(self, DestinationPhoneNumber: str, **params: Any) -> dict:
        self._check_e164(DestinationPhoneNumber, "DestinationPhoneNumber")
        body = params.get("MessageBody", "")
        if len(body) > MAX_BODY_CHARS:
            raise validation(f"MessageBody is longer than {MAX_BODY_CHARS} characters", "MAXIMUM_SIZE_EXCEEDED")
        if len(params.get("Context") or {}) > MAX_CONTEXT_ENTRIES:
            raise validation(f"Context holds at most {MAX_CONTEXT_ENTRIES} entries", "FIELD_VALIDATION_FAILED")
        if params.get("MessageType", "TRANSACTIONAL") not in ("TRANSACTIONAL", "PROMOTIONAL"):
            raise validation("MessageType must be TRANSACTIONAL or PROMOTIONAL", "FIELD_VALIDATION_FAILED")
        ttl = params.get("TimeToLive")
        if ttl is not None and not 5 <= ttl <= 259200:
            raise validation("TimeToLive must be 5–259200 seconds", "FIELD_VALIDATION_FAILED")
        identity = params.get("OriginationIdentity")
        number = self._number(identity) if identity else next(iter(self.numbers.values()), None)
        if number is None:
            raise not_found(f"no origination identity {identity}", "phone-number", identity or "")
        encoding = body_encoding(body)
        if self.enforce_mps:
            bucket = self._buckets.get(number["PhoneNumber"])
            if bucket is None:
                mps = documented_mps(number["NumberType"], number["IsoCountryCode"])
                bucket = self._buckets[number["PhoneNumber"]] = _ThrottleBucket(mps, self.clock)
            if not bucket.take(encoding.parts):
                raise FakeServiceError("ThrottlingException", "Rate exceeded for the origination identity", 400)
        if DestinationPhoneNumber in self.lists[number["OptOutListName"]].numbers:
            raise conflict(
                "the destination phone number is opted out",
                "DESTINATION_PHONE_NUMBER_OPTED_OUT",
                "opted-out-number",
                DestinationPhoneNumber,
            )
        price = round(PRICE_PER_PART * encoding.parts, 5)
        if params.get("MaxPrice") is not None and price > float(params["MaxPrice"]):
            raise validation(f"message price {price} is over MaxPrice {params['MaxPrice']}", "PRICE_OVER_THRESHOLD")
        message_id = str(uuid.uuid4())
        sent = SentMessage(
            message_id,
            {"DestinationPhoneNumber": DestinationPhoneNumber, **params},
            number["PhoneNumber"],
            encoding.parts,
            encoding.encoding,
            self.clock(),
        )
        self.sent.append(sent)
        self._emit(sent, price)
        return {"MessageId": message_id}

    # -- internals ----------------------------------------------------------------------------------------------

    def _emit(self, sent: SentMessage, price: float) -> None:
        requested = self.now_ms()
        final = self.outcomes.get(sent.params["DestinationPhoneNumber"], "TEXT_DELIVERED")
        base = {
            "eventVersion": "1.0",
            "originationPhoneNumber": sent.origination,
            "destinationPhoneNumber": sent.params["DestinationPhoneNumber"],
            "isInternationalSend": False,
            "isoCountryCode": "US",
            "mcc": "310",
            "mnc": "800",
            "messageId": sent.message_id,
            "messageRequestTimestamp": requested,
            "messageEncoding": "GSM" if sent.encoding == "GSM" else "Unicode",
            "messageType": sent.params.get("MessageType", "TRANSACTIONAL"),
            "context": dict(sent.params.get("Context") or {}),
            "totalMessageParts": sent.parts,
        }
        self.events.append(
            {
                "eventType": "TEXT_PENDING",
                **base,
                "eventTimestamp": requested + 150,
                "isFinal": False,
                "messageStatus": "PENDING",
                "messageStatusDescription": "Message is pending delivery",
                "totalMessagePrice": price,
                "totalCarrierFee": 0.0,
            }
        )
        status, description = FINAL_STATUSES[final]
        self.events.append(
            {
                "eventType": final,
                **base,
                "eventTimestamp": requested + 2300,
                "isFinal": True,
                "messageStatus": status,
                "messageStatusDescription": description,
                "totalMessagePrice": price,
                "totalCarrierFee": 0.0,
            }
        )

    def _number(self, identity: str) -> dict[str, Any] | None:
        for row in self.numbers.values():
            if identity in (row["PhoneNumber"], row["PhoneNumberId"], row["PhoneNumberArn"]):
                return row
        return None

    def _list(self, name: str) -> _OptOutList:
        for opt_out_list in self.lists.values():
            if name in (opt_out_list.name, self._list_ids(opt_out_list)["OptOutListArn"]):
                return opt_out_list
        raise not_found(f"no opt-out list {name}", "opt-out-list", name)

    def _list_ids(self, opt_out_list: _OptOutList) -> dict[str, str]:
        arn = f"arn:aws:sms-voice:{self.region}:{self.account}:opt-out-list/{opt_out_list.name}"
        return {"OptOutListArn": arn, "OptOutListName": opt_out_list.name}

    @staticmethod
    def _check_e164(number: str, field_name: str) -> None:
        if not _E164.match(number or ""):
            raise validation(f"{field_name} is not an E.164 phone number", "INVALID_PARAMETER")


class _ThrottleBucket:
    """The service side of MPS: a message of n parts is accepted when min(n, burst) tokens are there."""

    def __init__(self, mps: float, clock: Callable[[], float]) -> None:
        self.mps = mps
        self.capacity = max(1.0, mps)
        self.clock = clock
        self.tokens = self.capacity
        self.updated = clock()

    def take(self, parts: int) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.mps)
        self.updated = now
        # A little slack for float rounding between the client's and the service's clocks.
        if self.tokens + 1e-6 < min(parts, self.capacity):
            return False
        self.tokens -= parts
        return True
