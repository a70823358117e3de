"""Start one workflow execution per dropped object version.

The execution name is the run id (a hash of bucket, key and version, or ETag when the bucket is not versioned), so
a notification delivered twice, or retried by Lambda or SQS, hits ``ExecutionAlreadyExists`` and is acknowledged
as a duplicate. The reference named executions by the second (``import_run-%Y%m%d-%H%M%S``): two files in the
same second collided and the second one was silently never imported.

Keys in S3 notification records are URL-encoded (``+`` is a space); they are decoded. EventBridge ``Object
Created`` events are taken as they come, and either spelling is confirmed with ``HeadObject`` before starting.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

from englake.errors import InputError, client_error_code
from handlers.audiences.contracts import Backend, CampaignPlan, ObjectRef, StartInput

log = logging.getLogger(__name__)


class NotificationError(InputError):
    """A message that is not an S3 object-created notification (names the message and the field)."""


@dataclass(frozen=True)
class TriggerConfig:
    state_machine_arn: str
    backend: Backend
    #: Only keys under this prefix are audiences (the staging and report prefixes must lie outside it).
    prefix: str = "audiences/incoming/"
    validate_phones: bool = True
    campaign: CampaignPlan | None = None


@dataclass(frozen=True)
class Started:
    object: ObjectRef
    run_id: str
    #: False when this object version had already started a run (a duplicate delivery).
    new: bool
    execution_arn: str | None


def objects_in(body: str | dict[str, Any], message_ref: str = "message") -> list[tuple[str, str, dict[str, Any]]]:
    """(bucket, key as delivered, object fields) of every object-created record in an SQS body: an EventBridge
    event, an S3 notification (``Records``), or either inside an SNS envelope. ``s3:TestEvent`` yields none."""
    try:
        document = json.loads(body) if isinstance(body, str) else body
    except json.JSONDecodeError as error:
        raise NotificationError(f"{message_ref}: not JSON ({error.msg})") from None
    if isinstance(document, dict) and document.get("Type") == "Notification" and "Message" in document:
        return objects_in(document["Message"], message_ref)
    if not isinstance(document, dict):
        raise NotificationError(f"{message_ref}: expected a JSON object")
    if document.get("Event") == "s3:TestEvent":
        return []
    if document.get("source") == "aws.s3" and "detail" in document:
        detail = document["detail"]
        try:
            obj = detail["object"]
            return [(detail["bucket"]["name"], obj["key"], {"version_id": obj.get("version-id"), **_common(obj)})]
        except KeyError as error:
            raise NotificationError(f"{message_ref}: EventBridge event without detail {error}") from None
    if "Records" in document:
        found = []
        for index, record in enumerate(document["Records"]):
            if not str(record.get("eventName", "")).startswith("ObjectCreated"):
                continue
            try:
                s3 = record["s3"]
                obj = s3["object"]
                # Notification keys are URL-encoded, spaces as "+".
                key = unquote_plus(obj["key"])
                found.append((s3["bucket"]["name"], key, {"version_id": obj.get("versionId"), **_common(obj)}))
            except KeyError as error:
                raise NotificationError(f"{message_ref}: record {index} without s3 field {error}") from None
        return found
    raise NotificationError(f"{message_ref}: neither an EventBridge S3 event nor an S3 notification")


def _common(obj: dict[str, Any]) -> dict[str, Any]:
    return {"etag": obj.get("etag") or obj.get("eTag"), "size": obj.get("size")}


def resolve(s3: Any, bucket: str, key: str, fields: dict[str, Any]) -> ObjectRef | None:
    """The object as it exists now (``None`` if it is gone); tries the key as delivered, then URL-decoded."""
    for candidate in dict.fromkeys([key, unquote_plus(key)]):
        kwargs: dict[str, Any] = {"Bucket": bucket, "Key": candidate}
        if fields.get("version_id"):
            kwargs["VersionId"] = fields["version_id"]
        try:
            head = s3.head_object(**kwargs)
        except ClientError as error:
            if client_error_code(error) in ("404", "NoSuchKey", "NotFound"):
                continue
            raise
        return ObjectRef(
            bucket=bucket,
            key=candidate,
            version_id=fields.get("version_id") or head.get("VersionId"),
            etag=(fields.get("etag") or head.get("ETag", "")).strip('"') or None,
            size=fields.get("size") if fields.get("size") is not None else head.get("ContentLength"),
        )
    return None


def start_runs(
    body: str | dict[str, Any], s3: Any, sfn: Any, config: TriggerConfig, message_ref: str = "message"
) -> list[Started]:
    """Start (or recognise as already started) one execution per object version in one message."""
    started = []
    for bucket, key, fields in objects_in(body, message_ref):
        if not unquote_plus(key).startswith(config.prefix) and not key.startswith(config.prefix):
            log.info("ignored s3://%s/%s: outside the audience prefix %s", bucket, key, config.prefix)
            continue
        if key.endswith("/"):
            continue  # a "folder" placeholder
        ref = resolve(s3, bucket, key, fields)
        if ref is None:
            log.warning("s3://%s/%s is gone: nothing to import", bucket, key)
            continue
        run_id = ref.run_id()
        start = StartInput(
            object=ref,
            run_id=run_id,
            backend=config.backend,
            validate_phones=config.validate_phones,
            campaign=config.campaign,
        )
        execution_arn = config.state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + run_id
        if _exists(sfn, execution_arn):
            log.info("duplicate notification for %s (run %s already started)", ref.url, run_id)
            started.append(Started(ref, run_id, False, execution_arn))
            continue
        try:
            # Two deliveries racing past the check still make one execution: same name and input while it runs
            # is the same execution, and after it ended ExecutionAlreadyExists.
            response = sfn.start_execution(
                stateMachineArn=config.state_machine_arn, name=run_id, input=start.model_dump_json()
            )
            started.append(Started(ref, run_id, True, response["executionArn"]))
            log.info("started %s for %s", run_id, ref.url)
        except sfn.exceptions.ExecutionAlreadyExists:
            log.info("duplicate notification for %s (run %s already started)", ref.url, run_id)
            started.append(Started(ref, run_id, False, execution_arn))
    return started


def _exists(sfn: Any, execution_arn: str) -> bool:
    try:
        sfn.describe_execution(executionArn=execution_arn)
    except sfn.exceptions.ExecutionDoesNotExist:
        return False
    return True
