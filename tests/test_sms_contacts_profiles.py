"""Opt-outs and validation attributes on Amazon Connect Customer Profiles (Pinpoint's successor), through the same
contacts interface: every profile holding the number, none created. A small Customer Profiles fake below a real
boto3 client (SearchProfiles on the standard _phone key, paginated; UpdateProfile merges and never creates)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.phone_validation import MemoryPhoneCache, validate_numbers
from handlers.phone_validation.attributes import write_attributes
from handlers.sms.contacts import PROFILE_OPT_OUT_ATTRIBUTE, CustomerProfilesContacts
from handlers.sms.inbound import parse_inbound
from handlers.sms.keywords import KeywordMatcher
from handlers.sms.optouts import OptOutConfig, process_inbound
from tests.fakes.base import FakeServiceError, RestJsonFake
from tests.fakes.pinpoint_phone import PhoneValidateFake
from tests.fakes.sms_voice_v2 import SmsVoiceV2Fake
from tests.sms_support import CUSTOMER, OUR_NUMBER, inbound_envelope, moto_ledger, sms_client

DOMAIN = "englake"
PHONE_FIELDS = ("PhoneNumber", "MobilePhoneNumber", "HomePhoneNumber", "BusinessPhoneNumber")


class ProfilesFake(RestJsonFake):
    service_name = "customer-profiles"

    def __init__(self) -> None:
        super().__init__()
        self.profiles: dict[str, dict[str, Any]] = {}

    def SearchProfiles(self, DomainName: str, KeyName: str, Values: list[str], NextToken: str | None = None, **_: Any):
        assert KeyName == "_phone"
        found = [
            {"ProfileId": pid, **p}
            for pid, p in sorted(self.profiles.items())
            if any(p.get(field) in Values for field in PHONE_FIELDS)
        ]
        start = int(NextToken or 0)
        page = {"Items": found[start : start + 1]}  # one per page, so paging is exercised
        if start + 1 < len(found):
            page["NextToken"] = str(start + 1)
        return page

    def UpdateProfile(self, DomainName: str, ProfileId: str, Attributes: dict[str, str] | None = None, **_: Any):
        if ProfileId not in self.profiles:
            raise FakeServiceError("ResourceNotFoundException", f"Profile {ProfileId} not found", 404)
        self.profiles[ProfileId].setdefault("Attributes", {}).update(Attributes or {})
        return {"ProfileId": ProfileId}


@pytest.fixture
def profiles() -> ProfilesFake:
    fake = ProfilesFake()
    fake.profiles["p-1"] = {"PhoneNumber": CUSTOMER, "Attributes": {"tier": "gold"}}
    fake.profiles["p-2"] = {"MobilePhoneNumber": CUSTOMER}
    fake.profiles["p-3"] = {"PhoneNumber": "+14255550199"}
    return fake


def contacts(profiles: ProfilesFake) -> CustomerProfilesContacts:
    client = profiles.attach(boto3.client("customer-profiles", region_name="us-east-1"))
    return CustomerProfilesContacts(client, DOMAIN, rate=1000)


def test_stop_and_start_mark_every_profile_with_the_number_and_create_none(profiles) -> None:
    sms = SmsVoiceV2Fake(enforce_mps=False)
    sms.add_phone_number(OUR_NUMBER, "TEN_DLC")
    with mock_aws():
        deps = {
            "sms_client": sms_client(sms),
            "ledger": moto_ledger(),
            "config": OptOutConfig("Default", KeywordMatcher()),
            "contacts": contacts(profiles),
        }
        stop = process_inbound(parse_inbound(inbound_envelope("STOP", "in-1"), "t"), **deps)
        assert stop.contacts_marked == 2
        assert profiles.profiles["p-1"]["Attributes"] == {"tier": "gold", PROFILE_OPT_OUT_ATTRIBUTE: "true"}
        assert profiles.profiles["p-2"]["Attributes"] == {PROFILE_OPT_OUT_ATTRIBUTE: "true"}
        assert "Attributes" not in profiles.profiles["p-3"]
        stranger = process_inbound(
            parse_inbound(inbound_envelope("STOP", "in-2", customer="+14255550111"), "t"), **deps
        )
        assert stranger.contacts_marked == 0
        assert set(profiles.profiles) == {"p-1", "p-2", "p-3"}
        process_inbound(
            parse_inbound(inbound_envelope("START", "in-3", timestamp="2026-11-01T11:00:00.000Z"), "t"), **deps
        )
        assert profiles.profiles["p-1"]["Attributes"][PROFILE_OPT_OUT_ATTRIBUTE] == "false"


def test_validation_attributes_on_profiles(profiles) -> None:
    phone = PhoneValidateFake(rate=None)
    phone.set_number(CUSTOMER, "MOBILE", "ExampleCorp Mobile")
    results = validate_numbers(
        [CUSTOMER], client=phone.attach(boto3.client("pinpoint", region_name="us-east-1")), cache=MemoryPhoneCache()
    )
    assert write_attributes(results.values(), contacts(profiles)) == 2
    assert profiles.profiles["p-2"]["Attributes"]["PNV_SmsCapable"] == "Yes"
    assert profiles.profiles["p-2"]["MobilePhoneNumber"] == CUSTOMER  # the number itself is never rewritten
