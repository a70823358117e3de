"""``englake archive …`` and other commands of the operational handlers."""

import typer

app = typer.Typer(
    help="Operate the handlers' data: the message archive and the suppression store.", no_args_is_help=True
)
