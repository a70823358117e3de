"""Run the bundled dbt project in-process (dbtRunner) against the embedded default or Athena."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from englake.console import styled
from englake.database import check_unlocked
from englake.errors import DbtError
from englake.project import dbt_project_dir
from englake.settings import Settings, get_settings

if TYPE_CHECKING:  # dbt takes seconds to import: only the commands that run it pay for that
    from dbt.cli.main import dbtRunnerResult

__all__ = ["PROJECT_DIR", "DbtError", "run_dbt"]

log = logging.getLogger(__name__)

#: The dbt project shipped with englake (located in one place: englake.project).
PROJECT_DIR = dbt_project_dir()


@contextmanager
def _profile_env(settings: Settings) -> Iterator[None]:
    """Expose settings to profiles.yml / dbt_project.yml, which read everything through env_var()."""
    values = {"ENGLAKE_LAKE_ROOT": settings.lake_root}
    if settings.is_local:
        values["ENGLAKE_LAKE_PATH"] = str(settings.local_lake_path)
        values["ENGLAKE_DUCKDB_PATH"] = str(settings.resolved_duckdb_path)
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
    callbacks: list[Callable[[Any], None]] | None = None,
) -> dbtRunnerResult:
    """Run ``dbt <args>`` on the bundled project; raise DbtError naming what failed. ``callbacks`` receive dbt's
    structured events (``EventMsg``) as they happen, e.g. to show progress."""
    from dbt.cli.main import dbtRunner

    settings = settings or get_settings()
    full = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if not styled():  # dbt colours its log lines even into a pipe or a file; plain when our console is plain
        full = ["--no-use-colors", *full]
    if target:
        full += ["--target", target]
    if settings.is_local:
        settings.local_lake_path.mkdir(parents=True, exist_ok=True)
    if settings.is_local and target in (None, "duckdb"):
        # dbt-duckdb would fail on a file another process holds with a long traceback; say so in one line first.
        check_unlocked(settings.resolved_duckdb_path)
    with _profile_env(settings):
        try:
            result = dbtRunner(callbacks=callbacks or []).invoke(full)
        finally:
            _release_duckdb()
    if not result.success:
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(getattr(node, "status", "")).lower() in {"error", "fail"}:
                failed.append(f"{node.node.name}: {node.message}")
        detail = "; ".join(failed) or str(result.exception or "see dbt output above")
        raise DbtError(f"dbt {' '.join(args)} failed: {detail}")
    return result
