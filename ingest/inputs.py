"""Records people already have, read tolerantly for ``englake lake land``.

A file may hold newline-delimited JSON, JSON objects one after another (pretty-printed, as the AWS documentation
shows them, or run together), or a top-level array of records; gzip or not. Envelopes that carry records are
opened: a Kinesis Data Firehose data-transformation event (``records[].data``, base64), a Kinesis event
(``Records[].kinesis.data``, base64), an SNS notification (``Message``, a JSON string: SES notifications arrive this
way), an SNS or SQS Lambda event (``Records[].Sns.Message``, ``Records[].body``, which may hold an SNS notification in
turn) and an EventBridge event (``detail``).

Every record is classified by content (:mod:`ingest.classify`); anything unparseable, not an object or of no known
producer is rejected with the file, line, offset and reason, and the rest of the file goes on. After a broken value,
reading resumes at the next line that starts (in its first column) with ``{`` or ``[``. A value nested deeper than
:data:`ingest.reader.MAX_JSON_DEPTH` is rejected (``JSON nested too deeply``), as the sweep and the reader would.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from englake.errors import InputError
from englake.storage import LakeStore
from ingest.classify import INVALID_JSON, Classified, classify
from ingest.landing import MAX_RECORD_BYTES, BufferingHints, FirehoseLander, LandingReport
from ingest.layout import Producer
from ingest.quarantine import STAGE_LAND, QuarantineEntry, input_quarantine_key, write_quarantine
from ingest.reader import JSON_TOO_DEEP, MAX_JSON_DEPTH, too_deep

UNREADABLE_INPUT = "unreadable input"
INVALID_PAYLOAD = "invalid envelope payload"
TOO_LARGE = "record larger than Firehose's 1,000 KiB limit"
#: Envelopes inside envelopes (SQS → SNS → record) are opened this deep, and no deeper.
MAX_ENVELOPE_DEPTH = 4

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"\s*")
_RESYNC = re.compile(r"\n(?=[{\[])")


@dataclass(frozen=True)
class InputRecord:
    """A record found in an input file, ready to land."""

    path: str
    line: int  # 1-based line in the file where the enclosing JSON value starts
    offset: int  # character offset of that value in the (decompressed) file
    where: str  # e.g. "line 12" or "line 12, Records[0].Sns.Message"
    producer: Producer
    event_type: str
    text: str  # one line of JSON: the original text when it was one line, else compact re-serialized JSON
    data: dict[str, Any]


@dataclass(frozen=True)
class InputRejection:
    """Something in an input file that is not a record of a known producer."""

    path: str
    line: int | None
    offset: int | None
    where: str
    reason: str
    text: str | None
    detail: str = ""


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files named, folders expanded recursively (sorted, hidden files skipped); a missing path is an error."""
    files: list[Path] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError(f"no input files in folder {path}")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError(f"input {path} is neither a file nor a folder")
        else:
            raise InputError(f"input file {path} does not exist")
    return files


def read_input(path: str | Path) -> Iterator[InputRecord | InputRejection]:
    """Records and rejections of one input file, in file order; an unreadable file is one rejection."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        text = data.decode("utf-8-sig")
    except (OSError, EOFError, zlib.error) as error:
        yield InputRejection(name, None, None, "file", f"{UNREADABLE_INPUT}: {_io_problem(error)}", None, str(error))
        return
    except UnicodeDecodeError as error:
        yield InputRejection(name, None, None, "file", f"{UNREADABLE_INPUT}: not UTF-8 text", None, str(error))
        return
    yield from parse_text(text, name)


def _io_problem(error: BaseException) -> str:
    if isinstance(error, (EOFError, zlib.error, gzip.BadGzipFile)):
        return "corrupt gzip"
    if isinstance(error, PermissionError):
        return "permission denied"
    return type(error).__name__


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _position(text: str, index: int) -> str:
    return f"line {_line_of(text, index)} column {index - text.rfind(chr(10), 0, index)}"


@dataclass(frozen=True)
class _Bad:
    """A value that cannot be a record (an envelope payload that cannot be opened, a value nested too deeply)."""

    reason: str
    detail: str


_TOO_DEEP = _Bad(JSON_TOO_DEEP, f"more than {MAX_JSON_DEPTH} nested arrays or objects")


def parse_text(text: str, path: str) -> Iterator[InputRecord | InputRejection]:
    """Records and rejections of a whole input text (see the module docstring for what is accepted)."""
    for index, raw, value in _values(text):
        line = _line_of(text, index)
        where = f"line {line}"
        if isinstance(value, json.JSONDecodeError):
            detail = f"{value.msg} at {_position(text, value.pos)}"
            yield InputRejection(path, line, index, where, f"{INVALID_JSON}: {value.msg}", raw, detail)
            continue
        if isinstance(value, _Bad):
            yield InputRejection(path, line, index, where, value.reason, raw, value.detail)
            continue
        try:
            judged = [_judge(path, line, index, *found) for found in _unwrap(value, where, raw, 0)]
        except RecursionError:  # a backstop: values deeper than MAX_JSON_DEPTH never get here
            yield InputRejection(path, line, index, where, _TOO_DEEP.reason, raw, _TOO_DEEP.detail)
            continue
        yield from judged


def _values(text: str) -> Iterator[tuple[int, str, Any | json.JSONDecodeError]]:
    """Each top-level JSON value in ``text`` with its start and text; a broken one runs to the next resync point."""
    index = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
    while index < len(text):
        try:
            value, end = _DECODER.raw_decode(text, index)
        except (json.JSONDecodeError, RecursionError) as error:
            resync = _RESYNC.search(text, index + 1)
            end = resync.start() + 1 if resync else len(text)
            yield index, text[index:end].rstrip(), error if isinstance(error, json.JSONDecodeError) else _TOO_DEEP
        else:
            piece = text[index:end]
            yield index, piece, _TOO_DEEP if too_deep(piece.encode("utf-8", "surrogatepass")) else value
        index = _WHITESPACE.match(text, end).end()  # type: ignore[union-attr]


def _payload(raw: str | bytes, where: str, depth: int) -> Iterator[tuple[str, Any, str | None]]:
    """The records inside an envelope's payload (JSON text, possibly several records, possibly gzip bytes)."""
    if isinstance(raw, bytes):
        try:
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            raw = raw.decode("utf-8")
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
            yield where, _Bad(f"{INVALID_PAYLOAD}: {type(error).__name__}", str(error)), None
            return
    for index, piece, value in _values(raw):
        inner = where if index == 0 else f"{where} (char {index})"
        if isinstance(value, json.JSONDecodeError):
            yield inner, value, piece
        else:
            yield from _unwrap(value, inner, piece, depth + 1)


def _base64(data: Any, where: str, depth: int) -> Iterator[tuple[str, Any, str | None]]:
    try:
        decoded = base64.b64decode(data, validate=True)
    except (binascii.Error, TypeError, ValueError) as error:
        yield where, _Bad(f"{INVALID_PAYLOAD}: not base64", str(error)), None
        return
    yield from _payload(decoded, where, depth)


def _unwrap(value: Any, where: str, raw: str | None, depth: int) -> Iterator[tuple[str, Any, str | None]]:
    """Open envelopes and arrays; yields (where, value, original text or None) for each candidate record."""
    if depth > MAX_ENVELOPE_DEPTH or not isinstance(value, (dict, list)):
        yield where, value, raw
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unwrap(item, f"{where}, [{i}]", None, depth)
        return
    records = value.get("records")
    if isinstance(records, list) and ("invocationId" in value or "deliveryStreamArn" in value):
        for i, item in enumerate(records):  # Firehose data-transformation event
            data = item.get("data") if isinstance(item, dict) else None
            yield from _base64(data, f"{where}, records[{i}].data", depth)
        return
    lambda_records = value.get("Records")
    if isinstance(lambda_records, list) and lambda_records and all(isinstance(r, dict) for r in lambda_records):
        for i, item in enumerate(lambda_records):
            here = f"{where}, Records[{i}]"
            kinesis, sns = item.get("kinesis"), item.get("Sns")
            if isinstance(kinesis, dict) and "data" in kinesis:
                yield from _base64(kinesis["data"], f"{here}.kinesis.data", depth)
            elif isinstance(sns, dict) and isinstance(sns.get("Message"), str):
                yield from _payload(sns["Message"], f"{here}.Sns.Message", depth)
            elif isinstance(item.get("body"), str) and item.get("eventSource") == "aws:sqs":
                yield from _payload(item["body"], f"{here}.body", depth)
            else:
                yield here, item, None
        return
    if isinstance(value.get("Message"), str) and ("TopicArn" in value or value.get("Type") == "Notification"):
        yield from _payload(value["Message"], f"{where}, Message", depth)
        return
    if "detail-type" in value and isinstance(value.get("detail"), dict):
        yield f"{where}, detail", value["detail"], None
        return
    yield where, value, raw


def _judge(path: str, line: int, offset: int, where: str, value: Any, raw: str | None) -> InputRecord | InputRejection:
    if isinstance(value, json.JSONDecodeError):
        return InputRejection(path, line, offset, where, f"{INVALID_JSON}: {value.msg}", raw, str(value))
    if isinstance(value, _Bad):
        return InputRejection(path, line, offset, where, value.reason, None, value.detail)
    classified = classify(value)
    if isinstance(classified, str):
        text = raw if raw is not None else json.dumps(value, ensure_ascii=False)
        return InputRejection(path, line, offset, where, classified, text)
    return InputRecord(
        path, line, offset, where, classified.producer, classified.event_type, _one_line(classified, raw), value
    )


def _one_line(classified: Classified, raw: str | None) -> str:
    """The record as one line: its own text when it already is one, else compact JSON (key order kept)."""
    if raw is not None and "\n" not in raw and "\r" not in raw:
        return raw.strip()
    return json.dumps(classified.data, ensure_ascii=False, separators=(",", ":"))


def _epoch_ms(value: Any) -> datetime | None:
    try:
        millis = int(value)
    except (TypeError, ValueError):
        return None
    try:
        return datetime.fromtimestamp(millis / 1000, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    for parse in (datetime.fromisoformat, lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S %z")):
        try:
            moment = parse(value)
        except ValueError:
            continue
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    return None


def _ses_event_object(event_type: str) -> str:
    return "failure" if event_type == "Rendering Failure" else event_type[:1].lower() + event_type[1:]


def event_time(producer: Producer, data: dict[str, Any]) -> datetime | None:
    """When the event says it happened (naive UTC), for ``--arrival-from-event``; ``None`` if it does not say.

    Pinpoint: ``arrival_timestamp`` (when Pinpoint received it), else ``event_timestamp`` (epoch ms). SES: the event
    object's own ``timestamp`` (an open's, a bounce's), else ``mail.timestamp`` (ISO-8601). End User Messaging:
    ``eventTimestamp`` (epoch ms).
    """
    if producer is Producer.PINPOINT:
        return _epoch_ms(data.get("arrival_timestamp")) or _epoch_ms(data.get("event_timestamp"))
    if producer is Producer.SES:
        kind = data.get("eventType") or data.get("notificationType")
        detail = data.get(_ses_event_object(kind)) if isinstance(kind, str) else None
        own = _iso(detail.get("timestamp")) if isinstance(detail, dict) else None
        mail = data.get("mail")
        return own or (_iso(mail.get("timestamp")) if isinstance(mail, dict) else None)
    return _epoch_ms(data.get("eventTimestamp"))


@dataclass
class LandResult:
    """What ``land_paths`` did: files read, records found and landed, rejections quarantined."""

    files: int = 0
    found: Counter[Producer] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)  # input files that could not be read at all
    arrival_fallbacks: int = 0  # --arrival-from-event records that carry no usable time
    quarantine_keys: list[str] = field(default_factory=list)
    landing: LandingReport = field(default_factory=LandingReport)

    @property
    def records_in(self) -> int:
        return sum(self.found.values()) + sum(self.rejected.values())


def land_paths(
    paths: Iterable[str | Path],
    store: LakeStore,
    *,
    arrival: datetime | None = None,
    arrival_from_event: bool = False,
    hints: BufferingHints | None = None,
    gzip_objects: bool = True,
    delimited: bool | dict[Producer, bool] = True,
    on_file: Callable[[Path], None] | None = None,
) -> LandResult:
    """Land every record in ``paths`` (files or folders) the way Firehose would, quarantining what is not a record.

    Records arrive at ``arrival`` (default: now, UTC), or with ``arrival_from_event`` at their own event time (then
    they are sorted by it first, as Firehose receives them in time order; records without a time use ``arrival``).
    Each input file's rejections replace that file's quarantine object, so landing a file again does not pile up
    quarantine entries (the records themselves land again, as Firehose would deliver a resent record again).
    """
    files = expand_paths(paths)
    default_arrival = _naive(arrival) if arrival is not None else datetime.now(UTC).replace(tzinfo=None)
    result = LandResult()
    lander = FirehoseLander(store, hints, gzip=gzip_objects, delimited=delimited)
    pending: list[tuple[datetime, int, Producer, str]] = []
    detected_at = datetime.now(UTC)
    for path in files:
        result.files += 1
        entries: list[QuarantineEntry] = []
        for item in read_input(path):
            if isinstance(item, InputRecord) and len(item.text.encode("utf-8")) > MAX_RECORD_BYTES:
                item = InputRejection(
                    item.path, item.line, item.offset, item.where, TOO_LARGE, item.text, f"{len(item.text)} chars"
                )
            if isinstance(item, InputRejection):
                result.rejected[item.reason] += 1
                if item.reason.startswith(UNREADABLE_INPUT):
                    result.unreadable.append(f"{path}: {item.reason}")
                detail = f"{item.where}: {item.detail}" if item.detail else item.where
                entries.append(
                    QuarantineEntry.make(
                        source=str(path.resolve()),
                        key=None,
                        line=item.line,
                        offset=item.offset,
                        reason=item.reason,
                        record=item.text,
                        detail=detail,
                        detected_at=detected_at,
                        stage=STAGE_LAND,
                    )
                )
                continue
            result.found[item.producer] += 1
            if arrival_from_event:
                when = event_time(item.producer, item.data)
                if when is None:
                    result.arrival_fallbacks += 1
                pending.append((when or default_arrival, len(pending), item.producer, item.text))
            else:
                lander.put(item.producer, item.text, default_arrival)
        key = input_quarantine_key(path)
        if write_quarantine(store, key, entries):
            result.quarantine_keys.append(key)
        if on_file is not None:
            on_file(path)
    pending.sort(key=lambda entry: (entry[0], entry[1]))
    for when, _, producer, text in pending:
        lander.put(producer, text, when)
    result.landing = lander.close()
    return result


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment
