"""Self-managed opt-outs (issue 11 item 1; reference spec §9 "Self-Managed Opt Outs").

Inbound payloads are the documented two-way example (event-formats.md §3.3) with other bodies; End User Messaging
is the ``pinpoint-sms-voice-v2`` fake below a real client, Pinpoint endpoints the Pinpoint fake, the ledger DynamoDB
on moto. Each reference defect is named in its test.
"""

from __future__ import annotations

import json
import logging

import boto3
import pytest
from moto import mock_aws

from englake.storage import LocalStore
from handlers.sms import handler
from handlers.sms.contacts import PinpointContacts
from handlers.sms.inbound import MalformedInbound, parse_inbound
from handlers.sms.keywords import Action, KeywordMatcher, MatchMode
from handlers.sms.optouts import OptOutConfig, number_state, process_inbound
from segmentation.catalog import write_export
from tests.email_ops_support import LambdaContext, sqs_event
from tests.fakes.pinpoint import PinpointFake
from tests.fakes.sms_voice_v2 import SmsVoiceV2Fake
from tests.sms_support import CUSTOMER, OUR_NUMBER, inbound, inbound_envelope, moto_ledger, sms_client

APP = "app-1"


@pytest.fixture
def aws():
    with mock_aws():
        yield


@pytest.fixture
def fake() -> SmsVoiceV2Fake:
    fake = SmsVoiceV2Fake(enforce_mps=False)
    fake.add_phone_number(OUR_NUMBER, "TEN_DLC", opt_out_list="englake-optouts")
    return fake


@pytest.fixture
def env(aws, fake, tmp_path):
    """Everything process_inbound needs, with two endpoints of the customer (one spelled nationally) and another."""
    store = LocalStore(tmp_path)
    write_export(
        store,
        APP,
        [
            {"Id": "mobile-main", "ChannelType": "SMS", "Address": CUSTOMER, "User": {"UserId": "u1"}},
            {"Id": "voice-line", "ChannelType": "VOICE", "Address": "(425) 555-0182", "User": {"UserId": "u1"}},
            {"Id": "email-1", "ChannelType": "EMAIL", "Address": "a@example.com", "User": {"UserId": "u1"}},
            {"Id": "someone-else", "ChannelType": "SMS", "Address": "+14255550199", "User": {"UserId": "u2"}},
        ],
    )
    pinpoint = PinpointFake(enforce_quotas=False)
    pinpoint.add_app(APP)
    for endpoint in ("mobile-main", "voice-line", "someone-else"):
        pinpoint.put_endpoint(APP, {"Id": endpoint, "ChannelType": "SMS", "Address": "x", "OptOut": "NONE"})
    client = pinpoint.attach(boto3.client("pinpoint", region_name="us-east-1"))
    contacts = PinpointContacts(client, APP, store, assume_us=True)
    deps = {
        "sms_client": sms_client(fake),
        "ledger": moto_ledger(),
        "config": OptOutConfig("englake-optouts", KeywordMatcher()),
        "contacts": contacts,
    }
    return deps, pinpoint


def run(deps, body: str, message_id: str, timestamp: str = "2026-11-01T10:00:00.000Z", **kw):
    return process_inbound(parse_inbound(inbound_envelope(body, message_id, timestamp, **kw), "test"), **deps)


def replies(fake: SmsVoiceV2Fake) -> list[dict]:
    return [m.params for m in fake.sent]


@pytest.mark.parametrize("body", ["WEEKEND", "FRIEND", "NONSTOP", "don't cancel my order", "OUTDOOR", "SEND it", "ok"])
def test_reference_defect_substring_match_opts_people_out(env, fake, body) -> None:
    """§9: "END" matched FRIEND and WEEKEND, "TD" OUTDOOR, "STOP" NONSTOP, "CANCEL" "don't cancel my order"."""
    deps, pinpoint = env
    outcome = run(deps, body, "in-1")
    assert outcome.action is Action.NONE
    assert fake.opted_out("englake-optouts") == set()
    assert fake.sent == []
    assert pinpoint.endpoint(APP, "mobile-main")["OptOut"] == "NONE"


@pytest.mark.parametrize("body", ["STOP", " stop ", "Stop.", "UNSUBSCRIBE", "opt-out", "Quit!", "\nEnd\n"])
def test_whole_message_keywords_opt_out(env, fake, body) -> None:
    deps, _ = env
    assert run(deps, body, "in-1").action is Action.OPT_OUT
    assert fake.opted_out("englake-optouts") == {CUSTOMER}


def test_first_word_mode_is_configurable_and_still_never_a_substring() -> None:
    matcher = KeywordMatcher(mode=MatchMode.FIRST_WORD)
    assert matcher.match("Stop sending me these")[0] is Action.OPT_OUT
    assert matcher.match("don't cancel my order")[0] is Action.NONE
    assert matcher.match("NONSTOP deals")[0] is Action.NONE
    assert KeywordMatcher().match("Stop sending me these")[0] is Action.NONE  # default: the whole message


def test_reference_defect_no_opt_in_keywords(env, fake) -> None:
    """§9: no START/UNSTOP, so nobody could re-subscribe. Here START removes the number from the opt-out list and
    opts the endpoints back in."""
    deps, pinpoint = env
    run(deps, "STOP", "in-1", "2026-11-01T10:00:00.000Z")
    assert fake.opted_out("englake-optouts") == {CUSTOMER}
    outcome = run(deps, "start", "in-2", "2026-11-01T11:00:00.000Z")
    assert outcome.action is Action.OPT_IN
    assert outcome.changed
    assert fake.opted_out("englake-optouts") == set()
    assert pinpoint.endpoint(APP, "mobile-main")["OptOut"] == "NONE"
    assert number_state(deps["ledger"], CUSTOMER) == "opted-in"
    assert [r["MessageBody"].split()[2] for r in replies(fake)] == ["been", "been"]  # two confirmations


def test_reference_defect_confirmation_from_another_number_and_on_every_stop(env, fake) -> None:
    """§9: the confirmation had no OriginationNumber (it could come from another number) and went out again on
    every repeated STOP. Here it comes from destinationNumber, once per state change."""
    deps, _ = env
    run(deps, "STOP", "in-1", "2026-11-01T10:00:00.000Z")
    second = run(deps, "STOP", "in-2", "2026-11-01T10:05:00.000Z")
    assert not second.changed
    assert not second.replied
    sent = replies(fake)
    assert len(sent) == 1
    assert sent[0]["OriginationIdentity"] == OUR_NUMBER
    assert sent[0]["DestinationPhoneNumber"] == CUSTOMER
    assert "unsubscribed" in sent[0]["MessageBody"]


def test_reference_defect_invented_endpoint_id(env, fake) -> None:
    """§9: endpoint id "<number without +>" created a bare endpoint and left the real ones opted in. Here every SMS
    and VOICE endpoint holding the number (any spelling) is opted out, and nothing is created."""
    deps, pinpoint = env
    before = set(pinpoint.endpoints(APP))
    outcome = run(deps, "STOP", "in-1")
    assert outcome.contacts_marked == 2
    assert pinpoint.endpoint(APP, "mobile-main")["OptOut"] == "ALL"
    assert pinpoint.endpoint(APP, "voice-line")["OptOut"] == "ALL"
    assert pinpoint.endpoint(APP, "someone-else")["OptOut"] == "NONE"
    assert set(pinpoint.endpoints(APP)) == before
    assert pinpoint.endpoint(APP, CUSTOMER.lstrip("+")) is None
    stranger = run(deps, "STOP", "in-2", customer="+14255550111")
    assert stranger.contacts_marked == 0
    assert set(pinpoint.endpoints(APP)) == before


def test_replaying_the_same_inbound_message_changes_nothing(env, fake) -> None:
    deps, _ = env
    run(deps, "STOP", "in-1", "2026-11-01T10:00:00.000Z")
    run(deps, "START", "in-2", "2026-11-01T11:00:00.000Z")
    calls = len(fake.calls)
    replay = run(deps, "STOP", "in-1", "2026-11-01T10:00:00.000Z")
    assert replay.replay
    assert len(fake.calls) == calls
    assert fake.opted_out("englake-optouts") == set()
    assert number_state(deps["ledger"], CUSTOMER) == "opted-in"


def test_out_of_order_inbound_does_not_undo_a_later_change(env, fake) -> None:
    """Inbound SMS are not guaranteed to arrive in order: an older START arriving after a newer STOP is ignored."""
    deps, _ = env
    run(deps, "STOP", "in-2", "2026-11-01T11:00:00.000Z")
    late = run(deps, "START", "in-1", "2026-11-01T10:00:00.000Z")
    assert late.stale
    assert fake.opted_out("englake-optouts") == {CUSTOMER}


def test_help_is_answered_from_the_number_written_to(env, fake) -> None:
    deps, _ = env
    assert run(deps, "help", "in-1").replied
    assert replies(fake)[0]["OriginationIdentity"] == OUR_NUMBER
    assert "STOP" in replies(fake)[0]["MessageBody"]
    assert fake.opted_out("englake-optouts") == set()


def test_keyword_lists_per_locale(env, fake) -> None:
    deps, _ = env
    assert run(deps, "Arrêt", "in-1").action is Action.OPT_OUT
    assert "désabonné" in replies(fake)[0]["MessageBody"]  # replied in the keyword's language


def test_malformed_payloads_name_the_field() -> None:
    with pytest.raises(MalformedInbound, match="not JSON"):
        parse_inbound("{not json", "rec-1")
    with pytest.raises(MalformedInbound, match="SNS Message is not JSON"):
        parse_inbound(json.dumps({"Type": "Notification", "Message": "<xml/>"}), "rec-1")
    with pytest.raises(MalformedInbound, match="originationNumber"):
        parse_inbound(json.dumps({**inbound("STOP", "x"), "originationNumber": "hello"}), "rec-1")
    with pytest.raises(MalformedInbound, match="inboundMessageId"):
        parse_inbound(json.dumps({k: v for k, v in inbound("STOP", "x").items() if k != "inboundMessageId"}), "r")
    with pytest.raises(MalformedInbound, match="not a JSON object"):
        parse_inbound("[1, 2]", "rec-1")


def test_raw_message_delivery_and_short_codes_are_read() -> None:
    message = parse_inbound(json.dumps(inbound("STOP", "x", ours="12345")), "rec-1")
    assert message.our_number == "12345"
    assert message.customer_number == CUSTOMER


def test_reference_defect_pii_in_debug_logs(env, fake, caplog) -> None:
    """§9: DEBUG logging put full bodies and numbers in the logs. Here logs carry masked numbers, never bodies."""
    deps, _ = env
    caplog.set_level(logging.DEBUG, logger="handlers")  # ours (botocore's own DEBUG wire logs are off in Lambda)
    run(deps, "STOP", "in-1")
    run(deps, "my secret account 4111", "in-2")
    text = caplog.text
    assert "secret" not in text
    assert CUSTOMER not in text
    assert CUSTOMER[2:] not in text


def test_lambda_batch_with_a_poison_message_fails_only_that_message(aws, fake, monkeypatch) -> None:
    """X1: the reference swallowed errors, so a failed message was lost. The SQS handler reports exactly the
    malformed message as failed (it is retried, then dead-lettered) and processes the rest."""
    ledger = moto_ledger()
    monkeypatch.setattr(
        handler,
        "_optout_deps",
        lambda: {
            "sms_client": sms_client(fake),
            "ledger": ledger,
            "config": OptOutConfig("englake-optouts", KeywordMatcher()),
            "contacts": None,
        },
    )
    event = sqs_event([inbound_envelope("STOP", "in-1"), "{broken", inbound_envelope("HELP", "in-3")])
    response = handler.optout_handler(event, LambdaContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert fake.opted_out("englake-optouts") == {CUSTOMER}
    assert len(fake.sent) == 1  # the confirmation; HELP from an opted-out number gets no reply (the service refuses)


def test_help_from_an_opted_out_number_is_not_an_error(env, fake) -> None:
    deps, _ = env
    run(deps, "STOP", "in-1")
    outcome = run(deps, "HELP", "in-2")
    assert not outcome.replied
    assert len(fake.sent) == 1
