"""The archive bucket: put one message, list an endpoint's messages, erase them all (right to erasure).

Erasure removes every *version* and every delete marker under ``archive/<EndpointId>/``: in a versioned bucket a
plain delete only hides an object behind a delete marker, which is not erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from englake.errors import LakeError
from handlers.archiver.events import DEFAULT_PREFIX, endpoint_prefix

#: DeleteObjects takes at most 1,000 keys per request
#: (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).
MAX_DELETE_KEYS = 1000


@dataclass(frozen=True)
class ArchivedObject:
    key: str
    size: int
    last_modified: datetime


@dataclass(frozen=True)
class ErasureReport:
    #: Distinct keys (messages) that had at least one version.
    messages: int
    #: Object versions deleted (equals ``messages`` in an unversioned bucket).
    versions: int
    delete_markers: int

    @property
    def deleted(self) -> int:
        return self.versions + self.delete_markers


class ArchiveStore:
    def __init__(self, s3: Any, bucket: str, prefix: str = DEFAULT_PREFIX) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix

    def put(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="message/rfc822")

    def list(self, endpoint_id: str) -> list[ArchivedObject]:
        """The current (latest) archived messages of one endpoint, oldest key first."""
        found = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=endpoint_prefix(self.prefix, endpoint_id)
        ):
            found.extend(
                ArchivedObject(item["Key"], item["Size"], item["LastModified"]) for item in page.get("Contents", [])
            )
        return sorted(found, key=lambda o: o.key)

    def erase(self, endpoint_id: str) -> ErasureReport:
        """Delete every version and delete marker of the endpoint's messages; returns what was deleted."""
        keys: set[str] = set()
        versions = markers = 0
        batch: list[dict[str, str]] = []
        for page in self.s3.get_paginator("list_object_versions").paginate(
            Bucket=self.bucket, Prefix=endpoint_prefix(self.prefix, endpoint_id)
        ):
            for version in page.get("Versions", []):
                keys.add(version["Key"])
                versions += 1
                batch.append({"Key": version["Key"], "VersionId": version["VersionId"]})
            for marker in page.get("DeleteMarkers", []):
                markers += 1
                batch.append({"Key": marker["Key"], "VersionId": marker["VersionId"]})
            while len(batch) >= MAX_DELETE_KEYS:
                self._delete(batch[:MAX_DELETE_KEYS])
                batch = batch[MAX_DELETE_KEYS:]
        if batch:
            self._delete(batch)
        return ErasureReport(messages=len(keys), versions=versions, delete_markers=markers)

    def _delete(self, objects: list[dict[str, str]]) -> None:
        response = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            raise LakeError(
                f"s3://{self.bucket}/{first.get('Key')}: could not delete {len(errors)} object version(s): "
                f"{first.get('Code')} {first.get('Message')}"
            )
