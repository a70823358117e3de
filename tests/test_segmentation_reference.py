"""The reference's Advanced Segmentation defects (seed-architectures-spec.md §11, X7, X9), each shown failing on the
reference's behaviour and passing on ours, on the same endpoints and membership, against the same Pinpoint fake.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from englake.aws import client as aws_client
from englake.storage import LocalStore
from segmentation.catalog import LakeExportCatalog, write_export
from segmentation.destinations.pinpoint import PinpointDestination
from segmentation.guard import GuardPolicy
from segmentation.membership import ArrowMembership
from segmentation.ratelimit import VirtualClock
from segmentation.sync import sync_segments
from tests.fakes.pinpoint import PinpointFake

APP = "app-ref"
ATTRIBUTE = "AdvancedSegmentTarget"
IDS = [f"e{i:03d}" for i in range(250)]


def reference_update(client: Any, application_id: str, endpoint_ids: list[str], segment_name: str) -> None:
    """The reference's UpdateEndpointsLambda, per result row: GetEndpoint, prepend the segment, UpdateEndpoint."""
    for endpoint_id in endpoint_ids:
        try:
            endpoint = client.get_endpoint(ApplicationId=application_id, EndpointId=endpoint_id)["EndpointResponse"]
        except client.exceptions.NotFoundException:
            continue
        values = [segment_name, *endpoint.get("Attributes", {}).get(ATTRIBUTE, [])]
        client.update_endpoint(
            ApplicationId=application_id, EndpointId=endpoint_id, EndpointRequest={"Attributes": {ATTRIBUTE: values}}
        )


@pytest.fixture
def pinpoint(tmp_path: Path) -> tuple[PinpointFake, Any, LocalStore]:
    fake = PinpointFake(enforce_quotas=False)
    fake.add_app(APP)
    endpoints = [{"Id": e, "ChannelType": "EMAIL", "Address": f"{e}@example.com"} for e in IDS]
    for endpoint in endpoints:
        fake.put_endpoint(APP, endpoint)
    store = LocalStore(tmp_path / "lake")
    write_export(store, APP, endpoints)
    return fake, fake.attach(aws_client("pinpoint", region="us-east-1")), store


def _values(fake: PinpointFake, endpoint_id: str) -> list[str]:
    return fake.endpoint(APP, endpoint_id).get("Attributes", {}).get(ATTRIBUTE, [])


def _ours(client: Any, store: LocalStore, pairs: list[tuple[str, str]]) -> None:
    clock = VirtualClock()
    destination = PinpointDestination(
        client, APP, LakeExportCatalog(store, APP), rate=None, clock=clock.now, sleep=clock.sleep
    )
    sync_segments(ArrowMembership(pairs), destination, store, policy=GuardPolicy(max_removal_share=1.0))


DAY1 = [(e, "seg_x") for e in IDS[:200]]
DAY2 = [(e, "seg_x") for e in IDS[50:200]]  # e000–e049 left the segment


def test_reference_appends_duplicates_every_run_and_never_removes(pinpoint) -> None:
    fake, client, _ = pinpoint
    reference_update(client, APP, [e for e, _ in DAY1], "seg_x")
    reference_update(client, APP, [e for e, _ in DAY2], "seg_x")
    assert _values(fake, "e100") == ["seg_x", "seg_x"]  # duplicates grow daily (X9)
    assert _values(fake, "e000") == ["seg_x"]  # left the segment, still in it
    # Two calls per matching endpoint per run, no batching (X7).
    assert fake.call_counts() == {"GetEndpoint": 350, "UpdateEndpoint": 350}


def test_ours_writes_each_set_once_removes_leavers_and_batches(pinpoint) -> None:
    fake, client, store = pinpoint
    _ours(client, store, DAY1)
    _ours(client, store, DAY2)
    assert _values(fake, "e100") == ["seg_x"]
    assert _values(fake, "e000") == []
    # 200 endpoints in 2 batches, then only the 50 leavers in 1 batch.
    assert fake.call_counts() == {"UpdateEndpointsBatch": 3}


def test_reference_grows_until_pinpoint_rejects_it_and_ours_does_not(pinpoint) -> None:
    fake, client, store = pinpoint
    for _day in range(50):
        reference_update(client, APP, ["e001"], "seg_x")
    with pytest.raises(client.exceptions.BadRequestException, match="at most 50 values"):
        reference_update(client, APP, ["e001"], "seg_x")  # day 51: the update fails (the reference only logs it)
    calls = len(fake.calls)
    for _day in range(3):
        _ours(client, store, [("e001", "seg_x")])
    assert _values(fake, "e001") == ["seg_x"]
    assert len(fake.calls) == calls + 1  # written once; unchanged days send nothing


def test_first_sync_after_the_reference_repairs_its_duplicates(pinpoint) -> None:
    fake, client, store = pinpoint
    for _day in range(3):
        reference_update(client, APP, [e for e, _ in DAY1], "seg_x")
    write_export(store, APP, fake.endpoints(APP).values(), export_id="99991231T000000Z")  # the state to adopt
    _ours(client, store, DAY2)
    assert _values(fake, "e100") == ["seg_x"]
    assert _values(fake, "e000") == []
