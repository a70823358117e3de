"""Checks of the MMS, voice, RCS and WhatsApp views, fct_messages and the campaign report against a generated lake's
ground truth, shared by the DuckDB truth tests (tests/test_channels_truth.py) and the Athena execution check's
generated lake (tests/test_athena_execute.py). Known answers come from ``GroundTruth`` only, never from the models."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import pytest

from englake.models import query_local
from englake.settings import Settings
from ingest.synthetic.truth import CHANNEL_STATUS_VIEWS, GroundTruth

NEW_CHANNELS = tuple(CHANNEL_STATUS_VIEWS)
#: The views of the new channels (the engagement-database sample's views read its own records, not generated here).
NEW_VIEWS = (*CHANNEL_STATUS_VIEWS.values(), "whatsapp_inbound", "whatsapp_conversations")


def _messages(truth: GroundTruth, channel: str) -> dict[str, dict[str, Any]]:
    return {mid: m for (mid, _), m in truth.messages.items() if m["channel"] == channel}


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def check_status_view(settings: Settings, truth: GroundTruth, channel: str) -> None:
    """The channel's status view is one row per message with its latest status, price, parts, duration."""
    expected = _messages(truth, channel)
    assert expected  # the generated lake has this channel
    rows = query_local(f"select * from {CHANNEL_STATUS_VIEWS[channel]}", settings)
    got = {row["messageid"]: row for row in rows}
    assert len(rows) == len(got) == len(expected)
    assert set(got) == set(expected)
    for message_id, fact in expected.items():
        row, status = got[message_id], fact["status"]
        assert (row["event_type"], row["raw_event_type"]) == (fact["latest_status"], status["raw_event_type"])
        assert row["message_status"] == status["message_status"]
        assert row["message_status_description"] == status["description"]
        assert row["is_final"] is status["is_final"], message_id
        assert row["event_timestamp"] == _as_datetime(status["status_at"])
        assert (row["origination_phonenumber"], row["destination_phonenumber"]) == (
            fact["origination"],
            _recipient(truth, message_id),
        )
        assert row["total_messageparts"] == fact["parts"]
        assert row["total_messageprice"] == (None if fact["price"] is None else pytest.approx(fact["price"]))
        assert row["total_carrierfee"] == (None if fact["carrier_fee"] is None else pytest.approx(fact["carrier_fee"]))
        assert row["campaign_id"] == fact["campaign_id"]
        assert row["producer"] == fact["producer"]
        if channel == "voice":
            assert row["call_duration_seconds"] == fact["call_duration_seconds"]
        if channel == "whatsapp":
            assert (row["conversation_id"], row["conversation_type"]) == (
                fact["conversation_id"],
                fact["conversation_type"],
            )
            assert row["message_type"] == fact["pricing_category"], message_id  # a read status states none
    outcomes = Counter(fact["latest_status"] for fact in expected.values())
    assert len(outcomes) > 1  # more than one kind of outcome is checked


def _recipient(truth: GroundTruth, message_id: str) -> str:
    return next(rcpt for (mid, rcpt) in truth.messages if mid == message_id)


def check_voice_durations(settings: Settings, truth: GroundTruth) -> None:
    durations = [m["call_duration_seconds"] for m in _messages(truth, "voice").values()]
    assert any(d is not None for d in durations)
    assert any(d is None for d in durations)  # unanswered calls have none


def check_whatsapp_conversations(settings: Settings, truth: GroundTruth) -> None:
    rows = query_local("select * from whatsapp_conversations", settings)
    got = {row["conversation_id"]: row for row in rows}
    assert set(got) == set(truth.conversations)
    for conversation_id, facts in truth.conversations.items():
        row = got[conversation_id]
        assert row["conversation_type"] == facts["type"]
        assert row["messages"] == len(facts["message_ids"])
        assert (row["origination_phonenumber"], row["destination_phonenumber"]) == (
            facts["origination"],
            facts["destination"],
        )
        assert (row["first_event_timestamp"], row["last_event_timestamp"]) == (
            _as_datetime(facts["first"]),
            _as_datetime(facts["last"]),
        )
    assert any(row["messages"] > 1 for row in rows)


def check_whatsapp_inbound(settings: Settings, truth: GroundTruth) -> None:
    rows = query_local(
        "select message_id, destination_phone_number, origination_phone_number, record_status, event_timestamp "
        "from whatsapp_inbound",
        settings,
    )
    got = {row["message_id"]: row for row in rows}
    assert len(rows) == len(got) == len(truth.whatsapp_inbound) > 0
    for message_id, facts in truth.whatsapp_inbound.items():
        row = got[message_id]
        assert row["destination_phone_number"] == facts["from"]  # the customer's number
        assert row["origination_phone_number"] == facts["business"]
        assert row["record_status"] == facts["type"]
        assert row["event_timestamp"] == _as_datetime(facts["time"])


def check_fct_messages(settings: Settings, truth: GroundTruth) -> None:
    """fct_messages has every new channel's message with its receipts, duration, price, send time and campaign."""
    rows = query_local(
        "select message_id, recipient_address, channel, producer, latest_status, count_delivered_receipt, "
        "count_failed_receipt, call_duration_seconds, total_message_price, sent_at, campaign_id from fct_messages "
        f"where channel in {tuple(NEW_CHANNELS)}",
        settings,
    )
    got = {(row["message_id"], row["recipient_address"]): row for row in rows}
    expected = {key: m for key, m in truth.messages.items() if m["channel"] in NEW_CHANNELS}
    assert set(got) == set(expected)
    for key, fact in expected.items():
        row = got[key]
        assert (row["channel"], row["producer"], row["latest_status"]) == (
            fact["channel"],
            fact["producer"],
            fact["latest_status"],
        )
        assert (row["count_delivered_receipt"], row["count_failed_receipt"]) == (
            fact["delivered_receipts"],
            fact["failed_receipts"],
        )
        assert row["call_duration_seconds"] == fact["call_duration_seconds"]
        assert row["total_message_price"] == (None if fact["price"] is None else pytest.approx(fact["price"]))
        assert row["sent_at"] == _as_datetime(fact["sent_at"])
        assert row["campaign_id"] == fact["campaign_id"]


def check_campaign_report(settings: Settings, truth: GroundTruth) -> None:
    """Per campaign, channel and send date: sent, delivered (a delivered receipt), failed (a failed receipt and no
    delivered one), as the report's docs define them."""
    expected: dict[tuple[str, str, Any], list[int]] = defaultdict(lambda: [0, 0, 0])
    for fact in truth.messages.values():
        if fact["channel"] in NEW_CHANNELS and fact["campaign_id"]:
            totals = expected[(fact["campaign_id"], fact["channel"], _as_datetime(fact["sent_at"]).date())]
            totals[0] += 1
            totals[1] += fact["delivered_receipts"] > 0
            totals[2] += fact["failed_receipts"] > 0 and fact["delivered_receipts"] == 0
    rows = query_local(
        "select campaign_id, channel, sent_date, messages_sent, messages_delivered, receipt_failures "
        f"from rpt_campaign_performance_daily where channel in {tuple(NEW_CHANNELS)}",
        settings,
    )
    got = {
        (r["campaign_id"], r["channel"], r["sent_date"]): [
            r["messages_sent"],
            r["messages_delivered"],
            r["receipt_failures"],
        ]
        for r in rows
    }
    assert got == dict(expected)
    assert {channel for _, channel, _ in got} == {"mms", "voice", "rcs"}  # WhatsApp sends carry no campaign id


def check_events_by_raw_type(settings: Settings, truth: GroundTruth) -> None:
    rows = query_local(
        "select producer, raw_event_type, count(*) as n from fct_events "
        f"where channel in {tuple(NEW_CHANNELS)} group by all",
        settings,
    )
    got = {f"{r['producer']}:{r['raw_event_type']}": r["n"] for r in rows}
    expected = {
        key: n
        for key, n in truth.events_by_raw_type.items()
        if key.startswith("social:") or key.split(":", 1)[1].startswith(("MEDIA_", "VOICE_", "RCS_"))
    }
    assert got == expected


def check_no_unknown_event_types(settings: Settings, truth: GroundTruth) -> None:
    """Every event of every channel has a known type; the only `unknown` rows are the future types the generator
    plants on purpose (a few per original producer), none of them on a new channel."""
    channels = {r["channel"] for r in query_local("select distinct channel from fct_events", settings)}
    assert {"email", "sms", *NEW_CHANNELS} <= channels
    unknown = query_local(
        "select producer, raw_event_type, channel, count(*) as n from fct_events where event_type = 'unknown' "
        "group by all",
        settings,
    )
    assert {f"{r['producer']}:{r['raw_event_type']}": r["n"] for r in unknown} == truth.unknown_event_types
    assert all(r["channel"] not in NEW_CHANNELS for r in unknown)
    assert not any(key.startswith("social:") for key in truth.unknown_event_types)


def expected_rows(truth: GroundTruth) -> dict[str, int]:
    """Rows each new channel view has by the truth."""
    rows = {view: len(_messages(truth, channel)) for channel, view in CHANNEL_STATUS_VIEWS.items()}
    return {**rows, "whatsapp_inbound": len(truth.whatsapp_inbound), "whatsapp_conversations": len(truth.conversations)}


#: Every check above but the per-channel one, by name.
CHECKS = {
    "voice durations": check_voice_durations,
    "whatsapp_conversations": check_whatsapp_conversations,
    "whatsapp_inbound": check_whatsapp_inbound,
    "fct_messages": check_fct_messages,
    "rpt_campaign_performance_daily": check_campaign_report,
    "events by raw type": check_events_by_raw_type,
    "no unknown event types": check_no_unknown_event_types,
}
