"""The events dashboard's views (reference Event_dashboard.yaml), built by dbt on DuckDB, against generated truth."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from englake.models import query_local
from ingest.synthetic import VIEWS

pytestmark = pytest.mark.dbt

#: The dashboard view each per-event-type view (the generator's truth counts their rows) is part of: by the
#: type's channel prefix (email_*, sms_*, campaign_*, journey_*), app events under custom_all_events.
DASHBOARD_OF_PREFIX = {"email": "email_all_events", "sms": "sms_all_events", "campaign": "campaign_all_events"}
DASHBOARD_OF_PREFIX |= {"journey": "journey_all_events", "app": "custom_all_events"}
DASHBOARD_VIEWS: dict[str, tuple[str, ...]] = {
    dashboard: tuple(view for view in VIEWS if DASHBOARD_OF_PREFIX[view.split("_")[0]] == dashboard)
    for dashboard in DASHBOARD_OF_PREFIX.values()
}

#: The reference's columns of each view (seed-architectures-spec.md §6d), less `custom` (a constant type name) and
#: `cognito_id` (not in the canonical event columns).
REFERENCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "email_all_events": (
        "event_type", "event_timestamp", "arrival_timestamp", "application_id", "endpoint_id",
        "pinpoint_campaign_id", "pinpoint_treatment_id", "aws_account_id", "message_id", "message_send_timestamp",
        "from_address", "destination", "subject", "message_tags", "ingest_timestamp",
    ),
    "sms_all_events": (
        "event_type", "event_timestamp", "arrival_timestamp", "application_id", "endpoint_id",
        "pinpoint_campaign_id", "pinpoint_treatment_id", "aws_account_id", "sender_request_id",
        "destination_phone_number", "record_status", "iso_country_code", "number_of_message_parts", "message_id",
        "message_type", "origination_phone_number", "price_in_millicents_usd", "message_tags", "ingest_timestamp",
    ),
    "campaign_all_events": (
        "event_type", "event_timestamp", "arrival_timestamp", "application_id", "endpoint_id",
        "pinpoint_campaign_id", "pinpoint_treatment_id", "aws_account_id", "delivery_type", "campaign_send_status",
        "ingest_timestamp",
    ),
    "journey_all_events": (
        "event_type", "event_timestamp", "arrival_timestamp", "application_id", "endpoint_id", "journey_run_id",
        "journey_send_status", "journey_id", "journey_activity_id", "aws_account_id", "user_id", "ingest_timestamp",
    ),
    "custom_all_events": (
        "event_type", "event_timestamp", "arrival_timestamp", "application_id", "endpoint_id", "session_id",
        "session_start_time", "session_stop_time", "ingest_timestamp",
    ),
}  # fmt: skip


@pytest.mark.parametrize("view", DASHBOARD_VIEWS)
def test_dashboard_view_has_every_generated_event_of_its_channel(built_lake, view: str) -> None:
    settings, truth, _ = built_lake
    rows = query_local(f"select count(*) as n from {view}", settings)
    expected = sum(truth.view_rows[part] for part in DASHBOARD_VIEWS[view])
    if view == "email_all_events":
        expected += truth.events_without_view.get("email_subscribe", 0)  # SES opt-ins: an email event, no view
    assert rows[0]["n"] == expected > 0


@pytest.mark.parametrize("view", DASHBOARD_VIEWS)
def test_dashboard_view_has_the_reference_columns(built_lake, view: str) -> None:
    settings, _, _ = built_lake
    rows = query_local(f"select column_name from information_schema.columns where table_name = '{view}'", settings)
    assert set(REFERENCE_COLUMNS[view]) <= {row["column_name"] for row in rows}


def test_dashboard_event_type_is_the_producers_own_name(built_lake) -> None:
    """Analysts filter the dashboard views on the raw type (`_email.open`, SES `Open`), as the reference did."""
    settings, _, _ = built_lake
    rows = query_local("select distinct producer, event_type from email_all_events", settings)
    types = {(row["producer"], row["event_type"]) for row in rows}
    assert ("pinpoint", "_email.open") in types
    assert ("ses", "Open") in types


def test_dashboard_treatment_id_is_not_the_reference_typo(built_lake) -> None:
    """The reference read attributes['treament_id'] and its dashboard's treatment column was always NULL."""
    settings, _, _ = built_lake
    rows = query_local(
        "select count(pinpoint_treatment_id) as n from email_all_events where pinpoint_campaign_id is not null",
        settings,
    )
    assert rows[0]["n"] > 0


def _truth_day(fact: dict) -> date:
    sent = fact["sent_at"]
    if isinstance(sent, int):
        return (datetime(1970, 1, 1) + timedelta(milliseconds=sent)).date()
    return (sent if isinstance(sent, datetime) else datetime.fromisoformat(sent)).date()


def test_dim_campaigns_names_every_generated_campaign_and_journey(built_lake) -> None:
    """Campaign names come from the Pinpoint catalog export (campaigns, journeys) and the names kept for SES."""
    settings, truth, _ = built_lake
    rows = query_local("select campaign_id, campaign_name, kind, name_source from dim_campaigns", settings)
    got = {row["campaign_id"]: row for row in rows}
    for campaign_id, facts in truth.campaign_catalog.items():
        assert got[campaign_id]["campaign_name"] == facts["name"]
        assert got[campaign_id]["kind"] == "campaign"
    for journey_id, facts in truth.journey_catalog.items():
        assert got[journey_id]["campaign_name"] == facts["name"]
        assert got[journey_id]["kind"] == "journey"
    assert {row["name_source"] for row in rows} == {"lake catalog"}


def test_human_open_rate_leaves_out_opens_ses_marks_as_machine(built_lake) -> None:
    settings, truth, _ = built_lake
    rows = query_local(
        "select campaign_id, treatment_id, sum(human_unique_opens) as ho, sum(human_unique_clicks) as hc, "
        "sum(unique_opens) as uo from rpt_campaign_performance_daily where channel = 'email' group by all",
        settings,
    )
    got = {(r["campaign_id"], r["treatment_id"]): (r["ho"], r["hc"]) for r in rows}
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for fact in truth.messages.values():
        if fact["campaign_id"] and fact["channel"] == "email":
            totals = expected[(fact["campaign_id"], fact["treatment_id"] or "")]
            totals[0] += fact["human_counts"].get("email_open", 0) > 0
            totals[1] += fact["human_counts"].get("email_click", 0) > 0
    assert got == {key: tuple(values) for key, values in expected.items()}
    assert sum(r["uo"] for r in rows) > sum(r["ho"] for r in rows)  # machine opens exist and are left out


def test_sms_daily_cost_and_delivery_by_country(built_lake) -> None:
    settings, truth, _ = built_lake
    rows = query_local("select * from rpt_sms_daily", settings)
    got = {(r["iso_country_code"], r["sent_date"]): r for r in rows}
    expected: dict[tuple[str, date], dict[str, float]] = defaultdict(lambda: {"sent": 0, "delivered": 0, "cost": 0.0})
    for fact in truth.messages.values():
        if fact["channel"] != "sms":
            continue
        bucket = expected[(fact["country"], _truth_day(fact))]
        bucket["sent"] += 1
        bucket["delivered"] += fact["counts"].get("sms_success", 0) > 0
        if fact["price"] is not None:
            bucket["cost"] += (
                fact["price"] / 100_000
                if fact["producer"] == "pinpoint"
                else fact["price"] + (fact["carrier_fee"] or 0)
            )
    assert set(got) == set(expected)
    for key, bucket in expected.items():
        assert got[key]["messages_sent"] == bucket["sent"], key
        assert got[key]["messages_delivered"] == bucket["delivered"], key
        assert got[key]["cost_usd"] == pytest.approx(bucket["cost"]), key


def test_deliverability_per_configuration_set_flags_ses_limits(built_lake) -> None:
    settings, truth, _ = built_lake
    rows = query_local("select * from rpt_deliverability_daily", settings)
    got = {(r["configuration_set"], r["sent_date"]): r for r in rows}
    expected: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for fact in truth.messages.values():
        if fact["channel"] != "email":
            continue
        config_set = fact["configuration_set"] or ("(pinpoint)" if fact["producer"] == "pinpoint" else "(none)")
        bucket = expected[(config_set, _truth_day(fact))]
        bucket[0] += 1
        bucket[1] += fact["counts"].get("email_hardbounce", 0) > 0
        bucket[2] += fact["counts"].get("email_complaint", 0) > 0
    assert {key: (r["messages_sent"], r["hard_bounces"], r["complaints"]) for key, r in got.items()} == {
        key: tuple(values) for key, values in expected.items()
    }
    for row in rows:
        assert row["bounce_rate_over_limit"] == (row["hard_bounces"] / row["messages_sent"] >= 0.05)
        assert row["complaint_rate_over_limit"] == (row["complaints"] / row["messages_sent"] >= 0.001)
