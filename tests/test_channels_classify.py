"""Every new producer's records are classified by content, the same way by Python (ingest/classify.py) and by SQL
(stg_lake__records and the staging models), and none of their event types is unknown.

Known answers: the fixture files (tests/fixtures/README.md, `channels/`) and what each documented record says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from englake.models import query_local
from ingest.classify import Classified, classify, is_known_event_type
from ingest.layout import RAW_PREFIXES, Producer

pytestmark = pytest.mark.dbt

CHANNELS = Path(__file__).parent / "fixtures" / "channels"


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (CHANNELS / name).read_text().splitlines() if line.strip()]


def _classified(record: dict) -> Classified:
    result = classify(record)
    assert isinstance(result, Classified), result
    return result


def test_end_user_messaging_mms_voice_rcs_events_are_sms_producer_events_of_their_own_type() -> None:
    for record in _records("eum_mms_voice_rcs.ndjson"):
        result = _classified(record)
        assert (result.producer, result.event_type) == (Producer.SMS, record["eventType"])
        assert result.known


def test_whatsapp_events_are_social_producer_events_typed_by_the_webhook_status() -> None:
    types = [_classified(record) for record in _records("social_whatsapp.ndjson")]
    assert [(r.producer, r.event_type) for r in types] == [
        (Producer.SOCIAL, "sent"),
        (Producer.SOCIAL, "delivered"),
        (Producer.SOCIAL, "read"),
        (Producer.SOCIAL, "failed"),
        (Producer.SOCIAL, "message"),
    ]
    assert all(r.known for r in types)


def test_engagement_database_records_are_typed_by_channel_and_status() -> None:
    records = _records("engagementdb_records.ndjson")
    types = [_classified(record) for record in records]
    assert {r.producer for r in types} == {Producer.ENGAGEMENTDB}
    assert all(r.known for r in types), [r.event_type for r in types if not r.known]
    by_message = {(r.data["messageId"], r.data["status"]): r.event_type for r in types}
    assert by_message[("0100018b-email-0002", "Bounce")] == "email:Bounce.Permanent"  # SES spells the subtype
    assert by_message[("b1b2c3d4-0001-4430-9b2b-658bdexample", "VOICE_COMPLETED")] == "voice:VOICE_COMPLETED"
    assert by_message[("a1b2c3d4-0001-4430-9b2b-658bdexample", "MEDIA_SUCCESSFUL")] == "media:MEDIA_SUCCESSFUL"
    inbound = [r for r in types if r.data["type"] == "message"]
    assert [r.event_type for r in inbound] == ["whatsapp:message"]  # status holds the message type (text)


def test_the_rawevent_spelling_of_the_glue_table_classifies_too() -> None:
    record = {**_records("engagementdb_records.ndjson")[0]}
    record["rawevent"] = record.pop("rawEvent")
    assert _classified(record).producer is Producer.ENGAGEMENTDB


@pytest.mark.parametrize(
    "record",
    [
        {"whatsAppWebhookEntry": {"id": "1"}},  # an object, not AWS's JSON string
        {"channel": "email", "type": "Send"},  # no rawEvent: not the sample's record
        {"channel": 5, "rawEvent": "{}"},  # channel is not a string
    ],
)
def test_lookalikes_of_the_new_producers_are_not_classified(record: dict) -> None:
    assert classify(record) == "unrecognized producer"


def test_a_webhook_entry_that_is_not_json_is_an_unknown_social_event_not_a_crash() -> None:
    result = _classified({"whatsAppWebhookEntry": "{not json", "messageId": "x"})
    assert (result.producer, result.event_type, result.known) == (Producer.SOCIAL, "unknown", False)


def test_new_producers_have_their_own_raw_prefix() -> None:
    assert RAW_PREFIXES[Producer.SOCIAL] == "raw/social/"
    assert RAW_PREFIXES[Producer.ENGAGEMENTDB] == "raw/engagementdb/"
    assert is_known_event_type(Producer.SOCIAL, "read")


def test_sql_classifies_every_fixture_record_as_python_does(channels_lake) -> None:
    """Producer and raw event type per record, Python against SQL (fct_events keeps one row per record here)."""
    expected: dict[str, int] = {}
    for name in ("eum_mms_voice_rcs.ndjson", "social_whatsapp.ndjson", "engagementdb_records.ndjson"):
        for record in _records(name):
            result = _classified(record)
            key = f"{result.producer.value}:{result.event_type}"
            expected[key] = expected.get(key, 0) + 1
    rows = query_local(
        "select producer, raw_event_type, count(*) as n from fct_events "
        "where producer in ('social', 'engagementdb') or channel in ('mms', 'voice', 'rcs') group by all",
        channels_lake,
    )
    assert {f"{r['producer']}:{r['raw_event_type']}": r["n"] for r in rows} == expected


def test_no_event_of_the_channel_fixtures_is_unknown_or_quarantined(channels_lake) -> None:
    assert query_local("select count(*) as n from fct_events where event_type = 'unknown'", channels_lake)[0]["n"] == 0
    quarantined = query_local(
        "select count(*) as n from stg_lake__records where source_prefix in ('social', 'engagementdb') "
        "and quarantine_reason is not null",
        channels_lake,
    )
    assert quarantined[0]["n"] == 0
