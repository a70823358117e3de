"""Amazon Connect Customer Profiles: the destination after Amazon Pinpoint's end of support (2026-10-30).

Profile ``Attributes`` are a string → string map (keys and values ≤ 255 characters, no arrays), so the list of
segment names becomes one attribute per segment: ``<prefix><segment>`` = ``"1"`` for a member. ``UpdateProfile``
merges: a key it names is set, a key it omits is kept, and a key sent with an empty string is removed
(https://docs.aws.amazon.com/connect/latest/APIReference/API_connect-customer-profiles_UpdateProfile.html). A
change therefore sends ``"1"`` for the segments an endpoint joined and ``""`` for those it left, which needs the
previous list ``EndpointChange.previous``; when that is unknown (a write whose outcome was lost), the profile's
current attributes are read first (``SearchProfiles`` on ``_profileId``) and every ``<prefix>`` key it should not
have is cleared. Customer segment definitions then filter on ``<prefix><segment> = "1"``.

Ids are profile ids: the segment models return profile ids for this destination. ``UpdateProfile`` never creates
a profile (an unknown id is ``ResourceNotFoundException``), so no known-id catalog is needed to avoid ghosts; an
unknown id is reported as rejected. One request per changed profile (there is no batch update of profile
attributes; ``BatchPutProfileObject`` writes profile *objects*, a different model).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, PartialCredentialsError

from englake.errors import AWS_CREDENTIAL_ERROR_CODES, client_error_code, from_client_error, from_setup_error
from segmentation.destinations.base import BatchCallback, DestinationLimits, EndpointChange, WriteResult
from segmentation.ratelimit import RateLimiter

if TYPE_CHECKING:  # pyarrow only in annotations: the Lambda packages import this module without it
    import pyarrow as pa

log = logging.getLogger(__name__)

API_URL = "https://docs.aws.amazon.com/connect/latest/APIReference/API_connect-customer-profiles_UpdateProfile.html"
#: Characters per attribute key and per value (API_URL, ``Attributes`` map constraints).
MAX_ATTRIBUTE_KEY_CHARS = 255
#: Requests per second the writer sends by default. The Customer Profiles throttling quotas were not retrieved for
#: this project (see "Customer Profiles quotas" at
#: https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html): a conservative
#: default; set ``rate`` from your account's Service Quotas.
DEFAULT_RATE = 5.0
DEFAULT_PREFIX = "seg_"
MEMBER = "1"
#: Profiles per "batch" handed back to the sync (one request each; the batch only paces journaling).
BATCH_SIZE = 100
_REJECTING_ERRORS = {"BadRequestException", "ResourceNotFoundException"}


class CustomerProfilesDestination:
    """Write segment membership as ``<prefix><segment>`` attributes of the profiles of one domain."""

    reads_back = False

    def __init__(
        self,
        client: Any,
        domain_name: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        rate: float | None = DEFAULT_RATE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """``client`` is a boto3 ``customer-profiles`` client (englake.aws.client, adaptive retries)."""
        self.client = client
        self.domain_name = domain_name
        self.prefix = prefix
        self.limiter = RateLimiter(rate, burst=1, initial=0, clock=clock, sleep=sleep)
        self.limits = DestinationLimits(
            max_values=None, max_value_chars=MAX_ATTRIBUTE_KEY_CHARS - len(prefix), batch_size=BATCH_SIZE
        )
        self.id = f"customer-profiles-{domain_name}-{prefix.rstrip('_') or 'seg'}"

    def describe(self) -> str:
        return f"Amazon Connect Customer Profiles domain {self.domain_name}, attributes {self.prefix}<segment>"

    def known_endpoints(self) -> None:
        return None  # UpdateProfile cannot create a profile: unknown ids come back as rejected

    def baseline(self) -> pa.Table | None:
        return None

    def prepare(self) -> None:
        """Nothing to bring up to date: Customer Profiles holds the profiles."""

    def write(self, changes: Sequence[EndpointChange], on_batch: BatchCallback | None = None) -> WriteResult:
        total = WriteResult()
        for start in range(0, len(changes), BATCH_SIZE):
            result = WriteResult()
            for change in changes[start : start + BATCH_SIZE]:
                result.add(self._write_one(change))
            total.add(result)
            if on_batch is not None:
                on_batch(result)
        return total

    def _attributes(self, change: EndpointChange, result: WriteResult) -> dict[str, str]:
        desired = set(change.segments)
        if change.previous is not None:
            previous = set(change.previous)
        else:  # unknown outcome of the last write: read what the profile holds now
            result.throttle_wait += self.limiter.acquire()
            result.api_calls += 1
            found = self.client.search_profiles(
                DomainName=self.domain_name, KeyName="_profileId", Values=[change.endpoint_id]
            )
            result.retries += found.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            held = found["Items"][0].get("Attributes", {}) if found.get("Items") else {}
            previous = {key[len(self.prefix) :] for key in held if key.startswith(self.prefix)}
        attributes = {f"{self.prefix}{name}": MEMBER for name in sorted(desired - previous)}
        attributes |= {f"{self.prefix}{name}": "" for name in sorted(previous - desired)}
        if change.previous is None:  # rewrite members too: their value may not be "1"
            attributes |= {f"{self.prefix}{name}": MEMBER for name in sorted(desired)}
        return attributes

    def _write_one(self, change: EndpointChange) -> WriteResult:
        result = WriteResult()
        try:
            attributes = self._attributes(change, result)
            if not attributes:
                result.accepted.append(change)
                return result
            result.throttle_wait += self.limiter.acquire()
            result.api_calls += 1
            response = self.client.update_profile(
                DomainName=self.domain_name, ProfileId=change.endpoint_id, Attributes=attributes
            )
            result.retries += response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        except ClientError as error:
            result.retries += error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            code = client_error_code(error)
            reason = f"{code}: {error.response.get('Error', {}).get('Message', str(error))}"
            if code in AWS_CREDENTIAL_ERROR_CODES:  # every call would fail alike: stop the run (a rerun converges)
                raise from_client_error(error) from error
            if code in _REJECTING_ERRORS:
                result.rejected.append((change, reason))
            else:
                log.warning("UpdateProfile %s failed after retries (%s)", change.endpoint_id, reason)
                result.failed.append((change, reason))
            return result
        except (NoCredentialsError, PartialCredentialsError, NoRegionError) as error:
            raise from_setup_error(error) from error
        except BotoCoreError as error:
            result.failed.append((change, f"{type(error).__name__}: {error}"))
            return result
        result.accepted.append(change)
        return result
