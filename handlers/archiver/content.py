"""What a campaign or journey sent: its message content, fetched as it was at send time where Pinpoint says so.

- Campaigns: ``GetCampaign``; if the campaign was modified after the send, step back through
  ``GetCampaignVersion`` to the version that was current at the event time. The treatment is the one whose ``Id``
  equals the event's ``treatment_id`` ("0" = the main treatment); the reference took the first additional treatment.
- Journeys: ``GetJourney`` → ``Activities[journey_activity_id]``, then the message activity among its keys
  (EMAIL, SMS, PUSH, CUSTOM, ContactCenter), whatever other keys (``Description``, …) it has.
- Templates are fetched at the version the campaign or journey activity pins; without a pin Pinpoint sends the
  template's *active* version, which is what ``GetXTemplate`` without a version returns.

Every service error propagates (throttling included), so the SQS message is retried rather than archived empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from englake.errors import InputError
from englake.timestamps import parse_iso
from handlers.archiver.events import ArchiveRequest

#: Campaign ``delivery_type`` values that are push notifications, and the MessageConfiguration key of each.
PUSH_CHANNELS = {
    "GCM": "GCMMessage",
    "APNS": "APNSMessage",
    "APNS_SANDBOX": "APNSMessage",
    "APNS_VOIP": "APNSMessage",
    "APNS_VOIP_SANDBOX": "APNSMessage",
    "ADM": "ADMMessage",
    "BAIDU": "BaiduMessage",
    "PUSH": "DefaultMessage",
}
#: Journey activity keys that send a message.
JOURNEY_MESSAGE_ACTIVITIES = ("EMAIL", "SMS", "PUSH", "CUSTOM", "ContactCenter")


class ContentNotFound(InputError):
    """The campaign, treatment, journey activity or template the event names does not exist (or has no content)."""


@dataclass(frozen=True)
class Content:
    """The message pieces before rendering."""

    channel: str  # EMAIL | SMS | PUSH | VOICE | CUSTOM
    subject: str | None = None
    html: str | None = None
    text: str | None = None
    from_address: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    #: Where it came from, for the archive's headers: "template:<name>:<version>" or "inline".
    origin: str = "inline"
    campaign_version: int | None = None


def fetch_content(pinpoint: Any, request: ArchiveRequest) -> Content:
    if request.kind == "campaign":
        return _campaign_content(pinpoint, request)
    if request.kind == "journey":
        return _journey_content(pinpoint, request)
    raise ValueError(f"no Pinpoint content for a {request.kind} request")


def campaign_at(pinpoint: Any, application_id: str, campaign_id: str, at: datetime) -> dict[str, Any]:
    """The campaign version that was current at ``at``: the latest whose LastModifiedDate is not after it."""
    try:
        campaign = pinpoint.get_campaign(ApplicationId=application_id, CampaignId=campaign_id)["CampaignResponse"]
    except pinpoint.exceptions.NotFoundException:
        raise ContentNotFound(f"campaign {campaign_id} not found in application {application_id}") from None
    while _modified(campaign) > at and int(campaign.get("Version") or 1) > 1:
        previous = str(int(campaign["Version"]) - 1)
        campaign = pinpoint.get_campaign_version(
            ApplicationId=application_id, CampaignId=campaign_id, Version=previous
        )["CampaignResponse"]
    return campaign


def treatment(campaign: dict[str, Any], treatment_id: str | None) -> dict[str, Any]:
    """The treatment the event names: "0" is the campaign's own, others match ``AdditionalTreatments[].Id``."""
    if treatment_id in (None, "", "0"):
        return campaign
    for candidate in campaign.get("AdditionalTreatments") or []:
        if str(candidate.get("Id")) == str(treatment_id):
            return candidate
    raise ContentNotFound(f"campaign {campaign.get('Id')} has no treatment {treatment_id!r}")


def _campaign_content(pinpoint: Any, request: ArchiveRequest) -> Content:
    assert request.application_id
    assert request.campaign_id
    campaign = campaign_at(pinpoint, request.application_id, request.campaign_id, request.event_time)
    chosen = treatment(campaign, request.treatment_id)
    templates = chosen.get("TemplateConfiguration") or {}
    messages = chosen.get("MessageConfiguration") or {}
    channel = (request.channel or _guess_channel(templates, messages)).upper()
    version = int(campaign.get("Version") or 1)
    if channel == "EMAIL":
        if (template := templates.get("EmailTemplate")) and template.get("Name"):
            return _with_version(_email_template(pinpoint, template["Name"], template.get("Version")), version)
        inline = messages.get("EmailMessage") or {}
        content = Content(
            "EMAIL", inline.get("Title"), inline.get("HtmlBody"), inline.get("Body"), inline.get("FromAddress")
        )
    elif channel == "SMS":
        if (template := templates.get("SMSTemplate")) and template.get("Name"):
            return _with_version(_sms_template(pinpoint, template["Name"], template.get("Version")), version)
        content = Content("SMS", text=(messages.get("SMSMessage") or {}).get("Body"))
    elif channel in PUSH_CHANNELS:
        if (template := templates.get("PushTemplate")) and template.get("Name"):
            return _with_version(_push_template(pinpoint, template["Name"], template.get("Version")), version)
        inline = messages.get(PUSH_CHANNELS[channel]) or messages.get("DefaultMessage") or {}
        content = Content("PUSH", subject=inline.get("Title"), text=inline.get("Body") or inline.get("RawContent"))
    elif channel == "VOICE":
        if (template := templates.get("VoiceTemplate")) and template.get("Name"):
            return _with_version(_voice_template(pinpoint, template["Name"], template.get("Version")), version)
        raise ContentNotFound(f"campaign {request.campaign_id} has no voice template")
    else:
        raise ContentNotFound(f"campaign {request.campaign_id}: channel {channel!r} has no archivable content")
    if not (content.html or content.text or content.subject):
        raise ContentNotFound(f"campaign {request.campaign_id} treatment {request.treatment_id}: no {channel} content")
    return _with_version(content, version)


def _journey_content(pinpoint: Any, request: ArchiveRequest) -> Content:
    assert request.application_id
    assert request.journey_id
    assert request.journey_activity_id
    try:
        journey = pinpoint.get_journey(ApplicationId=request.application_id, JourneyId=request.journey_id)[
            "JourneyResponse"
        ]
    except pinpoint.exceptions.NotFoundException:
        raise ContentNotFound(f"journey {request.journey_id} not found") from None
    activity = (journey.get("Activities") or {}).get(request.journey_activity_id)
    if not activity:
        raise ContentNotFound(f"journey {request.journey_id} has no activity {request.journey_activity_id!r}")
    kind = next((k for k in JOURNEY_MESSAGE_ACTIVITIES if isinstance(activity.get(k), dict)), None)
    if kind is None:
        raise ContentNotFound(
            f"journey {request.journey_id} activity {request.journey_activity_id} sends no message "
            f"(keys: {', '.join(sorted(activity))})"
        )
    message = activity[kind]
    name, version = message.get("TemplateName"), message.get("TemplateVersion")
    if not name:
        raise ContentNotFound(f"journey {request.journey_id} activity {request.journey_activity_id} has no template")
    if kind == "EMAIL":
        content = _email_template(pinpoint, name, version)
        from_address = (message.get("MessageConfig") or {}).get("FromAddress")
        return Content(**{**content.__dict__, "from_address": from_address or content.from_address})
    if kind == "SMS":
        return _sms_template(pinpoint, name, version)
    if kind == "PUSH":
        return _push_template(pinpoint, name, version)
    raise ContentNotFound(f"journey activity type {kind} is not archived")


def _email_template(pinpoint: Any, name: str, version: str | None) -> Content:
    template = _get(pinpoint.get_email_template, "EmailTemplateResponse", name, version)
    subject, html, text = template.get("Subject"), template.get("HtmlPart"), template.get("TextPart")
    return _from_template("EMAIL", name, template, subject=subject, html=html, text=text)


def _sms_template(pinpoint: Any, name: str, version: str | None) -> Content:
    template = _get(pinpoint.get_sms_template, "SMSTemplateResponse", name, version)
    return _from_template("SMS", name, template, text=template.get("Body"))


def _push_template(pinpoint: Any, name: str, version: str | None) -> Content:
    template = _get(pinpoint.get_push_template, "PushNotificationTemplateResponse", name, version)
    default = template.get("Default") or {}
    return _from_template("PUSH", name, template, subject=default.get("Title"), text=default.get("Body"))


def _voice_template(pinpoint: Any, name: str, version: str | None) -> Content:
    template = _get(pinpoint.get_voice_template, "VoiceTemplateResponse", name, version)
    return _from_template("VOICE", name, template, text=template.get("Body"))


def _from_template(
    channel: str,
    name: str,
    template: dict[str, Any],
    *,
    subject: str | None = None,
    html: str | None = None,
    text: str | None = None,
) -> Content:
    """A template's pieces, its default substitutions, and its name and version as the origin."""
    origin = f"template:{name}:{template.get('Version')}"
    return Content(channel, subject=subject, html=html, text=text, defaults=_defaults(template), origin=origin)


def _get(operation: Any, member: str, name: str, version: str | None) -> dict[str, Any]:
    kwargs = {"TemplateName": name}
    if version:
        kwargs["Version"] = str(version)
    try:
        return operation(**kwargs)[member]
    except operation.__self__.exceptions.NotFoundException:
        raise ContentNotFound(f"template {name} version {version or 'active'} not found") from None


def _defaults(template: dict[str, Any]) -> dict[str, Any]:
    raw = template.get("DefaultSubstitutions")
    if not raw:
        return {}
    try:
        defaults = json.loads(raw)
    except json.JSONDecodeError:
        raise ContentNotFound(f"template {template.get('TemplateName')}: DefaultSubstitutions is not JSON") from None
    return defaults if isinstance(defaults, dict) else {}


def _guess_channel(templates: dict[str, Any], messages: dict[str, Any]) -> str:
    if templates.get("EmailTemplate") or messages.get("EmailMessage"):
        return "EMAIL"
    if templates.get("SMSTemplate") or messages.get("SMSMessage"):
        return "SMS"
    return "PUSH"


def _modified(campaign: dict[str, Any]) -> datetime:
    value = campaign.get("LastModifiedDate") or campaign.get("CreationDate")
    return parse_iso(value) if value else datetime.min


def _with_version(content: Content, version: int) -> Content:
    return Content(**{**content.__dict__, "campaign_version": version})
