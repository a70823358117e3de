"""Lambda entry points of the SMS operations (deploy/sms-ops.yaml).

- ``optout_handler``: SQS (subscribed to the two-way SNS topic) → ``optouts.process_inbound``; partial batch
  response, so a malformed or failing message fails alone and reaches the DLQ after the queue's maxReceiveCount.
- ``filedrop_handler``: S3 ``ObjectCreated`` (via SQS, so a failed file is retried and dead-lettered) →
  ``filedrop.intake_object``: validate rows, write rejects and the report, enqueue the rest.
- ``sender_handler``: SQS (FIFO, one message group per origination identity) → ``sender.send_rows``.
"""

from __future__ import annotations

import json
from functools import cache, partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.aws import client as aws_client
from englake.errors import ConfigError, InputError
from englake.timestamps import from_epoch_ms
from handlers.sms.config import SmsSettings
from handlers.sms.filedrop import IntakeResult, SqsRowQueue, intake_object, objects_from_event
from handlers.sms.inbound import MalformedInbound, parse_inbound
from handlers.sms.optouts import OptOutOutcome, process_inbound
from handlers.sms.pacing import Pacer
from handlers.sms.rows import SendRow
from handlers.sms.sender import SendOptions, SendOutcome, identity_rates, send_client, send_rows

logger = Logger(service="englake-sms")


@cache
def _settings() -> SmsSettings:
    return SmsSettings()


@cache
def _sms_client() -> Any:
    return aws_client("pinpoint-sms-voice-v2", _settings().aws_region)


@cache
def _send_client() -> Any:
    return send_client(_settings().aws_region)


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
    return _batch(event, context, partial(_optout_record, deps=_optout_deps()))


def _batch(event: dict[str, Any], context: LambdaContext, handler: Any, processor: Any = None) -> dict[str, Any]:
    """Each SQS record through ``handler``; the failed ones reported (partial batch response)."""
    processor = processor or BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=handler, processor=processor, context=context)


@cache
def _s3_client() -> Any:
    return aws_client("s3", _settings().aws_region)


@cache
def _filedrop_deps() -> dict[str, Any]:
    settings = _settings()
    if not settings.queue_url:
        raise ConfigError("ENGLAKE_SMS_QUEUE_URL is not set: the file-drop intake needs the send queue")
    return {
        "s3": _s3_client(),
        "queue": SqsRowQueue(aws_client("sqs", settings.aws_region), settings.queue_url),
        "ledger": settings.ledger(),
        "report_prefix": settings.report_prefix,
        "default_origination": settings.origination_identity,
        "assume_us": settings.assume_us,
    }


def _filedrop_record(record: SQSRecord, deps: dict[str, Any]) -> list[IntakeResult]:
    ref = f"SQS message {record.message_id}"
    try:
        event = json.loads(record.body)
        objects = objects_from_event(event, ref)
    except (json.JSONDecodeError, InputError) as error:
        logger.error("not an S3 event", extra={"record": ref, "error": str(error)})
        raise InputError(f"{ref}: not an S3 event notification") from None
    results = []
    for obj in objects:
        try:
            results.append(intake_object(obj, **deps))
        except InputError as error:
            # The file itself is unusable (empty, binary, no required header): its report says why; retrying the
            # same bytes cannot help, so the message is not failed back to the queue.
            logger.error("file rejected", extra={"record": ref, "error": str(error)})
    return results


@logger.inject_lambda_context(clear_state=True)
def filedrop_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """S3 ObjectCreated → SQS → validate, queue rows, write rejects and report; partial batch response."""
    return _batch(event, context, partial(_filedrop_record, deps=_filedrop_deps()))


@cache
def _sender_deps() -> dict[str, Any]:
    settings = _settings()
    client = _send_client()
    return {
        "sms_client": client,
        "ledger": settings.ledger(),
        # One pacer per container: the FIFO queue gives each origination identity one message group, so one
        # batch per identity is in flight at a time and this bucket paces that identity.
        "pacer": Pacer(identity_rates(client), overrides=settings.mps()),
        "options": SendOptions(settings.configuration_set, settings.max_price, settings.time_to_live),
        "s3": _s3_client(),
    }


def _sender_record(record: SQSRecord, deps: dict[str, Any]) -> SendOutcome:
    ref = f"SQS message {record.message_id}"
    try:
        row = SendRow.from_json(json.loads(record.body))
    except (json.JSONDecodeError, TypeError) as error:
        logger.error("not a queued row", extra={"record": ref, "error": str(error)})
        raise InputError(f"{ref}: not a queued SMS row") from None
    return send_rows([row], **deps)[0]


@logger.inject_lambda_context(clear_state=True)
def sender_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Queued rows → SendTextMessage, paced per origination identity; partial batch response (FIFO: after a failed
    row the rest of the batch is returned to the queue, in order)."""
    return _batch(event, context, partial(_sender_record, deps=_sender_deps()), SqsFifoPartialProcessor())
