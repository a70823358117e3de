"""The steps of an audience import as plain functions: stage (read, validate, write the staged file and the
report) → start the import → check it → finish (clean the staging prefix, notify). The state machine in
deploy/audiences.yaml calls them in order through handler.py; ``run_import`` calls them in-process (CLI, tests).
"""

from __future__ import annotations

import json
import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.audiences.backends import ImportBackend
from handlers.audiences.contracts import ImportJob, ImportStatus, ObjectRef, Outcome, StagedAudience, StartInput
from handlers.audiences.parse import AudienceFileError, ParsedAudience, parse_audience
from handlers.audiences.phones import Validator, apply_validation, normalize_only, phone_numbers

log = logging.getLogger(__name__)

#: Largest audience file read (the stage step holds it in memory; split bigger audiences into several files).
MAX_FILE_BYTES = 2 * 1024**3


@dataclass
class AudienceContext:
    """What the steps need: the S3 client, the import back end, where staging and reports go, phone validation."""

    s3: Any
    backend: ImportBackend
    bucket: str
    staging_prefix: str = "audiences/staging/"
    reports_prefix: str = "audiences/reports/"
    validator: Validator | None = None
    assume_us: bool = False


def audience_name(source: ObjectRef, run_id: str) -> str:
    """The file's name without extension plus the run: unique per object version, readable in the console."""
    stem = posixpath.basename(source.key).split(".")[0] or "audience"
    return f"{stem[:48]}-{run_id[:8]}"


def stage(start: StartInput, ctx: AudienceContext) -> StagedAudience:
    """Read the object version, validate every row, write the staged endpoints and the per-file report."""
    source = start.object
    report_key = f"{ctx.reports_prefix}{start.run_id}.json"
    try:
        body = _read(ctx.s3, source)
        parsed = parse_audience(body, source.key)
    except AudienceFileError as error:
        _put_json(ctx.s3, ctx.bucket, report_key, _report(start, None, error=str(error)))
        raise
    if start.validate_phones and ctx.validator is not None:
        numbers = phone_numbers(parsed)
        apply_validation(parsed, ctx.validator(numbers) if numbers else {})
    else:
        normalize_only(parsed, ctx.assume_us)
    name = audience_name(source, start.run_id)
    staged_key = None
    if parsed.endpoints:
        staged_key = f"{ctx.staging_prefix}{start.run_id}/{ctx.backend.staged_name}"
        body = ctx.backend.staged_body([e for _, e in parsed.endpoints], name)
        ctx.s3.put_object(Bucket=ctx.bucket, Key=staged_key, Body=body)
    _put_json(ctx.s3, ctx.bucket, report_key, _report(start, parsed))
    log.info(
        "%s: %d rows, %d accepted, %d rejected", source.url, parsed.rows, len(parsed.endpoints), len(parsed.rejects)
    )
    return StagedAudience(
        run_id=start.run_id,
        source=source,
        backend=start.backend,
        audience_name=name,
        rows=parsed.rows,
        accepted=len(parsed.endpoints),
        rejected=len(parsed.rejects),
        staged_key=staged_key,
        report_key=report_key,
        campaign=start.campaign,
    )


def start_import(staged: StagedAudience, ctx: AudienceContext) -> ImportJob:
    if staged.staged_key is None:
        raise AudienceFileError(f"{staged.source.url}: no row was accepted; see the report {staged.report_key}")
    body = ctx.s3.get_object(Bucket=ctx.bucket, Key=staged.staged_key)["Body"].read()
    url = f"s3://{ctx.bucket}/{staged.staged_key}"
    return ctx.backend.start(url, body, staged.audience_name, define_segment=staged.campaign is not None)


def check_import(job: ImportJob, polls: int, ctx: AudienceContext) -> ImportStatus:
    return ctx.backend.status(job, polls + 1)


def clean_staging(ctx: AudienceContext, run_id: str) -> int:
    """Delete everything staged for a run (every page, every object); returns how many objects went."""
    prefix = f"{ctx.staging_prefix}{run_id}/"
    removed = 0
    for page in ctx.s3.get_paginator("list_objects_v2").paginate(Bucket=ctx.bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            ctx.s3.delete_objects(Bucket=ctx.bucket, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed


def outcome_of(state: dict[str, Any]) -> Outcome:
    """The notification of a finished (or failed) execution, from the state the workflow carried."""
    start = StartInput.model_validate(state["input"])
    staged = StagedAudience.model_validate(state["staged"]) if state.get("staged") else None
    status = ImportStatus.model_validate(state["import"]) if state.get("import") else None
    campaign = state.get("campaign") or {}
    error = state.get("error")
    fields: dict[str, Any] = {"run_id": start.run_id, "source": start.object.url}
    if staged is not None:
        fields |= {"rows": staged.rows, "accepted": staged.accepted, "rejected": staged.rejected}
        fields["report_key"] = staged.report_key
    if status is not None:
        fields |= {"import_job_id": status.job.job_id, "segment_id": status.job.segment_id}
    if campaign:
        fields |= {
            "campaign_id": campaign.get("campaign", {}).get("campaign_id"),
            "campaign_state": campaign.get("detail"),
        }
    if error:
        stage_name = error.get("stage", "stage")
        return Outcome(**fields, status="FAILED", stage=stage_name, error=_error_text(error))
    if staged is not None and staged.accepted == 0:
        return Outcome(**fields, status="REJECTED", stage="stage", error="no row was accepted")
    return Outcome(**fields, status="SUCCEEDED", stage="campaign" if campaign else "import")


def notify(sns: Any, topic_arn: str | None, outcome: Outcome) -> None:
    if not topic_arn:
        return
    sns.publish(
        TopicArn=topic_arn,
        Subject=f"englake audience import {outcome.status.lower()}: {posixpath.basename(outcome.source)}"[:100],
        Message=outcome.model_dump_json(),
        MessageAttributes={
            "status": {"DataType": "String", "StringValue": outcome.status},
            "stage": {"DataType": "String", "StringValue": outcome.stage},
        },
    )


def finish(state: dict[str, Any], ctx: AudienceContext, sns: Any, topic_arn: str | None) -> Outcome:
    """Clean the run's staging prefix and publish the outcome; runs on success and on every caught failure."""
    outcome = outcome_of(state)
    clean_staging(ctx, outcome.run_id)
    notify(sns, topic_arn, outcome)
    return outcome


def run_import(
    start: StartInput,
    ctx: AudienceContext,
    *,
    max_polls: int = 120,
    wait: Callable[[float], None] | None = None,
    poll_seconds: float = 5.0,
) -> tuple[StagedAudience, ImportStatus | None]:
    """All import steps in-process (the CLI): stage, start, poll with a bound; the caller cleans and notifies."""
    staged = stage(start, ctx)
    if staged.staged_key is None:
        return staged, None
    job = start_import(staged, ctx)
    status = check_import(job, 0, ctx)
    while status.state == "RUNNING" and status.polls < max_polls:
        if wait is not None:
            wait(poll_seconds)
        status = check_import(job, status.polls, ctx)
    return staged, status


def _read(s3: Any, source: ObjectRef) -> bytes:
    kwargs: dict[str, Any] = {"Bucket": source.bucket, "Key": source.key}
    if source.version_id:
        kwargs["VersionId"] = source.version_id
    try:
        response = s3.get_object(**kwargs)
    except s3.exceptions.NoSuchKey:
        raise AudienceFileError(f"{source.url}: no such object (deleted before the import read it?)") from None
    if response.get("ContentLength", 0) > MAX_FILE_BYTES:
        raise AudienceFileError(f"{source.url}: {response['ContentLength']:,} bytes; at most {MAX_FILE_BYTES:,}")
    return response["Body"].read()


def _report(start: StartInput, parsed: ParsedAudience | None, error: str | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"version": 1, "run_id": start.run_id, "source": start.object.model_dump()}
    if error is not None:
        return report | {"status": "FAILED", "error": error, "rows": 0, "accepted": 0, "rejected": 0, "rejects": []}
    assert parsed is not None
    return report | {
        "status": "STAGED" if parsed.endpoints else "REJECTED",
        "format": parsed.format,
        "columns": parsed.columns,
        "rows": parsed.rows,
        "accepted": len(parsed.endpoints),
        "rejected": len(parsed.rejects),
        "rejects": [
            {"line": r.line, "endpoint_id": r.endpoint_id, "reason": r.reason}
            for r in sorted(parsed.rejects, key=lambda r: r.line)
        ],
    }


def _put_json(s3: Any, bucket: str, key: str, document: dict[str, Any]) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(document, indent=1).encode(), ContentType="application/json")


def _error_text(error: dict[str, Any]) -> str:
    """Step Functions' caught error: ``{"Error": …, "Cause": <JSON string from Lambda or text>}``."""
    cause = error.get("Cause") or ""
    try:
        parsed = json.loads(cause)
        cause = parsed.get("errorMessage", cause) if isinstance(parsed, dict) else cause
    except (TypeError, ValueError):
        pass
    return f"{error.get('Error', 'Error')}: {cause}".strip(": ")[:1000]
