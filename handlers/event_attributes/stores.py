"""Where event-driven attributes live: Pinpoint endpoints or Customer Profiles profiles, one interface.

``read`` returns the current attributes of the ids that **exist** (an unknown id is absent: nothing is ever
written to it, so no bare endpoint is created — the reference's ``UpdateEndpoint`` on an unknown id created one).
``write`` sends only the named attributes, so the endpoint's other attributes stay as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from botocore.exceptions import ClientError

from englake.errors import client_error_code
from englake.pinpoint_quotas import MAX_BATCH_ITEMS

log = logging.getLogger(__name__)

#: Errors that mean "this id does not exist".
_NOT_FOUND = {"NotFoundException", "ResourceNotFoundException"}
#: Errors meaning the request itself is bad: split the batch to find the endpoint Pinpoint refuses.
_REJECTING = {"BadRequestException", "PayloadTooLargeException"}
#: Characters per profile attribute value (Customer Profiles UpdateProfile ``Attributes``).
MAX_PROFILE_ATTRIBUTE_CHARS = 255

Attributes = dict[str, list[str]]


class AttributeStore(Protocol):
    name: str

    def read(self, application_id: str, ids: Iterable[str]) -> dict[str, Attributes]: ...

    def write(self, application_id: str, updates: dict[str, Attributes]) -> dict[str, str]:
        """Write; returns endpoint id → reason for the ones refused or failed (the rest were written)."""
        ...


class PinpointAttributes:
    """``GetEndpoint`` per endpoint (existence and current values), ``UpdateEndpointsBatch`` ≤ 100 per request."""

    name = "pinpoint"

    def __init__(self, client: Any) -> None:
        """``client``: englake.aws.client("pinpoint") (adaptive retries: throttling is retried, not swallowed)."""
        self.client = client
        self.calls: dict[str, int] = {"GetEndpoint": 0, "UpdateEndpointsBatch": 0}

    def read(self, application_id: str, ids: Iterable[str]) -> dict[str, Attributes]:
        found: dict[str, Attributes] = {}
        for endpoint_id in ids:
            self.calls["GetEndpoint"] += 1
            try:
                response = self.client.get_endpoint(ApplicationId=application_id, EndpointId=endpoint_id)
            except ClientError as error:
                if client_error_code(error) in _NOT_FOUND:
                    continue
                raise
            found[endpoint_id] = response["EndpointResponse"].get("Attributes") or {}
        return found

    def write(self, application_id: str, updates: dict[str, Attributes]) -> dict[str, str]:
        failed: dict[str, str] = {}
        items = [{"Id": endpoint_id, "Attributes": attributes} for endpoint_id, attributes in updates.items()]
        for start in range(0, len(items), MAX_BATCH_ITEMS):
            failed |= self._send(application_id, items[start : start + MAX_BATCH_ITEMS])
        return failed

    def _send(self, application_id: str, items: list[dict[str, Any]]) -> dict[str, str]:
        self.calls["UpdateEndpointsBatch"] += 1
        try:
            self.client.update_endpoints_batch(ApplicationId=application_id, EndpointBatchRequest={"Item": items})
        except ClientError as error:
            reason = f"{client_error_code(error)}: {error.response.get('Error', {}).get('Message', '')}"
            if client_error_code(error) in _REJECTING and len(items) > 1:
                middle = len(items) // 2
                return self._send(application_id, items[:middle]) | self._send(application_id, items[middle:])
            log.warning("UpdateEndpointsBatch failed for %d endpoints (%s)", len(items), reason)
            return {item["Id"]: reason for item in items}
        return {}


class ProfileAttributes:
    """Customer Profiles: a set is one comma-joined string attribute; ``UpdateProfile`` never creates a profile."""

    name = "customer-profiles"

    def __init__(self, client: Any, domain_name: str) -> None:
        self.client = client
        self.domain_name = domain_name
        self.calls: dict[str, int] = {"SearchProfiles": 0, "UpdateProfile": 0}

    def read(self, application_id: str, ids: Iterable[str]) -> dict[str, Attributes]:
        found: dict[str, Attributes] = {}
        for profile_id in ids:
            self.calls["SearchProfiles"] += 1
            items = self.client.search_profiles(
                DomainName=self.domain_name, KeyName="_profileId", Values=[profile_id]
            ).get("Items", [])
            if items:
                held = items[0].get("Attributes") or {}
                found[profile_id] = {k: [v for v in value.split(",") if v] for k, value in held.items()}
        return found

    def write(self, application_id: str, updates: dict[str, Attributes]) -> dict[str, str]:
        failed: dict[str, str] = {}
        for profile_id, attributes in updates.items():
            # An empty string removes the key (UpdateProfile); a set becomes one comma-joined value.
            flat = {name: ",".join(values) for name, values in attributes.items()}
            too_long = [name for name, value in flat.items() if len(value) > MAX_PROFILE_ATTRIBUTE_CHARS]
            if too_long:
                failed[profile_id] = f"attribute {too_long[0]} over {MAX_PROFILE_ATTRIBUTE_CHARS} characters"
                continue
            self.calls["UpdateProfile"] += 1
            try:
                self.client.update_profile(DomainName=self.domain_name, ProfileId=profile_id, Attributes=flat)
            except ClientError as error:
                failed[profile_id] = f"{client_error_code(error)}: {error.response.get('Error', {}).get('Message', '')}"
        return failed
