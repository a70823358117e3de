"""How Firehose delivers one valid record: a few seconds after it is ready, sometimes hours or days late, sometimes
twice (at-least-once delivery), sometimes with fields AWS may add later.

The rates of late, very late and duplicate delivery and of new fields are ``GeneratorConfig`` fields; the shapes of
the delays are the constants below. Every function draws from the planner's ``random.random`` in a fixed order, so a
seed always yields the same lake.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.synthetic.config import DAY_MS, HOUR_MS, MINUTE_MS

#: On-time records reach Firehose this many ms after they are ready (uniform).
ON_TIME_MIN_MS, ON_TIME_SPREAD_MS = 20, 2_980
#: A late record arrives 1 to 12 hours after it happened; a very late one 1 to 5 days.
LATE_MIN_MS, LATE_SPREAD_MS = HOUR_MS, 11 * HOUR_MS
VERY_LATE_MIN_MS, VERY_LATE_SPREAD_MS = DAY_MS, 4 * DAY_MS
#: A record counts as late in the truth when it arrives at least this long after its event time.
LATE_AFTER_MS = HOUR_MS
#: Until a producer has one record with new fields, each of its records gets them with this probability, so even a
#: tiny lake shows them.
NEW_FIELDS_UNTIL_SEEN_P = 0.05
#: Most duplicates follow within minutes (a retried PutRecordBatch), the rest hours later (a re-delivered object).
DUPLICATE_SOON_P = 0.85
DUPLICATE_SOON_MIN_MS, DUPLICATE_SOON_SPREAD_MS = MINUTE_MS, 9 * MINUTE_MS
DUPLICATE_LATER_MIN_MS, DUPLICATE_LATER_SPREAD_MS = HOUR_MS, 2 * HOUR_MS


def arrival_ms(
    rnd: Callable[[], float], ready_ms: int, late_rate: float, very_late_rate: float, may_be_late: bool
) -> int:
    """When Firehose receives a record that is ready at ``ready_ms`` (arguments positional: once per record)."""
    arrival = ready_ms + ON_TIME_MIN_MS + int(rnd() * ON_TIME_SPREAD_MS)
    if may_be_late:
        roll = rnd()
        if roll < very_late_rate:
            arrival += VERY_LATE_MIN_MS + int(rnd() * VERY_LATE_SPREAD_MS)
        elif roll < very_late_rate + late_rate:
            arrival += LATE_MIN_MS + int(rnd() * LATE_SPREAD_MS)
    return arrival


def carries_new_fields(rnd: Callable[[], float], new_field_rate: float, producer_seen_none_yet: bool) -> bool:
    """Whether a record carries fields AWS might add later (``records.NEW_FIELDS``)."""
    if rnd() < new_field_rate:
        return True
    return producer_seen_none_yet and rnd() < NEW_FIELDS_UNTIL_SEEN_P


def duplicate_arrival_ms(rnd: Callable[[], float], arrival: int, duplicate_rate: float) -> int | None:
    """When a second, byte-identical copy of a record arriving at ``arrival`` arrives; None when there is none."""
    if rnd() >= duplicate_rate:
        return None
    if rnd() < DUPLICATE_SOON_P:
        return arrival + DUPLICATE_SOON_MIN_MS + int(rnd() * DUPLICATE_SOON_SPREAD_MS)
    return arrival + DUPLICATE_LATER_MIN_MS + int(rnd() * DUPLICATE_LATER_SPREAD_MS)
