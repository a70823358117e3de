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
from ingest.storage import open_lake
from segmentation.destinations import open_destination
from segmentation.guard import GuardPolicy
from segmentation.membership import MembershipSource, membership_source
from segmentation.settings import SegmentSettings
from segmentation.sync import sync_segments

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
    settings = settings or get_settings()
    options = SegmentSettings()
    store = open_lake(settings.lake_root)
    destination = open_destination(
        "pinpoint",
        settings=settings,
        store=store,
        attribute=options.attribute,
        rate=options.rate,
        # Round 0 exports the endpoints; continuation rounds read that export from the lake instead of another. A
        # dry run writes nothing, not even an export: it reads the newest one in the lake.
        export_role_arn=options.export_role_arn if not event.get("round") and not event.get("dry_run") else None,
        pinpoint_client=pinpoint_client,
    )
    membership = membership or membership_source(
        settings, options.relation, query_execution_id=event.get("QueryExecutionId")
    )
    report = sync_segments(
        membership,
        destination,
        store,
        dry_run=bool(event.get("dry_run", False)),
        force=bool(event.get("force", False)),
        policy=GuardPolicy(options.max_removal_share, options.vanish_min_members),
        time_budget=time_budget,
    )
    return {name: getattr(report, name) for name in SUMMARY_FIELDS}
