"""``englake audiences …``: check and import audience files, create and follow campaigns, event-driven attributes."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from englake.aws import client as aws_client
from englake.console import console, err_console
from englake.errors import ConfigError, InputError

app = typer.Typer(help="Audience files → validated imports → campaigns; event-driven attributes.", no_args_is_help=True)
campaign_app = typer.Typer(help="Create a campaign once and follow it to its end.", no_args_is_help=True)
attributes_app = typer.Typer(help="Event-driven endpoint attributes: the rules, and their replay over the lake.")
app.add_typer(campaign_app, name="campaign")
app.add_typer(attributes_app, name="attributes")

#: Exit code when a file was read but some rows were rejected (1 is an error that stopped the command).
EXIT_REJECTS = 2
#: Exit code when a followed campaign ended FAILED or was still running at the bound.
EXIT_CAMPAIGN_FAILED = 3

Region = Annotated[str | None, typer.Option(envvar="ENGLAKE_AWS_REGION", help="AWS Region.")]


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: {error.strerror}") from None


def _print_report(parsed, title: str, limit: int) -> None:
    table = Table(title=title)
    table.add_column("line", justify="right")
    table.add_column("endpoint id")
    table.add_column("reason")
    for reject in sorted(parsed.rejects, key=lambda r: r.line)[:limit]:
        table.add_row(str(reject.line), reject.endpoint_id or "–", reject.reason)
    if parsed.rejects:
        console.print(table)
    console.print(
        f"{parsed.rows:,} rows: [green]{len(parsed.endpoints):,} accepted[/green], "
        f"[red]{len(parsed.rejects):,} rejected[/red] ({parsed.format})"
    )


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="A CSV (header row) or NDJSON audience file.")],
    assume_us: Annotated[bool, typer.Option(help="Read numbers without a country code as US numbers.")] = False,
    limit: Annotated[int, typer.Option(help="Rejects to list.")] = 50,
) -> None:
    """Validate a file locally (headers, ids, encodings, sizes, phone numbers parsed offline); no AWS call."""
    from handlers.audiences.parse import parse_audience
    from handlers.audiences.phones import normalize_only

    parsed = parse_audience(_read_file(path), str(path))
    normalize_only(parsed, assume_us)
    _print_report(parsed, f"Rejected rows of {path.name}", limit)
    if parsed.rejects:
        raise typer.Exit(EXIT_REJECTS)


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(help="The audience file.")],
    bucket: Annotated[str, typer.Option(envvar="ENGLAKE_AUDIENCES_BUCKET", help="Bucket for the staged copy.")],
    backend: Annotated[str, typer.Option(help="customer-profiles or pinpoint.")] = "customer-profiles",
    application_id: Annotated[str | None, typer.Option(envvar="ENGLAKE_AUDIENCES_PINPOINT_APPLICATION_ID")] = None,
    role_arn: Annotated[str | None, typer.Option(envvar="ENGLAKE_AUDIENCES_IMPORT_ROLE_ARN")] = None,
    domain: Annotated[str | None, typer.Option(envvar="ENGLAKE_AUDIENCES_PROFILES_DOMAIN")] = None,
    validate_phones: Annotated[bool, typer.Option(help="PhoneNumberValidate the SMS and VOICE rows.")] = True,
    max_polls: Annotated[int, typer.Option(help="Import job polls (5 s apart) before giving up.")] = 120,
    region: Region = None,
) -> None:
    """Import a file now, in-process (the deployed workflow does the same per dropped file): upload, validate,
    import, wait for the job, print the report, clean the staging prefix."""
    from handlers.audiences import process
    from handlers.audiences.contracts import StartInput
    from handlers.audiences.settings import AudienceSettings
    from handlers.phone_validation import MemoryPhoneCache, validate_numbers

    settings = AudienceSettings(
        backend=backend,  # type: ignore[arg-type]
        bucket=bucket,
        pinpoint_application_id=application_id,
        import_role_arn=role_arn,
        profiles_domain=domain,
        aws_region=region,
    )
    s3 = aws_client("s3", region)
    pinpoint = aws_client("pinpoint", region)
    validator = None
    if validate_phones:

        def validator(numbers: list[str]) -> dict:
            return validate_numbers(numbers, client=pinpoint, cache=MemoryPhoneCache())

    ctx = settings.context(s3=s3, validator=validator)
    key = f"{settings.prefix}manual/{datetime.now(UTC):%Y%m%dT%H%M%S}-{path.name}"
    put = s3.put_object(Bucket=bucket, Key=key, Body=_read_file(path))
    from handlers.audiences.contracts import ObjectRef

    ref = ObjectRef(bucket=bucket, key=key, version_id=put.get("VersionId"), etag=put["ETag"].strip('"'))
    start = StartInput(object=ref, run_id=ref.run_id(), backend=settings.backend, validate_phones=validate_phones)
    with console.status("importing…"):
        staged, status = process.run_import(start, ctx, max_polls=max_polls, wait=time.sleep)
    process.clean_staging(ctx, start.run_id)
    console.print(f"report: s3://{bucket}/{staged.report_key}")
    console.print(f"{staged.rows:,} rows, {staged.accepted:,} accepted, {staged.rejected:,} rejected")
    if status is not None:
        console.print(f"import job {status.job.job_id}: {status.service_status} ({status.processed:,} imported)")
        if status.state != "SUCCEEDED":
            raise typer.Exit(1)
    if staged.rejected:
        raise typer.Exit(EXIT_REJECTS)


def _campaign_backend(backend: str, application_id, instance_id, domain, source, region):
    from handlers.audiences.settings import AudienceSettings

    settings = AudienceSettings(
        pinpoint_application_id=application_id,
        connect_instance_id=instance_id,
        profiles_domain=domain,
        connect_source=source,
        aws_region=region,
    )
    return settings.campaign_backend_for(backend)


Backend = Annotated[str, typer.Option(help="pinpoint or connect.")]
AppId = Annotated[str | None, typer.Option(envvar="ENGLAKE_AUDIENCES_PINPOINT_APPLICATION_ID", help="Pinpoint app.")]
Instance = Annotated[str | None, typer.Option(envvar="ENGLAKE_AUDIENCES_CONNECT_INSTANCE_ID", help="Connect instance.")]
Domain = Annotated[str | None, typer.Option(envvar="ENGLAKE_AUDIENCES_PROFILES_DOMAIN", help="Profiles domain.")]
Source = Annotated[str | None, typer.Option(envvar="ENGLAKE_AUDIENCES_CONNECT_SOURCE", help="Connect sender.")]


@campaign_app.command("create")
def campaign_create(
    name: Annotated[str, typer.Option(help="Campaign name.")],
    template: Annotated[str, typer.Option(help="Pinpoint template name, or Connect message template ARN.")],
    segment: Annotated[
        str | None, typer.Option(help="Pinpoint segment id, or Customer Profiles segment definition ARN.")
    ] = None,
    dbt_segment: Annotated[
        str | None, typer.Option(help="A dbt segment model's name (meta.segment_name), as the segment sync writes it.")
    ] = None,
    backend: Backend = "connect",
    channel: Annotated[str, typer.Option(help="SMS or EMAIL.")] = "SMS",
    start: Annotated[
        str | None, typer.Option(help="ISO-8601 start with an offset (…Z, …+01:00); now if absent.")
    ] = None,
    key: Annotated[str | None, typer.Option(help="Idempotency key (default: a hash of the request).")] = None,
    application_id: AppId = None,
    instance_id: Instance = None,
    domain: Domain = None,
    source: Source = None,
    region: Region = None,
) -> None:
    """Create the campaign, once: the same request again returns the campaign it already made."""
    from pydantic import ValidationError

    from handlers.campaigns.models import CampaignRequest, parse_start

    if (segment is None) == (dbt_segment is None):
        raise InputError("give exactly one of --segment and --dbt-segment")
    campaigns = _campaign_backend(backend, application_id, instance_id, domain, source, region)
    if dbt_segment is not None:
        segment = campaigns.segment_for_model(dbt_segment)
    try:
        request = CampaignRequest(
            name=name,
            segment=segment,
            template=template,
            channel=channel,  # type: ignore[arg-type]
            start=parse_start(start) if start else None,
            idempotency_key=key,
        )
    except ValidationError as error:
        raise InputError(f"campaign request: {error.errors()[0]['msg']}") from None
    ref = campaigns.create(request)
    verb = "created" if ref.created else "already existed"
    console.print(f"campaign {ref.campaign_id} {verb} (key {ref.key})")


@campaign_app.command("status")
def campaign_status(
    campaign_id: Annotated[str, typer.Argument(help="Campaign id.")],
    backend: Backend = "connect",
    wait: Annotated[bool, typer.Option(help="Follow it until it succeeds, fails, or --max-polls.")] = False,
    max_polls: Annotated[int, typer.Option(help="Polls when --wait.")] = 60,
    poll_seconds: Annotated[float, typer.Option(help="Seconds between polls.")] = 30.0,
    application_id: AppId = None,
    instance_id: Instance = None,
    domain: Domain = None,
    source: Source = None,
    region: Region = None,
) -> None:
    """The campaign's progress over all its activities; exit 3 when it failed or did not end within the bound."""
    from handlers.campaigns.models import CampaignRef
    from handlers.campaigns.process import follow

    campaigns = _campaign_backend(backend, application_id, instance_id, domain, source, region)
    owner = application_id if backend == "pinpoint" else instance_id
    if not owner:
        raise ConfigError("--application-id (pinpoint) or --instance-id (connect) is required")
    ref = CampaignRef(backend=backend, campaign_id=campaign_id, owner=owner, key="", created=False)  # type: ignore[arg-type]
    progress = follow(
        ref,
        campaigns,
        max_polls=max_polls if wait else 1,
        wait=lambda: time.sleep(poll_seconds),
        on_progress=lambda p: console.print(f"{p.progress}: {p.detail}"),
    )
    if progress.progress != "SUCCEEDED" and (wait or progress.progress == "FAILED"):
        err_console.print(f"campaign {campaign_id} is {progress.progress} ({progress.detail})")
        raise typer.Exit(EXIT_CAMPAIGN_FAILED)


@attributes_app.command("rules")
def attributes_rules() -> None:
    """The rules (handlers/event_attributes/rules.csv, also the dbt seed event_attribute_rules)."""
    from handlers.event_attributes.rules import RULES_FILE, load_rules

    table = Table(title=str(RULES_FILE))
    for column in ("event type", "attribute", "action", "value", "expires after"):
        table.add_column(column)
    for event_type, rules in load_rules().items():
        for rule in rules:
            value = rule.value or f"attributes.{rule.value_from_attribute}"
            ttl = f"{rule.ttl.days} days" if rule.ttl else "–"
            table.add_row(event_type, rule.attribute, rule.action, value, ttl)
    console.print(table)


@attributes_app.command("replay")
def attributes_replay(
    lake: Annotated[str | None, typer.Option("--lake", help="Lake root (ENGLAKE_LAKE_ROOT).")] = None,
    as_of: Annotated[str | None, typer.Option(help="UTC time the expiries are judged at (default now).")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Show one endpoint's attributes.")] = None,
) -> None:
    """Rebuild the attributes from the lake with dbt (model event_attributes) and summarise them."""
    from englake.database import open_built
    from englake.dbt import run_dbt
    from englake.settings import Settings

    settings = Settings(lake_root=lake) if lake else Settings()
    args = ["build", "--select", "+event_attributes"]
    if as_of:
        args += ["--vars", json.dumps({"englake__attributes_as_of": as_of})]
    with console.status("dbt build +event_attributes…"):
        result = run_dbt(args, settings)
    if not result.success:
        raise ConfigError("dbt build of event_attributes failed; run `englake models build` for details")
    with open_built(settings.resolved_duckdb_path) as db:
        if endpoint:
            rows = db.execute(
                "select attribute, attribute_value, decided_at, expires_at from event_attributes"
                " where endpoint_id = ? order by 1, 2",
                [endpoint],
            ).fetchall()
            columns = ("attribute", "value", "decided at", "expires at")
        else:
            rows = db.execute(
                "select attribute, attribute_value, count(*) from event_attributes group by 1, 2 order by 1, 2"
            ).fetchall()
            columns = ("attribute", "value", "endpoints")
    table = Table(title="event_attributes")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)
