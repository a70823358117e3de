"""The endpoint export, endpoints named by events, and non-ASCII text."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ingest.generator import RawRecord, SyntheticLake
from tests.generator.contract import (
    CONFIG,
    END,
    ms,
    parse_iso,
    view_of,
)

# --------------------------------------------------------------------------------------------------------------
# Endpoints: the export, phone numbers, non-ASCII


def test_endpoint_export_format(lake: SyntheticLake, export: list[dict[str, Any]]) -> None:
    keys = {
        "ApplicationId",
        "Id",
        "ChannelType",
        "Address",
        "EndpointStatus",
        "OptOut",
        "EffectiveDate",
        "CreationDate",
        "Attributes",
        "Demographic",
        "Location",
        "Metrics",
        "User",
        "CohortId",
    }
    for e in export:
        assert keys <= set(e)
        assert e["ApplicationId"] == CONFIG.application_id
        assert e["ChannelType"] in ("EMAIL", "SMS")
        assert e["EndpointStatus"] in ("ACTIVE", "INACTIVE")
        assert e["OptOut"] in ("NONE", "ALL")
        assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in e["Attributes"].values())
        assert all(isinstance(v, list) for v in e["User"]["UserAttributes"].values())
        assert parse_iso(e["CreationDate"]) <= parse_iso(e["EffectiveDate"]) < ms(END)
        assert e["User"]["UserId"]
    ids = [e["Id"] for e in export]
    assert len(ids) == len(set(ids)) == len(lake.truth.endpoints)
    assert {e["Id"]: (e["ChannelType"], e["Address"], e["User"]["UserId"]) for e in export} == {
        k: (v["channel"], v["address"], v["user_id"]) for k, v in lake.truth.endpoints.items()
    }
    assert {e["Id"]: e["OptOut"] for e in export} == {k: v["opt_out"] for k, v in lake.truth.endpoints.items()}
    names = {e["User"]["UserAttributes"]["FirstName"][0] for e in export}
    assert names & {"José", "Zoë", "Łukasz", "李"}
    # every user has an EMAIL endpoint; many also have an SMS one
    by_user = defaultdict(set)
    for e in export:
        by_user[e["User"]["UserId"]].add(e["ChannelType"])
    assert all("EMAIL" in c for c in by_user.values())
    assert sum("SMS" in c for c in by_user.values()) > len(by_user) // 2


def test_endpoints_in_events_exist_in_the_export(
    distinct: list[tuple[str, dict[str, Any]]], export: list[dict[str, Any]]
) -> None:
    ids = {e["Id"]: e for e in export}
    seen = 0
    for p, obj in distinct:
        if p != "pinpoint":
            continue
        attrs = obj.get("attributes", {})
        kind = obj["event_type"]
        targeted = "campaign_id" in attrs or "journey_id" in attrs or kind in ("_campaign.send", "_journey.send")
        is_app = view_of(p, obj) == "app_event"
        if targeted or is_app or kind.startswith("_SMS."):
            endpoint = ids.get(obj["client"]["client_id"])
            assert endpoint is not None, obj["client"]["client_id"]
            seen += 1
            if is_app:
                assert endpoint["ChannelType"] == "EMAIL"  # custom events use the user's EMAIL endpoint
            if kind.startswith("_SMS."):
                assert endpoint["Address"] == attrs["destination_phone_number"]
            elif "facets" in obj:
                assert [endpoint["Address"]] == obj["facets"]["email_channel"]["mail_event"]["mail"]["destination"]
    assert seen > 1000
    # transactional Pinpoint email uses a per-message UUID as client_id, not an endpoint
    transactional = [
        o
        for p, o in distinct
        if p == "pinpoint"
        and "facets" in o
        and "campaign_id" not in o["attributes"]
        and "journey_id" not in o["attributes"]
    ]
    assert transactional
    assert not any(o["client"]["client_id"] in ids for o in transactional)


def test_non_ascii_text_is_written_as_utf8(records: list[RawRecord]) -> None:
    text = "\n".join(r.line for r in records[:5000])
    assert "\\u" not in text  # ensure_ascii=False: no escapes...
    assert any(ch in text for ch in "🍂📦🎓")  # ...emoji and accents appear as themselves
    assert "ü" in text or "ö" in text
