"""The ``englake`` command: the product's front door."""

from __future__ import annotations

import typer

from englake.console import err_console
from englake.errors import EnglakeError
from handlers.cli import app as handlers_app
from ingest.cli import app as lake_app
from segmentation.cli import app as segments_app

app = typer.Typer(
    help="Engagement lake: model Pinpoint, SES and End User Messaging events with dbt; sync segments; run handlers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(lake_app, name="lake")
app.add_typer(segments_app, name="segments")
app.add_typer(handlers_app, name="ops")


def main() -> None:
    """Console-script entry point: project errors print one clear line and exit 1."""
    try:
        app()
    except EnglakeError as error:
        err_console.print(f"[bold red]error:[/bold red] {error}")
        raise SystemExit(1) from None
