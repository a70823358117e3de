"""The SES account-level suppression list (SES API v2), the account-wide guard every sender in the account shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.bounces.policy import Reason


@dataclass(frozen=True)
class SuppressedDestination:
    address: str
    reason: str
    last_update_time: datetime | None


class SuppressionList:
    """``PutSuppressedDestination`` and friends on an ``sesv2`` client.

    Errors are never swallowed (reference defect X1): a throttled or failed call raises, so the SQS message that
    asked for it is retried and, after ``maxReceiveCount`` tries, lands in the dead-letter queue.
    """

    def __init__(self, sesv2_client: Any) -> None:
        self.client = sesv2_client

    def put(self, address: str, reason: Reason) -> None:
        """Add (or re-reason) ``address``; SES keeps one entry per address, so this is idempotent."""
        self.client.put_suppressed_destination(EmailAddress=address, Reason=reason)

    def get(self, address: str) -> SuppressedDestination | None:
        try:
            found = self.client.get_suppressed_destination(EmailAddress=address)["SuppressedDestination"]
        except self.client.exceptions.NotFoundException:
            return None
        return SuppressedDestination(found["EmailAddress"], found["Reason"], found.get("LastUpdateTime"))
