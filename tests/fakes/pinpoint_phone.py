"""A fake of Pinpoint ``PhoneNumberValidate`` (continued under AWS End User Messaging) below a ``pinpoint`` client.

Composes with ``PinpointFake`` on one client (each answers only its own operations; see ``base.py``). Answers follow
the documented response (event-formats.md §5): ``CleansedPhoneNumberE164``, ``PhoneType`` (MOBILE, LANDLINE, VOIP,
INVALID, PREPAID, OTHER) with ``PhoneTypeCode``, carrier, country, time zone. What a number "is" comes from
``set_number`` (test ground truth) or else from libphonenumber's metadata, which is how a test can know the answer
without asking the code under test. A number with no country code is answered ``INVALID`` with no E.164, as the
reference's crash needed. Calls are counted and rate-limited (20 per second, burst = rate) on an optional clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType, carrier, geocoder, timezone

from tests.fakes.base import RestJsonFake, bad_request, throttled
from tests.fakes.pinpoint import TokenBucket

#: PhoneNumberValidate requests per second ("API rate quotas", https://docs.aws.amazon.com/pinpoint/latest/developerguide/quotas.html).
PHONE_NUMBER_VALIDATE_RPS = 20.0
PHONE_TYPE_CODES = {"MOBILE": 0, "LANDLINE": 1, "VOIP": 2, "INVALID": 3, "OTHER": 4, "PREPAID": 5}
_TYPES = {
    PhoneNumberType.MOBILE: "MOBILE",
    PhoneNumberType.FIXED_LINE: "LANDLINE",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "MOBILE",
    PhoneNumberType.VOIP: "VOIP",
}


class PhoneValidateFake(RestJsonFake):
    """``PhoneNumberValidate``; attach to a ``boto3.client("pinpoint")``."""

    service_name = "pinpoint"

    def __init__(self, *, clock: Callable[[], float] | None = None, rate: float | None = PHONE_NUMBER_VALIDATE_RPS):
        super().__init__()
        self.clock = clock or time.monotonic
        self.bucket = TokenBucket(rate, self.clock) if rate else None
        self.numbers: dict[str, dict[str, Any]] = {}
        self.validated: list[str] = []

    def set_number(self, e164: str, phone_type: str, carrier_name: str = "ExampleCorp Mobile", **fields: Any) -> None:
        """Ground truth for one number (what the service will answer)."""
        self.numbers[e164] = {"PhoneType": phone_type, "Carrier": carrier_name, **fields}

    def PhoneNumberValidate(self, NumberValidateRequest: dict[str, Any]) -> dict[str, Any]:
        if self.bucket is not None and not self.bucket.take():
            raise throttled()
        number = NumberValidateRequest.get("PhoneNumber")
        if not number:
            raise bad_request("PhoneNumber is required")
        self.validated.append(number)
        return {"NumberValidateResponse": self.answer(number, NumberValidateRequest.get("IsoCountryCode"))}

    def answer(self, number: str, iso_country: str | None = None) -> dict[str, Any]:
        base: dict[str, Any] = {"OriginalPhoneNumber": number}
        try:
            parsed = phonenumbers.parse(number, iso_country)
        except phonenumbers.NumberParseException:
            return {**base, "PhoneType": "INVALID", "PhoneTypeCode": 3}
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        region = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(
            parsed.country_code
        )
        answer = {
            **base,
            "CleansedPhoneNumberE164": e164,
            "CleansedPhoneNumberNational": str(parsed.national_number),
            "Country": geocoder.country_name_for_number(parsed, "en") or None,
            "CountryCodeIso2": region,
            "CountryCodeNumeric": str(parsed.country_code),
            "Timezone": next(iter(timezone.time_zones_for_number(parsed)), None),
        }
        if e164 in self.numbers:
            answer.update(self.numbers[e164])
        elif not phonenumbers.is_valid_number(parsed):
            answer["PhoneType"] = "OTHER" if phonenumbers.is_possible_number(parsed) else "INVALID"
        else:
            answer["PhoneType"] = _TYPES.get(phonenumbers.number_type(parsed), "OTHER")
            answer["Carrier"] = carrier.name_for_number(parsed, "en") or None
        answer["PhoneTypeCode"] = PHONE_TYPE_CODES[answer["PhoneType"]]
        return {k: v for k, v in answer.items() if v is not None}
