"""Contacts by phone number: mark *every* endpoint (or profile) holding a number as opted out or in, or give it
attributes — never inventing one.

The reference (spec §9) updated endpoint id ``<number without +>``: Pinpoint's ``UpdateEndpoint`` creates an id it
does not know, so the real endpoint stayed opted in and a bare new one was created. Here the endpoints holding the
number are looked up in the newest endpoint export in the lake (addresses normalised to E.164 the same way as
everywhere else), and only those ids are written, with ``UpdateEndpointsBatch`` (≤ 100 items, only the fields named
change). The segment destinations' interface (segmentation/destinations/base.py) writes lists of segment names per
endpoint id, which is not this job: this interface is keyed by phone number.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from englake.pinpoint_quotas import MAX_BATCH_ITEMS, UPDATE_ENDPOINTS_BATCH_RPS
from englake.storage import LakeStore
from handlers.phone_validation.normalize import PhoneNumberError, mask, to_e164
from handlers.sms.endpoints import phone_endpoints
from segmentation.ratelimit import RateLimiter

log = logging.getLogger(__name__)


class Contacts(Protocol):
    """Where people's channel state lives: Pinpoint endpoints, or Customer Profiles after Pinpoint's end of support."""

    def set_opt_out(self, number: str, opted_out: bool) -> int:
        """Mark every contact holding ``number`` (E.164); returns how many were written."""
        ...

    def set_attributes(self, number: str, attributes: Mapping[str, str]) -> int:
        """Write ``attributes`` on every contact holding ``number``; the address itself is never changed."""
        ...

    def set_attributes_many(self, attributes: Mapping[str, Mapping[str, str]]) -> int:
        """``set_attributes`` for many numbers at once (batched where the store allows)."""
        ...


class NoContacts:
    """No contact store configured: the opt-out list alone is the record."""

    def set_opt_out(self, number: str, opted_out: bool) -> int:
        return 0

    def set_attributes(self, number: str, attributes: Mapping[str, str]) -> int:
        return 0

    def set_attributes_many(self, attributes: Mapping[str, Mapping[str, str]]) -> int:
        return 0


class PinpointContacts:
    """SMS/VOICE endpoints of one Pinpoint application, found by number in the lake's newest endpoint export."""

    def __init__(self, client: Any, application_id: str, store: LakeStore, *, assume_us: bool = False):
        self.client = client
        self.application_id = application_id
        self.store = store
        self.assume_us = assume_us
        self.limiter = RateLimiter(UPDATE_ENDPOINTS_BATCH_RPS)
        self._index: dict[str, list[str]] | None = None

    def endpoint_ids(self, number: str) -> list[str]:
        """Ids of the SMS/VOICE endpoints whose address is ``number`` (any spelling in the export)."""
        if self._index is None:
            index: dict[str, list[str]] = {}
            for endpoint in phone_endpoints(self.store, self.application_id):
                try:
                    index.setdefault(to_e164(endpoint.address, assume_us=self.assume_us), []).append(
                        endpoint.endpoint_id
                    )
                except PhoneNumberError:
                    continue
            self._index = index
        return self._index.get(number, [])

    def set_opt_out(self, number: str, opted_out: bool) -> int:
        return self._write(number, {"OptOut": "ALL" if opted_out else "NONE"})

    def set_attributes(self, number: str, attributes: Mapping[str, str]) -> int:
        # Only the named attributes change: Address (the original spelling) and the others are left alone.
        return self._write(number, {"Attributes": {name: [value] for name, value in attributes.items()}})

    def set_attributes_many(self, attributes: Mapping[str, Mapping[str, str]]) -> int:
        items = [
            {"Id": endpoint_id, "Attributes": {name: [value] for name, value in values.items()}}
            for number, values in attributes.items()
            for endpoint_id in self.endpoint_ids(number)
        ]
        return self._send(items)

    def _write(self, number: str, change: dict[str, Any]) -> int:
        ids = self.endpoint_ids(number)
        if not ids:
            log.info("no endpoint holds %s: nothing to mark (no endpoint is created)", mask(number))
            return 0
        return self._send([{"Id": endpoint_id, **change} for endpoint_id in ids])

    def _send(self, items: list[dict[str, Any]]) -> int:
        for start in range(0, len(items), MAX_BATCH_ITEMS):
            self.limiter.acquire()
            batch = items[start : start + MAX_BATCH_ITEMS]
            self.client.update_endpoints_batch(ApplicationId=self.application_id, EndpointBatchRequest={"Item": batch})
        return len(items)


#: Requests per second to Customer Profiles: the same conservative default as the segment destination
#: (segmentation/destinations/customer_profiles.py; its quotas were not retrieved for this project).
PROFILES_RATE = 5.0
#: Profile attribute saying the person opted out of SMS ("true"/"false"): Customer Profiles has no opt-out field.
PROFILE_OPT_OUT_ATTRIBUTE = "sms_opt_out"


class CustomerProfilesContacts:
    """Amazon Connect Customer Profiles (Pinpoint's successor): every profile whose phone numbers include the
    number (``SearchProfiles`` on the standard ``_phone`` key, every page) gets the attributes (``UpdateProfile``
    merges; it never creates a profile). Profiles are expected to hold numbers in E.164, as Customer Profiles
    recommends."""

    def __init__(self, client: Any, domain: str, *, rate: float = PROFILES_RATE) -> None:
        self.client = client
        self.domain = domain
        self.limiter = RateLimiter(rate)

    def profile_ids(self, number: str) -> list[str]:
        ids: list[str] = []
        kwargs: dict[str, Any] = {"DomainName": self.domain, "KeyName": "_phone", "Values": [number]}
        while True:
            self.limiter.acquire()
            page = self.client.search_profiles(**kwargs)
            ids += [item["ProfileId"] for item in page.get("Items", [])]
            if not page.get("NextToken"):
                return ids
            kwargs["NextToken"] = page["NextToken"]

    def set_opt_out(self, number: str, opted_out: bool) -> int:
        return self.set_attributes(number, {PROFILE_OPT_OUT_ATTRIBUTE: "true" if opted_out else "false"})

    def set_attributes(self, number: str, attributes: Mapping[str, str]) -> int:
        ids = self.profile_ids(number)
        if not ids:
            log.info("no profile holds %s: nothing to mark (no profile is created)", mask(number))
        for profile_id in ids:
            self.limiter.acquire()
            self.client.update_profile(DomainName=self.domain, ProfileId=profile_id, Attributes=dict(attributes))
        return len(ids)

    def set_attributes_many(self, attributes: Mapping[str, Mapping[str, str]]) -> int:
        return sum(self.set_attributes(number, values) for number, values in attributes.items())
