"""Issue 9: a read-only lake gave tracebacks in ``lake land``, ``lake inspect --write-quarantine`` and ``segments
sync``. Each is now one line naming the path, with the unwritable-path exit code.

Tests run as root in CI, where ``chmod`` stops nobody. So each command meets an unwritable lake three ways:

- ``read-only mount``: the lake folder bind-mounted read-only in a private user and mount namespace (``unshare``),
  a real EROFS as a read-only volume gives it; skipped where unprivileged namespaces are not allowed;
- ``file in the way``: a file where the command must create a folder (ENOTDIR / EEXIST from the real file system),
  which stops root as well;
- ``no permission``: ``chmod 555``, only when the tests do not run as root.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from englake.errors import EXIT_CODES, UnwritablePathError
from englake.storage import LocalStore
from segmentation.catalog import write_export
from tests.faults.support import ENGLAKE, error_lines, fingerprint, invoke
from tests.fixtures.segmentation import world

UNWRITABLE = EXIT_CODES[UnwritablePathError]
RECORD = {
    "event_type": "_email.send",
    "event_timestamp": 1700000000000,
    "arrival_timestamp": 1700000000000,
    "application": {"app_id": "app"},
    "client": {"client_id": "c1"},
    "attributes": {},
    "facets": {"email_channel": {"mail_event": {"mail": {"message_id": "m1"}}}},
}
BAD_OBJECT = "raw/ses/2026/01/01/00/englake-ses-1-2026-01-01-00-00-00-0b4c1f6e-5c1d-4b7a-9f1e-2a3b4c5d6e7f.gz"


def _unshare_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = 'd=$(mktemp -d) && mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" && ! touch "$d/x" 2>/dev/null'
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", probe], capture_output=True, check=False
    )
    return done.returncode == 0


UNSHARE = _unshare_available()


def run_on_read_only(folder: Path, *args: str) -> tuple[int, str]:
    """Run ``englake <args>`` with ``folder`` mounted read-only for it alone; exit code and stderr."""
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", str(folder), str(ENGLAKE), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stderr


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    path = tmp_path / "events.ndjson"
    path.write_text(json.dumps(RECORD) + "\n")
    return path


@pytest.fixture
def lake(tmp_path: Path, inputs: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A landed lake with one unreadable object (so inspect has quarantine to write), an endpoint export and a
    built segment membership."""
    root = tmp_path / "lake"
    code, out, err = invoke("lake", "land", str(inputs), "--lake", str(root))
    assert code == 0, out + err
    (root / BAD_OBJECT).parent.mkdir(parents=True, exist_ok=True)
    (root / BAD_OBJECT).write_bytes(gzip.compress(b"") + b"not gzip")
    write_export(LocalStore(root), "app", world.endpoints(20))
    world.publish(root / "englake.duckdb", [("ep-00001", "seg_a")])
    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(root))
    monkeypatch.setenv("ENGLAKE_PINPOINT_APPLICATION_ID", "app")
    monkeypatch.delenv("ENGLAKE_DUCKDB_PATH", raising=False)
    return root


def _commands(lake: Path, inputs: Path) -> dict[str, list[str]]:
    return {
        "land": ["lake", "land", str(inputs), "--lake", str(lake)],
        "inspect --write-quarantine": ["lake", "inspect", "--lake", str(lake), "--write-quarantine"],
        "segments sync": ["segments", "sync", "--no-refresh", "--lake", str(lake)],
    }


def _assert_one_unwritable_line(code: int, stderr: str, lake: Path) -> None:
    assert code == UNWRITABLE, stderr
    errors = [line for line in error_lines(stderr) if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert errors[0].startswith(f"error: cannot write {lake}")
    assert "Traceback" not in stderr


@pytest.mark.skipif(not UNSHARE, reason="unprivileged user and mount namespaces are not allowed here")
@pytest.mark.parametrize("command", ["land", "inspect --write-quarantine", "segments sync"])
def test_cli_read_only_mounted_lake_is_one_line(lake: Path, inputs: Path, command: str) -> None:
    before = fingerprint(lake)
    code, stderr = run_on_read_only(lake, *_commands(lake, inputs)[command])
    _assert_one_unwritable_line(code, stderr, lake)
    assert "Read-only file system" in stderr
    assert fingerprint(lake) == before


# Where each command must create a folder, a file stands instead.
IN_THE_WAY: dict[str, Callable[[Path], Path]] = {
    "land": lambda lake: lake / "raw" / "pinpoint",
    "inspect --write-quarantine": lambda lake: lake / "quarantine",
    "segments sync": lambda lake: lake / "sync",
}


@pytest.mark.parametrize("command", list(IN_THE_WAY))
def test_cli_file_where_a_folder_must_be_is_one_line(lake: Path, inputs: Path, command: str) -> None:
    blocker = IN_THE_WAY[command](lake)
    if blocker.is_dir():
        shutil.rmtree(blocker)
    blocker.write_text("a file, not a folder")
    code, _, err = invoke(*_commands(lake, inputs)[command])
    _assert_one_unwritable_line(code, err, lake)
    assert "a file stands where a folder is needed" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
@pytest.mark.parametrize("command", ["land", "inspect --write-quarantine"])
def test_cli_lake_without_write_permission_is_one_line(lake: Path, inputs: Path, command: str) -> None:
    folders = [lake, *(p for p in lake.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        code, _, err = invoke(*_commands(lake, inputs)[command])
    finally:
        for folder in folders:
            folder.chmod(0o755)
    _assert_one_unwritable_line(code, err, lake)
