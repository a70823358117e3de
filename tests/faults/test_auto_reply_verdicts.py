"""Issue 9: auto-reply answered mail that failed both SPF and DKIM — backscatter to forged senders.

Every combination of SES's SPF, DKIM and DMARC verdicts (PASS, FAIL, GRAY, PROCESSING_FAILED: the receipt
notification's documented values) goes through the handler's plain function with SES v2 on moto; whether a reply
goes out is checked against the policies as the README states them, written out here independently of the code.
"""

from __future__ import annotations

import itertools

import pytest

from handlers.auto_reply.authentication import SENDER_CHECKS
from handlers.auto_reply.config import AutoReplySettings
from handlers.auto_reply.process import AutoReplyConfig
from tests.test_auto_reply import receipt_event, run, sent, ses  # noqa: F401 -- ses is the moto SES v2 fixture

STATUSES = ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED")
COMBINATIONS = list(itertools.product(STATUSES, repeat=3))


def may_reply(policy: str, spf: str, dkim: str, dmarc: str) -> bool:
    """The documented rule: only PASS vouches for a sender; a DMARC FAIL always stops a reply."""
    return {
        "spf-or-dkim": dmarc != "FAIL" and "PASS" in (spf, dkim),
        "spf": dmarc != "FAIL" and spf == "PASS",
        "dmarc": dmarc == "PASS",
        "dmarc-fail-only": dmarc != "FAIL",
    }[policy]


def with_verdicts(spf: str, dkim: str, dmarc: str) -> dict:
    event = receipt_event(dmarc=dmarc)
    receipt = event["Records"][0]["ses"]["receipt"]
    receipt["spfVerdict"] = {"status": spf}
    receipt["dkimVerdict"] = {"status": dkim}
    return event


@pytest.mark.parametrize(("spf", "dkim", "dmarc"), COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
def test_auto_reply_default_policy_per_verdict_combination(ses, spf, dkim, dmarc):  # noqa: F811
    client, _ = ses
    [outcome] = run(client, with_verdicts(spf, dkim, dmarc))
    expected = may_reply("spf-or-dkim", spf, dkim, dmarc)
    assert outcome.replied is expected, outcome.skipped
    assert len(sent()) == int(expected)
    if not expected:  # the reason names the verdicts, so an operator sees why
        assert f"SPF {spf}" in outcome.skipped or "DMARC verdict FAIL" in outcome.skipped


@pytest.mark.parametrize("policy", [p for p in SENDER_CHECKS if p != "spf-or-dkim"])
def test_auto_reply_other_policies_per_verdict_combination(ses, policy):  # noqa: F811
    client, _ = ses
    config = AutoReplyConfig(sender_check=policy)
    for index, (spf, dkim, dmarc) in enumerate(COMBINATIONS):
        event = with_verdicts(spf, dkim, dmarc)
        # A new sender each time, so the one-reply-per-window ledger never decides.
        for record in event["Records"]:
            record["ses"]["mail"]["source"] = f"sender{index}@example.com"
            record["ses"]["mail"]["messageId"] = f"m-{policy}-{index}"
        [outcome] = run(client, event, config=config)
        assert outcome.replied is may_reply(policy, spf, dkim, dmarc), (policy, spf, dkim, dmarc, outcome.skipped)
    assert len(sent()) == sum(may_reply(policy, *c) for c in COMBINATIONS)


def test_auto_reply_a_receipt_without_verdicts_gets_no_reply_by_default(ses):  # noqa: F811
    client, _ = ses
    event = receipt_event()
    receipt = event["Records"][0]["ses"]["receipt"]
    for key in ("spfVerdict", "dkimVerdict", "dmarcVerdict"):
        del receipt[key]
    [outcome] = run(client, event)
    assert not outcome.replied


def test_auto_reply_sender_check_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGLAKE_AUTO_REPLY_TEMPLATE", "ack")
    assert AutoReplySettings().config().sender_check == "spf-or-dkim"
    monkeypatch.setenv("ENGLAKE_AUTO_REPLY_SENDER_CHECK", "dmarc")
    assert AutoReplySettings().config().sender_check == "dmarc"
    monkeypatch.setenv("ENGLAKE_AUTO_REPLY_SENDER_CHECK", "anything")
    with pytest.raises(ValueError, match="sender_check"):
        AutoReplySettings()
