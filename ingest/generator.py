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

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import orjson
from isal import igzip

from englake.storage import LakeStore
from ingest.campaign_catalog import catalog_key, write_catalog
from ingest.landing import BufferingHints, FirehoseLander, LandingReport
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
    "generate",
    "generate_lake",
    "land_extras",
    "land_records",
    "land_synthetic",
    "synthetic_gzip",
]

#: Where ``generate_lake`` writes the generator's ground truth in the lake.
TRUTH_KEY = "synthetic/truth.json"
#: Synthetic lakes favour landing speed: ISA-L's level 1 (of 0-3) deflates a generated lake in a third of the CPU of
#: zlib's level 1, itself ~3x faster than the lander's default (zlib 6), for objects a few percent smaller than
#: zlib 1's. The same records still make the same bytes (no timestamp in the header).
SYNTHETIC_GZIP_LEVEL = 1
synthetic_gzip = partial(igzip.compress, compresslevel=SYNTHETIC_GZIP_LEVEL, mtime=0)


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


def land_records(
    records: Iterable[tuple[Producer | None, datetime, str | bytes]], lander: FirehoseLander
) -> tuple[int, int]:
    """Put every (producer, arrival, line) — ``SyntheticLake.encoded()`` — into ``lander``; a line no producer owns
    still arrives on some stream (the reader quarantines it), taken round-robin. Returns (records, unassigned)."""
    spread = itertools.cycle(Producer)
    put = lander.put
    count = unassigned = 0
    for producer, arrival, line in records:
        if producer is None:
            producer = next(spread)
            unassigned += 1
        put(producer, line, arrival)
        count += 1
    return count, unassigned


def land_extras(lake: SyntheticLake, store: LakeStore, *, application_id: str, export_id: str) -> tuple[int, str]:
    """Write the lake's endpoint export, campaign catalog and ground truth; returns (endpoints, export key)."""
    lines = [orjson.dumps(endpoint) for endpoint in lake.endpoints()]
    key = endpoint_export_key(application_id, export_id)
    store.put(key, synthetic_gzip(b"\n".join(lines) + b"\n" if lines else b""))
    for (source, owner, kind), items in lake.campaign_catalog().items():
        write_catalog(store, catalog_key(source, owner, kind), items)
    store.put(TRUTH_KEY, lake.truth.to_json_bytes())
    return len(lines), key


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
) -> GenerateResult:
    """Land a synthetic lake's records through the lander, then its endpoint export, catalog and ground truth."""
    with planned_lake_frozen():
        with FirehoseLander(
            store, hints, gzip=gzip_objects, delimited=delimited, uuid_seed=uuid_seed, compress=compress
        ) as lander:
            records, unassigned = land_records(lake.encoded(progress=progress), lander)
        endpoints, key = land_extras(lake, store, application_id=application_id, export_id=export_id)
    return GenerateResult(lander.report, records, unassigned, endpoints, key)


def generate_lake(
    config: GeneratorConfig,
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
    ``replace`` first deletes everything an earlier ``generate_lake`` wrote (other seeds or sizes included).
    ``progress(done, total)`` follows the records as they land.
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
    )
    result.removed = removed
    return result
