"""The synthetic lake: deterministic, shaped like AWS's documented records, and its ground truth is right.

Every truth check here re-derives the expected numbers from the generated text with ``json`` and an independent copy
of the rules (classification, view mapping, recipient rule, status precedence), never from the generator's code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers
import pytest

from ingest.generator import VIEWS, GeneratorConfig, GroundTruth, RawRecord, SyntheticLake, generate
from ingest.layout import Producer
from ingest.synthetic.records import NEW_FIELDS

END = datetime(2026, 11, 20, 12)
CONFIG = GeneratorConfig(seed=7, events=12_000, days=7, end=END)
EPOCH = datetime(1970, 1, 1)
HOUR = timedelta(hours=1)


def ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def parse_iso(text: str) -> int:
    return ms(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ"))


# --------------------------------------------------------------------------------------------------------------
# Independent copies of the contract (from the issue text)


def classify(obj: Any) -> str | None:
    """The producer classification rule downstream code uses."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("event_type"), str):
        return "pinpoint"
    if ("eventType" in obj or "notificationType" in obj) and isinstance(obj.get("mail"), dict):
        return "ses"
    if "eventType" in obj and "messageId" in obj and "mail" not in obj:
        return "sms"
    return None


def raw_type(producer: str, obj: dict[str, Any]) -> str:
    if producer == "pinpoint":
        return obj["event_type"]
    if producer == "ses":
        return obj.get("eventType", obj.get("notificationType"))
    return obj["eventType"]


PP_VIEW = {
    "_email.send": "email_send",
    "_email.delivered": "email_delivered",
    "_email.open": "email_open",
    "_email.click": "email_click",
    "_email.rejected": "email_rejected",
    "_email.rendering_failure": "email_rendering_failure",
    "_email.hardbounce": "email_hardbounce",
    "_email.softbounce": "email_softbounce",
    "_email.complaint": "email_complaint",
    "_email.unsubscribe": "email_unsubscribe",
    "_SMS.BUFFERED": "sms_buffered",
    "_SMS.SUCCESS": "sms_success",
    "_SMS.FAILURE": "sms_failure",
    "_SMS.OPTOUT": "sms_optout",
    "_campaign.send": "campaign_send",
    "_journey.send": "journey_send",
}
SES_VIEW = {
    "Send": "email_send",
    "Delivery": "email_delivered",
    "Open": "email_open",
    "Click": "email_click",
    "Reject": "email_rejected",
    "Rendering Failure": "email_rendering_failure",
    "DeliveryDelay": "email_delivery_delay",
    "Complaint": "email_complaint",
}
EUM_FAILURE = [
    "TEXT_BLOCKED",
    "TEXT_TTL_EXPIRED",
    "TEXT_CARRIER_UNREACHABLE",
    "TEXT_INVALID",
    "TEXT_INVALID_MESSAGE",
    "TEXT_CARRIER_BLOCKED",
    "TEXT_UNREACHABLE",
    "TEXT_SPAM",
    "TEXT_UNKNOWN",
    "TEXT_PROTECT_BLOCKED",
]
EUM_VIEW = {
    "TEXT_QUEUED": "sms_buffered",
    "TEXT_PENDING": "sms_buffered",
    "TEXT_DELIVERED": "sms_success",
    "TEXT_SUCCESSFUL": "sms_success",
    **dict.fromkeys(EUM_FAILURE, "sms_failure"),
}
APP_PREFIXES = ("_session.", "_userauth.")
PRECEDENCE = {
    "email_complaint": 90,
    "email_hardbounce": 80,
    "email_unsubscribe": 70,
    "email_click": 60,
    "email_open": 50,
    "email_delivered": 40,
    "email_softbounce": 30,
    "email_delivery_delay": 20,
    "email_rejected": 15,
    "email_rendering_failure": 15,
    "email_send": 10,
}


def view_of(producer: str, obj: dict[str, Any]) -> str | None:
    kind = raw_type(producer, obj)
    if producer == "pinpoint":
        if kind in PP_VIEW:
            return PP_VIEW[kind]
        if not kind.startswith("_") or kind.startswith(APP_PREFIXES) or kind == "_monetization.purchase":
            return "app_event"
        return None
    if producer == "ses":
        if kind == "Bounce":
            return "email_hardbounce" if obj["bounce"]["bounceType"] == "Permanent" else "email_softbounce"
        if kind == "Subscription":
            prefs = obj["subscription"]["newTopicPreferences"]
            opted_out = prefs.get("unsubscribeAll") or any(
                t["subscriptionStatus"] == "OptOut" for t in prefs.get("topicSubscriptionStatus", [])
            )
            return "email_unsubscribe" if opted_out else None
        return SES_VIEW.get(kind)
    return EUM_VIEW.get(kind)


def email_message(producer: str, obj: dict[str, Any]) -> tuple[str, list[str], list[str]] | None:
    """(message id, destinations, recipients this event counts for) of an email record; None for other records."""
    if producer == "pinpoint":
        facets = obj.get("facets")
        if not facets:
            return None
        event = facets["email_channel"]["mail_event"]
        mail = event["mail"]
        kind = obj["event_type"]
        named = None
        if kind == "_email.delivered":
            named = event["delivery"]["recipients"]
        elif kind in ("_email.hardbounce", "_email.softbounce"):
            named = [r["email_address"] for r in event["bounce"]["bounced_recipients"]]
        elif kind == "_email.complaint":
            named = [r["email_address"] for r in event["complaint"]["complained_recipients"]]
        return mail["message_id"], mail["destination"], named if named is not None else mail["destination"]
    if producer == "ses":
        mail = obj["mail"]
        kind = raw_type("ses", obj)
        named = None
        if kind == "Delivery":
            named = obj["delivery"]["recipients"]
        elif kind == "Bounce":
            named = [r["emailAddress"] for r in obj["bounce"]["bouncedRecipients"]]
        elif kind == "Complaint":
            named = [r["emailAddress"] for r in obj["complaint"]["complainedRecipients"]]
        elif kind == "DeliveryDelay":
            named = [r["emailAddress"] for r in obj["deliveryDelay"]["delayedRecipients"]]
        return mail["messageId"], mail["destination"], named if named is not None else mail["destination"]
    return None


def sms_message(producer: str, obj: dict[str, Any]) -> tuple[str, str, bool, int] | None:
    """(message id, destination, is final, event time) of an SMS record; None for other records."""
    if producer == "sms":
        return obj["messageId"], obj["destinationPhoneNumber"], obj["isFinal"], obj["eventTimestamp"]
    if producer == "pinpoint" and obj["event_type"].startswith("_SMS."):
        a = obj["attributes"]
        final = obj["event_type"] in ("_SMS.SUCCESS", "_SMS.FAILURE", "_SMS.OPTOUT")
        return a["message_id"], a["destination_phone_number"], final, obj["event_timestamp"]
    return None


def event_time(producer: str, obj: dict[str, Any]) -> int:
    """The record's own event time (Pinpoint: event_timestamp, the send time for email)."""
    if producer == "pinpoint":
        return obj["event_timestamp"]
    if producer == "sms":
        return obj["eventTimestamp"]
    kind = raw_type("ses", obj)
    key = {
        "Rendering Failure": "failure",
        "DeliveryDelay": "deliveryDelay",
        "FutureThing": "futureThing",
    }.get(kind, kind[:1].lower() + kind[1:])
    stamp = obj.get(key, {}).get("timestamp")
    return parse_iso(stamp or obj["mail"]["timestamp"])


# --------------------------------------------------------------------------------------------------------------
# Fixtures: one moderately sized lake, parsed once


@pytest.fixture(scope="module")
def lake() -> SyntheticLake:
    return generate(CONFIG)


@pytest.fixture(scope="module")
def records(lake: SyntheticLake) -> list[RawRecord]:
    return list(lake.records())


@pytest.fixture(scope="module")
def parsed(records: list[RawRecord]) -> list[tuple[RawRecord, Any]]:
    out = []
    for r in records:
        try:
            out.append((r, json.loads(r.line)))
        except json.JSONDecodeError:
            out.append((r, None))
    return out


@pytest.fixture(scope="module")
def valid(parsed: list[tuple[RawRecord, Any]]) -> list[tuple[RawRecord, str, dict[str, Any]]]:
    """Classified records (duplicates included)."""
    return [(r, p, obj) for r, obj in parsed if (p := classify(obj)) is not None]


@pytest.fixture(scope="module")
def distinct(valid: list[tuple[RawRecord, str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Classified records with byte-identical duplicates removed."""
    seen: set[str] = set()
    out = []
    for r, p, obj in valid:
        if r.line not in seen:
            seen.add(r.line)
            out.append((p, obj))
    return out


@pytest.fixture(scope="module")
def export(lake: SyntheticLake) -> list[dict[str, Any]]:
    return list(lake.endpoints())


def has(obj: Any, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return False
        obj = obj[key]
    return True


def first_of(distinct: list[tuple[str, dict[str, Any]]], producer: str, kind: str, **where: Any) -> dict[str, Any]:
    for p, obj in distinct:
        if p == producer and raw_type(p, obj) == kind and all(obj.get(k) == v for k, v in where.items()):
            return obj
    raise AssertionError(f"no {producer} {kind} record generated")


# --------------------------------------------------------------------------------------------------------------
# Determinism, ordering, scale


def test_same_seed_gives_byte_identical_records_endpoints_and_truth() -> None:
    config = GeneratorConfig(seed=11, events=3_000, end=END)
    a, b = generate(config), generate(config)
    assert [(r.producer, r.arrival, r.line) for r in a.records()] == [
        (r.producer, r.arrival, r.line) for r in b.records()
    ]
    assert list(a.endpoints()) == list(b.endpoints())
    assert a.truth.to_json() == b.truth.to_json()
    # rendering is lazy: iterating twice gives the same text
    assert [r.line for r in a.records()] == [r.line for r in a.records()]


def test_output_does_not_depend_on_the_process(tmp_path: Any) -> None:
    """Same bytes under different string-hash seeds (no set or hash order leaks into the output)."""
    script = (
        "import hashlib, sys\n"
        "from datetime import datetime\n"
        "from ingest.generator import GeneratorConfig, generate\n"
        "lake = generate(GeneratorConfig(seed=3, events=800, end=datetime(2026, 11, 20)))\n"
        "h = hashlib.sha256()\n"
        "for r in lake.records():\n"
        "    h.update(f'{r.producer}|{r.arrival}|{r.line}\\n'.encode())\n"
        "h.update(lake.truth.to_json().encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_different_seed_gives_different_records() -> None:
    a = [r.line for r in generate(GeneratorConfig(seed=1, events=1_000, end=END)).records()]
    b = [r.line for r in generate(GeneratorConfig(seed=2, events=1_000, end=END)).records()]
    assert a != b
    assert len(set(a) & set(b)) < len(a) // 100  # not a shuffle of the same lines


def test_records_sorted_by_arrival_and_single_lines(records: list[RawRecord]) -> None:
    arrivals = [r.arrival for r in records]
    assert arrivals == sorted(arrivals)
    assert all(r.arrival.tzinfo is None for r in records)
    assert all("\n" not in r.line and "\r" not in r.line and r.line for r in records)
    start, end = CONFIG.window()
    assert (start, end) == (END - timedelta(days=7), END)
    assert all(r.arrival < end for r in records)


def test_progress_and_size(lake: SyntheticLake, records: list[RawRecord]) -> None:
    calls: list[int] = []
    n = sum(1 for _ in lake.records(progress=calls.append))
    assert n == len(lake) == len(records) == lake.truth.records_written
    assert calls == sorted(calls)
    assert calls[-1] == n
    assert len(calls) >= 2
    # "events" is the scale knob: distinct valid events land near it
    assert 0.9 * CONFIG.events <= lake.truth.distinct_events <= 1.15 * CONFIG.events


def test_default_end_is_now_truncated_to_the_hour() -> None:
    start, end = GeneratorConfig(days=2).window()
    assert end.minute == end.second == end.microsecond == 0
    assert end.tzinfo is None
    assert end - start == timedelta(days=2)
    assert abs(datetime.now(UTC).replace(tzinfo=None) - end) < timedelta(hours=1, minutes=1)


# --------------------------------------------------------------------------------------------------------------
# Classification and ground-truth line counts


def test_every_line_classifies_as_its_stream(lake: SyntheticLake, parsed: list[tuple[RawRecord, Any]]) -> None:
    malformed = unclassifiable = 0
    for r, obj in parsed:
        producer = classify(obj)
        if not isinstance(obj, dict):
            malformed += 1  # json cannot parse it, or it is not an object (array, number)
            assert r.producer is None or obj is None  # truncated JSON keeps its stream; other garbage has none
        elif producer is None:
            unclassifiable += 1
            assert r.producer is None
        else:
            assert r.producer == Producer(producer)
    truth = lake.truth
    assert malformed == truth.malformed_records >= 4
    assert unclassifiable == truth.unclassifiable_records >= 3
    kinds = {type(obj).__name__ for _, obj in parsed if not isinstance(obj, dict)}
    assert {"NoneType", "list", "int"} <= kinds  # truncated/plain text, array, bare number


def test_line_counts_match_truth(lake: SyntheticLake, records: list[RawRecord]) -> None:
    truth = lake.truth
    assert truth.records_written == len(records)
    by_producer = Counter(r.producer.value if r.producer else "unknown" for r in records)
    assert dict(by_producer) == truth.records_by_producer
    lines = Counter(r.line for r in records)
    assert sum(n - 1 for n in lines.values()) == truth.duplicate_records
    assert 0.005 * len(records) < truth.duplicate_records < 0.02 * len(records)


def test_events_by_raw_type_match_an_independent_count(
    lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]
) -> None:
    counted = Counter(f"{p}:{raw_type(p, obj)}" for p, obj in distinct)
    assert dict(counted) == lake.truth.events_by_raw_type
    assert lake.truth.distinct_events == len(distinct)
    # all three producers, all documented families present
    for key in (
        "pinpoint:_email.open",
        "pinpoint:_email.hardbounce",
        "pinpoint:_email.softbounce",
        "pinpoint:_email.complaint",
        "pinpoint:_email.rejected",
        "pinpoint:_email.rendering_failure",
        "pinpoint:_email.unsubscribe",
        "pinpoint:_SMS.BUFFERED",
        "pinpoint:_SMS.OPTOUT",
        "pinpoint:_campaign.send",
        "pinpoint:_journey.send",
        "pinpoint:_session.start",
        "pinpoint:_monetization.purchase",
        "pinpoint:webinar_registration",
        "pinpoint:product_page_view",
        "ses:Send",
        "ses:Bounce",
        "ses:Complaint",
        "ses:Reject",
        "ses:Rendering Failure",
        "ses:DeliveryDelay",
        "ses:Subscription",
        "ses:Open",
        "ses:Click",
        "sms:TEXT_DELIVERED",
        "sms:TEXT_SUCCESSFUL",
        "sms:TEXT_PENDING",
        *(f"sms:{t}" for t in EUM_FAILURE),
    ):
        assert counted[key] > 0, key


def test_unknown_event_types(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    unknown = lake.truth.unknown_event_types
    assert set(unknown) == {"pinpoint:_email.future_thing", "ses:FutureThing", "sms:TEXT_FUTURE_STATUS"}
    assert all(n >= 2 for n in unknown.values())
    for key, n in unknown.items():
        producer, kind = key.split(":", 1)
        assert sum(1 for p, obj in distinct if p == producer and raw_type(p, obj) == kind) == n
        assert all(view_of(p, obj) is None for p, obj in distinct if p == producer and raw_type(p, obj) == kind)


def test_view_rows_match_an_independent_count(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    rows: Counter[str] = Counter()
    for p, obj in distinct:
        view = view_of(p, obj)
        if view is None:
            continue
        if view in ("email_hardbounce", "email_softbounce"):  # one row per bounced recipient
            bounce = obj["facets"]["email_channel"]["mail_event"]["bounce"] if p == "pinpoint" else obj["bounce"]
            rows[view] += len(bounce["bounced_recipients"] if p == "pinpoint" else bounce["bouncedRecipients"])
        elif view == "email_complaint":
            c = obj["facets"]["email_channel"]["mail_event"]["complaint"] if p == "pinpoint" else obj["complaint"]
            rows[view] += len(c["complained_recipients"] if p == "pinpoint" else c["complainedRecipients"])
        else:
            rows[view] += 1
    assert set(lake.truth.view_rows) == set(VIEWS)
    assert {v: rows.get(v, 0) for v in VIEWS} == lake.truth.view_rows
    assert all(n > 0 for n in lake.truth.view_rows.values())
    # bounce rows differ from bounce events: some SES bounces name several recipients
    multi = [
        obj
        for p, obj in distinct
        if p == "ses" and raw_type(p, obj) == "Bounce" and len(obj["bounce"]["bouncedRecipients"]) > 1
    ]
    assert multi
    assert all(len(o["mail"]["destination"]) > 1 for o in multi)


def test_late_records_and_duplicates(lake: SyntheticLake, valid: list[tuple[RawRecord, str, dict[str, Any]]]) -> None:
    late = sum(1 for r, p, obj in valid if ms(r.arrival) - event_time(p, obj) >= 3_600_000)
    assert late == lake.truth.late_records
    lags = [ms(r.arrival) - event_time(p, obj) for r, p, obj in valid]
    assert any(lag >= 24 * 3_600_000 for lag in lags)  # some arrive days later
    # carrier receipts up to 72 hours after the request
    eum = [obj for _, p, obj in valid if p == "sms" and obj["isFinal"]]
    assert any(o["eventTimestamp"] - o["messageRequestTimestamp"] >= 72 * 3_600_000 for o in eum)
    # a duplicate can land in a later Firehose hour (another object, another folder)
    first_seen: dict[str, datetime] = {}
    crossed = 0
    for r, _, _ in valid:
        if r.line in first_seen and r.arrival.replace(minute=0, second=0, microsecond=0) != first_seen[r.line]:
            crossed += 1
        first_seen.setdefault(r.line, r.arrival.replace(minute=0, second=0, microsecond=0))
    assert crossed > 0


def test_arrival_is_never_before_event_time(valid: list[tuple[RawRecord, str, dict[str, Any]]]) -> None:
    start, end = CONFIG.window()
    quirks = 0
    for r, p, obj in valid:
        t = event_time(p, obj)
        assert ms(start) <= t < ms(end)
        assert ms(r.arrival) >= t, r.line
        if p == "pinpoint":
            assert ms(r.arrival) >= obj["arrival_timestamp"]
            if obj["arrival_timestamp"] < obj["event_timestamp"]:
                assert obj["event_type"].startswith("_SMS.")  # the documented quirk, nowhere else
                quirks += 1
    assert quirks > 0


def test_new_fields_are_present_where_truth_says(
    lake: SyntheticLake, valid: list[tuple[RawRecord, str, dict[str, Any]]]
) -> None:
    carrying = [(p, obj) for _, p, obj in valid if any(has(obj, path) for path in NEW_FIELDS[p])]
    assert len(carrying) == lake.truth.new_field_records >= 3
    assert {p for p, _ in carrying} == {"pinpoint", "ses", "sms"}
    assert all(all(has(obj, path) for path in NEW_FIELDS[p]) for p, obj in carrying)  # top-level and nested


# --------------------------------------------------------------------------------------------------------------
# Per-message, per-campaign and per-endpoint truth


def test_messages_match_an_independent_derivation(
    lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]
) -> None:
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    sms_rank: dict[tuple[str, str], tuple[bool, int, str]] = {}
    keys: set[tuple[str, str]] = set()
    for p, obj in distinct:
        view = view_of(p, obj)
        email = email_message(p, obj)
        if email is not None:
            mid, _, recipients = email
            for a in recipients:
                keys.add((mid, a))
                if view is not None:
                    counts[(mid, a)][view] += 1
        sms = sms_message(p, obj)
        if sms is not None:
            mid, dest, final, at = sms
            keys.add((mid, dest))
            if view is not None:
                counts[(mid, dest)][view] += 1
                rank = (final, at, view)
                if (mid, dest) not in sms_rank or rank[:2] > sms_rank[(mid, dest)][:2]:
                    sms_rank[(mid, dest)] = rank
    truth = lake.truth.messages
    assert set(truth) == keys
    for key, entry in truth.items():
        assert entry["counts"] == dict(counts[key]), key
        if entry["channel"] == "sms":
            expected = sms_rank[key][2] if key in sms_rank else None
        else:
            expected = max(counts[key], key=PRECEDENCE.__getitem__) if counts[key] else None
        assert entry["latest_status"] == expected, key
    statuses = Counter(e["latest_status"] for e in truth.values())
    assert statuses["email_click"]
    assert statuses["email_hardbounce"]
    assert statuses["sms_success"]


def test_message_attributes(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    messages = lake.truth.messages
    send = first_of(distinct, "ses", "Send")
    mid = send["mail"]["messageId"]
    entry = messages[(mid, send["mail"]["destination"][0])]
    assert entry["producer"] == "ses"
    assert entry["channel"] == "email"
    assert entry["endpoint_id"] is None
    assert entry["subject"] == send["mail"]["commonHeaders"]["subject"]
    assert entry["sent_at"] == datetime.strptime(send["mail"]["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    pp = next(
        obj
        for p, obj in distinct
        if p == "pinpoint" and obj["event_type"] == "_email.send" and "campaign_id" in obj["attributes"]
    )
    mail = pp["facets"]["email_channel"]["mail_event"]["mail"]
    entry = messages[(mail["message_id"], mail["destination"][0])]
    assert entry["endpoint_id"] == pp["client"]["client_id"] == entry["client_id"]
    assert (entry["campaign_id"], entry["treatment_id"]) == (
        pp["attributes"]["campaign_id"],
        pp["attributes"]["treatment_id"],
    )
    assert entry["sent_at"] == EPOCH + timedelta(milliseconds=mail["message_send_timestamp"])
    ok = first_of(distinct, "pinpoint", "_SMS.SUCCESS")
    entry = messages[(ok["attributes"]["message_id"], ok["attributes"]["destination_phone_number"])]
    assert entry["channel"] == "sms"
    assert entry["price"] == ok["metrics"]["price_in_millicents_usd"]
    eum = first_of(distinct, "sms", "TEXT_DELIVERED")
    entry = messages[(eum["messageId"], eum["destinationPhoneNumber"])]
    assert entry["price"] == eum["totalMessagePrice"]
    assert entry["sent_at"] == EPOCH + timedelta(milliseconds=eum["messageRequestTimestamp"])


def test_campaigns_match_an_independent_count(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    counters: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    opened: dict[tuple[str, str], set[str]] = defaultdict(set)
    clicked: dict[tuple[str, str], set[str]] = defaultdict(set)
    field = {
        "email_send": "sends",
        "email_delivered": "deliveries",
        "email_open": "opens",
        "email_click": "clicks",
        "email_unsubscribe": "unsubscribes",
        "campaign_send": "campaign_sends",
        "sms_success": "sms_success",
        "sms_failure": "sms_failure",
    }
    for p, obj in distinct:
        if p == "pinpoint":
            attrs = obj.get("attributes", {})
            if "campaign_id" not in attrs:
                continue
            key = (attrs["campaign_id"], attrs["treatment_id"])
        elif p == "ses" and "campaign" in obj["mail"].get("tags", {}):
            key = (obj["mail"]["tags"]["campaign"][0], "")
        else:
            continue
        view = view_of(p, obj)
        email = email_message(p, obj)
        if view in field:
            counters[key][field[view]] += 1
        elif view in ("email_hardbounce", "email_softbounce", "email_complaint"):
            counters[key][view.removeprefix("email_") + "s"] += len(email[2]) if email else 0
        if view == "email_open" and email:
            opened[key].add(email[0])
        if view == "email_click" and email:
            clicked[key].add(email[0])
    truth = lake.truth.campaigns
    flat = {(c, t): v for c, by_t in truth.items() for t, v in by_t.items()}
    assert set(flat) == set(counters)
    for key, expected in counters.items():
        got = flat[key]
        assert {k: v for k, v in got.items() if k not in ("unique_opens", "unique_clicks") and v} == dict(expected), key
        assert got["unique_opens"] == len(opened[key])
        assert got["unique_clicks"] == len(clicked[key])
    # A/B/C treatment ids are populated (the reference views' "treament_id" typo lost them)
    assert any(set(by_t) >= {"0", "1", "2"} for by_t in truth.values())
    # SES-native campaigns: known by the mail tag, no treatment
    ses = [c for c, meta in lake.truth.campaign_catalog.items() if meta["producer"] == "ses" and c in truth]
    assert ses
    assert all(set(truth[c]) == {""} for c in ses)


def test_journeys(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    sends = Counter(
        obj["attributes"]["journey_id"]
        for p, obj in distinct
        if p == "pinpoint" and obj["event_type"] == "_journey.send"
    )
    assert {j: c["journey_sends"] for j, c in lake.truth.journeys.items()} == dict(sends)
    assert set(sends) <= set(lake.truth.journey_catalog)


def test_endpoint_facts_match_records(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    endpoints = lake.truth.endpoints
    opens: dict[str, set[tuple[str, datetime]]] = defaultdict(set)
    app: dict[str, Counter[str]] = defaultdict(Counter)
    for p, obj in distinct:
        if p != "pinpoint":
            continue
        kind = obj["event_type"]
        attrs = obj["attributes"]
        if kind == "_email.open" and ("campaign_id" in attrs or "journey_id" in attrs):
            mid = obj["facets"]["email_channel"]["mail_event"]["mail"]["message_id"]
            # the open moment is only in arrival_timestamp (event_timestamp is the send time)
            opens[obj["client"]["client_id"]].add((mid, EPOCH + timedelta(milliseconds=obj["arrival_timestamp"])))
        elif view_of(p, obj) == "app_event" and not kind.startswith("_session."):
            app[obj["client"]["client_id"]][kind] += 1
    for endpoint_id, facts in endpoints.items():
        got = {(f["message_id"], f["time"]) for f in facts["email_opens"] if f["match"] == "endpoint_id"}
        assert got == opens.get(endpoint_id, set()), endpoint_id
        assert {k: len(v) for k, v in facts["events"].items()} == dict(app.get(endpoint_id, {})), endpoint_id
    assert set(opens) <= set(endpoints)
    assert set(app) <= set(endpoints)
    # emails received: one per message sent to the endpoint, "opened" iff an open was counted for it
    for facts in endpoints.values():
        for received in facts["emails_received"]:
            entry = lake.truth.messages[(received["message_id"], facts["address"])]
            assert received["opened"] == bool(entry["counts"].get("email_open"))


def _segment_engaged_shoppers(truth: GroundTruth, n_opens: int) -> set[str]:
    """Opened more than N emails in the last 9 months AND viewed a product page in the last 24 hours AND purchased
    in the last 3 months."""
    end = truth.end
    members = set()
    for endpoint_id, facts in truth.endpoints.items():
        opened = {
            f["message_id"] for f in facts["email_opens"] if not f["bot"] and f["time"] >= end - timedelta(days=270)
        }
        viewed = any(e["time"] >= end - timedelta(hours=24) for e in facts["events"].get("product_page_view", []))
        bought = any(e["time"] >= end - timedelta(days=90) for e in facts["events"].get("_monetization.purchase", []))
        if len(opened) > n_opens and viewed and bought:
            members.add(endpoint_id)
    return members


def _segment_webinar(truth: GroundTruth) -> tuple[set[str], set[str]]:
    """Webinar registrants who opened the invitation email; and registrants who did not."""
    invitation = next(c for c, meta in truth.campaign_catalog.items() if meta["webinar_id"] == "webinar5")
    registrants = {
        e
        for e, facts in truth.endpoints.items()
        if any(r["attributes"]["webinar_id"] == "webinar5" for r in facts["events"].get("webinar_registration", []))
    }
    opened = {
        e for e, facts in truth.endpoints.items() if any(f["campaign_id"] == invitation for f in facts["email_opens"])
    }
    return registrants & opened, registrants - opened


def test_segments_have_members_and_non_members(lake: SyntheticLake) -> None:
    truth = lake.truth
    email_endpoints = [e for e, f in truth.endpoints.items() if f["channel"] == "EMAIL"]
    shoppers = _segment_engaged_shoppers(truth, 2)
    assert 0 < len(shoppers) < len(email_endpoints) // 5
    viewed_recently = {
        e
        for e, f in truth.endpoints.items()
        if any(v["time"] >= truth.end - timedelta(hours=24) for v in f["events"].get("product_page_view", []))
    }
    assert viewed_recently - shoppers  # some viewed a product but fail the other conditions
    opened_and_registered, registered_only = _segment_webinar(truth)
    assert opened_and_registered
    assert registered_only


def test_a_year_of_data() -> None:
    lake = generate(GeneratorConfig(seed=5, events=4_000, days=365, end=END))
    truth = lake.truth
    times = [f["time"] for facts in truth.endpoints.values() for f in facts["email_opens"]]
    assert min(times) < END - timedelta(days=270) < max(times)  # the 9-month window cuts through the data
    assert max(times) - min(times) > timedelta(days=300)
    assert _segment_engaged_shoppers(truth, 2)
    assert all(n > 0 for n in truth.view_rows.values())
    assert len([c for c, m in truth.campaign_catalog.items() if m["name"].startswith("Weekly digest")]) == 52


def test_ground_truth_json_round_trip(lake: SyntheticLake) -> None:
    text = lake.truth.to_json()
    again = GroundTruth.from_json(text)
    assert again == lake.truth
    assert again.to_json() == text
    assert isinstance(next(iter(again.messages.values()))["sent_at"], datetime)
    assert isinstance(next(iter(again.messages)), tuple)


# --------------------------------------------------------------------------------------------------------------
# Shapes: generated records against the documented examples (event-formats.md), key for key, type for type

HEADER = [{"name": "From", "value": "sender@example.com"}]
PP_MAIL = {
    "message_id": "0200000073rnbmd1-mbvdg3uo-q8ia-m3ku-ibd3-ms77kexample-000000",
    "message_send_timestamp": 1564618621380,
    "from_address": "sender@example.com",
    "destination": ["recipient@example.com"],
    "headers_truncated": False,
    "headers": HEADER,
    "common_headers": {
        "from": "sender@example.com",
        "to": ["recipient@example.com"],
        "subject": "Amazon Pinpoint Test",
    },
}
PP_ENVELOPE = {
    "event_timestamp": 1564618621380,
    "arrival_timestamp": 1564618622690,
    "event_version": "3.1",
    "application": {"app_id": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6", "sdk": {}},
    "client": {"client_id": "e9a3000d-daa2-40dc-ac47-1cd34example"},
    "device": {"platform": {}},
    "session": {},
    "attributes": {"feedback": "delivered"},
    "awsAccountId": "123456789012",
}


def pp_email(event_type: str, obj_key: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_type": event_type,
        **PP_ENVELOPE,
        "facets": {"email_channel": {"mail_event": {"mail": PP_MAIL, obj_key: obj}}},
    }


SES_MAIL = {
    "timestamp": "2017-08-05T00:40:02.012Z",
    "source": "Sender Name <sender@example.com>",
    "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
    "sendingAccountId": "123456789012",
    "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
    "destination": ["recipient@example.com"],
    "headersTruncated": False,
    "headers": HEADER,
    "commonHeaders": {
        "from": ["Sender Name <sender@example.com>"],
        "to": ["recipient@example.com"],
        "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
        "subject": "Message sent from Amazon SES",
    },
    "tags": {"ses:configuration-set": ["ConfigSet"], "ses:source-ip": ["192.0.2.0"]},
}
SES_MAIL_ENGAGEMENT = {k: v for k, v in SES_MAIL.items() if k != "sourceArn"}
SES_MAIL_BARE = {
    **{k: v for k, v in SES_MAIL.items() if k not in ("headers", "commonHeaders")},
    "tags": {"ses:configuration-set": ["ConfigSet"]},
}
SES_NOTIFICATION_MAIL = {
    **{k: v for k, v in SES_MAIL.items() if k != "tags"},
    "sourceIp": "127.0.3.0",
    "callerIdentity": "IAM_user_or_role_name",
    "commonHeaders": {**SES_MAIL["commonHeaders"], "date": "Wed, 27 Jan 2016 14:05:45 +0000"},
}
PREFS = {
    "unsubscribeAll": True,
    "topicSubscriptionStatus": [{"topicName": "ExampleTopicName", "subscriptionStatus": "OptOut"}],
}
EUM_EXAMPLE = {
    "eventType": "TEXT_SUCCESSFUL",
    "eventVersion": "1.0",
    "eventTimestamp": 1686975103470,
    "isFinal": True,
    "originationPhoneNumber": "+12065550152",
    "destinationPhoneNumber": "+14255550156",
    "isInternationalSend": False,
    "mcc": "310",
    "mnc": "800",
    "messageId": "862a8790-60c0-4430-9b2b-658bdexample",
    "messageRequestTimestamp": 1686975103170,
    "messageEncoding": "GSM",
    "messageType": "PROMOTIONAL",
    "messageStatus": "SUCCESSFUL",
    "messageStatusDescription": "Message has been accepted by phone carrier",
    "context": {"account": "bar"},
    "totalMessageParts": 1,
    "totalMessagePrice": 0.09582,
    "totalCarrierFee": 0.0,
}

#: (producer, raw type, extra match, documented example, top-level keys the generator may add)
DOCUMENTED: list[tuple[str, str, dict[str, Any], dict[str, Any], set[str]]] = [
    (
        "pinpoint",
        "_email.delivered",
        {},
        pp_email(
            "_email.delivered",
            "delivery",
            {
                "smtp_response": "250 ok:  Message 82080542 accepted",
                "reporting_mta": "a8-53.smtp-out.amazonses.com",
                "recipients": ["recipient@example.com"],
                "processing_time_millis": 1310,
            },
        ),
        {"client_context"},
    ),
    ("pinpoint", "_email.send", {}, pp_email("_email.send", "send", {}), {"client_context"}),
    (
        "pinpoint",
        "_email.open",
        {},
        pp_email("_email.open", "open", {"ip_address": "72.21.198.67", "user_agent": "Mozilla/5.0"}),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.click",
        {},
        pp_email(
            "_email.click",
            "click",
            {"ip_address": "72.21.198.67", "user_agent": "Mozilla/5.0", "link": "https://aws.amazon.com/pinpoint/"},
        ),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.hardbounce",  # no AWS example: the events-database DDL's struct
        {},
        pp_email(
            "_email.hardbounce",
            "bounce",
            {
                "bounce_type": "Permanent",
                "bounce_sub_type": "General",
                "bounced_recipients": [{"email_address": "r@example.com"}],
                "feedback_id": "x",
                "reporting_mta": "dsn; mta.example.com",
            },
        ),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.complaint",
        {},
        pp_email(
            "_email.complaint",
            "complaint",
            {
                "complained_recipients": [{"email_address": "r@example.com"}],
                "feedback_id": "x",
                "user_agent": "x",
                "complaint_feedback_type": "abuse",
            },
        ),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_email.rejected",
        {},
        pp_email("_email.rejected", "reject", {"reason": "Bad content"}),
        {"client_context"},
    ),
    (
        "pinpoint",
        "_SMS.SUCCESS",
        {},
        {
            "event_type": "_SMS.SUCCESS",
            **PP_ENVELOPE,
            "client": {"client_id": "123456789012"},
            "attributes": {"record_status": "DELIVERED"},
            "metrics": {"price_in_millicents_usd": 645.0},
        },
        set(),
    ),
    (
        "pinpoint",
        "_campaign.send",
        {},
        {
            "event_type": "_campaign.send",
            **PP_ENVELOPE,
            "attributes": {"treatment_id": "0"},
            "client_context": {"custom": {"endpoint": '{"ChannelType":"GCM","EndpointStatus":"ACTIVE"}'}},
        },
        set(),
    ),
    (
        "pinpoint",
        "_journey.send",
        {},
        {
            "event_type": "_journey.send",
            **PP_ENVELOPE,
            "attributes": {"journey_run_id": "edc9a0b577164d1daf72ebd15example"},
            "client_context": {"custom": {"endpoint": '{"ChannelType":"EMAIL"}'}},
        },
        set(),
    ),
    (
        "pinpoint",
        "_session.stop",
        {},
        {
            "event_type": "_session.stop",
            "event_timestamp": 1487973802507,
            "arrival_timestamp": 1487973803515,
            "event_version": "3.0",
            "application": {
                "app_id": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
                "cognito_identity_pool_id": "us-east-1:a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p6",
                "package_name": "main.page",
                "sdk": {"name": "aws-sdk-mobile-analytics-js", "version": "0.9.1:2.4.8"},
                "title": "title",
                "version_name": "1.0",
                "version_code": "1",
            },
            "client": {"client_id": "m3n4o5p6-a1b2-c3d4-e5f6-g7h8i9j0k1l2", "cognito_id": "us-east-1:i9j0k1l2-m3n4"},
            "device": {
                "locale": {"code": "en_US", "country": "US", "language": "en"},
                "make": "generic web browser",
                "model": "Unknown",
                "platform": {"name": "android", "version": "10.10"},
            },
            "session": {
                "session_id": "f549dea9-1090-945d-c3d1-e4967example",
                "start_timestamp": 1487973202531,
                "stop_timestamp": 1487973802507,
            },
            "attributes": {},
            "metrics": {},
        },
        set(),
    ),
    (
        "ses",
        "Bounce",
        {"eventType": "Bounce"},
        {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "recipient@example.com"}],
                "timestamp": "2017-08-05T00:41:02.669Z",
                "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
                "reportingMTA": "dsn; mta.example.com",
            },
            "mail": SES_MAIL,
        },
        set(),
    ),
    (
        "ses",
        "Complaint",
        {"eventType": "Complaint"},
        {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": "recipient@example.com"}],
                "timestamp": "2017-08-05T00:41:02.669Z",
                "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
                "userAgent": "Mozilla/5.0",
                "complaintFeedbackType": "abuse",
                "arrivalDate": "2017-08-05T00:41:02.669Z",
            },
            "mail": SES_MAIL,
        },
        set(),
    ),
    (
        "ses",
        "Delivery",
        {"eventType": "Delivery"},
        {
            "eventType": "Delivery",
            "mail": SES_MAIL,
            "delivery": {
                "timestamp": "2016-10-19T23:21:04.133Z",
                "processingTimeMillis": 11893,
                "recipients": ["recipient@example.com"],
                "smtpResponse": "250 2.6.0 Message received",
                "remoteMtaIp": "123.456.789.012",
                "reportingMTA": "mta.example.com",
            },
        },
        set(),
    ),
    ("ses", "Send", {}, {"eventType": "Send", "mail": SES_MAIL, "send": {}}, set()),
    ("ses", "Reject", {}, {"eventType": "Reject", "mail": SES_MAIL, "reject": {"reason": "Bad content"}}, set()),
    (
        "ses",
        "Open",
        {},
        {
            "eventType": "Open",
            "mail": SES_MAIL_ENGAGEMENT,
            "open": {
                "ipAddress": "192.0.2.1",
                "timestamp": "2017-08-09T22:00:19.652Z",
                "userAgent": "Mozilla/5.0",
                "isBotEvent": "Unlikely",
            },
        },
        set(),
    ),
    (
        "ses",
        "Click",
        {},
        {
            "eventType": "Click",
            "click": {
                "ipAddress": "192.0.2.1",
                "link": "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html",
                "linkTags": {"samplekey0": ["samplevalue0"]},
                "timestamp": "2017-08-09T23:51:25.570Z",
                "userAgent": "Mozilla/5.0",
                "isBotEvent": "Likely",
            },
            "mail": SES_MAIL_ENGAGEMENT,
        },
        set(),
    ),
    (
        "ses",
        "Rendering Failure",
        {},
        {
            "eventType": "Rendering Failure",
            "mail": SES_MAIL_BARE,
            "failure": {
                "errorMessage": "Attribute 'attributeName' is not present in the rendering data.",
                "templateName": "MyTemplate",
            },
        },
        set(),
    ),
    (
        "ses",
        "DeliveryDelay",
        {},
        {
            "eventType": "DeliveryDelay",
            "mail": SES_MAIL_BARE,
            "deliveryDelay": {
                "timestamp": "2020-06-16T00:25:40.095Z",
                "delayType": "TransientCommunicationFailure",
                "expirationTime": "2020-06-16T00:25:40.914Z",
                "delayedRecipients": [
                    {"emailAddress": "recipient@example.com", "status": "4.4.1", "diagnosticCode": "smtp; 421 4.4.1"}
                ],
            },
        },
        set(),
    ),
    (
        "ses",
        "Subscription",
        {},
        {
            "eventType": "Subscription",
            "mail": SES_MAIL,
            "subscription": {
                "contactList": "ContactListName",
                "timestamp": "2022-01-12T01:00:17.910Z",
                "source": "UnsubscribeHeader",
                "newTopicPreferences": PREFS,
                "oldTopicPreferences": PREFS,
            },
        },
        set(),
    ),
    (
        "ses",
        "Bounce",
        {"notificationType": "Bounce"},
        {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "reportingMTA": "dns; email.example.com",
                "bouncedRecipients": [{"emailAddress": "jane@example.com"}],
                "bounceSubType": "General",
                "timestamp": "2016-01-27T14:59:38.237Z",
                "feedbackId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000",
                "remoteMtaIp": "127.0.2.0",
            },
            "mail": SES_NOTIFICATION_MAIL,
        },
        set(),
    ),
    (
        "ses",
        "Delivery",
        {"notificationType": "Delivery"},
        {
            "notificationType": "Delivery",
            "mail": SES_NOTIFICATION_MAIL,
            "delivery": {
                "timestamp": "2016-01-27T14:59:38.237Z",
                "recipients": ["jane@example.com"],
                "processingTimeMillis": 546,
                "reportingMTA": "a8-70.smtp-out.amazonses.com",
                "smtpResponse": "250 ok:  Message 64111812 accepted",
                "remoteMtaIp": "127.0.2.0",
            },
        },
        set(),
    ),
    ("sms", "TEXT_SUCCESSFUL", {}, EUM_EXAMPLE, {"isoCountryCode"}),
    (
        "sms",
        "TEXT_PROTECT_BLOCKED",
        {},
        {
            **EUM_EXAMPLE,
            "eventType": "TEXT_PROTECT_BLOCKED",
            "isoCountryCode": "US",
            "protectConfiguration": {
                "protectConfigurationId": "protect-d777777777777771bbd5d59f4d903479",
                "protectStatus": "FILTER",
            },
            "protectConfigurationAssessment": {
                "protectRecommendation": "BLOCK",
                "protectInsights": {"blockReason": "AIT_SUSPECTED"},
            },
        },
        {"isInternationalSend"},
    ),
]

#: maps whose keys vary (compare the value types only)
MAPS = {"attributes", "metrics", "tags", "linkTags", "context", "custom"}


def json_type(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", type(None): "null", list: "array", dict: "object"}[
        type(value)
    ]


def assert_shape(doc: Any, gen: Any, path: str = "") -> None:
    assert json_type(gen) == json_type(doc), f"{path}: {json_type(gen)} != {json_type(doc)}"
    if isinstance(doc, dict):
        if path.rsplit(".", 1)[-1] in MAPS:
            kinds = {json_type(v) for v in doc.values()}
            assert all(json_type(v) in kinds for v in gen.values()) or not doc, path
            if kinds == {"array"}:
                assert all(isinstance(x, str) for v in gen.values() for x in v), path
            return
        for key, value in doc.items():
            assert key in gen, f"{path}.{key} missing"
            assert_shape(value, gen[key], f"{path}.{key}")
    elif isinstance(doc, list) and doc and gen:
        for item in gen:
            assert_shape(doc[0], item, f"{path}[]")


@pytest.mark.parametrize(
    ("producer", "kind", "where", "example", "extra"),
    DOCUMENTED,
    ids=[f"{d[0]}:{d[1]}:{''.join(d[2])}" for d in DOCUMENTED],
)
def test_records_have_the_documented_shape(
    distinct: list[tuple[str, dict[str, Any]]],
    producer: str,
    kind: str,
    where: dict[str, Any],
    example: dict[str, Any],
    extra: set[str],
) -> None:
    plain = [
        obj
        for p, obj in distinct
        if p == producer
        and raw_type(p, obj) == kind
        and all(obj.get(k) == v for k, v in where.items())
        and not any(has(obj, path) for path in NEW_FIELDS[p])
    ]
    assert plain, f"no plain {producer} {kind} record"
    for obj in plain[:50]:
        assert_shape(example, obj, kind)
        assert set(obj) <= set(example) | set(extra), set(obj) - set(example)


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


def test_phone_numbers_are_valid_e164(distinct: list[tuple[str, dict[str, Any]]], export: list[dict[str, Any]]) -> None:
    numbers = {e["Address"] for e in export if e["ChannelType"] == "SMS"}
    for p, obj in distinct:
        if p == "sms":
            numbers |= {obj["destinationPhoneNumber"], obj["originationPhoneNumber"]}
        elif p == "pinpoint" and obj["event_type"].startswith("_SMS."):
            numbers |= {obj["attributes"]["destination_phone_number"], obj["attributes"]["origination_phone_number"]}
    countries = set()
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        countries.add(phonenumbers.region_code_for_number(parsed))
    assert len(countries) >= 5


def test_non_ascii_text_is_written_as_utf8(records: list[RawRecord]) -> None:
    text = "\n".join(r.line for r in records[:5000])
    assert "\\u" not in text  # ensure_ascii=False: no escapes...
    assert any(ch in text for ch in "🍂📦🎓")  # ...emoji and accents appear as themselves
    assert "ü" in text or "ö" in text


@pytest.mark.parametrize(
    ("field", "value"),
    [("events", -1), ("days", 0), ("duplicate_rate", 1.5), ("app_share", 0.9), ("application_id", "short")],
)
def test_nonsense_config_is_refused_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        GeneratorConfig(**{field: value})
