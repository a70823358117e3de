"""Where things live in the lake, and how Kinesis Data Firehose names the objects it writes.

Firehose (event-formats.md §4.1) writes ``<prefix>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]``,
the folder and the name taken from the UTC approximate arrival time of the oldest record in the object.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class Producer(StrEnum):
    """The producers whose event records land in the lake (each under its own raw prefix)."""

    PINPOINT = "pinpoint"  # Amazon Pinpoint event stream (snake_case, epoch-ms)
    SES = "ses"  # Amazon SES event publishing through a configuration set (camelCase, ISO-8601)
    SMS = "sms"  # AWS End User Messaging SMS/MMS/voice/RCS configuration-set events (camelCase, epoch-ms)
    SOCIAL = "social"  # AWS End User Messaging Social (WhatsApp) events: AWS header + Meta webhook entry as a string
    #: Records of AWS's "Engagement Database and Analytics for End User Messaging and SES" sample (its Firehose
    #: transformer's normalised record: accountId, channel, type, status, timestamp in epoch ms, rawEvent, …).
    ENGAGEMENTDB = "engagementdb"


#: Firehose ``Prefix`` per producer; the deployment template uses the same values.
RAW_PREFIXES: dict[Producer, str] = {p: f"raw/{p.value}/" for p in Producer}
#: Firehose ``ErrorOutputPrefix`` root (``errors/<producer>/<error-output-type>/YYYY/MM/DD/HH/``).
ERROR_PREFIX = "errors/"
#: Records the tolerant reader could not parse or classify, with their source and reason.
QUARANTINE_PREFIX = "quarantine/"
#: Raw objects the sweep moved aside (kept byte for byte under their original key, never deleted by englake). Not
#: under quarantine/: the Glue table over quarantine/ (Athena reads every object below its location) must not meet a
#: corrupt gzip, and quarantine/ may expire by lifecycle rule while these are the only copy.
MOVED_OBJECTS_PREFIX = "moved-aside/"
#: englake's own bookkeeping in the lake (the sweep's ledger of objects already checked).
SWEEP_PREFIX = "_englake/sweep/"
#: Pinpoint endpoint exports (CreateExportJob format: gzip newline-delimited endpoint JSON), one folder per export:
#: ``endpoints/<application_id>/<export_id>/part-NNNNN.gz`` (see endpoint_export_key).
ENDPOINT_EXPORT_PREFIX = "endpoints/"
#: Campaign and journey definitions (Pinpoint GetCampaigns / ListJourneys, one response object per line), named
#: ``catalog/<source>/…/<campaigns|journeys>.ndjson``; ``dim_campaigns`` takes names from here.
CATALOG_PREFIX = "catalog/"
#: Phone number validation results (handlers/phone_validation), one ``PhoneValidation`` JSON per line.
PHONE_VALIDATIONS_PREFIX = "phone_numbers/validations/"
#: Default Firehose delivery stream name per producer.
STREAM_NAMES: dict[Producer, str] = {p: f"englake-{p.value}" for p in Producer}

_OBJECT_KEY = re.compile(
    r"^(?P<prefix>.*?)(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<hour>\d{2})/"
    r"(?P<stream>[^/]+)-(?P<version>\d+)-(?P<ts>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-(?P<uuid>[0-9a-f-]{36})(?P<ext>\.\w+)?$"
)


@dataclass(frozen=True)
class ObjectKey:
    """A parsed Firehose object key."""

    key: str
    prefix: str
    stream: str
    version: int
    arrival: datetime  # naive UTC, the arrival time of the oldest record in the object
    compressed: bool

    @property
    def arrival_hour(self) -> datetime:
        return self.arrival.replace(minute=0, second=0, microsecond=0)


def object_key(
    prefix: str,
    stream: str,
    arrival: datetime,
    *,
    version: int = 1,
    gzip: bool = True,
    object_id: uuid.UUID | None = None,
) -> str:
    """The key Firehose gives an object whose oldest record arrived at ``arrival`` (naive or aware UTC)."""
    if arrival.tzinfo is not None:
        arrival = arrival.astimezone(UTC).replace(tzinfo=None)
    oid = object_id or uuid.uuid4()
    return f"{prefix}{arrival:%Y/%m/%d/%H}/{stream}-{version}-{arrival:%Y-%m-%d-%H-%M-%S}-{oid}{'.gz' if gzip else ''}"


def parse_object_key(key: str) -> ObjectKey | None:
    """Parse a Firehose object key; ``None`` if the key does not follow Firehose's layout."""
    match = _OBJECT_KEY.match(key)
    if not match:
        return None
    arrival = datetime.strptime(match["ts"], "%Y-%m-%d-%H-%M-%S")
    return ObjectKey(
        key=key,
        prefix=match["prefix"],
        stream=match["stream"],
        version=int(match["version"]),
        arrival=arrival,
        compressed=(match["ext"] or "").lower() == ".gz",
    )


def producer_of_prefix(key: str) -> Producer | None:
    """The producer whose raw prefix holds ``key``, if any."""
    for producer, prefix in RAW_PREFIXES.items():
        if key.startswith(prefix):
            return producer
    return None


def endpoint_export_prefix(application_id: str) -> str:
    """``endpoints/<application_id>/``: the folder of an application's exports, one subfolder per export."""
    return f"{ENDPOINT_EXPORT_PREFIX}{application_id}/"


def endpoint_export_key(application_id: str, export_id: str, part: int = 0) -> str:
    """``endpoints/<application_id>/<export_id>/part-NNNNN.gz``; export ids sort by time, so the newest sorts last.

    Pinpoint's own export job names its objects differently (the readers take any ``.gz`` below the export folder);
    this is the name englake writes, whether the generator or the sync's local catalog writes it.
    """
    return f"{endpoint_export_prefix(application_id)}{export_id}/part-{part:05d}.gz"
