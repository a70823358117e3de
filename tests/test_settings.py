"""Configuration with no hidden defaults: the Athena target stops on a missing or malformed setting with one line
naming the environment variable, through the real `englake` command; the committed dbt profile has no fallback
bucket (the reference defect: staging and table data went to s3://englake-athena-results, a bucket anyone could own)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from englake.dbt import project_dir
from englake.errors import ConfigError, exit_code
from englake.settings import Settings

ENGLAKE = Path(sys.executable).parent / "englake"
ATHENA = {
    "ENGLAKE_ATHENA_SCHEMA": "englake",
    "ENGLAKE_ATHENA_S3_STAGING_DIR": "s3://my-lake/athena-results/",
    "ENGLAKE_ATHENA_S3_DATA_DIR": "s3://my-lake/tables/",
    "ENGLAKE_ATHENA_WORKGROUP": "englake",
    "ENGLAKE_AWS_REGION": "eu-west-1",
}


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`englake <args>` with only ``env`` of the englake/AWS settings (none inherited from the test run)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ENGLAKE_", "AWS_"))}
    base |= {"COLUMNS": "400", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    return subprocess.run(
        [str(ENGLAKE), *args], env=base | env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("missing", sorted(ATHENA))
def test_athena_without_a_setting_names_it_and_stops(tmp_path: Path, missing: str) -> None:
    env = {k: v for k, v in ATHENA.items() if k != missing}
    done = run(["models", "build", "--target", "athena", "--lake", str(tmp_path)], env, tmp_path)
    assert done.returncode == exit_code(ConfigError("x")) == 3
    line = error_line(done)
    assert missing in line
    assert [name for name in ATHENA if name in line] == [missing]  # only what is missing is named
    assert not (tmp_path / "englake.duckdb").exists()  # dbt never started


def test_athena_with_nothing_set_names_every_variable(tmp_path: Path) -> None:
    done = run(["models", "build", "--target", "athena"], {"ENGLAKE_DBT_TARGET": "athena"}, tmp_path)
    assert done.returncode == 3
    line = error_line(done)
    assert all(name in line for name in ATHENA)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENGLAKE_ATHENA_S3_STAGING_DIR", "my-lake/athena-results/"),  # not an s3:// URI
        ("ENGLAKE_ATHENA_S3_DATA_DIR", "s3://My_Lake/tables/"),  # not a valid bucket name
        ("ENGLAKE_ATHENA_SCHEMA", "Englake-Prod"),  # Glue database names are lower case, digits and _
    ],
)
def test_a_malformed_athena_setting_is_named_with_its_value(tmp_path: Path, variable: str, value: str) -> None:
    done = run(["models", "build", "--target", "athena"], ATHENA | {variable: value}, tmp_path)
    assert done.returncode == 3
    line = error_line(done)
    assert variable in line
    assert value in line


def test_an_unknown_target_in_the_environment_is_a_config_error(tmp_path: Path) -> None:
    done = run(["models", "build"], {"ENGLAKE_DBT_TARGET": "trino"}, tmp_path)
    assert done.returncode == 3
    assert "ENGLAKE_DBT_TARGET" in error_line(done)


def test_an_unknown_target_option_is_a_usage_error(tmp_path: Path) -> None:
    done = run(["models", "build", "--target", "trino"], {}, tmp_path)
    assert done.returncode == 2
    assert "--target" in done.stderr


def test_the_committed_profile_has_no_fallback_bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain dbt with the athena target and no settings stops on the missing variable instead of writing to a
    default bucket (the reference's profile fell back to s3://englake-athena-results/)."""
    from dbt.cli.main import dbtRunner

    for name in [*ATHENA, "AWS_REGION", "AWS_DEFAULT_REGION", "ENGLAKE_DBT_TARGET"]:
        monkeypatch.delenv(name, raising=False)
    project = project_dir()
    result = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            "athena",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ]
    )
    assert not result.success
    assert "ENGLAKE_ATHENA_S3_STAGING_DIR" in str(result.exception)
    assert "s3://" not in (project / "profiles.yml").read_text()


def test_every_read_of_a_model_on_athena_goes_to_the_dbt_schema() -> None:
    """`englake segments sync` on an s3:// lake read segment_membership from the raw Glue database
    (ENGLAKE_GLUE_DATABASE); it reads the dbt schema now, and without one it says so."""
    from segmentation.membership import AthenaMembership, membership_source

    with pytest.raises(ConfigError, match="ENGLAKE_ATHENA_SCHEMA"):
        membership_source(Settings(lake_root="s3://lake", glue_database="englake_raw", aws_region="us-east-1"))
    source = membership_source(
        Settings(
            lake_root="s3://lake",
            glue_database="englake_raw",
            athena_schema="englake_models",
            athena_workgroup="englake",
            aws_region="us-east-1",
        )
    )
    assert isinstance(source, AthenaMembership)
    assert source.sql == 'SELECT endpoint_id, segment_name FROM "englake_models"."segment_membership"'
    assert "englake_raw" not in source.describe()
