"""What a provider may hand back for one endpoint: a checked attribute map, or the reason it was refused.

Providers are outside code (a table, a web service): their answers are validated here, never trusted. A value
that is a string or a number becomes a one-value list; anything else (nested objects, lists of objects, a list
where a map was due) is garbage. Size is capped per endpoint so that a full invocation still fits in the Lambda
response (see :data:`DEFAULT_MAX_ENDPOINT_BYTES`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from englake.pinpoint_quotas import MAX_ATTRIBUTE_NAME_CHARS, MAX_VALUES_PER_ATTRIBUTE
from handlers.hooks.limits import LAMBDA_SYNC_RESPONSE_MAX_BYTES, PINPOINT_MAX_ENDPOINTS_PER_INVOCATION
from handlers.hooks.models import Attributes

#: Half of the Lambda response limit shared by a full Pinpoint invocation's endpoints: the other half is left for
#: the endpoint definitions Pinpoint sent, which the response repeats.
DEFAULT_MAX_ENDPOINT_BYTES = LAMBDA_SYNC_RESPONSE_MAX_BYTES // PINPOINT_MAX_ENDPOINTS_PER_INVOCATION // 2

#: Why a provider's answer was not used; the fallback reasons of ``personalise`` (counted and logged, never PII).
INVALID = "invalid_response"
OVERSIZED = "oversized"


class AttributeRejected(ValueError):
    """A provider answer that cannot be used; ``reason`` is one of the constants above."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class AttributeLimits:
    max_endpoint_bytes: int = DEFAULT_MAX_ENDPOINT_BYTES
    max_values: int = MAX_VALUES_PER_ATTRIBUTE
    max_name_chars: int = MAX_ATTRIBUTE_NAME_CHARS


def checked(value: Any, limits: AttributeLimits | None = None) -> Attributes:
    """``value`` as an attribute map, or :class:`AttributeRejected` saying why not (the message holds no values)."""
    limits = limits or AttributeLimits()
    if not isinstance(value, Mapping):
        raise AttributeRejected(INVALID, f"expected an object of attributes, got {type(value).__name__}")
    result: Attributes = {}
    for name, raw in value.items():
        if not isinstance(name, str) or not name or len(name) > limits.max_name_chars:
            raise AttributeRejected(INVALID, f"attribute name is not 1-{limits.max_name_chars} characters")
        items = raw if isinstance(raw, list) else [raw]
        values: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise AttributeRejected(INVALID, f"attribute {name!r} holds a {type(item).__name__}, not text")
            values.append(item if isinstance(item, str) else str(item))
        if len(values) > limits.max_values:
            raise AttributeRejected(OVERSIZED, f"attribute {name!r} has {len(values)} values (max {limits.max_values})")
        result[name] = values
    # JSON escaping at most sextuples a character (\u0001), so a small enough raw size cannot be over the limit.
    raw = _raw_bytes(result)
    size = len(json.dumps(result, ensure_ascii=False).encode()) if raw * 6 > limits.max_endpoint_bytes else raw
    if size > limits.max_endpoint_bytes:
        raise AttributeRejected(OVERSIZED, f"{size} bytes of attributes (max {limits.max_endpoint_bytes})")
    return result


def _raw_bytes(attributes: Attributes) -> int:
    """The JSON size before escaping: names and values at UTF-8 width plus quotes, commas and brackets."""
    total = 2
    for name, values in attributes.items():
        total += len(name.encode()) + 6 + sum(len(v.encode()) + 3 for v in values)
    return total
