"""``englake lake export-campaigns``: Pinpoint campaign and journey names into the lake, every page of them."""

from __future__ import annotations

import json

import boto3
import pytest
from typer.testing import CliRunner

from englake.cli import app
from englake.storage import LocalStore
from ingest.campaign_catalog import catalog_key, export_pinpoint_catalog
from tests.fakes.pinpoint_content import PinpointContentFake

APP = "a" * 32


@pytest.fixture
def pinpoint() -> tuple[object, PinpointContentFake]:
    fake = PinpointContentFake()
    client = fake.attach(boto3.client("pinpoint", region_name="us-east-1"))
    for number in range(230):  # more than one page of 200
        client.create_campaign(
            ApplicationId=APP,
            WriteCampaignRequest={
                "Name": f"Campaign {number:03d}",
                "SegmentId": "s" * 32,
                "Schedule": {"StartTime": "IMMEDIATE"},
            },
        )
    client.create_journey(ApplicationId=APP, WriteJourneyRequest={"Name": "Welcome journey"})
    return client, fake


def test_every_campaign_and_journey_of_every_page_lands_in_the_catalog(tmp_path, pinpoint) -> None:
    client, fake = pinpoint
    store = LocalStore(tmp_path)
    result = export_pinpoint_catalog(store, client, APP)
    assert (result.campaigns, result.journeys) == (230, 1)
    campaigns = [json.loads(line) for line in store.get(catalog_key("pinpoint", APP, "campaigns")).splitlines()]
    assert sorted(c["Name"] for c in campaigns) == [f"Campaign {n:03d}" for n in range(230)]
    assert {c["Id"] for c in campaigns} == {campaign_id for _, campaign_id in fake.campaigns}
    journeys = [json.loads(line) for line in store.get(catalog_key("pinpoint", APP, "journeys")).splitlines()]
    assert [j["Name"] for j in journeys] == ["Welcome journey"]
    assert [call.operation for call in fake.calls if call.operation == "GetCampaigns"] == ["GetCampaigns"] * 2


def test_export_campaigns_without_a_project_is_one_clear_line(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ENGLAKE_PINPOINT_APPLICATION_ID", raising=False)
    result = CliRunner().invoke(app, ["lake", "export-campaigns", "--lake", str(tmp_path)])
    assert result.exit_code != 0
    assert "ENGLAKE_PINPOINT_APPLICATION_ID" in str(result.exception) + result.output
