"""Lambda entry point of the archiver: SQS (``ReportBatchItemFailures``) → render → S3.

One poison message fails only itself and, after the queue's ``maxReceiveCount``, moves to the dead-letter queue;
throttled Pinpoint calls raise, so their message is retried instead of being deleted unarchived (reference defect).
The queue is filled by ``handlers.archiver.queuer``.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.aws import client as aws_client
from englake.errors import InputError
from handlers.archiver.process import ArchiveSettings, archive_body
from handlers.archiver.store import ArchiveStore

logger = Logger(service="englake-archiver")


class ArchiverEnv(BaseSettings):
    """``ENGLAKE_ARCHIVE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_ARCHIVE_", extra="ignore")

    bucket: str
    prefix: str = "archive"
    ses_endpoint_tag: str = "endpoint_id"
    region: str | None = None


class Dependencies:
    def __init__(self, pinpoint: Any, store: ArchiveStore, settings: ArchiveSettings) -> None:
        self.pinpoint = pinpoint
        self.store = store
        self.settings = settings


@cache
def dependencies() -> Dependencies:
    env = ArchiverEnv()
    store = ArchiveStore(aws_client("s3", env.region), env.bucket, env.prefix)
    return Dependencies(aws_client("pinpoint", env.region), store, ArchiveSettings(env.prefix, env.ses_endpoint_tag))


def _record(record: SQSRecord, deps: Dependencies) -> list[str]:
    ref = f"SQS message {record.message_id}"
    try:
        return archive_body(record.body, deps.pinpoint, deps.store, deps.settings, ref)
    except InputError as error:
        logger.error("cannot archive", extra={"record": ref, "error": str(error)})
        raise


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(
        event=event, record_handler=partial(_record, deps=dependencies()), processor=processor, context=context
    )
