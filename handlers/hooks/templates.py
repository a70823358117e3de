"""External campaign templates: subject, HTML and text from a provider or an S3 template store, rendered per
endpoint, escaped, size-limited, with a fallback template.

A template is ``{"Subject", "HtmlPart", "TextPart"}`` (the Pinpoint/SES names). Where it comes from, per endpoint:
the provider's answer when it carries those attributes, else the S3 store (``<prefix><name>.json``, ``name`` from
the endpoint's ``TemplateName`` attribute or the hook's default), else the fallback template. Variables use
Pinpoint's double-brace syntax, ``{{Attributes.Offer}}``, ``{{User.UserAttributes.FirstName}}``, ``{{User.UserId}}``,
``{{Demographic.Timezone}}``, ``{{Location.City}}``, ``{{EndpointId}}`` (the reference's README wrote single braces,
which Pinpoint prints literally). Substituted values are HTML-escaped in the HTML part; the subject loses line
breaks (no header injection). A rendering over its limit falls back to the fallback template.

The rendered parts go to the endpoint as attributes (:data:`OUTPUT_ATTRIBUTES`); the campaign's own template is then
exactly :data:`CAMPAIGN_HTML_BODY` / ``{{Attributes.Subject}}`` / ``{{Attributes.TextBody}}``: one document, not an
``<html>`` nested in another (the reference's example did that).
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from englake.errors import client_error_code
from handlers.hooks.attributes import DEFAULT_MAX_ENDPOINT_BYTES
from handlers.hooks.cache import MISSING, TtlCache
from handlers.hooks.models import EndpointView
from handlers.hooks.personalise import Outcome

logger = logging.getLogger(__name__)

#: Where the rendered parts go on the endpoint: template part → attribute name.
OUTPUT_ATTRIBUTES = {"Subject": "Subject", "HtmlPart": "HtmlBody", "TextPart": "TextBody"}
#: The whole HTML body of a campaign that uses these templates.
CAMPAIGN_HTML_BODY = "{{Attributes.HtmlBody}}"
#: The attribute that picks a template per endpoint (set by a provider, or on the endpoint).
TEMPLATE_NAME_ATTRIBUTE = "TemplateName"
#: RFC 5322 §2.1.1: a header line must not exceed 998 characters.
MAX_SUBJECT_CHARS = 998
#: The rendered HTML and text together must leave room in the per-endpoint attribute budget.
DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_ENDPOINT_BYTES - MAX_SUBJECT_CHARS * 4
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True)
class Template:
    subject: str
    html: str | None = None
    text: str | None = None

    @classmethod
    def from_mapping(cls, value: Any) -> Template | None:
        """From ``{"Subject", "HtmlPart", "TextPart"}``; None if it is not one (garbage is not a template)."""
        if not isinstance(value, dict):
            return None
        parts = {k: value.get(k) for k in ("Subject", "HtmlPart", "TextPart")}
        if not all(v is None or isinstance(v, str) for v in parts.values()) or not (
            parts["HtmlPart"] or parts["TextPart"]
        ):
            return None
        return cls(parts["Subject"] or "", parts["HtmlPart"], parts["TextPart"])


class TemplateStore(Protocol):
    def get(self, name: str) -> Template | None:
        """The template called ``name``, or None when there is none (or it is unusable)."""
        ...


class S3TemplateStore:
    """Templates as JSON objects ``s3://<bucket>/<prefix><name>.json``, cached for ``ttl_seconds``."""

    def __init__(self, s3: Any, bucket: str, prefix: str = "templates/", ttl_seconds: float = 300.0) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self._cache: TtlCache[Template | None] = TtlCache(max_items=1000, ttl_seconds=ttl_seconds)

    def get(self, name: str) -> Template | None:
        if not _NAME.match(name):
            return None
        hit = self._cache.get(name, MISSING)
        if hit is not MISSING:
            return hit  # type: ignore[return-value]
        from botocore.exceptions import ClientError

        key = f"{self.prefix}{name}.json"
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            template = Template.from_mapping(json.loads(body))
        except ClientError as error:
            if client_error_code(error) not in ("NoSuchKey", "404"):
                raise
            template = None
        except (ValueError, UnicodeDecodeError):
            template = None
        if template is None:
            logger.warning("template %s is missing or not a {Subject, HtmlPart, TextPart} object", key)
        self._cache.put(name, template)
        return template


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str | None
    text: str | None
    #: "provider", "store" or "fallback"
    source: str
    #: why the fallback was used ("" otherwise)
    reason: str = ""

    def attributes(self) -> dict[str, list[str]]:
        parts = {"Subject": self.subject, "HtmlPart": self.html, "TextPart": self.text}
        return {OUTPUT_ATTRIBUTES[k]: [v] for k, v in parts.items() if v is not None}


def variables(definition: dict[str, Any], endpoint_id: str) -> Callable[[str], str]:
    """A resolver of ``Attributes.X`` style paths on an endpoint definition (first value of a list; "" if absent)."""

    def resolve(path: str) -> str:
        if path == "EndpointId":
            return endpoint_id
        node: Any = definition
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                return ""
        if isinstance(node, list):
            return str(node[0]) if node else ""
        return node if isinstance(node, str) else json.dumps(node) if isinstance(node, dict) else str(node)

    return resolve


def fill(text: str, resolve: Callable[[str], str], escape: bool) -> str:
    """Every ``{{path}}`` replaced; values HTML-escaped when ``escape`` (a value cannot inject markup)."""
    return _VARIABLE.sub(
        lambda m: html.escape(resolve(m.group(1)), quote=True) if escape else resolve(m.group(1)), text
    )


def render(template: Template, resolve: Callable[[str], str]) -> tuple[str, str | None, str | None]:
    subject = " ".join(fill(template.subject, resolve, escape=False).split())
    body_html = fill(template.html, resolve, escape=True) if template.html else None
    text = fill(template.text, resolve, escape=False) if template.text else None
    return subject, body_html, text


@dataclass
class TemplateRenderer:
    """Renders each endpoint's template (provider → store → fallback) within the size limits."""

    fallback: Template
    store: TemplateStore | None = None
    default_name: str | None = None
    max_subject_chars: int = MAX_SUBJECT_CHARS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def render_endpoint(self, endpoint_id: str, definition: dict[str, Any]) -> Rendered:
        view = EndpointView(endpoint_id, definition)
        template, source, reason = self._choose(view, definition)
        resolve = variables(definition, endpoint_id)
        subject, body_html, text = render(template, resolve)
        if self._too_big(subject, body_html, text):
            reason = "oversized"
            subject, body_html, text = render(self.fallback, resolve)
            source = "fallback"
        return Rendered(subject, body_html, text, source, reason)

    def decorate(self, definition: dict[str, Any], outcome: Outcome) -> dict[str, Any]:
        """For ``apply_filter``: set the rendered parts as attributes, drop the raw template attributes."""
        rendered = self.render_endpoint(outcome.endpoint_id, definition)
        attributes = {
            k: v
            for k, v in (definition.get("Attributes") or {}).items()
            if k not in ("Subject", "HtmlPart", "TextPart")
        }
        return {**definition, "Attributes": {**attributes, **rendered.attributes()}}

    def _choose(self, view: EndpointView, definition: dict[str, Any]) -> tuple[Template, str, str]:
        from_provider = Template.from_mapping(
            {k: view.attribute(k) for k in ("Subject", "HtmlPart", "TextPart") if view.attribute(k) is not None}
        )
        if from_provider is not None:
            return from_provider, "provider", ""
        name = view.attribute(TEMPLATE_NAME_ATTRIBUTE) or self.default_name
        if self.store is not None and name:
            try:
                stored = self.store.get(name)
            except Exception as error:  # noqa: BLE001 - a store outage must not fail the batch: fallback
                logger.warning("template store failed: %s", type(error).__name__)
                return self.fallback, "fallback", "store_error"
            if stored is not None:
                return stored, "store", ""
            return self.fallback, "fallback", "template_missing"
        return self.fallback, "fallback", "no_template"

    def _too_big(self, subject: str, body_html: str | None, text: str | None) -> bool:
        body = len((body_html or "").encode()) + len((text or "").encode())
        return len(subject) > self.max_subject_chars or body > self.max_body_bytes
