"""Is the sender who it says it is? SES's SPF, DKIM and DMARC verdicts decide whether a reply may go out.

An auto-reply to a forged sender is backscatter: mail to an innocent address the spammer put in MAIL FROM. SES
checks each inbound message and puts the verdicts in the receipt (``receipt.spfVerdict.status`` and friends: PASS,
FAIL, GRAY — no policy published or no result — or PROCESSING_FAILED; see the receipt notification contents,
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html). Only a PASS vouches for the
sender; every other status is treated as "not shown to be genuine".

Policies (``ENGLAKE_AUTO_REPLY_SENDER_CHECK``):

- ``spf-or-dkim`` (default): SPF or DKIM passed, and DMARC did not fail. SPF vouches for the envelope sender's
  domain, the address a reply goes to; DKIM for the signing domain.
- ``spf``: SPF passed (the envelope sender's own domain authorised the sending host), and DMARC did not fail.
- ``dmarc``: DMARC passed (the From domain is aligned with a passing SPF or DKIM; the strictest choice, and the
  right one with ``reply_target = reply-to``, which answers a header address).
- ``dmarc-fail-only``: only a DMARC FAIL stops a reply (the older behaviour; answers unauthenticated senders).
"""

from __future__ import annotations

from typing import Literal, get_args

from handlers.auto_reply.models import Receipt

SenderCheck = Literal["spf-or-dkim", "spf", "dmarc", "dmarc-fail-only"]
SENDER_CHECKS: tuple[str, ...] = get_args(SenderCheck)
DEFAULT_SENDER_CHECK: SenderCheck = "spf-or-dkim"
#: The only verdict status that vouches for a sender.
PASS = "PASS"


def unauthenticated_reason(receipt: Receipt, check: SenderCheck = DEFAULT_SENDER_CHECK) -> str | None:
    """Why the sender is not shown to be genuine under ``check`` (naming the verdicts), or None when it is."""
    spf = receipt.spf_verdict.status.upper()
    dkim = receipt.dkim_verdict.status.upper()
    dmarc = receipt.dmarc_verdict.status.upper()
    verdicts = f"SPF {spf}, DKIM {dkim}, DMARC {dmarc}"
    if check == "dmarc":
        return None if dmarc == PASS else f"sender not authenticated ({verdicts}; policy dmarc needs DMARC PASS)"
    if dmarc == "FAIL":
        return f"DMARC verdict FAIL: the From domain is likely forged ({verdicts})"
    if check == "spf" and spf != PASS:
        return f"sender not authenticated ({verdicts}; policy spf needs SPF PASS)"
    if check == "spf-or-dkim" and PASS not in (spf, dkim):
        return f"sender not authenticated ({verdicts}; policy spf-or-dkim needs SPF or DKIM PASS)"
    return None
