"""What an hourly run does not redo (issue 15), run for real with dbt on DuckDB: a view whose SQL and upstream
columns are unchanged is left as it is, and dbt sends no usage events."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from englake.dbt import run_dbt
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, generate_lake

pytestmark = pytest.mark.dbt


def _messages(args: list[str], settings: Settings) -> dict[str, str]:
    """Each model's result message of a `dbt run`: `unchanged` for a view left as it was, `OK` when (re)created."""
    result = run_dbt(["run", *args], settings)
    return {node.node.name: node.message for node in result.result.results}


def test_a_view_is_recreated_only_when_its_sql_or_upstream_columns_change(tmp_path: Path) -> None:
    generate_lake(GeneratorConfig(seed=3, events=400, days=1), LocalStore(tmp_path / "lake"))
    settings = Settings(lake_root=str(tmp_path / "lake"), duckdb_path=str(tmp_path / "lake.duckdb"))
    run_dbt(["seed"], settings)
    first = _messages(["--select", "+email_send"], settings)
    assert first["email_send"] == "OK"
    with duckdb.connect(str(settings.resolved_duckdb_path), read_only=True) as db:
        (comment,) = db.execute("select comment from duckdb_views() where view_name = 'email_send'").fetchone()
    assert comment.startswith("englake view fingerprint ")  # says what it is to whoever reads it in the docs
    again = _messages(["--select", "+email_send"], settings)
    assert again["email_send"] == "unchanged"
    assert again["int_events_unioned"] == "unchanged"  # a view over views
    assert again["fct_events"] != "unchanged"  # tables are written as before

    # fct_events gains a column (as after an upgrade of its SQL): the view over it is created again and reads it.
    with duckdb.connect(str(settings.resolved_duckdb_path)) as db:
        db.execute("alter table fct_events add column added_later integer")
    assert _messages(["--select", "email_send"], settings)["email_send"] == "OK"
    with duckdb.connect(str(settings.resolved_duckdb_path), read_only=True) as db:
        sends = db.execute("select count(*) from email_send").fetchone()[0]
        assert sends == db.execute("select count(*) from fct_events where event_type = 'email_send'").fetchone()[0]
        assert sends > 0
    assert _messages(["--select", "email_send"], settings)["email_send"] == "unchanged"
    assert _messages(["--select", "email_send", "--full-refresh"], settings)["email_send"] == "OK"


def test_dbt_sends_no_usage_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt's default is to send anonymous usage events to dbt Labs; dbt_project.yml turns that off for every run."""
    import dbt.tracking

    monkeypatch.delenv("DO_NOT_TRACK", raising=False)
    run_dbt(["ls", "--select", "fct_events", "--quiet"], Settings(lake_root=str(tmp_path / "lake")))
    assert dbt.tracking.active_user is not None
    assert dbt.tracking.active_user.do_not_track
