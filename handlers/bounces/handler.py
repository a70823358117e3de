"""Lambda entry points for bounce and complaint processing.

- ``lambda_handler``: SQS event source (``ReportBatchItemFailures``). The queue is subscribed to the SNS topic that
  receives SES identity feedback notifications *and* the SES configuration-set event destination, so one body may
  be an SNS envelope of either spelling (or the bare document, if raw message delivery is on).
- ``kinesis_handler``: a Kinesis Data Streams event source for the Pinpoint event stream (or an SES stream) in
  real time. Pinpoint allows one event stream per project; point it at a Kinesis stream and let the lake's Firehose
  read from that stream, so the lake and this handler share it. ``_email.hardbounce`` / ``softbounce`` /
  ``complaint`` records are processed; every other event type is acknowledged untouched.

Both report exactly the failed records (powertools ``BatchProcessor``), so one malformed message fails only itself
and, after the queue's ``maxReceiveCount``, moves to the dead-letter queue.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.aws import client as aws_client
from handlers.bounces.config import BounceSettings
from handlers.bounces.models import MalformedNotification
from handlers.bounces.policy import PolicyConfig
from handlers.bounces.process import Outcome, process_message
from handlers.bounces.store import AddressStore
from handlers.bounces.suppression import SuppressionList

logger = Logger(service="englake-bounces")


class Dependencies:
    """What a record handler needs; built once per Lambda container."""

    def __init__(self, store: AddressStore, suppression_list: SuppressionList | None, config: PolicyConfig) -> None:
        self.store = store
        self.suppression_list = suppression_list
        self.config = config


@cache
def dependencies() -> Dependencies:
    settings = BounceSettings()
    config = settings.policy()
    suppression_list = SuppressionList(aws_client("sesv2", settings.aws_region)) if config.mirror_to_ses else None
    return Dependencies(settings.store(), suppression_list, config)


def handle_body(body: str, message_ref: str, deps: Dependencies) -> list[Outcome]:
    """One record: parse, decide, store; a malformed body is logged with its message id and field, then raised."""
    try:
        return process_message(body, deps.store, deps.suppression_list, deps.config, message_ref)
    except MalformedNotification as error:
        logger.error("malformed notification", extra={"record": message_ref, "error": str(error)})
        raise


def _sqs_record(record: SQSRecord, deps: Dependencies) -> list[Outcome]:
    return handle_body(record.body, f"SQS message {record.message_id}", deps)


def _kinesis_record(record: KinesisStreamRecord, deps: Dependencies) -> list[Outcome]:
    ref = f"Kinesis record {record.kinesis.sequence_number}"
    try:
        body = record.kinesis.data_as_text()
    except UnicodeDecodeError as error:
        raise MalformedNotification(f"{ref}: data is not UTF-8 ({error})") from None
    return handle_body(body, ref, deps)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS → SES/Pinpoint feedback → suppression; returns the partial batch response."""
    processor = BatchProcessor(event_type=EventType.SQS)
    handler = partial(_sqs_record, deps=dependencies())
    return process_partial_response(event=event, record_handler=handler, processor=processor, context=context)


@logger.inject_lambda_context(clear_state=True)
def kinesis_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Kinesis Data Streams (Pinpoint event stream) → feedback → suppression; reports failed sequence numbers."""
    processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
    handler = partial(_kinesis_record, deps=dependencies())
    return process_partial_response(event=event, record_handler=handler, processor=processor, context=context)
