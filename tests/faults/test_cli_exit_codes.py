"""Issues 9 and 14: every CLI failure is one line with a distinct exit code; a traceback only with --debug;
``--version``; ``--help`` without dbt, DuckDB or boto3; plain output (no ANSI codes) off a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from englake import errors
from englake.errors import EXIT_CODES, INTERNAL_EXIT_CODE, USAGE_EXIT_CODE, exit_code
from tests.faults.support import error_lines, invoke, run_englake

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[")


def test_cli_each_failure_class_has_its_own_exit_code() -> None:
    codes = list(EXIT_CODES.values())
    assert len(codes) == len(set(codes))
    assert not {USAGE_EXIT_CODE, INTERNAL_EXIT_CODE, 0} & set(codes)
    # A subclass not in the table takes its nearest listed ancestor's code.
    assert exit_code(errors.AwsRegionError("x")) == 4 != exit_code(errors.ConfigError("x"))
    from handlers.auto_reply.models import MalformedReceipt

    assert exit_code(MalformedReceipt("x")) == EXIT_CODES[errors.InputError]
    assert exit_code(RuntimeError("x")) == INTERNAL_EXIT_CODE


def test_cli_readme_documents_every_exit_code() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| (\d+) \| `(\w+)`", readme, flags=re.MULTILINE))
    documented = {int(code): name for code, name in rows.items()}
    assert documented.items() >= {code: cls.__name__ for cls, code in EXIT_CODES.items()}.items()
    assert {USAGE_EXIT_CODE, INTERNAL_EXIT_CODE} <= documented.keys()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--bogus"], "No such option: --bogus (see 'englake --help')"),
        (["lake", "nonsense"], "No such command 'nonsense'. (see 'englake lake --help')"),
        (["lake", "land"], "Missing argument 'paths'. (see 'englake lake land --help')"),
        (["segments", "sync", "--max-removal-share", "lots"], "Invalid value for '--max-removal-share'"),
    ],
)
def test_cli_bad_arguments_are_one_line_and_exit_2(args: list[str], says: str) -> None:
    code, _, err = invoke(*args)
    assert code == USAGE_EXIT_CODE
    [line] = error_lines(err)
    assert line.startswith("error: ")
    assert says in line


def test_cli_unexpected_exception_is_one_line_exit_70_and_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import englake.models

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(englake.models, "campaign_summary", broken)
    code, _, err = invoke("models", "summary", "--lake", str(tmp_path))
    assert code == INTERNAL_EXIT_CODE
    assert error_lines(err) == ["error: unexpected ZeroDivisionError: a bug (rerun with --debug for the traceback)"]

    code, _, err = invoke("--debug", "models", "summary", "--lake", str(tmp_path))
    assert code == INTERNAL_EXIT_CODE
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().endswith("error: unexpected ZeroDivisionError: a bug")

    monkeypatch.setenv("ENGLAKE_DEBUG", "1")
    code, _, err = invoke("models", "summary", "--lake", str(tmp_path))
    assert "Traceback (most recent call last)" in err


def test_cli_project_error_through_the_console_script_is_one_line(tmp_path: Path) -> None:
    done = run_englake("models", "summary", "--lake", str(tmp_path / "empty"))
    assert done.returncode == EXIT_CODES[errors.LakeError]
    assert error_lines(done.stderr) == [
        f"error: no DuckDB file at {tmp_path / 'empty' / 'englake.duckdb'}: build the models first "
        "(englake models build)"
    ]
    assert done.stdout == ""


def test_cli_version_matches_the_package() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    done = run_englake("--version")
    assert done.returncode == 0
    assert done.stdout.startswith(f"englake {version} (dbt-core ")


def test_cli_help_imports_no_dbt_duckdb_or_boto3() -> None:
    """``englake --help`` took 6–11 s because dbt was imported up front (issue 14); the time is in benchmarks/."""
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from englake.cli import app\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        "for group in ('lake', 'models', 'segments', 'ops'):\n"
        "    assert CliRunner().invoke(app, [group, '--help']).exit_code == 0\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'dbt', 'duckdb', 'boto3', 'botocore', 'pyarrow',"
        " 'pandas', 'awswrangler', 'sqlglot'})\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    heavy = set(filter(None, done.stdout.strip().split(",")))
    assert heavy <= {"botocore"}  # englake/storage.py still imports botocore.exceptions (cheap: no client, no boto3)


@pytest.mark.parametrize("no_color", [False, True])
def test_cli_output_off_a_terminal_has_no_ansi_codes(tmp_path: Path, no_color: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")}
    if no_color:
        env["NO_COLOR"] = "1"
    for args in (["--help"], ["lake", "land", "--help"], ["models", "summary", "--lake", str(tmp_path)]):
        done = run_englake(*args, env=env)
        assert not ANSI.search(done.stdout + done.stderr), args


def test_cli_no_color_is_plain_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR (no-color.org) drops styles too, not only colours, where a terminal would get them."""
    code = "from englake.console import console, styled\nconsole.print('[bold red]x[/bold red]')\nprint(styled())\n"
    env = {**os.environ, "FORCE_COLOR": "1", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout == "x\nFalse\n"
    env.pop("NO_COLOR")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert ANSI.search(done.stdout)  # the same output on a (forced) terminal is styled: the check above is real
