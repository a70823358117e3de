"""One call per campaign, activity and endpoint: a conditional claim in DynamoDB *before* dialing.

Item ``{call_key, status, client_token, claimed_at, contact_id?, error_code?, decided_at?, expires_at}``:
``DIALING`` (claimed, the API call under way), then ``PLACED`` or ``FAILED``. A second claim of the same key fails,
whatever the status: a call that was ``DIALING`` when its Lambda died is *in doubt* and is not dialed again (a
missed call is better than a double call). A retryable Connect error (throttling, the concurrent-call limit)
``release``s the claim so that the SQS redelivery may dial. Items expire after ``ttl_days`` (TTL attribute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from englake.errors import client_error_code
from englake.timestamps import iso, parse_iso
from handlers.tables import create_dynamodb_table

DIALING = "DIALING"
PLACED = "PLACED"
FAILED = "FAILED"


@dataclass(frozen=True)
class CallRecord:
    call_key: str
    status: str
    claimed_at: datetime
    contact_id: str | None = None
    error_code: str | None = None
    decided_at: datetime | None = None


class CallLedger:
    def __init__(self, client: Any, table_name: str, ttl_days: int = 30) -> None:
        self.client = client
        self.table = table_name
        self.ttl = timedelta(days=ttl_days)

    def claim(self, call_key: str, client_token: str, at: datetime) -> CallRecord | None:
        """Claim ``call_key``; None on success, else the record already there (never dial then)."""
        expires = int((at + self.ttl).replace(tzinfo=UTC).timestamp())
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    "call_key": {"S": call_key},
                    "status": {"S": DIALING},
                    "client_token": {"S": client_token},
                    "claimed_at": {"S": iso(at)},
                    "expires_at": {"N": str(expires)},
                },
                ConditionExpression="attribute_not_exists(call_key)",
            )
        except ClientError as error:
            if client_error_code(error) != "ConditionalCheckFailedException":
                raise
            return self.get(call_key) or CallRecord(call_key, DIALING, at)
        return None

    def placed(self, call_key: str, contact_id: str, at: datetime) -> None:
        self._decide(call_key, PLACED, at, contact_id=contact_id)

    def failed(self, call_key: str, error_code: str, at: datetime) -> None:
        self._decide(call_key, FAILED, at, error_code=error_code)

    def release(self, call_key: str) -> None:
        """Undo a claim that never reached Connect (only while it is still DIALING)."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key={"call_key": {"S": call_key}},
                ConditionExpression="#s = :dialing",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":dialing": {"S": DIALING}},
            )
        except ClientError as error:
            if client_error_code(error) != "ConditionalCheckFailedException":
                raise

    def get(self, call_key: str) -> CallRecord | None:
        item = self.client.get_item(TableName=self.table, Key={"call_key": {"S": call_key}}, ConsistentRead=True).get(
            "Item"
        )
        if not item:
            return None
        value = {k: next(iter(v.values())) for k, v in item.items()}
        return CallRecord(
            call_key,
            value["status"],
            parse_iso(value["claimed_at"]),
            value.get("contact_id"),
            value.get("error_code"),
            parse_iso(value["decided_at"]) if value.get("decided_at") else None,
        )

    def _decide(self, call_key: str, status: str, at: datetime, **fields: str) -> None:
        names = {"#s": "status"}
        values: dict[str, Any] = {":status": {"S": status}, ":at": {"S": iso(at)}}
        sets = ["#s = :status", "decided_at = :at"]
        for name, value in fields.items():
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = {"S": value}
        self.client.update_item(
            TableName=self.table,
            Key={"call_key": {"S": call_key}},
            UpdateExpression="SET " + ", ".join(sets),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )


def create_table(client: Any, table_name: str) -> None:
    """Create the table as deploy/hooks.yaml does (for tests and local runs)."""
    create_dynamodb_table(client, table_name, "call_key")
