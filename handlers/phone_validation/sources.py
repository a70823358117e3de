"""Where numbers to validate come from: a file (CSV with a phone column, or one number per line), a segment's
members, or the SMS/VOICE endpoints of the newest Pinpoint endpoint export in the lake — the reference (spec §4)
validated the whole project's unvalidated endpoints, never a given file or segment."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from englake.errors import InputError, LakeError
from englake.settings import Settings
from englake.storage import LakeStore
from handlers.sms.endpoints import phone_endpoints

#: Header names taken as the phone column of a CSV (lower-cased; the file-drop destination names included).
PHONE_COLUMNS = ("phone", "phone_number", "number", "address", "destination_phone_number", "sms_number", "mobile")


def numbers_from_text(text: str, source: str, column: str | None = None) -> Iterator[str]:
    """Numbers of a CSV with a header naming a phone column (or ``column``), or of a one-number-per-line file."""
    lines = text.lstrip("\ufeff")
    first = lines.splitlines()[0] if lines.strip() else ""
    if not first:
        raise InputError(f"{source}: empty file")
    if "," not in first and column is None and not any(name == first.strip().lower() for name in PHONE_COLUMNS):
        yield from (line.strip() for line in lines.splitlines() if line.strip())
        return
    reader = csv.reader(io.StringIO(lines, newline=""))
    header = [name.strip().lower() for name in next(reader)]
    wanted = [column.lower()] if column else list(PHONE_COLUMNS)
    index = next((header.index(name) for name in wanted if name in header), None)
    if index is None:
        raise InputError(f"{source}: no phone column (one of {', '.join(wanted)}) in the header {', '.join(header)}")
    for cells in reader:
        if len(cells) > index and cells[index].strip():
            yield cells[index]


def numbers_from_export(store: LakeStore, application_id: str) -> list[str]:
    """Addresses of the SMS and VOICE endpoints in the newest endpoint export of ``application_id``."""
    try:
        return [endpoint.address for endpoint in phone_endpoints(store, application_id)]
    except LakeError as error:
        raise InputError(str(error)) from None


def numbers_from_segment(settings: Settings, segment: str) -> list[str]:
    """Addresses of the SMS and VOICE endpoints in ``segment`` (segment_membership × dim_endpoints, built models)."""
    import duckdb

    path = settings.resolved_duckdb_path
    if not path.exists():
        raise InputError(f"no DuckDB file at {path}: build the models first (englake models build)")
    sql = (
        "select distinct e.address from segment_membership m join dim_endpoints e on e.endpoint_id = m.endpoint_id "
        "where m.segment_name = ? and upper(e.channel_type) in ('SMS', 'VOICE') and e.address is not null"
    )
    with duckdb.connect(str(path), read_only=True) as connection:
        return [row[0] for row in connection.execute(sql, [segment]).fetchall()]
