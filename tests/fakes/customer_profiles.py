"""A fake of Amazon Connect Customer Profiles below a real boto3 ``customer-profiles`` client (see ``base.py``).

What it keeps and how it behaves (API reference, https://docs.aws.amazon.com/customerprofiles/latest/APIReference/):

- profiles with string → string ``Attributes``; ``UpdateProfile`` sets the keys it names, keeps the others, removes
  a key sent as ``""``, refuses keys or values over 255 characters, and never creates a profile (an unknown id is
  ``ResourceNotFoundException``); ``SearchProfiles`` on ``_profileId`` or ``_account`` (AccountNumber);
- upload jobs: ``CreateUploadJob`` checks every field mapping (``_source.<column>`` → ``_profile.<field>``);
  ``GetUploadJobPath`` answers a presigned S3 PUT URL into a bucket of the S3 client you pass (moto in tests);
  ``StartUploadJob`` reads that object as CSV, creates or updates one profile per row keyed on ``UniqueKey``
  (AccountNumber), and counts created, updated and failed records; ``GetUploadJob`` answers IN_PROGRESS for the
  first ``upload_polls`` calls, then SUCCEEDED / PARTIALLY_SUCCEEDED / FAILED (``UploadJobStatus`` enum);
- segment definitions: Create (a name in use is ``BadRequestException``) and Get (404 when missing), with
  ``members`` evaluating their INCLUSIVE attribute dimensions for tests.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.base import FakeServiceError, RestJsonFake, bad_request

#: Keys and values of profile ``Attributes`` (UpdateProfile API reference).
MAX_ATTRIBUTE_CHARS = 255
#: Upload job statuses (botocore customer-profiles ``UploadJobStatus``).
UPLOAD_JOB_STATUSES = ("CREATED", "IN_PROGRESS", "PARTIALLY_SUCCEEDED", "SUCCEEDED", "FAILED", "STOPPED")
#: Standard profile fields an upload job may target (a subset of the Profile shape).
PROFILE_FIELDS = frozenset(
    {
        "AccountNumber",
        "FirstName",
        "LastName",
        "EmailAddress",
        "PhoneNumber",
        "MobilePhoneNumber",
        "Address.City",
        "Address.Country",
        "Address.PostalCode",
        "Address.State",
    }
)


def not_found(message: str) -> FakeServiceError:
    return FakeServiceError("ResourceNotFoundException", message, 404)


class CustomerProfilesFake(RestJsonFake):
    service_name = "customer-profiles"

    def __init__(self, s3_client: Any | None = None, upload_bucket: str = "profiles-uploads", upload_polls: int = 1):
        super().__init__()
        self.s3 = s3_client
        self.upload_bucket = upload_bucket
        self.upload_polls = upload_polls
        self.domains: set[str] = set()
        #: domain → profile id → profile
        self.profiles: dict[str, dict[str, dict[str, Any]]] = {}
        self.upload_jobs: dict[str, dict[str, Any]] = {}
        self.segments: dict[tuple[str, str], dict[str, Any]] = {}
        self._pending: dict[str, int] = {}

    # -- test helpers -------------------------------------------------------------------------------------------

    def add_domain(self, name: str) -> str:
        self.domains.add(name)
        self.profiles.setdefault(name, {})
        return name

    def add_profile(self, domain: str, profile_id: str, **fields: Any) -> dict[str, Any]:
        profile = {"ProfileId": profile_id, "Attributes": {}, **fields}
        self.profiles.setdefault(domain, {})[profile_id] = profile
        return profile

    def by_account(self, domain: str, account: str) -> dict[str, Any] | None:
        return next((p for p in self.profiles.get(domain, {}).values() if p.get("AccountNumber") == account), None)

    def members(self, domain: str, segment_name: str) -> set[str]:
        """Account numbers of the profiles a segment definition's INCLUSIVE attribute dimensions select."""
        definition = self.segments[(domain, segment_name)]
        selected = set()
        for profile in self.profiles.get(domain, {}).values():
            groups = definition["SegmentGroups"]["Groups"]
            if all(_matches(profile, dimension) for group in groups for dimension in group["Dimensions"]):
                selected.add(profile.get("AccountNumber") or profile["ProfileId"])
        return selected

    def _domain(self, name: str) -> dict[str, dict[str, Any]]:
        if name not in self.domains:
            raise not_found(f"Domain {name} not found")
        return self.profiles[name]

    # -- profiles -----------------------------------------------------------------------------------------------

    def UpdateProfile(self, DomainName: str, ProfileId: str, Attributes: dict[str, str] | None = None, **_: Any):
        profile = self._domain(DomainName).get(ProfileId)
        if profile is None:
            raise not_found(f"Profile {ProfileId} not found")
        for key, value in (Attributes or {}).items():
            if len(key) > MAX_ATTRIBUTE_CHARS or len(value) > MAX_ATTRIBUTE_CHARS:
                raise bad_request(f"Attribute {key[:20]} exceeds {MAX_ATTRIBUTE_CHARS} characters")
        for key, value in (Attributes or {}).items():
            if value == "":
                profile["Attributes"].pop(key, None)
            else:
                profile["Attributes"][key] = value
        return {"ProfileId": ProfileId}

    def SearchProfiles(self, DomainName: str, KeyName: str, Values: list[str], **_: Any):
        profiles = self._domain(DomainName)
        if KeyName == "_profileId":
            found = [profiles[v] for v in Values if v in profiles]
        elif KeyName == "_account":
            found = [p for p in profiles.values() if p.get("AccountNumber") in Values]
        else:
            raise bad_request(f"KeyName {KeyName} is not a search key of this domain")
        return {"Items": [dict(p) for p in found]}

    # -- upload jobs --------------------------------------------------------------------------------------------

    def CreateUploadJob(
        self, DomainName: str, DisplayName: str, Fields: dict, UniqueKey: str, DataExpiry: int | None = None
    ):
        self._domain(DomainName)
        for name, field in Fields.items():
            source, target = field.get("Source", ""), field.get("Target", "")
            if not source.startswith("_source.") or not target.startswith("_profile."):
                raise bad_request(f"Field {name}: Source must be _source.<column> and Target _profile.<field>")
            path = target[len("_profile.") :]
            if not (path in PROFILE_FIELDS or path.startswith("Attributes.")):
                raise bad_request(f"Field {name}: unknown profile field {path}")
        if UniqueKey not in Fields:
            raise bad_request(f"UniqueKey {UniqueKey} is not one of the Fields")
        job_id = uuid.uuid4().hex
        self.upload_jobs[job_id] = {
            "JobId": job_id,
            "DomainName": DomainName,
            "DisplayName": DisplayName,
            "Fields": Fields,
            "UniqueKey": UniqueKey,
            "Status": "CREATED",
            "CreatedAt": datetime.now(UTC).isoformat(),
            "DataExpiry": DataExpiry or 14,
            "key": f"upload-jobs/{job_id}.csv",
        }
        return {"JobId": job_id}

    def _job(self, domain: str, job_id: str) -> dict[str, Any]:
        job = self.upload_jobs.get(job_id)
        if job is None or job["DomainName"] != domain:
            raise not_found(f"Upload job {job_id} not found")
        return job

    def GetUploadJobPath(self, DomainName: str, JobId: str):
        job = self._job(DomainName, JobId)
        if self.s3 is None:
            raise FakeServiceError("InternalServerException", "CustomerProfilesFake has no S3 client", 500)
        url = self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": self.upload_bucket, "Key": job["key"]}, ExpiresIn=900
        )
        valid_until = (datetime.now(UTC) + timedelta(minutes=15)).isoformat()
        return {"Url": url, "ClientToken": uuid.uuid4().hex, "ValidUntil": valid_until}

    def StartUploadJob(self, DomainName: str, JobId: str):
        job = self._job(DomainName, JobId)
        if job["Status"] != "CREATED":
            raise bad_request(f"Upload job {JobId} is {job['Status']}; only a CREATED job can start")
        try:
            body = self.s3.get_object(Bucket=self.upload_bucket, Key=job["key"])["Body"].read()
        except Exception:  # noqa: BLE001 - the service reports a missing upload as a failed job
            job.update(Status="FAILED", StatusReason="No file was uploaded to the job path")
            return {}
        created = updated = failed = 0
        profiles = self.profiles[DomainName]
        for row in csv.DictReader(io.StringIO(body.decode())):
            key_value = row.get(job["UniqueKey"], "")
            if not key_value:
                failed += 1
                continue
            account = key_value
            profile = self.by_account(DomainName, account)
            if profile is None:
                profile = {"ProfileId": uuid.uuid4().hex, "Attributes": {}}
                profiles[profile["ProfileId"]] = profile
                created += 1
            else:
                updated += 1
            for _column, field in job["Fields"].items():
                value = row.get(field["Source"][len("_source.") :], "")
                if value == "":
                    continue
                path = field["Target"][len("_profile.") :]
                if path.startswith("Attributes."):
                    profile["Attributes"][path[len("Attributes.") :]] = value
                elif "." in path:
                    group, member = path.split(".", 1)
                    profile.setdefault(group, {})[member] = value
                else:
                    profile[path] = value
        status = "SUCCEEDED" if failed == 0 else ("PARTIALLY_SUCCEEDED" if created + updated else "FAILED")
        job.update(
            Status="IN_PROGRESS",
            final=status,
            ResultsSummary={"CreatedRecords": created, "UpdatedRecords": updated, "FailedRecords": failed},
        )
        self._pending[JobId] = self.upload_polls
        return {}

    def GetUploadJob(self, DomainName: str, JobId: str):
        job = self._job(DomainName, JobId)
        if job["Status"] == "IN_PROGRESS":
            if self._pending.get(JobId, 0) > 0:
                self._pending[JobId] -= 1
            else:
                job["Status"] = job["final"]
                job["CompletedAt"] = datetime.now(UTC).isoformat()
        return {k: v for k, v in job.items() if k not in ("DomainName", "key", "final")}

    # -- segment definitions ------------------------------------------------------------------------------------

    def CreateSegmentDefinition(self, DomainName: str, SegmentDefinitionName: str, DisplayName: str, **rest: Any):
        self._domain(DomainName)
        if (DomainName, SegmentDefinitionName) in self.segments:
            raise bad_request(f"Segment definition {SegmentDefinitionName} already exists")
        arn = f"arn:aws:profile:us-east-1:123456789012:domains/{DomainName}/segment-definitions/{SegmentDefinitionName}"
        definition = {
            "SegmentDefinitionName": SegmentDefinitionName,
            "DisplayName": DisplayName,
            "SegmentDefinitionArn": arn,
            "CreatedAt": datetime.now(UTC).isoformat(),
            **rest,
        }
        self.segments[(DomainName, SegmentDefinitionName)] = definition
        created = ("SegmentDefinitionName", "DisplayName", "Description", "CreatedAt", "SegmentDefinitionArn", "Tags")
        return {k: v for k, v in definition.items() if k in created}

    def GetSegmentDefinition(self, DomainName: str, SegmentDefinitionName: str):
        definition = self.segments.get((DomainName, SegmentDefinitionName))
        if definition is None:
            raise not_found(f"Segment definition {SegmentDefinitionName} not found")
        return {k: v for k, v in definition.items() if k != "SegmentSort" or v}


def _matches(profile: dict[str, Any], dimension: dict[str, Any]) -> bool:
    for name, condition in (dimension.get("ProfileAttributes", {}).get("Attributes") or {}).items():
        value = profile.get("Attributes", {}).get(name)
        if condition["DimensionType"] == "INCLUSIVE" and value not in condition["Values"]:
            return False
        if condition["DimensionType"] == "EXCLUSIVE" and value in condition["Values"]:
            return False
    return True
