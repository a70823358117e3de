"""Segment sync settings (``ENGLAKE_SEGMENTS_*``), beside the core settings (englake.settings)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from segmentation.destinations.pinpoint import DEFAULT_ATTRIBUTE, UPDATE_ENDPOINTS_BATCH_RPS
from segmentation.guard import DEFAULT_MAX_REMOVAL_SHARE, DEFAULT_VANISH_MIN_MEMBERS
from segmentation.membership import DEFAULT_RELATION


class SegmentSettings(BaseSettings):
    """Every field is ``ENGLAKE_SEGMENTS_<FIELD>``; the CLI's options override them."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_SEGMENTS_", extra="ignore")

    #: Endpoint attribute holding the segment names.
    attribute: str = DEFAULT_ATTRIBUTE
    #: The membership relation (dbt model) to read.
    relation: str = DEFAULT_RELATION
    #: UpdateEndpointsBatch requests per second (client side); the documented quota by default.
    rate: float = UPDATE_ENDPOINTS_BATCH_RPS
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    vanish_min_members: int = DEFAULT_VANISH_MIN_MEMBERS
    #: IAM role Pinpoint assumes to write an endpoint export into the lake; unset = read the latest export there.
    export_role_arn: str | None = None
    #: Application id of the local endpoint store when no Pinpoint application id is set.
    local_application_id: str = "local"
