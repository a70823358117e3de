"""``englake segments …``: sync dbt segment membership to a destination, show the last run, list members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from englake.console import console, err_console, progress
from englake.output import Column, FormatOption, OutputFormat, WideOption, emit
from segmentation.errors import DestinationError, PartialFailureError

if TYPE_CHECKING:  # DuckDB, pyarrow and boto3 load inside the commands, so ``englake --help`` stays fast
    from englake.settings import Settings

app = typer.Typer(
    help="Sync dbt segment membership to a destination (local store, Amazon Pinpoint).", no_args_is_help=True
)

Destination = Annotated[
    str, typer.Option("--destination", "-d", help="local (embedded default), pinpoint or customer-profiles.")
]
ApplicationId = Annotated[
    str | None, typer.Option(help="Pinpoint application (project) id; default ENGLAKE_PINPOINT_APPLICATION_ID.")
]
Attribute = Annotated[str | None, typer.Option(help="Endpoint attribute holding segment names.")]
Lake = Annotated[str | None, typer.Option(help="Lake root (folder or s3://bucket/prefix); default ENGLAKE_LAKE_ROOT.")]


def _settings(lake: str | None) -> Settings:
    from englake.settings import get_settings

    settings = get_settings()
    return settings.model_copy(update={"lake_root": lake}) if lake else settings


@app.command()
def sync(
    destination: Destination = "local",
    application_id: ApplicationId = None,
    attribute: Attribute = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the diff; write nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Write even when the removal guard trips.")] = False,
    max_removal_share: Annotated[
        float | None, typer.Option(help="Stop when more than this share of current memberships would be removed.")
    ] = None,
    rate: Annotated[
        float | None, typer.Option(help="Pinpoint requests per second (default: documented quota).")
    ] = None,
    relation: Annotated[str | None, typer.Option(help="Membership relation (default segment_membership).")] = None,
    export_role_arn: Annotated[
        str | None, typer.Option(help="Run a Pinpoint export job with this role first (else read the lake's latest).")
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="Customer Profiles domain (--destination customer-profiles).")
    ] = None,
    lake: Lake = None,
    no_refresh: Annotated[bool, typer.Option("--no-refresh", help="Don't rebuild the segment models first.")] = False,
) -> None:
    """Write each endpoint's changed set of segment names to the destination; print the run report."""
    from segmentation.report_view import renderable
    from segmentation.settings import SegmentSettings
    from segmentation.wiring import run_sync

    if dry_run and (export_role_arn or SegmentSettings().export_role_arn):
        # An export job writes a new export into the lake; a dry run writes nothing, so it reads the newest one.
        err_console.print(
            "dry run: reading the newest endpoint export in the lake instead of running an export job", soft_wrap=True
        )
    # A tripped guard raises GuardTripped: one line, its own exit code (englake/errors.py), nothing written.
    with progress() as bar:
        task = bar.add_task("writing changed endpoints", total=None)
        report = run_sync(
            _settings(lake),
            destination=destination,
            application_id=application_id,
            attribute=attribute,
            rate=rate,
            relation=relation,
            max_removal_share=max_removal_share,
            export_role_arn=export_role_arn,
            profiles_domain=domain,
            refresh=not no_refresh,
            dry_run=dry_run,
            force=force,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(renderable(report))
    if report.status not in ("succeeded", "dry-run"):
        raise PartialFailureError(
            f"segment sync {report.status}: {report.failed} endpoint(s) failed, {report.not_sent} not sent; "
            "the next run retries what was not written"
        )


@app.command()
def report(
    destination_id: Annotated[
        str | None, typer.Option(help="Destination id (sync/<id>/ in the lake); default: every destination.")
    ] = None,
    lake: Lake = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Show the last run report of each destination (kept in the lake beside its snapshot)."""
    from englake.storage import open_lake
    from segmentation.report import SyncReport
    from segmentation.report_view import renderable
    from segmentation.snapshot import SnapshotStore, destinations_with_state

    store = open_lake(_settings(lake).lake_root)
    ids = [destination_id] if destination_id else destinations_with_state(store)
    reports = {dest_id: SnapshotStore(store, dest_id).latest_report() for dest_id in ids}
    reports = {dest_id: data for dest_id, data in reports.items() if data is not None}
    if not reports:
        raise DestinationError(f"no segment sync has run against {store.root} yet: run `englake segments sync`")
    if output is not OutputFormat.TABLE:  # one row per destination: every field of its last run report
        rows = [
            {"destination_id": dest_id, **SyncReport.from_dict(data).to_dict()} for dest_id, data in reports.items()
        ]
        emit(rows, [Column("destination_id")], output)
        return
    for dest_id, data in reports.items():
        last = SyncReport.from_dict(data)
        console.print(f"[bold]{dest_id}[/bold] — run {last.run_id} at {last.started_at} UTC ({last.membership_source})")
        console.print(renderable(last))


@app.command()
def who(
    segment: Annotated[str | None, typer.Option(help="Only this segment.")] = None,
    application_id: ApplicationId = None,
    attribute: Attribute = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    lake: Lake = None,
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """List who is in which segment in the local endpoint store."""
    from englake.storage import open_lake
    from segmentation.destinations import open_destination
    from segmentation.destinations.local import LocalDestination
    from segmentation.settings import SegmentSettings

    settings = _settings(lake)
    target = open_destination(
        "local",
        settings=settings,
        store=open_lake(settings.lake_root),
        application_id=application_id,
        attribute=attribute or SegmentSettings().attribute,
    )
    assert isinstance(target, LocalDestination)
    rows = target.members(segment, limit=limit)
    emit(
        ({"segment": name, "endpoint_id": endpoint_id} for endpoint_id, name in rows),
        (Column("segment"), Column("endpoint_id", "endpoint")),
        output,
        title=f"Members{f' of {segment}' if segment else ''} ({target.application_id})",
        wide=wide,
    )
    if len(rows) == limit:
        err_console.print(f"(first {limit} rows; --limit for more)")
