"""The result of validating one phone number: what the caller gave, what it is, and why it is (not) usable."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from englake.timestamps import iso, parse_iso

#: ``PhoneType`` values of PhoneNumberValidate (https://docs.aws.amazon.com/pinpoint/latest/apireference/phone-number-validate.html).
PHONE_TYPES = ("MOBILE", "LANDLINE", "VOIP", "INVALID", "PREPAID", "OTHER")
#: Phone types an SMS can reach; the sender and segments skip the others (LANDLINE, INVALID, OTHER).
SMS_CAPABLE_TYPES = frozenset({"MOBILE", "PREPAID", "VOIP"})


@dataclass(frozen=True)
class PhoneValidation:
    """One number's validation. ``input`` is the caller's spelling, kept as given (never overwritten).

    ``valid`` is False for a number that cannot be parsed, is not a possible number, or that PhoneNumberValidate
    calls ``INVALID``; ``reason`` then says why. ``retryable`` marks a result that is not an answer (the API call
    failed after retries): it is not cached, so the next run asks again.
    """

    input: str
    e164: str | None
    valid: bool
    reason: str | None
    type: str | None
    carrier: str | None
    country: str | None
    timezone: str | None
    validated_at: datetime
    #: ISO 3166-1 alpha-2 country code (``CountryCodeIso2``).
    country_code: str | None = None
    #: True when this is an error, not an answer: not cached, asked again next run.
    retryable: bool = False

    @property
    def sms_capable(self) -> bool:
        """Whether an SMS can reach it (a valid MOBILE, PREPAID or VOIP number)."""
        return self.valid and self.type in SMS_CAPABLE_TYPES

    def for_input(self, value: str) -> PhoneValidation:
        """The same answer, recorded for another spelling of the same number."""
        return self if value == self.input else PhoneValidation(**{**asdict(self), "input": value})

    def to_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["validated_at"] = iso(self.validated_at)
        row.pop("retryable")
        return row

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> PhoneValidation:
        fields = {name: row.get(name) for name in cls.__dataclass_fields__ if name not in ("retryable",)}
        fields["valid"] = bool(fields["valid"])
        fields["validated_at"] = parse_iso(str(row["validated_at"]))
        return cls(**fields)
