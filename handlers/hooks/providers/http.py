"""An HTTP provider: ``GET <url with {key}>`` per endpoint, answered with a JSON object of attributes.

The answer may be the attributes themselves (``{"Offer": ["10% off"]}``) or wrap them (``{"Attributes": {...}}``).
404 means "unknown" (the endpoint gets the fallback); any other non-2xx, a timeout, a body that is not a JSON
object or is larger than ``max_response_bytes`` is a failure of that endpoint only. Requests share one connection
pool (urllib3, as botocore uses), sized for ``personalise``'s concurrency; urllib3 does not retry here: the time
budget has no room for retries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import urllib3

from handlers.hooks.attributes import DEFAULT_MAX_ENDPOINT_BYTES, INVALID, OVERSIZED, AttributeRejected
from handlers.hooks.models import EndpointView
from handlers.hooks.providers.base import KeySpec, ProviderError, ProviderTimeout


class HttpProvider:
    batch_size = 1

    def __init__(
        self,
        url_template: str,
        key: KeySpec | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        pool_size: int = 16,
        max_response_bytes: int = DEFAULT_MAX_ENDPOINT_BYTES,
    ) -> None:
        if "{key}" not in url_template or not url_template.startswith(("http://", "https://")):
            raise ValueError("the provider URL must be http(s):// and contain {key}")
        self.url_template = url_template
        self.key_spec = key or KeySpec()
        self.headers = dict(headers or {})
        self.max_response_bytes = max_response_bytes
        self.name = "http"
        self._pool = urllib3.PoolManager(maxsize=pool_size, block=False, retries=False)

    def key(self, endpoint: EndpointView) -> str | None:
        return self.key_spec.key(endpoint)

    def fetch(self, keys: Sequence[str], timeout: float) -> dict[str, Any]:
        return {k: v for k in keys if (v := self._one(k, timeout)) is not None}

    def _one(self, key: str, timeout: float) -> Any:
        url = self.url_template.replace("{key}", quote(key, safe=""))
        try:
            response = self._pool.request(
                "GET",
                url,
                headers={"Accept": "application/json", **self.headers},
                timeout=urllib3.Timeout(total=max(timeout, 0.001)),
                preload_content=False,
                redirect=False,
            )
            try:
                body = response.read(self.max_response_bytes + 1)
            finally:
                response.release_conn()
        except urllib3.exceptions.NewConnectionError as error:  # a subclass of the timeout errors in urllib3
            raise ProviderError(f"HTTP provider unreachable ({type(error).__name__})") from None
        except (urllib3.exceptions.TimeoutError, urllib3.exceptions.ReadTimeoutError) as error:
            raise ProviderTimeout(f"HTTP provider timed out ({type(error).__name__})") from None
        except urllib3.exceptions.HTTPError as error:
            raise ProviderError(f"HTTP provider unreachable ({type(error).__name__})") from None
        if response.status == 404:
            return None
        if not 200 <= response.status < 300:
            raise ProviderError(f"HTTP provider answered {response.status}")
        if len(body) > self.max_response_bytes:
            raise AttributeRejected(OVERSIZED, f"HTTP answer over {self.max_response_bytes} bytes")
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise AttributeRejected(INVALID, "HTTP answer is not JSON") from None
        if isinstance(document, dict) and isinstance(document.get("Attributes"), dict):
            return document["Attributes"]
        return document
