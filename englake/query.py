"""Ad-hoc SQL and the dbt analyses on the built models (the embedded DuckDB file, opened read-only)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from englake.database import open_built, require_built
from englake.errors import ConfigError, InputError, as_project_error
from englake.settings import Settings

#: Where ``englake models analyses`` compiles (apart from target/, which check-athena fills with Athena SQL).
ANALYSES_TARGET = "target-analyses"


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def numeric(self, column: str) -> bool:
        """Whether every value of ``column`` is a number (right-aligned in a table)."""
        values = [row[column] for row in self.rows if row[column] is not None]
        return bool(values) and all(
            isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) for value in values
        )


def run_query(sql: str, settings: Settings) -> QueryResult:
    """Run one statement read-only on the DuckDB file; a statement DuckDB rejects is an InputError naming why."""
    import duckdb

    if not settings.is_local:
        raise ConfigError(f"englake sql reads the embedded DuckDB file; the lake is {settings.lake_root}")
    with open_built(settings.resolved_duckdb_path) as connection:
        try:
            cursor = connection.execute(sql)
        except duckdb.Error as error:
            translated = as_project_error(error)
            if translated is not None:
                raise translated from error
            raise InputError(f"the query failed: {' '.join(str(error).split())}") from error
        if cursor.description is None:  # a statement without rows (SET, PRAGMA …)
            return QueryResult([])
        columns = [description[0] for description in cursor.description]
        return QueryResult(columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])


@dataclass
class AnalysisResult:
    name: str
    path: Path
    result: QueryResult


def run_analyses(
    settings: Settings, *, select: str | None = None, dbt_vars: str | None = None
) -> Iterator[AnalysisResult]:
    """Compile the analyses with dbt (for DuckDB, into ``target-analyses/``) and run each, in name order."""
    from englake.dbt import run_dbt, work_dir

    if not settings.is_local:
        raise ConfigError(f"englake models analyses runs on the embedded DuckDB file; the lake is {settings.lake_root}")
    require_built(settings.resolved_duckdb_path)
    target_path = work_dir() / ANALYSES_TARGET  # beside target/: the project folder may be read-only
    compiled = target_path / "compiled" / "englake" / "analyses"
    shutil.rmtree(compiled, ignore_errors=True)  # only this run's analyses, none left from an earlier selection
    args = ["compile", "--select", f"resource_type:analysis,{select}" if select else "resource_type:analysis"]
    # dbt prints a single compiled node to stdout even with --quiet; the rows are all this command prints.
    args += ["--target-path", str(target_path), "--no-populate-cache", "--log-level", "none"]
    if dbt_vars:
        args += ["--vars", dbt_vars]
    run_dbt(args, settings, target="duckdb")
    paths = sorted(compiled.rglob("*.sql"), key=lambda path: path.stem)
    if not paths:
        raise InputError(f"no analysis matches --select {select}" if select else "no analyses compiled")
    for path in paths:
        yield AnalysisResult(path.stem, path, run_query(path.read_text(), settings))
