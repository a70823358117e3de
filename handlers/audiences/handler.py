"""Lambda entry points of the audience workflow (deploy/audiences.yaml).

- ``trigger_handler``: SQS (fed by an EventBridge rule on the drop bucket's ``Object Created`` events, or by S3
  notifications) → one execution per object version; reports exactly the failed messages (partial batch response).
- ``step_handler``: the state machine's audience steps. The payload is ``{"step": …, "state": <execution state>}``
  and the answer is the step's contract (contracts.py) as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.aws import client as aws_client
from englake.storage import open_lake
from handlers.audiences import process
from handlers.audiences.contracts import ImportJob, StagedAudience, StartInput
from handlers.audiences.process import AudienceContext
from handlers.audiences.settings import AudienceSettings
from handlers.audiences.trigger import Started, TriggerConfig, start_runs

logger = Logger(service="englake-audiences")


@dataclass
class Dependencies:
    s3: Any
    sfn: Any
    sns: Any
    context: AudienceContext
    trigger: TriggerConfig | None
    topic_arn: str | None


def _validator(settings: AudienceSettings) -> Any:
    if not settings.validate_phones:
        return None
    import time

    from handlers.phone_validation import LakePhoneCache, validate_numbers

    pinpoint = aws_client("pinpoint", settings.aws_region)
    cache_store = open_lake(f"s3://{settings.bucket}")

    def validate(numbers: list[str]) -> dict[str, Any]:
        deadline = time.monotonic() + settings.validation_seconds
        return validate_numbers(
            numbers, client=pinpoint, cache=LakePhoneCache(cache_store), assume_us=settings.assume_us, deadline=deadline
        )

    return validate


@cache
def dependencies() -> Dependencies:
    settings = AudienceSettings()
    s3 = aws_client("s3", settings.aws_region)
    return Dependencies(
        s3=s3,
        sfn=aws_client("stepfunctions", settings.aws_region),
        sns=aws_client("sns", settings.aws_region),
        context=settings.context(s3=s3, validator=_validator(settings)),
        trigger=settings.trigger_config() if settings.state_machine_arn else None,
        topic_arn=settings.topic_arn,
    )


def _record(record: SQSRecord, deps: Dependencies) -> list[Started]:
    assert deps.trigger is not None
    return start_runs(record.body, deps.s3, deps.sfn, deps.trigger, f"SQS message {record.message_id}")


@logger.inject_lambda_context(clear_state=True)
def trigger_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS batch of S3 object-created events → StartExecution per object version."""
    processor = BatchProcessor(event_type=EventType.SQS)
    handler = partial(_record, deps=dependencies())
    return process_partial_response(event=event, record_handler=handler, processor=processor, context=context)


def run_step(step: str, state: dict[str, Any], deps: Dependencies) -> dict[str, Any]:
    """One audience step on the execution state; project errors propagate so the workflow's Catch reports them."""
    ctx = deps.context
    if step == "stage":
        return process.stage(StartInput.model_validate(state["input"]), ctx).model_dump(mode="json")
    if step == "start_import":
        return process.start_import(StagedAudience.model_validate(state["staged"]), ctx).model_dump(mode="json")
    if step == "check_import":
        previous = state.get("import") or {}
        job = ImportJob.model_validate(previous.get("job") or state["job"])
        return process.check_import(job, int(previous.get("polls", 0)), ctx).model_dump(mode="json")
    if step == "finish":
        return process.finish(state, ctx, deps.sns, deps.topic_arn).model_dump(mode="json")
    raise ValueError(f"unknown audience step {step!r}")


@logger.inject_lambda_context(clear_state=True)
def step_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step Functions task: ``{"step": "stage" | "start_import" | "check_import" | "finish", "state": {...}}``."""
    return run_step(event["step"], event["state"], dependencies())
