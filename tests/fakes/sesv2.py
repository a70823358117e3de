"""A fake of the SES v2 operations moto lacks: the account-level suppression list and email templates.

moto answers SESv2 ``SendEmail`` (Simple and Raw) itself, so this fake composes with ``mock_aws`` on the same
client: the suppression and template operations are answered here, sending falls through to moto.

Behaviour follows the SES v2 API reference:
- one entry per address; ``PutSuppressedDestination`` on a listed address replaces its reason and update time;
- ``Reason`` ∈ BOUNCE | COMPLAINT (botocore does not validate enums, the service does: 400 BadRequest);
- an unlisted address is ``NotFoundException`` (404) for Get and Delete;
- ``ListSuppressedDestinations`` filters by ``Reason`` (repeatable), ``StartDate`` / ``EndDate`` on the update time,
  and pages with an opaque ``NextToken`` (``PageSize`` at most 1000 [unverified maximum]);
- ``CreateEmailTemplate`` on an existing name is ``AlreadyExistsException``; names are 1–64 characters of letters,
  digits, ``_`` and ``-``.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakes.base import FakeServiceError, RestJsonFake, bad_request, not_found

#: SES v2 ListSuppressedDestinations page size ceiling [unverified: the API reference gives no number we could read].
MAX_PAGE_SIZE = 1000
_TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SesV2Fake(RestJsonFake):
    service_name = "sesv2"

    def __init__(self, clock: Any = None) -> None:
        super().__init__()
        self.suppressed: dict[str, dict[str, Any]] = {}
        self.templates: dict[str, dict[str, Any]] = {}
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- suppression list -------------------------------------------------------------------------------------

    def PutSuppressedDestination(self, EmailAddress: str, Reason: str, **_: Any) -> dict:
        if Reason not in ("BOUNCE", "COMPLAINT"):
            raise bad_request(f"Invalid Reason {Reason!r}: expected BOUNCE or COMPLAINT")
        if not _ADDRESS.match(EmailAddress):
            raise bad_request(f"Invalid email address {EmailAddress!r}")
        self.suppressed[EmailAddress] = {
            "EmailAddress": EmailAddress,
            "Reason": Reason,
            "LastUpdateTime": self._clock(),
        }
        return {}

    def GetSuppressedDestination(self, EmailAddress: str, **_: Any) -> dict:
        entry = self.suppressed.get(EmailAddress)
        if entry is None:
            raise not_found(f"Email address {EmailAddress} does not exist on your suppression list.")
        return {"SuppressedDestination": {**_wire(entry), "Attributes": {}}}

    def DeleteSuppressedDestination(self, EmailAddress: str, **_: Any) -> dict:
        if self.suppressed.pop(EmailAddress, None) is None:
            raise not_found(f"Email address {EmailAddress} does not exist on your suppression list.")
        return {}

    def ListSuppressedDestinations(
        self,
        Reasons: list[str] | None = None,
        StartDate: str | None = None,
        EndDate: str | None = None,
        NextToken: str | None = None,
        PageSize: int | None = None,
        **_: Any,
    ) -> dict:
        size = PageSize or MAX_PAGE_SIZE
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise bad_request(f"PageSize must be between 1 and {MAX_PAGE_SIZE}")
        start = _parse_time(StartDate) if StartDate else None
        end = _parse_time(EndDate) if EndDate else None
        matches = [
            entry
            for address, entry in sorted(self.suppressed.items())
            if (not Reasons or entry["Reason"] in Reasons)
            and (start is None or entry["LastUpdateTime"] >= start)
            and (end is None or entry["LastUpdateTime"] <= end)
        ]
        offset = _decode_token(NextToken) if NextToken else 0
        page = matches[offset : offset + size]
        output: dict[str, Any] = {"SuppressedDestinationSummaries": [_wire(e) for e in page]}
        if offset + size < len(matches):
            output["NextToken"] = base64.urlsafe_b64encode(f"offset:{offset + size}".encode()).decode()
        return output

    # -- templates ----------------------------------------------------------------------------------------------

    def CreateEmailTemplate(self, TemplateName: str, TemplateContent: dict, **_: Any) -> dict:
        if not _TEMPLATE_NAME.match(TemplateName):
            raise bad_request(f"Invalid template name {TemplateName!r}")
        if TemplateName in self.templates:
            raise FakeServiceError("AlreadyExistsException", f"Template {TemplateName} already exists.", 400)
        self.templates[TemplateName] = dict(TemplateContent)
        return {}

    def UpdateEmailTemplate(self, TemplateName: str, TemplateContent: dict, **_: Any) -> dict:
        if TemplateName not in self.templates:
            raise not_found(f"Template {TemplateName} does not exist.")
        self.templates[TemplateName] = dict(TemplateContent)
        return {}

    def GetEmailTemplate(self, TemplateName: str, **_: Any) -> dict:
        if TemplateName not in self.templates:
            raise not_found(f"Template {TemplateName} does not exist.")
        return {"TemplateName": TemplateName, "TemplateContent": self.templates[TemplateName]}

    def DeleteEmailTemplate(self, TemplateName: str, **_: Any) -> dict:
        if self.templates.pop(TemplateName, None) is None:
            raise not_found(f"Template {TemplateName} does not exist.")
        return {}


def _wire(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "LastUpdateTime": entry["LastUpdateTime"].timestamp()}


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _decode_token(token: str) -> int:
    try:
        kind, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind != "offset":
            raise ValueError(kind)
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid NextToken") from None
