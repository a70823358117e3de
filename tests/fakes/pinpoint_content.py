"""A fake of Amazon Pinpoint's *content* operations: message templates (with versions), campaigns (with versions and
A/B treatments) and journeys. It composes with ``PinpointFake`` (endpoints, jobs) on the same ``pinpoint`` client:
each answers its own operations (see ``base.py``).

Behaviour follows the Pinpoint API reference:
- templates are versioned: Create makes version "1", the active version; ``UpdateXTemplate`` with
  ``CreateNewVersion=true`` adds a version without activating it, otherwise it rewrites the latest (or ``Version``);
  ``GetXTemplate`` without ``Version`` returns the **active** version; ``UpdateTemplateActiveVersion`` moves it;
- ``CreateCampaign`` makes version 1 and gives the ``AdditionalTreatments`` ids "1", "2", … in order (the main
  treatment is "0" in event-stream records); every ``UpdateCampaign`` adds a version; ``GetCampaign`` is the
  latest, ``GetCampaignVersion`` any; dates are ISO-8601 strings as the service returns them;
- unknown names and ids are ``NotFoundException`` (404).

Applications are not checked here (``PinpointFake`` owns them), so this fake can be used alone.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import RestJsonFake, bad_request, not_found

#: Template types and their request/response members (botocore pinpoint model).
_TEMPLATE_KINDS = {
    "EMAIL": ("EmailTemplateRequest", "EmailTemplateResponse"),
    "SMS": ("SMSTemplateRequest", "SMSTemplateResponse"),
    "PUSH": ("PushNotificationTemplateRequest", "PushNotificationTemplateResponse"),
    "VOICE": ("VoiceTemplateRequest", "VoiceTemplateResponse"),
}
_URL_TYPES = {"email": "EMAIL", "sms": "SMS", "push": "PUSH", "voice": "VOICE"}


class PinpointContentFake(RestJsonFake):
    service_name = "pinpoint"

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self._clock = clock or (lambda: datetime.now(UTC))
        #: (type, name) → {"versions": {"1": {...}}, "active": "1"}
        self.templates: dict[tuple[str, str], dict[str, Any]] = {}
        #: (app, campaign id) → list of CampaignResponse, index = version - 1
        self.campaigns: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.journeys: dict[tuple[str, str], dict[str, Any]] = {}

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    # -- templates ------------------------------------------------------------------------------------------------

    def _create_template(self, kind: str, name: str, request: dict[str, Any]) -> dict:
        if (kind, name) in self.templates:
            raise bad_request(f"Template {name} of type {kind} already exists")
        now = self._now()
        self.templates[(kind, name)] = {
            "versions": {"1": {**copy.deepcopy(request), "CreationDate": now, "LastModifiedDate": now}},
            "active": "1",
        }
        arn = f"arn:aws:mobiletargeting:us-east-1:123456789012:templates/{name}/{kind}"
        return {"CreateTemplateMessageBody": {"Arn": arn, "Message": "Created", "RequestID": str(uuid.uuid4())}}

    def _update_template(
        self, kind: str, name: str, request: dict[str, Any], new_version: bool | None, version: str | None
    ) -> dict:
        template = self._template(kind, name)
        versions = template["versions"]
        now = self._now()
        if new_version:
            number = str(max(int(v) for v in versions) + 1)
            versions[number] = {**copy.deepcopy(request), "CreationDate": now, "LastModifiedDate": now}
        else:
            number = version or str(max(int(v) for v in versions))
            if number not in versions:
                raise not_found(f"Template {name} version {number} not found")
            versions[number] = {
                **copy.deepcopy(request),
                "CreationDate": versions[number]["CreationDate"],
                "LastModifiedDate": now,
            }
        return {"MessageBody": {"Message": "Accepted", "RequestID": str(uuid.uuid4())}}

    def _get_template(self, kind: str, name: str, version: str | None) -> dict:
        template = self._template(kind, name)
        number = version or template["active"]
        if number not in template["versions"]:
            raise not_found(f"Template {name} version {number} not found")
        body = copy.deepcopy(template["versions"][number])
        body.pop("tags", None)
        return {
            _TEMPLATE_KINDS[kind][1]: {
                **body,
                "Arn": f"arn:aws:mobiletargeting:us-east-1:123456789012:templates/{name}/{kind}",
                "TemplateName": name,
                "TemplateType": kind,
                "Version": number,
            }
        }

    def _template(self, kind: str, name: str) -> dict[str, Any]:
        if (kind, name) not in self.templates:
            raise not_found(f"Template {name} of type {kind} does not exist")
        return self.templates[(kind, name)]

    def CreateEmailTemplate(self, TemplateName: str, EmailTemplateRequest: dict) -> dict:
        return self._create_template("EMAIL", TemplateName, EmailTemplateRequest)

    def UpdateEmailTemplate(
        self,
        TemplateName: str,
        EmailTemplateRequest: dict,
        CreateNewVersion: bool | None = None,
        Version: str | None = None,
    ) -> dict:
        return self._update_template("EMAIL", TemplateName, EmailTemplateRequest, CreateNewVersion, Version)

    def GetEmailTemplate(self, TemplateName: str, Version: str | None = None) -> dict:
        return self._get_template("EMAIL", TemplateName, Version)

    def CreateSmsTemplate(self, TemplateName: str, SMSTemplateRequest: dict) -> dict:
        return self._create_template("SMS", TemplateName, SMSTemplateRequest)

    def GetSmsTemplate(self, TemplateName: str, Version: str | None = None) -> dict:
        return self._get_template("SMS", TemplateName, Version)

    def CreatePushTemplate(self, TemplateName: str, PushNotificationTemplateRequest: dict) -> dict:
        return self._create_template("PUSH", TemplateName, PushNotificationTemplateRequest)

    def GetPushTemplate(self, TemplateName: str, Version: str | None = None) -> dict:
        return self._get_template("PUSH", TemplateName, Version)

    def CreateVoiceTemplate(self, TemplateName: str, VoiceTemplateRequest: dict) -> dict:
        return self._create_template("VOICE", TemplateName, VoiceTemplateRequest)

    def GetVoiceTemplate(self, TemplateName: str, Version: str | None = None) -> dict:
        return self._get_template("VOICE", TemplateName, Version)

    def UpdateTemplateActiveVersion(
        self, TemplateName: str, TemplateType: str, TemplateActiveVersionRequest: dict
    ) -> dict:
        kind = _URL_TYPES.get(TemplateType.lower())
        if kind is None:
            raise bad_request(f"Invalid template type {TemplateType}")
        template = self._template(kind, TemplateName)
        version = str(TemplateActiveVersionRequest.get("Version"))
        if version not in template["versions"]:
            raise not_found(f"Template {TemplateName} version {version} not found")
        template["active"] = version
        return {"MessageBody": {"Message": "Accepted", "RequestID": str(uuid.uuid4())}}

    # -- campaigns ------------------------------------------------------------------------------------------------

    def CreateCampaign(self, ApplicationId: str, WriteCampaignRequest: dict) -> dict:
        campaign_id = uuid.uuid4().hex
        now = self._now()
        response = self._campaign_version(ApplicationId, campaign_id, WriteCampaignRequest, 1, now, now)
        self.campaigns[(ApplicationId, campaign_id)] = [response]
        return {"CampaignResponse": copy.deepcopy(response)}

    def UpdateCampaign(self, ApplicationId: str, CampaignId: str, WriteCampaignRequest: dict) -> dict:
        versions = self._campaign(ApplicationId, CampaignId)
        merged = {**versions[-1], **WriteCampaignRequest}
        response = self._campaign_version(
            ApplicationId, CampaignId, merged, len(versions) + 1, versions[0]["CreationDate"], self._now()
        )
        versions.append(response)
        return {"CampaignResponse": copy.deepcopy(response)}

    def GetCampaign(self, ApplicationId: str, CampaignId: str) -> dict:
        return {"CampaignResponse": copy.deepcopy(self._campaign(ApplicationId, CampaignId)[-1])}

    def GetCampaignVersion(self, ApplicationId: str, CampaignId: str, Version: str) -> dict:
        versions = self._campaign(ApplicationId, CampaignId)
        if not Version.isdigit() or not 1 <= int(Version) <= len(versions):
            raise not_found(f"Campaign {CampaignId} version {Version} not found")
        return {"CampaignResponse": copy.deepcopy(versions[int(Version) - 1])}

    def GetCampaignVersions(
        self, ApplicationId: str, CampaignId: str, PageSize: str | None = None, Token: str | None = None
    ) -> dict:
        versions = list(reversed(self._campaign(ApplicationId, CampaignId)))
        return {"CampaignsResponse": _page(versions, PageSize, Token)}

    def GetCampaigns(self, ApplicationId: str, PageSize: str | None = None, Token: str | None = None) -> dict:
        latest = [versions[-1] for (app, _), versions in self.campaigns.items() if app == ApplicationId]
        return {"CampaignsResponse": _page(latest, PageSize, Token)}

    def _campaign(self, app: str, campaign_id: str) -> list[dict[str, Any]]:
        if (app, campaign_id) not in self.campaigns:
            raise not_found(f"Campaign {campaign_id} not found in application {app}")
        return self.campaigns[(app, campaign_id)]

    @staticmethod
    def _campaign_version(
        app: str, campaign_id: str, request: dict[str, Any], version: int, created: str, modified: str
    ) -> dict[str, Any]:
        response = copy.deepcopy(request)
        response["AdditionalTreatments"] = [
            {**{k: v for k, v in treatment.items() if k != "Id"}, "Id": str(index)}
            for index, treatment in enumerate(request.get("AdditionalTreatments") or [], start=1)
        ]
        response.update(
            {
                "ApplicationId": app,
                "Id": campaign_id,
                "Arn": f"arn:aws:mobiletargeting:us-east-1:123456789012:apps/{app}/campaigns/{campaign_id}",
                "CreationDate": created,
                "LastModifiedDate": modified,
                "Version": version,
                "SegmentVersion": request.get("SegmentVersion", 1),
                "State": {"CampaignStatus": "SCHEDULED"},
            }
        )
        return response

    # -- journeys -------------------------------------------------------------------------------------------------

    def CreateJourney(self, ApplicationId: str, WriteJourneyRequest: dict) -> dict:
        journey_id = uuid.uuid4().hex
        now = self._now()
        response = {
            **copy.deepcopy(WriteJourneyRequest),
            "ApplicationId": ApplicationId,
            "Id": journey_id,
            "CreationDate": now,
            "LastModifiedDate": now,
            "State": WriteJourneyRequest.get("State", "DRAFT"),
        }
        self.journeys[(ApplicationId, journey_id)] = response
        return {"JourneyResponse": copy.deepcopy(response)}

    def ListJourneys(self, ApplicationId: str, PageSize: str | None = None, Token: str | None = None) -> dict:
        journeys = [journey for (app, _), journey in self.journeys.items() if app == ApplicationId]
        return {"JourneysResponse": _page(journeys, PageSize, Token)}

    def GetJourney(self, ApplicationId: str, JourneyId: str) -> dict:
        if (ApplicationId, JourneyId) not in self.journeys:
            raise not_found(f"Journey {JourneyId} not found in application {ApplicationId}")
        return {"JourneyResponse": copy.deepcopy(self.journeys[(ApplicationId, JourneyId)])}


def _page(items: list[dict[str, Any]], page_size: str | None, token: str | None) -> dict[str, Any]:
    """One page of a Pinpoint list response (``Item`` + ``NextToken``); the token is the next start index."""
    start, size = int(token or 0), int(page_size or 50)
    page: dict[str, Any] = {"Item": copy.deepcopy(items[start : start + size])}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return page
