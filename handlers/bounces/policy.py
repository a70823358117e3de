"""What a bounce or complaint means for the address: classification by type and subtype, and the soft-bounce window.

The rules (ops-anchors.md B3, SES bounce taxonomy in event-formats.md §2.3):

==========================================  ==============  ==========================================
feedback                                    category        effect
==========================================  ==============  ==========================================
Permanent General / NoEmail / other         hard            suppress at once (reason BOUNCE)
Permanent Suppressed (SES *global* list)    hard            suppress at once; mirror to the account list,
                                                            whose suppressed sends do not count toward
                                                            the bounce rate (global ones do)
Permanent OnAccountSuppressionList,         consequence     mark suppressed; not a new bounce (count
OnTenantSuppressionList,                                    unchanged); no PutSuppressedDestination,
EmailValidationSuppressed                                   SES already refused the send
Permanent UnsubscribedRecipient             unsubscribed    record only: an unsubscribe from a list is
                                                            not an address problem
Transient General / MailboxFull /           soft            count; suppress when ``threshold`` soft
CustomTimeoutExceeded, Undetermined                         bounces fall within ``window`` (event times)
Transient ContentRejected /                 content         record only: the message was refused, not
AttachmentRejected / MessageTooLarge                        the address
Complaint (any feedback type)               complaint       suppress at once (reason COMPLAINT)
Complaint ``not-spam``                      not-spam        record only: the ISP reports "not spam"
Complaint OnAccountSuppressionList          consequence     as above
==========================================  ==============  ==========================================

A reason only strengthens (COMPLAINT outranks BOUNCE) and a suppression is never lifted by later feedback or by a
delivery, so every order of the same notifications ends in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from handlers.bounces.models import Feedback

Reason = Literal["BOUNCE", "COMPLAINT"]

#: Strength of a suppression reason; a state only moves up this order.
REASON_RANK: dict[str | None, int] = {None: 0, "BOUNCE": 1, "COMPLAINT": 2}


class Category(StrEnum):
    HARD = "hard"
    SOFT = "soft"
    COMPLAINT = "complaint"
    CONSEQUENCE = "consequence"
    CONTENT = "content"
    UNSUBSCRIBED = "unsubscribed"
    NOT_SPAM = "not-spam"


#: Categories that count as a new bounce or complaint against the address.
COUNTED = frozenset({Category.HARD, Category.SOFT, Category.COMPLAINT})

_CONSEQUENCE_SUBTYPES = {"OnAccountSuppressionList", "OnTenantSuppressionList", "EmailValidationSuppressed"}
_CONTENT_SUBTYPES = {"ContentRejected", "AttachmentRejected", "MessageTooLarge"}


@dataclass(frozen=True)
class PolicyConfig:
    """Thresholds; defaults follow the common "3 soft bounces in 7 days" rule (ops-anchors.md B2/B3)."""

    soft_bounce_threshold: int = 3
    soft_bounce_window: timedelta = timedelta(days=7)
    #: Mirror suppressions into the SES account-level suppression list (PutSuppressedDestination).
    mirror_to_ses: bool = True

    def __post_init__(self) -> None:
        if self.soft_bounce_threshold < 1:
            raise ValueError("soft_bounce_threshold must be at least 1")
        if self.soft_bounce_window <= timedelta(0):
            raise ValueError("soft_bounce_window must be positive")


def classify(feedback: Feedback) -> Category:
    """The category of one recipient's feedback (see the module table)."""
    if feedback.kind == "Complaint":
        if feedback.subtype in _CONSEQUENCE_SUBTYPES:
            return Category.CONSEQUENCE
        if (feedback.complaint_feedback_type or "").lower() == "not-spam":
            return Category.NOT_SPAM
        return Category.COMPLAINT
    subtype = feedback.subtype or ""
    if feedback.bounce_type == "Permanent":
        if subtype in _CONSEQUENCE_SUBTYPES:
            return Category.CONSEQUENCE
        if subtype == "UnsubscribedRecipient":
            return Category.UNSUBSCRIBED
        return Category.HARD
    if subtype in _CONTENT_SUBTYPES:
        return Category.CONTENT
    # Transient, Undetermined, and any bounce type SES may add later: count it, never suppress on one.
    return Category.SOFT


def immediate_reason(category: Category, feedback: Feedback) -> Reason | None:
    """The suppression one feedback causes by itself (None for soft bounces and record-only categories)."""
    if category is Category.HARD:
        return "BOUNCE"
    if category is Category.COMPLAINT:
        return "COMPLAINT"
    if category is Category.CONSEQUENCE:
        return "COMPLAINT" if feedback.kind == "Complaint" else "BOUNCE"
    return None


def soft_window_reached_at(times: list[datetime], threshold: int, window: timedelta) -> datetime | None:
    """The earliest time at which ``threshold`` soft bounces lay within ``window`` of each other, if ever.

    Order-independent: it depends only on the set of bounce times, so out-of-order delivery gives the same answer.
    """
    ordered = sorted(times)
    reached: datetime | None = None
    for start in range(len(ordered) - threshold + 1):
        end = ordered[start + threshold - 1]
        if end - ordered[start] <= window and (reached is None or end < reached):
            reached = end
    return reached
