"""Rendering semantic events into the exact record text each AWS producer writes (event-formats.md §1–§3).

Rendering is a pure function of its arguments (no randomness), so a record rendered twice — a duplicate delivery —
is byte-identical. Records are rendered as UTF-8 bytes (what Firehose stores): landing then writes them as they are,
with no decode to ``str`` and encode back (a third of rendering time). ``SyntheticLake.records`` decodes for readers
that want text. Shapes follow the documented examples key for key; where AWS documents no example (Pinpoint
bounce/complaint/reject/unsubscribe/rendering-failure facets) the shape of AWS's own Glue DDL and sample code is used
(event-formats.md §1.2) and noted at the function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime
from typing import Any

import orjson

from ingest.synthetic.config import from_ms, iso_ms

_dumps = orjson.dumps


def _encode(obj: Any) -> bytes:
    """Compact JSON as UTF-8 bytes, non-ASCII kept (what the producers write); orjson is ~5x faster than ``json``."""
    return _dumps(obj)


def _encode_text(obj: Any) -> str:
    """``_encode`` as text, for JSON that travels inside a string field (``customer_context``)."""
    return _dumps(obj).decode()


#: Keys that AWS does not document (yet) and that some records carry, to prove the lake keeps what it does not know.
#: (producer, path) pairs; a path is a tuple of keys from the record root.
NEW_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "pinpoint": (("event_origin",), ("application", "tenant_id")),
    "ses": (("sesRegion",), ("mail", "tenantName")),
    "sms": (("carrierName",), ("deliveryReceipt", "carrierStatusCode")),
    "social": (("eventVersion",), ("context", "region")),
}


@dataclass(slots=True, kw_only=True)
class MessageIds:
    """The ids a message of any kind carries besides its own (None where its producer or its send has none); the
    truth's message entry reads them by these names."""

    client_id: str | None = None  # Pinpoint client.client_id (endpoint id, or a per-message UUID for transactional)
    endpoint_id: str | None = None  # the real endpoint behind client_id (campaign/journey), else None
    endpoint_address: str | None = None
    campaign_id: str | None = None
    treatment_id: str | None = None
    campaign_activity_id: str | None = None
    journey_id: str | None = None
    journey_activity_id: str | None = None
    journey_run_id: str | None = None


@dataclass(slots=True)
class Mail(MessageIds):
    """One email message as sent by Pinpoint (campaign, journey, transactional) or SES (configuration set)."""

    message_id: str
    producer: str  # "pinpoint" | "ses"
    sent_ms: int
    source: str  # Pinpoint from_address / SES mail.source (may carry a display name)
    destinations: tuple[str, ...]
    subject: str
    boundary: str
    config_set: str | None = None
    tags: dict[str, list[str]] = field(default_factory=dict)
    list_unsubscribe: bool = False
    notification: bool = False  # SES identity feedback notification (``notificationType``), not event publishing


@dataclass(slots=True)
class PhoneSend(MessageIds):
    """What every message to a phone carries (SMS; MMS, voice, RCS, WhatsApp in ``phone_records``): the fields of End
    User Messaging's event header, with the request time as the send time."""

    message_id: str
    producer: str  # "pinpoint" | "sms" (End User Messaging configuration sets) | "social" (End User Messaging Social)
    request_ms: int
    origination: str  # E.164 number, RCS agent id, or the WhatsApp business number (E.164)
    destination: str  # E.164
    iso_country: str
    message_type: str  # Pinpoint "Transactional"/"Promotional"; EUM "TRANSACTIONAL"/"PROMOTIONAL"
    mcc: str
    mnc: str
    context: dict[str, str] = field(default_factory=dict, kw_only=True)

    @property
    def sent_ms(self) -> int:
        return self.request_ms


@dataclass(slots=True)
class Sms(PhoneSend):
    """One SMS message as sent by Pinpoint (``_SMS.*``) or End User Messaging (``TEXT_*``)."""

    parts: int
    price: float  # Pinpoint price_in_millicents_usd, or EUM totalMessagePrice
    carrier_fee: float
    encoding: str
    sender_request_id: str = ""


def eum_record(
    message: PhoneSend, event_type: str, event_ms: int, is_final: bool, status: str, description: str, encoding: str
) -> dict[str, Any]:
    """The header of an End User Messaging configuration-set event (event-formats.md §3.1), up to ``context``; the
    channel's price and part keys follow it."""
    return {
        "eventType": event_type,
        "eventVersion": "1.0",
        "eventTimestamp": event_ms,
        "isFinal": is_final,
        "originationPhoneNumber": message.origination,
        "destinationPhoneNumber": message.destination,
        "isInternationalSend": message.iso_country != "US",
        "isoCountryCode": message.iso_country,
        "mcc": message.mcc,
        "mnc": message.mnc,
        "messageId": message.message_id,
        "messageRequestTimestamp": message.request_ms,
        "messageEncoding": encoding,
        "messageType": message.message_type,
        "messageStatus": status,
        "messageStatusDescription": description,
        "context": message.context,
    }


def eum_new_fields(rec: dict[str, Any]) -> None:
    """The keys ``NEW_FIELDS["sms"]`` names, on an End User Messaging record."""
    rec["carrierName"] = "Example Wireless"
    rec["deliveryReceipt"] = {"carrierStatusCode": "000", "carrierStatusMessage": "DELIVRD"}


def _rfc2822(ms: int) -> str:
    return format_datetime(from_ms(ms).replace(microsecond=0, tzinfo=UTC))


_FEEDBACK = {
    "_email.send": "received",
    "_email.delivered": "delivered",
    "_email.open": "opened",
    "_email.hardbounce": "bounced",
    "_email.softbounce": "bounced",
    "_email.complaint": "complained",
    "_email.rejected": "rejected",
    "_email.unsubscribe": "unsubscribed",
    "_email.rendering_failure": "rendering_failure",
}


class Renderer:
    """Turns semantic events into record lines; bound to one application and account."""

    def __init__(self, application_id: str, aws_account_id: str, region: str) -> None:
        self.app_id = application_id
        self.account = aws_account_id
        self.region = region
        self.source_arn_prefix = f"arn:aws:ses:{region}:{aws_account_id}:identity/"
        #: The app events' ``application``, the same in every one (its ``sdk`` is shared: nothing changes it).
        self._app_application: dict[str, Any] = {
            "app_id": application_id,
            "cognito_identity_pool_id": f"{region}:5b3a6f1e-2c4d-4e8f-9a0b-1c2d3e4f5a6b",
            "package_name": "com.example.englake",
            "sdk": {"name": "aws-amplify-js", "version": "6.3.7"},
            "title": "Englake",
            "version_name": "4.2.0",
            "version_code": "420",
        }

    # -- Pinpoint ---------------------------------------------------------------------------------------------
    def _pp_envelope(self, event_type: str, event_ms: int, arrival_ms: int, client_id: str | None) -> dict[str, Any]:
        return {
            "event_type": event_type,
            "event_timestamp": event_ms,
            "arrival_timestamp": arrival_ms,
            "event_version": "3.1",
            "application": {"app_id": self.app_id, "sdk": {}},
            "client": {"client_id": client_id},
            "device": {"platform": {}},
            "session": {},
        }

    def _pp_new_fields(self, rec: dict[str, Any]) -> None:
        rec["event_origin"] = {"service": "pinpoint", "region": self.region}
        rec["application"]["tenant_id"] = "default"

    def pinpoint_email(
        self,
        mail: Mail,
        event_type: str,
        arrival_ms: int,
        obj_key: str,
        obj: dict[str, Any],
        new_fields: bool,
    ) -> bytes:
        """An ``_email.*`` record. ``event_timestamp`` is the send time for every event of a message (gotcha #5);
        when an open or click happened is only in ``arrival_timestamp``.

        Facets AWS shows no example of follow AWS's events-database DDL: ``bounce`` (hard and soft bounces),
        ``complaint``, ``reject``; ``_email.unsubscribe`` carries a ``click`` object with
        ``link_tags.unsubscribeLinkTag`` (what that DDL's ``email_unsubscribe`` view reads); rendering failures carry
        ``failure`` {template_name, error_message} (SES's ``failure`` object in snake_case).
        """
        rec = self._pp_envelope(event_type, mail.sent_ms, arrival_ms, mail.client_id)
        feedback = obj.get("link") if event_type == "_email.click" else _FEEDBACK.get(event_type, "event")
        attributes: dict[str, str] = {}
        if mail.campaign_id is not None:
            attributes = {
                "feedback": feedback,
                "treatment_id": mail.treatment_id or "0",
                "campaign_activity_id": mail.campaign_activity_id or "",
                "campaign_id": mail.campaign_id,
            }
        elif mail.journey_id is not None:
            attributes = {
                "journey_run_id": mail.journey_run_id or "",
                "feedback": feedback,
                "journey_id": mail.journey_id,
                "journey_activity_id": mail.journey_activity_id or "",
            }
        else:
            attributes = {"feedback": feedback}
        rec["attributes"] = attributes
        if mail.campaign_id is not None or mail.journey_id is not None:
            rec["client_context"] = {"custom": {"legacy_identifier": self.app_id}}
        rec["awsAccountId"] = self.account
        mime = {"name": "MIME-Version", "value": "1.0"}
        content_type = {
            "name": "Content-Type",
            "value": f'multipart/alternative;  boundary="----=_Part_{mail.boundary}"',
        }
        sender = {"name": "From", "value": mail.source}
        to = {"name": "To", "value": ", ".join(mail.destinations)}
        # "The subject header isn't included for campaign _email.send events" (common_headers keeps it).
        if event_type == "_email.send" and mail.campaign_id is not None:
            headers = [sender, to, mime, content_type]
        else:
            headers = [sender, to, {"name": "Subject", "value": mail.subject}, mime, content_type]
        if event_type in ("_email.open", "_email.click"):
            headers.append({"name": "Message-ID", "value": "null"})
        destinations = list(mail.destinations)  # one list, written under both keys
        mail_obj: dict[str, Any] = {
            "message_id": mail.message_id,
            "message_send_timestamp": mail.sent_ms,
            "from_address": mail.source,
            "destination": destinations,
            "headers_truncated": False,
            "headers": headers,
            "common_headers": {"from": mail.source, "to": destinations, "subject": mail.subject},
        }
        rec["facets"] = {"email_channel": {"mail_event": {"mail": mail_obj, obj_key: obj}}}
        if new_fields:
            self._pp_new_fields(rec)
            mail_obj["tenant_name"] = "default"
        return _encode(rec)

    def pinpoint_sms(
        self,
        sms: Sms,
        event_type: str,
        event_ms: int,
        arrival_ms: int,
        record_status: str,
        priced: bool,
        new_fields: bool,
    ) -> bytes:
        """An ``_SMS.*`` record: all attributes are strings, ``customer_context`` is a JSON document in a string."""
        rec = self._pp_envelope(event_type, event_ms, arrival_ms, sms.client_id)
        attributes = {"sender_request_id": sms.sender_request_id}
        if sms.campaign_id is not None:
            attributes["campaign_activity_id"] = sms.campaign_activity_id or ""
        elif sms.journey_id is not None:
            attributes["journey_activity_id"] = sms.journey_activity_id or ""
        attributes["origination_phone_number"] = sms.origination
        attributes["destination_phone_number"] = sms.destination
        attributes["record_status"] = record_status
        attributes["iso_country_code"] = sms.iso_country
        if sms.campaign_id is not None:
            attributes["treatment_id"] = sms.treatment_id or "0"
        attributes["number_of_message_parts"] = str(sms.parts)
        attributes["message_id"] = sms.message_id
        attributes["message_type"] = sms.message_type
        if sms.campaign_id is not None:
            attributes["campaign_id"] = sms.campaign_id
        elif sms.journey_id is not None:
            attributes["journey_id"] = sms.journey_id
            attributes["journey_run_id"] = sms.journey_run_id or ""
        attributes["customer_context"] = _encode_text(sms.context)
        rec["attributes"] = attributes
        rec["metrics"] = {"price_in_millicents_usd": sms.price} if priced else {}
        rec["awsAccountId"] = self.account
        if new_fields:
            self._pp_new_fields(rec)
        return _encode(rec)

    def pinpoint_campaign_send(
        self,
        client_id: str,
        endpoint_json: str,
        campaign_id: str,
        activity_id: str,
        treatment_id: str,
        delivery_type: str,
        status: str,
        event_ms: int,
        arrival_ms: int,
        new_fields: bool,
    ) -> bytes:
        attributes = {
            "treatment_id": treatment_id,
            "campaign_activity_id": activity_id,
            "delivery_type": delivery_type,
            "campaign_id": campaign_id,
            "campaign_send_status": status,
        }
        return self._pp_send("_campaign.send", event_ms, arrival_ms, client_id, attributes, endpoint_json, new_fields)

    def pinpoint_journey_send(
        self,
        client_id: str,
        endpoint_json: str,
        journey_id: str,
        run_id: str,
        activity_id: str,
        activity_type: str,
        status: str,
        status_code: str,
        event_ms: int,
        arrival_ms: int,
        new_fields: bool,
    ) -> bytes:
        attributes = {
            "journey_run_id": run_id,
            "journey_send_status": status,
            "journey_id": journey_id,
            "journey_activity_id": activity_id,
            "journey_activity_type": activity_type,
            "journey_send_status_message": status_code,
            "journey_send_status_code": status_code,
        }
        return self._pp_send("_journey.send", event_ms, arrival_ms, client_id, attributes, endpoint_json, new_fields)

    def _pp_send(
        self,
        event_type: str,
        event_ms: int,
        arrival_ms: int,
        client_id: str,
        attributes: dict[str, str],
        endpoint_json: str,
        new_fields: bool,
    ) -> bytes:
        """A ``_campaign.send`` or ``_journey.send`` record: the envelope, the send's attributes, the endpoint."""
        rec = self._pp_envelope(event_type, event_ms, arrival_ms, client_id)
        rec["attributes"] = attributes
        rec["client_context"] = {"custom": {"endpoint": endpoint_json}}
        rec["awsAccountId"] = self.account
        if new_fields:
            self._pp_new_fields(rec)
        return _encode(rec)

    def pinpoint_app(
        self,
        user: Any,
        event_type: str,
        event_ms: int,
        arrival_ms: int,
        session: dict[str, Any],
        attributes: dict[str, str],
        metrics: dict[str, float],
        new_fields: bool,
    ) -> bytes:
        """An app event (sessions, auth, monetization, custom) shaped like the documented ``_session.stop``."""
        platform, version, make, model = user.device
        locale = user.country.locale
        rec: dict[str, Any] = {
            "event_type": event_type,
            "event_timestamp": event_ms,
            "arrival_timestamp": arrival_ms,
            "event_version": "3.0",
            "application": self._app_application.copy(),  # a copy: new fields add a key to it
            "client": {"client_id": user.email_endpoint_id, "cognito_id": user.cognito_id},
            "device": {
                "locale": {"code": locale, "country": user.country.iso, "language": locale.split("_")[0]},
                "make": make,
                "model": model,
                "platform": {"name": platform, "version": version},
            },
            "session": session,
            "attributes": attributes,
            "metrics": metrics,
        }
        if new_fields:
            self._pp_new_fields(rec)
        return _encode(rec)

    # -- SES --------------------------------------------------------------------------------------------------
    def _ses_tags(self, mail: Mail, style: str, event_type: str, domain: str) -> dict[str, list[str]]:
        if style == "bare":
            return {"ses:configuration-set": [mail.config_set or ""], **mail.tags}
        tags: dict[str, list[str]] = {}
        if event_type == "Subscription":
            tags["ses:operation"] = ["SendEmail"]
        tags["ses:configuration-set"] = [mail.config_set or ""]
        tags["ses:source-ip"] = ["192.0.2.10"]
        tags["ses:from-domain"] = [domain]
        tags["ses:caller-identity"] = ["englake-sender"]
        if event_type == "Delivery":
            tags["ses:outgoing-ip"] = ["54.240.8.21"]
        tags.update(mail.tags)
        return tags

    def _ses_headers(self, mail: Mail, style: str) -> list[dict[str, str]]:
        headers: list[dict[str, str]] = []
        # a list, not a generator, for join: this runs for most SES records
        tag_header = ", ".join([f"{k}={v[0]}" for k, v in mail.tags.items()]) if style != "notification" else ""
        if style == "engagement":
            headers.append({"name": "X-SES-CONFIGURATION-SET", "value": mail.config_set or ""})
            headers.append({"name": "X-SES-MESSAGE-TAGS", "value": tag_header})
        headers.append({"name": "From", "value": mail.source})
        headers.append({"name": "To", "value": ", ".join(mail.destinations)})
        headers.append({"name": "Subject", "value": mail.subject})
        headers.append({"name": "MIME-Version", "value": "1.0"})
        headers.append(
            {"name": "Content-Type", "value": f'multipart/alternative; boundary="----=_Part_{mail.boundary}"'}
        )
        if style == "notification":
            headers.append({"name": "Date", "value": _rfc2822(mail.sent_ms)})
        if mail.list_unsubscribe:
            headers.append(
                {"name": "List-Unsubscribe", "value": "<https://unsubscribe.example.com/u?c=englake-newsletter>"}
            )
        if style == "full" and tag_header:
            headers.append({"name": "X-SES-MESSAGE-TAGS", "value": tag_header})
        return headers

    def _ses_mail(self, mail: Mail, style: str, event_type: str) -> dict[str, Any]:
        ts = iso_ms(mail.sent_ms)
        destinations = list(mail.destinations)  # one list, written where each of the three keys is
        domain = mail.source.rsplit("@", 1)[-1].rstrip(">")
        common: dict[str, Any] = {"from": [mail.source]}
        if style == "notification":
            common["date"] = _rfc2822(mail.sent_ms)
        common["to"] = destinations
        common["messageId"] = mail.message_id
        common["subject"] = mail.subject
        if style == "engagement":  # the documented Open/Click mail objects: keys sorted, no sourceArn
            return {
                "commonHeaders": common,
                "destination": destinations,
                "headers": self._ses_headers(mail, style),
                "headersTruncated": False,
                "messageId": mail.message_id,
                "sendingAccountId": self.account,
                "source": mail.source,
                "tags": self._ses_tags(mail, style, event_type, domain),
                "timestamp": ts,
            }
        obj: dict[str, Any] = {
            "timestamp": ts,
            "source": mail.source,
            "sourceArn": self.source_arn_prefix + domain,
        }
        if style == "notification":
            obj["sourceIp"] = "192.0.2.10"
        obj["sendingAccountId"] = self.account
        if style == "notification":
            obj["callerIdentity"] = "englake-sender"
        obj["messageId"] = mail.message_id
        obj["destination"] = destinations
        obj["headersTruncated"] = False
        if style == "bare":  # Rendering Failure / DeliveryDelay: no headers
            obj["tags"] = self._ses_tags(mail, style, event_type, domain)
            return obj
        obj["headers"] = self._ses_headers(mail, style)
        obj["commonHeaders"] = common
        if style != "notification":  # identity notifications publish no tags
            obj["tags"] = self._ses_tags(mail, style, event_type, domain)
        return obj

    def ses(
        self, mail: Mail, event_type: str, obj_key: str, obj: dict[str, Any], style: str, new_fields: bool
    ) -> bytes:
        """An SES record. ``style``: "full" (send, delivery, bounce…), "engagement" (open/click), "bare" (rendering
        failure, delivery delay: no headers), "notification" (identity feedback: ``notificationType``, no tags)."""
        type_key = "notificationType" if style == "notification" else "eventType"
        mail_obj = self._ses_mail(mail, style, event_type)
        if style == "notification" and obj_key == "bounce":  # identity notifications add the remote MTA's IP
            obj = {**obj, "remoteMtaIp": "198.51.100.25"}
        if obj_key in ("bounce", "complaint", "click"):  # documented key order: event object before mail
            rec = {type_key: event_type, obj_key: obj, "mail": mail_obj}
        else:
            rec = {type_key: event_type, "mail": mail_obj, obj_key: obj}
        if new_fields:
            rec["sesRegion"] = self.region
            mail_obj["tenantName"] = "default"
        return _encode(rec)

    # -- End User Messaging SMS -------------------------------------------------------------------------------
    def eum(
        self,
        sms: Sms,
        event_type: str,
        event_ms: int,
        is_final: bool,
        status: str,
        description: str,
        new_fields: bool,
    ) -> bytes:
        rec = eum_record(sms, event_type, event_ms, is_final, status, description, sms.encoding)
        rec["totalMessageParts"] = sms.parts
        rec["totalMessagePrice"] = sms.price
        rec["totalCarrierFee"] = sms.carrier_fee
        if event_type == "TEXT_PROTECT_BLOCKED":
            rec["protectConfiguration"] = {
                "protectConfigurationId": "protect-d777777777777771bbd5d59f4d903479",
                "protectStatus": "FILTER",
            }
            rec["protectConfigurationAssessment"] = {
                "protectRecommendation": "BLOCK",
                "protectInsights": {"blockReason": "AIT_SUSPECTED"},
            }
        if new_fields:
            eum_new_fields(rec)
        return _encode(rec)

    # -- what is not a record ---------------------------------------------------------------------------------
    @staticmethod
    def literal(text: str) -> str:
        return text

    @staticmethod
    def truncated(fn: Callable[..., str | bytes], args: tuple[Any, ...], keep: float) -> str:
        """A record cut short (a partial write): a strict prefix of a JSON object, never valid JSON. The cut counts
        characters, not bytes, so it never splits a UTF-8 sequence."""
        rendered = fn(*args)
        line = rendered.decode() if isinstance(rendered, bytes) else rendered
        return line[: max(1, min(len(line) - 1, int(len(line) * keep)))]
