"""One endpoint's event-driven attributes: a set of values per attribute, and per value the event that decided it.

The endpoint holds ``<attribute>`` (the values in force: what segments filter on) and ``<attribute>__at`` (one
entry per value, ``<value>|<add or remove>|<event ms>|<expiry ms>``). Merging a change keeps the latest event per
value (a removal wins a tie), so events applied in any order, or twice, give the same state; values whose expiry
has passed are dropped from ``<attribute>`` when the endpoint is next written or swept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from englake.pinpoint_quotas import MAX_ATTRIBUTE_VALUE_CHARS, MAX_VALUES_PER_ATTRIBUTE
from handlers.event_attributes.rules import LOG_SUFFIX

SEPARATOR = "|"


class AttributeValueError(ValueError):
    """A value the endpoint can't hold (too long, or the separator in it)."""


@dataclass(frozen=True, order=True)
class Decision:
    """The event that decided one value: its time first, so ``max`` picks the latest (remove > add on a tie)."""

    at_ms: int
    removed: bool
    expires_ms: int | None = None

    def held(self, now_ms: int) -> bool:
        return not self.removed and (self.expires_ms is None or self.expires_ms > now_ms)


@dataclass(frozen=True)
class Change:
    """One rule applied to one event."""

    application_id: str
    endpoint_id: str
    attribute: str
    value: str
    decision: Decision
    event_id: str


def to_ms(value: datetime) -> int:
    """Naive UTC (the project's rule) or aware → epoch milliseconds."""
    return round((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)


def check_value(value: str) -> str:
    entry_room = MAX_ATTRIBUTE_VALUE_CHARS - len("|remove|") - 2 * 13 - 1
    # "," too: Customer Profiles holds a set as one comma-joined string.
    if not value or SEPARATOR in value or "," in value or len(value) > entry_room:
        raise AttributeValueError(f"attribute value {value[:20]!r}: 1–{entry_room} characters without | or ,")
    return value


def decode(entries: list[str]) -> dict[str, Decision]:
    """The ``<attribute>__at`` entries → value → decision (an unreadable entry is ignored, then rewritten)."""
    decided: dict[str, Decision] = {}
    for entry in entries:
        parts = entry.split(SEPARATOR)
        if len(parts) != 4 or parts[1] not in ("add", "remove") or not parts[2].isdigit():
            continue
        expires = int(parts[3]) if parts[3].isdigit() else None
        decided[parts[0]] = Decision(int(parts[2]), parts[1] == "remove", expires)
    return decided


def encode(decided: dict[str, Decision]) -> list[str]:
    """Entries, newest first, at most the values an attribute holds (the oldest removals go first)."""
    ordered = sorted(decided.items(), key=lambda item: (item[1].removed, -item[1].at_ms, item[0]))
    keep = ordered[:MAX_VALUES_PER_ATTRIBUTE]
    return [
        SEPARATOR.join([value, "remove" if d.removed else "add", str(d.at_ms), str(d.expires_ms or "")])
        for value, d in sorted(keep, key=lambda item: item[0])
    ]


def merge(decided: dict[str, Decision], changes: list[Change]) -> dict[str, Decision]:
    merged = dict(decided)
    for change in changes:
        current = merged.get(change.value)
        if current is None or change.decision > current:
            merged[change.value] = change.decision
    return merged


def held_values(decided: dict[str, Decision], now_ms: int) -> list[str]:
    return sorted(value for value, d in decided.items() if d.held(now_ms))[:MAX_VALUES_PER_ATTRIBUTE]


def log_name(attribute: str) -> str:
    return attribute + LOG_SUFFIX
