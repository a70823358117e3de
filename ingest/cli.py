"""``englake lake …``: generate, land and inspect the event lake, and register it in Glue.

Thin: each command parses options, calls one function of the ingest package, and prints a summary table.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from englake.console import console, err_console, progress
from englake.errors import InputError, LakeError
from englake.output import Column, FormatOption, OutputFormat, WideOption, emit, plain, print_table
from englake.storage import LakeStore, LocalStore, open_lake
from ingest.classify import is_custom_event_type, is_known_event_type
from ingest.glue import DEFAULT_PROJECTION_START, register_glue
from ingest.inputs import expand_paths, land_paths
from ingest.landing import DEFAULT_BUFFER_BYTES, DEFAULT_BUFFER_SECONDS, BufferingHints, LandingReport
from ingest.layout import Producer
from ingest.reader import ScanReport, inspect_lake, lake_objects
from ingest.sweep import SweepReport, sweep_lake

if TYPE_CHECKING:
    from englake.settings import Settings


def get_settings() -> Settings:
    """englake's settings, imported when a command needs them (pydantic-settings slows ``englake --help``)."""
    from englake.settings import get_settings as read_settings

    return read_settings()


app = typer.Typer(help="Generate, land and inspect the Firehose-layout event lake.", no_args_is_help=True)

LakeOption = Annotated[
    str | None,
    typer.Option(
        "--lake", help="Lake root: a local folder or s3://bucket/prefix. Default: $ENGLAKE_LAKE_ROOT or ./lake."
    ),
]
MaxRecords = Annotated[
    int | None,
    typer.Option("--max-records", min=1, help="Cut an object after this many records (no limit by default)."),
]
BufferMiB = Annotated[
    float,
    typer.Option("--buffer-mib", min=0.001, max=128, help="Firehose SizeInMBs: cut an object at this many MiB."),
]
BufferSeconds = Annotated[
    int, typer.Option("--buffer-seconds", min=0, max=900, help="Firehose IntervalInSeconds, on the arrival clock.")
]
NoGzip = Annotated[bool, typer.Option("--no-gzip", help="Write plain objects instead of GZIP (.gz).")]
Undelimited = Annotated[
    list[Producer] | None,
    typer.Option(
        "--undelimited",
        help="Write this producer's records run together, as Firehose does without AppendDelimiterToRecord "
        "(repeatable).",
    ),
]


def _store(lake: str | None, *, must_exist: bool = False, creates: bool = False) -> LakeStore:
    """The lake: a reading command (``must_exist``) refuses a local root that is not there; a command that
    ``creates`` a lake says when it creates one."""
    root = lake or get_settings().lake_root
    store = open_lake(root)
    if isinstance(store, LocalStore) and not store.path.is_dir():
        if must_exist:
            raise LakeError(f"lake root {store.root} does not exist (pass --lake or set ENGLAKE_LAKE_ROOT)")
        if creates:
            console.print(f"creating a new lake at {store.root}", markup=False)
    return store


def _hints(max_records: int | None, buffer_mib: float, buffer_seconds: int) -> BufferingHints:
    return BufferingHints(max_records, max(1, round(buffer_mib * 2**20)), buffer_seconds)


def _delimited(undelimited: list[Producer] | None) -> dict[Producer, bool]:
    return {producer: producer not in (undelimited or []) for producer in Producer}


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not an ISO-8601 time (e.g. 2026-11-20T10:00:00Z)") from error


def landing_table(report: LandingReport, title: str) -> Table:
    table = Table(title=title)
    for column in ("producer", "objects", "records", "bytes", "stored bytes"):
        table.add_column(column, justify="left" if column == "producer" else "right")
    totals = report.totals()
    for producer, row in totals.items():
        table.add_row(
            producer.value, f"{row.objects:,}", f"{row.records:,}", f"{row.raw_bytes:,}", f"{row.stored_bytes:,}"
        )
    table.add_row(
        "total",
        f"{sum(r.objects for r in totals.values()):,}",
        f"{sum(r.records for r in totals.values()):,}",
        f"{sum(r.raw_bytes for r in totals.values()):,}",
        f"{sum(r.stored_bytes for r in totals.values()):,}",
        style="bold",
    )
    return table


@app.command()
def generate(
    lake: LakeOption = None,
    events: Annotated[int, typer.Option(min=1, help="About how many distinct events to generate.")] = 20_000,
    days: Annotated[int, typer.Option(min=1, max=365, help="Days of event time, ending at --end.")] = 7,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed and options give the same lake.")] = 42,
    end: Annotated[str | None, typer.Option(help="End of event time (ISO-8601, UTC). Default: this hour.")] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Delete raw objects, quarantine, exports and truth first (objects the sweep moved aside stay).",
        ),
    ] = False,
    append: Annotated[
        bool,
        typer.Option("--append", help="Add to a lake that already holds raw objects (counts then mix two runs)."),
    ] = False,
    max_records: MaxRecords = None,
    buffer_mib: BufferMiB = DEFAULT_BUFFER_BYTES / 2**20,
    buffer_seconds: BufferSeconds = DEFAULT_BUFFER_SECONDS,
    no_gzip: NoGzip = False,
    undelimited: Undelimited = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes rendering and landing the streams (the same lake whatever the number). "
            "Default: one per core for a local lake, at most one per stream; one for S3.",
        ),
    ] = None,
) -> None:
    """Generate synthetic Pinpoint, SES and End User Messaging events and land them as Firehose would."""
    from ingest.generator import GeneratorConfig, default_workers, generate_lake

    if replace and append:
        raise typer.BadParameter("--replace and --append exclude each other")
    store = _store(lake, creates=True)
    if not replace and not append:
        existing = sum(1 for _ in lake_objects(store))
        if existing:
            raise LakeError(
                f"lake {store.root} already holds {existing:,} raw object(s): pass --replace to empty raw/ and the "
                "truth first, or --append to add to them"
            )
    config = GeneratorConfig(seed=seed, events=events, days=days, end=_parse_time(end))
    with progress() as bar:
        task = bar.add_task("planning events, then landing records", total=None)
        result = generate_lake(
            config,
            store,
            hints=_hints(max_records, buffer_mib, buffer_seconds),
            gzip_objects=not no_gzip,
            delimited=_delimited(undelimited),
            replace=replace,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            workers=workers or default_workers(store),
        )
    print_table(landing_table(result.landing, f"Generated into {escape(store.root)}"))
    console.print(
        f"{result.records:,} records ({result.unassigned:,} of no producer, spread over the streams); "
        f"{result.endpoints:,} endpoints → {store.uri(result.endpoint_key)}; truth → {store.uri(result.truth_key)}"
        + (f"; {result.removed:,} old objects removed" if result.removed else "")
    )


@app.command()
def land(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of records (JSON, NDJSON, gzip, envelopes).")],
    lake: LakeOption = None,
    arrival: Annotated[
        str | None, typer.Option(help="Arrival time of every record (ISO-8601, UTC). Default: now.")
    ] = None,
    arrival_from_event: Annotated[
        bool,
        typer.Option(
            "--arrival-from-event",
            help="Arrive each record at its own event time (Pinpoint arrival_timestamp, SES event timestamp, "
            "End User Messaging eventTimestamp); records without one use --arrival.",
        ),
    ] = False,
    max_records: MaxRecords = None,
    buffer_mib: BufferMiB = DEFAULT_BUFFER_BYTES / 2**20,
    buffer_seconds: BufferSeconds = DEFAULT_BUFFER_SECONDS,
    no_gzip: NoGzip = False,
    undelimited: Undelimited = None,
) -> None:
    """Land records from files or folders into the lake, each under its producer's prefix (classified by content)."""
    files = expand_paths(paths)  # fails fast, before anything lands, on a missing path
    store = _store(lake, creates=True)
    with progress() as bar:
        task = bar.add_task("landing files", total=len(files))
        result = land_paths(
            files,
            store,
            arrival=_parse_time(arrival),
            arrival_from_event=arrival_from_event,
            hints=_hints(max_records, buffer_mib, buffer_seconds),
            gzip_objects=not no_gzip,
            delimited=_delimited(undelimited),
            on_file=lambda _: bar.advance(task),
        )
    print_table(landing_table(result.landing, f"Landed {result.files:,} file(s) into {escape(store.root)}"))
    rejected = sum(result.rejected.values())
    console.print(f"{result.records_in:,} records in = {result.landing.records:,} landed + {rejected:,} quarantined")
    if result.rejected:
        print_table(_counts_table("Quarantined from the inputs", "reason", result.rejected))
        console.print(f"quarantine: {', '.join(store.uri(key) for key in result.quarantine_keys)}", markup=False)
    if result.arrival_fallbacks:
        console.print(f"[yellow]{result.arrival_fallbacks:,} record(s) carry no event time; they arrived at --arrival")
    if result.unreadable:
        raise InputError(f"{len(result.unreadable)} input file(s) could not be read: {'; '.join(result.unreadable)}")


def _counts_table(title: str, label: str, counts: Any) -> Table:
    table = Table(title=title)
    table.add_column(label)
    table.add_column("records", justify="right")
    for key, count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))):
        table.add_row(escape(str(key)), f"{count:,}")
    return table


def _report_json(report: ScanReport) -> dict[str, Any]:
    return {
        "objects": report.objects,
        "stored_bytes": report.stored_bytes,
        "unreadable_objects": report.unreadable_objects,
        "non_firehose_keys": report.non_firehose_keys,
        "compression_mismatches": report.compression_mismatches,
        "lines": report.lines,
        "blank_lines": report.blank_lines,
        "run_together_lines": report.run_together_lines,
        "records": report.records,
        "parsed": {p.value: report.parsed[p] for p in Producer},
        "quarantined": dict(report.quarantined),
        "by_type": {f"{p.value} {t}": n for (p, t), n in sorted(report.by_type.items())},
        "unknown_types": {f"{p.value} {t}": n for (p, t), n in sorted(report.unknown_types.items())},
        "misfiled": {f"{a.value}->{b.value}": n for (a, b), n in sorted(report.misfiled.items())},
        "quarantine_objects_written": report.quarantine_objects_written,
        "reconciles": report.reconciles,
    }


def _report_rows(counts: dict[str, Any]) -> list[dict[str, Any]]:
    """The inspect report as long rows: a top-level count is section "summary"; a breakdown is its own section."""
    rows: list[dict[str, Any]] = []
    for section, value in counts.items():
        if isinstance(value, dict):
            rows += [{"section": section, "name": name, "value": count} for name, count in value.items()]
        else:
            rows.append({"section": "summary", "name": section, "value": value})
    return rows


@app.command()
def inspect(
    lake: LakeOption = None,
    write_quarantine: Annotated[
        bool, typer.Option("--write-quarantine", help="Write each object's quarantined records under quarantine/.")
    ] = False,
    output: FormatOption = OutputFormat.TABLE,
    as_json: Annotated[bool, typer.Option("--json", hidden=True, help="Same as --format json.")] = False,
    move_unreadable: Annotated[
        bool,
        typer.Option(
            "--move-unreadable",
            help="Sweep first: move objects the models cannot read to moved-aside/, re-land their readable "
            "lines, quarantine the rest (what `englake models build` does before dbt).",
        ),
    ] = False,
) -> None:
    """Read every raw object back: objects, lines, events per producer and type, quarantine per reason.

    json is one document of every count; csv is one row per count (section, name, value)."""
    store = _store(lake, must_exist=True)
    as_json = as_json or output is not OutputFormat.TABLE
    if move_unreadable:
        swept = run_sweep(store, quiet=as_json)
        if not as_json:
            print_sweep_report(store, swept)
    objects = lake_objects(store)
    with progress(transient=as_json) as bar:
        task = bar.add_task("reading objects", total=len(objects))
        report = inspect_lake(store, objects=objects, write=write_quarantine, on_object=lambda _: bar.advance(task))
    if output is OutputFormat.CSV:
        emit(_report_rows(_report_json(report)), (Column("section"), Column("name"), Column("value")), output)
    elif as_json:
        typer.echo(json.dumps(_report_json(report), indent=2))
    else:
        print_scan_report(store, report)
    if report.unreadable_objects:
        raise LakeError(
            f"{report.unreadable_objects} object(s) in {store.root} could not be read; "
            "they are counted as quarantined (move them aside with --move-unreadable; see `englake lake quarantine`)"
        )


def run_sweep(store: LakeStore, *, quiet: bool = False) -> SweepReport:
    """The sweep with a progress bar (objects already checked go by without being read)."""
    objects = lake_objects(store)
    with progress(transient=True) as bar:
        task = bar.add_task("sweeping new objects", total=len(objects), visible=not quiet)
        return sweep_lake(store, objects=objects, on_object=lambda _: bar.advance(task))


def print_sweep_report(store: LakeStore, report: SweepReport) -> None:
    console.print(
        f"sweep of {escape(store.root)}: {report.objects:,} raw object(s), {report.checked:,} checked, "
        f"{report.already_checked:,} checked before; {report.moved:,} moved aside ({report.salvaged:,} salvaged), "
        f"{report.lines_quarantined:,} line(s) or object(s) quarantined"
    )
    if report.moves:
        table = Table(title="Objects moved to moved-aside/")
        for column in ("object", "why", "lines kept", "quarantined", "re-landed as"):
            table.add_column(column, overflow="fold")
        for move in report.moves:
            table.add_row(
                escape(move.key),
                escape(move.why),
                f"{move.kept:,}",
                f"{move.quarantined:,}",
                escape(move.salvage_key or ""),
            )
        print_table(table)
    for problem in report.unfetchable:
        err_console.print(f"[yellow]warning:[/yellow] could not fetch {escape(problem)}; the next sweep tries again")


def print_scan_report(store: LakeStore, report: ScanReport) -> None:
    summary = Table(title=f"Lake {escape(store.root)}", show_header=False)
    summary.add_column("what")
    summary.add_column("count", justify="right")
    for label, value in [
        ("objects", report.objects),
        ("stored bytes", report.stored_bytes),
        ("unreadable objects", report.unreadable_objects),
        ("objects not named as Firehose names them", report.non_firehose_keys),
        ("objects whose .gz name and content disagree", report.compression_mismatches),
        ("lines", report.lines),
        ("blank lines (not records)", report.blank_lines),
        ("lines with records run together", report.run_together_lines),
        ("records", report.records),
        ("parsed events", report.parsed_total),
        *((f"  {producer.value} events", report.parsed[producer]) for producer in Producer),
        ("quarantined", report.quarantined_total),
    ]:
        summary.add_row(label, f"{value:,}")
    summary.add_row("records = parsed + quarantined", "yes" if report.reconciles else "[red]NO")
    print_table(summary)

    events = Table(title="Events per producer and raw event type")
    for column in ("producer", "event type", "events", "known"):
        events.add_column(column, justify="right" if column == "events" else "left")
    for (producer, event_type), count in sorted(report.by_type.items(), key=lambda item: (item[0][0], -item[1])):
        if is_custom_event_type(producer, event_type):
            known = "custom"
        else:
            known = "yes" if is_known_event_type(producer, event_type) else "[yellow]unknown"
        events.add_row(producer.value, escape(event_type), f"{count:,}", known)
    print_table(events)

    if report.quarantined:
        print_table(_counts_table("Quarantined per reason", "reason", report.quarantined))
    if report.misfiled:
        misfiled = {f"{a.value} prefix holds {b.value} events": n for (a, b), n in report.misfiled.items()}
        print_table(_counts_table("Events under another producer's prefix", "where", misfiled))
    if report.quarantine_objects_written:
        console.print(f"wrote {report.quarantine_objects_written:,} quarantine object(s) under quarantine/")


#: A record longer than this shows its start and how much more there is (csv and json carry it whole).
RECORD_PREVIEW = 120


def _cut(record: str) -> str:
    return (
        record
        if len(record) <= RECORD_PREVIEW
        else f"{record[:RECORD_PREVIEW]} [+{len(record) - RECORD_PREVIEW:,} chars]"
    )


#: The quarantine listing's table (csv and json carry every field of a row: detail and detected_at too).
QUARANTINE_COLUMNS = (
    Column("found_by", "found by"),
    Column("source"),
    Column("line", numeric=True),
    Column("offset", numeric=True),
    Column("reason"),
    Column("record", render=lambda record: _cut(plain(record))),
)


@app.command()
def quarantine(
    lake: LakeOption = None,
    reason: Annotated[str | None, typer.Option(help="Only reasons containing this text.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="Show at most this many records (0: all).")] = 50,
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
    as_json: Annotated[bool, typer.Option("--json", hidden=True, help="Same as --format json.")] = False,
) -> None:
    """List what could not be read: the models' lake_quarantine and the records that never reached the models."""
    from englake.settings import Settings
    from ingest.quarantine_listing import quarantine_listing, rows_matching

    store = _store(lake, must_exist=True)
    settings = Settings(lake_root=lake) if lake else get_settings()
    listing = quarantine_listing(store, settings.resolved_duckdb_path if settings.is_local else None)
    rows = list(rows_matching(listing, reason))
    shown = rows if limit == 0 else rows[:limit]
    output = OutputFormat.JSON if as_json else output
    if listing.note:
        err_console.print(f"note: {listing.note}", markup=False)
    listed = []
    for row in shown:
        fields = row.to_dict()
        if output is OutputFormat.TABLE and row.record is None:
            fields["record"] = "(whole object)" if row.line is None else ""
        listed.append(fields)
    emit(listed, QUARANTINE_COLUMNS, output, title=f"Quarantine of {store.root}: {len(rows):,} record(s)", wide=wide)
    if output is OutputFormat.TABLE and len(shown) < len(rows):
        console.print(f"{len(rows) - len(shown):,} more; use --limit 0 to show all")


@app.command("register-glue")
def register_glue_command(
    lake: Annotated[
        str | None,
        typer.Option(
            "--lake",
            help="S3 lake root (s3://bucket or s3://bucket/prefix). Default: --bucket, else $ENGLAKE_LAKE_ROOT.",
        ),
    ] = None,
    bucket: Annotated[str | None, typer.Option(help="Lake bucket (the root is s3://<bucket>).")] = None,
    database: Annotated[str | None, typer.Option(help="Glue database. Default: $ENGLAKE_GLUE_DATABASE.")] = None,
    projection_start: Annotated[
        str, typer.Option(help="First projected arrival hour, YYYY/MM/DD/HH.")
    ] = DEFAULT_PROJECTION_START,
    region: Annotated[str | None, typer.Option(help="AWS Region. Default: $ENGLAKE_AWS_REGION or the SDK's.")] = None,
) -> None:
    """Create or update the Glue database and raw tables (partition projection, no crawler, no ALTER TABLE)."""
    from englake.aws import client

    settings = get_settings()
    root = lake or (f"s3://{bucket}" if bucket else settings.lake_root)
    result = register_glue(
        client("glue", region or settings.aws_region),
        root,
        database=database or settings.glue_database,
        projection_start=projection_start,
    )
    table = Table(title=f"Glue registration of {escape(root)}")
    table.add_column("resource")
    table.add_column("status")
    table.add_row(f"database {result.database}", result.database_status)
    for name, status in result.tables.items():
        table.add_row(f"table {result.database}.{name}", status)
    print_table(table)


@app.command("export-campaigns")
def export_campaigns(
    lake: LakeOption = None,
    application_id: Annotated[
        str | None, typer.Option(help="Pinpoint project id. Default: $ENGLAKE_PINPOINT_APPLICATION_ID.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region. Default: $ENGLAKE_AWS_REGION or the SDK's.")] = None,
) -> None:
    """Copy a Pinpoint project's campaign and journey names into the lake's catalog (for dim_campaigns)."""
    from englake.aws import client
    from ingest.campaign_catalog import export_pinpoint_catalog

    settings = get_settings()
    app_id = application_id or settings.pinpoint_application_id
    if not app_id:
        raise InputError("no Pinpoint project: pass --application-id or set ENGLAKE_PINPOINT_APPLICATION_ID")
    result = export_pinpoint_catalog(_store(lake), client("pinpoint", region or settings.aws_region), app_id)
    console.print(
        f"{result.campaigns:,} campaigns and {result.journeys:,} journeys → "
        + ", ".join(escape(key) for key in result.keys)
    )
