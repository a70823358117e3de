"""Call outcomes as events in the lake, landed through ``ingest``'s Firehose-faithful lander.

Each outcome is a Pinpoint-stream-shaped record of a *custom* event type (no leading underscore, as app events
are named), so the lake reader classifies it as producer ``pinpoint`` and the models keep it (``app_custom`` until
the ``event_types`` seed names it):

- ``englake.voice.placed``: Connect accepted the call (``contact_id``);
- ``englake.voice.failed``: Connect refused it for good (``error_code``);
- ``englake.voice.skipped``: not called (``reason``: endpoint type, opt-out, consent, number, time zone, hours).

``attributes`` carry ``campaign_id``, ``campaign_activity_id``, ``treatment_id`` (the names of Pinpoint's campaign
events, so campaign reports join them), ``delivery_type`` ``CUSTOM`` and ``channel`` ``VOICE``; ``client.client_id``
is the endpoint id. No phone number is written. Timestamps are deterministic (the ledger's decision time, or the
campaign's scheduled time for skips), so a re-recorded outcome has the same event key and the models keep one.
Objects go under ``raw/pinpoint/…`` named ``englake-voice-…`` (our own stream name, beside Firehose's objects).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from englake.storage import LakeStore
from ingest.landing import FirehoseLander, LandingReport
from ingest.layout import STREAM_NAMES, Producer

PLACED_EVENT = "englake.voice.placed"
FAILED_EVENT = "englake.voice.failed"
SKIPPED_EVENT = "englake.voice.skipped"
VOICE_EVENT_TYPES = (PLACED_EVENT, FAILED_EVENT, SKIPPED_EVENT)
#: The stream name in the objects' names (Firehose names objects after its delivery stream).
STREAM_NAME = "englake-voice"


@dataclass(frozen=True)
class CallContext:
    application_id: str
    campaign_id: str
    activity_id: str
    treatment_id: str
    endpoint_id: str


@dataclass(frozen=True)
class VoiceEvent:
    event_type: str
    at: datetime
    context: CallContext
    details: dict[str, str] = field(default_factory=dict)

    def record(self) -> dict:
        moment = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)
        ms = int(moment.timestamp() * 1000)
        return {
            "event_type": self.event_type,
            "event_timestamp": ms,
            "arrival_timestamp": ms,
            "event_version": "3.1",
            "application": {"app_id": self.context.application_id, "sdk": {}},
            "client": {"client_id": self.context.endpoint_id},
            "device": {"platform": {}},
            "session": {},
            "attributes": {
                "campaign_id": self.context.campaign_id,
                "campaign_activity_id": self.context.activity_id,
                "treatment_id": self.context.treatment_id,
                "delivery_type": "CUSTOM",
                "channel": "VOICE",
                **self.details,
            },
            "metrics": {},
        }


def land_events(store: LakeStore, events: Iterable[VoiceEvent], now: datetime | None = None) -> LandingReport:
    """Write ``events`` to the lake as one Firehose-layout object (arrival ``now``)."""
    arrival = now or datetime.now(UTC).replace(tzinfo=None)
    names = {**STREAM_NAMES, Producer.PINPOINT: STREAM_NAME}
    with FirehoseLander(store, stream_names=names) as lander:
        for event in events:
            lander.put(Producer.PINPOINT, json.dumps(event.record(), separators=(",", ":")), arrival)
    return lander.report
