"""The embedded DuckDB file: readers open it read-only, and a file another process holds is one clear error.

DuckDB lets one process hold a file for writing, or any number hold it read-only; an analyst's open session (a
write connection, the DuckDB CLI's default) therefore blocks every other process, readers included. Opening here
turns DuckDB's lock error into ``DatabaseLockedError`` naming the file and the holder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from englake.errors import LakeError, as_project_error

if TYPE_CHECKING:  # duckdb is imported by the commands that use it, not by ``englake --help``
    import duckdb


def connect(path: str | Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file at ``path``; raises ``DatabaseLockedError`` when another process holds it."""
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        translated = as_project_error(error)
        if translated is None:
            raise
        raise translated from error


def require_built(path: Path) -> None:
    """Raise a ``LakeError`` saying to build the models when their DuckDB file is missing."""
    if not path.is_file():
        raise LakeError(f"no DuckDB file at {path}: build the models first (englake models build)")


def open_built(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the models' DuckDB file (``require_built`` first)."""
    require_built(path)
    # Read-only: other readers may share the file; a writer elsewhere gives DatabaseLockedError, one line.
    return connect(path, read_only=True)


def check_unlocked(path: str | Path) -> None:
    """Raise ``DatabaseLockedError`` if another process holds ``path`` (before a job that will write it)."""
    if Path(path).exists():
        connect(path, read_only=False).close()
