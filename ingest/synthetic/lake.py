"""``SyntheticLake``: a deterministic lake of Pinpoint, SES and End User Messaging records with its ground truth."""

from __future__ import annotations

import gc
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime

from ingest.layout import Producer
from ingest.synthetic.config import GeneratorConfig, RawRecord, from_ms
from ingest.synthetic.scenarios import Planner
from ingest.synthetic.truth import GroundTruth, TruthBuilder
from ingest.synthetic.world import export_endpoint

#: How often ``records`` reports progress.
PROGRESS_EVERY = 10_000
#: Whether ``planned_lake_frozen`` has frozen the collector's objects itself (and has not released them yet).
_freezing = False


@contextmanager
def planned_lake_frozen() -> Iterator[None]:
    """Keep the cyclic garbage collector off every object alive on entry (``gc.freeze``) until exit.

    A planned lake is millions of small objects that stay alive and hold no cycles; while records are rendered and
    landed, a full collection (due once enough new objects survive, such as the landing report's) would scan them all
    again and find nothing. Objects made inside are collected as usual; on exit the frozen ones go back to the oldest
    generation. A freeze already in place (someone else's) is left as it is.
    """
    global _freezing
    # ``gc.get_freeze_count`` walks every frozen object (0.4 s at a million events, per call): not asked again while
    # this module's own freeze is on (rendering inside ``land_synthetic`` nests it).
    if _freezing or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    _freezing = True
    try:
        yield
    finally:
        _freezing = False
        gc.unfreeze()


class SyntheticLake:
    """Plans the whole lake up front (cheap semantic events, the truth), renders record text lazily on iteration."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        # Planning allocates millions of small objects that all stay alive (the entries); the cyclic collector
        # would re-scan them again and again (a quarter of planning time at 100k events) and find nothing. The
        # truth's last pass (``truth``) runs with collection off too.
        collecting = gc.isenabled()
        gc.disable()
        try:
            planner = Planner(config)
            planner.run()
        finally:
            # Straight to the oldest generation, unscanned: with the young generations' counts still high, the
            # first allocation after planning would have scanned the whole planned lake once more. (Not when
            # someone else froze objects: unfreezing would release theirs too.)
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            if collecting:
                gc.enable()
        self._entries = planner.entries
        self._users = planner.users
        self._truth_builder: TruthBuilder | None = planner.truth
        self._truth: GroundTruth | None = None

    @property
    def truth(self) -> GroundTruth:
        """The ground truth, finished on first use: its last pass (2 s a million events) is not needed to render
        records, so ``land_synthetic``'s workers render while the first process finishes it."""
        if self._truth is None:
            builder = self._truth_builder
            assert builder is not None
            collecting = gc.isenabled()
            gc.disable()  # millions of new facts, no cycles: no collection scans them (nor the planned lake) midway
            try:
                self._truth = builder.finish()
            finally:
                if collecting:
                    gc.enable()
            self._truth_builder = None
        return self._truth

    def __len__(self) -> int:
        """Number of records (lines) ``records`` yields; equals ``truth.records_written``."""
        return len(self._entries)

    def records(self, progress: Callable[[int], None] | None = None) -> Iterator[RawRecord]:
        """All records sorted by Firehose arrival (stable), byte-identical for a seed.

        ``progress(n_done)`` is called every ``PROGRESS_EVERY`` records and once at the end (``n_done`` out of
        ``len(self)``).
        """
        for producer, arrival, data in self.encoded(progress):
            yield RawRecord(producer, arrival, data.decode())

    def encoded(
        self, progress: Callable[[int], None] | None = None
    ) -> Iterator[tuple[Producer | None, datetime, bytes]]:
        """``records`` as (producer, arrival, UTF-8 bytes): what landing writes, without a round trip through
        ``str`` (renderers produce bytes; a line made as text, such as a malformed one, is encoded here). Until the
        iteration ends (or the iterator is closed), what was alive at its start is frozen: ``planned_lake_frozen``."""
        return self._rendered(None, progress)

    def landed(
        self, producers: Collection[Producer] = tuple(Producer), progress: Callable[[int], None] | None = None
    ) -> Iterator[tuple[Producer, datetime, bytes]]:
        """``encoded`` as the lines land: each on its producer's Firehose stream, a line no producer owns on the next
        stream of a round-robin over ``Producer`` (the reader quarantines it); only the lines landing on the streams
        of ``producers``, so that each stream's lines can be rendered and landed apart from the others' (the
        round-robin still counts every unowned line). ``progress(n_done)`` counts the lines yielded."""
        return self._rendered(frozenset(producers), progress)  # type: ignore[return-value]

    def _rendered(
        self, streams: frozenset[Producer] | None, progress: Callable[[int], None] | None
    ) -> Iterator[tuple[Producer | None, datetime, bytes]]:
        """The lines in arrival order, rendered; with ``streams``, each unowned line given its stream (round-robin)
        and only those landing on ``streams`` rendered."""
        spread = itertools.cycle(Producer)
        done = 0
        with planned_lake_frozen():
            for arrival, _, producer, fn, args in self._entries:
                if streams is not None:
                    if producer is None:
                        producer = next(spread)
                    if producer not in streams:
                        continue
                line = fn(*args)
                yield producer, from_ms(arrival), line if isinstance(line, bytes) else line.encode()
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done)
        if progress is not None:
            progress(done)

    @property
    def unassigned(self) -> int:
        """Lines no producer owns (``encoded`` gives them ``None``)."""
        return sum(1 for entry in self._entries if entry[2] is None)

    def lines_per_stream(self) -> dict[Producer, int]:
        """How many lines ``landed`` puts on each producer's stream (unowned lines included, round-robin)."""
        owners = Counter(entry[2] for entry in self._entries)
        unowned = owners.pop(None, 0)
        for index, producer in enumerate(Producer):
            owners[producer] += unowned // len(Producer) + (index < unowned % len(Producer))
        return {producer: owners[producer] for producer in Producer}

    def campaign_catalog(self) -> dict[tuple[str, str, str], list[dict]]:
        """What a team's catalog holds at ``end``: Pinpoint campaigns and journeys as ``GetCampaigns`` /
        ``ListJourneys`` return them, and the names it keeps for SES and End User Messaging campaigns; keyed by
        (source, owner, kind)."""
        app, truth = self.config.application_id, self.truth
        created = f"{truth.start:%Y-%m-%dT%H:%M:%S}.000Z"
        pinpoint = [
            {
                "Id": campaign_id,
                "Name": facts["name"],
                "ApplicationId": app,
                "Arn": f"arn:aws:mobiletargeting:{self.config.region}:{self.config.aws_account_id}:apps/{app}"
                f"/campaigns/{campaign_id}",
                "CreationDate": created,
                "LastModifiedDate": created,
                "SegmentId": "0" * 32,
                "SegmentVersion": 1,
                "State": {"CampaignStatus": "COMPLETED"},
                "Version": 1,
            }
            for campaign_id, facts in sorted(truth.campaign_catalog.items())
            if facts["producer"] == "pinpoint"
        ]
        journeys = [
            {"Id": journey_id, "Name": facts["name"], "ApplicationId": app, "CreationDate": created, "State": "ACTIVE"}
            for journey_id, facts in sorted(truth.journey_catalog.items())
        ]
        ses = [
            {"Id": campaign_id, "Name": facts["name"]}
            for campaign_id, facts in sorted(truth.campaign_catalog.items())
            if facts["producer"] == "ses"
        ]
        # End User Messaging campaigns (MMS, voice, RCS; their id is in each send's context) are named like SES's
        eum = [
            {"Id": campaign_id, "Name": facts["name"]}
            for campaign_id, facts in sorted(truth.campaign_catalog.items())
            if facts["producer"] == "sms"
        ]
        return {
            ("pinpoint", app, "campaigns"): pinpoint,
            ("pinpoint", app, "journeys"): journeys,
            ("ses", self.config.aws_account_id, "campaigns"): ses,
            ("sms", self.config.aws_account_id, "campaigns"): eum,
        }

    def endpoints(self) -> Iterator[dict]:
        """The endpoint export at ``end``: one dict per endpoint in Pinpoint's export (EndpointResponse) format."""
        app = self.config.application_id
        for user in self._users:
            yield export_endpoint(user, "EMAIL", app)
            if user.phone:
                yield export_endpoint(user, "SMS", app)


def generate(config: GeneratorConfig | None = None) -> SyntheticLake:
    """Plan a synthetic lake for ``config`` (defaults: seed 42, ~20,000 events over 7 days)."""
    return SyntheticLake(config or GeneratorConfig())
