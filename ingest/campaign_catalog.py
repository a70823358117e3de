"""Campaign and journey names in the lake: what ``dim_campaigns`` shows instead of hex ids.

Amazon Pinpoint keeps campaign and journey definitions only in the service (and ended with it on 2026-10-30), so
``englake lake export-campaigns`` copies them into the lake while they can still be read: ``GetCampaigns`` and
``ListJourneys``, every page, one response object per line, under
``catalog/pinpoint/<application_id>/campaigns.ndjson`` and ``…/journeys.ndjson``. Objects keep AWS's field names
(``Id``, ``Name``, ``State`` …) so nothing is lost. Names of SES and End User Messaging campaigns, which no AWS API
holds, go in the dbt seed ``campaign_names`` or in any ``catalog/**/campaigns.ndjson`` of ``{"Id", "Name"}`` lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from englake.storage import LakeStore
from ingest.layout import CATALOG_PREFIX

#: GetCampaigns / ListJourneys page size (the API's maximum PageSize is documented as a string of up to 1000;
#: https://docs.aws.amazon.com/pinpoint/latest/apireference/apps-application-id-campaigns.html).
PAGE_SIZE = "200"


def catalog_key(source: str, owner: str, kind: str) -> str:
    """``catalog/<source>/<owner>/<kind>.ndjson`` (kind: ``campaigns`` or ``journeys``)."""
    return f"{CATALOG_PREFIX}{source}/{owner}/{kind}.ndjson"


@dataclass
class CatalogExport:
    campaigns: int
    journeys: int
    keys: tuple[str, ...]


def _pages(call: Any, result_key: str, application_id: str) -> Iterator[dict[str, Any]]:
    """Every item of a Pinpoint list call that pages with ``Token`` / ``NextToken``."""
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ApplicationId": application_id, "PageSize": PAGE_SIZE}
        if token:
            kwargs["Token"] = token
        response = call(**kwargs)[result_key]
        yield from response.get("Item", [])
        token = response.get("NextToken")
        if not token:
            return


def write_catalog(store: LakeStore, key: str, items: Iterable[dict[str, Any]]) -> int:
    """Write ``items`` as one JSON object per line (replacing the object); returns how many."""
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=str) for item in items]
    store.put(key, ("\n".join(lines) + "\n").encode("utf-8") if lines else b"")
    return len(lines)


def export_pinpoint_catalog(store: LakeStore, pinpoint: Any, application_id: str) -> CatalogExport:
    """Copy a Pinpoint project's campaigns and journeys (every page) into the lake's catalog."""
    campaigns_key = catalog_key("pinpoint", application_id, "campaigns")
    journeys_key = catalog_key("pinpoint", application_id, "journeys")
    campaigns = write_catalog(store, campaigns_key, _pages(pinpoint.get_campaigns, "CampaignsResponse", application_id))
    journeys = write_catalog(store, journeys_key, _pages(pinpoint.list_journeys, "JourneysResponse", application_id))
    return CatalogExport(campaigns, journeys, (campaigns_key, journeys_key))
