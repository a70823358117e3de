"""Phone validation of an audience's SMS and VOICE rows, with the shared validator (handlers/phone_validation).

Only rows whose channel is a phone channel are looked at: an EMAIL row is never validated and never opted out
(the reference validated every row as a phone number and opted the rest out). A phone row whose number is invalid,
or an SMS row whose number can't receive SMS (LANDLINE, OTHER), is rejected with the reason; nobody is opted out
by validation. Valid numbers are imported in E.164, with the country when the file had none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.audiences.columns import PHONE_CHANNELS
from handlers.audiences.parse import ParsedAudience, Reject

#: ``validate(numbers) -> {number: PhoneValidation}``: ``validate_numbers`` with its client and cache bound.
Validator = Callable[[list[str]], dict[str, Any]]


def phone_numbers(parsed: ParsedAudience) -> list[str]:
    return [e["Address"] for _, e in parsed.endpoints if e["ChannelType"] in PHONE_CHANNELS]


def apply_validation(parsed: ParsedAudience, results: dict[str, Any]) -> int:
    """Replace phone addresses by their E.164 form or reject the row; returns how many rows were rejected."""
    kept: list[tuple[int, dict[str, Any]]] = []
    rejected = 0
    for line, endpoint in parsed.endpoints:
        if endpoint["ChannelType"] not in PHONE_CHANNELS:
            kept.append((line, endpoint))
            continue
        result = results.get(endpoint["Address"])
        reason = _reason(endpoint["ChannelType"], result)
        if reason is not None:
            parsed.rejects.append(Reject(line, endpoint["Id"], reason))
            rejected += 1
            continue
        endpoint["Address"] = result.e164
        if result.country_code and not (endpoint.get("Location") or {}).get("Country"):
            endpoint.setdefault("Location", {})["Country"] = result.country_code
        kept.append((line, endpoint))
    parsed.endpoints = kept
    return rejected


def normalize_only(parsed: ParsedAudience, assume_us: bool = False) -> int:
    """Without the validation API: phone addresses must at least parse as possible numbers (no API call)."""
    from handlers.phone_validation import PhoneNumberError, to_e164

    results: dict[str, Any] = {}
    for number in phone_numbers(parsed):
        try:
            results[number] = _Local(to_e164(number, assume_us=assume_us))
        except PhoneNumberError as error:
            results[number] = _Local(None, str(error))
    return apply_validation(parsed, results)


class _Local:
    """What ``apply_validation`` reads of a result, for a number only parsed locally."""

    def __init__(self, e164: str | None, reason: str | None = None) -> None:
        self.e164 = e164
        self.valid = e164 is not None
        self.reason = reason
        self.type = "MOBILE" if e164 else "INVALID"  # unknown without the API: not rejected for its type
        self.retryable = False
        self.country_code = None
        self.sms_capable = self.valid


def _reason(channel: str, result: Any) -> str | None:
    if result is None:
        return "phone number not validated (validation did not reach it before the deadline); drop the file again"
    if getattr(result, "retryable", False):
        return f"phone validation failed ({result.reason}); drop the file again to retry"
    if not result.valid:
        return f"invalid phone number ({result.reason or result.type})"
    if channel == "SMS" and not result.sms_capable:
        return f"phone number can't receive SMS ({result.type})"
    return None
