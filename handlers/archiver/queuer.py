"""The archive queuer: a Firehose data-transformation Lambda on the Pinpoint (or SES) event-stream Firehose.

It never changes the stream: every record goes back ``Ok`` with its ``data`` exactly as it came (bytes, trailing
newline and all). The reference decoded records as ASCII (mangling every non-ASCII character), re-serialized them
without the trailing newline (concatenating the next record onto the same line) and wrote a field into every send
event; it also called ``SendMessage`` once per record.

Sent messages (``events.wants_archive``) are queued with ``SendMessageBatch``: at most 10 entries and 256 KiB per
call. Entries SQS reports as failed are retried a few times; if some still fail they are logged as an error with
their Firehose record ids (and counted in the response log) but the records still return ``Ok``: the lake is the
system of record and must not lose a record because the archive queue hiccuped, and the archive can be refilled
from the lake's send events. A transform that raises would send the whole batch to Firehose's error prefix instead.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.aws import client as aws_client
from handlers.archiver.events import wants_archive

logger = Logger(service="englake-archive-queuer")

#: Entries per SendMessageBatch (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
MAX_BATCH_ENTRIES = 10
#: Total payload per SendMessageBatch call, and per message (same page; the classic 256 KiB limit).
MAX_BATCH_BYTES = 256 * 1024
#: Rounds of resending entries SQS reported as failed.
SEND_ATTEMPTS = 3


class QueuerEnv(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENGLAKE_ARCHIVE_", extra="ignore")

    queue_url: str
    region: str | None = None


@dataclass(frozen=True)
class QueueResult:
    queued: int
    failed: list[str]


def transform(event: dict[str, Any], sqs: Any, queue_url: str) -> tuple[dict[str, Any], QueueResult]:
    """The Firehose response (every record ``Ok``, data unchanged) and what was queued."""
    output = []
    work: list[tuple[str, str]] = []
    for record in event.get("records", []):
        output.append({"recordId": record["recordId"], "result": "Ok", "data": record["data"]})
        work.extend((record["recordId"], line) for line in _archivable_lines(record))
    return {"records": output}, send_all(sqs, queue_url, work)


def send_all(sqs: Any, queue_url: str, work: list[tuple[str, str]]) -> QueueResult:
    """Queue ``(record id, body)`` pairs in batches within SQS limits; returns what could not be queued."""
    failed: list[str] = []
    queued = 0
    for batch in _batches(work):
        pending = {str(i): item for i, item in enumerate(batch)}
        for attempt in range(SEND_ATTEMPTS):
            try:
                response = sqs.send_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": entry_id, "MessageBody": body} for entry_id, (_, body) in pending.items()],
                )
            except (ClientError, BotoCoreError) as error:
                logger.warning("SendMessageBatch failed (attempt %d): %s", attempt + 1, error)
                time.sleep(0.1 * 2**attempt)
                continue
            queued += len(response.get("Successful", []))
            retry = {}
            for failure in response.get("Failed", []):
                if not failure.get("SenderFault"):
                    retry[failure["Id"]] = pending[failure["Id"]]
                else:
                    failed.append(pending[failure["Id"]][0])
                    logger.error("SQS refused archive work", extra={"record": pending[failure["Id"]][0], **failure})
            pending = retry
            if not pending:
                break
            time.sleep(0.1 * 2**attempt)
        failed.extend(record_id for record_id, _ in pending.values())
    if failed:
        logger.error("archive work not queued", extra={"records": failed, "count": len(failed)})
    return QueueResult(queued=queued, failed=failed)


def _archivable_lines(record: dict[str, Any]) -> list[str]:
    """The send events in one Firehose record, as UTF-8 text (a record is one event; tolerate several lines)."""
    try:
        text = base64.b64decode(record["data"]).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        logger.warning("record %s is not UTF-8 JSON; passed through", record.get("recordId"))
        return []
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            logger.warning("record %s holds a line that is not JSON; passed through", record.get("recordId"))
            continue
        if isinstance(event, dict) and wants_archive(event):
            if len(line.encode()) > MAX_BATCH_BYTES:
                logger.error("send event too large to queue", extra={"record": record.get("recordId")})
                continue
            lines.append(line)
    return lines


def _batches(work: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    batches: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    size = 0
    for item in work:
        length = len(item[1].encode())
        if current and (len(current) == MAX_BATCH_ENTRIES or size + length > MAX_BATCH_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += length
    if current:
        batches.append(current)
    return batches


@cache
def _sqs() -> tuple[Any, str]:
    env = QueuerEnv()
    return aws_client("sqs", env.region), env.queue_url


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Firehose transformation: records back unchanged, sent messages queued for the archiver."""
    sqs, queue_url = _sqs()
    response, result = transform(event, sqs, queue_url)
    logger.info("queued archive work", extra={"queued": result.queued, "failed": len(result.failed)})
    return response
