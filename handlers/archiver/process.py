"""Archiving as plain functions: a queued send event in, one ``.eml`` per message in the archive bucket."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from handlers.archiver.content import Content, fetch_content
from handlers.archiver.events import DEFAULT_SES_ENDPOINT_TAG, ArchiveInputError, ArchiveRequest, parse_requests
from handlers.archiver.mime import Rendered, build_message, headers_only_message
from handlers.archiver.renderer import render
from handlers.archiver.store import ArchiveStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchiveSettings:
    prefix: str = "archive"
    ses_endpoint_tag: str = DEFAULT_SES_ENDPOINT_TAG


def archive_body(
    body: str, pinpoint: Any, store: ArchiveStore, settings: ArchiveSettings, ref: str = "message"
) -> list[str]:
    """Archive the message(s) one queued event describes; returns the keys written (re-runs overwrite them)."""
    try:
        event = json.loads(body)
    except json.JSONDecodeError as error:
        raise ArchiveInputError(f"{ref}: body is not JSON ({error})") from None
    keys = []
    for request in parse_requests(event, ref, settings.ses_endpoint_tag):
        message = headers_only_message(request) if request.kind == "ses" else _rendered(pinpoint, request)
        key = request.key(settings.prefix)
        store.put(key, message.as_bytes())
        keys.append(key)
        logger.info("archived %s %s as %s", request.event_type, request.message_id, key)
    return keys


def render_content(request: ArchiveRequest, content: Content) -> Rendered:
    """Render every piece against the endpoint the event carries; HTML escaping in the HTML part only."""
    context = {**request.endpoint, "Id": request.endpoint_id}
    defaults = content.defaults

    def plain(template: str | None) -> str | None:
        return render(template, context, defaults, html=False) if template is not None else None

    return Rendered(
        channel=content.channel,
        subject=plain(content.subject),
        html=render(content.html, context, defaults, html=True) if content.html is not None else None,
        text=plain(content.text),
        from_address=content.from_address,
        origin=content.origin,
        campaign_version=content.campaign_version,
    )


def _rendered(pinpoint: Any, request: ArchiveRequest):
    return build_message(request, render_content(request, fetch_content(pinpoint, request)))
