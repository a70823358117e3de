"""A phone number in any spelling → E.164, with ``phonenumbers`` (Google's libphonenumber), or the reason it isn't one.

"Assume US" is narrower than the reference's ``"+1" + Address`` for any ten digits: a number without a ``+`` is
taken as a US national number only when ``phonenumbers`` parses it so (region US) and finds it a possible US number.
Anything else without a country code stays invalid with a reason: guessing a country sends texts to strangers.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

#: E.164 allows at most 15 digits (ITU-T E.164 §6); longer input is not a phone number.
E164_MAX_DIGITS = 15
#: Input longer than this is rejected before parsing (a pasted paragraph, not a number).
MAX_INPUT_CHARS = 64


class PhoneNumberError(ValueError):
    """The value is not a phone number we can use; the message says why (never the full number)."""


def mask(number: str | None) -> str:
    """A number for logs: the country code and last two digits only (``+1*******42``)."""
    if not number:
        return "<none>"
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) <= 4:
        return "*" * len(digits)
    return ("+" if number.strip().startswith("+") else "") + digits[:1] + "*" * (len(digits) - 3) + digits[-2:]


def to_e164(value: str, *, assume_us: bool = False) -> str:
    """``value`` as E.164 (``+12065550142``); raises ``PhoneNumberError`` naming the problem.

    A number must carry its country code (``+`` or ``00``), unless ``assume_us`` and it parses as a US national
    number. Possible-number checks (length per country) are local; whether the number exists is the API's call.
    """
    if not isinstance(value, str):
        raise PhoneNumberError(f"not text: {type(value).__name__}")
    text = value.strip()
    if not text:
        raise PhoneNumberError("empty")
    if len(text) > MAX_INPUT_CHARS:
        raise PhoneNumberError(f"longer than {MAX_INPUT_CHARS} characters")
    if text.startswith("00"):
        text = "+" + text[2:]
    international = text.startswith("+")
    if not international and not assume_us:
        raise PhoneNumberError("no country code (E.164 needs a leading +; or assume US for US national numbers)")
    try:
        parsed = phonenumbers.parse(text, None if international else "US")
    except NumberParseException as error:
        raise PhoneNumberError(f"unparseable ({error.args[0] if error.args else error})") from None
    if not international and phonenumbers.region_code_for_number(parsed) != "US":
        raise PhoneNumberError("not a US national number (assume US applies only to those)")
    if not phonenumbers.is_possible_number(parsed):
        raise PhoneNumberError("not a possible number for its country (wrong length)")
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    if len(e164) - 1 > E164_MAX_DIGITS:
        raise PhoneNumberError(f"more than {E164_MAX_DIGITS} digits")
    return e164


def is_e164(value: str) -> bool:
    """True when ``value`` is already exactly E.164 and a possible number."""
    try:
        return to_e164(value) == value
    except PhoneNumberError:
        return False
