"""AWS client construction: one place that sets region and retry behaviour for every boto3 client we make."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # boto3 is imported when a client is made, not by ``englake --help``
    from botocore.config import Config

#: botocore's adaptive mode adds client-side rate limiting that backs off on throttling errors (429).
RETRY_SETTINGS: dict[str, Any] = {"mode": "adaptive", "max_attempts": 10}
#: The Region variable the AWS CLI, the other SDKs and Lambda set; botocore itself reads only AWS_DEFAULT_REGION.
REGION_VARIABLE = "AWS_REGION"


def default_retry_config() -> Config:
    """Adaptive retries, as every client we build gets them."""
    from botocore.config import Config

    return Config(retries=dict(RETRY_SETTINGS))


def resolve_region(region: str | None = None) -> str | None:
    """``region``, else ``AWS_REGION``; None leaves botocore to its own chain (AWS_DEFAULT_REGION, the profile)."""
    return region or os.environ.get(REGION_VARIABLE) or None


def client(service: str, region: str | None = None, config: Config | None = None, **kwargs: Any) -> Any:
    """A boto3 client with adaptive retries; ``config`` is merged over the default; ``AWS_REGION`` is honoured."""
    import boto3

    default = default_retry_config()
    merged = default.merge(config) if config else default
    return boto3.client(service, region_name=resolve_region(region), config=merged, **kwargs)


def session(region: str | None = None) -> Any:
    """A boto3 session in ``region`` (else ``AWS_REGION``), for libraries that take one (awswrangler)."""
    import boto3

    return boto3.Session(region_name=resolve_region(region))


def require_credentials(session: Any | None = None) -> None:
    """Raise ``AwsCredentialsError`` when no credentials can be found, before anything is sent or written.

    Expired or refused credentials only show on the first call; the callers stop on that one (errors.py).
    """
    import boto3

    from englake.errors import AwsCredentialsError, as_project_error

    try:
        credentials = (session or boto3.Session()).get_credentials()
    except Exception as error:  # a broken profile or credential process: botocore's own error types
        translated = as_project_error(error)
        if translated is None:
            raise
        raise translated from error
    if credentials is None:
        raise AwsCredentialsError(
            "no AWS credentials found: configure them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
            "or `aws sso login`) and retry"
        )
