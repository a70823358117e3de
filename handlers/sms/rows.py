"""A file-drop CSV, streamed: header → columns, each row → a ``SendRow`` or a ``Rejected`` with its reason.

The reference (spec §10) read the file line by line (a quoted field with a newline broke it), required exactly 7
columns in a fixed order (one blank line or extra comma aborted the rest of the file after earlier rows were queued)
and never checked a number. Here the csv module reads the stream (quotes, commas and newlines in fields, CRLF, a
UTF-8 BOM), columns are found by header name in any order, and each row is validated on its own: a bad row is
rejected with its reason and the rest of the file goes on. What the file as a whole cannot be (empty, not UTF-8 text,
binary, no header with the required columns) is an ``InputError`` naming the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from englake.errors import InputError
from handlers.phone_validation.normalize import PhoneNumberError, to_e164
from handlers.sms.encoding import MAX_BODY_CHARS, body_encoding

#: Header spellings per field (compared lower-cased, with spaces and hyphens as underscores). The reference's
#: sample header (sms_number, message, external_campaign_id, short_code, message_type, id_1, id_2) is accepted.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "destination": ("destination_phone_number", "destination_number", "destination", "phone_number", "sms_number"),
    "message": ("message", "message_body", "body", "text"),
    "origination": ("origination_identity", "origination_number", "origination", "short_code", "long_code"),
    "message_type": ("message_type",),
    "campaign_id": ("campaign_id", "external_campaign_id"),
}
REQUIRED_FIELDS = ("destination", "message")
#: SendTextMessage ``MessageType`` values (service model enum).
MESSAGE_TYPES = ("TRANSACTIONAL", "PROMOTIONAL")
DEFAULT_MESSAGE_TYPE = "TRANSACTIONAL"
#: ``Context`` holds at most 5 entries (SendTextMessage, service model); campaign_id and row_id take two.
MAX_CONTEXT_COLUMNS = 3
#: Characters per Context value (service model: 1–800).
MAX_CONTEXT_VALUE_CHARS = 800
#: Largest field the reader accepts (a whole message is ≤ 1,600 characters; anything far larger is not a row).
MAX_FIELD_CHARS = 64 * 1024


@dataclass(frozen=True)
class SendRow:
    """One validated row, as queued for the sender (JSON in an SQS message)."""

    file_id: str
    row: int
    destination: str
    body: str
    origination: str
    message_type: str
    campaign_id: str | None
    parts: int
    encoding: str
    context: dict[str, str] = field(default_factory=dict)
    #: Where the file's report lives (bucket, key), so the sender can complete it.
    report: tuple[str, str] | None = None

    @property
    def row_id(self) -> str:
        """Joins lake events back to the file: ``<file id>:<row>`` (in ``Context`` as ``row_id``)."""
        return f"{self.file_id[:16]}:{self.row}"

    @property
    def dedup_id(self) -> str:
        """SQS FIFO MessageDeduplicationId: per row of this file content — never per number and campaign."""
        return hashlib.sha256(f"{self.file_id}:{self.row}".encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SendRow:
        data = dict(data)
        if data.get("report") is not None:
            data["report"] = tuple(data["report"])
        return cls(**data)


@dataclass(frozen=True)
class Rejected:
    row: int
    reason: str
    values: dict[str, str]


@dataclass(frozen=True)
class Columns:
    """Which header column holds which field, and which columns are context."""

    header: list[str]
    fields: dict[str, int]
    context: dict[str, int]


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def map_columns(header: list[str], source: str) -> Columns:
    """Find the fields by header name; an ``InputError`` naming the file when required ones are missing."""
    normalised = [_norm(name) for name in header]
    fields: dict[str, int] = {}
    for name, aliases in COLUMN_ALIASES.items():
        found = [i for i, column in enumerate(normalised) if column in aliases]
        if len(found) > 1:
            raise InputError(f"{source}: columns {', '.join(header[i] for i in found)} all mean {name}; keep one")
        if found:
            fields[name] = found[0]
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        expected = "; ".join(f"{name}: one of {', '.join(COLUMN_ALIASES[name])}" for name in missing)
        raise InputError(f"{source}: the header has no column for {expected} (header: {', '.join(header)[:200]})")
    context = {header[i].strip(): i for i, column in enumerate(normalised) if column and i not in fields.values()}
    if len(context) > MAX_CONTEXT_COLUMNS:
        raise InputError(
            f"{source}: {len(context)} extra columns ({', '.join(context)}); SendTextMessage Context holds 5 entries, "
            f"2 of them campaign_id and row_id, so at most {MAX_CONTEXT_COLUMNS} context columns"
        )
    return Columns(header, fields, context)


class _Utf8Text(io.TextIOWrapper):
    """UTF-8 text (BOM dropped) over a binary stream, newlines left to the csv module."""


def text_stream(binary: IO[bytes]) -> IO[str]:
    return _Utf8Text(io.BufferedReader(_RawReader(binary)), encoding="utf-8-sig", newline="")


class _RawReader(io.RawIOBase):
    """Adapts anything with ``read(n)`` (botocore's StreamingBody) to a raw stream, so nothing is read whole."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_rows(
    binary: IO[bytes],
    source: str,
    file_id: str,
    *,
    default_origination: str | None = None,
    assume_us: bool = False,
    report: tuple[str, str] | None = None,
) -> Iterator[SendRow | Rejected]:
    """Stream the rows of a CSV; ``InputError`` for a file that is not a usable CSV (rows so far stay yielded)."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(text_stream(binary))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InputError(f"{source}: empty file (no header row)")
        _check_text(header, source, reader.line_num)
        columns = map_columns(header, source)
        for number, cells in enumerate(reader, start=1):
            _check_text(cells, source, reader.line_num)
            if not any(cell.strip() for cell in cells):
                yield Rejected(number, "blank row", {})
                continue
            yield _row(number, cells, columns, file_id, default_origination, assume_us, report)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{source}: not UTF-8 text (byte {error.start} of a read block): is it a binary file?"
        ) from None
    except csv.Error as error:
        raise InputError(f"{source}: not a readable CSV after line {reader.line_num}: {error}") from None


def _check_text(cells: list[str], source: str, line: int) -> None:
    if any("\x00" in cell for cell in cells):
        raise InputError(f"{source}: NUL bytes at line {line}: a binary file, not a CSV")


def _row(
    number: int,
    cells: list[str],
    columns: Columns,
    file_id: str,
    default_origination: str | None,
    assume_us: bool,
    report: tuple[str, str] | None,
) -> SendRow | Rejected:
    values = {
        columns.header[i].strip() or f"column_{i + 1}": cell for i, cell in enumerate(cells[: len(columns.header)])
    }
    if len(cells) != len(columns.header):
        return Rejected(number, f"{len(cells)} fields, the header has {len(columns.header)}", values)

    def get(name: str) -> str:
        index = columns.fields.get(name)
        return cells[index].strip() if index is not None else ""

    try:
        destination = to_e164(get("destination"), assume_us=assume_us)
    except PhoneNumberError as error:
        return Rejected(number, f"destination number: {error}", values)
    body = cells[columns.fields["message"]]
    if not body.strip():
        return Rejected(number, "empty message", values)
    if len(body) > MAX_BODY_CHARS:
        return Rejected(number, f"message of {len(body)} characters; SendTextMessage takes {MAX_BODY_CHARS}", values)
    message_type = (get("message_type") or DEFAULT_MESSAGE_TYPE).upper()
    if message_type not in MESSAGE_TYPES:
        return Rejected(number, f"message type {message_type[:40]!r}: use {' or '.join(MESSAGE_TYPES)}", values)
    origination = get("origination") or default_origination
    if not origination:
        return Rejected(number, "no origination identity (column, or ENGLAKE_SMS_ORIGINATION_IDENTITY)", values)
    context = {name: cells[i].strip() for name, i in columns.context.items() if cells[i].strip()}
    too_long = [name for name, value in context.items() if len(value) > MAX_CONTEXT_VALUE_CHARS]
    if too_long:
        return Rejected(number, f"context {too_long[0]} longer than {MAX_CONTEXT_VALUE_CHARS} characters", values)
    encoding = body_encoding(body)
    return SendRow(
        file_id=file_id,
        row=number,
        destination=destination,
        body=body,
        origination=origination,
        message_type=message_type,
        campaign_id=get("campaign_id") or None,
        parts=encoding.parts,
        encoding=encoding.encoding,
        context=context,
        report=report,
    )
