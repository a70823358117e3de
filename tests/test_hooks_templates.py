"""External templates (§13): from a provider or an S3 store (moto), rendered per endpoint with escaping, limits
and a fallback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.hooks.filter_hook import HookScope, apply_filter
from handlers.hooks.models import EndpointView, HookEvent
from handlers.hooks.personalise import Budget
from handlers.hooks.templates import CAMPAIGN_HTML_BODY, S3TemplateStore, Template, TemplateRenderer
from tests.hooks_support import email_endpoint, event_with, filter_event

FALLBACK = Template("News", "<!DOCTYPE html><html><body>Hello</body></html>", "Hello")
SCOPE = HookScope(frozenset({"*"}))


class TableProvider:
    name = "table"
    batch_size = 100

    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table

    def key(self, endpoint: EndpointView) -> str | None:
        return endpoint.endpoint_id

    def fetch(self, keys: Sequence[str], timeout: float) -> dict[str, Any]:
        return {k: self.table[k] for k in keys if k in self.table}


@pytest.fixture
def store():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="templates")
        template = {
            "Subject": "Hi {{User.UserAttributes.FirstName}}: {{Attributes.Offer}}",
            "HtmlPart": "<!DOCTYPE html><html><body><p>Dear {{User.UserAttributes.FirstName}},</p>"
            "<p>{{Attributes.Offer}}</p></body></html>",
            "TextPart": "Dear {{User.UserAttributes.FirstName}}, {{Attributes.Offer}}",
        }
        s3.put_object(Bucket="templates", Key="templates/spring.json", Body=json.dumps(template).encode())
        s3.put_object(Bucket="templates", Key="templates/broken.json", Body=b"{not json")
        yield S3TemplateStore(s3, "templates")


def _render(store, endpoints: dict[str, Any], table: dict[str, Any], **renderer: Any) -> dict[str, Any]:
    r = TemplateRenderer(FALLBACK, store, **renderer)
    event = HookEvent.model_validate(event_with(endpoints))
    return apply_filter(event, TableProvider(table), SCOPE, Budget(), decorate=r.decorate).response


def test_s3_template_rendered_per_endpoint(store) -> None:
    response = _render(
        store,
        {"a": email_endpoint(1), "b": email_endpoint(2)},
        {"a": {"Offer": ["10% off"]}, "b": {"Offer": ["free shipping"]}},
        default_name="spring",
    )
    a = response["a"]["Attributes"]
    assert a["Subject"] == ["Hi Name1: 10% off"]
    assert a["HtmlBody"] == ["<!DOCTYPE html><html><body><p>Dear Name1,</p><p>10% off</p></body></html>"]
    assert a["TextBody"] == ["Dear Name1, 10% off"]
    assert response["b"]["Attributes"]["TextBody"] == ["Dear Name2, free shipping"]


def test_substituted_values_are_html_escaped_in_the_html_part_only(store) -> None:
    hostile = email_endpoint(1)
    hostile["User"]["UserAttributes"]["FirstName"] = ['<script>alert("x")</script>']
    response = _render(
        store, {"a": hostile}, {"a": {"Offer": ["Fish & Chips\r\nBcc: victim@example.com"]}}, default_name="spring"
    )
    attrs = response["a"]["Attributes"]
    assert "<script>" not in attrs["HtmlBody"][0]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in attrs["HtmlBody"][0]
    assert "Fish &amp; Chips" in attrs["HtmlBody"][0]
    assert "\n" not in attrs["Subject"][0]
    assert "\r" not in attrs["Subject"][0]
    assert "Fish & Chips" in attrs["TextBody"][0]


def test_template_from_the_provider(store) -> None:
    provided = {"Subject": "For {{EndpointId}}", "TextPart": "Offer {{Attributes.Code}}", "Code": "X1"}
    response = _render(store, {"a": email_endpoint(1)}, {"a": provided})
    attrs = response["a"]["Attributes"]
    assert attrs["Subject"] == ["For a"]
    assert attrs["TextBody"] == ["Offer X1"]
    assert "TextPart" not in attrs
    assert "HtmlBody" not in attrs


def test_template_per_endpoint_by_name(store) -> None:
    response = _render(store, {"a": email_endpoint(1)}, {"a": {"TemplateName": "spring", "Offer": "o"}})
    assert response["a"]["Attributes"]["TextBody"] == ["Dear Name1, o"]


@pytest.mark.parametrize("name", ["missing", "broken", "../escape"])
def test_missing_or_broken_templates_fall_back(store, name: str) -> None:
    response = _render(store, {"a": email_endpoint(1)}, {"a": {"Offer": "o"}}, default_name=name)
    assert response["a"]["Attributes"]["HtmlBody"] == [FALLBACK.html]


def test_oversized_rendering_falls_back(store) -> None:
    response = _render(
        store, {"a": email_endpoint(1)}, {"a": {"Offer": "x" * 5000}}, default_name="spring", max_body_bytes=4000
    )
    assert response["a"]["Attributes"]["TextBody"] == ["Hello"]


def test_double_braces_and_one_html_document() -> None:
    """Defect §13: the reference's README used single braces ``{Attributes.html}`` (printed literally by Pinpoint)
    and wrapped the attribute's full ``<html>`` document in another ``<html>``. The campaign body we document is
    exactly the attribute, in Pinpoint's double-brace syntax."""
    assert CAMPAIGN_HTML_BODY == "{{Attributes.HtmlBody}}"
    assert "<html" not in CAMPAIGN_HTML_BODY
    renderer = TemplateRenderer(Template("s", "<p>{Attributes.Offer} {{Attributes.Offer}}</p>"))
    rendered = renderer.render_endpoint("a", {"Attributes": {"Offer": ["o"]}})
    assert rendered.html == "<p>{Attributes.Offer} o</p>"


def test_fixture_event_through_templates_keeps_every_endpoint(store) -> None:
    r = TemplateRenderer(FALLBACK, store, default_name="spring")
    event = HookEvent.model_validate(filter_event())
    response = apply_filter(event, TableProvider({}), SCOPE, Budget(), decorate=r.decorate).response
    assert set(response) == set(filter_event()["Endpoints"])
    assert response["endpointIDexample-1"]["Attributes"]["TextBody"] == ["Dear Sofia, "]


def test_template_lambda_handler(store, monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers.hooks import handler as hook_handler

    env = {
        "PROVIDER": "none",
        "CAMPAIGN_IDS": "*",
        "TEMPLATE_BUCKET": "templates",
        "TEMPLATE_DEFAULT": "spring",
        "FALLBACK_ATTRIBUTES": json.dumps({"Offer": ["our standard offer"]}),
    }
    for name, value in env.items():
        monkeypatch.setenv(f"ENGLAKE_HOOKS_{name}", value)
    for cached in (hook_handler.settings, hook_handler.provider_and_cache, hook_handler.template_renderer):
        cached.cache_clear()

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "t", 512, "r"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:t"

        def get_remaining_time_in_millis(self) -> int:
            return 14_000

    try:
        response = hook_handler.template_handler(filter_event(), Context())
    finally:
        for cached in (hook_handler.settings, hook_handler.provider_and_cache, hook_handler.template_renderer):
            cached.cache_clear()
    assert response["endpointIDexample-2"]["Attributes"]["TextBody"] == ["Dear Alejandro, our standard offer"]
    assert response["endpointIDexample-1"]["Attributes"]["Subject"] == ["Hi Sofia: our standard offer"]
