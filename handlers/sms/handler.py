"""Lambda entry points of the SMS operations (deploy/sms-ops.yaml).

- ``optout_handler``: SQS (subscribed to the two-way SNS topic) → ``optouts.process_inbound``; partial batch
  response, so a malformed or failing message fails alone and reaches the DLQ after the queue's maxReceiveCount.
- ``filedrop_handler``: S3 ``ObjectCreated`` (via SQS, so a failed file is retried and dead-lettered) →
  ``filedrop.intake_object``: validate rows, write rejects and the report, enqueue the rest.
- ``sender_handler``: SQS (FIFO, one message group per origination identity) → ``sender.send_rows``.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.aws import client as aws_client
from handlers.sms.config import SmsSettings
from handlers.sms.inbound import MalformedInbound, parse_inbound
from handlers.sms.optouts import OptOutOutcome, process_inbound
from handlers.timestamps import from_epoch_ms

logger = Logger(service="englake-sms")


@cache
def _settings() -> SmsSettings:
    return SmsSettings()


@cache
def _sms_client() -> Any:
    return aws_client("pinpoint-sms-voice-v2", _settings().aws_region)


@cache
def _optout_deps() -> dict[str, Any]:
    settings = _settings()
    return {
        "sms_client": _sms_client(),
        "ledger": settings.ledger(),
        "config": settings.opt_out_config(),
        "contacts": settings.contacts(),
    }


def _optout_record(record: SQSRecord, deps: dict[str, Any]) -> OptOutOutcome:
    ref = f"SQS message {record.message_id}"
    sent = record.attributes.sent_timestamp
    try:
        message = parse_inbound(record.body, ref, from_epoch_ms(sent) if sent else None)
    except MalformedInbound as error:
        logger.error("malformed inbound SMS", extra={"record": ref, "error": str(error)})
        raise
    return process_inbound(message, **deps)


@logger.inject_lambda_context(clear_state=True)
def optout_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Two-way SMS → SNS → SQS → opt-out / opt-in / help; returns the partial batch response."""
    processor = BatchProcessor(event_type=EventType.SQS)
    handler = partial(_optout_record, deps=_optout_deps())
    return process_partial_response(event=event, record_handler=handler, processor=processor, context=context)
