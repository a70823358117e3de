"""Firehose-faithful landing: records go into the lake exactly as Kinesis Data Firehose would write them to S3.

One buffer per delivery stream (producer), as Firehose keeps one per stream. A buffer is delivered as one object when
it reaches its record count, its size, or its interval, whichever comes first (Firehose ``BufferingHints``:
``SizeInMBs`` and ``IntervalInSeconds``; the record count is ours, to make small objects on purpose). Time is the
records' own arrival clock, so landing a week of synthetic events takes seconds and still cuts objects where
Firehose would. The object goes under ``<prefix>YYYY/MM/DD/HH/`` of the arrival of its oldest record and is named
``<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]`` after that same instant (event-formats.md §4.1).

Records are written byte for byte as given, each followed by ``\\n`` (Firehose's ``AppendDelimiterToRecord``; SES
does the same on its own), or run together with nothing between them (Firehose's default) for a producer whose
``delimited`` is false. Records of one producer must be put in arrival order, as Firehose stamps them on receipt:
an earlier arrival than the previous record's raises :class:`~englake.errors.InputError` (sort first).
"""

from __future__ import annotations

import gzip as gzip_module
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from types import TracebackType

from englake.errors import InputError
from englake.storage import LakeStore
from ingest.layout import RAW_PREFIXES, STREAM_NAMES, Producer, object_key

#: Firehose's default S3 buffer size is 5 MiB and its default interval 300 s; the allowed ranges are 1–128 MiB and
#: 0–900 s. https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
DEFAULT_BUFFER_BYTES = 5 * 2**20
DEFAULT_BUFFER_SECONDS = 300
MAX_BUFFER_BYTES = 128 * 2**20
MAX_BUFFER_SECONDS = 900
#: GZIP level of landed objects. Firehose does not document its level; 6 is zlib's default (level 9, ``gzip``'s
#: default, costs half as much CPU again for objects a few percent smaller).
DEFAULT_GZIP_LEVEL = 6
#: How the lander compresses an object body by default: a gzip member (RFC 1952) with no timestamp, so the same
#: records make the same bytes.
default_gzip = partial(gzip_module.compress, compresslevel=DEFAULT_GZIP_LEVEL, mtime=0)
#: Firehose rejects a record larger than 1,000 KiB (before base64). https://docs.aws.amazon.com/firehose/latest/dev/limits.html
MAX_RECORD_BYTES = 1_000 * 1024


@dataclass(frozen=True)
class BufferingHints:
    """When a buffer becomes an object: ``max_records`` records, ``max_bytes`` bytes, or ``interval_seconds`` after its
    oldest record, whichever comes first. Bytes count the records as sent (delimiter included, before GZIP), as
    Firehose measures its buffer; a record that would overflow the buffer starts the next object instead."""

    max_records: int | None = None
    max_bytes: int = DEFAULT_BUFFER_BYTES
    interval_seconds: int = DEFAULT_BUFFER_SECONDS

    def __post_init__(self) -> None:
        if self.max_records is not None and self.max_records < 1:
            raise InputError(f"buffer max_records must be at least 1, got {self.max_records}")
        if not 1 <= self.max_bytes <= MAX_BUFFER_BYTES:
            raise InputError(
                f"buffer max_bytes must be between 1 and {MAX_BUFFER_BYTES} (128 MiB), got {self.max_bytes}"
            )
        if not 0 <= self.interval_seconds <= MAX_BUFFER_SECONDS:
            raise InputError(
                f"buffer interval_seconds must be between 0 and {MAX_BUFFER_SECONDS}, got {self.interval_seconds}"
            )


@dataclass(frozen=True)
class LandedObject:
    """One object the lander wrote."""

    producer: Producer
    key: str
    records: int
    raw_bytes: int  # the records as sent, before compression
    stored_bytes: int  # the object's size in the lake
    arrival: datetime  # naive UTC arrival of the oldest record: the object's folder hour and name


@dataclass(frozen=True)
class ProducerTotals:
    objects: int = 0
    records: int = 0
    raw_bytes: int = 0
    stored_bytes: int = 0


@dataclass
class LandingReport:
    """Every object written, with totals per producer."""

    objects: list[LandedObject] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(landed.records for landed in self.objects)

    def totals(self) -> dict[Producer, ProducerTotals]:
        """Objects, records and bytes per producer (every producer present, zero if nothing landed)."""
        totals = {producer: ProducerTotals() for producer in Producer}
        for landed in self.objects:
            before = totals[landed.producer]
            totals[landed.producer] = ProducerTotals(
                before.objects + 1,
                before.records + landed.records,
                before.raw_bytes + landed.raw_bytes,
                before.stored_bytes + landed.stored_bytes,
            )
        return totals


@dataclass(slots=True)
class _Buffer:
    oldest: datetime
    due: datetime  # oldest + the interval: a record arriving at or after this starts the next object
    records: list[bytes] = field(default_factory=list)
    size: int = 0


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


class FirehoseLander:
    """Buffers records per producer and writes them to ``store`` as Firehose objects; close (or use ``with``)."""

    def __init__(
        self,
        store: LakeStore,
        hints: BufferingHints | None = None,
        *,
        gzip: bool = True,
        delimited: bool | Mapping[Producer, bool] = True,
        stream_names: Mapping[Producer, str] | None = None,
        stream_version: int = 1,
        uuid_seed: int | None = None,
        on_object: Callable[[LandedObject], None] | None = None,
        compress: Callable[[bytes], bytes] = default_gzip,
    ) -> None:
        """``uuid_seed`` makes object names reproducible (landing the same records again overwrites, not doubles);
        ``compress`` turns an object's body into a gzip member when ``gzip`` is on."""
        self.store = store
        self.hints = hints or BufferingHints()
        self.gzip = gzip
        self.compress = compress
        self.delimited = {p: delimited.get(p, True) if isinstance(delimited, Mapping) else delimited for p in Producer}
        self.stream_names = dict(stream_names or STREAM_NAMES)
        self.stream_version = stream_version
        self.on_object = on_object
        self.report = LandingReport()
        # One sequence of object names per stream, so that a stream's objects are named the same whichever other
        # streams land beside it, in this process or another (``ingest.generator`` lands streams in parallel).
        self._rngs = {p: random.Random(f"{uuid_seed}/{p.value}") for p in Producer} if uuid_seed is not None else None
        self._buffers: dict[Producer, _Buffer] = {}
        self._last_arrival: dict[Producer, datetime] = {}
        self._interval = timedelta(seconds=self.hints.interval_seconds)
        self._max_bytes = self.hints.max_bytes
        self._max_records = self.hints.max_records
        self._delimiter_bytes = {p: 1 if self.delimited[p] else 0 for p in Producer}
        self._closed = False

    def put(self, producer: Producer, line: str | bytes, arrival: datetime) -> None:
        """Accept one record (its text exactly as the producer sent it, or those UTF-8 bytes) that arrived at
        ``arrival`` (UTC)."""
        if self._closed:
            raise InputError("the lander is closed; open a new one to land more records")
        if arrival.tzinfo is not None:
            arrival = _naive_utc(arrival)
        last = self._last_arrival.get(producer)
        if last is not None and arrival < last:
            raise InputError(
                f"{producer.value} record arrived at {arrival.isoformat()}, before the previous {producer.value} "
                f"record ({last.isoformat()}): put each producer's records in arrival order"
            )
        data = line if isinstance(line, bytes) else line.encode("utf-8")
        if len(data) > MAX_RECORD_BYTES:
            raise InputError(
                f"{producer.value} record of {len(data)} bytes exceeds Firehose's {MAX_RECORD_BYTES}-byte record limit"
            )
        self._last_arrival[producer] = arrival
        # Runs once per record (a million times for a generated lake): attributes are read once, in __init__.
        size = len(data) + self._delimiter_bytes[producer]
        max_bytes = self._max_bytes
        buffer = self._buffers.get(producer)
        if buffer is not None and (arrival >= buffer.due or buffer.size + size > max_bytes):
            self._deliver(producer)
            buffer = None
        if buffer is None:
            buffer = self._buffers[producer] = _Buffer(arrival, arrival + self._interval)
        records = buffer.records
        records.append(data)
        buffer.size += size
        if buffer.size >= max_bytes or (self._max_records is not None and len(records) >= self._max_records):
            self._deliver(producer)

    def flush(self) -> None:
        """Deliver every open buffer now (as if each interval had just ended)."""
        for producer in list(self._buffers):
            self._deliver(producer)

    def close(self) -> LandingReport:
        """Deliver what is buffered and return the report; idempotent."""
        if not self._closed:
            self.flush()
            self._closed = True
        return self.report

    def __enter__(self) -> FirehoseLander:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()

    def _object_id(self, producer: Producer) -> uuid.UUID:
        if self._rngs is None:
            return uuid.uuid4()
        return uuid.UUID(int=self._rngs[producer].getrandbits(128), version=4)

    def _deliver(self, producer: Producer) -> None:
        buffer = self._buffers.pop(producer, None)
        if buffer is None or not buffer.records:
            return
        # One join, not a copy of each record with its delimiter.
        body = b"\n".join(buffer.records) + b"\n" if self.delimited[producer] else b"".join(buffer.records)
        stored = self.compress(body) if self.gzip else body
        key = object_key(
            RAW_PREFIXES[producer],
            self.stream_names[producer],
            buffer.oldest,
            version=self.stream_version,
            gzip=self.gzip,
            object_id=self._object_id(producer),
        )
        self.store.put(key, stored)
        landed = LandedObject(producer, key, len(buffer.records), len(body), len(stored), buffer.oldest)
        self.report.objects.append(landed)
        if self.on_object is not None:
            self.on_object(landed)
