"""``LocalStore.put``: an object appears whole or not at all, private to its owner as ``tempfile.mkstemp`` made it,
and no temporary file is left behind, on success or failure."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import pytest

from englake.storage import LocalStore


def _leftovers(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.name.startswith(".tmp-")]


def test_put_writes_the_bytes_privately_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    big = os.urandom(3 * 2**20)  # several pages: the whole buffer is written, not just what one write call took
    store.put("raw/a/2026/11/20/10/one.gz", big)
    store.put("raw/a/2026/11/20/10/two.gz", b"")
    assert store.get("raw/a/2026/11/20/10/one.gz") == big
    assert store.get("raw/a/2026/11/20/10/two.gz") == b""
    mode = stat.S_IMODE((tmp_path / "raw/a/2026/11/20/10/one.gz").stat().st_mode)
    assert mode == 0o600  # what mkstemp gave every object before
    assert _leftovers(tmp_path) == []
    assert [o.key for o in store.list("raw/")] == ["raw/a/2026/11/20/10/one.gz", "raw/a/2026/11/20/10/two.gz"]


def test_a_failed_write_keeps_the_old_object_and_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    store.put("k/object", b"old")

    def disk_full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        store.put("k/object", b"new")
    monkeypatch.undo()
    assert store.get("k/object") == b"old"
    assert _leftovers(tmp_path) == []


def test_a_folder_removed_behind_the_store_is_made_again(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("raw/x/first", b"1")
    shutil.rmtree(tmp_path / "raw")  # another process emptied the lake
    store.put("raw/x/second", b"2")
    assert store.get("raw/x/second") == b"2"


def test_a_temporary_name_already_taken_is_skipped(tmp_path: Path) -> None:
    """A process forked from this one shares the store's token; its temporary file is not ours to overwrite."""
    store = LocalStore(tmp_path)
    store.put("f/first", b"1")
    taken = tmp_path / "f" / f".tmp-{store._token}-1"  # the next name this store would try
    taken.write_bytes(b"someone else's")
    store.put("f/second", b"2")
    assert taken.read_bytes() == b"someone else's"
    assert store.get("f/second") == b"2"
