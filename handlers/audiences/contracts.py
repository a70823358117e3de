"""The typed contracts between the steps of the import → validate → campaign workflow (one state machine).

Each Lambda step takes one of these models as its payload and returns the next; the state machine only moves them
between steps (``ResultPath``) and branches on their enum fields, so a renamed field fails validation at the step
that reads it instead of silently taking a default branch (the reference's ``"true"`` vs ``"True"``).
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Backend = Literal["pinpoint", "customer-profiles"]
CampaignBackend = Literal["pinpoint", "connect"]


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObjectRef(_Contract):
    """One version of one dropped object; the workflow runs once per (bucket, key, version)."""

    bucket: str
    #: Already URL-decoded (S3 notifications encode keys: ``my+file%C3%A9.csv`` is ``my file é.csv``).
    key: str
    version_id: str | None = None
    etag: str | None = None
    size: int | None = None

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def run_id(self) -> str:
        """Stable across re-deliveries of the same version; different for a new version of the same key.

        Without versioning S3 notifications carry no version id: the ETag (content hash) stands in, so a
        re-dropped identical file is one run and a changed file is a new one.
        """
        identity = f"{self.bucket}\x1f{self.key}\x1f{self.version_id or ''}\x1f{'' if self.version_id else self.etag}"
        return hashlib.sha256(identity.encode()).hexdigest()[:40]


class CampaignPlan(_Contract):
    """What campaign the chain creates once the import succeeded (absent = import only)."""

    backend: CampaignBackend
    template: str
    channel: Literal["SMS", "EMAIL"] = "SMS"
    #: Minutes after the import finished; the start is sent as explicit UTC.
    delay_minutes: int = Field(default=15, ge=0, le=60 * 24 * 30)


class StartInput(_Contract):
    """The execution input the trigger writes."""

    object: ObjectRef
    run_id: str
    backend: Backend
    validate_phones: bool = True
    campaign: CampaignPlan | None = None


class StagedAudience(_Contract):
    """After parsing and validation: what will be imported, and the per-file report."""

    run_id: str
    source: ObjectRef
    backend: Backend
    audience_name: str
    rows: int
    accepted: int
    rejected: int
    #: The validated endpoints, written by the stage step (deleted by the finish step).
    staged_key: str | None
    report_key: str
    campaign: CampaignPlan | None = None


class ImportJob(_Contract):
    """A started import; ``segment_id`` is the audience the campaign targets (Pinpoint import segment, or the
    Customer Profiles segment definition)."""

    backend: Backend
    job_id: str
    audience_name: str
    segment_id: str | None = None


ImportState = Literal["RUNNING", "SUCCEEDED", "FAILED"]


class ImportStatus(_Contract):
    job: ImportJob
    state: ImportState
    #: The service's own status word (Pinpoint JobStatus, Customer Profiles upload job Status).
    service_status: str
    processed: int = 0
    failed: int = 0
    failures: list[str] = Field(default_factory=list)
    #: Polls so far; the workflow stops waiting at its bound and reports a timeout.
    polls: int = 0


class Outcome(_Contract):
    """The notification's body: one schema for every ending, success or not (see ``NOTIFICATION_VERSION``)."""

    version: Literal[1] = 1
    run_id: str
    source: str
    status: Literal["SUCCEEDED", "REJECTED", "FAILED"]
    stage: Literal["stage", "import", "campaign"]
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    report_key: str | None = None
    import_job_id: str | None = None
    segment_id: str | None = None
    campaign_id: str | None = None
    campaign_state: str | None = None
    error: str | None = None
