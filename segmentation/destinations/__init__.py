"""Segment destinations: where membership is written (local endpoint store, Amazon Pinpoint; Customer Profiles next)."""

from __future__ import annotations

from typing import Any

from englake.aws import client as aws_client
from englake.settings import Settings
from ingest.storage import LakeStore
from segmentation.catalog import LakeExportCatalog, PinpointExportCatalog, export_applications
from segmentation.destinations.base import Destination, DestinationLimits, EndpointChange, WriteResult
from segmentation.destinations.local import LocalDestination
from segmentation.destinations.pinpoint import DEFAULT_ATTRIBUTE, PinpointDestination
from segmentation.errors import DestinationError

__all__ = [
    "Destination",
    "DestinationLimits",
    "EndpointChange",
    "LocalDestination",
    "PinpointDestination",
    "WriteResult",
    "open_destination",
]


def open_destination(
    kind: str,
    *,
    settings: Settings,
    store: LakeStore,
    application_id: str | None = None,
    attribute: str = DEFAULT_ATTRIBUTE,
    rate: float | None = None,
    export_role_arn: str | None = None,
    pinpoint_client: Any | None = None,
) -> Destination:
    """The destination named ``kind`` ("local" or "pinpoint"), wired from settings."""
    if kind == "local":
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
        client = pinpoint_client or aws_client("pinpoint", region=settings.aws_region)
        catalog = (
            PinpointExportCatalog(client, store, app, export_role_arn, attribute)
            if export_role_arn
            else LakeExportCatalog(store, app, attribute)
        )
        return PinpointDestination(client, app, catalog, attribute=attribute, rate=rate)
    raise DestinationError(f"unknown destination {kind!r}: use local or pinpoint")


def _only_exported_app(store: LakeStore) -> str | None:
    apps = export_applications(store)
    return apps[0] if len(apps) == 1 else None
