"""Lambda entry points: event-driven endpoint attributes.

- ``kinesis_handler``: the Pinpoint event stream (Kinesis Data Streams).
- ``sqs_handler``: SES / End User Messaging events delivered through SNS → SQS or EventBridge → SQS.

Each batch is applied as a whole (events deduplicated, one read and one write per endpoint, UpdateEndpointsBatch
≤ 100 items), then the partial batch response names exactly the records that failed: a record that can't be read,
or one whose endpoint's write failed after botocore's retries (throttling included). Re-applying a record is
harmless: merging keeps the latest event per value.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.aws import client as aws_client
from englake.errors import ConfigError
from handlers.event_attributes.events import ActivityEvent, MalformedEvent, parse_event
from handlers.event_attributes.ledger import DEFAULT_VERIFY_AFTER_SECONDS, LedgerStore
from handlers.event_attributes.process import BatchResult, apply_events
from handlers.event_attributes.rules import load_rules
from handlers.event_attributes.stores import AttributeStore, PinpointAttributes, ProfileAttributes

logger = Logger(service="englake-event-attributes")


@cache
def store() -> AttributeStore:
    """``ENGLAKE_ATTRIBUTES_DESTINATION``: ``pinpoint`` (default) or ``customer-profiles`` (with
    ``ENGLAKE_ATTRIBUTES_PROFILES_DOMAIN``), behind the DynamoDB ledger ``ENGLAKE_ATTRIBUTES_LEDGER_TABLE`` if set."""
    region = os.environ.get("ENGLAKE_AWS_REGION")
    destination = _destination(region)
    table = os.environ.get("ENGLAKE_ATTRIBUTES_LEDGER_TABLE")
    if not table:
        return destination
    verify_after = float(os.environ.get("ENGLAKE_ATTRIBUTES_VERIFY_AFTER_SECONDS", DEFAULT_VERIFY_AFTER_SECONDS))
    return LedgerStore(destination, aws_client("dynamodb", region), table, verify_after=verify_after)


def _destination(region: str | None) -> AttributeStore:
    destination = os.environ.get("ENGLAKE_ATTRIBUTES_DESTINATION", "pinpoint")
    if destination == "pinpoint":
        return PinpointAttributes(aws_client("pinpoint", region))
    if destination == "customer-profiles":
        domain = os.environ.get("ENGLAKE_ATTRIBUTES_PROFILES_DOMAIN")
        if not domain:
            raise ConfigError("ENGLAKE_ATTRIBUTES_PROFILES_DOMAIN is not set")
        return ProfileAttributes(aws_client("customer-profiles", region), domain)
    raise ConfigError(f"ENGLAKE_ATTRIBUTES_DESTINATION {destination!r}: use pinpoint or customer-profiles")


def handle_records(
    records: list[tuple[str, Callable[[], bytes | str]]],
    attribute_store: AttributeStore,
    now: datetime,
    default_application_id: str | None = None,
) -> tuple[BatchResult, list[str]]:
    """(record id, body reader) pairs → the batch result and the ids of the records that failed."""
    failed: list[str] = []
    parsed: list[tuple[str, ActivityEvent]] = []
    for record_id, read in records:
        try:
            parsed.append((record_id, parse_event(read(), record_id)))
        except MalformedEvent as error:
            logger.error("malformed record", extra={"record": record_id, "error": str(error)})
            failed.append(record_id)
    result = apply_events((event for _, event in parsed), load_rules(), attribute_store, now, default_application_id)
    for record_id, event in parsed:
        key = (event.application_id or default_application_id or "", event.endpoint_id or "")
        if key in result.failed:
            failed.append(record_id)
    logger.info(
        "attributes batch",
        extra={
            "events": result.events,
            "matched": result.matched,
            "written": result.written,
            "unchanged": result.unchanged,
            "skipped": dict(result.skipped),
            "failed_records": len(failed),
        },
    )
    return result, failed


@logger.inject_lambda_context(clear_state=True)
def kinesis_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Kinesis batch (Pinpoint event stream) → attributes; partial batch response by sequence number."""
    records = [
        (r["kinesis"]["sequenceNumber"], lambda r=r: base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]
    ]
    _, failed = handle_records(records, store(), datetime.now(UTC), os.environ.get("ENGLAKE_ATTRIBUTES_APPLICATION_ID"))
    return {"batchItemFailures": [{"itemIdentifier": record_id} for record_id in failed]}


@logger.inject_lambda_context(clear_state=True)
def sqs_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS batch (SES / End User Messaging events via SNS or EventBridge) → attributes; partial batch response."""
    records = [(r["messageId"], lambda r=r: r["body"]) for r in event["Records"]]
    _, failed = handle_records(records, store(), datetime.now(UTC), os.environ.get("ENGLAKE_ATTRIBUTES_APPLICATION_ID"))
    return {"batchItemFailures": [{"itemIdentifier": record_id} for record_id in failed]}
