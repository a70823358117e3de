"""Who may be called, and when: endpoint type, status, opt-out, consent, a valid number, and calling hours in the
endpoint's own time zone (``Demographic.Timezone``, an IANA name such as ``America/Los_Angeles``).

An endpoint without a usable time zone is not called (unless a ``default_timezone`` is configured): calling at an
unknown local hour is the mistake calling-hours rules exist to prevent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from handlers.hooks.models import EndpointView

#: Skip reasons (lake event attribute ``reason``).
WRONG_TYPE = "endpoint_type_not_configured"
INACTIVE = "endpoint_inactive"
OPTED_OUT = "opted_out"
NO_CONSENT = "no_consent"
INVALID_NUMBER = "invalid_number"
NO_TIMEZONE = "no_timezone"
OUTSIDE_HOURS = "outside_calling_hours"


@dataclass(frozen=True)
class VoiceRules:
    endpoint_types: frozenset[str] = frozenset({"VOICE", "SMS"})
    #: Endpoint (or user) attribute that must hold one of ``consent_values``; empty: no consent attribute checked.
    consent_attribute: str = "VoiceConsent"
    consent_values: frozenset[str] = frozenset({"true", "yes", "1", "opt-in", "optin"})
    #: Local calling window [start, end).
    calling_start: time = time(9, 0)
    calling_end: time = time(20, 0)
    #: ISO weekdays (1 = Monday) on which calls are allowed.
    calling_days: frozenset[int] = field(default_factory=lambda: frozenset(range(1, 8)))
    default_timezone: str | None = None

    def skip_reason(self, endpoint: EndpointView, now: datetime) -> str | None:
        """Why ``endpoint`` must not be called at ``now`` (naive UTC or aware), or None when it may be."""
        if (endpoint.channel_type or "") not in self.endpoint_types:
            return WRONG_TYPE
        if endpoint.status.upper() != "ACTIVE":
            return INACTIVE
        if endpoint.opt_out.upper() != "NONE":
            return OPTED_OUT
        if self.consent_attribute:
            given = (endpoint.attribute(self.consent_attribute) or "").strip().lower()
            if given not in self.consent_values:
                return NO_CONSENT
        if e164(endpoint.address) is None:
            return INVALID_NUMBER
        zone = self.zone(endpoint)
        if zone is None:
            return NO_TIMEZONE
        if not self.within_hours(now, zone):
            return OUTSIDE_HOURS
        return None

    def zone(self, endpoint: EndpointView) -> ZoneInfo | None:
        for name in (endpoint.timezone, self.default_timezone):
            if name:
                try:
                    return ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    continue
        return None

    def within_hours(self, now: datetime, zone: ZoneInfo) -> bool:
        aware = now if now.tzinfo else now.replace(tzinfo=UTC)
        local = aware.astimezone(zone)
        return local.isoweekday() in self.calling_days and self.calling_start <= local.time() < self.calling_end


def e164(address: str | None) -> str | None:
    """``address`` as a valid E.164 number, or None."""
    if not address:
        return None
    try:
        number = phonenumbers.parse(address, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
