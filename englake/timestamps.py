"""Event times as naive UTC (the project's rule), from the spellings SES and Pinpoint use."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# SES's notification examples write "2018-10-08T14:05:45 +0000" (space, no colon) besides strict ISO 8601.
_LOOSE_OFFSET = re.compile(r"\s*([+-]\d{2}):?(\d{2})$")


def parse_iso(value: str) -> datetime:
    """An ISO-8601 string (``Z``, ``+00:00`` or SES's ``" +0000"``) → naive UTC; raises ``ValueError``."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _LOOSE_OFFSET.sub(r"\1:\2", text)
    parsed = datetime.fromisoformat(text)
    return to_naive_utc(parsed)


def from_epoch_ms(value: int | float | str) -> datetime:
    """Unix epoch milliseconds (Pinpoint's ``event_timestamp``) → naive UTC."""
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC).replace(tzinfo=None)


def to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def iso(value: datetime) -> str:
    """Naive UTC → ``2016-01-27T14:59:38.237000Z`` (fixed width, so strings sort as times)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
