"""Amazon Pinpoint segments, campaign listing and campaign activities, on top of ``PinpointContentFake``
(templates, campaigns) and composed with ``PinpointFake`` (endpoints, import jobs) on one ``pinpoint`` client.

- ``GetSegment`` knows dimensional segments (``CreateSegment``) and the import segments that ``PinpointFake``'s
  import jobs defined (``SegmentType: IMPORT``); another id is ``NotFoundException``.
- ``CreateCampaign`` refuses (404, nothing stored) a segment or template that does not exist, and a
  ``Schedule.StartTime`` that is neither ``IMMEDIATE`` nor an ISO-8601 time with an offset.
- ``GetCampaigns`` pages campaigns with their ``tags``.
- ``GetCampaignActivities`` pages the campaign's activities; each call plays the next step of ``activity_script``
  (a list of activity lists, ``ActivityResponse`` shapes), so a test can play no activity, PENDING, PAUSED,
  CANCELLED, several activities and ``Result: FAIL``; the last step repeats.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

from tests.fakes.base import bad_request, not_found
from tests.fakes.pinpoint import PinpointFake
from tests.fakes.pinpoint_content import PinpointContentFake

#: Activity states of the Pinpoint API spec (ActivityResponse.State).
ARN_PREFIX = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/"
ACTIVITY_STATES = ("PENDING", "INITIALIZING", "RUNNING", "PAUSED", "CANCELLED", "COMPLETED")


def activity(state: str, result: str | None = None, **fields: Any) -> dict[str, Any]:
    """One ``ActivityResponse`` (ApplicationId, CampaignId and Id are filled in when played)."""
    item: dict[str, Any] = {"State": state, "TreatmentId": "0", **fields}
    if result is not None:
        item["Result"] = result
    return item


#: No activity yet, one pending, running, then two activities (two treatments) completed with SUCCESS.
DEFAULT_SCRIPT: list[list[dict[str, Any]]] = [
    [],
    [activity("PENDING")],
    [activity("RUNNING", TotalEndpointCount=3)],
    [
        activity("COMPLETED", "SUCCESS", SuccessfulEndpointCount=2, TotalEndpointCount=2),
        activity("COMPLETED", "SUCCESS", SuccessfulEndpointCount=1, TotalEndpointCount=1, TreatmentId="1"),
    ],
]


class PinpointCampaignsFake(PinpointContentFake):
    def __init__(self, endpoints: PinpointFake | None = None, activity_script: list[list[dict]] | None = None):
        super().__init__()
        self.endpoints = endpoints
        self.activity_script = activity_script if activity_script is not None else DEFAULT_SCRIPT
        self.segments: dict[tuple[str, str], dict[str, Any]] = {}
        self._played: dict[tuple[str, str], int] = {}

    # -- segments -------------------------------------------------------------------------------------------------

    def CreateSegment(self, ApplicationId: str, WriteSegmentRequest: dict) -> dict:
        segment_id = uuid.uuid4().hex
        segment = {
            **copy.deepcopy(WriteSegmentRequest),
            "ApplicationId": ApplicationId,
            "Id": segment_id,
            "Arn": f"{ARN_PREFIX}{ApplicationId}/segments/{segment_id}",
            "CreationDate": self._now(),
            "SegmentType": "DIMENSIONAL",
            "Version": 1,
        }
        self.segments[(ApplicationId, segment_id)] = segment
        return {"SegmentResponse": copy.deepcopy(segment)}

    def GetSegments(self, ApplicationId: str, PageSize: str | None = None, Token: str | None = None) -> dict:
        segments = [s for (app, _), s in self.segments.items() if app == ApplicationId]
        start, size = int(Token or 0), int(PageSize or 50)
        page: dict[str, Any] = {"Item": copy.deepcopy(segments[start : start + size])}
        if start + size < len(segments):
            page["NextToken"] = str(start + size)
        return {"SegmentsResponse": page}

    def _segment(self, application_id: str, segment_id: str) -> dict[str, Any] | None:
        if (application_id, segment_id) in self.segments:
            return self.segments[(application_id, segment_id)]
        jobs = self.endpoints.import_jobs.get(application_id, {}) if self.endpoints else {}
        for job in jobs.values():
            definition = job["Definition"]
            if definition.get("SegmentId") == segment_id:
                return {
                    "ApplicationId": application_id,
                    "Id": segment_id,
                    "Arn": f"{ARN_PREFIX}{application_id}/segments/{segment_id}",
                    "CreationDate": job["CreationDate"],
                    "Name": definition.get("SegmentName", ""),
                    "SegmentType": "IMPORT",
                    "ImportDefinition": {
                        "ExternalId": "",
                        "Format": definition["Format"],
                        "S3Url": definition["S3Url"],
                        "RoleArn": definition["RoleArn"],
                        "Size": job["TotalProcessed"] - job["TotalFailures"],
                    },
                    "Version": 1,
                }
        return None

    def GetSegment(self, ApplicationId: str, SegmentId: str) -> dict:
        segment = self._segment(ApplicationId, SegmentId)
        if segment is None:
            raise not_found(f"Segment {SegmentId} not found in application {ApplicationId}")
        return {"SegmentResponse": copy.deepcopy(segment)}

    # -- campaigns ------------------------------------------------------------------------------------------------

    def CreateCampaign(self, ApplicationId: str, WriteCampaignRequest: dict) -> dict:
        request = WriteCampaignRequest
        if self._segment(ApplicationId, request.get("SegmentId", "")) is None:
            raise not_found(f"Segment {request.get('SegmentId')} not found in application {ApplicationId}")
        for kind, config in (request.get("TemplateConfiguration") or {}).items():
            template_type = {"SMSTemplate": "SMS", "EmailTemplate": "EMAIL"}.get(kind, kind)
            if (template_type, config.get("Name")) not in self.templates:
                raise not_found(f"Template {config.get('Name')} of type {template_type} does not exist")
        start = (request.get("Schedule") or {}).get("StartTime", "IMMEDIATE")
        if start != "IMMEDIATE":
            try:
                parsed = datetime.fromisoformat(start.replace("Z", "+00:00"))
            except ValueError:
                raise bad_request(f"Schedule StartTime {start!r} is not ISO-8601") from None
            if parsed.tzinfo is None:
                raise bad_request(f"Schedule StartTime {start!r} has no offset")
        return super().CreateCampaign(ApplicationId, WriteCampaignRequest)

    def GetCampaigns(self, ApplicationId: str, PageSize: str | None = None, Token: str | None = None) -> dict:
        campaigns = [versions[-1] for (app, _), versions in self.campaigns.items() if app == ApplicationId]
        start, size = int(Token or 0), int(PageSize or 50)
        page: dict[str, Any] = {"Item": copy.deepcopy(campaigns[start : start + size])}
        if start + size < len(campaigns):
            page["NextToken"] = str(start + size)
        return {"CampaignsResponse": page}

    def GetCampaignActivities(
        self, ApplicationId: str, CampaignId: str, PageSize: str | None = None, Token: str | None = None
    ) -> dict:
        self._campaign(ApplicationId, CampaignId)
        key = (ApplicationId, CampaignId)
        if Token is None:  # a new read of the activities plays the next step
            self._played[key] = self._played.get(key, -1) + 1
        step = min(self._played.get(key, 0), len(self.activity_script) - 1)
        items = [
            {**copy.deepcopy(a), "ApplicationId": ApplicationId, "CampaignId": CampaignId, "Id": f"act-{i}"}
            for i, a in enumerate(self.activity_script[step] if self.activity_script else [])
        ]
        for item in items:
            assert item["State"] in ACTIVITY_STATES or item["State"].startswith("UNDOCUMENTED")
        start, size = int(Token or 0), int(PageSize or 50)
        page: dict[str, Any] = {"Item": items[start : start + size]}
        if start + size < len(items):
            page["NextToken"] = str(start + size)
        return {"ActivitiesResponse": page}
