"""The file-drop sender as one plain function: queued rows in; each sent at most once, paced per origination
identity, its outcome recorded; the file's report completed when its last row is done.

For each row: claim ``(FILE#<etag>, ROW#<n>)`` in the ledger (a conditional put: one sender wins, however often the
row was queued), wait for the identity's MPS pacer (parts per second), ``SendTextMessage`` with the configuration
set, ``Context`` {campaign_id, row_id, the file's context columns}, ``MaxPrice`` and ``TimeToLive``. Throttling is
retried here with exponential backoff, through the pacer (which then starts empty); if it persists the claim is
released and the row is retried by SQS.
A refusal for this message (opted out, invalid number, blocked, over MaxPrice) is recorded as ``failed`` with the
service's reason and is final. A row claimed by a sender that crashed before recording the outcome is not sent again
(it may have gone): the report counts it as ``unknown``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from englake.errors import client_error_code
from handlers.phone_validation.normalize import mask
from handlers.sms.ledger import Ledger
from handlers.sms.pacing import Pacer, documented_mps
from handlers.sms.report import FILE_SK, ReportLocation, build_report, file_pk, row_sk, write_report
from handlers.sms.rows import SendRow

log = logging.getLogger(__name__)

#: Errors that are the service's final answer about this message, not about the request rate.
_FINAL_ERRORS = {"ConflictException", "ValidationException", "ResourceNotFoundException", "AccessDeniedException"}
_THROTTLING = {"ThrottlingException", "TooManyRequestsException"}
#: Attempts per row on throttling (the send client has no SDK retries, so pacing sees every attempt), and the
#: exponential backoff between them (full jitter would make the benchmark's virtual clock irreproducible).
THROTTLE_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 20.0


@dataclass(frozen=True)
class SendOptions:
    configuration_set: str | None = None
    max_price: str | None = None
    time_to_live: int | None = None


@dataclass(frozen=True)
class SendOutcome:
    row: SendRow
    status: str  # "sent", "failed", "duplicate", "retry"
    message_id: str | None = None
    reason: str | None = None


class RetryLater(RuntimeError):
    """The row could not be sent now (throttled after retries, or a service error): SQS should retry it."""


def identity_rates(sms_client: Any) -> Callable[[str], float]:
    """A ``rate_for(identity)``: the documented MPS of the account's number with that phone number, id or ARN
    (DescribePhoneNumbers, every page, read once); anything else (a sender ID, a pool) the conservative default."""
    numbers: dict[str, dict[str, Any]] | None = None

    def rate_for(identity: str) -> float:
        nonlocal numbers
        if numbers is None:
            numbers = {}
            kwargs: dict[str, Any] = {}
            while True:
                page = sms_client.describe_phone_numbers(**kwargs)
                for number in page.get("PhoneNumbers", []):
                    for key in ("PhoneNumber", "PhoneNumberId", "PhoneNumberArn"):
                        numbers[number[key]] = number
                if not page.get("NextToken"):
                    break
                kwargs["NextToken"] = page["NextToken"]
        number = numbers.get(identity, {})
        return documented_mps(number.get("NumberType"), number.get("IsoCountryCode"))

    return rate_for


def send_rows(
    rows: Iterable[SendRow],
    *,
    sms_client: Any,
    ledger: Ledger,
    pacer: Pacer,
    options: SendOptions,
    s3: Any | None = None,
) -> list[SendOutcome]:
    """Send each row at most once; raises ``RetryLater`` from the first row that must be retried (rows before it
    are done and recorded, so a retried batch resumes there)."""
    outcomes = []
    for row in rows:
        outcome = send_row(row, sms_client=sms_client, ledger=ledger, pacer=pacer, options=options)
        outcomes.append(outcome)
        if outcome.status in ("sent", "failed"):
            _count_done(ledger, row, s3)
    return outcomes


def send_row(row: SendRow, *, sms_client: Any, ledger: Ledger, pacer: Pacer, options: SendOptions) -> SendOutcome:
    pk, sk = file_pk(row.file_id), row_sk(row.row)
    claim = {"row": row.row, "status": "sending", "destination": mask(row.destination)}
    if not ledger.put_if_absent(pk, sk, claim):
        existing = ledger.get(pk, sk) or {}
        if existing.get("status") != "retry" or not ledger.replace(pk, sk, claim, existing.get("version")):
            return SendOutcome(row, "duplicate", reason=str(existing.get("status")))
    request: dict[str, Any] = {
        "DestinationPhoneNumber": row.destination,
        "OriginationIdentity": row.origination,
        "MessageBody": row.body,
        "MessageType": row.message_type,
        "Context": {
            **row.context,
            **({"campaign_id": row.campaign_id} if row.campaign_id else {}),
            "row_id": row.row_id,
        },
    }
    if options.configuration_set:
        request["ConfigurationSetName"] = options.configuration_set
    if options.max_price:
        request["MaxPrice"] = options.max_price
    if options.time_to_live:
        request["TimeToLive"] = options.time_to_live
    try:
        message_id = _send(sms_client, pacer, row, request)
    except ClientError as error:
        code = client_error_code(error)
        reason = error.response.get("Reason") or code
        if code in _FINAL_ERRORS:
            _record(ledger, pk, sk, {**claim, "status": "failed", "reason": reason, "error": code})
            log.info("row %s to %s refused: %s", row.row_id, mask(row.destination), reason)
            return SendOutcome(row, "failed", reason=reason)
        _record(ledger, pk, sk, {**claim, "status": "retry", "error": code})
        raise RetryLater(
            f"row {row.row_id}: {code} after retries ({'throttled' if code in _THROTTLING else 'error'})"
        ) from None
    except BotoCoreError as error:
        _record(ledger, pk, sk, {**claim, "status": "retry", "error": type(error).__name__})
        raise RetryLater(f"row {row.row_id}: {type(error).__name__}") from None
    _record(ledger, pk, sk, {**claim, "status": "sent", "message_id": message_id})
    return SendOutcome(row, "sent", message_id=message_id)


def _send(sms_client: Any, pacer: Pacer, row: SendRow, request: dict[str, Any]) -> str:
    """SendTextMessage paced by the identity's bucket; throttling is retried here with exponential backoff."""
    for attempt in range(THROTTLE_ATTEMPTS):
        pacer.acquire(row.origination, row.parts)
        try:
            return sms_client.send_text_message(**request)["MessageId"]
        except ClientError as error:
            if client_error_code(error) not in _THROTTLING or attempt == THROTTLE_ATTEMPTS - 1:
                raise
            pacer.bucket(row.origination).throttled()
            pacer.wait(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))
    raise AssertionError("unreachable")


def send_client(region: str | None = None) -> Any:
    """A pinpoint-sms-voice-v2 client for sending: one attempt per call; the sender retries throttling itself
    (paced), and a network or service error returns the row to the queue."""
    from botocore.config import Config

    from englake.aws import client

    return client("pinpoint-sms-voice-v2", region, Config(retries={"mode": "standard", "total_max_attempts": 1}))


def _record(ledger: Ledger, pk: str, sk: str, item: dict[str, Any]) -> None:
    current = ledger.get(pk, sk)
    ledger.replace(pk, sk, item, current.get("version") if current else None)


def _count_done(ledger: Ledger, row: SendRow, s3: Any | None) -> None:
    """Count the row as done; the sender that finishes the file's last row writes the final report."""
    done = ledger.add(file_pk(row.file_id), "DONE", "rows", 1)
    intake = ledger.get(file_pk(row.file_id), FILE_SK) or {}
    if s3 is not None and row.report and intake.get("status") == "queued" and done >= int(intake.get("accepted", 0)):
        write_report(s3, ReportLocation(*row.report), build_report(ledger, row.file_id))
