"""dbt conventions, run for real: the unit tests (and that they catch a wrong denominator), the enforced contract on
segment_membership (and that a violation fails the build), source freshness on the Firehose arrival hour (a stale
lake stops with its own exit code), the named selectors, the exposures and the docs site from another folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from englake.dbt import project_dir, run_dbt
from englake.errors import StaleLakeError, exit_code
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, generate_lake

pytestmark = pytest.mark.dbt

ENGLAKE = Path(sys.executable).parent / "englake"
UNIT_TESTS = {"status_precedence_outranks_time", "rate_denominators", "deduplication_keeps_the_first_arrival"}


def englake(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGLAKE_")} | {"COLUMNS": "400"}
    return subprocess.run(
        [str(ENGLAKE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def project_copy(tmp_path: Path) -> Path:
    """A copy of the dbt project to break on purpose (the repository's stays as it is)."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(project_dir(), copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"))
    return copy


def invoke(project: Path, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from dbt.cli.main import dbtRunner

    monkeypatch.setenv("ENGLAKE_DUCKDB_PATH", str(tmp_path / "copy.duckdb"))
    monkeypatch.setenv("ENGLAKE_LAKE_PATH", str(tmp_path / "lake"))
    monkeypatch.setenv("ENGLAKE_DBT_TARGET", "duckdb")
    return dbtRunner().invoke(
        [*args, "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(tmp_path / "t")]
    )


@pytest.fixture(scope="module")
def empty_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`dbt build --empty` (every model with zero rows, so it is quick): the unit tests run inside it."""
    lake = tmp_path_factory.mktemp("empty-lake")
    result = run_dbt(["build", "--empty"], Settings(lake_root=str(lake)))
    return {node.node.name: str(node.status).lower() for node in result.result.results}


def test_the_unit_tests_run_inside_dbt_build_and_pass(empty_build: dict[str, str]) -> None:
    assert {name: empty_build.get(name) for name in UNIT_TESTS} == dict.fromkeys(UNIT_TESTS, "pass")
    assert empty_build["segment_membership"] == "success"


def test_a_wrong_rate_denominator_fails_its_unit_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = project_copy(tmp_path)
    model = project / "models" / "marts" / "rpt_campaign_performance_daily.sql"
    right = "englake.safe_divide('unique_opens', 'messages_delivered')"
    assert right in model.read_text(), "the open rate's denominator moved: update this mutation"
    model.write_text(model.read_text().replace(right, "englake.safe_divide('unique_opens', 'messages_sent')"))
    result = invoke(project, ["build", "--empty", "--select", "+rpt_campaign_performance_daily"], tmp_path, monkeypatch)
    assert not result.success
    statuses = {node.node.name: str(node.status).lower() for node in result.result.results}
    assert statuses["rate_denominators"] == "fail"


def test_a_contract_violation_on_segment_membership_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync reads (endpoint_id varchar, segment_name varchar): a model that returns another type fails the
    build before a table is written."""
    project = project_copy(tmp_path)
    (project / "models" / "segments" / "segment_membership.sql").write_text(
        "select cast(42 as integer) as endpoint_id, cast('vip' as varchar) as segment_name\n"
    )
    result = invoke(project, ["run", "--select", "segment_membership"], tmp_path, monkeypatch)
    assert not result.success
    (node,) = result.result.results
    assert "contract" in node.message.lower()
    assert "endpoint_id" in node.message


def test_the_selectors_pick_what_their_names_say(empty_build: dict[str, str], tmp_path: Path) -> None:
    settings = Settings(lake_root=str(tmp_path / "lake"))

    def names(selector: str) -> set[str]:
        result = run_dbt(["ls", "--selector", selector, "--resource-type", "model", "--quiet"], settings)
        return {line.rsplit(".", 1)[-1] for line in result.result}

    hourly, segments, maintenance = names("hourly"), names("segments"), names("maintenance")
    assert {"stg_lake__records", "fct_events", "fct_messages", "email_status", "rpt_sms_daily"} <= hourly
    assert not {"segment_membership", "seg_engaged_recent_buyers", "int_email_engagement_by_endpoint"} & hourly
    # The views stay, so an upgrade that changes or adds one takes effect at the next hour.
    assert {"email_open", "int_events_unioned", "stg_ses__events"} <= hourly
    assert {"segment_membership", "seg_engaged_recent_buyers", "seg_webinar_registrants_opened_invite"} <= segments
    assert "int_email_engagement_by_endpoint" in segments
    assert {"fct_events", "stg_lake__records", "fct_messages"} <= maintenance
    assert not {"email_open", "segment_membership"} & maintenance  # views and plain tables have no Iceberg upkeep


def test_the_untested_views_are_plain_filters_of_fct_events(tmp_path: Path) -> None:
    """The per-event-type and dashboard views carry no data tests of their own (issue 15: re-testing them was a
    tenth of a 1M-event build). fct_events' tests (unique, not-null event ids, …) hold for them only while each is
    fct_events filtered, with no join, unnest or union that could repeat or add rows."""
    from englake.dbt import target_dir

    settings = Settings(lake_root=str(tmp_path / "lake"), duckdb_path=str(tmp_path / "englake.duckdb"))
    run_dbt(["compile", "--select", "path:models/marts/events", "path:models/dashboards", "--quiet"], settings)
    manifest = json.loads((target_dir() / "manifest.json").read_text())
    nodes = manifest["nodes"].values()
    tested = {node.get("attached_node") for node in nodes if node["resource_type"] == "test"}
    untested = [
        node
        for node in nodes
        if node["resource_type"] == "model"
        and node["path"].startswith(("marts/events/", "dashboards/"))
        and node["unique_id"] not in tested
    ]
    assert len(untested) >= 23
    for node in untested:
        assert node["config"]["materialized"] == "view", node["name"]
        assert node["depends_on"]["nodes"] == ["model.englake.fct_events"], node["name"]
        compiled = (target_dir() / "compiled" / "englake" / node["original_file_path"]).read_text().lower()
        assert not re.search(r"\b(join|unnest|union)\b", compiled), node["name"]
        assert re.search(r"\bwhere (event_type|channel) = '[a-z_]+'", compiled), node["name"]


def test_the_freshness_gate_passes_a_filling_lake_and_stops_a_stale_one(tmp_path: Path) -> None:
    fresh, stale = tmp_path / "fresh", tmp_path / "stale"
    generate_lake(GeneratorConfig(seed=3, events=200, days=1), LocalStore(fresh))
    done = englake(["lake", "generate", "--lake", str(stale), "--events", "200", "--days", "1", "--end",
                    "2026-01-01T00:00:00"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    ok = englake(["models", "freshness", "--lake", str(fresh)], tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "raw_ses" in ok.stdout
    assert "pass" in ok.stdout
    stopped = englake(["models", "freshness", "--lake", str(stale)], tmp_path)
    assert stopped.returncode == exit_code(StaleLakeError("x")) == 12, stopped.stdout + stopped.stderr
    (line,) = [line for line in stopped.stderr.splitlines() if line.strip()]
    assert "stale" in line
    assert "2026-01-01" in line or "2025-12-31" in line  # the newest arrival hour is named


def test_the_docs_site_is_built_into_a_folder_from_anywhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    done = englake(["models", "docs", "site", "--lake", str(tmp_path / "lake")], elsewhere)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    site = elsewhere / "site"
    assert {p.name for p in site.iterdir()} >= {"static_index.html", "index.html", "manifest.json", "catalog.json"}
    manifest = json.loads((site / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert exposures["segment_sync"]["depends_on"]["nodes"] == ["model.englake.segment_membership"]
    assert {"campaign_engagement_30d", "emails_received_30d"} <= set(exposures)
    membership = manifest["nodes"]["model.englake.segment_membership"]
    assert membership["contract"]["enforced"] is True
    assert all(column["description"] for column in membership["columns"].values())
    static = (site / "static_index.html").read_text()
    assert "segment_membership" in static
    assert "segment_sync" in static
