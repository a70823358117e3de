"""SMS conventions of Pinpoint ``_SMS.*`` and End User Messaging ``TEXT_*`` records; phone numbers."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import phonenumbers

from tests.generator.contract import (
    EUM_VIEW,
)


def test_pinpoint_sms_conventions(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    documented = {
        "sender_request_id",
        "campaign_activity_id",
        "origination_phone_number",
        "destination_phone_number",
        "record_status",
        "iso_country_code",
        "treatment_id",
        "number_of_message_parts",
        "message_id",
        "message_type",
        "campaign_id",
        "customer_context",
    }
    sms = [obj for p, obj in distinct if p == "pinpoint" and obj["event_type"].startswith("_SMS.")]
    assert sms
    for obj in sms:
        attrs = obj["attributes"]
        assert all(isinstance(v, str) for v in attrs.values())
        assert attrs["number_of_message_parts"].isdigit()
        assert attrs["message_type"] in ("Transactional", "Promotional")
        assert isinstance(json.loads(attrs["customer_context"]), dict)  # a JSON document in a string
        priced = "price_in_millicents_usd" in obj["metrics"]
        assert priced == (obj["event_type"] in ("_SMS.SUCCESS", "_SMS.FAILURE"))
        if "campaign_id" in attrs:
            assert set(attrs) == documented
    statuses = {obj["attributes"]["record_status"] for obj in sms}
    assert {"PENDING", "DELIVERED", "OPTED_OUT"} <= statuses


def test_eum_conventions(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    by_message: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p, obj in distinct:
        if p == "sms":
            by_message[obj["messageId"]].append(obj)
            assert obj["eventTimestamp"] >= obj["messageRequestTimestamp"]
            assert isinstance(obj["context"], dict)
    # intermediate (isFinal false) statuses come before the final one
    with_intermediate = [events for events in by_message.values() if any(not e["isFinal"] for e in events)]
    assert with_intermediate
    for events in with_intermediate:
        finals = [e["eventTimestamp"] for e in events if e["isFinal"]]
        pending = [e["eventTimestamp"] for e in events if not e["isFinal"] and e["eventType"] in EUM_VIEW]
        if finals and pending:
            assert max(pending) < min(finals)


def test_phone_numbers_are_valid_e164(distinct: list[tuple[str, dict[str, Any]]], export: list[dict[str, Any]]) -> None:
    numbers = {e["Address"] for e in export if e["ChannelType"] == "SMS"}
    for p, obj in distinct:
        if p == "sms":
            numbers.add(obj["destinationPhoneNumber"])
            if not obj["eventType"].startswith("RCS_"):  # RCS sends from an agent id, not a number
                numbers.add(obj["originationPhoneNumber"])
        elif p == "pinpoint" and obj["event_type"].startswith("_SMS."):
            numbers |= {obj["attributes"]["destination_phone_number"], obj["attributes"]["origination_phone_number"]}
    countries = set()
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        countries.add(phonenumbers.region_code_for_number(parsed))
    assert len(countries) >= 5
