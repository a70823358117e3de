"""Email address normalization shared by the email handlers: one spelling per mailbox, so one row per mailbox.

We lowercase the whole address, not only the domain. RFC 5321 lets a local part be case-sensitive, but no major
mailbox provider treats it so, and for suppression the costly mistake is the other one: keeping ``Jane@x.com`` and
``jane@x.com`` apart would let a suppressed mailbox be mailed again under another spelling (listmonk does the same).
"""

from __future__ import annotations

import re
from email.utils import getaddresses

# A deliberately loose shape check (one @, no spaces, a dot-free or dotted domain): SES has already accepted or
# delivered to these addresses, so we reject only what cannot be a mailbox at all.
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


class AddressError(ValueError):
    """A value that is not an email address (the message names the value)."""


def normalize_address(value: str) -> str:
    """``"John Doe" <John@Example.COM>`` → ``john@example.com``: display name stripped, trimmed, lowercased.

    An internationalized domain is stored in its ASCII (IDNA) form, so both spellings meet on one row.
    """
    if not isinstance(value, str) or not value.strip():
        raise AddressError(f"not an email address: {value!r}")
    parsed = [address for _name, address in getaddresses([value.strip()]) if address]
    if len(parsed) != 1:
        raise AddressError(f"not exactly one email address in {value!r}")
    local, _, domain = parsed[0].strip().rpartition("@")
    if not local or not domain:
        raise AddressError(f"not an email address: {value!r}")
    domain = domain.rstrip(".").lower()
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise AddressError(f"invalid domain in {value!r}: {error}") from None
    address = f"{local.lower()}@{domain}"
    if not _ADDRESS.match(address):
        raise AddressError(f"not an email address: {value!r}")
    return address


def local_part(address: str) -> str:
    """The part before the last ``@`` of a normalized address."""
    return address.rpartition("@")[0]
