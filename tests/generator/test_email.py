"""Email conventions of Pinpoint campaigns, journeys and transactional mail, and of SES-native mail."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tests.generator.contract import (
    parse_iso,
    raw_type,
    view_of,
)


def test_pinpoint_email_conventions(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    for p, obj in distinct:
        if p != "pinpoint" or "facets" not in obj:
            continue
        mail = obj["facets"]["email_channel"]["mail_event"]["mail"]
        # the send time for every event of a message; common_headers.from is a string in Pinpoint
        assert obj["event_timestamp"] == mail["message_send_timestamp"]
        assert isinstance(mail["common_headers"]["from"], str)
        attrs = obj["attributes"]
        assert all(isinstance(v, str) for v in attrs.values())
        if "campaign_id" in attrs:
            assert attrs["treatment_id"] in {"0", "1", "2"}
            assert "treament_id" not in attrs
            assert attrs["campaign_activity_id"]
        if obj["event_type"] == "_email.click":
            assert attrs["feedback"] == obj["facets"]["email_channel"]["mail_event"]["click"]["link"]


def test_campaign_and_journey_endpoint_is_a_json_string(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    sends = [obj for p, obj in distinct if p == "pinpoint" and obj["event_type"] in ("_campaign.send", "_journey.send")]
    for obj in sends:
        endpoint = json.loads(obj["client_context"]["custom"]["endpoint"])
        assert endpoint["ChannelType"] in ("EMAIL", "SMS")
    statuses = Counter(o["attributes"]["campaign_send_status"] for o in sends if o["event_type"] == "_campaign.send")
    assert statuses.most_common(1)[0][0] == "SUCCESS"
    assert len(statuses) > 1
    assert {o["attributes"]["delivery_type"] for o in sends if o["event_type"] == "_campaign.send"} == {"EMAIL", "SMS"}


def test_ses_conventions(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    ses = [obj for p, obj in distinct if p == "ses"]
    for obj in ses:
        mail = obj["mail"]
        if "eventType" in obj:
            tags = mail["tags"]
            assert "ses:configuration-set" in tags
            assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in tags.values())
        else:
            assert "tags" not in mail  # identity notifications publish no tags
        if "commonHeaders" in mail:
            assert isinstance(mail["commonHeaders"]["from"], list)
        parse_iso(mail["timestamp"])
    assert any(len(o["mail"]["destination"]) > 1 for o in ses)
    assert any("campaign" in o["mail"].get("tags", {}) for o in ses)
    assert {o["open"]["isBotEvent"] for o in ses if o.get("eventType") == "Open"} == {"Likely", "Unlikely"}
    assert all(o["reject"]["reason"] == "Bad content" for o in ses if o.get("eventType") == "Reject")
    bounce_types = {o["bounce"]["bounceType"] for o in ses if raw_type("ses", o) == "Bounce"}
    assert {"Permanent", "Transient"} <= bounce_types
    subscriptions = [o for o in ses if o.get("eventType") == "Subscription"]
    assert {view_of("ses", o) for o in subscriptions} == {"email_unsubscribe", None}  # opt-outs and opt-ins
