"""The main job's segment step on the embedded default: rebuild the segment models, sync them to the local store."""

from __future__ import annotations

from englake.settings import Settings, get_settings
from ingest.storage import open_lake
from segmentation.destinations import open_destination
from segmentation.guard import GuardPolicy
from segmentation.membership import DuckDBMembership
from segmentation.report import SyncReport
from segmentation.settings import SegmentSettings
from segmentation.sync import sync_segments


def sync_embedded(
    settings: Settings | None = None,
    *,
    refresh: bool = True,
    force: bool = False,
    dry_run: bool = False,
    application_id: str | None = None,
) -> SyncReport:
    """Sync ``segment_membership`` in the embedded DuckDB file into the local endpoint store; returns the report.

    ``refresh`` first runs ``dbt build --select tag:segment+``; the endpoints come from the latest endpoint export in
    the lake (``endpoints/<application_id>/…``, which ``englake lake generate`` writes). Print the result with
    ``console.print(report.renderable())``.
    """
    settings = settings or get_settings()
    options = SegmentSettings()
    store = open_lake(settings.lake_root)
    destination = open_destination(
        "local", settings=settings, store=store, application_id=application_id, attribute=options.attribute
    )

    def rebuild() -> None:
        from englake.dbt import run_dbt  # imports dbt only when it runs

        run_dbt(["build", "--select", "tag:segment+"], settings)

    return sync_segments(
        DuckDBMembership(settings.resolved_duckdb_path, options.relation),
        destination,
        store,
        refresh=rebuild if refresh else None,
        dry_run=dry_run,
        force=force,
        policy=GuardPolicy(options.max_removal_share, options.vanish_min_members),
    )
