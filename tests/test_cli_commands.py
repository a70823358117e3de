"""Issue 14 item 4: ``englake sql``, ``englake doctor``, ``englake models analyses``, dbt progress while
``models build`` runs, and ``englake demo`` leaving alone a lake it did not create. Answers come from the
generator's ground truth; failures are one line with their class's exit code (englake/errors.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from englake.errors import (
    EXIT_CODES,
    AwsRegionError,
    ConfigError,
    DatabaseLockedError,
    ForeignLakeError,
    InputError,
    LakeError,
)
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.synthetic.truth import GroundTruth

ENGLAKE = Path(sys.executable).parent / "englake"


def _run(*args: str, lake: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    if lake is not None:
        environment["ENGLAKE_LAKE_ROOT"] = str(lake)
    return subprocess.run([str(ENGLAKE), *args], capture_output=True, text=True, check=False, env=environment)


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="module")
def lake(built_lake: tuple[Settings, GroundTruth, LocalStore], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's built lake, so syncs and queries here change nothing other tests read."""
    settings, _, _ = built_lake
    copy = tmp_path_factory.mktemp("cli-commands") / "lake"
    shutil.copytree(settings.local_lake_path, copy)
    return copy


@pytest.fixture(scope="module")
def truth(built_lake: tuple[Settings, GroundTruth, LocalStore]) -> GroundTruth:
    return built_lake[1]


# -- englake sql ---------------------------------------------------------------------------------------------------


@pytest.mark.dbt
def test_cli_sql_answers_from_the_built_models(lake: Path, truth: GroundTruth) -> None:
    done = _run("sql", "select count(*) as sends from email_send", "--format", "json", lake=lake)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"sends": truth.view_rows["email_send"]}
    as_csv = _run("sql", "select count(*) as sends from email_send", "--format", "csv", lake=lake)
    assert as_csv.stdout.splitlines() == ["sends", str(truth.view_rows["email_send"])]


@pytest.mark.dbt
def test_cli_sql_is_read_only_and_a_bad_statement_is_one_line(lake: Path) -> None:
    write = _run("sql", "create table scratch as select 1 as x", lake=lake)
    assert write.returncode == EXIT_CODES[InputError]
    assert "read-only" in _one_error_line(write)
    typo = _run("sql", "selec 1", lake=lake)
    assert typo.returncode == EXIT_CODES[InputError]
    assert "syntax error" in _one_error_line(typo)


def test_cli_sql_without_built_models_is_a_lake_error(tmp_path: Path) -> None:
    done = _run("sql", "select 1", lake=tmp_path)
    assert done.returncode == EXIT_CODES[LakeError]
    assert "englake models build" in _one_error_line(done)


# -- englake models analyses ---------------------------------------------------------------------------------------


@pytest.mark.dbt
def test_cli_models_analyses_run_the_dbt_analyses(lake: Path, truth: GroundTruth, tmp_path: Path) -> None:
    work = tmp_path / "dbt-work"  # ENGLAKE_DBT_WORK_DIR: where dbt writes, not the project folder (maybe read-only)
    done = _run(
        "models", "analyses", "--select", "campaign_engagement_30d", "--format", "json", lake=lake,
        ENGLAKE_DBT_WORK_DIR=str(work),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {row["analysis"] for row in rows} == {"campaign_engagement_30d"}
    sends: dict[str, int] = {}
    for message in truth.messages.values():
        if message.get("campaign_id"):
            sends[message["campaign_id"]] = sends.get(message["campaign_id"], 0) + message["counts"].get(
                "email_send", 0
            )
    assert rows
    for row in rows:
        assert row["num_sends"] == sends[row["pinpoint_campaign_id"]], row
    # check-athena's Athena SQL lives in target/; the analyses compile apart from it, in the work folder.
    compiled = {path.name for path in (work / "target-analyses").rglob("*.sql")}
    assert compiled == {"campaign_engagement_30d.sql"}


@pytest.mark.dbt
def test_cli_models_analyses_all_four_and_their_vars(lake: Path, truth: GroundTruth) -> None:
    address, received = next(
        (endpoint["address"], endpoint["emails_received"])
        for endpoint in truth.endpoints.values()
        if endpoint["channel"] == "EMAIL" and endpoint.get("emails_received")
    )
    done = _run("models", "analyses", "--vars", json.dumps({"address": address}), "--format", "json", lake=lake)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert {row["analysis"] for row in rows} >= {"campaign_engagement_30d", "emails_received_30d"}
    emails = [row for row in rows if row["analysis"] == "emails_received_30d"]
    assert sorted(row["message_id"] for row in emails) == sorted(email["message_id"] for email in received)


# -- englake doctor ------------------------------------------------------------------------------------------------


@pytest.mark.dbt
def test_cli_doctor_prints_every_setting_with_its_source_and_passes_on_a_built_lake(lake: Path) -> None:
    done = _run("doctor", "--format", "json", lake=lake, ENGLAKE_SEGMENTS_MAX_REMOVAL_SHARE="0.5")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    settings = {row["name"]: row for row in rows if row["kind"] == "setting"}
    assert settings["ENGLAKE_LAKE_ROOT"]["value"] == str(lake)
    assert settings["ENGLAKE_LAKE_ROOT"]["source"] == "environment"
    assert settings["ENGLAKE_SEGMENTS_MAX_REMOVAL_SHARE"] | {"defined_by": ""} == {
        "kind": "setting",
        "name": "ENGLAKE_SEGMENTS_MAX_REMOVAL_SHARE",
        "value": "0.5",
        "source": "environment",
        "defined_by": "",
    }
    assert settings["ENGLAKE_GLUE_DATABASE"]["source"] == "default"
    assert settings["ENGLAKE_DBT_TARGET"] == {
        "kind": "setting",
        "name": "ENGLAKE_DBT_TARGET",
        "value": "duckdb",
        "source": "default",
        "defined_by": "englake.settings.Settings",
    }
    # Handlers' settings are listed too (a setting is wherever a settings class or the dbt profile reads it).
    assert {"ENGLAKE_HOOKS_PROVIDER", "ENGLAKE_AUTO_REPLY_TEMPLATE", "ENGLAKE_ARCHIVE_BUCKET"} <= set(settings)
    checks = {row["name"]: row for row in rows if row["kind"] == "check"}
    assert checks["lake"]["ok"]
    assert checks["DuckDB file"]["ok"]
    assert checks["dbt project"]["ok"]
    assert "AWS region" not in checks  # a local lake on DuckDB needs no AWS


def test_cli_doctor_fails_in_one_line_per_check_with_the_first_failures_code(tmp_path: Path) -> None:
    done = _run("doctor", lake=tmp_path / "nowhere", ENGLAKE_LAKE_ROT="typo")
    assert done.returncode == EXIT_CODES[LakeError]
    printed = "".join(done.stdout.split())  # lines wrap at 80 columns
    assert "FAILlake:" in printed
    assert "doesnotexist" in printed
    assert "warnunknownvariables:nosettingreadsENGLAKE_LAKE_ROT" in printed
    assert "2 of" in _one_error_line(done)
    bad = _run("doctor", lake=tmp_path, ENGLAKE_SEGMENTS_MAX_REMOVAL_SHARE="lots")
    assert bad.returncode == EXIT_CODES[ConfigError]
    assert "FAILsettingssegmentation.settings.SegmentSettings:ENGLAKE_SEGMENTS_MAX_REMOVAL_SHARE" in "".join(
        bad.stdout.split()
    )


def test_cli_doctor_names_the_command_line_as_the_source_of_lake(tmp_path: Path) -> None:
    done = _run("doctor", "--lake", str(tmp_path), "--format", "json", ENGLAKE_LAKE_ROOT="/elsewhere")
    rows = {row["name"]: row for row in map(json.loads, done.stdout.splitlines()) if row["kind"] == "setting"}
    assert (rows["ENGLAKE_LAKE_ROOT"]["value"], rows["ENGLAKE_LAKE_ROOT"]["source"]) == (str(tmp_path), "command line")
    assert done.returncode == EXIT_CODES[LakeError]  # a lake folder without built models: no DuckDB file


def test_cli_doctor_checks_aws_for_an_s3_lake(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env |= {"ENGLAKE_LAKE_ROOT": "s3://englake-doctor-test/lake", "AWS_CONFIG_FILE": str(tmp_path / "none")}
    env |= {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run([str(ENGLAKE), "doctor"], capture_output=True, text=True, check=False, env=env)
    printed = "".join(done.stdout.split())
    assert "FAILAWSregion:noAWSRegion:setAWS_REGION" in printed
    assert "FAILAWScredentials:noAWScredentialsfound" in printed
    assert done.returncode == EXIT_CODES[AwsRegionError]


@pytest.mark.dbt
def test_cli_doctor_names_a_locked_duckdb_file(lake: Path) -> None:
    import duckdb

    holder = duckdb.connect(str(lake / "englake.duckdb"))  # an analyst's open write session
    try:
        done = _run("doctor", lake=lake)
    finally:
        holder.close()
    printed = "".join(done.stdout.split())
    assert "FAILDuckDBfile:" in printed
    assert "inusebyanotherprocess" in printed
    assert done.returncode == EXIT_CODES[DatabaseLockedError]


# -- dbt progress ----------------------------------------------------------------------------------------------------


@pytest.mark.dbt
def test_cli_models_build_prints_dbt_progress_as_plain_lines_off_a_terminal(lake: Path) -> None:
    done = _run("models", "build", "--select", "stg_lake__records+", lake=lake)
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("dbt build: ")]
    assert progress, done.stderr
    last = progress[-1].split()
    done_nodes, total = int(last[2]), int(last[4])
    assert done_nodes == total
    # The count is dbt's own: the nodes of the run's status table (one row per status) add up to it.
    statuses = re.findall(r"^\W*(success|pass|warn|error|fail|skipped|skip|no-op)\W+(\d+)", done.stdout, re.M)
    counted = sum(int(nodes) for _, nodes in statuses)
    assert counted == total > 10
    assert "\x1b[" not in done.stderr


def test_cli_node_progress_counts_dbt_result_events() -> None:
    """The callback against dbt's real event classes (not stand-ins): results count, starts and batches don't."""
    from dbt.events import types
    from dbt_common.events.base_types import msg_from_base_event

    from englake.dbt_progress import NodeProgress, PlainProgressLines

    seen: list[tuple[int, int]] = []
    lines: list[str] = []
    progress = NodeProgress(lambda done, total, seconds: (seen.append((done, total)), PlainProgressLines(lines.append)))

    def node(unique_id: str) -> dict:
        return {"unique_id": unique_id, "node_name": unique_id.split(".")[-1]}

    events = [
        types.LogStartLine(description="model a", index=1, total=3, node_info=node("model.englake.a")),
        types.LogModelResult(
            description="a", status="OK", index=1, total=3, execution_time=0.1, node_info=node("model.englake.a")
        ),
        types.LogTestResult(
            name="t",
            status="pass",
            index=2,
            num_models=3,
            execution_time=0.1,
            num_failures=0,
            node_info=node("test.englake.t"),
        ),
        types.SkippingDetails(
            resource_type="model", node_name="c", index=3, total=3, node_info=node("model.englake.c")
        ),
    ]
    for event in events:
        progress(msg_from_base_event(event))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    printer = PlainProgressLines(lines.append, every_seconds=1e9)
    for done in range(1, 101):
        printer(done, 100, 0.0)
    assert len(lines) == 10
    assert lines[-1] == "dbt build: 100 of 100 nodes done, 0 s elapsed"


# -- englake demo: only its own lake ---------------------------------------------------------------------------------


def test_cli_demo_leaves_a_lake_it_did_not_create_alone(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    (lake / "raw" / "ses" / "2026" / "11" / "20" / "10").mkdir(parents=True)
    precious = lake / "raw" / "ses" / "2026" / "11" / "20" / "10" / "events.gz"
    precious.write_bytes(b"not ours to delete")
    (lake / "englake.duckdb").write_bytes(b"an analyst's models")
    done = _run("demo", "--events", "100", lake=lake)
    assert done.returncode == EXIT_CODES[ForeignLakeError] == 19
    line = _one_error_line(done)
    assert str(lake) in line
    assert "--replace" in line
    assert precious.read_bytes() == b"not ours to delete"
    assert (lake / "englake.duckdb").read_bytes() == b"an analyst's models"
    assert sorted(str(path.relative_to(lake)) for path in lake.rglob("*") if path.is_file()) == [
        "englake.duckdb",
        "raw/ses/2026/11/20/10/events.gz",
    ]


def test_cli_demo_marks_its_lake_and_replace_overrides(tmp_path: Path) -> None:
    from englake.demo import DEMO_MARKER_KEY, is_demo_lake, prepare_demo_lake

    lake = tmp_path / "lake"
    assert is_demo_lake(lake)  # not there yet: the demo creates it
    prepare_demo_lake(Settings(lake_root=str(lake)))
    assert (lake / DEMO_MARKER_KEY).is_file()
    assert is_demo_lake(lake)
    (lake / "raw").mkdir()
    assert is_demo_lake(lake)  # marked: the next demo may empty it

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "englake.duckdb").write_bytes(b"x")
    assert not is_demo_lake(foreign)
    with pytest.raises(ForeignLakeError):
        prepare_demo_lake(Settings(lake_root=str(foreign)))
    prepare_demo_lake(Settings(lake_root=str(foreign)), replace=True)
    assert not (foreign / "englake.duckdb").exists()
    assert (foreign / DEMO_MARKER_KEY).is_file()


def test_cli_hourly_selection_on_a_file_with_no_full_build_says_to_build_first(tmp_path: Path) -> None:
    """The hourly selection leaves out the seeds and stg_pinpoint__campaigns: on a new file dbt would fail on seven
    models with a page of catalog errors. One line says what to run instead, and dbt does not start."""
    (tmp_path / "lake").mkdir()
    done = _run("models", "build", "--selector", "hourly", lake=tmp_path / "lake")
    assert done.returncode == EXIT_CODES[LakeError]
    line = _one_error_line(done)
    assert "--selector hourly runs after a full build" in line
    assert "run `englake models build` first" in line
    assert not (tmp_path / "lake" / "englake.duckdb").exists()
