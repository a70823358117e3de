"""Run the bundled dbt project in-process (dbtRunner) against the embedded default or Athena."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from dbt.cli.main import dbtRunner, dbtRunnerResult

from englake.errors import EnglakeError
from englake.project import dbt_project_dir
from englake.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: The dbt project shipped with englake (located in one place: englake.project).
PROJECT_DIR = dbt_project_dir()


class DbtError(EnglakeError):
    """A dbt command failed; the message names the command and the failing nodes."""


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


def run_dbt(args: list[str], settings: Settings | None = None, target: str | None = None) -> dbtRunnerResult:
    """Run ``dbt <args>`` on the bundled project; raise DbtError naming what failed."""
    settings = settings or get_settings()
    full = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if target:
        full += ["--target", target]
    if settings.is_local:
        settings.local_lake_path.mkdir(parents=True, exist_ok=True)
    with _profile_env(settings):
        try:
            result = dbtRunner().invoke(full)
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
