"""The offers lookup table built by dbt from the lake's segments, read by the lookup-table provider through the
``englake hooks`` CLI as a user runs it; and the CLI's answers to bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from englake.cli import app
from englake.dbt import PROJECT_DIR
from englake.models import build_models
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GeneratorConfig, generate_lake
from tests.hooks_support import email_endpoint, event_with, filter_event

runner = CliRunner()


@pytest.mark.dbt
def test_endpoint_offers_from_the_lake_feed_the_filter_hook(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "lake")
    generate_lake(GeneratorConfig(seed=21, events=4_000, days=14), store)
    settings = Settings(lake_root=str(tmp_path / "lake"))
    build_models(settings, select="+endpoint_offers", extra_args=["--indirect-selection", "cautious"])
    db = str(settings.resolved_duckdb_path)
    with duckdb.connect(db, read_only=True) as con:
        membership = con.execute("select endpoint_id, segment_name from segment_membership").fetchall()
        offers = dict(con.execute("select endpoint_id, offer_code from endpoint_offers").fetchall())
    # Expected from the membership and the seed, by the documented rule: the lowest priority number wins.
    seed = {r["segment_name"]: r for r in csv.DictReader((PROJECT_DIR / "seeds" / "offers.csv").open())}
    expected: dict[str, tuple[int, str]] = {}
    for endpoint, segment in membership:
        candidate = (int(seed[segment]["priority"]), seed[segment]["offer_code"])
        expected[endpoint] = min(expected.get(endpoint, candidate), candidate)
    assert expected, "the generated lake has segment members"
    assert offers == {e: code for e, (_, code) in expected.items()}

    member = next(iter(offers))
    event = event_with({member: email_endpoint(1), "nobody": email_endpoint(2)})
    (tmp_path / "event.json").write_text(json.dumps(event))
    out = tmp_path / "response.json"
    result = runner.invoke(
        app,
        [
            "hooks",
            "filter",
            str(tmp_path / "event.json"),
            "--duckdb",
            db,
            "--fallback",
            '{"offer": ["see our shop"]}',
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    response = json.loads(out.read_text())
    assert response[member]["Attributes"]["offer_code"] == [offers[member]]
    assert response["nobody"]["Attributes"]["offer"] == ["see our shop"]
    assert "not_found" in result.output


def test_cli_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    from englake.errors import EXIT_CODES, ConfigError, InputError

    missing = runner.invoke(app, ["hooks", "filter", str(tmp_path / "nope.json"), "--provider", "none"])
    assert missing.exit_code == EXIT_CODES[InputError]
    assert "no such hook event file" in " ".join(missing.output.split())
    (tmp_path / "bad.json").write_text("{oops")
    bad = runner.invoke(app, ["hooks", "filter", str(tmp_path / "bad.json"), "--provider", "none"])
    assert bad.exit_code == EXIT_CODES[InputError]
    assert "not JSON" in " ".join(bad.output.split())
    (tmp_path / "wrong.json").write_text('{"Endpoints": {}}')
    wrong = runner.invoke(app, ["hooks", "filter", str(tmp_path / "wrong.json"), "--provider", "none"])
    assert wrong.exit_code == EXIT_CODES[InputError]
    assert "CampaignId" in " ".join(wrong.output.split())
    (tmp_path / "event.json").write_text(json.dumps(filter_event()))
    no_url = runner.invoke(app, ["hooks", "filter", str(tmp_path / "event.json"), "--provider", "http"])
    assert no_url.exit_code == EXIT_CODES[ConfigError]
    assert "PROVIDER_URL" in " ".join(no_url.output.split())
    no_db = runner.invoke(app, ["hooks", "filter", str(tmp_path / "event.json"), "--duckdb", str(tmp_path / "x/y.db")])
    assert no_db.exit_code == EXIT_CODES[ConfigError]


def test_cli_render_escapes_html(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text(
        json.dumps(
            {"Subject": "Hi {{User.UserAttributes.FirstName}}", "HtmlPart": "<p>{{User.UserAttributes.FirstName}}</p>"}
        )
    )
    endpoint = email_endpoint(1)
    endpoint["User"]["UserAttributes"]["FirstName"] = ["<b>Ann</b>"]
    (tmp_path / "e.json").write_text(json.dumps(endpoint))
    result = runner.invoke(app, ["hooks", "render", str(tmp_path / "t.json"), str(tmp_path / "e.json")])
    assert result.exit_code == 0, result.output
    assert "<p>&lt;b&gt;Ann&lt;/b&gt;</p>" in result.output
    assert "Subject: Hi <b>Ann</b>" in result.output


def test_cli_filter_without_a_provider_shows_every_fallback(tmp_path: Path) -> None:
    (tmp_path / "event.json").write_text(json.dumps(filter_event()))
    result = runner.invoke(app, ["hooks", "filter", str(tmp_path / "event.json"), "--provider", "none", "--templates"])
    assert result.exit_code == 0, result.output
    assert result.output.count("not_found") == 2


def test_attach_touches_one_campaign_and_never_the_project_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from handlers.hooks import cli as hooks_cli
    from tests.fakes.pinpoint_content import PinpointContentFake

    fake = PinpointContentFake()
    client = fake.attach(boto3.client("pinpoint", region_name="us-east-1"))
    request = {"Name": "c", "SegmentId": "s", "Schedule": {"StartTime": "IMMEDIATE"}}
    ours = client.create_campaign(ApplicationId="app", WriteCampaignRequest=request)["CampaignResponse"]["Id"]
    other = client.create_campaign(ApplicationId="app", WriteCampaignRequest=request)["CampaignResponse"]["Id"]
    monkeypatch.setattr(hooks_cli, "_pinpoint", lambda region: client)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:englake-filter"
    result = runner.invoke(
        app, ["hooks", "attach", "--application-id", "app", "--campaign-id", ours, "--function", arn]
    )
    assert result.exit_code == 0, result.output
    assert client.get_campaign(ApplicationId="app", CampaignId=ours)["CampaignResponse"]["Hook"] == {
        "LambdaFunctionName": arn,
        "Mode": "FILTER",
    }
    assert "Hook" not in client.get_campaign(ApplicationId="app", CampaignId=other)["CampaignResponse"]
    assert set(fake.call_counts()) == {"CreateCampaign", "UpdateCampaign", "GetCampaign"}  # no app settings
    voice_arn = "arn:aws:lambda:us-east-1:123456789012:function:englake-voice"
    result = runner.invoke(
        app,
        [
            "hooks",
            "attach",
            "--application-id",
            "app",
            "--campaign-id",
            other,
            "--function",
            voice_arn,
            "--voice",
            "--message",
            "Hello {{User.UserAttributes.FirstName}}",
        ],
    )
    assert result.exit_code == 0, result.output
    campaign = client.get_campaign(ApplicationId="app", CampaignId=other)["CampaignResponse"]
    assert campaign["CustomDeliveryConfiguration"] == {"DeliveryUri": voice_arn, "EndpointTypes": ["VOICE", "SMS"]}
    assert campaign["MessageConfiguration"]["CustomMessage"]["Data"].startswith("Hello")
