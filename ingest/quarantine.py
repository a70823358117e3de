"""The quarantine: every record the reader could not parse or classify, kept in the lake with where it came from.

One NDJSON object per source (``quarantine/<source key>.ndjson`` for a lake object, ``quarantine/inputs/…`` for a
file given to ``land``), so scanning the same source again overwrites its quarantine instead of duplicating it.
Each line holds the source, the line and byte offset, the reason, and the record text (cut at
:data:`MAX_RECORD_CHARS`, flagged ``truncated``; the full text is still in the source at that line and offset).

A lake object's ``source`` is its key relative to the lake root (``raw/ses/2026/…gz``), so the quarantine does not
depend on where the lake is mounted; an input file's is its absolute path. ``stage`` says who wrote the entry:
``land`` (a file given to ``englake lake land``; the record never reached ``raw/``), ``sweep`` (an object or line
neither engine could read, moved out of ``raw/`` by :mod:`ingest.sweep`) or ``inspect`` (the Python diagnostic
reader; the dbt models find the same records themselves). Objects the sweep moved aside live under
``moved-aside/``, outside the quarantine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from englake.errors import LakeError
from englake.storage import LakeStore
from ingest.layout import QUARANTINE_PREFIX

#: Longest record text kept in a quarantine entry; Firehose records are at most 1,000 KiB
#: (https://docs.aws.amazon.com/firehose/latest/dev/limits.html), far more than anyone reads in a quarantine.
MAX_RECORD_CHARS = 65_536
#: Quarantine of files given to ``englake lake land`` (as opposed to objects already in the lake).
INPUT_QUARANTINE_PREFIX = f"{QUARANTINE_PREFIX}inputs/"
#: Quarantine objects end with this suffix, after the source key.
QUARANTINE_SUFFIX = ".ndjson"
#: Who wrote an entry (see the module docstring); the models union the ``land`` and ``sweep`` entries.
STAGE_LAND = "land"
STAGE_SWEEP = "sweep"
STAGE_INSPECT = "inspect"


@dataclass(frozen=True)
class QuarantineEntry:
    """One quarantined record (or one unreadable object, then ``line``/``offset`` are ``None``)."""

    source: str  # the object's key relative to the lake root (or the input file's absolute path)
    key: str | None  # the lake key of the source object; None for input files
    line: int | None  # 1-based line number in the (decompressed) source
    offset: int | None  # byte offset of the record in the (decompressed) source
    reason: str
    record: str | None  # the record text, cut at MAX_RECORD_CHARS
    truncated: bool = False
    detail: str = ""  # the exact error, when the reason alone does not say it
    detected_at: str = ""  # ISO-8601 UTC time of the scan
    stage: str = ""  # land, sweep or inspect: who wrote the entry

    @classmethod
    def make(
        cls,
        *,
        source: str,
        key: str | None,
        line: int | None,
        offset: int | None,
        reason: str,
        record: str | None,
        detail: str = "",
        detected_at: datetime | None = None,
        stage: str = STAGE_INSPECT,
    ) -> QuarantineEntry:
        """An entry with the record text cut to :data:`MAX_RECORD_CHARS` and the time stamped."""
        truncated = record is not None and len(record) > MAX_RECORD_CHARS
        when = (detected_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        return cls(
            source=source,
            key=key,
            line=line,
            offset=offset,
            reason=reason,
            record=record[:MAX_RECORD_CHARS] if truncated and record is not None else record,
            truncated=truncated,
            detail=detail,
            detected_at=when.isoformat(timespec="seconds") + "Z",
            stage=stage,
        )

    @classmethod
    def of_object(
        cls,
        key: str,
        line: int | None,
        offset: int | None,
        reason: str,
        record: str | None,
        detail: str = "",
        *,
        detected_at: datetime | None = None,
        stage: str = STAGE_INSPECT,
    ) -> QuarantineEntry:
        """An entry for a lake object (its key is its source): one record, or the whole object without a line."""
        return cls.make(
            source=key,
            key=key,
            line=line,
            offset=offset,
            reason=reason,
            record=record,
            detail=detail,
            detected_at=detected_at,
            stage=stage,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> QuarantineEntry:
        data: Any = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("source"), str) or "reason" not in data:
            raise ValueError("not a quarantine entry (a JSON object with source and reason)")
        defaults = {name: None if f.default is MISSING else f.default for name, f in cls.__dataclass_fields__.items()}
        return cls(**{name: data.get(name, default) for name, default in defaults.items()})


def quarantine_key(source_key: str) -> str:
    """The quarantine object of a lake object: the same key under ``quarantine/``."""
    return f"{QUARANTINE_PREFIX}{source_key}{QUARANTINE_SUFFIX}"


def input_quarantine_key(path: str | Path) -> str:
    """The quarantine object of an input file: a digest of its absolute path (stable across runs) plus its name."""
    resolved = Path(path).expanduser().resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    return f"{INPUT_QUARANTINE_PREFIX}{digest}/{resolved.name}{QUARANTINE_SUFFIX}"


def write_quarantine(store: LakeStore, key: str, entries: Iterable[QuarantineEntry]) -> int:
    """Replace the quarantine object ``key`` with ``entries``; no entries deletes it. Returns the count written."""
    lines = [entry.to_json() for entry in entries]
    if not lines:
        store.delete(key)
        return 0
    store.put(key, ("\n".join(lines) + "\n").encode())
    return len(lines)


def quarantine_objects(store: LakeStore) -> Iterator[str]:
    """Keys of every quarantine object in the lake."""
    for stored in store.list(QUARANTINE_PREFIX):
        if stored.key.endswith(QUARANTINE_SUFFIX):
            yield stored.key


def read_quarantine(store: LakeStore) -> Iterator[QuarantineEntry]:
    """Every quarantined record in the lake, object by object; a line that is not an entry is a LakeError."""
    for key in quarantine_objects(store):
        # Entries are written as UTF-8; a damaged byte must not hide the other entries (it shows as U+FFFD).
        text = store.get(key).decode("utf-8", "replace")
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                yield QuarantineEntry.from_json(line)
            except (ValueError, TypeError) as error:
                message = f"quarantine object {store.uri(key)} line {number} is not a quarantine entry"
                raise LakeError(message) from error
