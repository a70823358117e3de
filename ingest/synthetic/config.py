"""What the synthetic lake is asked for (``GeneratorConfig``) and what it hands out (``RawRecord``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ingest.layout import Producer

EPOCH = datetime(1970, 1, 1)
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


#: The ``GeneratorConfig`` shares of the producers other than Pinpoint.
SHARES: tuple[str, ...] = (
    "ses_share",
    "eum_share",
    "app_share",
    "mms_share",
    "voice_share",
    "rcs_share",
    "whatsapp_share",
)


@dataclass(frozen=True)
class GeneratorConfig:
    """Knobs of the synthetic lake; the same config always yields byte-identical records and the same truth."""

    seed: int = 42
    #: Approximate number of distinct valid events (duplicates and malformed lines come on top).
    events: int = 20_000
    #: Event time spans ``[end - days, end)``; works up to 365 days.
    days: int = 7
    #: Naive UTC; default is now (UTC) truncated to the hour. Records arriving at or after ``end`` are not yet landed.
    end: datetime | None = None
    application_id: str = "3f6c2a9be1d04c58a7e2b41d9c0f8e57"
    aws_account_id: str = "123456789012"
    region: str = "us-east-1"
    #: Share of valid events produced by SES-native event publishing (configuration sets).
    ses_share: float = 0.24
    #: Share of valid events produced by AWS End User Messaging SMS configuration sets.
    eum_share: float = 0.10
    #: Shares of valid events sent by End User Messaging as MMS, voice calls and RCS (configuration-set events) and as
    #: WhatsApp (End User Messaging Social): a modest part of the lake, as for a team starting on those channels.
    mms_share: float = 0.02
    voice_share: float = 0.015
    rcs_share: float = 0.015
    whatsapp_share: float = 0.03
    #: Share of valid events that are Pinpoint app events (sessions, purchases, custom events).
    app_share: float = 0.18
    #: Probability that a record is delivered twice (a byte-identical copy, seconds to hours later).
    duplicate_rate: float = 0.01
    #: Probability that a record reaches Firehose hours after it happened.
    late_rate: float = 0.03
    #: Probability that a record reaches Firehose days after it happened.
    very_late_rate: float = 0.003
    #: Distinct events of unknown (future) AWS types per producer, per valid event (at least 2 per producer).
    unknown_type_rate: float = 0.0002
    #: Malformed lines (truncated JSON, plain text, arrays, bare numbers) per valid event (at least 4).
    malformed_rate: float = 0.0001
    #: Valid JSON objects that match no producer, per valid event (at least 3).
    unclassifiable_rate: float = 0.00005
    #: Records carrying fields AWS might add later (unknown top-level and nested keys), per valid event (at least 3).
    new_field_rate: float = 0.0005

    def __post_init__(self) -> None:
        if self.events < 0:
            raise ValueError(f"GeneratorConfig.events must be >= 0, got {self.events}")
        if not 1 <= self.days <= 3660:
            raise ValueError(f"GeneratorConfig.days must be between 1 and 3660, got {self.days}")
        for name in (*SHARES, "duplicate_rate", "late_rate", "very_late_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"GeneratorConfig.{name} must be between 0 and 1, got {value}")
        if self.non_pinpoint_share() > 1.0:
            raise ValueError(f"GeneratorConfig.{' + '.join(SHARES)} must not exceed 1 (the rest is Pinpoint)")
        if len(self.application_id) != 32 or not self.application_id.isalnum():
            raise ValueError(
                f"GeneratorConfig.application_id must be 32 alphanumeric characters, got {self.application_id!r}"
            )

    def non_pinpoint_share(self) -> float:
        """The share of events every producer but Pinpoint makes (Pinpoint makes the rest)."""
        return sum(getattr(self, name) for name in SHARES)

    def window(self) -> tuple[datetime, datetime]:
        """The event-time window ``(start, end)`` as naive UTC datetimes."""
        end = self.end
        if end is None:
            end = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        elif end.tzinfo is not None:
            end = end.astimezone(UTC).replace(tzinfo=None)
        return end - timedelta(days=self.days), end


@dataclass(frozen=True)
class RawRecord:
    """One line as Kinesis Data Firehose received it."""

    #: The stream it arrived on. None for garbage and unclassifiable lines; a truncated record keeps its stream.
    producer: Producer | None
    arrival: datetime  # naive UTC: when Firehose received the record (>= event time; late ones hours later)
    line: str  # the record's exact text, one line, no trailing newline (malformed ones included)


def to_ms(moment: datetime) -> int:
    """Naive-UTC datetime to Unix epoch milliseconds."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """Unix epoch milliseconds to a naive-UTC datetime."""
    # timedelta(days, seconds, microseconds, milliseconds): positional arguments are parsed in half the time of
    # ``milliseconds=`` (this runs for every record landed), and normalise to the same value.
    return EPOCH + timedelta(0, 0, 0, ms)


#: ``iso_ms``'s pieces: the date of each day seen (``YYYY-MM-DDT``, one per day of the window), and tables of the
#: time of day: ``HH:MM:`` per minute of the day, ``SS.`` per second, ``mmmZ`` per millisecond.
_ISO_DAYS: dict[int, str] = {}
_ISO_HOUR_MINUTES = [f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60)]
_ISO_SECONDS = [f"{second:02d}." for second in range(60)]
_ISO_MILLISECONDS = [f"{ms:03d}Z" for ms in range(1000)]


def iso_ms(ms: int) -> str:
    """SES-style ISO-8601 with milliseconds and ``Z`` (``2026-11-20T10:15:31.123Z``)."""
    # Called for most SES records and many planned events: table look-ups and one datetime per day are a third of
    # the time of ``(EPOCH + timedelta(0, 0, 0, ms)).isoformat(timespec="milliseconds") + "Z"``, the same text.
    day, rest = divmod(ms, DAY_MS)
    date = _ISO_DAYS.get(day)
    if date is None:
        date = _ISO_DAYS[day] = (EPOCH + timedelta(day)).isoformat()[:11]
    return (
        date + _ISO_HOUR_MINUTES[rest // MINUTE_MS] + _ISO_SECONDS[rest // 1000 % 60] + _ISO_MILLISECONDS[rest % 1000]
    )
