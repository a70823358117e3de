"""A provider that knows nothing: every endpoint gets the fallback (templates alone, or a dry run)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.hooks.models import EndpointView


class NoProvider:
    name = "none"
    batch_size = 1_000_000

    def key(self, endpoint: EndpointView) -> str | None:
        return endpoint.endpoint_id or None

    def fetch(self, keys: Sequence[str], timeout: float) -> dict[str, Any]:
        return {}
