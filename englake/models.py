"""The event-lake models: build them with dbt, check their Athena SQL offline, and read results back."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot.errors import ParseError

from englake.database import open_built
from englake.dbt import DbtError, run_dbt, target_dir
from englake.errors import LakeError
from englake.settings import OFFLINE_COMPILE_ATHENA, Settings, get_settings
from englake.storage import open_lake
from ingest.reader import lake_objects
from ingest.sweep import SweepReport, sweep_lake

#: Named selections (dbt_project/selectors.yml) that run after a full build: `hourly` leaves out the seeds and the
#: models that are not downstream of the raw records (stg_pinpoint__campaigns, which dim_campaigns reads).
AFTER_A_FULL_BUILD = frozenset({"hourly"})


@dataclass
class BuildResult:
    """What one `dbt build` did: seconds taken and node counts by status."""

    seconds: float
    statuses: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sweep: SweepReport | None = None  # what the sweep moved aside before dbt read the lake


def build_models(
    settings: Settings | None = None,
    *,
    full_refresh: bool = False,
    select: str | None = None,
    selector: str | None = None,
    extra_args: list[str] | None = None,
    sweep: bool = True,
    sweep_progress: Callable[[int, int], None] | None = None,
    target: str | None = None,
    dbt_callbacks: list[Callable[[Any], None]] | None = None,
) -> BuildResult:
    """Sweep the lake (objects no engine can read are moved aside), then run `dbt build` (seeds, models, data and
    unit tests) on the embedded default or ``target`` (default ENGLAKE_DBT_TARGET). ``sweep_progress(done, total)``
    follows the sweep; ``dbt_callbacks`` receive dbt's events (englake.dbt_progress counts nodes from them).
    ``selector`` names a selection of dbt_project/selectors.yml; on DuckDB, `hourly` needs a full build first."""
    settings = settings or get_settings()
    on_duckdb = (target or settings.dbt_target) == "duckdb"
    if on_duckdb and settings.is_local and not settings.local_lake_path.is_dir():
        # A typo in --lake would otherwise build an empty lake and succeed.
        raise LakeError(f"lake root {settings.local_lake_path} does not exist (pass --lake or set ENGLAKE_LAKE_ROOT)")
    if on_duckdb and settings.is_local and selector in AFTER_A_FULL_BUILD:
        _require_a_full_build(settings.resolved_duckdb_path, selector)
    swept = _sweep(settings, sweep_progress) if sweep else None
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    if selector:
        args += ["--selector", selector]
    args += extra_args or []
    started = time.perf_counter()
    result = run_dbt(args, settings, target, callbacks=dbt_callbacks)
    statuses: dict[str, int] = {}
    warnings: list[str] = []
    for node in result.result.results:
        status = str(node.status).lower()
        statuses[status] = statuses.get(status, 0) + 1
        if status == "warn":
            warnings.append(f"{node.node.name}: {node.message}")
    return BuildResult(time.perf_counter() - started, statuses, warnings, swept)


def _require_a_full_build(path: Path, selector: str) -> None:
    """A LakeError naming what to run when the DuckDB file has had no full build (fct_events is made by one)."""
    built = False
    if path.is_file():
        with open_built(path) as db:
            found = db.execute("select count(*) from duckdb_tables() where table_name = 'fct_events'").fetchone()
            built = bool(found[0])
    if not built:
        raise LakeError(
            f"--selector {selector} runs after a full build and {path} has had none: run `englake models build` first"
        )


def _sweep(settings: Settings, progress: Callable[[int, int], None] | None) -> SweepReport:
    store = open_lake(settings.lake_root)
    objects = lake_objects(store)
    done = iter(range(1, len(objects) + 1))
    on_object = (lambda _: progress(next(done), len(objects))) if progress is not None else None
    return sweep_lake(store, objects=objects, on_object=on_object)


@dataclass(frozen=True)
class TrinoCheck:
    path: Path
    error: str | None


def check_athena_sql(settings: Settings | None = None) -> list[TrinoCheck]:
    """Compile every model and analysis for Athena offline and parse each as Trino SQL (sqlglot)."""
    settings = settings or get_settings()
    compiled = target_dir() / "compiled" / "englake"
    shutil.rmtree(compiled, ignore_errors=True)
    run_dbt(["compile", "--no-populate-cache"], settings, target="athena", athena=OFFLINE_COMPILE_ATHENA)
    checks = []
    for path in sorted(compiled.rglob("*.sql")):
        # Only models and analyses are SQL an engine runs as-is; compiled tests are checked by dbt itself.
        if not {"models", "analyses"} & set(path.relative_to(compiled).parts[:1]):
            continue
        try:
            sqlglot.parse(path.read_text(), read="trino", error_level=sqlglot.ErrorLevel.RAISE)
            checks.append(TrinoCheck(path, None))
        except ParseError as error:
            checks.append(TrinoCheck(path, str(error).splitlines()[0]))
    if not checks:
        raise DbtError("dbt compile --target athena produced no SQL to check")
    return checks


def query_local(sql: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Run a read-only query on the embedded DuckDB file; rows as dicts."""
    settings = settings or get_settings()
    path = settings.resolved_duckdb_path
    with open_built(path) as connection:
        try:
            cursor = connection.execute(sql)
        except duckdb.CatalogException as error:
            message = str(error).splitlines()[0]
            raise LakeError(f"{path}: {message}: build the models first (englake models build)") from error
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def campaign_summary(settings: Settings | None = None, limit: int = 10) -> list[dict[str, Any]]:
    """Per campaign and channel over all send dates: the campaign's name (``dim_campaigns``), messages, deliveries,
    unique opens and clicks, bounces, rates. Open and click rates are None where they do not apply (SMS)."""
    # Models built before dim_campaigns existed still summarise, by id.
    named = query_local("select 1 from information_schema.tables where table_name = 'dim_campaigns'", settings)
    names = "dim_campaigns" if named else "(select null as campaign_id, null as campaign_name)"
    return query_local(
        f"""
        select
            coalesce(max(names.campaign_name), report.campaign_id) as campaign_name,
            report.campaign_id,
            report.channel,
            sum(messages_sent) as sent,
            sum(messages_delivered) as delivered,
            sum(unique_opens) as opened,
            sum(unique_clicks) as clicked,
            sum(hard_bounces) as hard_bounces,
            sum(complaints) as complaints,
            sum(messages_delivered) / nullif(sum(messages_sent), 0) as delivery_rate,
            case when report.channel = 'email' then sum(unique_opens) / nullif(sum(messages_delivered), 0) end
                as open_rate,
            case when report.channel = 'email' then sum(unique_clicks) / nullif(sum(messages_delivered), 0) end
                as click_rate
        from rpt_campaign_performance_daily as report
        left join {names} as names on names.campaign_id = report.campaign_id
        group by report.campaign_id, report.channel
        order by sent desc, report.campaign_id
        limit {int(limit)}
        """,
        settings,
    )
