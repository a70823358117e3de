"""The planner's shared state and the emission of one record line (channels and faults build on ``PlannerCore``).

The planner draws every choice from one seeded ``random.Random`` (``draws.Draws``) and records, per record line,
only what rendering needs (``records.Renderer`` is pure), so records can be rendered lazily in arrival order and
duplicates are byte-identical. Each distinct event that lands before ``end`` is told to the ``TruthBuilder`` at the
moment it is planned; the truth never looks at rendered text.

Time model (all epoch ms, naive UTC):

- ``happened``: when the thing happened (open, delivery, carrier receipt, app event).
- the record's own event time: Pinpoint ``event_timestamp`` (the *send* time for email events), SES event object
  ``timestamp`` (``mail.timestamp`` for Send/Reject/Rendering Failure), EUM ``eventTimestamp``.
- Pinpoint ``arrival_timestamp``: when Pinpoint received it (= ``happened`` for email; later for offline app
  batches; a few ms *before* ``event_timestamp`` for some ``_SMS.*`` records, as in AWS's own example).
- Firehose arrival (``RawRecord.arrival``): a few seconds after the latest of those; late records hours or days later.
  Records whose Firehose arrival is at or after ``end`` have not landed yet and do not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingest.layout import Producer
from ingest.synthetic import catalog
from ingest.synthetic.config import GeneratorConfig, to_ms
from ingest.synthetic.draws import Draws
from ingest.synthetic.faults import delivery
from ingest.synthetic.faults.delivery import LATE_AFTER_MS
from ingest.synthetic.phone_records import PhoneRenderer
from ingest.synthetic.records import Renderer
from ingest.synthetic.truth import TruthBuilder
from ingest.synthetic.world import (
    build_campaigns,
    build_journeys,
    build_users,
)

PINPOINT, SES, SMS = Producer.PINPOINT, Producer.SES, Producer.SMS

Entry = tuple[int, int, Producer | None, Callable[..., str], tuple[Any, ...]]


class PlannerCore:
    """The state every channel plans with, and the emission of one record line."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        start, end = config.window()
        self.start_ms, self.end_ms = to_ms(start), to_ms(end)
        self.span = self.end_ms - self.start_ms
        self.rng = Draws(config.seed)
        self.rnd = self.rng.random
        self.renderer = Renderer(config.application_id, config.aws_account_id, config.region)
        self.truth = TruthBuilder(config.seed, start, end, config.application_id)
        self.entries: list[Entry] = []
        self.seq = 0
        self.produced = 0
        self._late_enabled = True
        self._new_fields_seen: set[Producer] = set()
        self._late_rate, self._very_late_rate = config.late_rate, config.very_late_rate
        self._new_field_rate, self._duplicate_rate = config.new_field_rate, config.duplicate_rate
        # bound renderers, stored once and shared by every entry
        self._f_pp_email = self.renderer.pinpoint_email
        self._f_pp_sms = self.renderer.pinpoint_sms
        self._f_campaign_send = self.renderer.pinpoint_campaign_send
        self._f_journey_send = self.renderer.pinpoint_journey_send
        self._f_app = self.renderer.pinpoint_app
        self._f_ses = self.renderer.ses
        self._f_eum = self.renderer.eum
        self.phone_renderer = PhoneRenderer(config.aws_account_id, config.region)
        self._f_phone_eum = self.phone_renderer.eum
        # the world
        self.users = build_users(self.rng, max(40, config.events // 25), self.start_ms, self.end_ms)
        for person in self.users:
            self.truth.add_endpoint(person.email_endpoint_id, "EMAIL", person.email, person.user_id)
            if person.sms_endpoint_id and person.phone:
                self.truth.add_endpoint(person.sms_endpoint_id, "SMS", person.phone, person.user_id)
                self.truth.set_opt_out(person.sms_endpoint_id, person.sms_opt_out)
            self.truth.set_opt_out(person.email_endpoint_id, person.email_opt_out)
        self.phone_users = [person for person in self.users if person.phone]
        self.campaigns = build_campaigns(self.rng, self.start_ms, self.end_ms)
        self.journeys = build_journeys(self.rng, self.start_ms, self.end_ms)
        for campaign in self.campaigns:
            self.truth.campaign_catalog[campaign.campaign_id] = {
                "name": campaign.name,
                "channel": campaign.channel,
                "producer": campaign.producer,
                "webinar_id": campaign.webinar_id,
                "treatments": {at_ms.treatment_id: at_ms.subject for at_ms in campaign.treatments},
            }
        for campaign_id, name, channel in catalog.PHONE_CAMPAIGNS:
            self.truth.campaign_catalog[campaign_id] = {
                "name": name,
                "channel": channel.upper(),
                "producer": "sms",
                "webinar_id": None,
                "treatments": {},
            }
        for journey in self.journeys:
            self.truth.journey_catalog[journey.journey_id] = {
                "name": journey.name,
                "activities": {addr.activity_id: addr.kind for addr in journey.activities},
            }
        self._rr: dict[str, int] = {}
        self._seed_list = next(campaign for campaign in self.campaigns if campaign.name == "Seed-list check")
        self._newsletters = [
            campaign
            for campaign in self.campaigns
            if campaign.producer == "ses" and campaign.campaign_id != "ses-account-notices"
        ]
        self._app_cum = []
        total = 0.0
        for person in self.users:
            total += 4.0 if person.shopper else 1.0
            self._app_cum.append(total)
        # messages to hang unknown event types on
        self._pool: dict[Producer, list[Any]] = {PINPOINT: [], SES: [], SMS: []}

    def _push(self, arrival: int, producer: Producer | None, fn: Callable[..., str], args: tuple[Any, ...]) -> None:
        self.seq += 1
        self.entries.append((arrival, self.seq, producer, fn, args))

    def _emit(
        self,
        producer: Producer,
        fn: Callable[..., str],
        args: tuple[Any, ...],
        event_ms: int,
        ready_ms: int,
        *,
        late: bool = True,
    ) -> bool:
        """Plan one valid record; False when it would reach Firehose at or after ``end`` (then it does not exist)."""
        # Runs once per valid record: the rates are read once (``__init__``) and passed positionally.
        rnd = self.rnd
        arrival = delivery.arrival_ms(rnd, ready_ms, self._late_rate, self._very_late_rate, late and self._late_enabled)
        if arrival >= self.end_ms:
            return False
        new_fields = delivery.carries_new_fields(rnd, self._new_field_rate, producer not in self._new_fields_seen)
        if new_fields:
            self._new_fields_seen.add(producer)
        args = (*args, new_fields)
        self._push(arrival, producer, fn, args)
        line = self.truth.line
        line(producer, False, arrival - event_ms >= LATE_AFTER_MS, new_fields)
        self.produced += 1
        copy = delivery.duplicate_arrival_ms(rnd, arrival, self._duplicate_rate)
        if copy is not None and copy < self.end_ms:
            self._push(copy, producer, fn, args)
            line(producer, True, copy - event_ms >= LATE_AFTER_MS, new_fields)
        return True

    def _uniform_time(self) -> int:
        return self.start_ms + int(self.rnd() * self.span)
