"""Run the bundled dbt project in-process (dbtRunner) against the embedded default or Athena."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from englake.console import styled
from englake.database import check_unlocked
from englake.errors import DbtError
from englake.project import DBT_WORK_DIR_VARIABLE, dbt_project_dir
from englake.settings import AthenaSettings, DbtTarget, Settings, get_settings

if TYPE_CHECKING:  # dbt takes seconds to import: only the commands that run it pay for that
    from dbt.cli.main import dbtRunnerResult

__all__ = ["PROJECT_DIR", "DbtError", "project_dir", "run_dbt", "selected_models", "target_dir"]


log = logging.getLogger(__name__)

#: The bundled dbt project (located in one place: englake.project).
project_dir = dbt_project_dir
PROJECT_DIR = dbt_project_dir()


def work_dir() -> Path:
    """Where dbt writes target/ and logs/: ENGLAKE_DBT_WORK_DIR when set (e.g. one per parallel test process), else
    the project folder when it is writable (a source checkout), else a per-user cache folder (an installed wheel's
    site-packages may be read-only or shared)."""
    chosen = os.environ.get(DBT_WORK_DIR_VARIABLE)
    if chosen:
        return Path(chosen).resolve()
    project = project_dir()
    if os.access(project, os.W_OK):
        return project
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "englake" / "dbt"


def target_dir() -> Path:
    """dbt's target path (compiled SQL, manifest, run results, the docs site's files)."""
    return work_dir() / "target"


@contextmanager
def _profile_env(settings: Settings, athena: AthenaSettings | None) -> Iterator[None]:
    """Expose settings to profiles.yml / dbt_project.yml, which read everything through env_var()."""
    values = {"ENGLAKE_LAKE_ROOT": settings.lake_root, "ENGLAKE_GLUE_DATABASE": settings.glue_database}
    if settings.is_local:
        values["ENGLAKE_LAKE_PATH"] = str(settings.local_lake_path)
        values["ENGLAKE_DUCKDB_PATH"] = str(settings.resolved_duckdb_path)
    if athena is not None:
        values |= athena.profile_env()
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _release_duckdb() -> None:
    """Close dbt-duckdb's in-process connection, which it keeps open after a run: DuckDB lets one process hold a
    file with one configuration, and the sync, the queries and other processes need it next."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # the duckdb adapter is not installed: nothing is held
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
            DuckDBConnectionManager._ENV = None


def run_dbt(
    args: list[str],
    settings: Settings | None = None,
    target: str | None = None,
    *,
    athena: AthenaSettings | None = None,
    check: bool = True,
    callbacks: list[Callable[[Any], None]] | None = None,
) -> dbtRunnerResult:
    """Run ``dbt <args>`` on the bundled project; raise DbtError naming what failed.

    ``target`` defaults to ENGLAKE_DBT_TARGET. On Athena every setting must be there (ConfigError names the missing
    ones before dbt starts); ``athena`` overrides them (offline compilation only). ``check=False`` returns a failed
    run's result instead of raising (the caller reads its node results). ``callbacks`` receive dbt's structured
    events (``EventMsg``) as they happen, e.g. to show progress.
    """
    from dbt.cli.main import dbtRunner

    settings = settings or get_settings()
    chosen = DbtTarget(target or settings.dbt_target)
    if chosen is DbtTarget.athena and athena is None:
        athena = settings.athena()
    project, work = project_dir(), work_dir()
    full = [*args, "--project-dir", str(project), "--profiles-dir", str(project), "--target", chosen.value]
    if not styled():  # dbt colours its log lines even into a pipe or a file; plain when our console is plain
        full = ["--no-use-colors", *full]
    if work != project:
        if "--target-path" not in args:  # a caller's own target path (the analyses' folder) stands
            full += ["--target-path", str(work / "target")]
        full += ["--log-path", str(work / "logs")]
    if chosen is DbtTarget.duckdb and settings.is_local:
        settings.local_lake_path.mkdir(parents=True, exist_ok=True)
        # dbt-duckdb would fail on a file another process holds with a long traceback; say so in one line first.
        check_unlocked(settings.resolved_duckdb_path)
    with _profile_env(settings, athena if chosen is DbtTarget.athena else None):
        try:
            result = dbtRunner(callbacks=callbacks or []).invoke(full)
        finally:
            _release_duckdb()
    if not result.success and (check or result.result is None):
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(getattr(node, "status", "")).lower() in {"error", "fail"}:
                failed.append(f"{node.node.name}: {node.message}")
        detail = "; ".join(failed) or str(result.exception or "see dbt output above")
        raise DbtError(f"dbt {' '.join(args)} failed: {detail}")
    return result


def selected_models(
    selector: str, settings: Settings | None = None, target: str | None = None, extra_args: list[str] | None = None
) -> list[dict[str, Any]]:
    """The models a named selection of dbt_project/selectors.yml picks, as `dbt ls --output json` describes each
    (name, alias, config, ...), with nothing printed to the user's terminal."""
    listing = ["ls", "--selector", selector, "--resource-type", "model", "--output", "json", "--log-level", "none"]
    result = run_dbt([*listing, *(extra_args or [])], settings, target)
    return [json.loads(line) for line in result.result]
