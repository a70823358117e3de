"""Lambda entry point of the SES receipt-rule action (invoked asynchronously, ``InvocationType: Event``).

The function answers; it does not steer mail flow, so the rule has no stop action and later rules still run. A
failure raises after every record was tried: Lambda retries the asynchronous invocation twice, then hands the event
to the function's dead-letter queue (deploy/email-ops.yaml).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from englake.aws import client as aws_client
from handlers.auto_reply.config import AutoReplySettings
from handlers.auto_reply.ledger import ReplyLedger
from handlers.auto_reply.process import AutoReplyConfig, process_event
from handlers.auto_reply.templates import TemplateSource

logger = Logger(service="englake-auto-reply")


class Dependencies:
    def __init__(self, sesv2: Any, templates: TemplateSource, ledger: ReplyLedger, config: AutoReplyConfig) -> None:
        self.sesv2 = sesv2
        self.templates = templates
        self.ledger = ledger
        self.config = config


@cache
def dependencies() -> Dependencies:
    settings = AutoReplySettings()
    sesv2 = aws_client("sesv2", settings.region)
    return Dependencies(sesv2, settings.template_source_for(sesv2), settings.ledger(), settings.config())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SES receipt event → auto-replies; returns a summary (ignored by SES for asynchronous invocations)."""
    deps = dependencies()
    outcomes = process_event(event, deps.sesv2, deps.templates, deps.ledger, deps.config)
    return {
        "replied": sum(o.replied for o in outcomes),
        "skipped": [{"messageId": o.ses_message_id, "reason": o.skipped} for o in outcomes if not o.replied],
    }
