"""The audience workflow's step contracts, and the reference defects about what travels between steps (§3b, §15)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from pydantic import ValidationError

from handlers.audiences import handler, process
from handlers.audiences.contracts import ImportJob, StagedAudience
from tests.audience_support import PREFIX, world
from tests.fakes.base import throttled


def test_defect_15_a_renamed_field_fails_at_the_step_that_reads_it() -> None:
    """The reference's chain read ``ImportResult`` where its producer wrote ``Result`` (KeyError, no notification)."""
    with pytest.raises(ValidationError, match="segment_ID\n  Extra inputs are not permitted"):
        ImportJob.model_validate({"backend": "pinpoint", "job_id": "j", "audience_name": "a", "segment_ID": "s"})
    with world() as w:
        deps = handler.Dependencies(w.s3, None, w.sns, w.context("pinpoint"), None, w.topic_arn)
        with pytest.raises(ValidationError):
            handler.run_step("start_import", {"staged": {"Result": {}}}, deps)


def test_defect_3b_the_file_never_travels_between_steps() -> None:
    """The reference passed the whole file as Lambda payloads (6 MB invoke limit); steps pass keys and counts."""
    rows = "".join(f"ep-{i},EMAIL,user{i}@example.com,{'x' * 50}\n" for i in range(20_000))
    with world() as w:
        ref = w.drop(PREFIX + "big.csv", ("Id,ChannelType,Address,Note\n" + rows).encode())
        staged = process.stage(w.start(ref, "pinpoint"), w.context("pinpoint"))
        payload = json.dumps({"staged": staged.model_dump(mode="json")})
        assert staged.accepted == 20_000
        assert len(payload) < 2_000
        assert StagedAudience.model_validate_json(staged.model_dump_json()) == staged


def test_defect_3b_a_validation_api_error_rejects_the_row_and_the_file_goes_on() -> None:
    """The reference's except block raised NameError (traceback not imported) and the whole run failed."""
    with world() as w:
        w.phones.inject_fault("PhoneNumberValidate", lambda params: throttled() if params else None)
        # Two attempts, not the adaptive ten with real back-off (75 s of waiting): the SDK still gives up throttled.
        two_attempts = w.phones.attach(
            boto3.client("pinpoint", region_name="us-east-1", config=Config(retries={"total_max_attempts": 2}))
        )
        ref = w.drop(PREFIX + "a.csv", b"ChannelType,Address\nSMS,+12065550142\nEMAIL,a@example.com\n")
        staged = process.stage(w.start(ref, "pinpoint"), w.context("pinpoint", validation_client=two_attempts))
        assert (staged.accepted, staged.rejected) == (1, 1)
        report = json.loads(w.s3.get_object(Bucket=ref.bucket, Key=staged.report_key)["Body"].read())
        assert "drop the file again" in report["rejects"][0]["reason"]
