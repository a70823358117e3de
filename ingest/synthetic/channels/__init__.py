"""The channels of the synthetic lake, one module each, and their registration.

A channel module defines a planner mixin (a subclass of ``planner.PlannerCore``) with a ``plan_one`` style method
that plans one unit (a campaign send, a journey run, a message or a session) and returns False when the channel has
nothing left to send. ``CHANNELS`` registers it: the mixin, the unit method's name, and its share of
``GeneratorConfig.events``. To add a channel (MMS, voice, WhatsApp …): write ``channels/<name>.py`` with its mixin,
then add one ``Channel`` to ``CHANNELS`` (and, if its share should be configurable, a ``GeneratorConfig`` field).

Units are planned in ``CHANNELS`` order, each until its share of events is produced; the order is part of the seed's
meaning (every unit draws from the same ``random.Random``), so append new channels at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ingest.synthetic.channels.app_events import AppEvents
from ingest.synthetic.channels.email_funnel import EmailFunnel
from ingest.synthetic.channels.eum_phone import EndUserMessagingPhone
from ingest.synthetic.channels.eum_sms import EndUserMessagingSms
from ingest.synthetic.channels.pinpoint_email import PinpointEmail
from ingest.synthetic.channels.pinpoint_sms import PinpointSms
from ingest.synthetic.channels.ses_native import SesNative
from ingest.synthetic.channels.whatsapp import WhatsApp
from ingest.synthetic.config import GeneratorConfig
from ingest.synthetic.planner import PlannerCore

#: How Pinpoint's share of events (what the other producers' shares leave, ``config.SHARES``) divides between its
#: kinds of send.
PINPOINT_CAMPAIGN_EMAIL_SHARE = 0.60
PINPOINT_JOURNEY_SHARE = 0.14
PINPOINT_TRANSACTIONAL_EMAIL_SHARE = 0.08
PINPOINT_CAMPAIGN_SMS_SHARE = 0.11
PINPOINT_TRANSACTIONAL_SMS_SHARE = 0.07


def pinpoint_share(config: GeneratorConfig) -> float:
    """The share of events Pinpoint campaigns, journeys and transactional sends make (the rest after the others)."""
    return max(0.0, 1.0 - config.non_pinpoint_share())


@dataclass(frozen=True)
class Channel:
    """One registered kind of unit: planned by ``mixin.<unit>()`` until ``share(config) * events`` are produced."""

    name: str
    mixin: type[PlannerCore]
    unit: str
    share: Callable[[GeneratorConfig], float]


def _pinpoint_part(part: float) -> Callable[[GeneratorConfig], float]:
    return lambda config: pinpoint_share(config) * part


CHANNELS: tuple[Channel, ...] = (
    Channel("app events", AppEvents, "_unit_app", lambda config: config.app_share),
    *(
        Channel(name, mixin, unit, _pinpoint_part(part))
        for name, mixin, unit, part in (
            ("Pinpoint campaign email", PinpointEmail, "_unit_campaign_email", PINPOINT_CAMPAIGN_EMAIL_SHARE),
            ("Pinpoint journeys", PinpointEmail, "_unit_journey", PINPOINT_JOURNEY_SHARE),
            (
                "Pinpoint transactional email",
                PinpointEmail,
                "_unit_transactional_email",
                PINPOINT_TRANSACTIONAL_EMAIL_SHARE,
            ),
            ("Pinpoint campaign SMS", PinpointSms, "_unit_campaign_sms", PINPOINT_CAMPAIGN_SMS_SHARE),
            ("Pinpoint transactional SMS", PinpointSms, "_unit_transactional_sms", PINPOINT_TRANSACTIONAL_SMS_SHARE),
        )
    ),
    Channel("SES-native email", SesNative, "_unit_ses", lambda config: config.ses_share),
    Channel("End User Messaging SMS", EndUserMessagingSms, "_unit_eum", lambda config: config.eum_share),
    Channel("End User Messaging MMS", EndUserMessagingPhone, "_unit_mms", lambda config: config.mms_share),
    Channel("End User Messaging voice", EndUserMessagingPhone, "_unit_voice", lambda config: config.voice_share),
    Channel("End User Messaging RCS", EndUserMessagingPhone, "_unit_rcs", lambda config: config.rcs_share),
    Channel("WhatsApp (End User Messaging Social)", WhatsApp, "_unit_whatsapp", lambda config: config.whatsapp_share),
)

#: Mixins every channel builds on without being a channel of its own.
SHARED_MIXINS: tuple[type[PlannerCore], ...] = (EmailFunnel,)


def mixins() -> tuple[type[PlannerCore], ...]:
    """Every channel mixin once, in registration order, then the shared ones."""
    seen: list[type[PlannerCore]] = []
    for channel in CHANNELS:
        if channel.mixin not in seen:
            seen.append(channel.mixin)
    return (*seen, *(message for message in SHARED_MIXINS if message not in seen))
