"""The segment sync wired from settings, once: lake store + membership source + destination + removal guard.

``englake segments sync`` (segmentation/cli.py), the main job's embedded step (segmentation/embedded.py) and the
scheduled Lambda (segmentation/handler.py) all call :func:`run_sync`; they differ only in the arguments they pass.
An argument left at None takes its ``ENGLAKE_SEGMENTS_*`` setting (segmentation/settings.py).
"""

from __future__ import annotations

from typing import Any

from englake.settings import Settings
from englake.storage import open_lake
from segmentation.destinations import open_destination
from segmentation.guard import GuardPolicy
from segmentation.membership import MembershipSource, membership_source
from segmentation.report import SyncReport
from segmentation.settings import SegmentSettings
from segmentation.sync import Progress, sync_segments

#: What a refresh rebuilds before the membership is read: the segment models and what depends on them.
REFRESH_SELECTOR = "tag:segment+"


def rebuild_segments(settings: Settings) -> None:
    """``dbt build --select tag:segment+``: the segment models and ``segment_membership``."""
    from englake.dbt import run_dbt  # imports dbt only when it runs (the Lambda image carries no dbt)

    run_dbt(["build", "--select", REFRESH_SELECTOR], settings)


def run_sync(
    settings: Settings,
    *,
    destination: str = "local",
    application_id: str | None = None,
    attribute: str | None = None,
    rate: float | None = None,
    relation: str | None = None,
    max_removal_share: float | None = None,
    export_role_arn: str | None = None,
    export: bool = True,
    profiles_domain: str | None = None,
    query_execution_id: str | None = None,
    refresh: bool = False,
    dry_run: bool = False,
    force: bool = False,
    time_budget: float | None = None,
    progress: Progress | None = None,
    membership: MembershipSource | None = None,
    pinpoint_client: Any | None = None,
) -> SyncReport:
    """Sync ``segment_membership`` to ``destination`` ("local", "pinpoint" or "customer-profiles"); the run report.

    ``export=False`` reads the newest endpoint export in the lake instead of running a Pinpoint export job (a
    continuation round of the Lambda); a dry run never runs one either, since an export writes into the lake.
    """
    options = SegmentSettings()
    store = open_lake(settings.lake_root)
    role = export_role_arn or options.export_role_arn
    target = open_destination(
        destination,
        settings=settings,
        store=store,
        application_id=application_id,
        attribute=attribute or options.attribute,
        rate=rate if rate is not None else options.rate,
        export_role_arn=role if export and not dry_run else None,
        pinpoint_client=pinpoint_client,
        profiles_domain=profiles_domain or options.profiles_domain,
    )
    policy = GuardPolicy(
        max_removal_share=max_removal_share if max_removal_share is not None else options.max_removal_share,
        vanish_min_members=options.vanish_min_members,
    )
    source = membership or membership_source(
        settings, relation or options.relation, query_execution_id=query_execution_id
    )
    return sync_segments(
        source,
        target,
        store,
        refresh=(lambda: rebuild_segments(settings)) if refresh else None,
        dry_run=dry_run,
        force=force,
        policy=policy,
        progress=progress,
        time_budget=time_budget,
    )
