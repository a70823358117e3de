"""Lambda entry point of the scheduled segment sync (Step Functions invokes it after the Athena membership query).

Event: ``{"QueryExecutionId": "…"}`` (the state machine's Athena step output; absent = run the query here),
optional ``"force": true``, ``"dry_run": true`` and ``"round"`` (continuation rounds skip the endpoint export).
Returns the run report's counts; a tripped guard raises, so the state machine's Catch notifies. ``status:
"incomplete"`` means the time budget ran out and the state machine invokes again (bounded) to continue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.settings import Settings, get_settings
from segmentation.membership import MembershipSource
from segmentation.wiring import run_sync

logger = Logger(service="englake-segment-sync")

#: Seconds kept free at the end of an invocation to commit the snapshot and the report.
SAFETY_MARGIN_SECONDS = 60.0

SUMMARY_FIELDS = (
    "run_id",
    "status",
    "endpoints_in_membership",
    "endpoints_added",
    "endpoints_removed",
    "endpoints_cleared",
    "endpoints_unchanged",
    "written",
    "rejected",
    "failed",
    "not_sent",
    "unknown_endpoints",
    "api_calls",
    "retries",
    "duration_seconds",
)


@logger.inject_lambda_context(log_event=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    budget = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS
    summary = run_scheduled_sync(event, time_budget=max(budget, 1.0))
    logger.info("segment sync finished", extra=summary)
    return summary


def run_scheduled_sync(
    event: dict[str, Any],
    *,
    time_budget: float | None = None,
    settings: Settings | None = None,
    pinpoint_client: Any | None = None,
    membership: MembershipSource | None = None,
) -> dict[str, Any]:
    """The production sync: Athena membership → Pinpoint, state in the lake; returns the report's counts."""
    report = run_sync(
        settings or get_settings(),
        destination="pinpoint",
        # Round 0 exports the endpoints; continuation rounds read that export from the lake instead of another (and
        # a dry run, which writes nothing, reads the newest one there too).
        export=not event.get("round"),
        query_execution_id=event.get("QueryExecutionId"),
        dry_run=bool(event.get("dry_run", False)),
        force=bool(event.get("force", False)),
        time_budget=time_budget,
        membership=membership,
        pinpoint_client=pinpoint_client,
    )
    return {name: getattr(report, name) for name in SUMMARY_FIELDS}
