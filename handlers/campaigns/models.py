"""Campaign requests and progress, the same for both back ends (Amazon Pinpoint and Connect outbound campaigns v2).

A request names a segment (a dbt segment model's audience or an imported audience) and a template, and carries an
idempotency key: the same request twice is one campaign. The start time must carry an explicit offset and is sent
as UTC with ``Z`` (the reference sent a naive local time the service read as UTC).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from englake.errors import EnglakeError, InputError

Channel = Literal["SMS", "EMAIL"]
#: Pinpoint activity states (https://docs.aws.amazon.com/pinpoint/latest/apireference/apps-application-id-campaigns-
#: campaign-id-activities.html, ``ActivityResponse.State``): the spec lists exactly these six.
PINPOINT_ACTIVITY_STATES = ("PENDING", "INITIALIZING", "RUNNING", "PAUSED", "CANCELLED", "COMPLETED")

Progress = Literal["PENDING", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED"]
TERMINAL: frozenset[str] = frozenset({"SUCCEEDED", "FAILED"})


class CampaignError(EnglakeError):
    """A campaign can't be created (missing segment or template, bad request); nothing was created."""


class CampaignRequest(BaseModel):
    """What to send, to whom, from when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    #: Pinpoint segment id, or the ARN of a Customer Profiles segment definition (Connect).
    segment: str = Field(min_length=1)
    #: Pinpoint template name, or the Amazon Q in Connect message template ARN (Connect).
    template: str = Field(min_length=1)
    channel: Channel = "SMS"
    #: ``None`` = now. Must carry an offset (``2026-12-01T09:00:00+01:00``); stored as UTC.
    start: datetime | None = None
    #: Same key, same campaign. Defaults to a hash of the request's content.
    idempotency_key: str | None = None

    @field_validator("start")
    @classmethod
    def _explicit_offset(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"start {value.isoformat()} has no UTC offset: write it as …Z or …+01:00")
        return value.astimezone(UTC)

    def key(self) -> str:
        """The idempotency key (≤ 40 characters: it goes into a tag value and a campaign name)."""
        if self.idempotency_key:
            return self.idempotency_key[:40]
        start = self.start.isoformat() if self.start else ""
        text = "\x1f".join([self.name, self.segment, self.template, self.channel, start])
        return hashlib.sha256(text.encode()).hexdigest()[:40]

    def start_utc(self) -> str | None:
        """``2026-12-01T08:00:00Z`` or ``None`` (immediately)."""
        return self.start.strftime("%Y-%m-%dT%H:%M:%SZ") if self.start else None


def parse_start(text: str) -> datetime:
    """A CLI or input start time; one clear error for a time without an offset."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(f"start {text!r} is not an ISO-8601 time (e.g. 2026-12-01T09:00:00+01:00)") from None
    if value.tzinfo is None:
        raise InputError(f"start {text!r} has no UTC offset: write it as …Z or …+01:00")
    return value


class CampaignRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["pinpoint", "connect"]
    campaign_id: str
    #: Pinpoint application id or Connect instance id.
    owner: str
    key: str
    #: False when an earlier request with the same key had already created it.
    created: bool = True


class CampaignProgress(BaseModel):
    """Where a campaign is, summed over **all** its activities."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    campaign: CampaignRef
    progress: Progress
    #: The service's words, e.g. ``RUNNING×1, COMPLETED/SUCCESS×2`` or ``Running``.
    detail: str
    activities: int = 0
    successful_endpoints: int = 0
    total_endpoints: int = 0
    polls: int = 0

    @property
    def terminal(self) -> bool:
        return self.progress in TERMINAL


def summarize_activities(activities: list[dict]) -> tuple[Progress, str]:
    """Every Pinpoint activity's ``State`` and ``Result`` → one progress word and a readable detail.

    No activity yet is PENDING (the reference indexed ``Item[0]`` of an empty list). Any CANCELLED activity or
    ``Result: FAIL`` fails the campaign; it succeeds only when every activity COMPLETED with SUCCESS. A state the
    documentation does not list fails it rather than waiting on it forever.
    """
    if not activities:
        return "PENDING", "no activity yet"
    counts: dict[str, int] = {}
    for activity in activities:
        state = activity.get("State", "?")
        label = f"{state}/{activity['Result']}" if activity.get("Result") else state
        counts[label] = counts.get(label, 0) + 1
    detail = ", ".join(f"{label}×{n}" for label, n in sorted(counts.items()))
    states = {a.get("State") for a in activities}
    unknown = states - set(PINPOINT_ACTIVITY_STATES)
    if unknown:
        return "FAILED", f"unexpected activity state {sorted(map(str, unknown))[0]} ({detail})"
    if "CANCELLED" in states:
        return "FAILED", f"cancelled ({detail})"
    if any(a.get("Result") == "FAIL" for a in activities):
        return "FAILED", f"an activity failed ({detail})"
    if states & {"PENDING", "INITIALIZING", "RUNNING"}:
        return ("RUNNING" if states & {"INITIALIZING", "RUNNING"} else "PENDING"), detail
    if "PAUSED" in states:
        return "PAUSED", detail
    # Every activity COMPLETED; a missing Result is not SUCCESS.
    if all(a.get("Result") == "SUCCESS" for a in activities):
        return "SUCCEEDED", detail
    return "FAILED", f"completed without a SUCCESS result ({detail})"


def connect_progress(state: str) -> Progress:
    """Connect outbound campaign state → progress; an unlisted state fails rather than loops."""
    return {
        "Initialized": "PENDING",
        "Running": "RUNNING",
        "Paused": "PAUSED",
        "Completed": "SUCCEEDED",
        "Stopped": "FAILED",
        "Failed": "FAILED",
    }.get(state, "FAILED")
