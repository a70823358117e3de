"""``englake sms …``: the commands a user runs, against the fakes (below real boto3 clients) and local files."""

from __future__ import annotations

import json

import boto3
import pytest
from typer.testing import CliRunner

from englake.cli import app
from englake.errors import EXIT_CODES, ConfigError, InputError
from handlers.sms import cli as sms_cli
from handlers.sms import sender
from tests.fakes.pinpoint_phone import PhoneValidateFake
from tests.fakes.sms_voice_v2 import SmsVoiceV2Fake
from tests.sms_support import CUSTOMER, OUR_NUMBER, inbound, sms_client

runner = CliRunner()


def text(result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture
def fakes(monkeypatch, tmp_path):
    sms = SmsVoiceV2Fake(enforce_mps=False)
    sms.add_phone_number(OUR_NUMBER, "SHORT_CODE")
    phone = PhoneValidateFake(rate=None)

    def client(service: str, region=None, *args, **kwargs):
        made = boto3.client(service, region_name="us-east-1")
        if service == "pinpoint-sms-voice-v2":
            sms.attach(made)
        if service == "pinpoint":
            phone.attach(made)
        return made

    monkeypatch.setattr(sms_cli, "aws_client", client)
    monkeypatch.setattr(sender, "send_client", lambda region=None: sms_client(sms))
    monkeypatch.setenv("ENGLAKE_SMS_LEDGER_DB", str(tmp_path / "ledger.sqlite"))
    monkeypatch.setenv("ENGLAKE_LAKE_ROOT", str(tmp_path / "lake"))
    return sms, phone


def test_send_file_writes_report_and_rejects_beside_it_and_sends_once(fakes, tmp_path) -> None:
    sms, _ = fakes
    csv_path = tmp_path / "drop" / "spring.csv"
    csv_path.parent.mkdir()
    csv_path.write_text(
        "destination_phone_number,message,campaign_id\n+14255550101,hello,c1\nbad,hello,c1\n+14255550102,hi,c1\n"
    )
    first = runner.invoke(app, ["sms", "send-file", str(csv_path), "--origination-identity", OUR_NUMBER])
    assert first.exit_code == 0, first.output
    assert "3 rows: 2 valid, 1 rejected" in text(first)
    report = json.loads((tmp_path / "drop" / "sms-reports" / "spring.csv.report.json").read_text())
    assert (report["sent"], report["failed"], report["rejected"]) == (2, 0, 1)
    rejects = (tmp_path / "drop" / "sms-reports" / "spring.csv.rejects.csv").read_text()
    assert "destination number" in rejects
    again = runner.invoke(app, ["sms", "send-file", str(csv_path), "--origination-identity", OUR_NUMBER])
    assert again.exit_code == 0, again.output
    assert "0 sent now, 0 refused now, 2 done before (not sent again)" in text(again)
    assert len(sms.sent) == 2
    shown = runner.invoke(app, ["sms", "report", report["etag"]])
    assert shown.exit_code == 0, shown.output
    assert "spring.csv" in text(shown)


def test_send_file_dry_run_and_bad_files(fakes, tmp_path) -> None:
    sms, _ = fakes
    path = tmp_path / "x.csv"
    path.write_text("destination_phone_number,message\n+14255550101,hello\n")
    dry = runner.invoke(app, ["sms", "send-file", str(path), "--origination-identity", OUR_NUMBER, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert sms.sent == []
    real = runner.invoke(app, ["sms", "send-file", str(path), "--origination-identity", OUR_NUMBER])
    assert real.exit_code == 0, real.output  # the dry run did not mark the file as taken
    assert len(sms.sent) == 1
    missing = runner.invoke(app, ["sms", "send-file", str(tmp_path / "nope.csv")])
    assert missing.exit_code == EXIT_CODES[InputError]
    assert "no such file" in text(missing)
    headerless = tmp_path / "h.csv"
    headerless.write_text("phone,text\n+14255550101,hi\n")
    bad = runner.invoke(app, ["sms", "send-file", str(headerless)])
    assert bad.exit_code == EXIT_CODES[InputError]
    assert "no column for destination" in text(bad)


def test_opt_outs_handle_and_list(fakes, tmp_path) -> None:
    sms, _ = fakes
    payload = tmp_path / "stop.json"
    payload.write_text(json.dumps(inbound("STOP", "in-1")))
    handled = runner.invoke(app, ["sms", "opt-outs", "handle", str(payload)])
    assert handled.exit_code == 0, handled.output
    assert "opt-out" in text(handled)
    replay = runner.invoke(app, ["sms", "opt-outs", "handle", str(payload)])
    assert "replay" in text(replay)
    assert sms.opted_out() == {CUSTOMER}
    listed = runner.invoke(app, ["sms", "opt-outs", "list"])
    assert listed.exit_code == 0, listed.output
    assert "1 opted-out numbers" in text(listed)
    assert CUSTOMER not in text(listed)  # masked unless --show-numbers
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    malformed = runner.invoke(app, ["sms", "opt-outs", "handle", str(broken)])
    assert malformed.exit_code == EXIT_CODES[InputError]
    assert "not JSON" in text(malformed)


def test_validate_a_file_lands_results_in_the_lake(fakes, tmp_path) -> None:
    _, phone = fakes
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("+12065550142\n(408) 555-0101\nnonsense\n")
    result = runner.invoke(app, ["sms", "validate", "--file", str(numbers), "--assume-us"])
    assert result.exit_code == 0, result.output
    assert "3 numbers validated" in text(result)
    assert sorted(phone.validated) == ["+12065550142", "+14085550101"]
    assert list((tmp_path / "lake" / "phone_numbers" / "validations").glob("*.ndjson"))
    neither = runner.invoke(app, ["sms", "validate"])
    assert neither.exit_code == EXIT_CODES[ConfigError]
    assert "exactly one of" in text(neither)


def test_write_attributes_needs_a_contact_store(fakes, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ENGLAKE_PINPOINT_APPLICATION_ID", raising=False)
    monkeypatch.delenv("ENGLAKE_SMS_PROFILES_DOMAIN", raising=False)
    numbers = tmp_path / "n.txt"
    numbers.write_text("+12065550142\n")
    result = runner.invoke(app, ["sms", "validate", "--file", str(numbers), "--write-attributes"])
    assert result.exit_code == EXIT_CODES[ConfigError]
    assert "ENGLAKE_SMS_PROFILES_DOMAIN or ENGLAKE_PINPOINT_APPLICATION_ID" in text(result)
