"""``englake segments …``: compute and sync segment membership."""

import typer

app = typer.Typer(
    help="Sync dbt segment membership to a destination (local store, Amazon Pinpoint).", no_args_is_help=True
)
