"""Which stream records are archived, and the deterministic identity and S3 key of each archived message.

Archived: Pinpoint ``_campaign.send`` and ``_journey.send`` records whose send status is ``SUCCESS`` (a record
with status QUIET_TIME, DAILY_CAP, HOLDOUT, … describes a message that was *not* sent; the reference archived those
too), and SES ``Send`` event-publishing records (one archive per destination address).

The message id is derived from the event, never random, so re-processing the same event (a Firehose retry, an
SQS re-delivery) overwrites the same object instead of adding a duplicate:

- Pinpoint: the first 32 hex digits of SHA-256 over event type, application, campaign + treatment + campaign
  activity (or journey + activity + run), endpoint and ``event_timestamp``;
- SES: the SES ``mail.messageId``.

Key: ``<prefix>/<EndpointId>/YYYY/MM/DD/HH/<message id>.eml`` with the UTC hour of the event time. An endpoint id is
percent-encoded if it holds ``/`` or other characters unsafe in a key segment (ordinary ids are unchanged), so one
endpoint's prefix never contains another's. SES mail has no endpoint: the id is the message tag named by
``ENGLAKE_ARCHIVE_SES_ENDPOINT_TAG`` if the sender set it, else ``ses-`` + a hash of the normalized address
(``address_endpoint_id``), so an address can still be erased without putting it into object keys.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from englake.errors import InputError
from englake.timestamps import from_epoch_ms, parse_iso
from handlers.addresses import AddressError, normalize_address

PINPOINT_SEND_TYPES = frozenset({"_campaign.send", "_journey.send"})
DEFAULT_PREFIX = "archive"
DEFAULT_SES_ENDPOINT_TAG = "endpoint_id"

Kind = Literal["campaign", "journey", "ses"]


class ArchiveInputError(InputError):
    """A record that cannot be archived as it is; names the record and the field."""


@dataclass(frozen=True)
class ArchiveRequest:
    """One message to archive, as the event describes it."""

    kind: Kind
    endpoint_id: str
    message_id: str
    event_time: datetime
    event_type: str
    application_id: str | None = None
    campaign_id: str | None = None
    treatment_id: str | None = None
    journey_id: str | None = None
    journey_activity_id: str | None = None
    #: EMAIL, SMS, GCM, APNS, … (campaign ``delivery_type`` or journey ``journey_activity_type``).
    channel: str | None = None
    #: The endpoint definition the event carries (``client_context.custom.endpoint``), for rendering.
    endpoint: dict[str, Any] = field(default_factory=dict)
    #: SES only: the headers the event carries, and the recipient.
    headers: tuple[tuple[str, str], ...] = ()
    recipient: str | None = None

    def key(self, prefix: str = DEFAULT_PREFIX) -> str:
        return archive_key(prefix, self.endpoint_id, self.event_time, self.message_id)


def archive_key(prefix: str, endpoint_id: str, at: datetime, message_id: str) -> str:
    return f"{endpoint_prefix(prefix, endpoint_id)}{at:%Y/%m/%d/%H}/{message_id}.eml"


def endpoint_prefix(prefix: str, endpoint_id: str) -> str:
    """``archive/<EndpointId>/``: everything archived for one endpoint, and nothing else."""
    if not endpoint_id:
        raise ArchiveInputError("empty endpoint id")
    return f"{prefix.strip('/')}/{quote(endpoint_id, safe='-_.~@+=:')}/"


def address_endpoint_id(address: str) -> str:
    """The archive's endpoint id for an SES recipient without an endpoint tag."""
    return "ses-" + hashlib.sha256(normalize_address(address).encode()).hexdigest()[:32]


def wants_archive(event: dict[str, Any]) -> bool:
    """Whether a stream record describes a sent message we archive (cheap: the queuer calls it per record)."""
    event_type = event.get("event_type")
    if event_type in PINPOINT_SEND_TYPES:
        attributes = event.get("attributes") or {}
        status = attributes.get("campaign_send_status") or attributes.get("journey_send_status")
        return status in (None, "SUCCESS")
    return event.get("eventType") == "Send"


def parse_requests(
    event: dict[str, Any], ref: str = "record", ses_endpoint_tag: str = DEFAULT_SES_ENDPOINT_TAG
) -> list[ArchiveRequest]:
    """The messages one event asks to archive (one for Pinpoint, one per destination for SES)."""
    if not isinstance(event, dict):
        raise ArchiveInputError(f"{ref}: not a JSON object")
    if event.get("event_type") in PINPOINT_SEND_TYPES:
        return [_pinpoint_request(event, ref)]
    if event.get("eventType") == "Send":
        return _ses_requests(event, ref, ses_endpoint_tag)
    raise ArchiveInputError(
        f"{ref}: field 'event_type' / 'eventType' is {event.get('event_type') or event.get('eventType')!r}, "
        "not _campaign.send, _journey.send or Send"
    )


def _pinpoint_request(event: dict[str, Any], ref: str) -> ArchiveRequest:
    event_type = event["event_type"]
    attributes = _object(event, "attributes", ref)
    application_id = _required(_object(event, "application", ref).get("app_id"), ref, "application.app_id")
    endpoint_id = _required(_object(event, "client", ref).get("client_id"), ref, "client.client_id")
    try:
        event_time = from_epoch_ms(event["event_timestamp"])
    except (KeyError, TypeError, ValueError):
        raise ArchiveInputError(f"{ref}: field 'event_timestamp' is missing or not epoch milliseconds") from None
    endpoint = _endpoint(event, ref)
    if event_type == "_campaign.send":
        campaign_id = _required(attributes.get("campaign_id"), ref, "attributes.campaign_id")
        identity = [campaign_id, attributes.get("treatment_id") or "0", attributes.get("campaign_activity_id") or ""]
        request = {
            "kind": "campaign",
            "campaign_id": campaign_id,
            "treatment_id": str(attributes.get("treatment_id") or "0"),
            "channel": attributes.get("delivery_type"),
        }
    else:
        journey_id = _required(attributes.get("journey_id"), ref, "attributes.journey_id")
        activity_id = _required(attributes.get("journey_activity_id"), ref, "attributes.journey_activity_id")
        identity = [journey_id, activity_id, attributes.get("journey_run_id") or ""]
        request = {
            "kind": "journey",
            "journey_id": journey_id,
            "journey_activity_id": activity_id,
            "channel": attributes.get("journey_activity_type"),
        }
    material = "|".join([event_type, application_id, *identity, endpoint_id, str(event["event_timestamp"])])
    return ArchiveRequest(
        endpoint_id=endpoint_id,
        message_id=hashlib.sha256(material.encode()).hexdigest()[:32],
        event_time=event_time,
        event_type=event_type,
        application_id=application_id,
        endpoint=endpoint,
        **request,
    )


def _ses_requests(event: dict[str, Any], ref: str, endpoint_tag: str) -> list[ArchiveRequest]:
    mail = _object(event, "mail", ref)
    message_id = _required(mail.get("messageId"), ref, "mail.messageId")
    try:
        event_time = parse_iso(_required(mail.get("timestamp"), ref, "mail.timestamp"))
    except ValueError:
        raise ArchiveInputError(f"{ref}: field 'mail.timestamp' is not an ISO-8601 time") from None
    headers = tuple((str(h.get("name")), str(h.get("value"))) for h in mail.get("headers") or [] if isinstance(h, dict))
    tagged = (mail.get("tags") or {}).get(endpoint_tag) or []
    destinations = mail.get("destination") or []
    if not destinations:
        raise ArchiveInputError(f"{ref}: field 'mail.destination' is empty")
    requests = []
    for index, destination in enumerate(destinations):
        try:
            address = normalize_address(destination)
        except AddressError as error:
            raise ArchiveInputError(f"{ref}: field 'mail.destination[{index}]': {error}") from None
        endpoint_id = tagged[0] if len(destinations) == 1 and tagged else address_endpoint_id(address)
        requests.append(
            ArchiveRequest(
                kind="ses",
                endpoint_id=endpoint_id,
                message_id=message_id,
                event_time=event_time,
                event_type="Send",
                channel="EMAIL",
                headers=headers,
                recipient=address,
            )
        )
    return requests


def _endpoint(event: dict[str, Any], ref: str) -> dict[str, Any]:
    """``client_context.custom.endpoint``: a JSON document encoded as a string (event-formats.md §0 #7)."""
    raw = ((event.get("client_context") or {}).get("custom") or {}).get("endpoint")
    if raw in (None, ""):
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        endpoint = json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        raise ArchiveInputError(f"{ref}: field 'client_context.custom.endpoint' is not a JSON document") from None
    if not isinstance(endpoint, dict):
        raise ArchiveInputError(f"{ref}: field 'client_context.custom.endpoint' is not a JSON object")
    return endpoint


def _object(event: dict[str, Any], name: str, ref: str) -> dict[str, Any]:
    value = event.get(name) or {}
    if not isinstance(value, dict):
        raise ArchiveInputError(f"{ref}: field '{name}' is not an object")
    return value


def _required(value: Any, ref: str, name: str) -> str:
    if value in (None, ""):
        raise ArchiveInputError(f"{ref}: field '{name}' is missing")
    return str(value)
