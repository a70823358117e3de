"""The tolerant reader: every raw line in the lake becomes parsed events or quarantined records, never nothing.

Line-oriented, exactly as the dbt staging models read the raw objects:

1. An object is gunzipped if it starts with the gzip magic bytes (whatever its name says), then split on ``\\n``.
   An object that cannot be read (a corrupt gzip, say) is one quarantined unit, and the scan goes on.
2. A blank line (nothing but spaces, tabs and carriage returns) is not a record.
3. A line that is one JSON value is one record.
4. Any other line holds records run together (Firehose without ``AppendDelimiterToRecord``): it is cut at every
   *boundary* outside a JSON string, and each piece (spaces, tabs and carriage returns trimmed) is one record, a
   piece that does not decode being quarantined. A boundary is ``}``, optional spaces/tabs/carriage returns, ``{``;
   strings are found scanning left to right with the regular expression ``"(?:[^"\\\\]|\\\\.)*"`` (leftmost match of
   a string or a boundary wins), so ``}{`` inside a string never cuts. The dbt macro ``split_records``
   (``dbt_project/macros/lake/records.sql``) applies this same rule with the same regular expressions, step for
   step, so both readers find the same records in every line (:func:`split_line` mirrors its three replacements).
   Whether a line or piece *is* valid JSON is each engine's parser's call; they agree on what Firehose writes, but
   DuckDB also accepts a trailing comma (``[1,]``) and rejects a lone surrogate escape (``"\\ud800"``), which
   Python's ``json`` does the other way round.
5. Each record is classified by content (:mod:`ingest.classify`); not-an-object and unrecognized records are
   quarantined with the reason, the source object, the 1-based line and the byte offset in the decompressed object.
6. A line nested deeper than :data:`MAX_JSON_DEPTH` (brackets and braces outside strings) is one quarantined record
   (``JSON nested too deeply``), never a ``RecursionError``: the same rule the sweep applies before the models run.

Records and entries name their object by its key relative to the lake root, so the same lake mounted elsewhere
reads the same.

So for every scan ``records == parsed + quarantined`` holds by construction, and the tests check both sides against
numbers known from the crafted input.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from englake.errors import LakeError
from englake.storage import LakeStore, StoredObject
from ingest.classify import INVALID_JSON, Classified, classify
from ingest.layout import RAW_PREFIXES, Producer, parse_object_key, producer_of_prefix
from ingest.quarantine import QuarantineEntry, quarantine_key, quarantine_objects, write_quarantine

GZIP_MAGIC = b"\x1f\x8b"
UNREADABLE = "unreadable object"
INVALID_UTF8 = "invalid UTF-8"
JSON_TOO_DEEP = "JSON nested too deeply"
#: Deepest nesting of arrays and objects a record may have. Python's JSON decoder recurses once per level (its
#: recursion limit is 1,000 frames, some already in use); Jackson, Trino's JSON parser, refuses more than 1,000
#: levels by default since 2.15 and its maintainers proposed 500
#: (https://github.com/FasterXML/jackson-core/wiki/StreamReadConstraints, issue #1233). AWS events nest a few levels.
MAX_JSON_DEPTH = 500

_WHITESPACE = re.compile(r"[ \t\r\n]*")
#: The run-together rule (module docstring, step 4), exactly as the SQL macro ``split_records`` writes it: a JSON
#: string or a boundary, leftmost first; a string is kept as it is, a boundary marks a cut.
_STRING_OR_BOUNDARY = re.compile(r'("(?:[^"\\]|\\.)*")|(\}[ \t\r]*\{)')
_MARKED_BOUNDARY = re.compile("\x1f\\}[ \t\r]*\\{")
_CUT = "\x1e"  # record separator: where the SQL splits the line
_MARK = "\x1f"  # unit separator: the SQL's temporary marker
_TRIM = " \t\r"
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


@dataclass(frozen=True)
class LakeRecord(Classified):
    """One parsed event (its producer, raw event type and data), with where it was found."""

    key: str
    line: int  # 1-based line in the decompressed object
    offset: int  # byte offset of the record in the decompressed object
    text: str  # the record's JSON text exactly as stored


@dataclass
class ScanReport:
    """What a scan saw: objects, lines, records, events per producer and type, quarantine per reason."""

    objects: int = 0
    stored_bytes: int = 0
    unreadable_objects: int = 0
    #: objects whose key does not follow Firehose's naming (Athena's projected partitions may not see them)
    non_firehose_keys: int = 0
    #: objects whose ``.gz`` name and gzip content disagree (Athena decides compression by the extension)
    compression_mismatches: int = 0
    lines: int = 0  # non-blank lines
    blank_lines: int = 0
    run_together_lines: int = 0  # lines holding more than one record
    records: int = 0  # parsed + quarantined (an unreadable object counts as one quarantined unit)
    parsed: Counter[Producer] = field(default_factory=Counter)
    by_type: Counter[tuple[Producer, str]] = field(default_factory=Counter)
    unknown_types: Counter[tuple[Producer, str]] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    #: events found under another producer's prefix: (prefix producer, content producer) → count
    misfiled: Counter[tuple[Producer, Producer]] = field(default_factory=Counter)
    quarantine_objects_written: int = 0

    @property
    def parsed_total(self) -> int:
        return sum(self.parsed.values())

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    @property
    def reconciles(self) -> bool:
        return self.records == self.parsed_total + self.quarantined_total

    def add(self, item: LakeRecord | QuarantineEntry) -> None:
        self.records += 1
        if isinstance(item, QuarantineEntry):
            self.quarantined[item.reason] += 1
            return
        self.parsed[item.producer] += 1
        self.by_type[(item.producer, item.event_type)] += 1
        if not item.known:
            self.unknown_types[(item.producer, item.event_type)] += 1
        filed_under = producer_of_prefix(item.key)
        if filed_under is not None and filed_under is not item.producer:
            self.misfiled[(filed_under, item.producer)] += 1


def decompress(data: bytes) -> bytes:
    """Gunzip ``data`` if it carries the gzip magic bytes (all members); plain data comes back unchanged."""
    if data[:2] != GZIP_MAGIC:
        return data
    return gzip.decompress(data)


def too_deep(line: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if ``line`` opens more than ``limit`` nested arrays or objects at once (strings ignored)."""
    if line.count(b"{") + line.count(b"[") <= limit:
        return False  # cannot be that deep: the common case costs two counts
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub(b'""', line)):
        depth += 1 if bracket in (b"{", b"[") else -1
        if depth > limit:
            return True
    return False


def _skip_ws(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def split_pieces(line: str) -> list[str]:
    """The pieces of an invalid line by the run-together rule, untrimmed: the SQL macro's three replacements and
    its split, done the same way (so even stray control characters in a broken line give the same pieces)."""
    marked = _STRING_OR_BOUNDARY.sub(lambda m: (m.group(1) or "") + _MARK + (m.group(2) or ""), line)
    cut = _MARKED_BOUNDARY.sub("}" + _CUT + "{", marked)
    return cut.replace('"' + _MARK, '"').split(_CUT)


def split_line(line: str) -> Iterator[tuple[int, str, Any | json.JSONDecodeError]]:
    """The records of one non-blank line: (char index, record text, decoded value or the decode error)."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        pass
    else:
        start = _skip_ws(line, 0)
        yield start, line[start:].rstrip(_TRIM), value
        return
    cursor = 0
    for piece in split_pieces(line):
        text = piece.strip(_TRIM)
        found = line.find(text, cursor)
        index = found if found >= 0 else cursor
        cursor = index + len(text) if found >= 0 else cursor
        try:
            yield index, text, json.loads(text)
        except json.JSONDecodeError as error:
            yield index, text, error


def read_bytes(
    data: bytes,
    key: str,
    report: ScanReport | None = None,
    *,
    detected_at: datetime | None = None,
) -> Iterator[LakeRecord | QuarantineEntry]:
    """The records of one stored object's bytes (gzip or not), in order, counted into ``report`` if given."""
    report = report if report is not None else ScanReport()
    for item in _read_bytes(data, key, report, detected_at or datetime.now(UTC)):
        report.add(item)
        yield item


def _read_bytes(
    data: bytes, key: str, report: ScanReport, detected_at: datetime
) -> Iterator[LakeRecord | QuarantineEntry]:

    def quarantine(
        line: int | None, offset: int | None, reason: str, record: str | None, detail: str = ""
    ) -> QuarantineEntry:
        return QuarantineEntry.of_object(key, line, offset, reason, record, detail, detected_at=detected_at)

    named_gzip = key.lower().endswith(".gz")
    if named_gzip != (data[:2] == GZIP_MAGIC):
        report.compression_mismatches += 1
    try:
        content = decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        report.unreadable_objects += 1
        yield quarantine(None, None, f"{UNREADABLE}: corrupt gzip", None, f"{type(error).__name__}: {error}")
        return

    pieces = content.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()  # the newline that ends the last record does not start another line
    offset = 0
    for number, raw in enumerate(pieces, start=1):
        line_offset = offset
        offset += len(raw) + 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            report.lines += 1
            yield quarantine(number, line_offset, INVALID_UTF8, raw.decode("utf-8", "replace"), str(error))
            continue
        if not line.strip(" \t\r"):
            report.blank_lines += 1
            continue
        report.lines += 1
        if too_deep(raw):
            detail = f"more than {MAX_JSON_DEPTH} nested arrays or objects"
            yield quarantine(number, line_offset, JSON_TOO_DEEP, line, detail)
            continue
        found = 0
        for index, text, value in split_line(line):
            found += 1
            at = line_offset + (len(line[:index].encode("utf-8")) if index else 0)
            if isinstance(value, json.JSONDecodeError):
                detail = f"{value.msg} at line {number} column {value.pos + 1}"
                yield quarantine(number, at, f"{INVALID_JSON}: {value.msg}", text, detail)
                continue
            classified = classify(value)
            if isinstance(classified, str):
                yield quarantine(number, at, classified, text)
            else:
                yield LakeRecord(classified.producer, classified.event_type, classified.data, key, number, at, text)
        if found > 1:
            report.run_together_lines += 1


def lake_objects(store: LakeStore, prefixes: Iterable[str] | None = None) -> list[StoredObject]:
    """The raw objects to read, prefix by prefix (all producers' Firehose prefixes by default)."""
    chosen = list(prefixes) if prefixes is not None else list(RAW_PREFIXES.values())
    return [stored for prefix in chosen for stored in store.list(prefix)]


def read_object(
    store: LakeStore,
    stored: StoredObject | str,
    report: ScanReport | None = None,
    *,
    detected_at: datetime | None = None,
) -> Iterator[LakeRecord | QuarantineEntry]:
    """The records of one lake object; an object that cannot be fetched is one quarantined unit."""
    key = stored if isinstance(stored, str) else stored.key
    report = report if report is not None else ScanReport()
    report.objects += 1
    if parse_object_key(key) is None:
        report.non_firehose_keys += 1
    try:
        data = store.get(key)
    except LakeError as error:
        report.unreadable_objects += 1
        entry = QuarantineEntry.of_object(
            key, None, None, f"{UNREADABLE}: cannot fetch", None, str(error), detected_at=detected_at
        )
        report.add(entry)
        yield entry
        return
    report.stored_bytes += len(data)
    yield from read_bytes(data, key, report, detected_at=detected_at)


def read_lake(
    store: LakeStore,
    report: ScanReport | None = None,
    *,
    objects: Iterable[StoredObject] | None = None,
) -> Iterator[LakeRecord | QuarantineEntry]:
    """Every record of the raw prefixes, streamed object by object (memory holds one object at a time)."""
    report = report if report is not None else ScanReport()
    detected_at = datetime.now(UTC)
    for stored in objects if objects is not None else lake_objects(store):
        yield from read_object(store, stored, report, detected_at=detected_at)


def inspect_lake(
    store: LakeStore,
    *,
    objects: Iterable[StoredObject] | None = None,
    write: bool = False,
    on_object: Callable[[StoredObject], None] | None = None,
) -> ScanReport:
    """Count the lake's records; with ``write``, (re)write each object's quarantine (idempotent: same keys)."""
    report = ScanReport()
    detected_at = datetime.now(UTC)
    existing = set(quarantine_objects(store)) if write else set()
    for stored in objects if objects is not None else lake_objects(store):
        entries = [
            item
            for item in read_object(store, stored, report, detected_at=detected_at)
            if isinstance(item, QuarantineEntry)
        ]
        if write:
            target = quarantine_key(stored.key)
            if entries:
                write_quarantine(store, target, entries)
                report.quarantine_objects_written += 1
            elif target in existing:
                store.delete(target)  # the object no longer has quarantined records
        if on_object is not None:
            on_object(stored)
    return report
