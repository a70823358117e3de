"""The models benchmark's floors on a small lake: the parsing floor redoes the build's own work (the same rows,
and says so when it does not), the hourly tables are what DuckDB holds as tables, and the no-rows runs leave the
built file as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmarks.models import (
    PARSING_MODELS,
    empty_hourly_floors,
    full_build,
    hourly_tables,
    keep_build_sql,
    parsing_floor,
)
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, generate_lake


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path, dict[str, str]]:
    """A small lake built by the benchmark's own `full_build`, with the build's SQL kept as the benchmark keeps it."""
    workdir = tmp_path_factory.mktemp("bench-models")
    generate_lake(GeneratorConfig(seed=21, events=2_000, days=2), LocalStore(workdir / "lake"))
    settings = Settings(lake_root=str(workdir / "lake"), duckdb_path=str(workdir / "build.duckdb"))
    full_build(settings, workdir)
    return settings, workdir, keep_build_sql(workdir)


def _relations(path: Path, kind: str) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(f"SELECT table_name FROM information_schema.tables WHERE table_type = '{kind}'").fetchall()
    return {name for (name,) in rows}


def test_the_kept_sql_is_the_full_build_not_an_incremental_run(built: tuple[Settings, Path, dict[str, str]]) -> None:
    _, _, sql = built
    assert set(sql) == set(PARSING_MODELS)
    assert "read_csv(" in sql["stg_lake__records"]
    # An incremental run's SQL leaves out what its own table holds; the full build's has nothing to leave out.
    assert "record_id not in" not in sql["stg_lake__records"]
    assert "event_id not in" not in sql["fct_events"]


def test_the_parsing_floor_makes_the_rows_the_build_made(built: tuple[Settings, Path, dict[str, str]]) -> None:
    settings, _, sql = built
    records, events, cpu = parsing_floor(settings.resolved_duckdb_path, sql)  # raises if a count differs
    assert min(records, events, cpu) > 0  # both models were made, and timed


def test_the_parsing_floor_stops_when_its_rows_are_not_the_builds(
    built: tuple[Settings, Path, dict[str, str]],
) -> None:
    settings, _, sql = built
    fewer = {**sql, "fct_events": f"SELECT * FROM ({sql['fct_events']}) LIMIT 1"}
    with pytest.raises(SystemExit, match="fct_events has"):
        parsing_floor(settings.resolved_duckdb_path, fewer)


def test_the_hourly_tables_are_the_tables_of_the_hourly_selection(
    built: tuple[Settings, Path, dict[str, str]],
) -> None:
    settings, workdir, _ = built
    tables = hourly_tables(settings, workdir)
    stored = _relations(settings.resolved_duckdb_path, "BASE TABLE")
    assert set(tables) <= stored
    assert {"stg_lake__records", "fct_events", "fct_messages", "email_status"} <= set(tables)
    assert not set(tables) & _relations(settings.resolved_duckdb_path, "VIEW")
    assert "dim_endpoints" not in tables  # the daily run's (read from the endpoint export)


def test_the_no_rows_runs_time_the_selection_and_its_tables_and_leave_the_built_file_alone(
    built: tuple[Settings, Path, dict[str, str]],
) -> None:
    settings, workdir, _ = built
    path = settings.resolved_duckdb_path
    with duckdb.connect(str(path), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM email_send").fetchone()
    assert before is not None
    assert before[0] > 0
    everything, tables = empty_hourly_floors(settings, workdir)
    assert tables.models == len(hourly_tables(settings, workdir))
    assert everything.models > tables.models  # the views besides
    assert not (workdir / "empty-run.duckdb").exists()
    with duckdb.connect(str(path), read_only=True) as con:  # `--empty` ran on a copy: the views still read rows
        assert con.execute("SELECT count(*) FROM email_send").fetchone() == before
