"""Validation results written onto contacts (Pinpoint endpoints) as ``PNV_*`` attributes, through ``Contacts``.

The reference (spec §4) overwrote the endpoint's ``Address`` with the cleansed number and left INVALID or LANDLINE
endpoints as they were. Here the address is never touched (the original stays; the E.164 form goes in
``PNV_E164``), and every endpoint holding the number gets the answer, including ``PNV_SmsCapable`` = "No" for
landlines and invalid numbers, which segments and senders filter on.
"""

from __future__ import annotations

from collections.abc import Iterable

from englake.timestamps import iso
from handlers.phone_validation.models import PhoneValidation
from handlers.sms.contacts import Contacts

#: Attribute names (the reference's ``PNV_`` prefix, so existing segment filters keep working).
PREFIX = "PNV_"


def validation_attributes(result: PhoneValidation) -> dict[str, str]:
    values = {
        "PhoneNumberValidated": "Yes",
        "E164": result.e164 or "",
        "Valid": "Yes" if result.valid else "No",
        "SmsCapable": "Yes" if result.sms_capable else "No",
        "PhoneType": result.type or "Unknown",
        "Carrier": result.carrier or "Unknown",
        "Country": result.country or "Unknown",
        "CountryCodeIso2": result.country_code or "Unknown",
        "Timezone": result.timezone or "Unknown",
        "ValidatedAt": iso(result.validated_at),
    }
    # Pinpoint attribute values are at most 100 characters (event-formats.md §5).
    return {PREFIX + name: value[:100] for name, value in values.items()}


def write_attributes(results: Iterable[PhoneValidation], contacts: Contacts) -> int:
    """Write each answered number's attributes on its contacts; returns the contacts written."""
    by_number = {
        result.e164: validation_attributes(result) for result in results if result.e164 and not result.retryable
    }
    return contacts.set_attributes_many(by_number)
