"""Synthetic lakes: generate one into a store as Firehose would have landed it (``generate_lake``), and the public
API of the synthetic events themselves (implementation in ``ingest.synthetic``).

A seeded generator of the three producers' records (event-formats.md), the endpoint export, and the truth tests
compare against::

    lake = generate(GeneratorConfig(seed=7, events=1_000_000, days=30))
    for record in lake.records(progress=bar.update):  # RawRecord(producer, arrival, line), sorted by arrival
        ...
    export = list(lake.endpoints())                   # Pinpoint export (EndpointResponse) dicts
    lake.truth.view_rows["email_hardbounce"]          # GroundTruth; .to_json() / GroundTruth.from_json()

What the lake holds: one Pinpoint app whose users each have an EMAIL endpoint and often an SMS endpoint; Pinpoint
campaigns (A/B/C treatments "0"/"1"/"2", a webinar invitation, SMS campaigns, weekly digests, a seed-list check)
and journeys (welcome series with an SMS step, abandoned cart); Pinpoint transactional email and SMS; SES-native
email through configuration sets (transactional, newsletters with topic subscriptions, multi-recipient billing
notices, identity feedback notifications); End User Messaging SMS; app sessions with product views, purchases and
webinar registrations. Plus duplicates, late and very late records, unknown event types, new fields, malformed and
unclassifiable lines.

Decisions others rely on:

- SES-native mail belongs to a campaign through its ``campaign`` mail tag; it has no treatment, so its key in
  ``truth.campaigns[campaign_id]`` is ``""`` (a model would show NULL).
- App events (custom, ``_monetization.purchase``, ``_userauth.*``, sessions) use the user's EMAIL endpoint id as
  ``client.client_id``, so segments built on app behaviour target email endpoints.
- Pinpoint transactional email carries a per-message UUID as ``client_id`` (as AWS documents); it is not an
  endpoint. Engagement facts attribute such mail, and SES-native mail, to endpoints by recipient address
  (``"match": "address"``); campaign and journey mail by ``client_id`` (``"match": "endpoint_id"``).
- A line whose Firehose arrival would be at or after ``end`` has not landed yet: it is not generated and not in
  the truth. Event times lie in ``[end - days, end)``.
- Truncated JSON keeps the producer of the stream it arrived on; other garbage and unclassifiable objects have
  ``producer=None``.
- Every view has rows at any scale of at least ~100 events: a few "showcase" messages with forced outcomes
  (bounces, complaints, rejects, rendering failures, delays, unsubscribes, SMS failures and opt-outs) are planned
  early in the window and never arrive late.
- Prices: ``truth.messages[...]["price"]`` is in the producer's unit — Pinpoint ``price_in_millicents_usd``,
  EUM ``totalMessagePrice`` (written as USD, e.g. 0.00645; AWS's unit is unverified, event-formats.md gotcha 14).
"""

from __future__ import annotations

import gzip
import multiprocessing
import os
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson

from englake.errors import InputError, LakeError
from englake.storage import LakeStore, LocalStore
from ingest.campaign_catalog import catalog_key, write_catalog
from ingest.landing import BufferingHints, FirehoseLander, LandedObject, LandingReport
from ingest.layout import (
    CATALOG_PREFIX,
    ENDPOINT_EXPORT_PREFIX,
    QUARANTINE_PREFIX,
    RAW_PREFIXES,
    SWEEP_PREFIX,
    Producer,
    endpoint_export_key,
)
from ingest.synthetic import (
    VIEWS,
    GeneratorConfig,
    GroundTruth,
    RawRecord,
    SyntheticLake,
    generate,
    planned_lake_frozen,
)

__all__ = [
    "SYNTHETIC_GZIP_LEVEL",
    "TRUTH_KEY",
    "VIEWS",
    "GenerateResult",
    "GeneratorConfig",
    "GroundTruth",
    "RawRecord",
    "SyntheticLake",
    "clear_synthetic",
    "default_workers",
    "generate",
    "generate_lake",
    "land_extras",
    "land_streams",
    "land_synthetic",
    "stream_groups",
    "synthetic_gzip",
    "usable_cores",
]

#: Where ``generate_lake`` writes the generator's ground truth in the lake.
TRUTH_KEY = "synthetic/truth.json"
#: Synthetic lakes favour landing speed: zlib's level 1 deflates ~3x faster than the lander's default (level 6), for
#: objects ~30% larger; no timestamp in the header, so a seed makes the same bytes on any machine. ISA-L (python-isal)
#: deflates in a third of zlib 1's CPU but picks its deflate kernel by the CPU's instruction set, and two machines
#: wrote different bytes for the same records: a lake must not depend on where it was generated (issue 15).
SYNTHETIC_GZIP_LEVEL = 1
synthetic_gzip = partial(gzip.compress, compresslevel=SYNTHETIC_GZIP_LEVEL, mtime=0)


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
    """Delete what ``generate_lake`` writes (raw objects, quarantine, endpoint exports, catalog, truth) and the sweep's
    ledger of them; returns the count. Objects the sweep moved aside are kept: englake never deletes those."""
    removed = 0
    written = [*RAW_PREFIXES.values(), QUARANTINE_PREFIX, ENDPOINT_EXPORT_PREFIX, CATALOG_PREFIX, TRUTH_KEY]
    for prefix in [*written, SWEEP_PREFIX]:
        for stored in list(store.list(prefix)):
            store.delete(stored.key)
            removed += 1
    return removed


def land_extras(lake: SyntheticLake, store: LakeStore, *, application_id: str, export_id: str) -> tuple[int, str]:
    """Write the lake's endpoint export, campaign catalog and ground truth; returns (endpoints, export key)."""
    lines = [orjson.dumps(endpoint) for endpoint in lake.endpoints()]
    key = endpoint_export_key(application_id, export_id)
    store.put(key, synthetic_gzip(b"\n".join(lines) + b"\n" if lines else b""))
    for (source, owner, kind), items in lake.campaign_catalog().items():
        write_catalog(store, catalog_key(source, owner, kind), items)
    store.put(TRUTH_KEY, lake.truth.to_json_bytes())
    return len(lines), key


def land_streams(
    lake: SyntheticLake,
    store: LakeStore,
    producers: Collection[Producer] = tuple(Producer),
    progress: Callable[[int], None] | None = None,
    **lander_options: Any,
) -> list[LandedObject]:
    """Render and land the lines of ``producers``' streams (``SyntheticLake.landed``) through one lander; returns the
    objects written. ``lander_options`` are ``FirehoseLander``'s keywords."""
    with FirehoseLander(store, **lander_options) as lander:
        put = lander.put
        for producer, arrival, line in lake.landed(producers, progress):
            put(producer, line, arrival)
    return lander.report.objects


def stream_groups(lake: SyntheticLake, workers: int) -> list[tuple[Producer, ...]]:
    """The producers' streams shared out over at most ``workers`` processes, each stream whole (its objects are cut
    in arrival order), the busiest first to the least loaded, by the lines each stream carries."""
    lines = lake.lines_per_stream()
    groups: list[list[Producer]] = [[] for _ in range(max(1, min(workers, len(Producer))))]
    loads = [0] * len(groups)
    for producer in sorted(Producer, key=lambda p: -lines[p]):
        least = loads.index(min(loads))
        groups[least].append(producer)
        loads[least] += lines[producer]
    return [tuple(group) for group in groups if group]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS says, else every core)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_workers(store: LakeStore) -> int:
    """Processes to land a synthetic lake into ``store`` with: one per core this process may use, at most one per
    stream, for a local lake; one for any other (workers fork, and a forked S3 client is not safe to use)."""
    if not isinstance(store, LocalStore) or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(usable_cores(), len(Producer)))


@dataclass(frozen=True)
class _Landing:
    """What the worker processes landing one lake share; a forked worker inherits it (nothing is pickled)."""

    lake: SyntheticLake
    root: str
    lander_options: dict[str, Any]
    done: Any  # a multiprocessing queue of lines landed since the worker's last report


#: Set while ``land_synthetic``'s worker processes are forked and run.
_landing: _Landing | None = None


def _land_streams_in_worker(producers: tuple[Producer, ...]) -> list[LandedObject]:
    landing = _landing
    assert landing is not None, "a landing worker runs only in a process forked by land_synthetic"
    reported = 0

    def report(done: int) -> None:
        nonlocal reported
        landing.done.put(done - reported)
        reported = done

    # A store of this process's own: its temporary file names carry this process's id.
    return land_streams(landing.lake, LocalStore(landing.root), producers, report, **landing.lander_options)


def _land_in_workers(
    lake: SyntheticLake,
    store: LocalStore,
    groups: list[tuple[Producer, ...]],
    lander_options: dict[str, Any],
    progress: Callable[[int], None] | None,
    meanwhile: Callable[[], tuple[int, str]],
) -> tuple[list[LandedObject], tuple[int, str]]:
    """Each group of streams rendered and landed by a forked process while this one runs ``meanwhile``."""
    global _landing
    context = multiprocessing.get_context("fork")
    done_queue = context.Queue()
    _landing = _Landing(lake, store.root, lander_options, done_queue)
    try:
        with ProcessPoolExecutor(len(groups), mp_context=context) as pool:
            futures = [pool.submit(_land_streams_in_worker, group) for group in groups]
            extras = meanwhile()
            done, pending = 0, set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                if any(future.exception() is not None for future in futures if future.done()):
                    break
                while not done_queue.empty():
                    done += done_queue.get()
                if progress is not None:
                    progress(done)
            try:
                objects = [landed for future in futures for landed in future.result()]
            except BrokenProcessPool as error:
                raise LakeError(
                    f"a worker process landing {store.root} stopped abruptly (killed, or out of memory: each worker "
                    "copies the planned lake's pages it reads); the lake holds part of this run: generate again "
                    "with --replace, and fewer --workers to use less memory"
                ) from error
    finally:
        _landing = None
        done_queue.close()
    return objects, extras


def land_synthetic(
    lake: SyntheticLake,
    store: LakeStore,
    *,
    application_id: str,
    export_id: str,
    hints: BufferingHints | None = None,
    gzip_objects: bool = True,
    delimited: bool | Mapping[Producer, bool] = True,
    uuid_seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    compress: Callable[[bytes], bytes] = synthetic_gzip,
    workers: int = 1,
) -> GenerateResult:
    """Land a synthetic lake's records through the lander, then its endpoint export, catalog and ground truth.

    With ``workers`` over 1 (a local lake only), the streams are shared out over that many forked processes
    (``stream_groups``), which render and land them while this process writes the export, catalog and truth. Every
    stream's objects are cut and named as in one process, so the lake is the same bytes whatever ``workers``."""
    if workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    if workers > 1 and not isinstance(store, LocalStore):
        raise InputError(f"worker processes land into a local lake only; {store.uri('')} takes one (workers=1)")
    lander_options: dict[str, Any] = {
        "hints": hints,
        "gzip": gzip_objects,
        "delimited": delimited,
        "uuid_seed": uuid_seed,
        "compress": compress,
    }

    def extras() -> tuple[int, str]:
        return land_extras(lake, store, application_id=application_id, export_id=export_id)

    with planned_lake_frozen():
        groups = stream_groups(lake, workers) if workers > 1 else []
        if len(groups) > 1:
            assert isinstance(store, LocalStore)  # refused above otherwise
            objects, (endpoints, key) = _land_in_workers(lake, store, groups, lander_options, progress, extras)
        else:
            objects = land_streams(lake, store, tuple(Producer), progress, **lander_options)
            endpoints, key = extras()
    if progress is not None:
        progress(len(lake))
    # One order whatever the workers: by arrival of each object's oldest record, then stream, then name.
    order = {producer: index for index, producer in enumerate(Producer)}
    objects.sort(key=lambda landed: (landed.arrival, order[landed.producer], landed.key))
    report = LandingReport(objects)
    return GenerateResult(report, report.records, lake.unassigned, endpoints, key)


def generate_lake(
    config: GeneratorConfig,
    store: LakeStore,
    *,
    hints: BufferingHints | None = None,
    gzip_objects: bool = True,
    delimited: bool | Mapping[Producer, bool] = True,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> GenerateResult:
    """Generate ``config``'s synthetic events into ``store`` as Firehose would have landed them.

    Object names are seeded by ``config.seed``, so generating the same config again overwrites the same objects;
    ``replace`` first deletes everything an earlier ``generate_lake`` wrote (other seeds or sizes included).
    ``progress(done, total)`` follows the records as they land; ``workers`` processes land them (``land_synthetic``).
    """
    removed = clear_synthetic(store) if replace else 0
    _, end = config.window()
    lake = SyntheticLake(config)
    total = len(lake)
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
        workers=workers,
    )
    result.removed = removed
    return result
