"""A fake of Amazon Connect outbound campaigns v2 below a real boto3 ``connectcampaignsv2`` client (``base.py``).

Campaigns belong to a Connect instance (``add_instance``; another id is ``ResourceNotFoundException``). A new
campaign is ``Initialized``; ``StartCampaign`` moves it to ``Running`` (only from Initialized, else
``InvalidCampaignStateException``, 409); then each ``GetCampaignState`` takes the next state of ``state_script``
(default: Running, Completed), so tests play any documented sequence (``CampaignState``: Initialized, Running,
Paused, Stopped, Failed, Completed). ``source.customerProfilesSegmentArn`` must name a segment definition of the
linked ``CustomerProfilesFake`` when one is given; tags are kept and listed by ARN.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

from tests.fakes.base import FakeServiceError, RestJsonFake, bad_request

CAMPAIGN_STATES = ("Initialized", "Running", "Paused", "Stopped", "Failed", "Completed")


def not_found(message: str) -> FakeServiceError:
    return FakeServiceError("ResourceNotFoundException", message, 404)


class ConnectCampaignsFake(RestJsonFake):
    service_name = "connectcampaignsv2"

    def __init__(self, profiles: Any | None = None, state_script: list[str] | None = None) -> None:
        super().__init__()
        self.profiles = profiles
        self.state_script = list(state_script or ["Running", "Completed"])
        self.instances: set[str] = set()
        self.campaigns: dict[str, dict[str, Any]] = {}
        self._scripts: dict[str, list[str]] = {}

    def add_instance(self, instance_id: str) -> str:
        self.instances.add(instance_id)
        return instance_id

    def _campaign(self, campaign_id: str) -> dict[str, Any]:
        if campaign_id not in self.campaigns:
            raise not_found(f"Campaign {campaign_id} not found")
        return self.campaigns[campaign_id]

    def CreateCampaign(self, name: str, connectInstanceId: str, **rest: Any) -> dict:
        if connectInstanceId not in self.instances:
            raise not_found(f"Connect instance {connectInstanceId} not found")
        subtypes = rest.get("channelSubtypeConfig") or {}
        if not subtypes:
            raise bad_request("channelSubtypeConfig must name at least one channel subtype")
        segment_arn = (rest.get("source") or {}).get("customerProfilesSegmentArn")
        if segment_arn and self.profiles is not None:
            domain, name_part = _segment_of(segment_arn)
            if (domain, name_part) not in self.profiles.segments:
                raise not_found(f"Segment {segment_arn} not found")
        schedule = rest.get("schedule")
        if schedule is not None and schedule["endTime"] <= schedule["startTime"]:
            raise bad_request("schedule endTime must be after startTime")
        campaign_id = str(uuid.uuid4())
        arn = f"arn:aws:connect-campaigns:us-east-1:123456789012:campaign/{campaign_id}"
        self.campaigns[campaign_id] = {
            "id": campaign_id,
            "arn": arn,
            "name": name,
            "connectInstanceId": connectInstanceId,
            "channelSubtypeConfig": subtypes,
            "source": rest.get("source"),
            "schedule": schedule,
            "tags": dict(rest.get("tags") or {}),
            "state": "Initialized",
        }
        return {"id": campaign_id, "arn": arn, "tags": self.campaigns[campaign_id]["tags"]}

    def DescribeCampaign(self, id: str) -> dict:
        campaign = self._campaign(id)
        return {"campaign": {k: v for k, v in campaign.items() if k not in ("state",) and v is not None}}

    def ListCampaigns(self, maxResults: int | None = None, nextToken: str | None = None, filters: dict | None = None):
        instance = ((filters or {}).get("instanceIdFilter") or {}).get("value")
        found = [c for c in self.campaigns.values() if instance is None or c["connectInstanceId"] == instance]
        start, size = int(nextToken or 0), int(maxResults or 50)
        page = found[start : start + size]
        response: dict[str, Any] = {
            "campaignSummaryList": [
                {
                    "id": c["id"],
                    "arn": c["arn"],
                    "name": c["name"],
                    "connectInstanceId": c["connectInstanceId"],
                    "channelSubtypes": [
                        s.upper() if s != "whatsApp" else "WHATSAPP" for s in c["channelSubtypeConfig"]
                    ],
                }
                for c in page
            ]
        }
        if start + size < len(found):
            response["nextToken"] = str(start + size)
        return response

    def ListTagsForResource(self, arn: str) -> dict:
        arn = unquote(arn)
        for campaign in self.campaigns.values():
            if campaign["arn"] == arn:
                return {"tags": campaign["tags"]}
        raise not_found(f"Resource {arn} not found")

    def StartCampaign(self, id: str) -> dict:
        campaign = self._campaign(id)
        if campaign["state"] != "Initialized":
            raise FakeServiceError(
                "InvalidCampaignStateException", f"Campaign {id} is {campaign['state']}, not Initialized", 409
            )
        campaign["state"] = "Running"
        self._scripts[id] = list(self.state_script)
        return {}

    def GetCampaignState(self, id: str) -> dict:
        campaign = self._campaign(id)
        script = self._scripts.get(id)
        if script:
            campaign["state"] = script.pop(0)
        assert campaign["state"] in CAMPAIGN_STATES
        return {"state": campaign["state"]}


def _segment_of(arn: str) -> tuple[str, str]:
    """``arn:aws:profile:…:domains/<domain>/segment-definitions/<name>`` → (domain, name)."""
    parts = arn.split(":", 5)[-1].split("/")
    return parts[1], parts[3]
