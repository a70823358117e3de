"""The raw Glue tables as Athena reads them, built from a local lake: one row per line of every object it would see.

Each raw table (``ingest/glue.py``) is a text table (TextInputFormat, LazySimpleSerDe, one ``line`` column) over
``raw/<producer>/`` with the ``datehour`` partition projected from ``yyyy/MM/dd/HH`` folders, and the unpartitioned
tables (endpoint exports, campaign catalog, quarantine entries) are the same over their prefixes. Athena's reading
rules are applied: lines end at LF, CR or CRLF
(Hadoop LineReader), ``.gz`` objects are gunzipped, objects whose name starts with ``_`` or ``.`` are hidden
(FileInputFormat), a line that is exactly ``\\N`` is NULL (LazySimpleSerDe's null format), and a raw object is seen
only in an hour folder the projection enumerates (from the projection start to now). ``$path`` is the object's local
path, the same text DuckDB's reader gives, so the two builds can be compared row for row.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.glue import (
    DEFAULT_PROJECTION_START,
    LINE_COLUMN,
    PARTITION_KEY,
    RAW_TABLES,
    TEXT_TABLES,
)
from ingest.layout import RAW_PREFIXES

_LINE_END = re.compile(r"\r\n|\r|\n")
_NULL_FORMAT = "\\N"


def object_lines(path: Path) -> list[str | None]:
    """The rows Athena reads from one text object."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the terminator of the last line does not start another
    return [None if line == _NULL_FORMAT else line for line in lines]


def _visible(path: Path, root: Path) -> bool:
    return path.is_file() and not any(part.startswith(("_", ".")) for part in path.relative_to(root).parts)


def _projected_hour(relative: Path, start: datetime, now: datetime) -> str | None:
    """The ``datehour`` of an object directly inside a projected hour folder, else None (Athena never lists it)."""
    if len(relative.parts) != 5:
        return None
    datehour = "/".join(relative.parts[:4])
    try:
        hour = datetime.strptime(datehour, "%Y/%m/%d/%H").replace(tzinfo=UTC)
    except ValueError:
        return None
    if datehour != hour.strftime("%Y/%m/%d/%H") or not start <= hour <= now:
        return None
    return datehour


def raw_rows(lake: Path, prefix: str, projection_start: str = DEFAULT_PROJECTION_START) -> Iterator[tuple]:
    """(line, $path, datehour) of every line under a raw producer prefix that the partition projection reaches."""
    root = lake / prefix
    if not root.is_dir():
        return
    start = datetime.strptime(projection_start, "%Y/%m/%d/%H").replace(tzinfo=UTC)
    now = datetime.now(UTC)
    for path in sorted(root.rglob("*")):
        if not _visible(path, root):
            continue
        datehour = _projected_hour(path.relative_to(root), start, now)
        if datehour is None:
            continue
        for line in object_lines(path):
            yield line, str(path), datehour


def prefix_rows(lake: Path, prefix: str) -> Iterator[tuple]:
    """(line, $path) of every line of every object below an unpartitioned table's prefix (sub-folders too)."""
    root = lake / prefix
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if _visible(path, root):
            for line in object_lines(path):
                yield line, str(path)


def create_source_tables(
    connection: duckdb.DuckDBPyConnection, lake: Path, relations: dict[str, str], work: Path
) -> None:
    """Create every Glue table the models read, named as the Athena SQL names them (``relations``: table → name);
    rows pass through NDJSON files in ``work`` (DuckDB loads those at once, not row by row)."""
    tables: list[tuple[str, list[str], Iterator[tuple]]] = [
        (table, [LINE_COLUMN, "$path", PARTITION_KEY], raw_rows(lake, RAW_PREFIXES[producer]))
        for producer, table in RAW_TABLES.items()
    ]
    tables += [(name, [LINE_COLUMN, "$path"], prefix_rows(lake, table.prefix)) for name, table in TEXT_TABLES.items()]
    for table, columns, rows in tables:
        if table not in relations:
            continue
        staged = work / f"{table}.ndjson"
        with staged.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False) + "\n")
        definition = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        connection.execute(f"CREATE TABLE {relations[table]} ({', '.join(f'{q} VARCHAR' for q in quoted.split(', '))})")
        if staged.stat().st_size:
            connection.execute(
                f"INSERT INTO {relations[table]} SELECT {quoted} FROM read_json('{staged}', "
                f"format = 'newline_delimited', columns = {{{definition}}})"
            )
