"""Lambda entry point: validate the SMS/VOICE endpoints of the newest endpoint export in the lake (or a file in S3),
until shortly before the Lambda's own timeout, then return what remains; the next scheduled run resumes from the
lake cache. deploy/sms-ops.yaml gives it reserved concurrency 1, so two runs never overlap (the reference's
concurrent executions validated, and paid for, the same numbers twice)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.aws import client as aws_client
from englake.errors import ConfigError, InputError
from englake.storage import open_lake, split_s3_uri
from handlers.phone_validation.attributes import write_attributes
from handlers.phone_validation.cache import LakePhoneCache
from handlers.phone_validation.sources import numbers_from_export, numbers_from_text
from handlers.phone_validation.validate import validate_numbers
from handlers.sms.config import SmsSettings

logger = Logger(service="englake-phone-validation")

#: Seconds kept in reserve before the Lambda timeout, to checkpoint and return.
RESERVE_SECONDS = 30.0


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Event: ``{"application_id": "…"}`` (endpoint export) or ``{"s3_uri": "s3://bucket/key.csv"}``; optional
    ``rate_per_second``. Returns counts, including ``remaining`` (numbers left for the next run)."""
    settings = SmsSettings()
    s3 = aws_client("s3", settings.aws_region)
    store = open_lake(settings.lake_root, s3)
    application_id = event.get("application_id") or settings.pinpoint_application_id
    if event.get("s3_uri"):
        bucket, key = split_s3_uri(str(event["s3_uri"]))
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8-sig")
        numbers = list(numbers_from_text(text, str(event["s3_uri"])))
    elif application_id:
        numbers = numbers_from_export(store, application_id)
    else:
        raise ConfigError("give application_id (or ENGLAKE_PINPOINT_APPLICATION_ID) or s3_uri")
    deadline = time.monotonic() + max(0.0, context.get_remaining_time_in_millis() / 1000 - RESERVE_SECONDS)
    try:
        results = validate_numbers(
            numbers,
            client=aws_client("pinpoint", settings.aws_region),
            cache=LakePhoneCache(store),
            rate_per_second=float(event.get("rate_per_second") or 20.0),
            assume_us=settings.assume_us,
            deadline=deadline,
        )
    except InputError as error:
        logger.error("validation input", extra={"error": str(error)})
        raise
    written = write_attributes(results.values(), settings.contacts(s3_client=s3))
    summary = {
        "numbers": len(set(numbers)),
        "answered": len(results),
        "invalid": sum(1 for r in results.values() if not r.valid and not r.retryable),
        "retryable": sum(1 for r in results.values() if r.retryable),
        "remaining": len(set(numbers)) - len(results),
        "contacts_written": written,
    }
    logger.info("phone validation run", extra=summary)
    return summary
