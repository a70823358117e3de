"""The phone endpoints of the newest Pinpoint endpoint export in the lake, read with the standard library.

segmentation/catalog.py reads exports into Arrow tables for the segment sync; the SMS Lambdas need only (id,
channel, address) of SMS and VOICE endpoints and must stay small (no pyarrow or DuckDB in their zip), so this
reads the same layout (``endpoints/<application_id>/<export_id>/*.gz``, the newest export id sorting last) line by
line with gzip and json.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass

from englake.errors import LakeError
from englake.storage import LakeStore
from ingest.layout import ENDPOINT_EXPORT_PREFIX

#: Channels whose endpoints hold phone numbers.
PHONE_CHANNELS = frozenset({"SMS", "VOICE"})


@dataclass(frozen=True)
class PhoneEndpoint:
    endpoint_id: str
    channel: str
    address: str


def newest_export_keys(store: LakeStore, application_id: str) -> list[str]:
    """Objects of the newest export of ``application_id`` (empty when there is none)."""
    prefix = f"{ENDPOINT_EXPORT_PREFIX}{application_id}/"
    folders: dict[str, list[str]] = {}
    for item in store.list(prefix):
        folder = item.key[len(prefix) :].rpartition("/")[0]
        if item.key.endswith(".gz") and folder:
            folders.setdefault(folder, []).append(item.key)
    return sorted(folders[max(folders)]) if folders else []


def phone_endpoints(store: LakeStore, application_id: str) -> Iterator[PhoneEndpoint]:
    """SMS and VOICE endpoints with an address, from the newest export."""
    keys = newest_export_keys(store, application_id)
    if not keys:
        raise LakeError(
            f"no endpoint export for application {application_id} under {store.uri(ENDPOINT_EXPORT_PREFIX)}"
        )
    for key in keys:
        for number, line in enumerate(gzip.decompress(store.get(key)).decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                endpoint = json.loads(line)
            except json.JSONDecodeError as error:
                raise LakeError(f"{store.uri(key)} line {number}: not endpoint JSON ({error.msg})") from None
            channel = str(endpoint.get("ChannelType") or "").upper()
            if channel in PHONE_CHANNELS and endpoint.get("Address") and endpoint.get("Id"):
                yield PhoneEndpoint(str(endpoint["Id"]), channel, str(endpoint["Address"]))
