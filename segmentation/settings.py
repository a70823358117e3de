"""Segment sync settings (``ENGLAKE_SEGMENTS_*``), beside the core settings (englake.settings)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.pinpoint_quotas import SEGMENT_ATTRIBUTE
from segmentation.guard import DEFAULT_MAX_REMOVAL_SHARE, DEFAULT_VANISH_MIN_MEMBERS
from segmentation.membership import DEFAULT_RELATION


class SegmentSettings(BaseSettings):
    """Every field is ``ENGLAKE_SEGMENTS_<FIELD>``; the CLI's options override them."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_SEGMENTS_", extra="ignore")

    #: Endpoint attribute holding the segment names.
    attribute: str = SEGMENT_ATTRIBUTE
    #: The membership relation (dbt model) to read.
    relation: str = DEFAULT_RELATION
    #: Requests per second the writer sends; unset = the destination's default (Pinpoint: the documented
    #: UpdateEndpointsBatch quota, UPDATE_ENDPOINTS_BATCH_RPS).
    rate: float | None = None
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    vanish_min_members: int = DEFAULT_VANISH_MIN_MEMBERS
    #: IAM role Pinpoint assumes to write an endpoint export into the lake; unset = read the latest export there.
    export_role_arn: str | None = None
    #: Amazon Connect Customer Profiles domain, for the customer-profiles destination.
    profiles_domain: str | None = None
