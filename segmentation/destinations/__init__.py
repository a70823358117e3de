"""Segment destinations: where membership is written (local endpoint store, Amazon Pinpoint; Customer Profiles next)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from englake.aws import client as aws_client
from englake.aws import require_credentials
from englake.pinpoint_quotas import SEGMENT_ATTRIBUTE, UPDATE_ENDPOINTS_BATCH_RPS
from englake.settings import Settings
from segmentation.errors import DestinationError

if TYPE_CHECKING:
    from englake.storage import LakeStore
    from segmentation.destinations.base import Destination

# This package's __init__ stays light (no DuckDB, no pyarrow): a Lambda package that imports one pure module of it
# (e.g. customer_profiles) must not need the sync's dependencies. open_destination imports the destinations it opens.


def open_destination(
    kind: str,
    *,
    settings: Settings,
    store: LakeStore,
    application_id: str | None = None,
    attribute: str = SEGMENT_ATTRIBUTE,
    rate: float | None = None,
    export_role_arn: str | None = None,
    pinpoint_client: Any | None = None,
    profiles_domain: str | None = None,
) -> Destination:
    """The destination named ``kind`` ("local", "pinpoint" or "customer-profiles"), wired from settings."""
    if kind == "local":
        from segmentation.destinations.local import LocalDestination

        if not settings.is_local:
            raise DestinationError("the local destination needs a local lake root (ENGLAKE_LAKE_ROOT), not S3")
        app = application_id or settings.pinpoint_application_id or _only_exported_app(store) or "local"
        return LocalDestination(settings.resolved_duckdb_path, app, store, attribute=attribute)
    if kind == "pinpoint":
        app = application_id or settings.pinpoint_application_id
        if not app:
            raise DestinationError(
                "the Pinpoint destination needs an application id: --application-id or ENGLAKE_PINPOINT_APPLICATION_ID"
            )
        if pinpoint_client is None:
            require_credentials()  # a clear error before anything is read or written, not a "partial" run
        from segmentation.catalog import LakeExportCatalog, PinpointExportCatalog
        from segmentation.destinations.pinpoint import PinpointDestination

        client = pinpoint_client or aws_client("pinpoint", region=settings.aws_region)
        catalog = (
            PinpointExportCatalog(client, store, app, export_role_arn, attribute)
            if export_role_arn
            else LakeExportCatalog(store, app, attribute)
        )
        return PinpointDestination(
            client, app, catalog, attribute=attribute, rate=rate if rate is not None else UPDATE_ENDPOINTS_BATCH_RPS
        )
    if kind == "customer-profiles":
        if not profiles_domain:
            raise DestinationError(
                "the Customer Profiles destination needs a domain: --domain or ENGLAKE_SEGMENTS_PROFILES_DOMAIN"
            )
        from segmentation.destinations.customer_profiles import DEFAULT_RATE as PROFILES_RATE
        from segmentation.destinations.customer_profiles import CustomerProfilesDestination

        require_credentials()
        client = aws_client("customer-profiles", region=settings.aws_region)
        return CustomerProfilesDestination(client, profiles_domain, rate=rate if rate is not None else PROFILES_RATE)
    raise DestinationError(f"unknown destination {kind!r}: use local, pinpoint or customer-profiles")


def _only_exported_app(store: LakeStore) -> str | None:
    from segmentation.catalog import export_applications

    apps = export_applications(store)
    return apps[0] if len(apps) == 1 else None
