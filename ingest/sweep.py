"""The sweep: before the models read the lake, every object under ``raw/`` becomes text both engines can read.

DuckDB (``read_csv`` over a glob) and Athena (a Glue text table) read every object of a prefix as lines of UTF-8
text, gunzipped when the name ends in ``.gz``. One object they cannot read fails the whole query, so one stray
object would stop every model. The sweep runs first (``englake models build``, ``englake lake inspect
--move-unreadable``, or :func:`sweep_lake` on a local or ``s3://`` lake) and checks each object it has not checked
before. The rules, object by object:

1. **Readable as it is** — gzip content named ``.gz`` (every member complete, every CRC right, nothing after the
   last member) or plain content not named ``.gz``; every line valid UTF-8, nested at most
   :data:`ingest.reader.MAX_JSON_DEPTH` deep and free of Ctrl-A (U+0001). An empty plain object is readable: it
   has no lines. Left alone.
2. **Readable but misformed** — gzip content without ``.gz``, plain text named ``.gz`` (the engines decide
   compression by the name), or zero bytes padding the end of a gzip stream (DuckDB refuses them): the content
   is re-landed as a salvage object (below) and the original moved aside. No line is lost: nothing is quarantined.
3. **Readable except some lines** — a line that is not valid UTF-8, nested deeper than the limit, or holding
   Ctrl-A (the field delimiter of both engines' text readers; DuckDB fails on it, Athena would cut the line; JSON
   never holds it raw, so such a line is no record anyway): that line is quarantined (object, 1-based line, byte
   offset in the decompressed object, reason ``invalid UTF-8`` / ``JSON nested too deeply`` / ``control
   character U+0001 in line …``, the text with undecodable bytes shown as U+FFFD); the other lines, blank ones
   included, are re-landed in order as a salvage object, and the original moved aside.
4. **Cut short** — a gzip stream that ends before its end-of-stream marker (an interrupted upload): the lines
   that were complete before the cut are salvaged as in rule 3 (a cut stream is correct up to the cut), and the
   incomplete last line is quarantined (reason ``unreadable object: truncated gzip``, its line number and offset,
   the text recovered). Whatever followed the cut is gone from the bytes, and the entry says so.
5. **Unreadable** — a gzip stream with corrupt data, a wrong CRC or foreign bytes after a member (its output
   cannot be trusted), or an empty object named ``.gz`` (no gzip header): one entry for the whole object (line
   and offset empty, reason ``unreadable object: corrupt gzip`` / ``unreadable object: empty gzip``), and the
   object moved aside.

*Moved aside* means copied byte for byte to ``moved-aside/<its key>`` and then deleted from ``raw/``; englake
never deletes it from there. A *salvage object* is gzip, ``.gz``, in the original's hour folder, named as Firehose
names objects (``<stream>-<version>-<time>-<uuid>.gz``, the original's stream, version and time when its name
parses, a UUID derived from the original's key and content): the models and Athena's partition projection read it
as any other object, and sweeping the same original again writes the same key. Entries go to the original's
quarantine object (``quarantine/<original key>.ndjson``, stage ``sweep``), the format of :mod:`ingest.quarantine`.

Order makes a crash harmless: salvage object, then entries, then the copy, then the delete, and the ledger last,
so a sweep interrupted anywhere redoes the same writes next time. The ledger (``_englake/sweep/ledger.ndjson.gz``)
keeps each checked object's key, size and version (S3 ETag or local modification time), so a daily run reads only
new or changed objects; it is saved every :data:`LEDGER_SAVE_EVERY` objects, so long sweeps keep their progress.
"""

from __future__ import annotations

import gzip
import json
import re
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from englake.errors import LakeError
from englake.storage import LakeStore, StoredObject
from ingest.glue import FIELD_DELIMITER
from ingest.layout import (
    MOVED_OBJECTS_PREFIX,
    RAW_PREFIXES,
    STREAM_NAMES,
    SWEEP_PREFIX,
    object_key,
    parse_object_key,
    producer_of_prefix,
)
from ingest.quarantine import STAGE_SWEEP, QuarantineEntry, quarantine_key, write_quarantine
from ingest.reader import GZIP_MAGIC, INVALID_UTF8, JSON_TOO_DEEP, MAX_JSON_DEPTH, UNREADABLE, lake_objects, too_deep

#: The sweep's record of objects already checked (one JSON object per line, gzip).
LEDGER_KEY = f"{SWEEP_PREFIX}ledger.ndjson.gz"
#: Save the ledger after this many checked objects, so an interrupted long sweep keeps most of its work.
LEDGER_SAVE_EVERY = 500
#: Namespace of salvage objects' UUIDs (uuid5 of the original key and version): the same original, the same name.
SALVAGE_NAMESPACE = uuid.UUID("5c6f0b1e-8d2a-4f0e-9a51-6e6c616b6521")

#: Ctrl-A, the field delimiter of both engines' text readers (DuckDB's read_csv fails on a second field).
_DELIMITER = FIELD_DELIMITER.encode()
#: Not "invalid JSON: …": the models leave out Python entries whose reason SQL also finds, and SQL never sees this line.
FIELD_DELIMITER_IN_LINE = "control character U+0001 in line (the text readers' field delimiter)"
CORRUPT_GZIP = f"{UNREADABLE}: corrupt gzip"
TRUNCATED_GZIP = f"{UNREADABLE}: truncated gzip"
EMPTY_GZIP = f"{UNREADABLE}: empty gzip"

OK = "ok"
SALVAGED = "salvaged"
MOVED = "moved"  # unreadable: moved aside, nothing re-landed

_HOUR_FOLDER = re.compile(r"(\d{4})/(\d{2})/(\d{2})/(\d{2})/[^/]*$")


@dataclass
class Verdict:
    """What the sweep makes of one object's bytes (decided without touching the lake)."""

    outcome: str  # OK, SALVAGED or MOVED
    why: str = ""  # for SALVAGED / MOVED: what was wrong, in a few words
    salvage: bytes | None = None  # the re-landed text (uncompressed), when there is any line to keep
    lines: int = 0  # lines found in the readable content (blank ones included)
    kept: int = 0  # of them, lines re-landed (or left in place when OK)
    entries: list[QuarantineEntry] = field(default_factory=list)


def _gunzip(data: bytes) -> tuple[bytes, bool, bool]:
    """All gzip members of ``data``: (content, complete, padded). Incomplete means the stream was cut short (the
    content is then everything before the cut); padded, that zero bytes follow the last member (Python ignores
    them, DuckDB does not). Corrupt data, a CRC mismatch or other bytes after a member raise zlib.error."""
    pieces: list[bytes] = []
    rest = data
    while rest:
        decompressor = zlib.decompressobj(wbits=31)
        pieces.append(decompressor.decompress(rest))
        if not decompressor.eof:
            return b"".join(pieces), False, False
        rest = decompressor.unused_data
        if rest and rest[:2] != GZIP_MAGIC:
            if rest.strip(b"\x00"):
                raise zlib.error(f"{len(rest):,} byte(s) after the gzip stream that are not another gzip member")
            return b"".join(pieces), True, True
    return b"".join(pieces), True, False


def examine(key: str, data: bytes, *, salvage_to: str = "", detected_at: datetime | None = None) -> Verdict:
    """Apply the module's rules to one object's bytes: what stays, what is re-landed, what is quarantined.

    ``salvage_to`` is the key the readable lines would be re-landed as (named in the entries' detail).
    """
    found: list[tuple[int | None, int | None, str, str | None, str]] = []  # line, offset, reason, record, detail
    named_gzip = key.lower().endswith(".gz")
    is_gzip = data[:2] == GZIP_MAGIC
    content, complete, padded, why = data, True, False, ""
    if not data and named_gzip:
        found.append((None, None, EMPTY_GZIP, None, "0 bytes"))
        why = "empty .gz object"
    elif is_gzip:
        try:
            content, complete, padded = _gunzip(data)
        except (OSError, EOFError, zlib.error) as error:
            found.append((None, None, CORRUPT_GZIP, None, f"{type(error).__name__}: {error}"))
            why = "corrupt gzip"
    pieces: list[bytes] = []
    kept: list[bytes] = []
    if not found:
        pieces = content.split(b"\n")
        tail = pieces.pop()  # after the last newline: empty when the content ends with one (or was cut at one)
        if complete and tail:
            pieces.append(tail)  # a last line without a newline is still a line
            tail = b""
        offset = 0
        for number, raw in enumerate(pieces, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                found.append((number, offset, INVALID_UTF8, raw.decode("utf-8", "replace"), str(error)))
            else:
                if too_deep(raw):
                    depth = f"more than {MAX_JSON_DEPTH} nested arrays or objects"
                    found.append((number, offset, JSON_TOO_DEEP, text, depth))
                elif _DELIMITER in raw:
                    at = f"at byte {raw.index(_DELIMITER) + 1} of the line"
                    found.append((number, offset, FIELD_DELIMITER_IN_LINE, text, at))
                else:
                    kept.append(raw)
            offset += len(raw) + 1
        reasons = sorted({reason for _, _, reason, _, _ in found})
        if not complete:
            lost = f"the gzip stream ends after {len(pieces)} complete line(s) ({len(content):,} bytes); rest lost"
            found.append((len(pieces) + 1, offset, TRUNCATED_GZIP, tail.decode("utf-8", "replace"), lost))
            reasons.insert(0, "truncated gzip")
        if is_gzip != named_gzip:
            reasons.append("gzip content without .gz name" if is_gzip else "plain text named .gz")
        if padded:
            reasons.append("zero bytes after the gzip stream")
        why = "; ".join(reasons)
    if not why:
        return Verdict(OK, lines=len(pieces), kept=len(kept))
    salvage = b"".join(line + b"\n" for line in kept) if any(line.strip(b" \t\r") for line in kept) else None
    moved = f"object moved to {MOVED_OBJECTS_PREFIX}{key}"
    if salvage is not None and salvage_to:
        moved += f"; its other lines re-landed as {salvage_to}"
    when = detected_at or datetime.now(UTC)
    entries = [
        QuarantineEntry.of_object(
            key, line, offset, reason, record, f"{detail}; {moved}", detected_at=when, stage=STAGE_SWEEP
        )
        for line, offset, reason, record, detail in found
    ]
    if salvage is None:
        return Verdict(MOVED, why, None, len(pieces), 0, entries)
    return Verdict(SALVAGED, why, salvage, len(pieces), len(kept), entries)


def salvage_key(key: str, version: str) -> str:
    """The key of an object's salvage: its hour folder, a Firehose-style name, the same for the same original."""
    object_id = uuid.uuid5(SALVAGE_NAMESPACE, f"{key}\n{version}")
    parsed = parse_object_key(key)
    producer = producer_of_prefix(key)
    prefix = RAW_PREFIXES[producer] if producer is not None else key.rsplit("/", 1)[0] + "/"
    if parsed is not None:
        return object_key(parsed.prefix, parsed.stream, parsed.arrival, version=parsed.version, object_id=object_id)
    stream = STREAM_NAMES[producer] if producer is not None else "englake-salvage"
    hour = _HOUR_FOLDER.search(key)
    if hour is not None:
        arrival = datetime(*(int(part) for part in hour.groups()))  # type: ignore[misc]
        folder = key[: hour.start()]
        return object_key(folder, stream, arrival, object_id=object_id)
    # No hour folder to keep: file it under the hour it was swept, as Firehose would a new object.
    return object_key(prefix, stream, datetime.now(UTC), object_id=object_id)


@dataclass(frozen=True)
class Move:
    """One object the sweep moved aside."""

    key: str
    outcome: str  # SALVAGED or MOVED
    why: str
    salvage_key: str | None
    lines: int
    kept: int
    quarantined: int


@dataclass
class SweepReport:
    """What a sweep did."""

    objects: int = 0  # objects under raw/
    already_checked: int = 0  # skipped: in the ledger with the same size and version
    checked: int = 0
    bytes_read: int = 0
    moves: list[Move] = field(default_factory=list)
    entries_written: int = 0
    #: objects that could not be fetched (left in place, not in the ledger: the next sweep tries again)
    unfetchable: list[str] = field(default_factory=list)

    @property
    def salvaged(self) -> int:
        return sum(1 for move in self.moves if move.outcome == SALVAGED)

    @property
    def moved(self) -> int:
        return len(self.moves)

    @property
    def lines_quarantined(self) -> int:
        return sum(move.quarantined for move in self.moves)


def _ledger_row(stored: StoredObject, outcome: str, checked_at: str, salvage: str | None = None) -> dict[str, object]:
    return {
        "key": stored.key,
        "size": stored.size,
        "version": stored.version,
        "outcome": outcome,
        "checked_at": checked_at,
        "salvage_key": salvage,
    }


def load_ledger(store: LakeStore) -> dict[str, dict[str, object]]:
    """The ledger's rows by key; no ledger yet is an empty one, a damaged one a LakeError naming it."""
    try:
        data = store.get(LEDGER_KEY)
    except LakeError:
        if any(stored.key == LEDGER_KEY for stored in store.list(LEDGER_KEY)):
            raise
        return {}
    try:
        rows = [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines() if line.strip()]
        return {str(row["key"]): row for row in rows}
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise LakeError(
            f"sweep ledger {store.uri(LEDGER_KEY)} is damaged ({error}); delete it to check every object again"
        ) from error


def save_ledger(store: LakeStore, rows: dict[str, dict[str, object]]) -> None:
    text = "".join(json.dumps(row, separators=(",", ":")) + "\n" for _, row in sorted(rows.items()))
    store.put(LEDGER_KEY, gzip.compress(text.encode(), mtime=0))


def sweep_lake(
    store: LakeStore,
    *,
    objects: Iterable[StoredObject] | None = None,
    on_object: Callable[[StoredObject], None] | None = None,
) -> SweepReport:
    """Check every raw object not checked before (module rules); move the unreadable aside, salvage what reads."""
    listed = list(objects) if objects is not None else lake_objects(store)
    ledger = load_ledger(store)
    listed_keys = {stored.key for stored in listed}
    # Rows of objects gone from raw/ are dropped, except moves (they say where an object went).
    rows = {key: row for key, row in ledger.items() if key in listed_keys or row.get("outcome") != OK}
    report = SweepReport(objects=len(listed))
    detected_at = datetime.now(UTC)
    stamp = detected_at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    unsaved = 0
    for stored in listed:
        row = ledger.get(stored.key)
        if row is not None and row.get("size") == stored.size and row.get("version") == stored.version:
            report.already_checked += 1
        else:
            outcome = _sweep_object(store, stored, report, detected_at)
            if outcome is not None:
                rows[stored.key] = _ledger_row(stored, outcome[0], stamp, outcome[1])
                if outcome[1] is not None:  # the salvage object is readable by construction: never read it again
                    for salvage in store.list(outcome[1]):
                        if salvage.key == outcome[1]:
                            rows[salvage.key] = _ledger_row(salvage, OK, stamp)
                unsaved += 1
            if unsaved >= LEDGER_SAVE_EVERY:
                save_ledger(store, rows)
                unsaved = 0
        if on_object is not None:
            on_object(stored)
    if unsaved or rows.keys() != ledger.keys():
        save_ledger(store, rows)
    return report


def _sweep_object(
    store: LakeStore, stored: StoredObject, report: SweepReport, detected_at: datetime
) -> tuple[str, str | None] | None:
    """Check one object; (outcome, salvage key), or None when it could not be fetched."""
    try:
        data = store.get(stored.key)
    except LakeError as error:
        report.unfetchable.append(f"{stored.key}: {error}")
        return None
    report.checked += 1
    report.bytes_read += len(data)
    target = salvage_key(stored.key, stored.version or str(len(data)))
    verdict = examine(stored.key, data, salvage_to=target, detected_at=detected_at)
    if verdict.outcome == OK:
        return OK, None
    if verdict.salvage is not None:
        store.put(target, gzip.compress(verdict.salvage, mtime=0))
    else:
        target = None
    report.entries_written += write_quarantine(store, quarantine_key(stored.key), verdict.entries)
    store.put(f"{MOVED_OBJECTS_PREFIX}{stored.key}", data)
    store.delete(stored.key)
    report.moves.append(
        Move(stored.key, verdict.outcome, verdict.why, target, verdict.lines, verdict.kept, len(verdict.entries))
    )
    return verdict.outcome, target
