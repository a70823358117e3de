"""Campaign steps as plain functions: create (idempotent) and check (one poll); the workflow bounds the polls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from handlers.audiences.contracts import ImportStatus, StagedAudience
from handlers.campaigns.backends import CampaignBackend
from handlers.campaigns.models import CampaignError, CampaignProgress, CampaignRef, CampaignRequest


def request_for_import(staged: StagedAudience, status: ImportStatus, now: datetime | None = None) -> CampaignRequest:
    """The campaign the chain creates on an imported audience; its key is the run, so a rerun finds it."""
    plan = staged.campaign
    if plan is None:
        raise CampaignError(f"run {staged.run_id} has no campaign plan")
    if status.state != "SUCCEEDED":
        raise CampaignError(f"import {status.job.job_id} is {status.service_status}, not finished: no campaign")
    if not status.job.segment_id:
        raise CampaignError(f"import {status.job.job_id} defined no segment: nothing to target")
    start = (now or datetime.now(UTC)) + timedelta(minutes=plan.delay_minutes)
    return CampaignRequest(
        name=staged.audience_name,
        segment=status.job.segment_id,
        template=plan.template,
        channel=plan.channel,
        start=start,
        idempotency_key=staged.run_id,
    )


def create(request: CampaignRequest, backend: CampaignBackend) -> CampaignRef:
    return backend.create(request)


def check(ref: CampaignRef, polls: int, backend: CampaignBackend) -> CampaignProgress:
    return backend.progress(ref, polls + 1)


def follow(
    ref: CampaignRef,
    backend: CampaignBackend,
    *,
    max_polls: int,
    wait: Callable[[], None],
    on_progress: Callable[[CampaignProgress], None] | None = None,
) -> CampaignProgress:
    """Poll until SUCCEEDED or FAILED, at most ``max_polls`` times (PAUSED and PENDING wait, bounded)."""
    progress = check(ref, 0, backend)
    while True:
        if on_progress is not None:
            on_progress(progress)
        if progress.terminal or progress.polls >= max_polls:
            return progress
        wait()
        progress = check(ref, progress.polls, backend)
