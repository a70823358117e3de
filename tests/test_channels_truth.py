"""The MMS, voice, RCS and WhatsApp views, fct_messages and the campaign report on a generated lake with every
channel (tests/conftest.py ``built_lake``, built with dbt on DuckDB), each equal to the generator's ground truth
(the checks are in tests/channels_truth_support.py; the Athena execution check runs them too)."""

from __future__ import annotations

import pytest

from englake.settings import Settings
from ingest.synthetic.truth import GroundTruth
from tests import channels_truth_support as checks

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def lake(built_lake) -> tuple[Settings, GroundTruth]:
    settings, truth, _ = built_lake
    return settings, truth


@pytest.mark.parametrize("channel", checks.NEW_CHANNELS)
def test_status_view_is_one_row_per_message_with_its_latest_status(lake, channel: str) -> None:
    checks.check_status_view(*lake, channel)


def test_voice_calls_carry_their_durations(lake) -> None:
    checks.check_voice_durations(*lake)


def test_whatsapp_conversations_equal_the_truth(lake) -> None:
    checks.check_whatsapp_conversations(*lake)


def test_whatsapp_inbound_equals_the_truth(lake) -> None:
    checks.check_whatsapp_inbound(*lake)


def test_fct_messages_has_every_new_channel_message_with_its_receipts(lake) -> None:
    checks.check_fct_messages(*lake)


def test_campaign_report_counts_each_new_channel_per_campaign_and_send_date(lake) -> None:
    checks.check_campaign_report(*lake)


def test_events_of_the_new_channels_by_raw_type_equal_the_truth(lake) -> None:
    checks.check_events_by_raw_type(*lake)


def test_a_lake_with_every_channel_builds_with_no_unknown_event_types(lake) -> None:
    """Done-when of issue 16: a generated lake with every channel builds with no `unknown` event types (but the
    future types the generator plants on purpose)."""
    checks.check_no_unknown_event_types(*lake)


def test_the_lake_has_rows_in_every_new_view(lake) -> None:
    _, truth = lake
    assert all(rows > 0 for rows in checks.expected_rows(truth).values()), checks.expected_rows(truth)
