"""A fake Amazon Pinpoint endpoint service, answering below a real boto3 ``pinpoint`` client (see ``base.py``).

It stores endpoints per application and behaves as the service documents (event-formats.md §5):

- ``UpdateEndpoint`` / ``UpdateEndpointsBatch`` create an unknown id, overwrite each attribute they name, leave the
  attributes they do not name alone, and answer **202** (accepted, processing may not be complete).
- An attribute sent with an **empty list** clears that attribute on that endpoint. This is the workaround the AWS
  SDK team relayed from the Pinpoint team (https://github.com/aws/aws-sdk-js/issues/3180, 2021-12-28); it is not in
  the API reference. The fake drops the key, so ``GetEndpoint`` no longer shows it.
- Limits are enforced with ``BadRequestException`` (400) before anything is stored, so a rejected request changes
  nothing: 100 items per batch, 50 values per attribute, 100 characters per value, 50 characters per attribute
  name, 250 attribute names per application, 15 KB per endpoint, 15 endpoints per user id, ``$ { }`` in ids, and
  the ``ChannelType`` enum (botocore does not validate enums).
- Per-operation request quotas are token buckets (burst = rate, as the quotas page states) answering 429
  ``TooManyRequestsException``. Pass ``clock`` to run them on a virtual clock, so throttling can be simulated and
  benchmarks run at the documented quota without sleeping.
- Export jobs write Pinpoint's export format (gzip, one endpoint JSON per line) to S3 through the S3 client you pass
  (moto in tests); import jobs read JSON (one endpoint per line) or CSV (dotted column names) from S3.

Endpoint ids are case-insensitive in Pinpoint; the fake keys them case-folded and keeps the id as first written.
Applications must exist: ``add_app`` (or ``CreateApp``) registers one; other calls on an unknown application id
answer ``NotFoundException``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import botocore.session

from tests.fakes.base import FakeServiceError, RestJsonFake, bad_request, not_found, throttled

QUOTAS_URL = "https://docs.aws.amazon.com/pinpoint/latest/developerguide/quotas.html"

#: Items per UpdateEndpointsBatch request (QUOTAS_URL, "Endpoint quotas").
MAX_BATCH_ITEMS = 100
#: Values per attribute in Attributes and UserAttributes (QUOTAS_URL).
MAX_VALUES_PER_ATTRIBUTE = 50
#: Characters per attribute value (QUOTAS_URL).
MAX_ATTRIBUTE_VALUE_CHARS = 100
#: Characters per attribute name (QUOTAS_URL).
MAX_ATTRIBUTE_NAME_CHARS = 50
#: Attribute names across Attributes, Metrics and UserAttributes, per application (QUOTAS_URL).
MAX_ATTRIBUTES_PER_APP = 250
#: Endpoint size (QUOTAS_URL).
MAX_ENDPOINT_BYTES = 15 * 1024
#: Endpoints sharing one user id (QUOTAS_URL; older docs said 10).
MAX_ENDPOINTS_PER_USER = 15

#: Requests per second, burst = rate, per account and Region: the CURRENT "API rate quotas" table at QUOTAS_URL
#: (the archived 2023 guide listed 5,000 for the endpoint calls; the live page is lower).
RATE_QUOTAS: dict[str, float] = {
    "UpdateEndpoint": 10,
    "UpdateEndpointsBatch": 2,
    "GetEndpoint": 10,
    "DeleteEndpoint": 5,
    "CreateImportJob": 300,
}
#: "All other operations" row of the same table.
DEFAULT_RATE_QUOTA = 300.0

#: ChannelType enum of the pinpoint API model, read from botocore's model (the handlers state it themselves).
CHANNEL_TYPES = frozenset(botocore.session.get_session().get_service_model("pinpoint").shape_for("ChannelType").enum)
_FORBIDDEN_ID_CHARS = set("${}")
#: Endpoints per export piece (object); Pinpoint splits large exports into several files.
EXPORT_PIECE_SIZE = 10_000


class TokenBucket:
    """Requests per second with burst = rate, refilled from ``clock``."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.capacity = max(rate, 1.0)
        self.clock = clock
        self.tokens = self.capacity
        self.updated = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class PinpointFake(RestJsonFake):
    """Endpoints, export and import jobs of Amazon Pinpoint; attach to a ``boto3.client("pinpoint")``."""

    service_name = "pinpoint"

    def __init__(
        self,
        s3_client: Any | None = None,
        *,
        clock: Callable[[], float] | None = None,
        quotas: dict[str, float] | None = None,
        enforce_quotas: bool = True,
        export_polls: int = 0,
    ) -> None:
        """``quotas`` overrides RATE_QUOTAS; the first ``export_polls`` GetExportJob calls answer IN_PROGRESS."""
        super().__init__()
        self.s3 = s3_client
        self.clock = clock or time.monotonic
        self.quotas = {**RATE_QUOTAS, **(quotas or {})}
        self.enforce_quotas = enforce_quotas
        self.export_polls = export_polls
        self.apps: dict[str, dict[str, dict[str, Any]]] = {}
        self.app_names: dict[str, str] = {}
        self.attribute_names: dict[str, set[tuple[str, str]]] = {}
        self.export_jobs: dict[str, dict[str, dict[str, Any]]] = {}
        self.import_jobs: dict[str, dict[str, dict[str, Any]]] = {}
        self.throttled_count = 0
        self._buckets: dict[str, TokenBucket] = {}
        self._pending_polls: dict[str, int] = {}
        self._random = random.Random(7)
        self._users: dict[str, Counter[str]] = {}  # endpoints per user id, per application

    # -- test helpers (no API call, no quota) -------------------------------------------------------------------

    def add_app(self, application_id: str | None = None, name: str = "englake") -> str:
        application_id = application_id or uuid.uuid4().hex
        self.apps.setdefault(application_id, {})
        self.app_names[application_id] = name
        self.attribute_names.setdefault(application_id, set())
        self.export_jobs.setdefault(application_id, {})
        self.import_jobs.setdefault(application_id, {})
        return application_id

    def put_endpoint(self, application_id: str, endpoint: dict[str, Any]) -> None:
        """Store an endpoint as if an earlier UpdateEndpoint had created it (seeds tests and benchmarks)."""
        request = {k: v for k, v in endpoint.items() if k != "Id"}
        self._apply(application_id, endpoint["Id"], request, validate=False)

    def endpoint(self, application_id: str, endpoint_id: str) -> dict[str, Any] | None:
        return self._app(application_id).get(endpoint_id.casefold())

    def endpoints(self, application_id: str) -> dict[str, dict[str, Any]]:
        """Endpoints by id (as first written)."""
        return {e["Id"]: e for e in self._app(application_id).values()}

    # -- quota --------------------------------------------------------------------------------------------------

    def _take(self, operation: str) -> None:
        if not self.enforce_quotas:
            return
        bucket = self._buckets.get(operation)
        if bucket is None:
            bucket = self._buckets[operation] = TokenBucket(self.quotas.get(operation, DEFAULT_RATE_QUOTA), self.clock)
        if not bucket.take():
            self.throttled_count += 1
            raise throttled("Too many requests")

    # -- applications -------------------------------------------------------------------------------------------

    def _app(self, application_id: str) -> dict[str, dict[str, Any]]:
        try:
            return self.apps[application_id]
        except KeyError:
            raise not_found("Resource not found") from None

    def _app_response(self, application_id: str) -> dict[str, Any]:
        return {
            "Arn": f"arn:aws:mobiletargeting:us-east-1:123456789012:apps/{application_id}",
            "Id": application_id,
            "Name": self.app_names.get(application_id, ""),
            "CreationDate": _now(),
        }

    def CreateApp(self, CreateApplicationRequest: dict[str, Any]) -> dict[str, Any]:
        self._take("CreateApp")
        application_id = self.add_app(name=CreateApplicationRequest.get("Name", ""))
        return {"ApplicationResponse": self._app_response(application_id)}

    def GetApp(self, ApplicationId: str) -> dict[str, Any]:
        self._take("GetApp")
        self._app(ApplicationId)
        return {"ApplicationResponse": self._app_response(ApplicationId)}

    # -- endpoints ----------------------------------------------------------------------------------------------

    def UpdateEndpoint(self, ApplicationId: str, EndpointId: str, EndpointRequest: dict[str, Any]) -> dict[str, Any]:
        self._take("UpdateEndpoint")
        self._app(ApplicationId)
        self._validate_item(ApplicationId, EndpointId, EndpointRequest)
        self._apply(ApplicationId, EndpointId, EndpointRequest)
        return {"MessageBody": {"Message": "Accepted", "RequestID": str(uuid.uuid4())}}

    def UpdateEndpointsBatch(self, ApplicationId: str, EndpointBatchRequest: dict[str, Any]) -> dict[str, Any]:
        self._take("UpdateEndpointsBatch")
        self._app(ApplicationId)
        items = EndpointBatchRequest.get("Item", [])
        if len(items) > MAX_BATCH_ITEMS:
            raise bad_request(
                f"Batch size exceeds the maximum allowed: {len(items)} items, at most {MAX_BATCH_ITEMS} per request"
            )
        # The whole request is validated before anything is stored: a 400 changes nothing.
        for item in items:
            if not item.get("Id"):
                raise bad_request("Endpoint Id is required for each item in a batch")
            self._validate_item(ApplicationId, item["Id"], item)
        self._check_app_attribute_names(ApplicationId, items)
        for item in items:
            self._apply(ApplicationId, item["Id"], {k: v for k, v in item.items() if k != "Id"})
        return {"MessageBody": {"Message": "Accepted", "RequestID": str(uuid.uuid4())}}

    def GetEndpoint(self, ApplicationId: str, EndpointId: str) -> dict[str, Any]:
        self._take("GetEndpoint")
        endpoint = self._app(ApplicationId).get(EndpointId.casefold())
        if endpoint is None:
            raise not_found("Resource not found")
        return {"EndpointResponse": json.loads(json.dumps(endpoint))}

    def DeleteEndpoint(self, ApplicationId: str, EndpointId: str) -> dict[str, Any]:
        self._take("DeleteEndpoint")
        endpoint = self._app(ApplicationId).pop(EndpointId.casefold(), None)
        self._count_user(ApplicationId, endpoint, -1)
        # Documented: a missing endpoint is still 202 ("may have already been deleted").
        return {"EndpointResponse": endpoint or {"ApplicationId": ApplicationId, "Id": EndpointId}}

    def GetUserEndpoints(self, ApplicationId: str, UserId: str) -> dict[str, Any]:
        self._take("GetUserEndpoints")
        found = [e for e in self._app(ApplicationId).values() if e.get("User", {}).get("UserId") == UserId]
        if not found:
            raise not_found("Resource not found")
        return {"EndpointsResponse": {"Item": json.loads(json.dumps(found))}}

    def DeleteUserEndpoints(self, ApplicationId: str, UserId: str) -> dict[str, Any]:
        self._take("DeleteUserEndpoints")
        app = self._app(ApplicationId)
        found = [key for key, e in app.items() if e.get("User", {}).get("UserId") == UserId]
        self._users.get(ApplicationId, Counter()).pop(UserId, None)
        return {"EndpointsResponse": {"Item": [app.pop(key) for key in found]}}

    # -- validation and storage ---------------------------------------------------------------------------------

    def _validate_item(self, application_id: str, endpoint_id: str, request: dict[str, Any]) -> None:
        if _FORBIDDEN_ID_CHARS & set(endpoint_id):
            raise bad_request(f"Endpoint Id {endpoint_id!r} can't contain $, {{ or }}")
        channel = request.get("ChannelType")
        if channel is not None and channel not in CHANNEL_TYPES:
            raise bad_request(f"Invalid ChannelType: {channel}")
        for group, values in (
            ("Attributes", request.get("Attributes") or {}),
            ("UserAttributes", (request.get("User") or {}).get("UserAttributes") or {}),
        ):
            for name, listed in values.items():
                _check_name(name)
                if len(listed) > MAX_VALUES_PER_ATTRIBUTE:
                    raise bad_request(
                        f"{group} {name} of endpoint {endpoint_id} has {len(listed)} values; "
                        f"an attribute can have at most {MAX_VALUES_PER_ATTRIBUTE} values"
                    )
                for value in listed:
                    if len(value) > MAX_ATTRIBUTE_VALUE_CHARS:
                        raise bad_request(
                            f"{group} {name} value {value[:20]!r}… of endpoint {endpoint_id} is {len(value)} "
                            f"characters; an attribute value can be at most {MAX_ATTRIBUTE_VALUE_CHARS} characters"
                        )
        for name in request.get("Metrics") or {}:
            _check_name(name)
        user_id = (request.get("User") or {}).get("UserId")
        if user_id:
            current = self._app(application_id).get(endpoint_id.casefold())
            if not current or current.get("User", {}).get("UserId") != user_id:
                count = self._users.get(application_id, Counter())[user_id]
                if count >= MAX_ENDPOINTS_PER_USER:
                    raise bad_request(
                        f"User {user_id} already has {count} endpoints; at most {MAX_ENDPOINTS_PER_USER} per user"
                    )
        merged = _merge(self._app(application_id).get(endpoint_id.casefold()) or {}, request)
        size = len(json.dumps(merged).encode())
        if size > MAX_ENDPOINT_BYTES:
            raise bad_request(f"Endpoint {endpoint_id} would be {size} bytes; at most {MAX_ENDPOINT_BYTES}")
        self._check_app_attribute_names(application_id, [request])

    def _check_app_attribute_names(self, application_id: str, requests: list[dict[str, Any]]) -> None:
        names = set(self.attribute_names.get(application_id, set()))
        for request in requests:
            names |= _attribute_names(request)
        if len(names) > MAX_ATTRIBUTES_PER_APP:
            raise bad_request(
                f"The application would have {len(names)} attributes; at most {MAX_ATTRIBUTES_PER_APP} across "
                "Attributes, Metrics and UserAttributes"
            )

    def _apply(self, application_id: str, endpoint_id: str, request: dict[str, Any], validate: bool = True) -> None:
        app = self.apps.setdefault(application_id, {})
        key = endpoint_id.casefold()
        current = app.get(key)
        now = _now()
        if current is None:
            current = {
                "ApplicationId": application_id,
                "Id": endpoint_id,
                "CohortId": str(self._random.randrange(100)),
                "CreationDate": now,
                "EndpointStatus": "ACTIVE",
            }
        endpoint = _merge(current, request)
        endpoint["EffectiveDate"] = request.get("EffectiveDate") or now
        if not endpoint.get("Address") and "OptOut" not in endpoint:
            endpoint["OptOut"] = "ALL"  # documented: an endpoint created without Address is opted out
        endpoint.setdefault("OptOut", "NONE")
        self._count_user(application_id, current, -1)
        self._count_user(application_id, endpoint, +1)
        app[key] = endpoint
        self.attribute_names.setdefault(application_id, set()).update(_attribute_names(request))

    def _count_user(self, application_id: str, endpoint: dict[str, Any] | None, step: int) -> None:
        user_id = ((endpoint or {}).get("User") or {}).get("UserId")
        if user_id:
            self._users.setdefault(application_id, Counter())[user_id] += step

    # -- export jobs --------------------------------------------------------------------------------------------

    def CreateExportJob(self, ApplicationId: str, ExportJobRequest: dict[str, Any]) -> dict[str, Any]:
        self._take("CreateExportJob")
        app = self._app(ApplicationId)
        if self.s3 is None:
            raise FakeServiceError("InternalServerErrorException", "PinpointFake has no S3 client for exports", 500)
        if ExportJobRequest.get("SegmentId"):
            raise bad_request("PinpointFake exports whole applications only (no SegmentId)")
        bucket, prefix = _split_s3(ExportJobRequest["S3UrlPrefix"])
        job_id = uuid.uuid4().hex
        endpoints = list(app.values())
        pieces = max(1, math.ceil(len(endpoints) / EXPORT_PIECE_SIZE))
        base = f"{prefix}{ApplicationId}/{job_id}/"
        for piece in range(pieces):
            chunk = endpoints[piece * EXPORT_PIECE_SIZE : (piece + 1) * EXPORT_PIECE_SIZE]
            body = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in chunk).encode()
            self.s3.put_object(Bucket=bucket, Key=f"{base}{piece:05d}.gz", Body=gzip.compress(body))
        job = {
            "ApplicationId": ApplicationId,
            "CompletedPieces": pieces,
            "CompletionDate": _now(),
            "CreationDate": _now(),
            "Definition": {k: v for k, v in ExportJobRequest.items() if k in ("RoleArn", "S3UrlPrefix")},
            "FailedPieces": 0,
            "Id": job_id,
            "JobStatus": "COMPLETED",
            "TotalFailures": 0,
            "TotalPieces": pieces,
            "TotalProcessed": len(endpoints),
            "Type": "EXPORT",
        }
        self.export_jobs.setdefault(ApplicationId, {})[job_id] = job
        self._pending_polls[job_id] = self.export_polls
        return {"ExportJobResponse": {**job, "JobStatus": "CREATED"}}

    def GetExportJob(self, ApplicationId: str, JobId: str) -> dict[str, Any]:
        self._take("GetExportJob")
        job = self.export_jobs.get(ApplicationId, {}).get(JobId)
        if job is None:
            raise not_found("Resource not found")
        if self._pending_polls.get(JobId, 0) > 0:
            self._pending_polls[JobId] -= 1
            return {"ExportJobResponse": {**job, "JobStatus": "IN_PROGRESS"}}
        return {"ExportJobResponse": job}

    def GetExportJobs(self, ApplicationId: str, PageSize: str | None = None, Token: str | None = None) -> dict:
        self._take("GetExportJobs")
        self._app(ApplicationId)
        jobs = list(self.export_jobs.get(ApplicationId, {}).values())
        return {"ExportJobsResponse": _page(jobs, PageSize, Token)}

    # -- import jobs --------------------------------------------------------------------------------------------

    def CreateImportJob(self, ApplicationId: str, ImportJobRequest: dict[str, Any]) -> dict[str, Any]:
        self._take("CreateImportJob")
        self._app(ApplicationId)
        if self.s3 is None:
            raise FakeServiceError("InternalServerErrorException", "PinpointFake has no S3 client for imports", 500)
        fmt = ImportJobRequest["Format"]
        if fmt not in ("CSV", "JSON"):
            raise bad_request(f"Invalid Format: {fmt}")
        bucket, key = _split_s3(ImportJobRequest["S3Url"])
        keys = [key] if not key.endswith("/") and key else _list_keys(self.s3, bucket, key)
        processed, failures = 0, []
        for object_key in keys:
            body = self.s3.get_object(Bucket=bucket, Key=object_key)["Body"].read()
            if object_key.endswith(".gz"):
                body = gzip.decompress(body)
            rows = _json_rows(body) if fmt == "JSON" else _csv_rows(body)
            for line, row in rows:
                try:
                    if isinstance(row, Exception):
                        raise bad_request(f"{object_key} line {line}: {row}")
                    endpoint_id = row.get("Id") or uuid.uuid4().hex
                    request = {k: v for k, v in row.items() if k != "Id"}
                    self._validate_item(ApplicationId, endpoint_id, request)
                    self._apply(ApplicationId, endpoint_id, request)
                    processed += 1
                except FakeServiceError as error:
                    failures.append(f"{object_key} line {line}: {error.message}")
        job_id = uuid.uuid4().hex
        definition = {k: v for k, v in ImportJobRequest.items() if k != "ExternalId" or v}
        if ImportJobRequest.get("DefineSegment") and not definition.get("SegmentId"):
            definition["SegmentId"] = uuid.uuid4().hex
        job = {
            "ApplicationId": ApplicationId,
            "CompletedPieces": len(keys),
            "CompletionDate": _now(),
            "CreationDate": _now(),
            "Definition": definition,
            "FailedPieces": 0,
            "Failures": failures[:100],
            "Id": job_id,
            "JobStatus": "COMPLETED",
            "TotalFailures": len(failures),
            "TotalPieces": len(keys),
            "TotalProcessed": processed + len(failures),
            "Type": "IMPORT",
        }
        self.import_jobs.setdefault(ApplicationId, {})[job_id] = job
        return {"ImportJobResponse": {**job, "JobStatus": "CREATED"}}

    def GetImportJob(self, ApplicationId: str, JobId: str) -> dict[str, Any]:
        self._take("GetImportJob")
        job = self.import_jobs.get(ApplicationId, {}).get(JobId)
        if job is None:
            raise not_found("Resource not found")
        return {"ImportJobResponse": job}

    def GetImportJobs(self, ApplicationId: str, PageSize: str | None = None, Token: str | None = None) -> dict:
        self._take("GetImportJobs")
        self._app(ApplicationId)
        jobs = list(self.import_jobs.get(ApplicationId, {}).values())
        return {"ImportJobsResponse": _page(jobs, PageSize, Token)}


def _check_name(name: str) -> None:
    if len(name) > MAX_ATTRIBUTE_NAME_CHARS:
        raise bad_request(
            f"Attribute name {name[:20]!r}… is {len(name)} characters; at most {MAX_ATTRIBUTE_NAME_CHARS}"
        )


def _attribute_names(request: dict[str, Any]) -> set[tuple[str, str]]:
    names = {("Attributes", n) for n in request.get("Attributes") or {}}
    names |= {("Metrics", n) for n in request.get("Metrics") or {}}
    names |= {("UserAttributes", n) for n in (request.get("User") or {}).get("UserAttributes") or {}}
    return names


def _merge_lists(current: dict[str, list[str]] | None, update: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per attribute: named values overwrite, an empty list clears, unnamed attributes stay."""
    merged = dict(current or {})
    for name, values in update.items():
        if values:
            merged[name] = list(values)
        else:
            merged.pop(name, None)
    return merged


def _merge(current: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    endpoint = json.loads(json.dumps(current))
    for field, value in request.items():
        if field == "Attributes":
            endpoint["Attributes"] = _merge_lists(endpoint.get("Attributes"), value)
            if not endpoint["Attributes"]:
                endpoint.pop("Attributes")
        elif field == "Metrics":
            endpoint["Metrics"] = {**endpoint.get("Metrics", {}), **value}
        elif field == "User":
            user = dict(endpoint.get("User", {}))
            if "UserId" in value:
                user["UserId"] = value["UserId"]
            if "UserAttributes" in value:
                user["UserAttributes"] = _merge_lists(user.get("UserAttributes"), value["UserAttributes"])
            endpoint["User"] = user
        elif field in ("Demographic", "Location"):
            endpoint[field] = {**endpoint.get(field, {}), **value}
        else:
            endpoint[field] = value
    return endpoint


def _split_s3(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise bad_request(f"Invalid S3 URL {url!r}: expected s3://bucket/key")
    bucket, _, key = url[5:].partition("/")
    return bucket, key


def _list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", []) if not item["Key"].endswith("/")]
    return sorted(keys)


def _json_rows(body: bytes) -> list[tuple[int, Any]]:
    rows: list[tuple[int, Any]] = []
    for number, line in enumerate(body.decode().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            rows.append((number, ValueError(f"invalid JSON ({error.msg})")))
    return rows


def _csv_rows(body: bytes) -> list[tuple[int, Any]]:
    """CSV import: dotted headers (``User.UserId``, ``Attributes.Team``); an attribute cell is one value."""
    rows: list[tuple[int, Any]] = []
    for number, record in enumerate(csv.DictReader(io.StringIO(body.decode())), start=2):
        row: dict[str, Any] = {}
        for header, cell in record.items():
            if cell in (None, ""):
                continue
            path = header.split(".")
            if path[0] in ("Attributes",) or path[:2] == ["User", "UserAttributes"]:
                target = (
                    row.setdefault("Attributes", {})
                    if path[0] == "Attributes"
                    else row.setdefault("User", {}).setdefault("UserAttributes", {})
                )
                target[path[-1]] = [cell]
            elif path[0] == "Metrics":
                row.setdefault("Metrics", {})[path[1]] = float(cell)
            elif len(path) == 2:
                row.setdefault(path[0], {})[path[1]] = cell
            else:
                row[header] = cell
        rows.append((number, row))
    return rows


def _page(items: list[dict[str, Any]], page_size: str | None, token: str | None) -> dict[str, Any]:
    size = int(page_size or 100)
    start = int(token or 0)
    page: dict[str, Any] = {"Item": items[start : start + size]}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return page
