"""``englake sms …``: self-managed opt-outs, SMS from a file, phone number validation (AWS End User Messaging)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.table import Table

from englake.aws import client as aws_client
from englake.console import console, err_console
from englake.errors import ConfigError, InputError
from englake.storage import split_s3_uri

app = typer.Typer(
    help="SMS operations on AWS End User Messaging: opt-outs, SMS from a file, phone validation.", no_args_is_help=True
)
optouts_app = typer.Typer(help="Self-managed opt-outs: the opt-out list and inbound keywords.", no_args_is_help=True)
app.add_typer(optouts_app, name="opt-outs")

Region = Annotated[str | None, typer.Option(envvar="ENGLAKE_AWS_REGION", help="AWS Region.")]
ListName = Annotated[str | None, typer.Option("--list", help="Opt-out list (ENGLAKE_SMS_OPT_OUT_LIST, Default).")]


def _settings(**overrides):
    from handlers.sms.config import SmsSettings

    settings = SmsSettings()
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def _aws_error(error: Exception) -> ConfigError:
    return ConfigError(f"AWS call failed: {error}")


@optouts_app.command("list")
def optouts_list(
    opt_out_list: ListName = None,
    show_numbers: bool = typer.Option(False, "--show-numbers", help="Print full numbers (masked by default)."),
    region: Region = None,
) -> None:
    """Numbers on the End User Messaging opt-out list (DescribeOptedOutNumbers, every page)."""
    from handlers.phone_validation.normalize import mask

    settings = _settings(opt_out_list=opt_out_list, aws_region=region)
    client = aws_client("pinpoint-sms-voice-v2", settings.aws_region)
    table = Table(title=f"opt-out list {settings.opt_out_list}")
    for column in ("number", "opted out at", "by the person"):
        table.add_column(column)
    count = 0
    try:
        for page in client.get_paginator("describe_opted_out_numbers").paginate(OptOutListName=settings.opt_out_list):
            for item in page["OptedOutNumbers"]:
                count += 1
                number = item["OptedOutNumber"]
                table.add_row(
                    number if show_numbers else mask(number),
                    str(item["OptedOutTimestamp"]),
                    "yes" if item["EndUserOptedOut"] else "no",
                )
    except (ClientError, BotoCoreError) as error:
        raise _aws_error(error) from None
    console.print(table)
    console.print(f"{count} opted-out numbers")


@optouts_app.command("handle")
def optouts_handle(
    payloads: Annotated[list[Path], typer.Argument(help="Inbound two-way SMS payloads (JSON, or SNS envelopes).")],
    opt_out_list: ListName = None,
    region: Region = None,
) -> None:
    """Apply inbound SMS payloads as the Lambda would (keywords → opt-out list, contacts, one confirmation)."""
    from handlers.sms.inbound import parse_inbound
    from handlers.sms.optouts import process_inbound

    settings = _settings(opt_out_list=opt_out_list, aws_region=region)
    deps = {
        "sms_client": aws_client("pinpoint-sms-voice-v2", settings.aws_region),
        "ledger": settings.ledger(),
        "config": settings.opt_out_config(),
        "contacts": settings.contacts(),
    }
    table = Table(title="inbound messages")
    for column in ("file", "action", "changed", "replied", "contacts marked", "note"):
        table.add_column(column)
    for path in payloads:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        message = parse_inbound(path.read_text(encoding="utf-8"), str(path))
        try:
            outcome = process_inbound(message, **deps)
        except (ClientError, BotoCoreError) as error:
            raise _aws_error(error) from None
        note = "replay" if outcome.replay else "older than the last change" if outcome.stale else ""
        table.add_row(
            path.name,
            outcome.action.value,
            str(outcome.changed),
            str(outcome.replied),
            str(outcome.contacts_marked),
            note,
        )
    console.print(table)


@app.command("send-file")
def send_file(
    source: Annotated[str, typer.Argument(help="A CSV on disk or s3://bucket/key.csv.")],
    origination_identity: Annotated[str | None, typer.Option(help="Default origination identity of rows.")] = None,
    configuration_set: Annotated[
        str | None, typer.Option(help="Configuration set (its event destination lands the events in the lake).")
    ] = None,
    max_price: Annotated[str | None, typer.Option(help="MaxPrice per message, USD.")] = None,
    time_to_live: Annotated[int | None, typer.Option(help="TimeToLive, seconds.")] = None,
    assume_us: Annotated[bool, typer.Option(help="Read numbers without + as US national numbers.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report only; send nothing.")] = False,
    region: Region = None,
) -> None:
    """Validate a CSV, write its rejects and report beside it, then send each row once, paced per identity."""
    from handlers.sms.filedrop import ListQueue, LocalBucket, S3Object, intake_object
    from handlers.sms.ledger import SqliteLedger
    from handlers.sms.pacing import Pacer
    from handlers.sms.report import ReportLocation, build_report, write_report
    from handlers.sms.sender import SendOptions, identity_rates, send_client, send_rows

    settings = _settings(
        origination_identity=origination_identity,
        configuration_set=configuration_set,
        max_price=max_price,
        time_to_live=time_to_live,
        aws_region=region,
    )
    if source.startswith("s3://"):
        bucket, key = split_s3_uri(source)
        s3 = aws_client("s3", settings.aws_region)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{source}: no such file")
        bucket, key, s3 = str(path.parent), path.name, LocalBucket(str(path.parent))
    # A dry run must not mark the file as taken: it uses a throwaway ledger.
    queue, ledger = ListQueue(), SqliteLedger(":memory:") if dry_run else settings.ledger()
    try:
        result = intake_object(
            S3Object(bucket, key, ""),
            s3=s3,
            queue=queue,
            ledger=ledger,
            report_prefix=settings.report_prefix,
            default_origination=settings.origination_identity,
            assume_us=assume_us or settings.assume_us,
            requeue=True,
        )
    except (ClientError, BotoCoreError) as error:
        raise _aws_error(error) from None
    where = f"{bucket}/{result.report.key}"
    console.print(f"{result.rows} rows: {result.accepted} valid, {result.rejected} rejected (report: {where})")
    if dry_run or not queue.rows:
        return
    client = send_client(settings.aws_region)
    pacer = Pacer(identity_rates(client), overrides=settings.mps())
    options = SendOptions(settings.configuration_set, settings.max_price, settings.time_to_live)
    from englake.console import progress

    outcomes = []
    try:
        with progress() as bar:
            task = bar.add_task("sending", total=len(queue.rows))
            for row in queue.rows:
                outcomes += send_rows([row], sms_client=client, ledger=ledger, pacer=pacer, options=options)
                bar.advance(task)
    except (ClientError, BotoCoreError) as error:
        raise _aws_error(error) from None
    finally:
        report = build_report(ledger, result.file_id)
        write_report(s3, ReportLocation(result.report.bucket, result.report.key), report)
    now = {status: sum(1 for o in outcomes if o.status == status) for status in ("sent", "failed", "duplicate")}
    console.print(
        f"{now['sent']} sent now, {now['failed']} refused now, {now['duplicate']} done before (not sent again)"
    )
    _print_report(report)
    if report["failed"] or report["unknown"]:
        raise typer.Exit(2)


@app.command("report")
def report_command(
    etag: Annotated[str, typer.Argument(help="The file's ETag (its id in the ledger; in the report JSON).")],
) -> None:
    """A file's send report from the ledger (sent, failed with reasons, unknown, pending)."""
    from handlers.sms.report import build_report

    report = build_report(_settings().ledger(), etag.strip('"'))
    if not report["file"]:
        raise InputError(f"no file with ETag {etag} in the ledger")
    _print_report(report)


def _print_report(report: dict) -> None:
    table = Table(title=f"{report['file']}")
    for column in ("rows", "accepted", "rejected", "sent", "failed", "unknown", "pending"):
        table.add_column(column, justify="right")
    table.add_row(*(f"{report[k]:,}" for k in ("rows", "accepted", "rejected", "sent", "failed", "unknown", "pending")))
    console.print(table)
    for reason, count in sorted(report["failure_reasons"].items()):
        err_console.print(f"  failed: {count:,} × {reason}")


@app.command("validate")
def validate(
    file: Annotated[
        Path | None, typer.Option("--file", help="CSV with a phone column, or one number per line.")
    ] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="A segment's SMS/VOICE endpoints.")] = None,
    application_id: Annotated[
        str | None, typer.Option("--application-id", help="The SMS/VOICE endpoints of the newest export.")
    ] = None,
    assume_us: Annotated[bool, typer.Option(help="Read numbers without + as US national numbers.")] = False,
    rate: Annotated[float, typer.Option(help="PhoneNumberValidate calls per second (quota: 20).")] = 20.0,
    write_attributes: Annotated[
        bool,
        typer.Option(help="Write PNV_* attributes on the profiles or endpoints holding each number."),
    ] = False,
    lake: Annotated[str | None, typer.Option("--lake", help="Lake root (ENGLAKE_LAKE_ROOT).")] = None,
    region: Region = None,
) -> None:
    """Validate numbers with PhoneNumberValidate, each once (cached in the lake → dim_phone_numbers)."""
    from englake.settings import Settings
    from englake.storage import open_lake
    from handlers.phone_validation.attributes import write_attributes as write_pnv
    from handlers.phone_validation.cache import LakePhoneCache
    from handlers.phone_validation.sources import numbers_from_export, numbers_from_segment, numbers_from_text
    from handlers.phone_validation.validate import validate_numbers

    if sum(x is not None for x in (file, segment, application_id)) != 1:
        raise ConfigError("give exactly one of --file, --segment or --application-id")
    settings = Settings(lake_root=lake) if lake else Settings()
    store = open_lake(settings.lake_root)
    if file is not None:
        if not file.is_file():
            raise InputError(f"{file}: no such file")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{file}: not UTF-8 text") from None
        numbers = list(numbers_from_text(text, str(file)))
    elif segment is not None:
        numbers = numbers_from_segment(settings, segment)
    else:
        numbers = numbers_from_export(store, application_id or "")
    try:
        results = validate_numbers(
            numbers,
            client=aws_client("pinpoint", region),
            cache=LakePhoneCache(store),
            rate_per_second=rate,
            assume_us=assume_us,
        )
        written = 0
        if write_attributes:
            sms = _settings(lake_root=settings.lake_root, aws_region=region)
            if not (sms.pinpoint_application_id or sms.profiles_domain):
                raise ConfigError(
                    "--write-attributes needs ENGLAKE_SMS_PROFILES_DOMAIN or ENGLAKE_PINPOINT_APPLICATION_ID"
                )
            written = write_pnv(results.values(), sms.contacts())
    except (ClientError, BotoCoreError) as error:
        raise _aws_error(error) from None
    table = Table(title=f"{len(results):,} numbers validated")
    table.add_column("type")
    table.add_column("numbers", justify="right")
    counts: dict[str, int] = {}
    for result in results.values():
        label = "not yet (retry)" if result.retryable else (result.type or "?") if result.valid else "invalid"
        counts[label] = counts.get(label, 0) + 1
    for label, count in sorted(counts.items()):
        table.add_row(label, f"{count:,}")
    console.print(table)
    if write_attributes:
        console.print(f"{written:,} endpoints written")
    console.print(f"results: {store.uri('phone_numbers/validations/')} (dbt model dim_phone_numbers)")
    if counts.get("not yet (retry)"):
        raise typer.Exit(2)
