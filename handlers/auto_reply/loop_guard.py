"""When not to auto-reply: RFC 3834, list and bulk markers, automated senders, and SES's own verdicts (spam, virus,
and sender authentication in authentication.py).

Every check parses the header or address exactly (a token, a local part), never a substring of the raw text: a
subject that says "auto", or a sender called ``noreplyfan@``, still gets an answer (the reference's substring
keyword checks are the defect we avoid). Sources: RFC 3834 §2 and §3.1.7, RFC 2369 (List-*), RFC 2919 (List-Id),
Microsoft's ``X-Auto-Response-Suppress``, and ops-anchors.md C3.
"""

from __future__ import annotations

import re
from email.utils import getaddresses

from handlers.addresses import AddressError, local_part, normalize_address
from handlers.auto_reply.authentication import DEFAULT_SENDER_CHECK, SenderCheck, unauthenticated_reason
from handlers.auto_reply.models import InboundMail

#: Precedence values that mark bulk or list mail (RFC 3834 §2 cites the common practice).
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
#: List headers of RFC 2369 / RFC 2919: their presence means mail from a list.
LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Owner", "List-Archive")
#: X-Auto-Response-Suppress values that ask auto-responders to stay silent (Microsoft's MS-OXCMAIL 2.2.3.2.14).
SUPPRESSING_TOKENS = frozenset({"all", "autoreply", "oof"})
#: Non-standard headers that robots add to their own replies.
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponse")

# Local parts of automated senders, matched whole (after stripping a +tag): RFC 3834 §2 names MAILER-DAEMON,
# "-request" and "owner-" list addresses; no-reply addresses cannot read an answer by definition.
_AUTOMATED_LOCAL = re.compile(
    r"^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|.+-request|owner-.+)$"
)


def skip_reason(
    mail: InboundMail,
    reply_to: str | None,
    own_addresses: set[str],
    sender_check: SenderCheck = DEFAULT_SENDER_CHECK,
) -> str | None:
    """Why this mail must not get an auto-reply, or None when it may. ``reply_to`` is the normalized target."""
    receipt = mail.receipt
    if receipt.virus_verdict.status == "FAIL":
        return "virus verdict FAIL"
    if receipt.spam_verdict.status == "FAIL":
        return "spam verdict FAIL"
    unauthenticated = unauthenticated_reason(receipt, sender_check)
    if unauthenticated is not None:
        return unauthenticated
    if mail.mail.headers_truncated:
        return "headers truncated: Auto-Submitted and list headers cannot be checked"
    if reply_to is None:
        return "no usable reply address (null return path: a bounce or another automatic message)"
    if reply_to in own_addresses:
        return "the sender is one of our own addresses"
    automated = _AUTOMATED_LOCAL.match(local_part(reply_to).split("+", 1)[0])
    if automated:
        return f"automated sender ({automated.group(1)})"
    header = mail.mail.header
    auto_submitted = header("Auto-Submitted")
    if auto_submitted is not None and _token(auto_submitted) != "no":
        return f"Auto-Submitted: {_token(auto_submitted)}"
    precedence = header("Precedence")
    if precedence is not None and _token(precedence) in BULK_PRECEDENCE:
        return f"Precedence: {_token(precedence)}"
    for name in LIST_HEADERS:
        if header(name) is not None:
            return f"mailing list ({name} present)"
    suppress = header("X-Auto-Response-Suppress")
    if suppress is not None:
        tokens = {t.strip().lower() for t in suppress.split(",")}
        if tokens & SUPPRESSING_TOKENS:
            return f"X-Auto-Response-Suppress: {suppress.strip()}"
    if header("Feedback-ID") is not None:
        return "bulk sender (Feedback-ID present)"
    for name in AUTOREPLY_HEADERS:
        if header(name) is not None:
            return f"automatic reply ({name} present)"
    addressed = _addresses(mail.mail.common_headers.to + mail.mail.common_headers.cc)
    if own_addresses and not (addressed & own_addresses):
        return "not addressed to us in To or Cc (Bcc, list or alias delivery)"
    return None


def _token(value: str) -> str:
    """The first token of a structured header value, without comments or parameters, lowercased."""
    without_comments = re.sub(r"\([^)]*\)", " ", value)
    return without_comments.split(";", 1)[0].strip().lower()


def _addresses(values: list[str]) -> set[str]:
    found = set()
    for _name, address in getaddresses(values):
        try:
            found.add(normalize_address(address))
        except AddressError:
            continue
    return found
