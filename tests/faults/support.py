"""What the fault-injection tests share: run englake as a user does, and fingerprint a folder byte for byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from englake import console
from englake.cli import app

#: The console script of this virtual environment, as a user runs it.
ENGLAKE = Path(sys.executable).parent / "englake"


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``englake <args>`` in process through the root command (its failure boundary included)."""
    result = CliRunner().invoke(app, list(args), prog_name="englake")
    return result.exit_code, result.stdout, result.stderr


def run_englake(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run the console script in a child process (stdout and stderr are pipes, not a terminal)."""
    return subprocess.run(
        [str(ENGLAKE), *args], capture_output=True, text=True, check=False, env=env or dict(os.environ), **kwargs
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path → SHA-256) and every folder (→ "dir"): equal means untouched."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        found[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages as a wide terminal shows them, unwrapped."""
    monkeypatch.setattr(console.console, "_width", 400)
    monkeypatch.setattr(console.err_console, "_width", 400)
