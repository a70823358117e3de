"""Where a validated audience is imported: one interface, two back ends.

- **Amazon Pinpoint** (until its end of support): the staged endpoints (Pinpoint's JSON import format, one
  endpoint per line, so nested attributes keep their lists and no column can misalign) are imported with
  ``CreateImportJob``; an import segment is defined only when a campaign will target it (the reference defined one
  per file and never used most of them).
- **Amazon Connect Customer Profiles** (the successor): a CSV of profile fields is uploaded with
  ``CreateUploadJob`` → ``GetUploadJobPath`` → HTTP PUT → ``StartUploadJob``; each profile is tagged with the
  audience (``englake_audience``) and a segment definition on that attribute is the audience a campaign targets.

Both report job states in one vocabulary (RUNNING / SUCCEEDED / FAILED) with the service's own word kept.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from handlers.audiences.contracts import Backend, ImportJob, ImportState, ImportStatus

#: Pinpoint ``JobStatus`` values (botocore pinpoint model) and what they mean here; FAILING is still running.
PINPOINT_JOB_STATES: dict[str, ImportState] = {
    "CREATED": "RUNNING",
    "PREPARING_FOR_INITIALIZATION": "RUNNING",
    "INITIALIZING": "RUNNING",
    "PROCESSING": "RUNNING",
    "PENDING_JOB": "RUNNING",
    "COMPLETING": "RUNNING",
    "FAILING": "RUNNING",
    "COMPLETED": "SUCCEEDED",
    "FAILED": "FAILED",
}
#: Customer Profiles ``UploadJobStatus`` (botocore customer-profiles model).
PROFILES_JOB_STATES: dict[str, ImportState] = {
    "CREATED": "RUNNING",
    "IN_PROGRESS": "RUNNING",
    "SUCCEEDED": "SUCCEEDED",
    "PARTIALLY_SUCCEEDED": "SUCCEEDED",
    "FAILED": "FAILED",
    "STOPPED": "FAILED",
}
#: The profile attribute naming the audience a profile was last imported in (segment definitions filter on it).
AUDIENCE_ATTRIBUTE = "englake_audience"
#: Upload job source columns → profile fields (``ObjectTypeField``: ``_source.<column>`` → ``_profile.<field>``).
PROFILE_FIELDS: dict[str, str] = {
    "Id": "_profile.AccountNumber",
    "EmailAddress": "_profile.EmailAddress",
    "PhoneNumber": "_profile.PhoneNumber",
    "City": "_profile.Address.City",
    "Country": "_profile.Address.Country",
    "PostalCode": "_profile.Address.PostalCode",
    "Region": "_profile.Address.State",
    "UserId": "_profile.Attributes.UserId",
    "OptOut": "_profile.Attributes.OptOut",
    AUDIENCE_ATTRIBUTE: f"_profile.Attributes.{AUDIENCE_ATTRIBUTE}",
}
#: Segment definition names: letters, digits, ``_`` and ``-``, ≤ 64 (botocore ``name`` shape pattern).
_SEGMENT_NAME = re.compile(r"[^a-zA-Z0-9_-]")


class ImportBackend(Protocol):
    """Import staged endpoints and report the job's state."""

    name: Backend
    #: File name of the staged body (its extension tells its format).
    staged_name: str

    def staged_body(self, endpoints: list[dict[str, Any]], audience_name: str) -> bytes:
        """The validated endpoints in the form this back end imports."""
        ...

    def start(self, staged_url: str, body: bytes, audience_name: str, define_segment: bool) -> ImportJob:
        """Start importing; ``body`` is the staged file itself (already in S3 at ``staged_url``)."""
        ...

    def status(self, job: ImportJob, polls: int) -> ImportStatus: ...


class PinpointImport:
    """``CreateImportJob`` into one Pinpoint application (JSON format, from the staging prefix)."""

    name: Backend = "pinpoint"
    staged_name = "endpoints.json"

    def __init__(self, client: Any, application_id: str, role_arn: str) -> None:
        self.client = client
        self.application_id = application_id
        self.role_arn = role_arn

    def staged_body(self, endpoints: list[dict[str, Any]], audience_name: str) -> bytes:
        return "".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n" for e in endpoints).encode()

    def start(self, staged_url: str, body: bytes, audience_name: str, define_segment: bool) -> ImportJob:
        request: dict[str, Any] = {
            "Format": "JSON",
            "RoleArn": self.role_arn,
            "S3Url": staged_url,
            "RegisterEndpoints": True,
            "DefineSegment": define_segment,
        }
        if define_segment:
            request["SegmentName"] = audience_name
        response = self.client.create_import_job(ApplicationId=self.application_id, ImportJobRequest=request)
        job = response["ImportJobResponse"]
        return ImportJob(
            backend="pinpoint",
            job_id=job["Id"],
            audience_name=audience_name,
            segment_id=job.get("Definition", {}).get("SegmentId"),
        )

    def status(self, job: ImportJob, polls: int) -> ImportStatus:
        response = self.client.get_import_job(ApplicationId=self.application_id, JobId=job.job_id)["ImportJobResponse"]
        word = response.get("JobStatus", "?")
        state = PINPOINT_JOB_STATES.get(word, "FAILED")
        segment_id = job.segment_id or response.get("Definition", {}).get("SegmentId")
        failed = int(response.get("TotalFailures", 0) or 0)
        return ImportStatus(
            job=job.model_copy(update={"segment_id": segment_id}),
            state=state,
            service_status=word,
            processed=int(response.get("TotalProcessed", 0) or 0) - failed,
            failed=failed,
            failures=list(response.get("Failures", []))[:20],
            polls=polls,
        )


def _default_put(url: str, body: bytes) -> None:
    """HTTP PUT to the upload job's presigned URL (standard library: the Lambda package carries no HTTP client)."""
    import urllib.request

    if not url.startswith("https://"):
        raise ValueError(f"upload job path {url[:40]}… is not an https URL")
    request = urllib.request.Request(url, data=body, method="PUT")
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status >= 300:
            raise OSError(f"upload to the job path answered HTTP {response.status}")


class ProfilesImport:
    """Customer Profiles upload job into one domain, then a segment definition of the audience."""

    name: Backend = "customer-profiles"
    staged_name = "profiles.csv"

    def __init__(
        self,
        client: Any,
        domain_name: str,
        *,
        put: Callable[[str, bytes], None] = _default_put,
        data_expiry_days: int | None = None,
    ) -> None:
        self.client = client
        self.domain_name = domain_name
        self.put = put
        self.data_expiry_days = data_expiry_days

    def staged_body(self, endpoints: list[dict[str, Any]], audience_name: str) -> bytes:
        custom = sorted({name for e in endpoints for name in (e.get("Attributes") or {})} - set(PROFILE_FIELDS))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*PROFILE_FIELDS, *custom], lineterminator="\n")
        writer.writeheader()
        for endpoint in endpoints:
            attributes = endpoint.get("Attributes") or {}
            # Profile attributes are one string each: a multi-valued attribute is comma-joined.
            extra = {name: ",".join(attributes[name]) for name in custom if name in attributes}
            writer.writerow(_profile_row(endpoint, audience_name) | extra)
        return out.getvalue().encode()

    def start(self, staged_url: str, body: bytes, audience_name: str, define_segment: bool) -> ImportJob:
        request: dict[str, Any] = {
            "DomainName": self.domain_name,
            "DisplayName": audience_name,
            "Fields": {
                column: {
                    "Source": f"_source.{column}",
                    "Target": PROFILE_FIELDS.get(column, f"_profile.Attributes.{column}"),
                    "ContentType": "STRING",
                }
                for column in next(csv.reader([body.split(b"\n", 1)[0].decode()]))
            },
            "UniqueKey": "Id",
        }
        if self.data_expiry_days:
            request["DataExpiry"] = self.data_expiry_days
        job_id = self.client.create_upload_job(**request)["JobId"]
        path = self.client.get_upload_job_path(DomainName=self.domain_name, JobId=job_id)
        self.put(path["Url"], body)
        self.client.start_upload_job(DomainName=self.domain_name, JobId=job_id)
        segment = self.define_segment(audience_name) if define_segment else None
        return ImportJob(backend="customer-profiles", job_id=job_id, audience_name=audience_name, segment_id=segment)

    def define_segment(self, audience_name: str) -> str:
        """A segment definition of the profiles imported in this audience (idempotent on its name)."""
        name = segment_definition_name(audience_name)
        try:
            found = self.client.get_segment_definition(DomainName=self.domain_name, SegmentDefinitionName=name)
            return found["SegmentDefinitionArn"]
        except self.client.exceptions.ResourceNotFoundException:
            pass
        created = self.client.create_segment_definition(
            DomainName=self.domain_name,
            SegmentDefinitionName=name,
            DisplayName=audience_name[:255],
            Description="englake audience import",
            SegmentGroups={
                "Include": "ALL",
                "Groups": [
                    {
                        "Type": "ALL",
                        "Dimensions": [
                            {
                                "ProfileAttributes": {
                                    "Attributes": {
                                        AUDIENCE_ATTRIBUTE: {"DimensionType": "INCLUSIVE", "Values": [audience_name]}
                                    }
                                }
                            }
                        ],
                    }
                ],
            },
        )
        return created["SegmentDefinitionArn"]

    def status(self, job: ImportJob, polls: int) -> ImportStatus:
        response = self.client.get_upload_job(DomainName=self.domain_name, JobId=job.job_id)
        word = response.get("Status", "?")
        summary = response.get("ResultsSummary") or {}
        failures = [response["StatusReason"]] if response.get("StatusReason") else []
        return ImportStatus(
            job=job,
            state=PROFILES_JOB_STATES.get(word, "FAILED"),
            service_status=word,
            processed=int(summary.get("CreatedRecords", 0)) + int(summary.get("UpdatedRecords", 0)),
            failed=int(summary.get("FailedRecords", 0)),
            failures=failures,
            polls=polls,
        )


def segment_definition_name(audience_name: str) -> str:
    return _SEGMENT_NAME.sub("-", audience_name)[:64]


def _profile_row(endpoint: dict[str, Any], audience_name: str) -> dict[str, str]:
    channel = endpoint.get("ChannelType")
    location = endpoint.get("Location") or {}
    return {
        "Id": endpoint["Id"],
        "EmailAddress": endpoint["Address"] if channel == "EMAIL" else "",
        "PhoneNumber": endpoint["Address"] if channel in ("SMS", "VOICE") else "",
        "City": str(location.get("City", "")),
        "Country": str(location.get("Country", "")),
        "PostalCode": str(location.get("PostalCode", "")),
        "Region": str(location.get("Region", "")),
        "UserId": (endpoint.get("User") or {}).get("UserId", ""),
        "OptOut": endpoint.get("OptOut", ""),
        AUDIENCE_ATTRIBUTE: audience_name,
    }
