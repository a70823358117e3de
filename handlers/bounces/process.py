"""Bounce and complaint processing as plain functions: a message in, the address store and SES list updated."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.bounces.models import Feedback, parse_notification
from handlers.bounces.policy import (
    REASON_RANK,
    Category,
    PolicyConfig,
    Reason,
    classify,
    immediate_reason,
    soft_window_reached_at,
)
from handlers.bounces.store import AddressState, AddressStore, FeedbackEntry
from handlers.bounces.suppression import SuppressionList

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one recipient's feedback did."""

    address: str
    feedback_id: str
    category: Category
    #: False when this (feedback id, address) was already recorded: a re-delivery.
    new: bool
    suppressed: bool
    reason: str | None
    #: True when this call added or re-reasoned the address on the SES account list.
    mirrored: bool


def process_message(
    body: str | dict[str, Any],
    store: AddressStore,
    suppression_list: SuppressionList | None,
    config: PolicyConfig,
    message_ref: str = "message",
) -> list[Outcome]:
    """Process one message (SQS body, SNS envelope or stream record): every recipient, not only the first.

    Raises ``MalformedNotification`` for unreadable input and lets AWS errors propagate, so the caller fails
    exactly this message; the recipients done before a failure are re-deliveries on retry and change nothing.
    """
    notification = parse_notification(body, message_ref)
    if not notification.feedback:
        logger.info("ignored %s notification (%s): nothing to suppress", notification.kind, message_ref)
    return [process_feedback(item, store, suppression_list, config) for item in notification.feedback]


def process_feedback(
    feedback: Feedback, store: AddressStore, suppression_list: SuppressionList | None, config: PolicyConfig
) -> Outcome:
    """Record one recipient's feedback, decide, suppress, and mirror to SES; idempotent and order-independent."""
    category = classify(feedback)
    entry = FeedbackEntry.from_feedback(feedback, category)
    recorded = store.record(entry)
    new = recorded is not None
    # Decide again even for a re-delivery: a crash after recording but before suppressing is finished here.
    decision = _decide(entry, category, feedback, store, config)
    state = recorded or store.get(feedback.address)
    if decision is not None:
        reason, at = decision

        def suppress(row: AddressState) -> AddressState:
            row = row.with_suppression(reason, at)
            # SES refused the send because of its own list: the address is there already.
            return row.with_mirror(reason) if category is Category.CONSEQUENCE else row

        state = store.update(feedback.address, suppress)
    mirrored = False
    if (
        config.mirror_to_ses
        and suppression_list is not None
        and state is not None
        and state.reason is not None
        and REASON_RANK[state.reason] > REASON_RANK[state.ses_reason]
    ):
        target: str = state.reason
        suppression_list.put(feedback.address, target)  # type: ignore[arg-type]
        state = store.update(feedback.address, lambda row: row.with_mirror(target))
        mirrored = True
    outcome = Outcome(
        address=feedback.address,
        feedback_id=feedback.feedback_id,
        category=category,
        new=new,
        suppressed=bool(state and state.suppressed),
        reason=state.reason if state else None,
        mirrored=mirrored,
    )
    logger.info(
        "feedback %s %s → %s%s%s",
        feedback.feedback_id,
        category.value,
        "suppressed" if outcome.suppressed else "active",
        "" if new else " (re-delivery)",
        " (added to SES suppression list)" if mirrored else "",
    )
    return outcome


def _decide(
    entry: FeedbackEntry, category: Category, feedback: Feedback, store: AddressStore, config: PolicyConfig
) -> tuple[Reason, datetime] | None:
    reason = immediate_reason(category, feedback)
    if reason is not None:
        return reason, entry.timestamp
    if category is not Category.SOFT:
        return None
    window = config.soft_bounce_window
    times = [
        e.timestamp
        for e in store.entries(entry.address)
        if e.category == Category.SOFT and abs(e.timestamp - entry.timestamp) <= window
    ]
    reached = soft_window_reached_at(times, config.soft_bounce_threshold, window)
    return ("BOUNCE", reached) if reached is not None else None
