"""The one quarantine users see: what the models quarantined (``lake_quarantine``) and what never reached them.

``lake_quarantine`` in the built models is the reading of record: it holds every raw record the models could not
turn into an event. Records that never reach the models live only in the lake's quarantine objects: entries of
stage ``land`` (files given to ``englake lake land``) and ``sweep`` (objects and lines neither engine could read).
``inspect`` entries repeat what the models find themselves, so they are shown only when the models were not built.
Once ``lake_quarantine`` carries the lake's entries itself (it then says who found each row, in a ``found_by`` or
``stage`` column), it is the whole list, and its rows from the lake's entries show the entries' stage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from englake.storage import LakeStore
from ingest.quarantine import STAGE_INSPECT, QuarantineEntry, read_quarantine

#: How a row from the models is marked in the listing.
FROM_MODELS = "models"
#: The model that holds what the models quarantined.
QUARANTINE_MODEL = "lake_quarantine"


@dataclass(frozen=True)
class QuarantineRow:
    """One quarantined record (or whole object), wherever it was found."""

    found_by: str  # models, land, sweep or inspect
    source: str  # object key relative to the lake root (input files: their path)
    line: int | None
    offset: int | None
    reason: str
    record: str | None
    detail: str = ""
    detected_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class QuarantineListing:
    rows: list[QuarantineRow]
    note: str = ""  # says where the rows came from when the models could not be read


def lake_relative(path: str) -> str:
    """An object path as the models see it (absolute, or ``s3://…``) made relative: from the last ``raw/`` on."""
    index = path.rfind("/raw/")
    if path.startswith("raw/") or index < 0:
        return path
    return path[index + 1 :]


def _row_of_entry(entry: QuarantineEntry) -> QuarantineRow:
    stage = entry.stage or (STAGE_INSPECT if entry.key else "land")
    return QuarantineRow(
        stage, entry.source, entry.line, entry.offset, entry.reason, entry.record, entry.detail, entry.detected_at
    )


#: Values of the models' own ``found_by`` column for rows their SQL found.
_SQL_FOUND = {"sql", "models", ""}


def _row_of_model(row: dict[str, Any], stages: dict[tuple[str, int | None, str], str] | None = None) -> QuarantineRow:
    """A ``lake_quarantine`` row; ``stages`` tells which lake entry (land, sweep) a row read from the lake came from."""

    def first(*names: str) -> Any:
        return next((row[name] for name in names if row.get(name) is not None), None)

    source = lake_relative(str(first("source", "object_key", "object_path") or ""))
    line = first("line", "line_number")
    reason = str(first("reason", "quarantine_reason") or "")
    found = str(first("stage", "found_by") or "")
    if found.lower() in _SQL_FOUND:
        found = FROM_MODELS
    elif stages is not None:
        found = stages.get((source, line, reason), found)
    return QuarantineRow(
        found_by=found,
        source=source,
        line=line,
        offset=first("offset", "byte_offset"),
        reason=reason,
        record=first("record"),
        detail=str(first("detail") or ""),
        detected_at=str(first("detected_at", "ingested_at") or ""),
    )


def model_quarantine(duckdb_path: Path) -> tuple[list[dict[str, Any]], list[str]] | str:
    """``lake_quarantine`` rows and columns from the DuckDB file (read-only), or why they cannot be read."""
    import duckdb

    if not duckdb_path.is_file():
        return f"no models at {duckdb_path} (run `englake models build`)"
    try:
        with duckdb.connect(str(duckdb_path), read_only=True) as connection:
            cursor = connection.execute(f"select * from {QUARANTINE_MODEL}")
            columns = [d[0] for d in cursor.description]
            return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()], columns
    except duckdb.Error as error:
        return f"cannot read {QUARANTINE_MODEL} from {duckdb_path}: {str(error).splitlines()[0]}"


def quarantine_listing(store: LakeStore, duckdb_path: Path | None) -> QuarantineListing:
    """Every quarantined record users should see, from the models and the lake's quarantine objects."""
    entries = [_row_of_entry(entry) for entry in read_quarantine(store)]
    models = model_quarantine(duckdb_path) if duckdb_path is not None else "the models are not on DuckDB"
    if isinstance(models, str):
        return QuarantineListing(entries, f"{models}: showing the lake's quarantine objects only")
    rows, columns = models
    stages = {(row.source, row.line, row.reason): row.found_by for row in entries}
    from_models = [_row_of_model(row, stages) for row in rows]
    if {"stage", "found_by"} & set(columns):  # the models already union the lake's quarantine objects
        return QuarantineListing(from_models)
    return QuarantineListing(from_models + [row for row in entries if row.found_by != STAGE_INSPECT])


def rows_matching(listing: QuarantineListing, reason: str | None) -> Iterator[QuarantineRow]:
    for row in listing.rows:
        if reason is None or reason.lower() in row.reason.lower():
            yield row
