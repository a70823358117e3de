"""``englake audiences …`` as a user runs it: exit codes and the one clear line for bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from englake.errors import EXIT_CODES, InputError
from handlers.audiences.cli import EXIT_REJECTS, app

runner = CliRunner()


def _englake(*args: str) -> subprocess.CompletedProcess:
    """Through the console script's main(), which turns project errors into one line and their exit code."""
    code = "import sys; from englake.cli import main; sys.argv = ['englake', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)


def test_check_lists_rejects_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("ChannelType,Address\nSMS,+12065550142\nSMS,12345\nEMAIL,a@example.com\nEMAIL,a@example.com\n")
    result = runner.invoke(app, ["check", str(path)], terminal_width=250)
    assert result.exit_code == EXIT_REJECTS
    assert "4 rows: 2 accepted, 2 rejected (CSV)" in result.output
    assert "invalid phone number" in result.output


def test_check_of_a_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "list.ndjson"
    path.write_text('{"ChannelType":"EMAIL","Address":"a@example.com"}\n')
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0
    assert "1 rows: 1 accepted, 0 rejected (JSON)" in result.output


def test_bad_input_is_one_line_with_its_exit_code(tmp_path: Path) -> None:
    missing = _englake("audiences", "check", str(tmp_path / "nope.csv"))
    assert missing.returncode == EXIT_CODES[InputError]
    assert missing.stderr.startswith("error: ")
    assert "nope.csv: No such file or directory" in " ".join(missing.stderr.split())
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Phone\nAnn,1\n")
    header = _englake("audiences", "check", str(bad))
    assert header.returncode == EXIT_CODES[InputError]
    assert "header has no 'ChannelType' column" in header.stderr
    naive = _englake(
        "audiences", "campaign", "create", "--name", "n", "--segment", "s", "--template", "t",
        "--start", "2026-12-01T09:00:00", "--backend", "pinpoint", "--application-id", "a" * 32,
    )  # fmt: skip
    assert naive.returncode == EXIT_CODES[InputError]
    assert "has no UTC offset" in naive.stderr
    assert "Traceback" not in naive.stderr


def test_attribute_rules_are_listed() -> None:
    result = runner.invoke(app, ["attributes", "rules"], terminal_width=200)
    assert result.exit_code == 0
    assert "opened_email" in result.output
    assert "30 days" in result.output
