"""Lambda entry point of the campaign steps of the audience workflow (and of direct campaign requests).

Payload ``{"step": "create" | "check", "state": <execution state>}``; ``create`` also accepts a direct request
``{"step": "create", "request": {...CampaignRequest}, "backend": "pinpoint" | "connect"}``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.audiences.contracts import ImportStatus, StagedAudience
from handlers.audiences.settings import AudienceSettings
from handlers.campaigns import process
from handlers.campaigns.backends import CampaignBackend
from handlers.campaigns.models import CampaignRef, CampaignRequest

logger = Logger(service="englake-campaigns")


@cache
def backend(kind: str) -> CampaignBackend:
    return AudienceSettings().campaign_backend_for(kind)


def run_step(event: dict[str, Any], backend_for: Any = backend) -> dict[str, Any]:
    step = event["step"]
    if step == "create" and "request" in event:
        request = CampaignRequest.model_validate(event["request"])
        return process.create(request, backend_for(event["backend"])).model_dump(mode="json")
    state = event["state"]
    if step == "create":
        staged = StagedAudience.model_validate(state["staged"])
        assert staged.campaign is not None
        request = process.request_for_import(staged, ImportStatus.model_validate(state["import"]))
        return process.create(request, backend_for(staged.campaign.backend)).model_dump(mode="json")
    if step == "check":
        previous = state["campaign"]
        ref = CampaignRef.model_validate(previous.get("campaign") or previous)
        return process.check(ref, int(previous.get("polls", 0)), backend_for(ref.backend)).model_dump(mode="json")
    raise ValueError(f"unknown campaign step {step!r}")


@logger.inject_lambda_context(clear_state=True)
def step_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Step Functions task: create the campaign (idempotent) or check it once."""
    return run_step(event)
