"""SES inbound auto-reply: a receipt-rule Lambda action that answers each sender once per window, never a robot.

Flow: ``handler`` (Lambda entry) → ``process`` → ``models`` (parse the receipt event) → ``loop_guard`` (RFC 3834
and verdict checks) → ``ledger`` (one reply per sender per window) → ``templates`` (SES v2 or Pinpoint) →
``compose`` (the MIME reply) → SES v2 ``SendEmail``.
"""
