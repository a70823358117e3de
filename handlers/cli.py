"""``englake ops …``: operate the handlers' data, the message archive and the address (suppression) store."""

from __future__ import annotations

from typing import Annotated

import typer
from botocore.exceptions import BotoCoreError, ClientError
from rich.table import Table

from englake.aws import client as aws_client
from englake.console import console, err_console
from englake.errors import ConfigError, LakeError
from englake.output import Column, FormatOption, OutputFormat, WideOption, count, emit

app = typer.Typer(
    help="Operate the handlers' data: the message archive and the suppression store.", no_args_is_help=True
)
archive_app = typer.Typer(help="List or erase an endpoint's archived messages (S3).", no_args_is_help=True)
suppression_app = typer.Typer(
    help="Inspect the address store of bounce and complaint processing.", no_args_is_help=True
)
app.add_typer(archive_app, name="archive")
app.add_typer(suppression_app, name="suppression")

Bucket = Annotated[str, typer.Option(envvar="ENGLAKE_ARCHIVE_BUCKET", help="Archive bucket (ENGLAKE_ARCHIVE_BUCKET).")]
Prefix = Annotated[str, typer.Option(envvar="ENGLAKE_ARCHIVE_PREFIX", help="Key prefix of the archive.")]
Endpoint = Annotated[str | None, typer.Option("--endpoint", help="Pinpoint endpoint id.")]
Address = Annotated[
    str | None, typer.Option("--address", help="Email address of SES-sent mail archived without an endpoint tag.")
]
Region = Annotated[str | None, typer.Option(envvar="ENGLAKE_AWS_REGION", help="AWS Region.")]


def _archive(bucket: str, prefix: str, region: str | None):
    from handlers.archiver.store import ArchiveStore

    return ArchiveStore(aws_client("s3", region), bucket, prefix)


def _endpoint_id(endpoint: str | None, address: str | None) -> str:
    from handlers.archiver.events import address_endpoint_id

    if bool(endpoint) == bool(address):
        raise ConfigError("give exactly one of --endpoint ID or --address EMAIL")
    return endpoint or address_endpoint_id(address or "")


@archive_app.command("list")
def archive_list(
    bucket: Bucket,
    endpoint: Endpoint = None,
    address: Address = None,
    prefix: Prefix = "archive",
    region: Region = None,
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """List an endpoint's archived messages (latest versions)."""
    endpoint_id = _endpoint_id(endpoint, address)
    try:
        objects = _archive(bucket, prefix, region).list(endpoint_id)
    except (ClientError, BotoCoreError) as error:
        raise LakeError(f"s3://{bucket}/{prefix}/: {error}") from None
    rows = [
        {"key": obj.key, "bytes": obj.size, "stored_at": obj.last_modified.strftime("%Y-%m-%d %H:%M:%S")}
        for obj in objects
    ]
    columns = (Column("key"), Column("bytes", render=count, numeric=True), Column("stored_at", "stored (UTC)"))
    emit(rows, columns, output, title=f"Archived messages of {endpoint_id}", wide=wide)
    if output is OutputFormat.TABLE:
        console.print(f"{len(objects)} message(s)")


@archive_app.command("erase")
def archive_erase(
    bucket: Bucket,
    endpoint: Endpoint = None,
    address: Address = None,
    prefix: Prefix = "archive",
    region: Region = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase all of an endpoint's archived messages, every version and delete marker (right to erasure)."""
    endpoint_id = _endpoint_id(endpoint, address)
    store = _archive(bucket, prefix, region)
    if not yes and not typer.confirm(
        f"Permanently delete every archived message (all versions) of {endpoint_id} in s3://{bucket}/{prefix}/?"
    ):
        raise typer.Exit(1)
    try:
        report = store.erase(endpoint_id)
    except (ClientError, BotoCoreError) as error:
        raise LakeError(f"s3://{bucket}/{prefix}/: {error}") from None
    table = Table(title=f"Erased {endpoint_id}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("messages", str(report.messages))
    table.add_row("object versions deleted", str(report.versions))
    table.add_row("delete markers removed", str(report.delete_markers))
    table.add_row("total deleted", str(report.deleted))
    console.print(table)


Db = Annotated[str | None, typer.Option(help="Local SQLite address store; default ENGLAKE_ADDRESS_DB.")]
Table_ = Annotated[str | None, typer.Option("--table", help="DynamoDB address table; default ENGLAKE_ADDRESS_TABLE.")]


def _store(db: str | None, table: str | None, region: str | None):
    from handlers.bounces.config import BounceSettings

    updates = {k: v for k, v in {"address_db": db, "address_table": table, "aws_region": region}.items() if v}
    settings = BounceSettings().model_copy(update=updates)
    if db:  # an explicit file wins over a table from the environment
        settings = settings.model_copy(update={"address_table": None})
    return settings.store()


@suppression_app.command("show")
def suppression_show(
    address: Annotated[str, typer.Argument(help="Email address (any spelling; it is normalized).")],
    db: Db = None,
    table: Table_ = None,
    region: Region = None,
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """Show an address's row and the feedback that led to it (csv: the feedback; json: one object with both)."""
    from handlers.addresses import AddressError, normalize_address

    try:
        normalized = normalize_address(address)
    except AddressError as error:
        raise ConfigError(str(error)) from None
    store = _store(db, table, region)
    state = store.get(normalized)
    if state is None:
        err_console.print(f"{normalized}: no bounce or complaint on record")
        raise typer.Exit(0)
    feedback = [
        {
            "time": entry.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
            "feedback_id": entry.feedback_id,
            "type": entry.type,
            "subtype": entry.subtype or entry.complaint_feedback_type or "",
            "category": entry.category,
            "diagnostic": entry.diagnostic_code or "",
        }
        for entry in store.entries(normalized)
    ]
    if output is OutputFormat.JSON:
        emit([{"address": normalized, **state.meaning(), "feedback": feedback}], (), output)
        return
    columns = (
        Column("time", "time (UTC)"),
        Column("feedback_id", "feedback id"),
        Column("type"),
        Column("subtype"),
        Column("category"),
        Column("diagnostic"),
    )
    if output is OutputFormat.TABLE:
        fields = [{"field": name, "value": value} for name, value in state.meaning().items()]
        emit(fields, (Column("field"), Column("value")), title=normalized, wide=wide)
    emit(feedback, columns, output, title="feedback", wide=wide)


@suppression_app.command("list")
def suppression_list(
    db: Db = None,
    status: Annotated[str | None, typer.Option(help="Only 'active' or 'suppressed' rows.")] = "suppressed",
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """List the rows of the local (SQLite) address store."""
    from handlers.bounces.store import SqliteAddressStore

    store = _store(db, None, None)
    if not isinstance(store, SqliteAddressStore):
        raise ConfigError("listing needs the local store (--db or ENGLAKE_ADDRESS_DB); use the console for DynamoDB")
    rows = [
        {
            "address": row.address,
            "status": row.status,
            "reason": row.reason or "",
            "suppressed_at": row.suppressed_at.strftime("%Y-%m-%d %H:%M:%S") if row.suppressed_at else "",
            "count": row.count,
            "type": row.type or "",
            "subtype": row.subtype or "",
        }
        for row in store.addresses(status)
    ]
    columns = (
        Column("address"),
        Column("status"),
        Column("reason"),
        Column("suppressed_at", "since (UTC)"),
        Column("count", render=count, numeric=True),
        Column("type", "last type"),
        Column("subtype"),
    )
    emit(rows, columns, output, title=f"{status or 'all'} addresses", wide=wide)
    if output is OutputFormat.TABLE:
        console.print(f"{len(rows)} address(es)")
