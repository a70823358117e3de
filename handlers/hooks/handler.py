"""Lambda entry points of the campaign hooks: parse (typed) → one plain function → response.

- ``filter_handler``: CampaignHook Mode FILTER, send-time attributes (§12 of the reference);
- ``template_handler``: CampaignHook Mode FILTER, external templates rendered per endpoint (§13);
- ``voice_channel_handler``: CustomDeliveryConfiguration → queued calls (§14);
- ``dialer_handler``: SQS → Connect calls, partial batch failures.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from englake.aws import client as aws_client
from englake.settings import Settings
from englake.storage import open_lake
from handlers.hooks.cache import TtlCache
from handlers.hooks.config import HookSettings
from handlers.hooks.filter_hook import apply_filter
from handlers.hooks.limits import PINPOINT_HOOK_TIMEOUT_SECONDS
from handlers.hooks.models import HookEvent, invalid_fields
from handlers.hooks.personalise import Budget
from handlers.hooks.voice.channel import CallRequest, enqueue, plan_calls
from handlers.hooks.voice.dial import ConnectTarget, dial
from handlers.hooks.voice.ledger import CallLedger
from handlers.hooks.voice.pacing import TokenBucket
from handlers.hooks.voice.results import land_events

logger = Logger(service="englake-hooks")
logging.getLogger("handlers.hooks").setLevel(logging.INFO)


@cache
def settings() -> HookSettings:
    return HookSettings()


@cache
def provider_and_cache() -> tuple[Any, TtlCache[Any]]:
    s = settings()
    return s.build_provider(), TtlCache(max_items=s.cache_items, ttl_seconds=s.cache_ttl_seconds)


def _budget(context: LambdaContext | None) -> Budget:
    """The configured budget, never more than Pinpoint's 15 s nor the time this invocation has left (minus 1 s)."""
    budget = settings().budget()
    limit = PINPOINT_HOOK_TIMEOUT_SECONDS - 1
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        limit = min(limit, context.get_remaining_time_in_millis() / 1000 - 1)
    if budget.seconds > limit:
        budget = dataclasses.replace(budget, seconds=max(0.1, limit))
    return budget


def _parse(event: dict[str, Any]) -> HookEvent | None:
    try:
        return HookEvent.model_validate(event)
    except ValidationError as error:
        logger.error("hook event does not match the documented shape (fields: %s)", invalid_fields(error))
        return None


def _passthrough(event: Any) -> dict[str, Any]:
    """An unreadable event: give Pinpoint its endpoints back unchanged if there are any, so nothing is dropped."""
    endpoints = event.get("Endpoints") if isinstance(event, dict) else None
    if isinstance(endpoints, dict):
        return endpoints
    raise ValueError("hook event has no Endpoints map")


@logger.inject_lambda_context(clear_state=True)
def filter_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """FILTER hook: the endpoints map with send-time attributes."""
    return _filter(event, context, templates=False)


@logger.inject_lambda_context(clear_state=True)
def template_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """FILTER hook: the endpoints map with Subject / HtmlBody / TextBody rendered per endpoint."""
    return _filter(event, context, templates=True)


def _filter(event: dict[str, Any], context: LambdaContext, *, templates: bool) -> dict[str, Any]:
    """Both hooks: parse, merge each endpoint's attributes (and render the templates), or pass the endpoints back."""
    parsed = _parse(event)
    if parsed is None:
        return _passthrough(event)
    provider, answers = provider_and_cache()
    decorate = template_renderer().decorate if templates else None
    return apply_filter(parsed, provider, settings().scope(), _budget(context), answers, decorate=decorate).response


@cache
def template_renderer() -> Any:
    return settings().renderer()


@logger.inject_lambda_context(clear_state=True)
def voice_channel_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Custom channel: queue one call per eligible endpoint; skipped endpoints are recorded in the lake."""
    s = settings()
    s.require("voice_queue_url")
    parsed = HookEvent.model_validate(event)  # a malformed invocation fails loudly: Pinpoint records the failure
    plan = plan_calls(parsed, s.voice_rules(), datetime.now(UTC))
    enqueue(voice_clients()["sqs"], s.voice_queue_url or "", plan.calls)
    if plan.skipped:
        land_events(lake(), plan.skipped)
    logger.info("voice channel: %d queued, %d skipped", len(plan.calls), len(plan.skipped))
    return {"queued": len(plan.calls), "skipped": len(plan.skipped)}


@cache
def voice_clients() -> dict[str, Any]:
    from botocore.config import Config

    region = settings().region
    # Few SDK retries on Connect: a throttled call goes back to the queue instead of sleeping in the dialer.
    return {
        "sqs": aws_client("sqs", region),
        "dynamodb": aws_client("dynamodb", region),
        "connect": aws_client("connect", region, Config(retries={"mode": "standard", "total_max_attempts": 2})),
    }


@cache
def lake() -> Any:
    return open_lake(settings().lake_root or Settings().lake_root)


@cache
def pacer() -> TokenBucket:
    s = settings()
    return TokenBucket(s.voice_calls_per_second, s.voice_burst)


@logger.inject_lambda_context(clear_state=True)
def dialer_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS batch of call requests → calls; ``batchItemFailures`` names the requests to retry (and poison ones)."""
    s = settings()
    s.require("voice_ledger_table", "connect_instance_id", "connect_contact_flow_id")
    failures: list[str] = []
    requests: list[tuple[str, CallRequest]] = []
    for record in event.get("Records", []):
        message_id = record.get("messageId", "")
        try:
            requests.append((message_id, CallRequest.from_json(record["body"])))
        except (KeyError, TypeError, ValueError):
            logger.error("call request %s is malformed: it goes to the dead-letter queue after its retries", message_id)
            failures.append(message_id)
    clients = voice_clients()
    target = ConnectTarget(
        s.connect_instance_id or "",
        s.connect_contact_flow_id or "",
        s.connect_queue_id or None,
        s.connect_source_phone_number or None,
    )
    report = dial(
        requests,
        clients["connect"],
        target,
        CallLedger(clients["dynamodb"], s.voice_ledger_table or ""),
        pacer(),
        s.voice_rules(),
        lambda: datetime.now(UTC).replace(tzinfo=None),
    )
    if report.events:
        land_events(lake(), report.events)
    return {"batchItemFailures": [{"itemIdentifier": i} for i in [*failures, *report.retry]]}
