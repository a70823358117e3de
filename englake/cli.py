"""The ``englake`` command: the product's front door.

Every failure ends as one line on stderr and the exit code ``englake.errors.EXIT_CODES`` gives it; ``--debug`` (or
``ENGLAKE_DEBUG=1``) shows the traceback too. dbt, DuckDB and boto3 are imported inside the commands that use them,
so ``englake --help`` answers at once.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from englake.campaigns import print_campaigns
from englake.console import console, dbt_node_progress, err_console, progress
from englake.errors import INTERNAL_EXIT_CODE, INTERRUPTED_EXIT_CODE, USAGE_EXIT_CODE, as_project_error, exit_code
from englake.output import Column, FormatOption, OutputFormat, WideOption, emit, print_table
from englake.project import DbtTarget
from handlers.audiences.cli import app as audiences_app
from handlers.cli import app as handlers_app
from handlers.hooks.cli import app as hooks_app
from handlers.sms.cli import app as sms_app
from ingest.cli import app as lake_app
from segmentation.cli import app as segments_app

if TYPE_CHECKING:  # pydantic-settings takes a third of a second to import: only commands that read settings pay
    from englake.settings import Settings

#: Set to 1 (or pass --debug) for tracebacks and debug logs.
DEBUG_VARIABLE = "ENGLAKE_DEBUG"


class _State:
    debug = False


class _Boundary(TyperGroup):
    """The root command: whatever a subcommand raises leaves as one line on stderr and its class's exit code."""

    def main(self, args: Any = None, prog_name: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        try:
            returned = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except typer.Abort:
            err_console.print("aborted", highlight=False)
            sys.exit(1)
        except typer.TyperException as error:  # click's usage errors (code 2) as one line, not a boxed panel
            sys.exit(_usage_failure(error))
        sys.exit(returned if isinstance(returned, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        _State.debug = _debug_from_environment()  # the --debug callback runs inside, before any subcommand
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # typer's own exits and usage errors keep their meaning
        except Exception as error:  # noqa: BLE001 -- the boundary: every other failure is one line and a code
            raise typer.Exit(report_failure(error, _State.debug)) from None


def _usage_failure(error: Any) -> int:
    """Print a usage error as one line naming the command to ask for help; a bare group prints its help."""
    code = int(getattr(error, "exit_code", USAGE_EXIT_CODE))
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    if type(error).__name__ == "NoArgsIsHelpError":
        console.print(message, highlight=False, markup=False)
        return code
    context = getattr(error, "ctx", None)
    where = f" (see '{context.command_path} --help')" if context is not None else ""
    err_console.print(f"error: {' '.join(message.split())}{where}", soft_wrap=True, highlight=False, markup=False)
    return code


app = typer.Typer(
    cls=_Boundary,
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
app.add_typer(hooks_app, name="hooks")
app.add_typer(sms_app, name="sms")
app.add_typer(audiences_app, name="audiences")

LakeOption = typer.Option(None, "--lake", help="Lake root: a local folder or s3://bucket/prefix (ENGLAKE_LAKE_ROOT).")
TargetOption = typer.Option(
    None,
    "--target",
    help="dbt target: duckdb (embedded default) or athena (needs the ENGLAKE_ATHENA_* settings); "
    "default ENGLAKE_DBT_TARGET, else duckdb.",
)


def _debug_from_environment() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def version_line() -> str:
    """``englake <version>`` and the versions of the engines it drives (read from package metadata, not imported)."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return (
        f"englake {installed('englake')} (dbt-core {installed('dbt-core')}, duckdb {installed('duckdb')}, "
        f"boto3 {installed('boto3')}, Python {sys.version.split()[0]})"
    )


def _show_version(value: bool) -> None:
    if value:
        console.print(version_line(), highlight=False)
        raise typer.Exit()


@app.callback()
def _global_options(
    debug: bool = typer.Option(
        False, "--debug", envvar=DEBUG_VARIABLE, help="Show tracebacks and debug logs (also ENGLAKE_DEBUG=1)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Engagement lake: model Pinpoint, SES and End User Messaging events with dbt; sync segments; run handlers."""
    _State.debug = _State.debug or debug
    if _State.debug:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")


def _settings(lake: str | None) -> Settings:
    from englake.settings import Settings

    return Settings(lake_root=lake) if lake else Settings()


def _target(target: DbtTarget | None) -> str | None:
    return target.value if target else None


@models_app.command("build")
def models_build(
    lake: str | None = LakeOption,
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild incremental tables from all raw data."),
    select: str | None = typer.Option(None, "--select", help="dbt node selection, e.g. 'fct_events+'."),
    selector: str | None = typer.Option(
        None, "--selector", help="A named selection of dbt_project/selectors.yml: hourly, segments, maintenance."
    ),
    target: DbtTarget | None = TargetOption,
) -> None:
    """Run dbt build (seeds, models, data and unit tests) over the lake."""
    from rich.table import Table

    from englake.models import build_models
    from englake.storage import open_lake

    with progress(transient=True) as bar:
        task = bar.add_task("sweeping new raw objects (moving unreadable ones aside)", total=None, visible=False)

        def swept(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=True)
            if done == total:
                bar.update(task, visible=False)  # the sweep is over: dbt's nodes follow

        result = build_models(
            _settings(lake),
            full_refresh=full_refresh,
            select=select,
            selector=selector,
            target=_target(target),
            sweep_progress=swept,
            dbt_callbacks=[dbt_node_progress(bar)],
        )
    if result.sweep is not None and (result.sweep.moves or result.sweep.unfetchable):
        from ingest.cli import print_sweep_report

        print_sweep_report(open_lake(_settings(lake).lake_root), result.sweep)
    table = Table(title=f"dbt build in {result.seconds:.1f} s")
    table.add_column("status")
    table.add_column("nodes", justify="right")
    for status, nodes in sorted(result.statuses.items()):
        table.add_row(status, str(nodes))
    print_table(table)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")


@models_app.command("check-athena")
def models_check_athena(
    lake: str | None = LakeOption,
    execute: bool = typer.Option(
        False, "--execute", help="Run every model's Athena SQL under Trino's rules and compare rows with DuckDB."
    ),
    dbt_vars: str | None = typer.Option(None, "--vars", help="dbt variables as JSON, for both builds."),
) -> None:
    """Compile every model for Athena offline and parse it as Trino SQL; with --execute, run it under Trino's rules
    (emulated on DuckDB) over a local lake and compare each model's rows with the DuckDB build."""
    from rich.table import Table

    from englake.models import check_athena_sql
    from englake.trino.check import check_athena_execution

    if not execute:
        checks = check_athena_sql(_settings(lake))
        failed = [check for check in checks if check.error]
        for check in failed:
            err_console.print(f"[red]{check.path.name}[/red]: {check.error}")
        console.print(f"{len(checks) - len(failed)} of {len(checks)} compiled models and analyses parse as Trino SQL")
        if failed:
            raise typer.Exit(1)
        return
    results = check_athena_execution(_settings(lake), dbt_vars=_json_vars(dbt_vars))
    table = Table(title="Athena SQL under Trino's rules (emulated on DuckDB) vs the DuckDB build")
    for column in ("model", "rows DuckDB", "rows Athena (emulated)", "checksum"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for result in results:
        checksum = "match" if result.ok else ("differs" if result.athena_rows is not None else "-")
        table.add_row(
            result.name,
            _count(result.duckdb_rows),
            _count(result.athena_rows),
            f"[green]{checksum}[/green]" if result.ok else f"[red]{checksum}[/red]",
        )
    console.print(table)
    failed = [result for result in results if not result.ok]
    for result in failed:
        err_console.print(f"[red]{result.name}[/red]: {escape(result.error or 'rows differ')}", soft_wrap=True)
    console.print(f"{len(results) - len(failed)} of {len(results)} models give the same rows on both engines")
    if failed:
        raise typer.Exit(1)


def _count(rows: int | None) -> str:
    return "-" if rows is None else f"{rows:,}"


def _json_vars(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise typer.BadParameter(f"not JSON: {error}", param_hint="--vars") from error
    if not isinstance(value, dict):
        raise typer.BadParameter("must be a JSON object of dbt variables", param_hint="--vars")
    return value


@models_app.command("freshness")
def models_freshness(lake: str | None = LakeOption, target: DbtTarget | None = TargetOption) -> None:
    """Check that the lake is still filling (dbt source freshness on the Firehose arrival hour); fails when stale."""
    from rich.table import Table

    from englake.freshness import check_freshness

    table = Table(title="Lake freshness (newest Firehose arrival hour per producer)")
    for column in ("source", "newest arrival (UTC)", "age (hours)", "status"):
        table.add_column(column, justify="right" if column == "age (hours)" else "left")
    for item in check_freshness(_settings(lake), _target(target)):
        newest = f"{item.newest_arrival:%Y-%m-%d %H:00}" if item.newest_arrival else "–"
        table.add_row(item.source, newest, f"{item.age_hours:g}", item.status)
    console.print(table)


@models_app.command("maintain")
def models_maintain(
    lake: str | None = LakeOption,
    target: DbtTarget | None = TargetOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the statements; run nothing."),
) -> None:
    """Iceberg upkeep: OPTIMIZE and VACUUM every incremental table (selector maintenance) on Athena."""
    from englake.maintenance import maintain

    for table in maintain(_settings(lake), _target(target), dry_run=dry_run):
        for statement in table.statements:
            console.print(f"{table.relation}: {statement}")


@models_app.command("docs")
def models_docs(
    out: Annotated[Path, typer.Argument(help="Folder for the docs site (created; static_index.html opens from disk).")],
    lake: str | None = LakeOption,
    target: DbtTarget | None = TargetOption,
) -> None:
    """Build the dbt docs site (models, sources, exposures, lineage) into OUT, from any working directory."""
    from englake.docs import build_docs

    files = build_docs(out, _settings(lake), _target(target))
    console.print(f"docs site in {files[0].parent}: open {files[0].name}")


@models_app.command("summary")
def models_summary(
    lake: str | None = LakeOption,
    limit: int = typer.Option(10, help="Campaigns to show."),
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """Print the campaign performance summary from the built models (embedded default)."""
    from englake.models import campaign_summary

    print_campaigns(campaign_summary(_settings(lake), limit=limit), output, wide=wide)


@app.command()
def report(
    lake: str | None = LakeOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path("englake-report.html"),
) -> None:
    """Write one self-contained HTML page of charts: campaigns, deliverability, SMS cost, segments, quarantine."""
    from englake.models import query_local
    from englake.report import build_charts, render_html, sync_runs
    from englake.storage import open_lake

    settings = _settings(lake)
    charts = build_charts(lambda sql: query_local(sql, settings), sync_runs(open_lake(settings.lake_root)))
    out.write_text(render_html(charts, title="englake — engagement report"), encoding="utf-8")
    drawn = sum(chart.populated for chart in charts)
    console.print(f"{drawn} of {len(charts)} charts with data → {escape(str(out))}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help='One SQL statement, e.g. "select * from email_status limit 5".')],
    lake: str | None = LakeOption,
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """Run an ad-hoc query on the built models (the embedded DuckDB file, opened read-only)."""
    from englake.query import run_query

    result = run_query(query, _settings(lake))
    emit(result.rows, [Column(name, numeric=result.numeric(name)) for name in result.columns], output, wide=wide)


#: The doctor's value column folds long values (paths, JSON) so the settings table keeps to 80 columns.
DOCTOR_VALUE_WIDTH = 20


@app.command()
def doctor(
    lake: str | None = LakeOption,
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """Print every ENGLAKE_* setting (value and where it came from), then check the lake, the DuckDB file, the dbt
    project and, for an s3:// lake or Athena, the AWS Region and credentials. Exits non-zero when a check fails."""
    from englake.doctor import resolved_settings, run_checks

    settings = _settings(lake)
    checks = run_checks(settings)
    resolved = resolved_settings(overrides={"ENGLAKE_LAKE_ROOT": lake} if lake else None)
    if output is OutputFormat.TABLE:
        emit(
            [vars(setting) for setting in resolved],
            (Column("name", "setting"), Column("source"), Column("value", max_width=DOCTOR_VALUE_WIDTH)),
            title="Settings",
            wide=wide,
        )
        for check in checks:
            mark = "ok  " if check.ok else "warn" if check.warning else "FAIL"
            console.print(f"{mark}  {check.name}: {check.detail}", markup=False, highlight=False)
    else:
        rows = [{"kind": "setting", **vars(setting)} for setting in resolved]
        rows += [
            {"kind": "check", "name": check.name, "value": check.detail, "source": "", "ok": check.ok}
            for check in checks
        ]
        emit(rows, (Column("kind"), Column("name"), Column("value"), Column("source")), output)
    failed = [check for check in checks if not check.ok and not check.warning]
    if failed:
        names = ", ".join(check.name for check in failed)
        raise failed[0].error(f"{len(failed)} of {len(checks)} checks failed: {names} (first: {failed[0].detail})")


@models_app.command("analyses")
def models_analyses(
    lake: str | None = LakeOption,
    select: str | None = typer.Option(None, "--select", help="Only these analyses (dbt selection, e.g. 'emails*')."),
    dbt_vars: str | None = typer.Option(None, "--vars", help="dbt vars, e.g. '{address: someone@example.com}'."),
    output: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """Compile the dbt analyses (dbt_project/analyses/) and run each on the built models; print their rows."""
    from englake.query import run_analyses

    for analysis in run_analyses(_settings(lake), select=select, dbt_vars=dbt_vars):
        result = analysis.result
        columns = [Column(name, numeric=result.numeric(name)) for name in result.columns]
        if output is OutputFormat.TABLE:
            emit(result.rows, columns, title=f"{analysis.name}: {len(result.rows):,} row(s)", wide=wide)
        else:
            emit([{"analysis": analysis.name, **row} for row in result.rows], columns, output)


@app.command()
def demo(
    lake: str | None = typer.Option(
        None, "--lake", help="Local lake folder for the demo (default ENGLAKE_LAKE_ROOT, ./lake)."
    ),
    events: int = typer.Option(20_000, min=100, help="About how many events to generate."),
    days: int = typer.Option(14, min=1, max=365, help="Days of event time, ending now."),
    seed: int = typer.Option(42, help="Generator seed (same seed, same lake)."),
    replace: bool = typer.Option(
        False, "--replace", help="Empty the lake even if the demo did not create it (its events, models, sync state)."
    ),
) -> None:
    """The main job on the embedded default: generate a lake, land it, build the models, sync segments.

    It empties and refills a lake it created before; any other non-empty lake is left alone (exit 18) unless
    --replace."""
    from englake.demo import run_demo

    run_demo(_settings(lake), events=events, days=days, seed=seed, replace=replace)


def report_failure(error: BaseException, debug: bool) -> int:
    """Print ``error`` as one line on stderr (plus the traceback when ``debug``); return its exit code."""
    if debug:
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, KeyboardInterrupt):
        err_console.print("interrupted", highlight=False)
        return INTERRUPTED_EXIT_CODE
    project_error = as_project_error(error)
    if project_error is None:
        hint = "" if debug else " (rerun with --debug for the traceback)"
        line = f"unexpected {type(error).__name__}: {_one_line(error)}{hint}"
        code = INTERNAL_EXIT_CODE
    else:
        line = _one_line(project_error)
        code = exit_code(project_error)
    err_console.print(f"[bold red]error:[/bold red] {escape(line)}", soft_wrap=True, highlight=False)
    return code


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: every failure prints one line and exits with its class's code (errors.py)."""
    try:
        app(args=argv, prog_name="englake")
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001 -- whatever the root command could not catch (start-up)
        raise SystemExit(report_failure(error, _State.debug or _debug_from_environment())) from None


if __name__ == "__main__":  # pragma: no cover
    main()
