"""MMS, voice, RCS (End User Messaging configuration-set events) and WhatsApp (End User Messaging Social): the
records have the shapes of the channel fixtures, classify as the reader and staging classify them, and the truth
says what an independent reading of the records says."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ingest.classify import event_type_of, is_known_event_type, producer_of
from ingest.generator import GeneratorConfig, SyntheticLake, generate
from ingest.synthetic.records import NEW_FIELDS
from tests.generator.contract import END, EPOCH, PHONE_TYPES, has, phone_status, raw_type, whatsapp_value

FIXTURES = Path(__file__).parents[1] / "fixtures" / "channels"
CHANNEL_PREFIXES = {"MEDIA_": "mms", "VOICE_": "voice", "RCS_": "rcs"}


def _fixture_records(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


def _channel(obj: dict[str, Any]) -> str | None:
    return next((c for prefix, c in CHANNEL_PREFIXES.items() if obj["eventType"].startswith(prefix)), None)


def _without_new_fields(producer: str, obj: dict[str, Any], documented: set[str]) -> set[str]:
    """The record's keys less those it has only because it carries fields AWS may add later."""
    keys = set(obj)
    if any(has(obj, path) for path in NEW_FIELDS[producer]):
        keys -= {path[0] for path in NEW_FIELDS[producer]} - documented
    return keys


def test_eum_records_have_the_fixture_keys_of_their_channel(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    """Each channel's keys are those of the fixture records of that channel (the documented SMS example with the
    channel's fields): voice has no parts or carrier fee, RCS no parts or prices, a completed call its duration."""
    documented: dict[str, set[str]] = defaultdict(set)
    for obj in _fixture_records("eum_mms_voice_rcs.ndjson"):
        documented[_channel(obj) or ""] |= set(obj)
    seen: dict[str, set[str]] = defaultdict(set)
    for producer, obj in distinct:
        channel = _channel(obj) if producer == "sms" else None
        if channel is None:
            continue
        keys = _without_new_fields(producer, obj, documented[channel])
        seen[channel] |= keys
        optional = {"callDurationInSeconds", "totalDurationInMinutes"}
        assert documented[channel] - optional <= keys <= documented[channel], (channel, keys ^ documented[channel])
        assert ("callDurationInSeconds" in obj) == (obj["eventType"] == "VOICE_COMPLETED")
    assert seen == documented


def test_whatsapp_records_have_the_fixture_shape(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    fixtures = _fixture_records("social_whatsapp.ndjson")
    header = set(fixtures[0])
    status_keys = {k for f in fixtures for k in (whatsapp_value(f).get("statuses") or [{}])[0]}
    inbound_keys = {k for f in fixtures for k in (whatsapp_value(f).get("messages") or [{}])[0]}
    kinds = Counter()
    for producer, obj in distinct:
        if producer != "social":
            continue
        assert _without_new_fields(producer, obj, header) == header
        assert datetime.strptime(obj["message_timestamp"][:19], "%Y-%m-%dT%H:%M:%S")
        assert len(obj["message_timestamp"].split(".")[1]) == len("271279391Z")  # nanoseconds, as AWS writes
        value = whatsapp_value(obj)
        if "statuses" in value:
            assert set(value["statuses"][0]) <= status_keys
            kinds[value["statuses"][0]["status"]] += 1
        else:
            assert set(value["messages"][0]) <= inbound_keys
            assert value["contacts"][0]["wa_id"] == value["messages"][0]["from"]
            kinds["message"] += 1
    assert set(kinds) == {"sent", "delivered", "read", "failed", "message"}


def test_new_channel_records_classify_by_content_as_known_types(distinct: list[tuple[str, dict[str, Any]]]) -> None:
    """The reader's rule (shared with staging) gives the stream's producer and a type the event-type seed knows."""
    checked = Counter()
    for producer, obj in distinct:
        if producer == "social" or (producer == "sms" and _channel(obj)):
            found = producer_of(obj)
            assert found is not None
            assert found.value == producer
            kind = event_type_of(found, obj)
            assert kind == raw_type(producer, obj)
            assert is_known_event_type(found, kind), kind
            checked[producer] += 1
    assert checked["sms"] > 100
    assert checked["social"] > 50


def test_every_outcome_of_every_channel_even_in_a_small_lake() -> None:
    """The showcase forces each final outcome early in the window, so each status view has every kind of row."""
    truth = generate(GeneratorConfig(seed=2, events=300, days=2, end=END)).truth
    raw = {key.split(":", 1)[1] for key in truth.events_by_raw_type if key.split(":")[0] in ("sms", "social")}
    finals = {kind for kind, (_, _, outcome) in PHONE_TYPES.items() if outcome is not None}
    finals.remove("MEDIA_UNKNOWN")  # set 72 hours after a send without receipt: a 2-day lake has none yet
    assert finals | {"RCS_FALLEN_BACK_TO_SMS", "message"} <= raw
    assert {m["channel"] for m in truth.messages.values()} >= {"mms", "voice", "rcs", "whatsapp"}
    assert truth.conversations
    assert truth.whatsapp_inbound


def _derive(distinct: list[tuple[str, dict[str, Any]]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (message, recipient): the latest status (a final one first, then the latest), counts, receipts, price."""
    derived: dict[tuple[str, str], dict[str, Any]] = {}
    for producer, obj in distinct:
        status = phone_status(producer, obj)
        if status is None:
            continue
        channel, event_type, outcome = PHONE_TYPES[status["raw"]]
        key = (status["message_id"], status["destination"])
        entry = derived.setdefault(
            key,
            {"channel": channel, "counts": Counter(), "delivered": 0, "failed": 0, "best": None, "at": []},
        )
        entry["counts"][event_type] += 1
        entry["delivered"] += outcome == "delivered"
        entry["failed"] += outcome == "failed"
        entry["at"].append(status["at"])
        rank = (status["final"], status["at"])
        if entry["best"] is None or rank > entry["best"][0]:
            entry["best"] = (rank, event_type, status)
        if status["call_seconds"] is not None:
            entry["call_seconds"] = status["call_seconds"]
    return derived


def test_phone_channel_truth_matches_an_independent_reading(
    lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]
) -> None:
    derived = _derive(distinct)
    truth = {k: v for k, v in lake.truth.messages.items() if v["channel"] in ("mms", "voice", "rcs", "whatsapp")}
    assert set(truth) == set(derived)
    for key, entry in truth.items():
        got = derived[key]
        (final, at), event_type, status = got["best"]
        assert entry["status_counts"] == dict(got["counts"]), key
        assert entry["counts"] == {}  # fct_messages' per-type counts are email's and SMS's
        assert entry["latest_status"] == event_type, key
        assert entry["status"]["raw_event_type"] == status["raw"]
        assert entry["status"]["message_status"] == status["status"]
        assert entry["status"]["description"] == status["description"]
        assert entry["status"]["is_final"] is final
        assert entry["status"]["status_at"] == _at(at)
        assert (entry["delivered_receipts"], entry["failed_receipts"]) == (got["delivered"], got["failed"])
        assert entry["price"] == status["price"]
        assert entry["parts"] == status["parts"]
        assert entry["call_duration_seconds"] == got.get("call_seconds")
        assert entry["campaign_id"] == status["campaign_id"]
        assert entry["origination"] == status["origination"]
    assert Counter(e["channel"] for e in truth.values()).keys() == {"mms", "voice", "rcs", "whatsapp"}


def test_conversations_and_inbound_messages_match_the_records(
    lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]
) -> None:
    conversations: dict[str, dict[str, Any]] = {}
    inbound: dict[str, tuple[str, str]] = {}
    for producer, obj in distinct:
        if producer != "social":
            continue
        status = phone_status(producer, obj)
        if status is None:
            message = whatsapp_value(obj)["messages"][0]
            inbound[message["id"]] = ("+" + message["from"], message["type"])
        elif status["conversation"] is not None:
            conversation_id, kind = status["conversation"]
            facts = conversations.setdefault(conversation_id, {"type": kind, "ids": set(), "at": []})
            assert facts["type"] == kind  # one origin type per conversation
            facts["ids"].add(status["message_id"])
            facts["at"].append(status["at"])
    truth = lake.truth
    assert set(truth.conversations) == set(conversations)
    for conversation_id, facts in truth.conversations.items():
        expected = conversations[conversation_id]
        assert facts["type"] == expected["type"]
        assert set(facts["message_ids"]) == expected["ids"]
        assert (facts["first"], facts["last"]) == (_at(min(expected["at"])), _at(max(expected["at"])))
    assert {k: (v["from"], v["type"]) for k, v in truth.whatsapp_inbound.items()} == inbound
    assert any(len(facts["message_ids"]) > 1 for facts in truth.conversations.values())


def _at(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


@pytest.mark.parametrize("channel", ["mms", "voice", "rcs", "whatsapp"])
def test_a_modest_share_of_messages(lake: SyntheticLake, channel: str) -> None:
    channels = Counter(entry["channel"] for entry in lake.truth.messages.values())
    assert 0 < channels[channel] < 0.1 * sum(channels.values())


def test_named_rates_govern_the_new_channels_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the showcase (one forced completed call, one forced WhatsApp failure), the named rates decide."""
    from ingest.synthetic.channels import eum_phone, whatsapp

    config = GeneratorConfig(seed=5, events=4_000, days=3, end=END)
    before = generate(config).truth.events_by_raw_type
    assert before["sms:VOICE_COMPLETED"] > 1
    assert before["social:failed"] > 1
    monkeypatch.setattr(eum_phone, "VOICE_ANSWERED_P", 0.0)
    monkeypatch.setattr(whatsapp, "FAILED_P", 0.0)
    after = generate(config).truth.events_by_raw_type
    assert after["sms:VOICE_COMPLETED"] == 1
    assert after["social:failed"] == 1
