"""The ``englake`` command: the product's front door."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from englake.console import console, err_console
from englake.errors import EnglakeError
from englake.models import build_models, campaign_summary, check_athena_sql
from englake.settings import Settings
from handlers.audiences.cli import app as audiences_app
from handlers.cli import app as handlers_app
from handlers.sms.cli import app as sms_app
from ingest.cli import app as lake_app
from segmentation.cli import app as segments_app

app = typer.Typer(
    help="Engagement lake: model Pinpoint, SES and End User Messaging events with dbt; sync segments; run handlers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(
    help="Build the dbt models of the event lake and check their Athena SQL.", no_args_is_help=True
)
app.add_typer(lake_app, name="lake")
app.add_typer(models_app, name="models")
app.add_typer(segments_app, name="segments")
app.add_typer(handlers_app, name="ops")
app.add_typer(sms_app, name="sms")
app.add_typer(audiences_app, name="audiences")

LakeOption = typer.Option(None, "--lake", help="Lake root: a local folder or s3://bucket/prefix (ENGLAKE_LAKE_ROOT).")


def _settings(lake: str | None) -> Settings:
    return Settings(lake_root=lake) if lake else Settings()


@models_app.command("build")
def models_build(
    lake: str | None = LakeOption,
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild incremental tables from all raw data."),
    select: str | None = typer.Option(None, "--select", help="dbt node selection, e.g. 'fct_events+'."),
) -> None:
    """Run dbt build (seeds, models, data and unit tests) over the lake."""
    result = build_models(_settings(lake), full_refresh=full_refresh, select=select)
    table = Table(title=f"dbt build in {result.seconds:.1f} s")
    table.add_column("status")
    table.add_column("nodes", justify="right")
    for status, count in sorted(result.statuses.items()):
        table.add_row(status, str(count))
    console.print(table)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")


@models_app.command("check-athena")
def models_check_athena() -> None:
    """Compile every model for Athena offline and parse each one as Trino SQL."""
    checks = check_athena_sql(Settings())
    failed = [check for check in checks if check.error]
    for check in failed:
        err_console.print(f"[red]{check.path.name}[/red]: {check.error}")
    console.print(f"{len(checks) - len(failed)} of {len(checks)} compiled models and analyses parse as Trino SQL")
    if failed:
        raise typer.Exit(1)


@models_app.command("summary")
def models_summary(lake: str | None = LakeOption, limit: int = typer.Option(10, help="Campaigns to show.")) -> None:
    """Print the campaign performance summary from the built models (embedded default)."""
    print_campaigns(campaign_summary(_settings(lake), limit=limit))


def print_campaigns(rows: list[dict]) -> None:
    table = Table(title="Campaign performance (all send dates)")
    for column in ("campaign", "channel", "sent", "delivered", "opened", "clicked", "hard bounces", "complaints"):
        table.add_column(column, justify="left" if column in ("campaign", "channel") else "right")
    table.add_column("open rate", justify="right")
    table.add_column("click rate", justify="right")
    for row in rows:
        table.add_row(
            str(row["campaign_id"]),
            row["channel"],
            *(
                f"{int(row[key] or 0):,}"
                for key in ("sent", "delivered", "opened", "clicked", "hard_bounces", "complaints")
            ),
            _percent(row["open_rate"]),
            _percent(row["click_rate"]),
        )
    console.print(table)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


@app.command()
def demo(
    lake: str | None = typer.Option(
        None, "--lake", help="Local lake folder for the demo (default ENGLAKE_LAKE_ROOT, ./lake)."
    ),
    events: int = typer.Option(20_000, min=100, help="About how many events to generate."),
    days: int = typer.Option(14, min=1, max=365, help="Days of event time, ending now."),
    seed: int = typer.Option(42, help="Generator seed (same seed, same lake)."),
) -> None:
    """The main job on the embedded default: generate a lake, land it, build the models, sync segments."""
    from englake.demo import run_demo

    run_demo(_settings(lake), events=events, days=days, seed=seed)


def main() -> None:
    """Console-script entry point: project errors print one clear line and exit 1."""
    try:
        app()
    except EnglakeError as error:
        err_console.print(f"[bold red]error:[/bold red] {escape(str(error))}")
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
