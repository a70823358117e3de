"""Test helpers for the SMS handlers: the fakes wired to real boto3 clients, a moto ledger table, inbound payloads."""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
from botocore.config import Config

from handlers.bounces.store import create_dynamodb_table
from handlers.sms.ledger import DynamoDBLedger
from tests.email_ops_support import fixture, sns_envelope
from tests.fakes.sms_voice_v2 import SmsVoiceV2Fake

TABLE = "englake-sms"
OUR_NUMBER = "+12125550101"  # the two-way number of the documented example
CUSTOMER = "+14255550182"


def sms_client(fake: SmsVoiceV2Fake) -> Any:
    """A real client as the sender builds it (one attempt per call: the sender retries throttling itself)."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    return fake.attach(boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", config=config))


def moto_ledger(table: str = TABLE) -> DynamoDBLedger:
    """A DynamoDB ledger table on moto (call inside ``mock_aws``), shaped as deploy/sms-ops.yaml creates it."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    create_dynamodb_table(client, table)  # the same (pk, sk) string keys as the address table
    return DynamoDBLedger(client, table)


def inbound(body: str, message_id: str, customer: str = CUSTOMER, ours: str = OUR_NUMBER) -> dict[str, Any]:
    """The documented two-way payload (event-formats.md §3.3) with another body, id and numbers."""
    payload = copy.deepcopy(fixture("sms/two-way-inbound.json"))
    payload.update(messageBody=body, inboundMessageId=message_id, originationNumber=customer, destinationNumber=ours)
    return payload


def inbound_envelope(body: str, message_id: str, timestamp: str = "2026-11-01T10:00:00.000Z", **kw: str) -> str:
    envelope = json.loads(sns_envelope(inbound(body, message_id, **kw), topic="arn:aws:sns:us-east-1:1:two-way"))
    envelope["Timestamp"] = timestamp
    return json.dumps(envelope)
