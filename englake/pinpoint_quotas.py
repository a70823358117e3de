"""Amazon Pinpoint endpoint quotas and the segment attribute, stated once for the sync, the handlers and the CLI.

A core module: it imports nothing, so every Lambda package (which carries englake/) can import it without pulling in
segmentation/'s DuckDB and pyarrow.
"""

from __future__ import annotations

QUOTAS_URL = "https://docs.aws.amazon.com/pinpoint/latest/developerguide/quotas.html"
#: EndpointBatchItem objects per UpdateEndpointsBatch request (QUOTAS_URL, endpoint quotas).
MAX_BATCH_ITEMS = 100
#: Values per endpoint attribute (QUOTAS_URL).
MAX_VALUES_PER_ATTRIBUTE = 50
#: Characters per attribute value (QUOTAS_URL).
MAX_ATTRIBUTE_VALUE_CHARS = 100
#: Characters per attribute name (QUOTAS_URL).
MAX_ATTRIBUTE_NAME_CHARS = 50
#: Characters an attribute name can't contain (Pinpoint: "avoid # : ? \\ /").
FORBIDDEN_NAME_CHARS = frozenset("#:?\\/")
#: Endpoint size (QUOTAS_URL, "Endpoint size 15 KB").
MAX_ENDPOINT_BYTES = 15 * 1024
#: UpdateEndpointsBatch requests per second (burst = rate) in the CURRENT API rate quotas table at QUOTAS_URL
#: (the archived 2023 guide said 5,000; check Service Quotas for your account before raising a rate).
UPDATE_ENDPOINTS_BATCH_RPS = 2.0
#: PhoneNumberValidate requests per second per account and Region (burst = rate), "API rate quotas" at QUOTAS_URL.
PHONE_NUMBER_VALIDATE_RPS = 20.0

#: The endpoint attribute the segment sync writes each endpoint's segment names into, and segment filters match on
#: (the reference's Advanced Segmentation uses the same name).
SEGMENT_ATTRIBUTE = "AdvancedSegmentTarget"
