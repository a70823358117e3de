"""The DynamoDB ledger in front of the Pinpoint attribute store (moto DynamoDB, the Pinpoint endpoint fake): the
same endpoint state as without it, one BatchGetItem per 100 endpoints instead of a GetEndpoint each once the
endpoints are known, and endpoints re-verified (never created) after the verification window."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from englake.aws import client as aws_client
from handlers.event_attributes.ledger import LedgerStore
from handlers.event_attributes.stores import PinpointAttributes
from tests.fakes.pinpoint import PinpointFake
from tests.test_event_attributes import APP, NOW, _apply, pinpoint_event

TABLE = "attribute-ledger"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup():
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        fakes = []
        for _ in range(2):  # one Pinpoint with the ledger, one without: they must end the same
            fake = PinpointFake(enforce_quotas=False)
            fake.add_app(APP)
            for i in range(250):
                fake.put_endpoint(APP, {"Id": f"ep-{i}", "ChannelType": "EMAIL", "Address": f"u{i}@example.com"})
            fakes.append(fake)
        clock = Clock()
        ledger = LedgerStore(
            PinpointAttributes(fakes[0].attach(aws_client("pinpoint", "us-east-1"))),
            dynamodb,
            TABLE,
            verify_after=3600,
            clock=clock,
        )
        plain = PinpointAttributes(fakes[1].attach(aws_client("pinpoint", "us-east-1")))
        yield ledger, plain, fakes, clock


def _batches(day: int) -> list[dict]:
    at = NOW - timedelta(days=10 - day)
    events = [pinpoint_event("_email.open", f"ep-{i}", at) for i in range(250)]
    events += [pinpoint_event("webinar_registration", f"ep-{i}", at, webinar_id=f"w{day}") for i in range(0, 250, 3)]
    events += [
        pinpoint_event("webinar_cancellation", f"ep-{i}", at, webinar_id=f"w{day - 1}") for i in range(0, 250, 9)
    ]
    events.append(pinpoint_event("_email.open", "nobody", at))
    return events


def test_the_ledger_gives_the_same_state_with_far_fewer_endpoint_reads(setup) -> None:
    ledger, plain, (with_ledger, without), clock = setup
    for day in range(4):
        clock.now += 600
        _apply(ledger, _batches(day), now=NOW)
        _apply(plain, _batches(day), now=NOW)
    assert _attributes(with_ledger) == _attributes(without)
    gets = with_ledger.call_counts()["GetEndpoint"]
    assert gets == 251 + 3  # each endpoint once (and "nobody", unknown, every batch), then the ledger
    assert without.call_counts()["GetEndpoint"] == 4 * 251
    assert ledger.calls["BatchGetItem"] == 4 * 3  # 251 keys: 3 requests of ≤ 100
    assert with_ledger.endpoint(APP, "nobody") is None


def _attributes(fake: PinpointFake) -> dict:
    return {endpoint_id: e.get("Attributes") for endpoint_id, e in fake.endpoints(APP).items()}


def test_endpoints_are_verified_again_after_the_window_and_a_deleted_one_is_not_recreated(setup) -> None:
    ledger, _, (fake, _), clock = setup
    _apply(ledger, [pinpoint_event("_email.open", "ep-1", NOW - timedelta(days=1))], now=NOW)
    fake.DeleteEndpoint(APP, "ep-1")
    clock.now += 3601
    result = _apply(ledger, [pinpoint_event("_email.open", "ep-1", NOW)], now=NOW)
    assert fake.endpoint(APP, "ep-1") is None
    assert result.skipped == {"unknown endpoint (not created)": 1}
