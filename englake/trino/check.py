"""Run every model's Athena SQL under Trino's rules over a local lake and compare it with the DuckDB build.

No Trino server runs here: each model is compiled for Athena offline, checked by Trino's analyzer rules
(``analyzer``), rewritten for DuckDB with Trino's function semantics (``translate``, ``functions``) and executed in
DAG order over the raw Glue tables built from the lake as Athena would read them (``lake_tables``). Its rows must
equal the DuckDB build's: same columns, same row count, same checksum of the sorted rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb
from sqlglot.errors import SqlglotError

from englake.dbt import DbtError, run_dbt, target_dir
from englake.errors import ConfigError, LakeError
from englake.settings import OFFLINE_COMPILE_ATHENA, Settings
from englake.trino import functions, lake_tables
from englake.trino.translate import translate


@dataclass(frozen=True)
class CompiledModel:
    """One model as compiled for Athena."""

    name: str
    relation: str
    sql: str
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class ModelCheck:
    """One model's result: rows on each engine, whether the sorted rows' checksums match, or what failed."""

    name: str
    duckdb_rows: int | None
    athena_rows: int | None
    checksum_match: bool
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.checksum_match


@dataclass(frozen=True)
class AthenaProject:
    """Everything the Athena compile produced that the emulation needs."""

    models: dict[str, CompiledModel]
    sources: dict[str, str]  # Glue table name → relation as the SQL names it
    seeds: dict[str, str]  # seed name → relation
    analyses: dict[str, CompiledModel]  # the analysts' queries (relation: the schema they run in)


def compile_for_athena(settings: Settings, dbt_vars: dict[str, Any] | None = None) -> AthenaProject:
    """``dbt compile --target athena --no-populate-cache`` (offline), read back from the manifest."""
    args = ["compile", "--no-populate-cache"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    run_dbt(args, settings, target="athena", athena=OFFLINE_COMPILE_ATHENA)
    manifest = json.loads((target_dir() / "manifest.json").read_text())
    models, seeds, analyses = {}, {}, {}
    schema = _target_schema(manifest)
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "analysis" and node.get("compiled_code"):
            analyses[unique_id] = CompiledModel(
                node["name"], schema, node["compiled_code"], tuple(node["depends_on"]["nodes"])
            )
        elif node["resource_type"] == "model" and node.get("package_name") == "englake":
            if not node.get("compiled_code"):
                raise DbtError(f"dbt compile --target athena left {unique_id} without compiled SQL")
            models[unique_id] = CompiledModel(
                node["name"], node["relation_name"], node["compiled_code"], tuple(node["depends_on"]["nodes"])
            )
        elif node["resource_type"] == "seed":
            seeds[node["name"]] = node["relation_name"]
    sources = {
        source.get("identifier") or source["name"]: source["relation_name"] for source in manifest["sources"].values()
    }
    return AthenaProject(models, sources, seeds, analyses)


def _target_schema(manifest: dict) -> str:
    """catalog.schema the models are written to: where an analyst's unqualified names resolve."""
    model = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model")
    return f"{model['database']}.{model['schema']}"


def compile_duckdb_analyses(settings: Settings, dbt_vars: dict[str, Any] | None = None) -> dict[str, str]:
    """The analyses compiled for DuckDB against ``settings``' build: name → SQL."""
    args = ["compile", "--no-populate-cache", "--select", "resource_type:analysis"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    run_dbt(args, settings)
    manifest = json.loads((target_dir() / "manifest.json").read_text())
    return {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "analysis" and node.get("compiled_code")
    }


def build_duckdb(
    settings: Settings, path: Path, dbt_vars: dict[str, Any] | None = None, select: Sequence[str] = ()
) -> Path:
    """The DuckDB build of the same lake, into ``path`` (seeds and models, or the models ``select`` names as dbt
    selectors; tests are not the point here)."""
    local = Settings(**{**settings.model_dump(), "duckdb_path": str(path)})
    vars_args = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
    select_args = ["--select", *select] if select else []
    run_dbt(["seed", "--full-refresh"], local)
    run_dbt(["run", "--full-refresh", *vars_args, *select_args], local)
    return local.resolved_duckdb_path


def check_athena_execution(
    settings: Settings,
    *,
    dbt_vars: dict[str, Any] | None = None,
    duckdb_path: Path | None = None,
    analyses: bool = True,
) -> list[ModelCheck]:
    """Every model's Athena-compiled SQL run under Trino's rules over the lake, compared with the DuckDB build
    (``duckdb_path`` when given, else a fresh build made with the same ``dbt_vars``). One result per model, in DAG
    order; then, with ``analyses``, one per analysis (named ``<name> (analysis)``), its rows against the same
    analysis compiled for DuckDB and run on the build."""
    if not settings.is_local:
        raise ConfigError(
            f"check-athena --execute reads a local lake folder, not {settings.lake_root}: "
            "point ENGLAKE_LAKE_ROOT (or --lake) at a test lake"
        )
    if not settings.local_lake_path.is_dir():
        raise LakeError(
            f"no lake folder at {settings.local_lake_path}: land or generate one first (englake lake generate)"
        )
    project = compile_for_athena(settings, dbt_vars)
    with tempfile.TemporaryDirectory(prefix="englake-athena-check-") as scratch:
        work = Path(scratch)
        build = Path(duckdb_path or build_duckdb(settings, work / "englake.duckdb", dbt_vars))
        duck_analyses = {}
        if analyses and project.analyses:
            on_build = Settings(**{**settings.model_dump(), "duckdb_path": str(build)})
            duck_analyses = compile_duckdb_analyses(on_build, dbt_vars)
        connection = duckdb.connect()
        try:
            results = _run(connection, project, settings.local_lake_path, build, work)
            failed = {uid for uid, m in project.models.items() if m.name in {r.name for r in results if r.error}}
            for analysis in sorted(project.analyses.values(), key=lambda a: a.name) if duck_analyses else []:
                results.append(_run_analysis(connection, project, analysis, duck_analyses, build, failed))
            return results
        finally:
            connection.close()


def _run(
    connection: duckdb.DuckDBPyConnection, project: AthenaProject, lake: Path, build: Path, work: Path
) -> list[ModelCheck]:
    functions.install(connection)
    build_alias = build.stem  # dbt-duckdb's views name their relations by the file's catalog name
    connection.execute(f"ATTACH '{build}' AS \"{build_alias}\" (READ_ONLY)")
    relations = [m.relation for m in project.models.values()] + list(project.sources.values())
    relations += list(project.seeds.values())
    for catalog, schema in sorted({tuple(_parts(r)[:2]) for r in relations}):
        connection.execute(f"ATTACH IF NOT EXISTS ':memory:' AS \"{catalog}\"")
        connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{catalog}"."{schema}"')
    lake_tables.create_source_tables(connection, lake, project.sources, work)
    for seed, relation in project.seeds.items():
        connection.execute(f'CREATE TABLE {relation} AS SELECT * FROM "{build_alias}".main."{seed}"')

    order = TopologicalSorter(
        {uid: [d for d in model.depends_on if d in project.models] for uid, model in sorted(project.models.items())}
    ).static_order()
    failed: set[str] = set()
    results = []
    for unique_id in order:
        model = project.models[unique_id]
        upstream = sorted(project.models[d].name for d in model.depends_on if d in failed)
        if upstream:
            failed.add(unique_id)
            results.append(ModelCheck(model.name, None, None, False, f"not run: upstream {', '.join(upstream)} failed"))
            continue
        error = _execute(connection, model)
        if error:
            failed.add(unique_id)
            results.append(ModelCheck(model.name, None, None, False, error))
            continue
        results.append(_compare(connection, model, f'"{build_alias}".main."{model.name}"'))
    return results


def _run_analysis(
    connection: duckdb.DuckDBPyConnection,
    project: AthenaProject,
    analysis: CompiledModel,
    duck_analyses: dict[str, str],
    build: Path,
    failed: set[str],
) -> ModelCheck:
    """One analysis: its Athena SQL in the Athena schema (unqualified names resolve there, as in the workgroup's
    default schema) against its DuckDB SQL on the build."""
    name = f"{analysis.name} (analysis)"
    upstream = sorted(project.models[d].name for d in analysis.depends_on if d in failed)
    if upstream:
        return ModelCheck(name, None, None, False, f"not run: upstream {', '.join(upstream)} failed")
    if analysis.name not in duck_analyses:
        return ModelCheck(name, None, None, False, "dbt compile for DuckDB produced no SQL for it")
    try:
        home = connection.execute("SELECT current_database()").fetchone()[0]  # where the trino_* functions are
        connection.execute(f"SET search_path = '{analysis.relation},{home}.main'")
        translation = translate(analysis.sql, connection)
        if translation.problems:
            return ModelCheck(name, None, None, False, "; ".join(translation.problems))
        athena_columns, athena_rows = _rows(connection, f"({translation.sql})")
    except (SqlglotError, ValueError, duckdb.Error) as error:
        return ModelCheck(name, None, None, False, f"fails when run: {str(error).splitlines()[0]}")
    finally:
        connection.execute("RESET search_path")
    try:
        connection.execute(f"SET search_path = '{build.stem}.main'")
        duck_columns, duck_rows = _rows(connection, f"({duck_analyses[analysis.name]})")
    except duckdb.Error as error:
        return ModelCheck(name, None, len(athena_rows), False, f"fails on the DuckDB build: {error}")
    finally:
        connection.execute("RESET search_path")
    return _compared(name, athena_columns, athena_rows, duck_columns, duck_rows)


def _parts(relation: str) -> list[str]:
    return [part.strip('"') for part in relation.split(".")]


def _execute(connection: duckdb.DuckDBPyConnection, model: CompiledModel) -> str | None:
    """Trino's error for the model's SQL, or None once its rows are in the emulated catalog."""
    try:
        translation = translate(model.sql, connection)
    except (SqlglotError, ValueError) as error:
        return f"cannot read the Athena SQL: {str(error).splitlines()[0]}"
    if translation.problems:
        return "; ".join(translation.problems)
    try:
        connection.execute(f"CREATE TABLE {model.relation} AS {translation.sql}")
    except duckdb.Error as error:
        return f"fails when run: {str(error).splitlines()[0]}"
    return None


def _compare(connection: duckdb.DuckDBPyConnection, model: CompiledModel, built: str) -> ModelCheck:
    athena_columns, athena_rows = _rows(connection, model.relation)
    try:
        duck_columns, duck_rows = _rows(connection, built)
    except duckdb.Error as error:
        return ModelCheck(model.name, None, len(athena_rows), False, f"not in the DuckDB build: {error}")
    return _compared(model.name, athena_columns, athena_rows, duck_columns, duck_rows)


def _compared(
    name: str,
    athena_columns: list[str],
    athena_rows: list[tuple[str, ...]],
    duck_columns: list[str],
    duck_rows: list[tuple[str, ...]],
) -> ModelCheck:
    if athena_columns != duck_columns:
        only = sorted(set(athena_columns) ^ set(duck_columns)) or ["(same names, other order)"]
        return ModelCheck(name, len(duck_rows), len(athena_rows), False, f"columns differ: {', '.join(only[:6])}")
    same = _checksum(athena_rows) == _checksum(duck_rows)
    error = None
    if not same:
        columns = [
            column
            for index, column in enumerate(athena_columns)
            if Counter(r[index] for r in athena_rows) != Counter(r[index] for r in duck_rows)
        ]
        error = f"rows differ in column(s) {', '.join(columns[:8]) or '(combinations only)'}"
    return ModelCheck(name, len(duck_rows), len(athena_rows), same, error)


def _rows(connection: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], list[tuple[str, ...]]]:
    cursor = connection.execute(f"SELECT * FROM {relation}")
    columns = [d[0].lower() for d in cursor.description]
    return columns, [tuple(_canonical(value) for value in row) for row in cursor.fetchall()]


def _checksum(rows: list[tuple[str, ...]]) -> str:
    return hashlib.sha256("\n".join("\x1f".join(row) for row in sorted(rows)).encode()).hexdigest()


def _canonical(value: Any) -> str:
    """One value as text both engines' results agree on when they mean the same (maps unordered, doubles to 12
    significant digits, timestamps in ISO form)."""
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, float | Decimal):
        number = float(value)
        return repr(number) if math.isnan(number) or math.isinf(number) else format(number, ".12g")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return sorted([str(k), _plain(v)] for k, v in value.items())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value
