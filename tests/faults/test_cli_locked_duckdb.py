"""Issue 14: a DuckDB connection an analyst keeps open made every command fail with a lock traceback.

A second, real process holds the file. With a write connection (the DuckDB CLI's default) every command says in one
line which file is held and what to do, with its own exit code; with a read-only connection, the readers still run,
because they open the file read-only too."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from englake.errors import EXIT_CODES, DatabaseLockedError
from tests.faults.support import error_lines, invoke, run_englake

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read-only")
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "lake"
    root.mkdir()
    with duckdb.connect(str(root / "englake.duckdb")) as con:
        con.execute(
            "CREATE TABLE rpt_campaign_performance_daily AS SELECT 'camp-1' AS campaign_id, 'email' AS channel, "
            "10 AS messages_sent, 9 AS messages_delivered, 4 AS unique_opens, 2 AS unique_clicks, "
            "1 AS hard_bounces, 0 AS complaints"
        )
        con.execute("CREATE TABLE segment_membership AS SELECT 'ep-1' AS endpoint_id, 'seg_a' AS segment_name")
    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(root))
    monkeypatch.delenv("ENGLAKE_DUCKDB_PATH", raising=False)
    return root


@contextmanager
def held(path: Path, mode: str) -> Iterator[int]:
    """Another process holds ``path`` (``write`` or ``read-only``) until the block ends; yields its pid."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        yield holder.pid
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def _assert_locked_line(stderr: str, path: Path, pid: int) -> None:
    [line] = error_lines(stderr)
    assert line.startswith(f"error: the DuckDB file {path} is in use by another process (")
    assert f"(PID {pid})" in line
    assert line.endswith("close that connection (an open DuckDB shell, notebook or BI tool) and retry")


@pytest.mark.parametrize(
    "args",
    [
        ["models", "summary"],
        ["segments", "who"],
        ["segments", "sync", "--no-refresh", "--dry-run"],
        ["segments", "sync", "--no-refresh"],
        ["models", "build"],
    ],
    ids=" ".join,
)
def test_cli_locked_duckdb_is_one_line_naming_the_file(lake: Path, args: list[str]) -> None:
    database = lake / "englake.duckdb"
    with held(database, "write") as pid:
        code, _, err = invoke(*args)
    assert code == EXIT_CODES[DatabaseLockedError]
    _assert_locked_line(err, database, pid)


def test_cli_locked_duckdb_through_the_console_script(lake: Path) -> None:
    database = lake / "englake.duckdb"
    with held(database, "write") as pid:
        done = run_englake("models", "summary", "--lake", str(lake))
    assert done.returncode == EXIT_CODES[DatabaseLockedError]
    _assert_locked_line(done.stderr, database, pid)
    assert "Traceback" not in done.stderr


def test_cli_readers_share_the_file_with_a_read_only_session(lake: Path) -> None:
    with held(lake / "englake.duckdb", "read-only"):
        summary = invoke("models", "summary")
        who = invoke("segments", "who")
        dry = invoke("segments", "sync", "--no-refresh", "--dry-run")
    assert summary[0] == 0, summary
    assert "44.4%" in summary[1]  # 4 unique opens of 9 delivered
    assert who[0] == 0, who
    assert dry[0] == 0, dry
    assert "dry run" in dry[1]
