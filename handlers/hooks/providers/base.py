"""The provider interface that ``personalise`` drives (with cache, time budget and concurrency around it).

A provider maps endpoints to *keys* (an endpoint id, a user id, an attribute such as a customer number) and fetches
raw answers for a list of keys at once (``batch_size`` keys per call: 1 for a web service asked per endpoint, many
for a table). Answers are raw: ``personalise`` validates them (``attributes.checked``). A key missing from the
returned map means "this provider knows nothing about it" (the endpoint gets the fallback, counted ``not_found``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from handlers.hooks.models import EndpointView


class ProviderError(Exception):
    """A provider call failed as a whole (network, HTTP 5xx, query failure); the message names no endpoint data."""


class ProviderTimeout(ProviderError):
    """A provider call ran out of its time."""


class AttributeProvider(Protocol):
    #: Short name for logs and reports ("lookup:offers", "http").
    name: str
    #: Keys per ``fetch`` call.
    batch_size: int

    def key(self, endpoint: EndpointView) -> str | None:
        """The lookup key of ``endpoint`` (None: it has none, and gets the fallback)."""
        ...

    def fetch(self, keys: Sequence[str], timeout: float) -> dict[str, Any]:
        """Raw answers for ``keys`` (absent: unknown), within ``timeout`` seconds; raises ProviderError."""
        ...


KeySource = Literal["endpoint_id", "user_id", "attribute"]


@dataclass(frozen=True)
class KeySpec:
    """Where an endpoint's lookup key comes from: its id, its user id, or one of its (user) attributes."""

    source: KeySource = "endpoint_id"
    attribute: str | None = None

    @classmethod
    def parse(cls, text: str) -> KeySpec:
        """``endpoint_id`` | ``user_id`` | ``attribute:<Name>``."""
        if text.startswith("attribute:") and len(text) > len("attribute:"):
            return cls("attribute", text.split(":", 1)[1])
        if text in ("endpoint_id", "user_id"):
            return cls(text)  # type: ignore[arg-type]
        raise ValueError(f"key source {text!r} is not endpoint_id, user_id or attribute:<Name>")

    def key(self, endpoint: EndpointView) -> str | None:
        if self.source == "endpoint_id":
            return endpoint.endpoint_id or None
        if self.source == "user_id":
            return endpoint.user_id
        return endpoint.attribute(self.attribute or "")
