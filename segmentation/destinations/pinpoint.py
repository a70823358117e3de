"""Amazon Pinpoint: each changed endpoint's whole list into one custom attribute, ``UpdateEndpointsBatch``.

Items carry only ``Id`` and ``Attributes: {<attribute>: [names…]}``: Pinpoint overwrites just the attributes a
request names, so channel, address, user and other attributes stay as they are. Because ``UpdateEndpointsBatch``
creates any id it does not know, only ids in the endpoint catalog (the latest export) are written. An empty list
clears the attribute on that endpoint (never ``RemoveAttributes``, which stops the attribute application-wide).

Requests are paced by a client-side token bucket at the documented quota and sent through a client with
botocore's adaptive retries (englake.aws.client). A request Pinpoint rejects as bad (400) is split in halves until
the bad endpoints are isolated (each reported as rejected with Pinpoint's message); one that still fails after
retries (throttling, 5xx, network) is reported as failed, so the sync rewrites those endpoints next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, PartialCredentialsError

from englake.errors import AWS_CREDENTIAL_ERROR_CODES, client_error_code, from_client_error, from_setup_error
from englake.pinpoint_quotas import (
    FORBIDDEN_NAME_CHARS,
    MAX_ATTRIBUTE_NAME_CHARS,
    MAX_ATTRIBUTE_VALUE_CHARS,
    MAX_BATCH_ITEMS,
    MAX_VALUES_PER_ATTRIBUTE,
    SEGMENT_ATTRIBUTE,
    UPDATE_ENDPOINTS_BATCH_RPS,
)
from segmentation.catalog import LakeExportCatalog
from segmentation.destinations.base import BatchCallback, DestinationLimits, EndpointChange, WriteResult
from segmentation.errors import SegmentNameError
from segmentation.ratelimit import RateLimiter

log = logging.getLogger(__name__)

#: Errors meaning "this request is bad": split the batch to find the bad endpoints.
_REJECTING_ERRORS = {"BadRequestException", "PayloadTooLargeException"}


def check_attribute_name(attribute: str) -> str:
    """The attribute name, if Pinpoint can take it."""
    if not attribute or len(attribute) > MAX_ATTRIBUTE_NAME_CHARS or set(attribute) & FORBIDDEN_NAME_CHARS:
        raise SegmentNameError(
            f"attribute name {attribute!r}: Pinpoint takes 1–{MAX_ATTRIBUTE_NAME_CHARS} characters, without # : ? \\ /"
        )
    return attribute


class PinpointDestination:
    """Write segment membership to one attribute of the endpoints of one Pinpoint application."""

    limits = DestinationLimits(
        max_values=MAX_VALUES_PER_ATTRIBUTE, max_value_chars=MAX_ATTRIBUTE_VALUE_CHARS, batch_size=MAX_BATCH_ITEMS
    )
    #: The export is a day old at best and writes land asynchronously (202): trust the snapshot instead.
    reads_back = False

    def __init__(
        self,
        client: Any,
        application_id: str,
        catalog: LakeExportCatalog,
        *,
        attribute: str = SEGMENT_ATTRIBUTE,
        rate: float | None = UPDATE_ENDPOINTS_BATCH_RPS,
        batch_size: int = MAX_BATCH_ITEMS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """``client`` is a boto3 pinpoint client (englake.aws.client("pinpoint")); ``rate`` None = no client limit."""
        if not 1 <= batch_size <= MAX_BATCH_ITEMS:
            raise ValueError(f"batch_size must be 1–{MAX_BATCH_ITEMS}")
        self.client = client
        self.application_id = application_id
        self.catalog = catalog
        self.attribute = check_attribute_name(attribute)
        self.batch_size = batch_size
        # Burst 1 at the client against the service's burst = rate: the spare token absorbs network jitter, so
        # requests spaced at exactly the quota never arrive too close together. Starting empty keeps a run that
        # follows another (a continuation invocation) from arriving on a spent quota.
        self.limiter = RateLimiter(rate, burst=1, initial=0, clock=clock, sleep=sleep)
        self.id = f"pinpoint-{application_id}-{attribute}"

    def describe(self) -> str:
        rate = f"{self.limiter.rate:g} rps" if self.limiter.rate else "no client rate limit"
        return f"Amazon Pinpoint app {self.application_id}, attribute {self.attribute} ({rate})"

    def known_endpoints(self) -> pa.Array:
        return self.catalog.known_ids()

    def baseline(self) -> pa.Table:
        return self.catalog.current_values()

    def prepare(self) -> None:
        """Nothing to bring up to date: Pinpoint holds the endpoints."""

    def write(self, changes: Sequence[EndpointChange], on_batch: BatchCallback | None = None) -> WriteResult:
        total = WriteResult()
        for start in range(0, len(changes), self.batch_size):
            result = self._send(list(changes[start : start + self.batch_size]))
            total.add(result)
            if on_batch is not None:
                on_batch(result)
        return total

    def _send(self, batch: list[EndpointChange]) -> WriteResult:
        result = WriteResult()
        result.throttle_wait += self.limiter.acquire()
        items = [{"Id": c.endpoint_id, "Attributes": {self.attribute: list(c.segments)}} for c in batch]
        result.api_calls += 1
        try:
            response = self.client.update_endpoints_batch(
                ApplicationId=self.application_id, EndpointBatchRequest={"Item": items}
            )
        except ClientError as error:
            result.retries += error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            code = client_error_code(error)
            message = error.response.get("Error", {}).get("Message", str(error))
            if code in AWS_CREDENTIAL_ERROR_CODES:
                # Expired, invalid or denied credentials fail every request alike: stop the run, don't mark all
                # endpoints failed (the reference's and our old "partial" outcome).
                raise from_client_error(error) from error
            if code in _REJECTING_ERRORS:
                if len(batch) == 1:
                    result.rejected.append((batch[0], f"{code}: {message}"))
                else:  # split to isolate the endpoints Pinpoint refuses
                    middle = len(batch) // 2
                    result.add(self._send(batch[:middle]))
                    result.add(self._send(batch[middle:]))
                return result
            log.warning("UpdateEndpointsBatch failed after retries (%s: %s); %d endpoints", code, message, len(batch))
            result.failed += [(change, f"{code}: {message}") for change in batch]
            return result
        except (NoCredentialsError, PartialCredentialsError, NoRegionError) as error:
            raise from_setup_error(error) from error
        except BotoCoreError as error:
            log.warning("UpdateEndpointsBatch failed (%s); %d endpoints", error, len(batch))
            result.failed += [(change, type(error).__name__ + ": " + str(error)) for change in batch]
            return result
        result.retries += response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        result.accepted += batch
        return result
