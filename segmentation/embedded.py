"""The main job's segment step on the embedded default: rebuild the segment models, sync them to the local store."""

from __future__ import annotations

from englake.settings import Settings, get_settings
from segmentation.report import SyncReport
from segmentation.wiring import run_sync


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
    the lake (``endpoints/<application_id>/…``, which ``englake lake generate`` writes). The command line prints it
    with ``segmentation.report_view.renderable(report)``.
    """
    return run_sync(
        settings or get_settings(),
        destination="local",
        application_id=application_id,
        refresh=refresh,
        dry_run=dry_run,
        force=force,
    )
