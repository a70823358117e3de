"""The FILTER hook against the documented event and response shapes, and the reference's §12 defects."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from handlers.hooks import handler as hook_handler
from handlers.hooks.filter_hook import HookScope, apply_filter
from handlers.hooks.models import EndpointView, HookEvent
from handlers.hooks.personalise import Budget
from handlers.hooks.providers.http import HttpProvider
from tests.hooks_support import email_endpoint, event_with, filter_event, provider_server

CAMPAIGN = "13978104ce5d6017c72552257example"  # the fixture's campaign
SCOPE = HookScope(frozenset({CAMPAIGN}))
FALLBACK = {"Offer": ["our standard offer"]}


class TableProvider:
    """A provider answering from a dict (keys = endpoint ids)."""

    name = "table"
    batch_size = 100

    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table

    def key(self, endpoint: EndpointView) -> str | None:
        return endpoint.endpoint_id

    def fetch(self, keys: Sequence[str], timeout: float) -> dict[str, Any]:
        return {k: self.table[k] for k in keys if k in self.table}


def test_documented_event_in_documented_response_out() -> None:
    event = filter_event()
    provider = TableProvider({"endpointIDexample-1": {"Offer": ["10% off"]}})
    result = apply_filter(HookEvent.model_validate(event), provider, SCOPE, Budget(fallback=FALLBACK))
    # The response is the endpoints map: the same ids, each definition as sent plus attributes.
    assert set(result.response) == set(event["Endpoints"])
    first = result.response["endpointIDexample-1"]
    sent = event["Endpoints"]["endpointIDexample-1"]
    assert {k: v for k, v in first.items() if k != "Attributes"} == {k: v for k, v in sent.items() if k != "Attributes"}
    assert first["Attributes"] == {"AddressType": ["primary"], "Offer": ["10% off"]}
    assert result.response["endpointIDexample-2"]["Attributes"] == {"AddressType": ["primary"], **FALLBACK}
    json.dumps(result.response)  # serializable as Lambda returns it


def test_one_endpoint_without_attributes_does_not_fail_the_batch() -> None:
    """Defect §12: ``endpoint['Attributes']['Offer'] = …`` raised KeyError on an endpoint without Attributes and
    failed the whole batch."""
    bare = {k: v for k, v in email_endpoint(1).items() if k != "Attributes"}
    event = event_with({"with": email_endpoint(0), "without": bare, "garbage": "not an endpoint"})
    provider = TableProvider({"with": {"Offer": ["a"]}, "without": {"Offer": ["b"]}})
    result = apply_filter(HookEvent.model_validate(event), provider, SCOPE, Budget(fallback=FALLBACK))
    assert result.response["without"]["Attributes"] == {"Offer": ["b"]}
    assert result.response["with"]["Attributes"]["Offer"] == ["a"]
    assert result.response["garbage"] == "not an endpoint"  # returned as sent, never dropped


def test_the_hook_does_not_hijack_every_campaign_in_the_project() -> None:
    """Defect §12/§13: a project-wide FILTER hook rewrote every campaign. Our scope is per campaign: a campaign
    not listed gets its endpoints back untouched, and the default scope covers none."""
    event = filter_event()
    event["CampaignId"] = "some-other-campaign"
    provider = TableProvider({"endpointIDexample-1": {"Offer": ["x"]}})
    result = apply_filter(HookEvent.model_validate(event), provider, SCOPE, Budget(fallback=FALLBACK))
    assert not result.in_scope
    assert result.response == event["Endpoints"]
    default = apply_filter(HookEvent.model_validate(filter_event()), provider, HookScope(), Budget())
    assert default.response == filter_event()["Endpoints"]
    assert HookScope(frozenset({"*"})).covers("anything")


def test_drop_on_fallback_leaves_endpoints_out_of_the_send() -> None:
    provider = TableProvider({"endpointIDexample-1": {"Offer": ["x"]}})
    budget = Budget(fallback=FALLBACK, drop_on_fallback=True)
    result = apply_filter(HookEvent.model_validate(filter_event()), provider, SCOPE, budget)
    assert list(result.response) == ["endpointIDexample-1"]


def test_the_response_never_exceeds_the_lambda_limit() -> None:
    """Defect §13: per-endpoint attributes inflate the response past Lambda's 6 MB. Over the limit an endpoint goes
    back as sent (counted ``response_size``), and the response stays under it."""
    eps = {f"ep-{i}": email_endpoint(i) for i in range(50)}
    provider = TableProvider({f"ep-{i}": {"Html": ["x" * 20_000]} for i in range(50)})
    limit = 300_000
    result = apply_filter(
        HookEvent.model_validate(event_with(eps)), provider, SCOPE, Budget(), max_response_bytes=limit
    )
    assert len(json.dumps(result.response).encode()) <= limit
    assert result.resized
    assert len(result.response) == 50
    assert all("Html" not in result.response[e]["Attributes"] for e in result.resized)


def test_hook_events_must_have_the_documented_fields() -> None:
    event = filter_event()
    del event["CampaignId"]
    with pytest.raises(ValueError, match="CampaignId"):
        HookEvent.model_validate(event)


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch):
    def configure(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(f"ENGLAKE_HOOKS_{name.upper()}", value)
        hook_handler.settings.cache_clear()
        hook_handler.provider_and_cache.cache_clear()
        hook_handler.template_renderer.cache_clear()

    yield configure
    hook_handler.settings.cache_clear()
    hook_handler.provider_and_cache.cache_clear()
    hook_handler.template_renderer.cache_clear()


class _Context:
    function_name = "englake-filter"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:englake-filter"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 14_000


def test_lambda_handler_with_the_http_provider_and_a_broken_event(lambda_env, caplog: pytest.LogCaptureFixture) -> None:
    with provider_server() as server:
        lambda_env(
            provider="http",
            provider_url=server.url + "/ok/{key}",
            campaign_ids=CAMPAIGN,
            fallback_attributes=json.dumps(FALLBACK),
        )
        response = hook_handler.filter_handler(filter_event(), _Context())
    assert response["endpointIDexample-1"]["Attributes"]["Offer"] == ["offer for endpointIDexample-1"]
    broken = filter_event()
    del broken["ActivityId"]
    caplog.clear()
    assert hook_handler.filter_handler(broken, _Context()) == filter_event()["Endpoints"]
    assert [r.getMessage() for r in caplog.records] == [
        "hook event does not match the documented shape (fields: ActivityId)"
    ]


def test_slow_http_provider_with_a_provider_of_the_handler_keeps_pinpoints_15_seconds(lambda_env) -> None:
    with provider_server(delay=5) as server:
        lambda_env(provider="http", provider_url=server.url + "/slow/{key}", campaign_ids="*", budget_seconds="60")
        budget = hook_handler._budget(_Context())
        assert budget.seconds <= 13  # capped by Pinpoint's 15 s and the invocation's remaining time
        provider = HttpProvider(server.url + "/slow/{key}")
        result = apply_filter(
            HookEvent.model_validate(filter_event()), provider, HookScope(frozenset("*")), Budget(0.3)
        )
    assert result.personalisation is not None
    assert result.personalisation.counts == {"timeout": 2}
    assert set(result.response) == set(filter_event()["Endpoints"])


def test_failures_are_counted_and_logged_without_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    eps = {"ok": email_endpoint(1), "bad": email_endpoint(2), "broken": email_endpoint(3)}
    provider = TableProvider({"ok": {"Offer": ["secret-offer-1"]}, "bad": {"Offer": {"nested": "x"}}})
    provider.fetch = lambda keys, timeout: {"ok": {"Offer": ["secret-offer-1"]}, "bad": [1, 2]}  # type: ignore[method-assign]
    with caplog.at_level("INFO", logger="handlers.hooks"):
        result = apply_filter(HookEvent.model_validate(event_with(eps)), provider, SCOPE, Budget(fallback=FALLBACK))
    assert result.personalisation is not None
    assert result.personalisation.counts == {"provided": 1, "invalid_response": 1, "not_found": 1}
    assert result.personalisation.failures == 1
    text = caplog.text
    assert "invalid_response" in text  # the counts are logged
    for personal in ("person1@example.com", "person2@example.com", "Name1", "secret-offer-1"):
        assert personal not in text
