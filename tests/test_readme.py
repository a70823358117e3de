"""Issue 14 item 4: the README's newcomer path runs as written. The shell blocks of its getting-started sections are
read from README.md itself (so the test and the README cannot drift) and run in order in one shell, from the
repository root, on a fresh small lake: every command exits 0."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: The sections a newcomer follows first, in README order (headings as written, without the #s).
NEWCOMER_SECTIONS = ("Two commands", "The `englake` command", "The analyst queries")
#: Lines not run here, and why: `make test` is this test suite itself.
NOT_RUN = {"make test"}
#: The fresh lake is small: `make demo` passes ARGS to `englake demo` (the README's command stays as written).
SMALL_DEMO = "--events 1500 --days 5"


def sections(text: str) -> dict[str, str]:
    """Heading (any level) → the text up to the next heading."""
    found: dict[str, str] = {}
    title = None
    lines: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("#"):
            if title is not None:
                found[title] = "\n".join(lines)
            title, lines = line.lstrip("#").strip(), []
        else:
            lines.append(line)
    if title is not None:
        found[title] = "\n".join(lines)
    return found


def shell_commands(section: str) -> list[str]:
    """The commands of a section's ```sh blocks, continuation lines joined, comments and blank lines left out."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            command = line.strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def newcomer_commands() -> list[str]:
    found = sections(README.read_text())
    missing = [name for name in NEWCOMER_SECTIONS if name not in found]
    assert not missing, f"README sections renamed or gone: {missing}"
    return [command for name in NEWCOMER_SECTIONS for command in shell_commands(found[name])]


def _without_comment(command: str) -> str:
    return re.sub(r"\s+#\s.*$", "", command)


def test_readme_says_how_to_get_englake_on_path_before_the_first_englake_command() -> None:
    text = README.read_text()
    first_use = re.search(r"^englake ", text, flags=re.MULTILINE)
    assert first_use is not None
    before = text[: first_use.start()]
    assert ". .venv/bin/activate" in before
    assert "make shell" in before


def test_readme_newcomer_commands_include_the_path_and_the_new_commands() -> None:
    commands = [_without_comment(command) for command in newcomer_commands()]
    assert commands[0] == "make demo"
    assert ". .venv/bin/activate" in commands
    for needed in ("englake doctor", "englake models summary", "englake sql ", "englake models analyses"):
        assert any(command.startswith(needed) for command in commands), needed


@pytest.mark.dbt
def test_readme_newcomer_path_runs_as_written(tmp_path: Path) -> None:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("runs the README's commands with the repository's .venv (make test)")
    script = ["set -e"]
    for command in newcomer_commands():
        if _without_comment(command) in NOT_RUN:
            continue
        script += [f"echo '>>> '{_quote(command)}", command]
    env = {name: value for name, value in os.environ.items() if not name.startswith(("VIRTUAL_ENV", "ENGLAKE_"))}
    env |= {"ENGLAKE_LAKE_ROOT": str(tmp_path / "lake"), "ARGS": SMALL_DEMO, "COLUMNS": "80"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=ROOT, capture_output=True, text=True, check=False, env=env
    )
    ran = [line[4:] for line in done.stdout.splitlines() if line.startswith(">>> ")]
    assert done.returncode == 0, f"failed at: {ran[-1] if ran else '?'}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert len(ran) == len([c for c in newcomer_commands() if _without_comment(c) not in NOT_RUN])
    assert (tmp_path / "lake" / "_englake" / "demo.json").is_file()  # the demo made (and marked) the fresh lake


def test_readme_make_shell_puts_englake_on_path() -> None:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("make shell uses the repository's .venv")
    env = {name: value for name, value in os.environ.items() if name != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env["SHELL"] = "/bin/sh"
    done = subprocess.run(
        ["make", "--no-print-directory", "shell"],
        cwd=ROOT,
        input="command -v englake\nenglake --version\n",
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    path, version = done.stdout.splitlines()[-2:]
    assert Path(path) == ROOT / ".venv" / "bin" / "englake"
    assert version.startswith("englake ")


def _quote(command: str) -> str:
    return "'" + command.replace("'", "'\\''") + "'"
