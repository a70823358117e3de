"""Event-driven endpoint attributes: the stream handler against the Pinpoint endpoint fake (and the Customer
Profiles fake), each reference defect of seed-architectures-spec.md §8 named, and the dbt replay of the same rules
over the lake giving the state the stream built."""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from botocore.config import Config

from englake.aws import client as aws_client
from handlers.event_attributes import handler
from handlers.event_attributes.events import parse_event
from handlers.event_attributes.process import apply_events
from handlers.event_attributes.rules import RULES_FILE, load_rules
from handlers.event_attributes.stores import PinpointAttributes, ProfileAttributes
from tests.fakes.base import throttled
from tests.fakes.customer_profiles import CustomerProfilesFake
from tests.fakes.pinpoint import PinpointFake

APP = "a" * 32
OTHER_APP = "b" * 32
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def pinpoint_event(event_type: str, endpoint: str | None, at: datetime, app: str = APP, **attributes: str) -> dict:
    """A Pinpoint event-stream record (event-formats.md §1.1 envelope)."""
    record: dict = {
        "event_type": event_type,
        "event_timestamp": int(at.timestamp() * 1000),
        "arrival_timestamp": int(at.timestamp() * 1000) + 500,
        "event_version": "3.1",
        "application": {"app_id": app, "sdk": {}},
        "client": {"client_id": endpoint} if endpoint else {},
        "device": {"platform": {}},
        "session": {},
        "attributes": attributes,
        "metrics": {},
        "awsAccountId": "123456789012",
    }
    return record


@pytest.fixture
def fake() -> PinpointFake:
    fake = PinpointFake(enforce_quotas=False)
    for app in (APP, OTHER_APP):
        fake.add_app(app)
        for i in range(150):
            fake.put_endpoint(
                app,
                {
                    "Id": f"ep-{i}",
                    "ChannelType": "EMAIL",
                    "Address": f"u{i}@example.com",
                    "Attributes": {"Tier": ["gold"]},
                },
            )
    return fake


@pytest.fixture
def store(fake: PinpointFake) -> PinpointAttributes:
    return PinpointAttributes(fake.attach(aws_client("pinpoint", "us-east-1")))


def _apply(store, records: list[dict], now: datetime = NOW):
    return apply_events([parse_event(r) for r in records], load_rules(), store, now)


def test_defect_8_readme_and_code_name_the_same_attribute() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    attributes = {rule.attribute for rules in load_rules().values() for rule in rules}
    assert "opened_email" in attributes
    assert "`opened_email`" in readme
    assert "email_opened" not in readme  # the reference's README named an attribute its code never wrote


def test_defect_8_registrations_are_merged_not_overwritten(fake, store) -> None:
    _apply(store, [pinpoint_event("webinar_registration", "ep-1", NOW - timedelta(days=3), webinar_id="webinar4")])
    _apply(store, [pinpoint_event("_custom.registered_for_webinar5", "ep-1", NOW - timedelta(days=1))])
    endpoint = fake.endpoint(APP, "ep-1")
    assert endpoint["Attributes"]["webinar_registration"] == ["webinar4", "webinar5"]
    assert endpoint["Attributes"]["Tier"] == ["gold"]  # attributes the rules don't name are untouched


def test_defect_8_a_cancellation_removes_the_value(fake, store) -> None:
    _apply(
        store,
        [
            pinpoint_event("webinar_registration", "ep-2", NOW - timedelta(days=3), webinar_id="webinar4"),
            pinpoint_event("webinar_registration", "ep-2", NOW - timedelta(days=3), webinar_id="webinar5"),
        ],
    )
    _apply(store, [pinpoint_event("webinar_cancellation", "ep-2", NOW - timedelta(days=2), webinar_id="webinar4")])
    assert fake.endpoint(APP, "ep-2")["Attributes"]["webinar_registration"] == ["webinar5"]
    _apply(store, [pinpoint_event("webinar_cancellation", "ep-2", NOW - timedelta(days=1), webinar_id="webinar5")])
    assert "webinar_registration" not in fake.endpoint(APP, "ep-2")["Attributes"]  # the empty list clears it


def test_an_opened_flag_expires_and_late_events_change_nothing(fake, store) -> None:
    opened = NOW - timedelta(days=40)
    _apply(store, [pinpoint_event("_email.open", "ep-3", opened)], now=opened + timedelta(hours=1))
    assert fake.endpoint(APP, "ep-3")["Attributes"]["opened_email"] == ["true"]
    # 40 days later an unrelated event touches the endpoint: the 30-day flag is gone.
    _apply(store, [pinpoint_event("webinar_registration", "ep-3", NOW, webinar_id="webinar7")])
    assert "opened_email" not in fake.endpoint(APP, "ep-3")["Attributes"]
    # A cancellation, then the registration it cancels arriving late: the later event (the cancellation) decides.
    _apply(store, [pinpoint_event("webinar_cancellation", "ep-4", NOW, webinar_id="webinar7")])
    _apply(store, [pinpoint_event("webinar_registration", "ep-4", NOW - timedelta(hours=1), webinar_id="webinar7")])
    assert "webinar_registration" not in fake.endpoint(APP, "ep-4")["Attributes"]


def test_defect_8_one_call_per_event_becomes_one_write_per_endpoint_in_batches_of_100(fake, store) -> None:
    records = [pinpoint_event("_email.open", f"ep-{i % 150}", NOW - timedelta(minutes=i)) for i in range(600)]
    records += records[:50]  # at-least-once delivery
    result = _apply(store, records)
    assert result.duplicates == 50
    assert result.written == 150
    counts = fake.call_counts()
    assert counts["UpdateEndpointsBatch"] == 2  # 150 endpoints: 100 + 50 items
    assert "UpdateEndpoint" not in counts  # the reference: 650 UpdateEndpoint calls
    batches = [c.params["EndpointBatchRequest"]["Item"] for c in fake.calls if c.operation == "UpdateEndpointsBatch"]
    assert sorted(len(items) for items in batches) == [50, 100]
    again = _apply(store, records)
    assert again.written == 0  # replaying the batch writes nothing
    assert again.unchanged == 150


def test_defect_8_unknown_endpoints_are_never_created(fake, store) -> None:
    result = _apply(store, [pinpoint_event("_email.open", "nobody", NOW), pinpoint_event("_email.open", None, NOW)])
    assert fake.endpoint(APP, "nobody") is None
    assert result.skipped == {"unknown endpoint (not created)": 1, "no endpoint id": 1}


def test_defect_8_each_event_goes_to_its_own_application(fake, store) -> None:
    _apply(store, [pinpoint_event("_email.open", "ep-5", NOW, app=OTHER_APP)])
    assert fake.endpoint(OTHER_APP, "ep-5")["Attributes"]["opened_email"] == ["true"]
    assert "opened_email" not in fake.endpoint(APP, "ep-5")["Attributes"]


def _kinesis(records: list[bytes]) -> dict:
    return {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventID": f"shardId-000:{i}",
                "kinesis": {
                    "sequenceNumber": str(1000 + i),
                    "data": base64.b64encode(data).decode(),
                    "partitionKey": "k",
                },
            }
            for i, data in enumerate(records)
        ]
    }


class _Context:
    function_name = "attributes"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:attributes"
    aws_request_id = "req-1"


def test_defect_8_throttling_is_retried_and_a_poison_record_fails_alone(fake, store, monkeypatch) -> None:
    monkeypatch.setattr(handler, "store", lambda: store)
    attempts = {"n": 0}

    def throttle_twice(_params):
        attempts["n"] += 1
        return throttled() if attempts["n"] <= 2 else None

    fake.inject_fault("UpdateEndpointsBatch", throttle_twice)
    good = json.dumps(pinpoint_event("_email.open", "ep-6", NOW)).encode()
    response = handler.kinesis_handler(_kinesis([good, b"\xff not json"]), _Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "1001"}]}
    assert fake.endpoint(APP, "ep-6")["Attributes"]["opened_email"] == ["true"]  # written on the third attempt


def test_a_write_that_keeps_failing_fails_only_that_endpoints_records(fake, monkeypatch) -> None:
    # Fewer retries than production's 10, so exhausting them takes a moment, not a minute.
    quick = Config(retries={"mode": "standard", "max_attempts": 2})
    store = PinpointAttributes(fake.attach(aws_client("pinpoint", "us-east-1", config=quick)))
    monkeypatch.setattr(handler, "store", lambda: store)
    fake.inject_fault(
        "UpdateEndpointsBatch", lambda params: throttled() if params["ApplicationId"] == OTHER_APP else None
    )
    records = [
        json.dumps(pinpoint_event("_email.open", "ep-7", NOW)).encode(),
        json.dumps(pinpoint_event("_email.open", "ep-7", NOW, app=OTHER_APP)).encode(),
    ]
    response = handler.kinesis_handler(_kinesis(records), _Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "1001"}]}
    assert fake.endpoint(APP, "ep-7")["Attributes"]["opened_email"] == ["true"]


def test_ses_events_through_sns_and_sqs_use_the_endpoint_tag(fake, store, monkeypatch) -> None:
    monkeypatch.setattr(handler, "store", lambda: store)
    monkeypatch.setenv("ENGLAKE_ATTRIBUTES_APPLICATION_ID", APP)
    ses_open = {
        "eventType": "Open",
        "mail": {"timestamp": "2026-11-19T10:00:00.000Z", "tags": {"endpoint_id": ["ep-8"]}},
        "open": {"timestamp": "2026-11-19T11:00:00.000Z", "userAgent": "x", "ipAddress": "192.0.2.1"},
    }
    rules_with_ses = {**load_rules(), "Open": load_rules()["_email.open"]}
    monkeypatch.setattr(handler, "load_rules", lambda: rules_with_ses)
    envelope = {"Type": "Notification", "Message": json.dumps(ses_open)}
    event = {"Records": [{"messageId": "m-1", "body": json.dumps(envelope)}, {"messageId": "m-2", "body": "{}"}]}
    assert handler.sqs_handler(event, _Context()) == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert fake.endpoint(APP, "ep-8")["Attributes"]["opened_email"] == ["true"]


def test_customer_profiles_destination_merges_sets_and_never_creates_profiles() -> None:
    profiles = CustomerProfilesFake()
    profiles.add_domain("englake")
    profiles.add_profile("englake", "p-1", Attributes={"Tier": "gold"})
    store = ProfileAttributes(profiles.attach(aws_client("customer-profiles", "us-east-1")), "englake")
    _apply(
        store,
        [
            pinpoint_event("webinar_registration", "p-1", NOW - timedelta(days=2), webinar_id="webinar4"),
            pinpoint_event("_custom.registered_for_webinar5", "p-1", NOW - timedelta(days=1)),
            pinpoint_event("_email.open", "ghost", NOW),
        ],
    )
    held = profiles.profiles["englake"]["p-1"]["Attributes"]
    assert held["webinar_registration"] == "webinar4,webinar5"
    assert held["Tier"] == "gold"
    assert "ghost" not in profiles.profiles["englake"]
    _apply(store, [pinpoint_event("webinar_cancellation", "p-1", NOW, webinar_id="webinar4")])
    assert profiles.profiles["englake"]["p-1"]["Attributes"]["webinar_registration"] == "webinar5"


def test_the_dbt_seed_is_the_file_the_handler_reads() -> None:
    seed = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "event_attribute_rules.csv"
    assert seed.resolve() == RULES_FILE.resolve()


# -- replay: the same rules over the lake with dbt rebuild the streamed state ---------------------------------------


@pytest.mark.dbt
def test_replay_from_the_lake_equals_the_streamed_state(fake, store, tmp_path: Path) -> None:
    from englake.dbt import run_dbt
    from englake.settings import Settings
    from englake.storage import LocalStore
    from ingest.landing import FirehoseLander
    from ingest.layout import Producer

    rng = random.Random(12)
    records = []
    for _ in range(1_500):
        at = NOW - timedelta(days=rng.uniform(0, 60))
        endpoint = f"ep-{rng.randrange(160)}"  # ep-150… do not exist
        app = rng.choice([APP, OTHER_APP])
        kind = rng.choice(["open", "register", "cancel", "webinar5", "noise"])
        if kind == "open":
            records.append(pinpoint_event("_email.open", endpoint, at, app))
        elif kind == "register":
            records.append(pinpoint_event("webinar_registration", endpoint, at, app, webinar_id=f"w{rng.randrange(4)}"))
        elif kind == "cancel":
            records.append(pinpoint_event("webinar_cancellation", endpoint, at, app, webinar_id=f"w{rng.randrange(4)}"))
        elif kind == "webinar5":
            records.append(pinpoint_event("_custom.registered_for_webinar5", endpoint, at, app))
        else:
            records.append(pinpoint_event("_session.start", endpoint, at, app))
    records += rng.sample(records, 100)  # duplicates
    arrival = records[:]
    rng.shuffle(arrival)  # the stream sees them out of order
    for start in range(0, len(arrival), 100):
        _apply(store, arrival[start : start + 100], now=NOW)
    streamed = {
        (app, endpoint["Id"], attribute, value)
        for app in (APP, OTHER_APP)
        for endpoint in fake.endpoints(app).values()
        for attribute in ("opened_email", "webinar_registration")
        for value in endpoint.get("Attributes", {}).get(attribute, [])
    }
    assert streamed  # the data exercises the rules

    lake = LocalStore(tmp_path / "lake")
    with FirehoseLander(lake, uuid_seed=1) as lander:
        for record in sorted(arrival, key=lambda r: r["arrival_timestamp"]):  # Firehose lands in arrival order
            lander.put(
                Producer.PINPOINT, json.dumps(record), datetime.fromtimestamp(record["arrival_timestamp"] / 1000, UTC)
            )
    settings = Settings(lake_root=str(tmp_path / "lake"))
    as_of = {"englake__attributes_as_of": NOW.strftime("%Y-%m-%d %H:%M:%S")}
    result = run_dbt(["build", "--select", "+event_attributes", "--vars", json.dumps(as_of)], settings)
    assert result.success
    with duckdb.connect(str(settings.resolved_duckdb_path), read_only=True) as db:
        replayed = set(
            db.execute(
                "select application_id, endpoint_id, attribute, attribute_value from event_attributes"
                " where endpoint_id in (select 'ep-' || i from range(150) t(i))"
            ).fetchall()
        )
    assert replayed == streamed
