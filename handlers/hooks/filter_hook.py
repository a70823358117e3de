"""The Pinpoint FILTER hook (``CampaignHook`` Mode ``FILTER``): endpoints in, the same endpoints with send-time
attributes out, as the documented contract asks (limits.PINPOINT_HOOK_URL): the response is the map of endpoint id
→ endpoint definition; an endpoint left out is not sent to.

Scoped per campaign: the hook personalises only campaigns in ``campaign_ids`` (``*`` for all, on purpose). A
campaign not listed, which reaches the hook because someone set it as the project default, gets its endpoints back
untouched: never filtered out, never delayed (the reference's project-wide hook rewrote every campaign).

The response is size-guarded: if adding an endpoint's attributes would take the response past the Lambda limit,
that endpoint goes back as Pinpoint sent it (reason ``response_size``), so the invocation never fails for size.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.hooks.cache import TtlCache
from handlers.hooks.limits import LAMBDA_SYNC_RESPONSE_MAX_BYTES
from handlers.hooks.models import Attributes, HookEvent, views
from handlers.hooks.personalise import Budget, Outcome, PersonalisationResult, personalise
from handlers.hooks.providers.base import AttributeProvider

logger = logging.getLogger(__name__)

ALL_CAMPAIGNS = "*"
#: Room kept below the Lambda response limit for the JSON framing Lambda adds.
RESPONSE_MARGIN_BYTES = 1024


@dataclass(frozen=True)
class HookScope:
    """Which campaigns the hook personalises; empty means none (the safe default)."""

    campaign_ids: frozenset[str] = frozenset()

    def covers(self, campaign_id: str) -> bool:
        return ALL_CAMPAIGNS in self.campaign_ids or campaign_id in self.campaign_ids


@dataclass
class FilterResult:
    response: dict[str, Any]
    personalisation: PersonalisationResult | None
    dropped: list[str] = field(default_factory=list)
    resized: list[str] = field(default_factory=list)
    in_scope: bool = True


def merged(definition: dict[str, Any], attributes: Attributes) -> dict[str, Any]:
    """A copy of ``definition`` with ``attributes`` set over its own (an endpoint without Attributes gets them)."""
    result = dict(definition)
    own = definition.get("Attributes")
    result["Attributes"] = {**(own if isinstance(own, dict) else {}), **attributes}
    return result


def apply_filter(
    event: HookEvent,
    provider: AttributeProvider,
    scope: HookScope,
    budget: Budget | None = None,
    cache: TtlCache[Any] | None = None,
    decorate: Callable[[dict[str, Any], Outcome], dict[str, Any]] | None = None,
    max_response_bytes: int = LAMBDA_SYNC_RESPONSE_MAX_BYTES,
) -> FilterResult:
    """The FILTER hook's answer for ``event``. ``decorate`` may rework each merged definition (templates do)."""
    if not scope.covers(event.campaign_id):
        logger.warning("campaign %s is not in this hook's scope: endpoints returned unchanged", event.campaign_id)
        return FilterResult(dict(event.endpoints), None, in_scope=False)
    budget = budget or Budget()
    endpoints = views(event)
    result = personalise(endpoints, provider, budget, cache)
    response: dict[str, Any] = {}
    dropped: list[str] = []
    for endpoint in endpoints:
        outcome = result.outcomes[endpoint.endpoint_id]
        original = event.endpoints[endpoint.endpoint_id]
        if outcome.fallback and budget.drop_on_fallback:
            dropped.append(endpoint.endpoint_id)
            continue
        definition = merged(endpoint.definition, outcome.attributes) if isinstance(original, dict) else original
        if decorate is not None and isinstance(definition, dict):
            definition = decorate(definition, outcome)
        response[endpoint.endpoint_id] = definition
    resized: list[str] = []
    if _json_bytes(response) + RESPONSE_MARGIN_BYTES > max_response_bytes:
        response, resized = _fit(response, event.endpoints, max_response_bytes - RESPONSE_MARGIN_BYTES)
    filtered = FilterResult(response, result, dropped, resized)
    counts = dict(result.counts)
    if resized:
        counts["response_size"] = len(resized)
    logger.info(
        "FILTER hook: campaign %s activity %s: %d endpoints in, %d out; %s",
        event.campaign_id,
        event.activity_id,
        len(endpoints),
        len(response),
        dict(sorted(counts.items())),
    )
    return filtered


def _json_bytes(value: Any) -> int:
    """The size of ``value`` as Lambda serializes a response (compact JSON, UTF-8)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _fit(response: dict[str, Any], sent: dict[str, Any], limit: int) -> tuple[dict[str, Any], list[str]]:
    """In order, each endpoint as personalised while it fits, else as Pinpoint sent it."""
    fitted: dict[str, Any] = {}
    resized: list[str] = []
    size = 2  # "{}"
    for endpoint_id, definition in response.items():
        entry = _json_bytes({endpoint_id: definition}) - 1  # one entry plus its comma
        if size + entry > limit:
            definition = sent[endpoint_id]
            entry = _json_bytes({endpoint_id: definition}) - 1
            resized.append(endpoint_id)
        fitted[endpoint_id] = definition
        size += entry
    return fitted, resized
