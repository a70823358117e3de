"""The file-drop intake as one plain function: an S3 object in; rows validated, rejects and report written, the
valid rows queued (``SendMessageBatch``), each file content taken once.

The file is identified by its ETag (its content): the same content dropped again, under any key or version, or the
same S3 event delivered twice, sends nothing twice — the sender's ledger is keyed on (ETag, row). The intake keeps a
checkpoint (``enqueued_through``) so a run that times out resumes after the last queued row; rows queued twice are
still sent once. Object keys arrive URL-encoded in S3 events (spaces as ``+``) and are decoded (reference X2).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote_plus

from englake.errors import InputError
from handlers.sms.ledger import Ledger
from handlers.sms.report import (
    FILE_SK,
    ReportLocation,
    build_report,
    file_pk,
    rejects_csv,
    report_location,
    write_report,
)
from handlers.sms.rows import Rejected, SendRow, read_rows

log = logging.getLogger(__name__)

#: Entries per SQS SendMessageBatch request (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
SQS_BATCH_ENTRIES = 10
#: Rows queued between two checkpoints of the intake.
CHECKPOINT_ROWS = 1000


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str  # decoded
    etag: str
    version_id: str | None = None
    size: int | None = None


def objects_from_event(event: dict[str, Any], record_ref: str) -> list[S3Object]:
    """The objects of an S3 event notification (keys URL-decoded); ``s3:TestEvent`` has none."""
    if event.get("Event") == "s3:TestEvent":
        return []
    records = event.get("Records")
    if not isinstance(records, list):
        raise InputError(f"{record_ref}: not an S3 event notification (no Records)")
    objects = []
    for i, record in enumerate(records):
        try:
            s3 = record["s3"]
            item = s3["object"]
            objects.append(
                S3Object(
                    bucket=s3["bucket"]["name"],
                    key=unquote_plus(item["key"]),
                    etag=str(item.get("eTag") or item.get("etag") or "").strip('"'),
                    version_id=item.get("versionId"),
                    size=item.get("size"),
                )
            )
        except (KeyError, TypeError) as error:
            raise InputError(f"{record_ref}: S3 record {i} has no {error}") from None
    return objects


class RowQueue(Protocol):
    def send(self, rows: list[SendRow]) -> None:
        """Queue the rows (≤ 10); raises when any could not be queued (the intake is retried)."""
        ...


class SqsRowQueue:
    """Rows as JSON messages on an SQS queue; FIFO queues get one message group per origination identity."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url
        self.fifo = queue_url.endswith(".fifo")

    def send(self, rows: list[SendRow]) -> None:
        import json

        entries = []
        for i, row in enumerate(rows):
            entry: dict[str, Any] = {"Id": str(i), "MessageBody": json.dumps(row.to_json(), separators=(",", ":"))}
            if self.fifo:
                entry["MessageGroupId"] = row.origination
                entry["MessageDeduplicationId"] = row.dedup_id
            entries.append(entry)
        response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
        failed = response.get("Failed", [])
        if failed:
            retry = [entries[int(f["Id"])] for f in failed if not f.get("SenderFault")]
            if retry and len(retry) == len(failed):
                response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=retry)
                failed = response.get("Failed", [])
        if failed:
            raise RuntimeError(f"SQS refused {len(failed)} of {len(entries)} rows: {failed[0].get('Message')}")


class ListQueue:
    """An in-process queue (the CLI's local run and tests): rows are kept in order."""

    def __init__(self) -> None:
        self.rows: list[SendRow] = []

    def send(self, rows: list[SendRow]) -> None:
        self.rows += rows


@dataclass(frozen=True)
class IntakeResult:
    file: str
    file_id: str
    rows: int
    accepted: int
    rejected: int
    enqueued: int
    already_done: bool
    report: ReportLocation


def intake_object(
    obj: S3Object,
    *,
    s3: Any,
    queue: RowQueue,
    ledger: Ledger,
    report_prefix: str,
    default_origination: str | None = None,
    assume_us: bool = False,
    requeue: bool = False,
) -> IntakeResult:
    """Read ``obj`` from S3 (streamed), queue its valid rows, write its rejects and report.

    ``requeue`` queues every valid row even of a file taken before (the CLI, whose queue lives only in memory: the
    sender's per-row claims still send each row once); otherwise a file already queued is skipped and a file cut
    short resumes after its checkpoint.
    """
    source = f"s3://{obj.bucket}/{obj.key}"
    location = report_location(obj.bucket, report_prefix, obj.key)
    if obj.key.startswith(report_prefix):
        raise InputError(f"{source}: is under the report prefix {report_prefix!r}; reports are not sent")
    response = s3.get_object(
        Bucket=obj.bucket, Key=obj.key, **({"VersionId": obj.version_id} if obj.version_id else {})
    )
    file_id = obj.etag or str(response.get("ETag", "")).strip('"')
    if not file_id:
        raise InputError(f"{source}: no ETag, so rows cannot be sent exactly once")
    pk = file_pk(file_id)
    ledger.put_if_absent(pk, FILE_SK, {"file": source, "version_id": obj.version_id, "status": "reading"})
    state = ledger.get(pk, FILE_SK) or {}
    if state.get("status") == "queued" and not requeue:
        log.info("%s (ETag %s) was taken before (%s): nothing sent again", source, file_id, state.get("file"))
        return IntakeResult(
            source,
            file_id,
            int(state.get("rows", 0)),
            int(state.get("accepted", 0)),
            int(state.get("rejected", 0)),
            0,
            True,
            location,
        )
    resume_after = 0 if requeue else int(state.get("enqueued_through", 0))

    rows = accepted = enqueued = 0
    rejected: list[Rejected] = []
    batch: list[SendRow] = []

    def flush() -> None:
        nonlocal enqueued
        if batch:
            queue.send(batch[:])
            enqueued += len(batch)
            batch.clear()

    error: str | None = None
    try:
        for item in read_rows(
            response["Body"],
            source,
            file_id,
            default_origination=default_origination,
            assume_us=assume_us,
            report=(location.bucket, location.key),
        ):
            rows += 1
            if isinstance(item, Rejected):
                rejected.append(item)
                continue
            accepted += 1
            if item.row <= resume_after:
                continue  # queued by an earlier attempt
            batch.append(item)
            if len(batch) == SQS_BATCH_ENTRIES:
                flush()
                if enqueued % CHECKPOINT_ROWS == 0:
                    _checkpoint(ledger, pk, {"enqueued_through": item.row})
        flush()
    except InputError as failure:
        error = str(failure)
    finally:
        flush_state = {"rows": rows, "accepted": accepted, "rejected": len(rejected)}
    status = "failed" if error else "queued"
    _checkpoint(ledger, pk, {**flush_state, "status": status, "error": error, "file": source})
    s3.put_object(Bucket=location.bucket, Key=location.rejects_key, Body=rejects_csv(rejected), ContentType="text/csv")
    write_report(s3, location, build_report(ledger, file_id))
    log.info(
        "%s: %d rows, %d accepted, %d rejected, %d queued%s",
        source,
        rows,
        accepted,
        len(rejected),
        enqueued,
        f"; stopped: {error}" if error else "",
    )
    if error:
        raise InputError(error)
    return IntakeResult(source, file_id, rows, accepted, len(rejected), enqueued, False, location)


def _checkpoint(ledger: Ledger, pk: str, changes: dict[str, Any]) -> None:
    for _ in range(20):
        item = ledger.get(pk, FILE_SK) or {}
        body = {k: v for k, v in item.items() if k not in ("pk", "sk", "version", "expires_at")}
        if ledger.replace(pk, FILE_SK, {**body, **changes}, item.get("version")):
            return
    raise RuntimeError(f"{pk}: intake state kept changing")


class LocalBucket:
    """A local folder answering the two S3 calls the intake and reports make, so ``englake sms send-file`` runs the
    same code on a file on disk (the "bucket" is the folder; the ETag is the MD5 of the content, as S3's is for a
    single-part upload)."""

    def __init__(self, folder: str) -> None:
        from pathlib import Path

        self.folder = Path(folder)

    def get_object(self, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        import hashlib

        path = self.folder / Key
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        digest = hashlib.md5(usedforsecurity=False)
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return {"Body": path.open("rb"), "ETag": f'"{digest.hexdigest()}"'}

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:
        path = self.folder / Key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Body)
        return {}
