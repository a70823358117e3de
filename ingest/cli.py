"""``englake lake …``: generate, land and inspect the event lake."""

import typer

app = typer.Typer(help="Generate, land and inspect the Firehose-layout event lake.", no_args_is_help=True)
