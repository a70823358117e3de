"""Which endpoints exist: the latest Pinpoint endpoint export in the lake, or a fresh ``CreateExportJob``.

An export is gzip newline-delimited JSON, one endpoint per line in Pinpoint's format (``Id``, ``ChannelType``,
``Address``, ``User``, ``Attributes``, …), under ``endpoints/<application_id>/<export_id>/*.gz``. Extra folder levels
between the application and the files are allowed (an export job may add some): an export is the folder holding
the ``.gz`` files, and the latest is the one whose path below ``endpoints/<application_id>/`` sorts last — so write
exports under time-sortable ids (``PinpointExportCatalog`` uses ``<UTC timestamp>/``).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from englake.errors import LakeError
from englake.pinpoint_quotas import SEGMENT_ATTRIBUTE
from englake.storage import LakeStore
from ingest.layout import ENDPOINT_EXPORT_PREFIX, endpoint_export_key, endpoint_export_prefix
from segmentation.errors import DestinationError

log = logging.getLogger(__name__)

#: Endpoints per object when writing an export.
EXPORT_PIECE_SIZE = 10_000
#: Bound on waiting for an export job (no unbounded poll loop).
EXPORT_TIMEOUT_SECONDS = 900.0
EXPORT_POLL_SECONDS = 5.0


@dataclass(frozen=True)
class EndpointExport:
    application_id: str
    export_id: str  # the folder below endpoints/<application_id>/
    keys: tuple[str, ...]


def list_exports(store: LakeStore, application_id: str) -> list[EndpointExport]:
    """Every export of an application in the lake, oldest (by sorted export id) first."""
    prefix = endpoint_export_prefix(application_id)
    folders: dict[str, list[str]] = {}
    for item in store.list(prefix):
        if item.key.endswith(".gz"):
            folder = item.key[len(prefix) :].rpartition("/")[0]
            if folder:
                folders.setdefault(folder, []).append(item.key)
    return [EndpointExport(application_id, folder, tuple(sorted(keys))) for folder, keys in sorted(folders.items())]


def latest_export(store: LakeStore, application_id: str) -> EndpointExport | None:
    exports = list_exports(store, application_id)
    return exports[-1] if exports else None


def export_applications(store: LakeStore) -> list[str]:
    """Application ids that have an export in the lake."""
    return sorted(
        {item.key[len(ENDPOINT_EXPORT_PREFIX) :].split("/", 1)[0] for item in store.list(ENDPOINT_EXPORT_PREFIX)}
    )


def _export_schema(attribute: str) -> pa.Schema:
    return pa.schema(
        [
            ("Id", pa.string()),
            ("ChannelType", pa.string()),
            ("Address", pa.string()),
            ("User", pa.struct([("UserId", pa.string())])),
            ("Attributes", pa.struct([(attribute, pa.list_(pa.string()))])),
        ]
    )


def read_export(store: LakeStore, export: EndpointExport, attribute: str = SEGMENT_ATTRIBUTE) -> pa.Table:
    """(endpoint_id, channel_type, address, user_id, segments) of every endpoint in an export; segments may be null."""
    options = pa_json.ParseOptions(explicit_schema=_export_schema(attribute), unexpected_field_behavior="ignore")
    parts = []
    for key in export.keys:
        raw = gzip.decompress(store.get(key))
        if not raw.strip():
            continue
        try:
            parts.append(pa_json.read_json(io.BytesIO(raw), parse_options=options))
        except pa.ArrowInvalid as error:
            raise LakeError(
                f"endpoint export object {key!r} is not newline-delimited endpoint JSON: {error}"
            ) from error
    if not parts:
        return pa.table(
            {
                "endpoint_id": pa.array([], pa.string()),
                "channel_type": pa.array([], pa.string()),
                "address": pa.array([], pa.string()),
                "user_id": pa.array([], pa.string()),
                "segments": pa.array([], pa.list_(pa.string())),
            }
        )
    table = pa.concat_tables(parts)
    return pa.table(
        {
            "endpoint_id": table["Id"],
            "channel_type": table["ChannelType"],
            "address": table["Address"],
            "user_id": pc.struct_field(table["User"], "UserId"),
            "segments": pc.struct_field(table["Attributes"], attribute),
        }
    )


def write_export(
    store: LakeStore, application_id: str, endpoints: Iterable[dict[str, Any]], export_id: str | None = None
) -> EndpointExport:
    """Write endpoints as a Pinpoint-format export under endpoints/<application_id>/<export_id>/ (a sortable id)."""
    export_id = export_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    keys: list[str] = []
    chunk: list[str] = []

    def flush() -> None:
        key = endpoint_export_key(application_id, export_id, len(keys))
        store.put(key, gzip.compress("".join(chunk).encode(), compresslevel=5))
        keys.append(key)
        chunk.clear()

    for endpoint in endpoints:
        chunk.append(json.dumps(endpoint, separators=(",", ":")) + "\n")
        if len(chunk) >= EXPORT_PIECE_SIZE:
            flush()
    if chunk or not keys:
        flush()
    return EndpointExport(application_id, export_id, tuple(keys))


class LakeExportCatalog:
    """Known endpoints from the latest export of an application in the lake (read once, then cached)."""

    def __init__(self, store: LakeStore, application_id: str, attribute: str = SEGMENT_ATTRIBUTE) -> None:
        self.store = store
        self.application_id = application_id
        self.attribute = attribute
        self._table: pa.Table | None = None
        self.export: EndpointExport | None = None

    def _find(self) -> EndpointExport:
        export = latest_export(self.store, self.application_id)
        if export is None:
            raise DestinationError(
                f"no endpoint export for application {self.application_id} under "
                f"{self.store.uri(endpoint_export_prefix(self.application_id))}: export the endpoints first "
                "(Pinpoint CreateExportJob to that prefix, or --export-role-arn to let the sync run one)"
            )
        return export

    def table(self) -> pa.Table:
        if self._table is None:
            self.export = self._find()
            self._table = read_export(self.store, self.export, self.attribute)
            log.info("endpoint export %s: %d endpoints", self.export.export_id, self._table.num_rows)
        return self._table

    def known_ids(self) -> pa.Array:
        return self.table()["endpoint_id"].combine_chunks()

    def current_values(self) -> pa.Table:
        """(endpoint_id, segments) as the export saw the attribute (duplicates and order kept)."""
        return self.table().select(["endpoint_id", "segments"])


class PinpointExportCatalog(LakeExportCatalog):
    """Run a Pinpoint ``CreateExportJob`` into the lake, wait for it (bounded), then read that export."""

    def __init__(
        self,
        client: Any,
        store: LakeStore,
        application_id: str,
        role_arn: str,
        attribute: str = SEGMENT_ATTRIBUTE,
        *,
        timeout: float = EXPORT_TIMEOUT_SECONDS,
        poll_seconds: float = EXPORT_POLL_SECONDS,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(store, application_id, attribute)
        self.client = client
        self.role_arn = role_arn
        self.timeout = timeout
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.api_calls = 0

    def _find(self) -> EndpointExport:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        s3_url = self.store.uri(f"{endpoint_export_prefix(self.application_id)}{stamp}/")
        if not s3_url.startswith("s3://"):
            raise DestinationError(f"a Pinpoint export job writes to S3; the lake root {self.store.root} is local")
        job = self.client.create_export_job(
            ApplicationId=self.application_id, ExportJobRequest={"RoleArn": self.role_arn, "S3UrlPrefix": s3_url}
        )["ExportJobResponse"]
        self.api_calls += 1
        waited = 0.0
        while True:
            status = self.client.get_export_job(ApplicationId=self.application_id, JobId=job["Id"])["ExportJobResponse"]
            self.api_calls += 1
            if status["JobStatus"] == "COMPLETED":
                break
            if status["JobStatus"] in ("FAILED", "FAILING"):
                raise DestinationError(
                    f"Pinpoint export job {job['Id']} failed: {'; '.join(status.get('Failures', [])) or 'no reason'}"
                )
            if waited >= self.timeout:
                raise DestinationError(f"Pinpoint export job {job['Id']} not done after {self.timeout:.0f} s")
            (self.sleep or time.sleep)(self.poll_seconds)
            waited += self.poll_seconds
        exports = [e for e in list_exports(self.store, self.application_id) if e.export_id.startswith(stamp)]
        if not exports:
            raise DestinationError(f"Pinpoint export job {job['Id']} completed but wrote nothing under {s3_url}")
        keys = tuple(sorted(k for e in exports for k in e.keys))
        return EndpointExport(self.application_id, exports[0].export_id, keys)
