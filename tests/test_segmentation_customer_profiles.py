"""The Customer Profiles destination, through a real boto3 client answered by the shared fake of the service.

The fake (tests/fakes/customer_profiles.py) keeps profiles with string → string attributes and merges as
UpdateProfile documents: named keys are set, omitted keys kept, an empty string removes the key, values over 255
characters are refused, and an unknown profile id is ResourceNotFoundException (UpdateProfile never creates one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from englake.aws import client as aws_client
from englake.storage import LocalStore
from segmentation.destinations.customer_profiles import CustomerProfilesDestination
from segmentation.guard import GuardPolicy
from segmentation.ratelimit import VirtualClock
from segmentation.sync import sync_segments
from tests.fakes.customer_profiles import CustomerProfilesFake
from tests.fixtures.segmentation import world

DOMAIN = "englake"
COUNT = 150


@pytest.fixture
def fake() -> CustomerProfilesFake:
    fake = CustomerProfilesFake()
    fake.add_domain(DOMAIN)
    for i in range(COUNT):
        fake.add_profile(
            DOMAIN, f"ep-{i:05d}", Attributes={"Tier": "gold", "seg_stale": "1"} if i == 3 else {"Tier": "gold"}
        )
    return fake


def _sync(fake: CustomerProfilesFake, store: LocalStore, pairs: list[tuple[str, str]]):
    clock = VirtualClock()
    client = fake.attach(aws_client("customer-profiles", region="us-east-1"))
    destination = CustomerProfilesDestination(client, DOMAIN, clock=clock.now, sleep=clock.sleep)
    return sync_segments(world.membership(pairs), destination, store, policy=GuardPolicy(max_removal_share=1.0))


def _members(fake: CustomerProfilesFake) -> dict[str, list[str]]:
    out = {}
    for profile_id, profile in fake.profiles[DOMAIN].items():
        segments = sorted(k[4:] for k, v in profile["Attributes"].items() if k.startswith("seg_") and v == "1")
        if segments and profile_id != "ep-00003":
            out[profile_id] = segments
    return out


def test_profiles_follow_membership_day_by_day(fake: CustomerProfilesFake, tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for day in range(4):
        pairs = world.day_pairs(day, COUNT)
        report = _sync(fake, store, pairs)
        assert report.status == "succeeded"
        assert _members(fake) == {e: s for e, s in world.expected(pairs).items() if e != "ep-00003"}
        assert all(p["Attributes"]["Tier"] == "gold" for p in fake.profiles[DOMAIN].values())  # other attributes kept
        assert not any(v == "" for p in fake.profiles[DOMAIN].values() for v in p["Attributes"].values())
    assert fake.call_counts().keys() == {"UpdateProfile"}  # previous lists known: no reads


def test_unknown_profile_is_rejected_not_created(fake: CustomerProfilesFake, tmp_path: Path) -> None:
    report = _sync(fake, LocalStore(tmp_path), [("ep-00001", "vip"), ("nobody", "vip")])
    assert report.rejected == 1
    assert report.rejected_examples[0]["endpoint_id"] == "nobody"
    assert "nobody" not in fake.profiles[DOMAIN]
    assert fake.profiles[DOMAIN]["ep-00001"]["Attributes"]["seg_vip"] == "1"


def test_unknown_outcome_reads_the_profile_and_clears_what_it_should_not_have(
    fake: CustomerProfilesFake, tmp_path: Path
) -> None:
    from segmentation.destinations.base import EndpointChange

    client = fake.attach(aws_client("customer-profiles", region="us-east-1"))
    destination = CustomerProfilesDestination(client, DOMAIN, rate=None)
    result = destination.write([EndpointChange("ep-00003", ("vip",), None)])
    assert [c.endpoint_id for c in result.accepted] == ["ep-00003"]
    assert fake.profiles[DOMAIN]["ep-00003"]["Attributes"] == {"Tier": "gold", "seg_vip": "1"}  # seg_stale cleared
    assert fake.call_counts() == {"SearchProfiles": 1, "UpdateProfile": 1}
    assert result.api_calls == 2
