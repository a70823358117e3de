"""Attaching the hooks to *one* campaign through the Pinpoint API (never as the project default).

- FILTER hooks (attributes, templates): ``UpdateCampaign`` with ``Hook {LambdaFunctionName, Mode: FILTER}`` on that
  campaign only. The reference set ``ApplicationSettings.CampaignHook``, which every campaign of the project
  inherits.
- The voice channel: ``CustomDeliveryConfiguration {DeliveryUri: <function ARN>, EndpointTypes}`` plus
  ``MessageConfiguration.CustomMessage.Data`` (the message), as the custom-channel guide documents
  (limits.PINPOINT_CUSTOM_CHANNEL_URL). CampaignHook Mode ``DELIVERY`` is deprecated ("not supported anymore") and is
  refused here.
"""

from __future__ import annotations

from typing import Any

from englake.errors import ConfigError

FILTER = "FILTER"
DEPRECATED_MODES = frozenset({"DELIVERY"})


def filter_hook_request(function_name: str, mode: str = FILTER) -> dict[str, Any]:
    """The ``WriteCampaignRequest`` part that attaches a FILTER hook to one campaign."""
    if mode in DEPRECATED_MODES:
        raise ConfigError(
            "CampaignHook Mode DELIVERY is deprecated; use the voice channel's CustomDeliveryConfiguration"
        )
    if mode != FILTER:
        raise ConfigError(f"unknown CampaignHook mode {mode!r}: englake hooks use FILTER")
    return {"Hook": {"LambdaFunctionName": function_name, "Mode": FILTER}}


def custom_delivery_request(function_arn: str, endpoint_types: list[str], message: str) -> dict[str, Any]:
    """The ``WriteCampaignRequest`` part that delivers a campaign through the voice channel."""
    if not function_arn.startswith("arn:"):
        raise ConfigError("DeliveryUri must be the voice channel function's ARN")
    return {
        "CustomDeliveryConfiguration": {"DeliveryUri": function_arn, "EndpointTypes": list(endpoint_types)},
        "MessageConfiguration": {"CustomMessage": {"Data": message}},
    }


def attach(pinpoint: Any, application_id: str, campaign_id: str, request: dict[str, Any]) -> dict[str, Any]:
    """``UpdateCampaign`` of that one campaign with ``request``; returns the campaign response."""
    return pinpoint.update_campaign(ApplicationId=application_id, CampaignId=campaign_id, WriteCampaignRequest=request)[
        "CampaignResponse"
    ]
