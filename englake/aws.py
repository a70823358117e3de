"""AWS client construction: one place that sets region and retry behaviour for every boto3 client we make."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

#: botocore's adaptive mode adds client-side rate limiting that backs off on throttling errors (429).
DEFAULT_RETRY_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10})


def client(service: str, region: str | None = None, config: Config | None = None, **kwargs: Any) -> Any:
    """A boto3 client with adaptive retries; ``config`` is merged over the default."""
    merged = DEFAULT_RETRY_CONFIG.merge(config) if config else DEFAULT_RETRY_CONFIG
    return boto3.client(service, region_name=region, config=merged, **kwargs)
