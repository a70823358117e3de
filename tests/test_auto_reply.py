"""SES auto-reply: receipt events in, replies out through SES v2 (moto), loops and repeats refused."""

from __future__ import annotations

import copy
import email
from datetime import timedelta
from email.policy import default as default_policy

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from handlers.auto_reply import handler
from handlers.auto_reply.ledger import DynamoDBReplyLedger, SqliteReplyLedger, create_dynamodb_table
from handlers.auto_reply.process import AutoReplyConfig, AutoReplyFailed, process_event
from handlers.auto_reply.templates import PinpointTemplateSource, ReplyTemplate, SesTemplateSource
from tests.email_ops_support import LambdaContext
from tests.fakes.base import throttled
from tests.fakes.pinpoint_content import PinpointContentFake
from tests.fakes.sesv2 import SesV2Fake

SUPPORT = "support@example.org"
TEMPLATE = {
    "Subject": "Re: ",
    "Html": "<p>Dear %%NAME%%,</p><p>we got your message %%ID%%.</p><p>Reference: %%ID%% (for %%NAME%%)</p>",
    "Text": "Dear %%NAME%%, we got your message %%ID%% (reference %%ID%%).",
}


def receipt_event(
    *,
    message_id: str = "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1",
    source: str = "jane@example.com",
    from_: str = "Jane Doe <jane@example.com>",
    to: list[str] | None = None,
    cc: list[str] | None = None,
    recipients: list[str] | None = None,
    subject: str | None = "Where is my order?",
    headers: list[tuple[str, str]] = (),
    timestamp: str = "2024-05-01T10:00:00.000Z",
    spam: str = "PASS",
    virus: str = "PASS",
    dmarc: str = "PASS",
    truncated: bool = False,
) -> dict:
    to = [SUPPORT] if to is None else to
    base_headers = [
        ("Return-Path", f"<{source}>"),
        ("From", from_),
        ("To", ", ".join(to)),
        ("Message-ID", f"<{message_id}-orig@mail.example.com>"),
    ]
    if subject is not None:
        base_headers.append(("Subject", subject))
    common = {
        "returnPath": source,
        "from": [from_],
        "to": to,
        "messageId": f"<{message_id}-orig@mail.example.com>",
        "date": "Wed, 1 May 2024 10:00:00 +0000",
    }
    if cc:
        common["cc"] = cc
    if subject is not None:
        common["subject"] = subject
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": timestamp,
                        "source": source,
                        "messageId": message_id,
                        "destination": recipients or [SUPPORT],
                        "headersTruncated": truncated,
                        "headers": [{"name": n, "value": v} for n, v in [*base_headers, *headers]],
                        "commonHeaders": common,
                    },
                    "receipt": {
                        "timestamp": timestamp,
                        "processingTimeMillis": 574,
                        "recipients": recipients or [SUPPORT],
                        "spamVerdict": {"status": spam},
                        "virusVerdict": {"status": virus},
                        "spfVerdict": {"status": "PASS"},
                        "dkimVerdict": {"status": "PASS"},
                        "dmarcVerdict": {"status": dmarc},
                        "dmarcPolicy": "reject",
                        "action": {
                            "type": "Lambda",
                            "invocationType": "Event",
                            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:auto-reply",
                        },
                    },
                },
            }
        ]
    }


def merged(*events: dict) -> dict:
    return {"Records": [r for e in events for r in e["Records"]]}


@pytest.fixture
def ses():
    """moto SES (sending, verified identity) + the SES v2 template fake on one client."""
    with mock_aws():
        fake = SesV2Fake()
        client = fake.attach(boto3.client("sesv2", region_name="us-east-1"))
        client.create_email_identity(EmailIdentity="example.org")
        client.create_email_template(TemplateName="ack", TemplateContent=TEMPLATE)
        yield client, fake


def sent() -> list[email.message.EmailMessage]:
    backend = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [email.message_from_string(m.raw_data, policy=default_policy) for m in backend.sent_messages]


def run(client, event, ledger=None, config=None, templates=None):
    return process_event(
        event,
        client,
        templates or SesTemplateSource(client, "ack"),
        ledger or SqliteReplyLedger(":memory:"),
        config or AutoReplyConfig(),
    )


def test_a_reply_goes_to_the_envelope_sender_with_threading_and_loop_headers(ses):
    client, _ = ses
    [outcome] = run(client, receipt_event())
    assert outcome.replied
    [reply] = sent()
    assert reply["To"] == "jane@example.com"
    assert reply["From"] == SUPPORT
    assert reply["Subject"] == "Re: Where is my order?"
    assert reply["In-Reply-To"] == "<o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1-orig@mail.example.com>"
    assert reply["References"] == "<o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1-orig@mail.example.com>"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply.get_content_type() == "multipart/alternative"
    text = reply.get_body(("plain",)).get_content()
    html = reply.get_body(("html",)).get_content()
    # every occurrence, in both parts (the reference replaced the first one, in HTML only)
    assert "%%" not in text
    assert "%%" not in html
    assert text.count("o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1") == 2
    assert "Dear Jane Doe <jane@example.com>," in text
    # the attacker-controlled From is escaped in HTML (the reference inserted it raw)
    assert html.count("Jane Doe &lt;jane@example.com&gt;") == 2
    assert "<jane@example.com>" not in html


def test_an_html_injection_in_from_is_escaped(ses):
    client, _ = ses
    run(client, receipt_event(from_='"<script>alert(1)</script>" <jane@example.com>'))
    html = sent()[0].get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_an_auto_reply_gets_no_auto_reply(ses):
    client, _ = ses
    [outcome] = run(client, receipt_event(headers=[("Auto-Submitted", "auto-replied (vacation)")]))
    assert not outcome.replied
    assert outcome.skipped == "Auto-Submitted: auto-replied"
    assert sent() == []


def test_auto_submitted_no_is_a_person(ses):
    client, _ = ses
    [outcome] = run(client, receipt_event(headers=[("Auto-Submitted", "no")]))
    assert outcome.replied


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([("List-Id", "Announcements <announce.example.com>")], "mailing list (List-Id present)"),
        ([("List-Unsubscribe", "<mailto:leave@example.com>")], "mailing list (List-Unsubscribe present)"),
        ([("Precedence", "list")], "Precedence: list"),
        ([("Precedence", "Bulk")], "Precedence: bulk"),
        ([("Precedence", "junk")], "Precedence: junk"),
        ([("X-Auto-Response-Suppress", "DR, AutoReply")], "X-Auto-Response-Suppress: DR, AutoReply"),
        ([("Feedback-ID", "1:campaign:example")], "bulk sender (Feedback-ID present)"),
        ([("X-Autoreply", "yes")], "automatic reply (X-Autoreply present)"),
    ],
)
def test_mailing_list_and_bulk_mail_gets_no_reply(ses, headers, reason):
    client, _ = ses
    [outcome] = run(client, receipt_event(headers=headers))
    assert (outcome.replied, outcome.skipped) == (False, reason)
    assert sent() == []


@pytest.mark.parametrize(
    "source",
    [
        "MAILER-DAEMON@example.com",
        "no-reply@shop.example",
        "noreply+orders@shop.example",
        "postmaster@example.com",
        "owner-users@lists.example",
        "users-request@lists.example",
        "bounces@esp.example",
        "",
        "<>",
    ],
)
def test_automated_senders_get_no_reply(ses, source):
    client, _ = ses
    [outcome] = run(client, receipt_event(source=source))
    assert not outcome.replied
    assert sent() == []


@pytest.mark.parametrize("source", ["noreplyfan@example.com", "sonoreply@example.com", "daemon-lover@example.com"])
def test_sender_checks_match_whole_local_parts_not_substrings(ses, source):
    client, _ = ses
    [outcome] = run(client, receipt_event(source=source, subject="Automatic bulk reply list"))
    assert outcome.replied, outcome.skipped


@pytest.mark.parametrize(
    ("spam", "virus", "dmarc"), [("FAIL", "PASS", "PASS"), ("PASS", "FAIL", "PASS"), ("PASS", "PASS", "FAIL")]
)
def test_failed_verdicts_get_no_reply(ses, spam, virus, dmarc):
    client, _ = ses
    [outcome] = run(client, receipt_event(spam=spam, virus=virus, dmarc=dmarc))
    assert not outcome.replied
    assert "FAIL" in outcome.skipped


def test_truncated_headers_get_no_reply(ses):
    client, _ = ses
    [outcome] = run(client, receipt_event(truncated=True))
    assert not outcome.replied


def test_one_reply_per_sender_per_window(ses):
    client, _ = ses
    ledger = SqliteReplyLedger(":memory:")
    config = AutoReplyConfig(window=timedelta(hours=24))
    first = receipt_event(message_id="m1", timestamp="2024-05-01T10:00:00Z")
    second = receipt_event(message_id="m2", timestamp="2024-05-01T18:00:00Z", source="JANE@example.com")
    later = receipt_event(message_id="m3", timestamp="2024-05-02T10:00:01Z")
    outcomes = run(client, merged(first, second), ledger, config) + run(client, later, ledger, config)
    assert [o.replied for o in outcomes] == [True, False, True]
    assert "already answered" in outcomes[1].skipped
    assert len(sent()) == 2


def test_a_retried_invocation_does_not_reply_twice(ses):
    client, _ = ses
    ledger = SqliteReplyLedger(":memory:")
    event = receipt_event()
    assert run(client, event, ledger)[0].replied
    assert not run(client, copy.deepcopy(event), ledger)[0].replied
    assert len(sent()) == 1


def test_a_failed_send_raises_and_the_retry_replies(ses):
    """Errors are not logged away (the reference console.log-ged them): the invocation fails and is retried."""
    client, fake = ses
    ledger = SqliteReplyLedger(":memory:")
    fake.inject_fault("GetEmailTemplate", lambda _params: throttled())
    single = fake.attach(
        boto3.client("sesv2", region_name="us-east-1", config=boto3.session.Config(retries={"total_max_attempts": 1}))
    )
    with pytest.raises(AutoReplyFailed, match="TooManyRequestsException"):
        run(single, receipt_event(), ledger, templates=SesTemplateSource(single, "ack"))
    fake.clear_faults()
    assert run(client, receipt_event(), ledger)[0].replied
    assert len(sent()) == 1


def test_every_record_is_answered_not_only_the_first(ses):
    client, _ = ses
    event = merged(
        receipt_event(message_id="a1", source="a@example.com", from_="a@example.com"),
        receipt_event(message_id="b1", source="b@example.com", from_="b@example.com"),
    )
    assert [o.replied for o in run(client, event)] == [True, True]
    assert sorted(m["To"] for m in sent()) == ["a@example.com", "b@example.com"]


def test_a_missing_subject_is_not_undefined(ses):
    client, _ = ses
    run(client, receipt_event(subject=None))
    assert sent()[0]["Subject"] == "Re:"  # the template prefix alone, trailing space folded away


def test_non_ascii_subject_and_sender_round_trip(ses):
    client, _ = ses
    run(
        client,
        receipt_event(
            from_="=?UTF-8?B?Sm9zw6kgTcO8bGxlcg==?= <jose@example.com>",
            source="jose@example.com",
            subject="=?UTF-8?Q?Commande_n=C2=B0_42_=E2=80=93_d=C3=A9j=C3=A0_pay=C3=A9e?=",
        ),
    )
    [reply] = sent()
    assert reply["Subject"] == "Re: Commande n° 42 – déjà payée"
    assert "Dear José Müller <jose@example.com>," in reply.get_body(("plain",)).get_content()


def test_mail_that_reached_us_by_bcc_gets_no_reply(ses):
    client, _ = ses
    [outcome] = run(client, receipt_event(to=["someone-else@example.com"]))
    assert not outcome.replied
    assert "not addressed to us" in outcome.skipped


def test_the_reply_comes_from_the_matched_recipient_not_to0(ses):
    """The reference used To[0] as Source, which fails when we were only in Cc."""
    client, _ = ses
    run(client, receipt_event(to=["colleague@partner.example"], cc=[SUPPORT]))
    assert sent()[0]["From"] == SUPPORT


def test_a_configured_source_and_reply_to_mode(ses):
    client, _ = ses
    config = AutoReplyConfig(source="Help Desk <help@example.org>", reply_target="reply-to")
    event = receipt_event(source="bounces+123@esp.example", headers=[("Reply-To", "jane@example.com")])
    event["Records"][0]["ses"]["mail"]["commonHeaders"]["replyTo"] = ["Jane <jane@example.com>"]
    [outcome] = run(client, event, config=config)
    assert outcome.replied
    [reply] = sent()
    assert (reply["From"], reply["To"]) == ("Help Desk <help@example.org>", "jane@example.com")


def test_pinpoint_template_source(ses):
    client, _ = ses
    pinpoint_fake = PinpointContentFake()
    pinpoint = pinpoint_fake.attach(boto3.client("pinpoint", region_name="us-east-1"))
    pinpoint.create_email_template(
        TemplateName="ack",
        EmailTemplateRequest={"Subject": "[Ticket] ", "HtmlPart": "<p>%%NAME%% / %%ID%%</p>", "TextPart": "%%ID%%"},
    )
    run(client, receipt_event(), templates=PinpointTemplateSource(pinpoint, "ack"))
    [reply] = sent()
    assert reply["Subject"] == "[Ticket] Where is my order?"
    assert reply.get_body(("plain",)).get_content().strip() == "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1"


def test_template_without_text_part_sends_html_only():
    from handlers.auto_reply.compose import compose_reply
    from handlers.auto_reply.models import parse_records

    [mail] = parse_records(receipt_event())
    reply = compose_reply(mail, ReplyTemplate("Re: ", "<b>%%NAME%%</b>", None), SUPPORT, "jane@example.com")
    assert reply.get_content_type() == "text/html"


def test_the_lambda_entry_point_with_dynamodb_window(monkeypatch, ses):
    _client, fake = ses
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    create_dynamodb_table(ddb, "replies")
    monkeypatch.setenv("ENGLAKE_AUTO_REPLY_TEMPLATE", "ack")
    monkeypatch.setenv("ENGLAKE_AUTO_REPLY_LEDGER_TABLE", "replies")
    monkeypatch.setenv("ENGLAKE_AUTO_REPLY_WINDOW_HOURS", "24")
    handler.dependencies.cache_clear()
    fake.attach(handler.dependencies().sesv2)
    try:
        event = merged(
            receipt_event(message_id="x1"),
            receipt_event(message_id="x2", timestamp="2024-05-01T11:00:00Z"),
            receipt_event(message_id="x3", headers=[("List-Id", "<list.example.com>")], source="list@example.com"),
        )
        result = handler.lambda_handler(event, LambdaContext())
    finally:
        handler.dependencies.cache_clear()
    assert result["replied"] == 1
    assert [s["messageId"] for s in result["skipped"]] == ["x2", "x3"]
    assert isinstance(DynamoDBReplyLedger(ddb, "replies"), DynamoDBReplyLedger)
    item = ddb.get_item(TableName="replies", Key={"sender": {"S": "jane@example.com"}})["Item"]
    assert item["message_id"]["S"] == "x1"
    assert int(item["expires_at"]["N"]) > 0
    assert len(sent()) == 1


def test_an_unreadable_record_is_skipped_and_the_others_answered(ses):
    client, _ = ses
    event = merged(receipt_event(message_id="ok"), {"Records": [{"eventSource": "aws:ses", "ses": {"mail": {}}}]})
    outcomes = run(client, event)
    assert [o.replied for o in outcomes] == [True, False]
    assert "messageId" in outcomes[1].skipped
