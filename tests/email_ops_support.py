"""Test helpers for the email handlers: Lambda events and contexts shaped as the services send them."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    """A documented example from tests/fixtures (``ses/notification-bounce.json`` …)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sns_envelope(message: dict[str, Any] | str, topic: str = "arn:aws:sns:us-east-1:123456789012:ses") -> str:
    """The SQS body SNS writes without raw message delivery: the SES JSON as a string in ``Message``."""
    text = message if isinstance(message, str) else json.dumps(message)
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic,
            "Message": text,
            "Timestamp": "2016-01-27T14:59:39.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }
    )


def sqs_event(bodies: list[str], ids: list[str] | None = None) -> dict[str, Any]:
    """A Lambda SQS event with one record per body."""
    ids = ids or [f"msg-{i}" for i in range(len(bodies))]
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": f"handle-{message_id}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1545082649183",
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": "1545082649185",
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:queue",
                "awsRegion": "us-east-1",
            }
            for message_id, body in zip(ids, bodies, strict=True)
        ]
    }


def sqs_event_from_queue(sqs: Any, queue_url: str, max_messages: int = 10) -> dict[str, Any]:
    """Receive from a (moto) queue and shape the messages as the Lambda event source mapping would."""
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=max_messages).get("Messages", [])
    return sqs_event([m["Body"] for m in messages], [m["MessageId"] for m in messages])


def kinesis_event(payloads: list[bytes]) -> dict[str, Any]:
    """A Lambda Kinesis Data Streams event."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "pk",
                    "sequenceNumber": f"4959{i:020d}",
                    "data": base64.b64encode(payload).decode(),
                    "approximateArrivalTimestamp": 1545084650.987,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000006:4959{i:020d}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/pinpoint-events",
            }
            for i, payload in enumerate(payloads)
        ]
    }


def firehose_event(payloads: list[bytes]) -> dict[str, Any]:
    """A Firehose data-transformation invocation."""
    return {
        "invocationId": str(uuid.uuid4()),
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/pinpoint-events",
        "region": "us-east-1",
        "records": [
            {
                "recordId": f"record-{i}",
                "approximateArrivalTimestamp": 1562109497494,
                "data": base64.b64encode(payload).decode(),
            }
            for i, payload in enumerate(payloads)
        ],
    }


@dataclass
class LambdaContext:
    """The attributes of the Lambda context that powertools' logger reads."""

    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000
