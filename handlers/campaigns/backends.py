"""Campaign back ends: Amazon Pinpoint campaigns and Amazon Connect outbound campaigns (v2), one interface.

``create`` checks the segment and the template first (a missing one is a ``CampaignError`` and nothing is
created), then looks for a campaign already made for the same idempotency key (a tag on both services) and
returns it instead of creating a second one. ``progress`` reads **every** activity (all pages) of a Pinpoint
campaign, or the Connect campaign's state, and sums them up (models.summarize_activities / connect_progress).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from botocore.exceptions import ClientError

from englake.errors import client_error_code
from handlers.campaigns.models import (
    CampaignError,
    CampaignProgress,
    CampaignRef,
    CampaignRequest,
    connect_progress,
    summarize_activities,
)

#: The tag holding a campaign's idempotency key (both services take tags on CreateCampaign).
KEY_TAG = "englake:request"
#: Items per page of Pinpoint's list operations (their PageSize maximum is not documented; 100 is accepted).
PAGE_SIZE = "100"
_NOT_FOUND = {"NotFoundException", "ResourceNotFoundException"}


class CampaignBackend(Protocol):
    name: str

    def create(self, request: CampaignRequest) -> CampaignRef: ...

    def progress(self, ref: CampaignRef, polls: int) -> CampaignProgress: ...

    def segment_for_model(self, segment_name: str) -> str:
        """The service's segment of a dbt segment model's members (as the segment sync writes them), made once."""
        ...


def _pages(operation: Callable[..., dict[str, Any]], key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every ``Item`` of a paged Pinpoint list (``PageSize`` / ``Token`` / ``NextToken``)."""
    token = None
    while True:
        page = operation(**kwargs, PageSize=PAGE_SIZE, **({"Token": token} if token else {}))[key]
        yield from page.get("Item", [])
        token = page.get("NextToken")
        if not token:
            return


class PinpointCampaigns:
    """``CreateCampaign`` in one Pinpoint application, from a segment id and a template name."""

    name = "pinpoint"

    def __init__(self, client: Any, application_id: str) -> None:
        self.client = client
        self.application_id = application_id

    def _check(self, request: CampaignRequest) -> None:
        try:
            self.client.get_segment(ApplicationId=self.application_id, SegmentId=request.segment)
        except ClientError as error:
            if client_error_code(error) in _NOT_FOUND:
                raise CampaignError(
                    f"segment {request.segment!r} does not exist in Pinpoint application {self.application_id}"
                ) from None
            raise
        getter = self.client.get_sms_template if request.channel == "SMS" else self.client.get_email_template
        try:
            getter(TemplateName=request.template)
        except ClientError as error:
            if client_error_code(error) in _NOT_FOUND:
                raise CampaignError(f"{request.channel} template {request.template!r} does not exist") from None
            raise

    def find(self, key: str) -> str | None:
        """The id of the campaign already created for ``key`` (every page of GetCampaigns)."""
        campaigns = _pages(self.client.get_campaigns, "CampaignsResponse", ApplicationId=self.application_id)
        return next((c["Id"] for c in campaigns if (c.get("tags") or {}).get(KEY_TAG) == key), None)

    def create(self, request: CampaignRequest) -> CampaignRef:
        key = request.key()
        existing = self.find(key)
        if existing:
            return CampaignRef(
                backend="pinpoint", campaign_id=existing, owner=self.application_id, key=key, created=False
            )
        self._check(request)
        template = {"SMSTemplate" if request.channel == "SMS" else "EmailTemplate": {"Name": request.template}}
        response = self.client.create_campaign(
            ApplicationId=self.application_id,
            WriteCampaignRequest={
                "Name": request.name,
                "SegmentId": request.segment,
                "TemplateConfiguration": template,
                "Schedule": {
                    "StartTime": request.start_utc() or "IMMEDIATE",
                    "Frequency": "ONCE",
                    "IsLocalTime": False,
                    "Timezone": "UTC",
                },
                "HoldoutPercent": 0,
                "IsPaused": False,
                "tags": {KEY_TAG: key},
            },
        )
        campaign_id = response["CampaignResponse"]["Id"]
        return CampaignRef(backend="pinpoint", campaign_id=campaign_id, owner=self.application_id, key=key)

    def segment_for_model(self, segment_name: str) -> str:
        """A dimensional segment on the sync's attribute (SEGMENT_ATTRIBUTE contains the model's name)."""
        from englake.pinpoint_quotas import SEGMENT_ATTRIBUTE

        name = f"englake-{segment_name}"[:64]
        segments = _pages(self.client.get_segments, "SegmentsResponse", ApplicationId=self.application_id)
        found = next((s["Id"] for s in segments if s.get("Name") == name), None)
        if found:
            return found
        dimensions = {"Attributes": {SEGMENT_ATTRIBUTE: {"AttributeType": "INCLUSIVE", "Values": [segment_name]}}}
        created = self.client.create_segment(
            ApplicationId=self.application_id, WriteSegmentRequest={"Name": name, "Dimensions": dimensions}
        )
        return created["SegmentResponse"]["Id"]

    def activities(self, campaign_id: str) -> list[dict[str, Any]]:
        """Every activity of the campaign, all pages (the reference read ``Item[0]`` only)."""
        return list(
            _pages(
                self.client.get_campaign_activities,
                "ActivitiesResponse",
                ApplicationId=self.application_id,
                CampaignId=campaign_id,
            )
        )

    def progress(self, ref: CampaignRef, polls: int) -> CampaignProgress:
        campaign = self.client.get_campaign(ApplicationId=self.application_id, CampaignId=ref.campaign_id)
        status = campaign["CampaignResponse"].get("State", {}).get("CampaignStatus", "")
        activities = self.activities(ref.campaign_id)
        progress, detail = summarize_activities(activities)
        if status in ("INVALID", "DELETED"):
            progress, detail = "FAILED", f"campaign {status} ({detail})"
        return CampaignProgress(
            campaign=ref,
            progress=progress,
            detail=detail,
            activities=len(activities),
            successful_endpoints=sum(int(a.get("SuccessfulEndpointCount", 0) or 0) for a in activities),
            total_endpoints=sum(int(a.get("TotalEndpointCount", 0) or 0) for a in activities),
            polls=polls,
        )


class ConnectCampaigns:
    """An agentless SMS or email campaign (Connect outbound campaigns v2) on a Customer Profiles segment."""

    name = "connect"

    def __init__(
        self,
        client: Any,
        instance_id: str,
        *,
        profiles_client: Any,
        domain_name: str,
        source: str,
        end_days: int = 30,
    ) -> None:
        """``source``: the sending phone number ARN (SMS) or email address (EMAIL)."""
        self.client = client
        self.instance_id = instance_id
        self.profiles = profiles_client
        self.domain_name = domain_name
        self.source = source
        self.end_days = end_days

    def _check(self, request: CampaignRequest) -> None:
        name = request.segment.rsplit("/", 1)[-1]
        try:
            self.profiles.get_segment_definition(DomainName=self.domain_name, SegmentDefinitionName=name)
        except ClientError as error:
            if client_error_code(error) in _NOT_FOUND:
                raise CampaignError(
                    f"segment definition {name!r} does not exist in Customer Profiles domain {self.domain_name}"
                ) from None
            raise
        if not request.template.startswith("arn:"):
            raise CampaignError(f"template {request.template!r}: Connect campaigns take a message template ARN")

    def segment_for_model(self, segment_name: str) -> str:
        """A segment definition on the profile attribute the segment sync writes (``seg_<name>`` = ``"1"``)."""
        from segmentation.destinations.customer_profiles import DEFAULT_PREFIX, MEMBER

        name = f"englake-{segment_name}"[:64]
        try:
            found = self.profiles.get_segment_definition(DomainName=self.domain_name, SegmentDefinitionName=name)
            return found["SegmentDefinitionArn"]
        except ClientError as error:
            if client_error_code(error) not in _NOT_FOUND:
                raise
        dimension = {
            "ProfileAttributes": {
                "Attributes": {f"{DEFAULT_PREFIX}{segment_name}": {"DimensionType": "INCLUSIVE", "Values": [MEMBER]}}
            }
        }
        created = self.profiles.create_segment_definition(
            DomainName=self.domain_name,
            SegmentDefinitionName=name,
            DisplayName=segment_name,
            SegmentGroups={"Include": "ALL", "Groups": [{"Type": "ALL", "Dimensions": [dimension]}]},
        )
        return created["SegmentDefinitionArn"]

    def find(self, key: str) -> tuple[str, str] | None:
        token = None
        while True:
            kwargs: dict[str, Any] = {
                "maxResults": 50,
                "filters": {"instanceIdFilter": {"value": self.instance_id, "operator": "Eq"}},
            }
            if token:
                kwargs["nextToken"] = token
            page = self.client.list_campaigns(**kwargs)
            for summary in page.get("campaignSummaryList", []):
                if summary["name"].endswith(f"-{key[:12]}"):
                    tags = self.client.list_tags_for_resource(arn=summary["arn"]).get("tags", {})
                    if tags.get(KEY_TAG) == key:
                        return summary["id"], summary["arn"]
            token = page.get("nextToken")
            if not token:
                return None

    def create(self, request: CampaignRequest) -> CampaignRef:
        from datetime import UTC, datetime, timedelta

        key = request.key()
        existing = self.find(key)
        if existing:
            campaign_id = existing[0]
            created = False
        else:
            self._check(request)
            start = request.start or datetime.now(UTC)
            outbound = {"agentless": {}}
            if request.channel == "SMS":
                subtype = {
                    "sms": {
                        "outboundMode": outbound,
                        "defaultOutboundConfig": {
                            "connectSourcePhoneNumberArn": self.source,
                            "wisdomTemplateArn": request.template,
                        },
                    }
                }
            else:
                subtype = {
                    "email": {
                        "outboundMode": outbound,
                        "defaultOutboundConfig": {
                            "connectSourceEmailAddress": self.source,
                            "wisdomTemplateArn": request.template,
                        },
                    }
                }
            response = self.client.create_campaign(
                # The key's head in the name lets find() skip the tag look-up for other campaigns.
                name=f"{request.name[:50]}-{key[:12]}",
                connectInstanceId=self.instance_id,
                channelSubtypeConfig=subtype,
                source={"customerProfilesSegmentArn": request.segment},
                schedule={"startTime": start, "endTime": start + timedelta(days=self.end_days)},
                tags={KEY_TAG: key},
            )
            campaign_id = response["id"]
            created = True
        state = self.client.get_campaign_state(id=campaign_id)["state"]
        if state == "Initialized":
            self.client.start_campaign(id=campaign_id)
        return CampaignRef(backend="connect", campaign_id=campaign_id, owner=self.instance_id, key=key, created=created)

    def progress(self, ref: CampaignRef, polls: int) -> CampaignProgress:
        state = self.client.get_campaign_state(id=ref.campaign_id)["state"]
        progress = connect_progress(state)
        return CampaignProgress(campaign=ref, progress=progress, detail=state, activities=1, polls=polls)
