"""The per-channel views (mms_status, voice_status, rcs_status, whatsapp_status, whatsapp_inbound,
whatsapp_conversations), fct_messages and the campaign report over the channel fixtures, on DuckDB.

Known answers come from the fixture records themselves (tests/fixtures/README.md, `channels/`): which receipt is
final and latest, what it says, the price and call duration it carries. The fixture lake holds each MMS, voice and
WhatsApp message twice, natively and as the engagement-database sample's record of it, as a team moving from the
sample would: a message stays one message."""

from __future__ import annotations

import pytest

from englake.models import query_local

pytestmark = pytest.mark.dbt

MMS_OK, MMS_TOO_BIG = "a1b2c3d4-0001-4430-9b2b-658bdexample", "a1b2c3d4-0002-4430-9b2b-658bdexample"
CALL_OK, CALL_NO_ANSWER = "b1b2c3d4-0001-4430-9b2b-658bdexample", "b1b2c3d4-0002-4430-9b2b-658bdexample"
RCS_READ, RCS_FALLBACK = "c1b2c3d4-0001-4430-9b2b-658bdexample", "c1b2c3d4-0002-4430-9b2b-658bdexample"
WA_READ = "wamid.HBgLMTQyNTU1NTAxNzAVAgARGBJCNkY5NTBENEU3ODYxQTM3RUQA"
WA_FAILED = "wamid.HBgLMTQyNTU1NTAxNzIVAgARGBJDMUQ4QjE4RjU1M0E3OTJBNAA="


def _by_message(settings, view: str, columns: str) -> dict[str, dict]:
    return {row["messageid"]: row for row in query_local(f"select messageid, {columns} from {view}", settings)}


def test_mms_status_is_the_final_receipt_with_its_price_and_parts(channels_lake) -> None:
    rows = _by_message(
        channels_lake, "mms_status", "event_type, message_status, total_messageprice, total_messageparts"
    )
    assert rows == {
        MMS_OK: {"messageid": MMS_OK, "event_type": "mms_success", "message_status": "SUCCESSFUL",
                 "total_messageprice": 0.02, "total_messageparts": 1},
        MMS_TOO_BIG: {"messageid": MMS_TOO_BIG, "event_type": "mms_failure", "message_status": "INVALID_MESSAGE",
                      "total_messageprice": 0.0, "total_messageparts": 1},
    }  # fmt: skip


def test_voice_status_is_one_row_per_call_with_its_duration(channels_lake) -> None:
    rows = _by_message(channels_lake, "voice_status", "event_type, message_status, is_final, call_duration_seconds")
    summary = {
        k: (r["event_type"], r["message_status"], r["is_final"], r["call_duration_seconds"]) for k, r in rows.items()
    }
    assert summary == {
        CALL_OK: ("voice_completed", "COMPLETED", True, 30),  # answered earlier; callDurationInSeconds 30
        CALL_NO_ANSWER: ("voice_failed", "NO_ANSWER", True, None),
    }  # fmt: skip


def test_rcs_status_prefers_the_read_receipt_and_keeps_the_fallback_to_sms(channels_lake) -> None:
    rows = _by_message(channels_lake, "rcs_status", "event_type, origination_phonenumber")
    assert {k: r["event_type"] for k, r in rows.items()} == {
        RCS_READ: "rcs_read",
        RCS_FALLBACK: "rcs_fallen_back_to_sms",
    }
    assert {r["origination_phonenumber"] for r in rows.values()} == {"englake_agent"}  # the RCS agent id


def test_whatsapp_status_per_outbound_message_with_conversation_and_error(channels_lake) -> None:
    rows = _by_message(
        channels_lake,
        "whatsapp_status",
        "event_type, message_status, message_status_description, conversation_id, conversation_type, "
        "origination_phonenumber, destination_phonenumber",
    )
    assert set(rows) == {WA_READ, WA_FAILED}  # the inbound message is not a status
    read, failed = rows[WA_READ], rows[WA_FAILED]
    assert (read["event_type"], read["message_status"]) == ("whatsapp_read", "read")
    assert (read["conversation_id"], read["conversation_type"]) == ("f5fdae3920125a39a1e6a23e5f877c16", "utility")
    assert (read["origination_phonenumber"], read["destination_phonenumber"]) == ("+15550984277", "+14255550170")
    assert (failed["event_type"], failed["message_status_description"]) == (
        "whatsapp_failed",
        "131026: Message undeliverable",
    )


def test_whatsapp_inbound_messages_name_the_customer_and_the_message_type(channels_lake) -> None:
    rows = query_local(
        "select producer, destination_phone_number, record_status, origination_phone_number from whatsapp_inbound",
        channels_lake,
    )
    assert sorted((r["producer"], r["destination_phone_number"], r["record_status"]) for r in rows) == [
        ("engagementdb", "+14255550171", "text"),
        ("social", "+14255550171", "text"),
    ]
    assert {r["origination_phone_number"] for r in rows} == {"+15550984277"}


def test_whatsapp_conversations_count_the_messages_of_each_conversation(channels_lake) -> None:
    rows = query_local("select conversation_id, conversation_type, messages from whatsapp_conversations", channels_lake)
    assert rows == [
        {"conversation_id": "f5fdae3920125a39a1e6a23e5f877c16", "conversation_type": "utility", "messages": 1}
    ]


def test_fct_messages_has_every_phone_channel_message_with_its_receipt_outcome(channels_lake) -> None:
    rows = query_local(
        "select channel, message_id, latest_status, count_delivered_receipt > 0 as delivered, "
        "count_failed_receipt > 0 as failed, call_duration_seconds from fct_messages "
        "where channel in ('mms', 'voice', 'rcs', 'whatsapp')",
        channels_lake,
    )
    assert {r["message_id"]: (r["channel"], r["latest_status"], r["delivered"], r["failed"]) for r in rows} == {
        MMS_OK: ("mms", "mms_success", True, False),
        MMS_TOO_BIG: ("mms", "mms_failure", False, True),
        CALL_OK: ("voice", "voice_completed", True, False),
        CALL_NO_ANSWER: ("voice", "voice_failed", False, True),
        RCS_READ: ("rcs", "rcs_read", True, False),
        RCS_FALLBACK: ("rcs", "rcs_fallen_back_to_sms", False, False),
        WA_READ: ("whatsapp", "whatsapp_read", True, False),
        WA_FAILED: ("whatsapp", "whatsapp_failed", False, True),
    }
    assert {r["message_id"]: r["call_duration_seconds"] for r in rows if r["channel"] == "voice"} == {
        CALL_OK: 30,
        CALL_NO_ANSWER: None,
    }


def test_the_campaign_report_counts_each_channel_of_a_campaign(channels_lake) -> None:
    """The fixtures' MMS, voice and RCS sends carry campaign_id cmp-channels in their context."""
    rows = query_local(
        "select channel, messages_sent, messages_delivered, receipt_failures, delivery_rate "
        "from rpt_campaign_performance_daily where campaign_id = 'cmp-channels'",
        channels_lake,
    )
    assert {r["channel"]: (r["messages_sent"], r["messages_delivered"], r["receipt_failures"]) for r in rows} == {
        "mms": (2, 1, 1),
        "voice": (2, 1, 1),
        "rcs": (2, 1, 0),  # a fallback to SMS is neither delivered nor failed as RCS
    }
    assert {r["delivery_rate"] for r in rows} == {0.5}
