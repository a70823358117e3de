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
import itertools
import json
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from englake.errors import InputError
from ingest.campaign_catalog import catalog_key, write_catalog
from ingest.layout import (
    CATALOG_PREFIX,
    ENDPOINT_EXPORT_PREFIX,
    QUARANTINE_PREFIX,
    RAW_PREFIXES,
    STREAM_NAMES,
    SWEEP_PREFIX,
    Producer,
    object_key,
)
from ingest.storage import LakeStore

#: Firehose's default S3 buffer size is 5 MiB and its default interval 300 s; the allowed ranges are 1–128 MiB and
#: 0–900 s. https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html
DEFAULT_BUFFER_BYTES = 5 * 2**20
DEFAULT_BUFFER_SECONDS = 300
MAX_BUFFER_BYTES = 128 * 2**20
MAX_BUFFER_SECONDS = 900
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


@dataclass
class _Buffer:
    oldest: datetime
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
    ) -> None:
        """``uuid_seed`` makes object names reproducible (landing the same records again overwrites, not doubles)."""
        self.store = store
        self.hints = hints or BufferingHints()
        self.gzip = gzip
        self.delimited = {p: delimited.get(p, True) if isinstance(delimited, Mapping) else delimited for p in Producer}
        self.stream_names = dict(stream_names or STREAM_NAMES)
        self.stream_version = stream_version
        self.on_object = on_object
        self.report = LandingReport()
        self._rng = random.Random(uuid_seed) if uuid_seed is not None else None
        self._buffers: dict[Producer, _Buffer] = {}
        self._last_arrival: dict[Producer, datetime] = {}
        self._interval = timedelta(seconds=self.hints.interval_seconds)
        self._closed = False

    def put(self, producer: Producer, line: str, arrival: datetime) -> None:
        """Accept one record (its text exactly as the producer sent it) that arrived at ``arrival`` (UTC)."""
        if self._closed:
            raise InputError("the lander is closed; open a new one to land more records")
        arrival = _naive_utc(arrival)
        last = self._last_arrival.get(producer)
        if last is not None and arrival < last:
            raise InputError(
                f"{producer.value} record arrived at {arrival.isoformat()}, before the previous {producer.value} "
                f"record ({last.isoformat()}): put each producer's records in arrival order"
            )
        data = line.encode("utf-8")
        if len(data) > MAX_RECORD_BYTES:
            raise InputError(
                f"{producer.value} record of {len(data)} bytes exceeds Firehose's {MAX_RECORD_BYTES}-byte record limit"
            )
        self._last_arrival[producer] = arrival
        size = len(data) + (1 if self.delimited[producer] else 0)
        buffer = self._buffers.get(producer)
        if buffer is not None and (
            arrival - buffer.oldest >= self._interval or buffer.size + size > self.hints.max_bytes
        ):
            self._deliver(producer)
            buffer = None
        if buffer is None:
            buffer = self._buffers[producer] = _Buffer(oldest=arrival)
        buffer.records.append(data)
        buffer.size += size
        full = self.hints.max_records is not None and len(buffer.records) >= self.hints.max_records
        if full or buffer.size >= self.hints.max_bytes:
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

    def _object_id(self) -> uuid.UUID:
        if self._rng is None:
            return uuid.uuid4()
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def _deliver(self, producer: Producer) -> None:
        buffer = self._buffers.pop(producer, None)
        if buffer is None or not buffer.records:
            return
        if self.delimited[producer]:
            body = b"".join(record + b"\n" for record in buffer.records)
        else:
            body = b"".join(buffer.records)
        stored = gzip_module.compress(body, mtime=0) if self.gzip else body
        key = object_key(
            RAW_PREFIXES[producer],
            self.stream_names[producer],
            buffer.oldest,
            version=self.stream_version,
            gzip=self.gzip,
            object_id=self._object_id(),
        )
        self.store.put(key, stored)
        landed = LandedObject(producer, key, len(buffer.records), len(body), len(stored), buffer.oldest)
        self.report.objects.append(landed)
        if self.on_object is not None:
            self.on_object(landed)


#: Where ``generate`` writes the generator's ground truth in the lake.
TRUTH_KEY = "synthetic/truth.json"
#: Object name of an endpoint export (Pinpoint CreateExportJob output: gzip newline-delimited endpoint JSON).
EXPORT_PART = "part-00000.gz"


def endpoint_export_key(application_id: str, export_id: str) -> str:
    """``endpoints/<application_id>/<export_id>/part-00000.gz``; export ids sort by time."""
    return f"{ENDPOINT_EXPORT_PREFIX}{application_id}/{export_id}/{EXPORT_PART}"


@dataclass
class GenerateResult:
    """What ``generate_lake`` wrote."""

    landing: LandingReport
    records: int = 0
    unassigned: int = 0  # records of no producer (unclassifiable lines), spread over the producers' streams
    endpoints: int = 0
    endpoint_key: str = ""
    truth_key: str = TRUTH_KEY
    removed: int = 0  # objects deleted first with ``replace``


def clear_synthetic(store: LakeStore) -> int:
    """Delete what ``generate`` writes (raw objects, quarantine, endpoint exports, truth) and the sweep's ledger of
    them; returns the count. Objects the sweep moved aside are kept: englake never deletes those."""
    removed = 0
    prefixes = [
        *RAW_PREFIXES.values(),
        QUARANTINE_PREFIX,
        ENDPOINT_EXPORT_PREFIX,
        CATALOG_PREFIX,
        TRUTH_KEY,
        SWEEP_PREFIX,
    ]
    for prefix in prefixes:
        for stored in list(store.list(prefix)):
            store.delete(stored.key)
            removed += 1
    return removed


def land_synthetic(
    lake: Any,
    store: LakeStore,
    *,
    application_id: str,
    export_id: str,
    hints: BufferingHints | None = None,
    gzip_objects: bool = True,
    delimited: bool | Mapping[Producer, bool] = True,
    uuid_seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerateResult:
    """Land a synthetic lake's records through the lander, then its endpoint export and its ground truth."""
    spread = itertools.cycle(Producer)
    with FirehoseLander(store, hints, gzip=gzip_objects, delimited=delimited, uuid_seed=uuid_seed) as lander:
        records = unassigned = 0
        for record in lake.records(progress=progress):
            producer = record.producer
            if producer is None:  # a line no producer owns still arrives on some stream: the reader quarantines it
                producer = next(spread)
                unassigned += 1
            lander.put(producer, record.line, record.arrival)
            records += 1
    lines = [json.dumps(endpoint, ensure_ascii=False, separators=(",", ":")) for endpoint in lake.endpoints()]
    key = endpoint_export_key(application_id, export_id)
    store.put(key, gzip_module.compress(("\n".join(lines) + "\n").encode("utf-8") if lines else b"", mtime=0))
    for (source, owner, kind), items in lake.campaign_catalog().items():
        write_catalog(store, catalog_key(source, owner, kind), items)
    truth = lake.truth.to_json()
    store.put(TRUTH_KEY, truth.encode("utf-8") if isinstance(truth, str) else truth)
    return GenerateResult(lander.report, records, unassigned, len(lines), key)


def generate_lake(
    config: Any,
    store: LakeStore,
    *,
    hints: BufferingHints | None = None,
    gzip_objects: bool = True,
    delimited: bool | Mapping[Producer, bool] = True,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateResult:
    """Generate ``config``'s synthetic events into ``store`` as Firehose would have landed them.

    Object names are seeded by ``config.seed``, so generating the same config again overwrites the same objects;
    ``replace`` first deletes everything an earlier ``generate`` wrote (other seeds or sizes included).
    ``progress(done, total)`` follows the records as they land.
    """
    from ingest.generator import SyntheticLake

    removed = clear_synthetic(store) if replace else 0
    _, end = config.window()
    lake = SyntheticLake(config)
    total = len(lake) if hasattr(lake, "__len__") else 0  # 0: unknown, the bar just counts
    result = land_synthetic(
        lake,
        store,
        application_id=config.application_id,
        export_id=f"{end:%Y%m%dT%H%M%SZ}-seed{config.seed}",
        hints=hints,
        gzip_objects=gzip_objects,
        delimited=delimited,
        uuid_seed=config.seed,
        progress=(lambda done: progress(done, total)) if progress is not None else None,
    )
    result.removed = removed
    return result
