"""The events dashboard's views (reference Event_dashboard.yaml), built by dbt on DuckDB, against generated truth."""

from __future__ import annotations

import pytest

from englake.models import query_local

pytestmark = pytest.mark.dbt

#: Which per-event-type views (the generator's truth counts their rows) make up each dashboard view.
DASHBOARD_VIEWS: dict[str, tuple[str, ...]] = {
    "email_all_events": (
        "email_send",
        "email_delivered",
        "email_open",
        "email_click",
        "email_rejected",
        "email_rendering_failure",
        "email_delivery_delay",
        "email_hardbounce",
        "email_softbounce",
        "email_complaint",
        "email_unsubscribe",
    ),
    "sms_all_events": ("sms_buffered", "sms_success", "sms_failure", "sms_optout"),
    "campaign_all_events": ("campaign_send",),
    "journey_all_events": ("journey_send",),
    "custom_all_events": ("app_event",),
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
