"""Campaign creation and following, on Pinpoint (CreateCampaign, GetCampaignActivities) and Connect outbound
campaigns v2, each reference defect of seed-architectures-spec.md §5 named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from handlers.campaigns import process
from handlers.campaigns.models import (
    PINPOINT_ACTIVITY_STATES,
    CampaignError,
    CampaignRequest,
    summarize_activities,
)
from tests.audience_support import APP, CONNECT_TEMPLATE, DOMAIN, SMS_TEMPLATE, world
from tests.fakes.pinpoint_campaigns import activity


def _pinpoint_segment(w) -> str:
    response = w.pinpoint.create_segment(ApplicationId=APP, WriteSegmentRequest={"Name": "vip"})
    return response["SegmentResponse"]["Id"]


def _profiles_segment(w) -> str:
    w.profile_store.CreateSegmentDefinition(
        DomainName=DOMAIN,
        SegmentDefinitionName="vip",
        DisplayName="vip",
        SegmentGroups={"Include": "ALL", "Groups": []},
    )
    return w.profile_store.segments[(DOMAIN, "vip")]["SegmentDefinitionArn"]


def _request(segment: str, template: str = SMS_TEMPLATE, **kw) -> CampaignRequest:
    return CampaignRequest(name="vip-welcome", segment=segment, template=template, **kw)


# -- states ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activities", "expected"),
    [
        ([], "PENDING"),
        ([activity("PENDING")], "PENDING"),
        ([activity("INITIALIZING")], "RUNNING"),
        ([activity("RUNNING")], "RUNNING"),
        ([activity("PAUSED")], "PAUSED"),
        ([activity("CANCELLED")], "FAILED"),
        ([activity("COMPLETED", "SUCCESS")], "SUCCEEDED"),
        ([activity("COMPLETED", "FAIL")], "FAILED"),
        ([activity("COMPLETED")], "FAILED"),
        ([activity("COMPLETED", "SUCCESS"), activity("RUNNING")], "RUNNING"),
        ([activity("COMPLETED", "SUCCESS"), activity("COMPLETED", "FAIL")], "FAILED"),
        ([activity("UNDOCUMENTED_STATE")], "FAILED"),
    ],
)
def test_defect_5_every_documented_activity_state_and_result_is_handled(activities, expected) -> None:
    assert summarize_activities(activities)[0] == expected


def test_the_documented_states_are_the_six_of_the_api() -> None:
    assert PINPOINT_ACTIVITY_STATES == ("PENDING", "INITIALIZING", "RUNNING", "PAUSED", "CANCELLED", "COMPLETED")


def test_defect_5_no_activity_yet_is_pending_not_an_index_error() -> None:
    with world(activity_script=[[], [activity("COMPLETED", "SUCCESS")]]) as w:
        backend = w.campaign_backend("pinpoint")
        ref = backend.create(_request(_pinpoint_segment(w)))
        first = process.check(ref, 0, backend)
        assert (first.progress, first.activities) == ("PENDING", 0)  # the reference: IndexError on Item[0]
        assert process.check(ref, first.polls, backend).progress == "SUCCEEDED"


@pytest.mark.parametrize("state", ["CANCELLED", "PAUSED"])
def test_defect_5_cancelled_and_paused_campaigns_end_within_the_bound(state: str) -> None:
    with world(activity_script=[[activity(state)]]) as w:
        backend = w.campaign_backend("pinpoint")
        ref = backend.create(_request(_pinpoint_segment(w)))
        waits = []
        final = process.follow(ref, backend, max_polls=5, wait=lambda: waits.append(1))
        assert final.polls <= 5
        assert final.progress == ("FAILED" if state == "CANCELLED" else "PAUSED")
        assert len(waits) == (0 if state == "CANCELLED" else 4)  # the reference looped until the history quota


def test_defect_5_result_fail_is_reported_and_every_activity_page_is_read() -> None:
    # 150 activities: the first page all succeeded, one on the second page failed.
    script = [[activity("COMPLETED", "SUCCESS", TotalEndpointCount=1)] * 149 + [activity("COMPLETED", "FAIL")]]
    with world(activity_script=script) as w:
        backend = w.campaign_backend("pinpoint")
        ref = backend.create(_request(_pinpoint_segment(w)))
        progress = process.check(ref, 0, backend)
        assert progress.progress == "FAILED"
        assert progress.activities == 150
        assert progress.total_endpoints == 149
        pages = [c for c in w.campaigns.calls if c.operation == "GetCampaignActivities"]
        assert len(pages) == 2


# -- creation ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pinpoint", "connect"])
def test_defect_5_the_same_request_twice_is_one_campaign(kind: str) -> None:
    with world() as w:
        segment = _pinpoint_segment(w) if kind == "pinpoint" else _profiles_segment(w)
        template = SMS_TEMPLATE if kind == "pinpoint" else CONNECT_TEMPLATE
        backend = w.campaign_backend(kind)
        start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
        first = backend.create(_request(segment, template, start=start))
        second = backend.create(_request(segment, template, start=start))
        assert first.campaign_id == second.campaign_id
        assert (first.created, second.created) == (True, False)
        count = len(w.campaigns.campaigns) if kind == "pinpoint" else len(w.connect_fake.campaigns)
        assert count == 1


def test_defect_3b_start_time_needs_an_offset_and_is_sent_as_utc() -> None:
    with pytest.raises(ValidationError, match="no UTC offset"):
        _request("seg", start=datetime(2026, 12, 1, 9, 0))  # naive, as the reference's datetime.now()
    with world() as w:
        backend = w.campaign_backend("pinpoint")
        start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
        ref = backend.create(_request(_pinpoint_segment(w), start=start))
        sent = w.campaigns.campaigns[(APP, ref.campaign_id)][0]["Schedule"]
        assert sent == {
            "StartTime": "2026-12-01T08:00:00Z",
            "Frequency": "ONCE",
            "IsLocalTime": False,
            "Timezone": "UTC",
        }


@pytest.mark.parametrize("kind", ["pinpoint", "connect"])
def test_a_missing_segment_or_template_is_a_clear_error_and_nothing_is_created(kind: str) -> None:
    with world() as w:
        backend = w.campaign_backend(kind)
        good_segment = _pinpoint_segment(w) if kind == "pinpoint" else _profiles_segment(w)
        good_template = SMS_TEMPLATE if kind == "pinpoint" else CONNECT_TEMPLATE
        missing_segment = "0" * 32 if kind == "pinpoint" else good_segment.replace("/vip", "/nobody")
        with pytest.raises(CampaignError, match="does not exist"):
            backend.create(_request(missing_segment, good_template))
        with pytest.raises(CampaignError, match="template"):
            backend.create(_request(good_segment, "no-such-template"))
        assert w.campaigns.campaigns == {}
        assert w.connect_fake.campaigns == {}


def test_connect_campaign_is_started_once_and_followed_to_completion() -> None:
    with world(connect_states=["Running", "Paused", "Running", "Completed"]) as w:
        backend = w.campaign_backend("connect")
        ref = backend.create(_request(_profiles_segment(w), CONNECT_TEMPLATE, start=datetime.now(UTC)))
        created = w.connect_fake.campaigns[ref.campaign_id]
        assert created["channelSubtypeConfig"]["sms"]["defaultOutboundConfig"]["wisdomTemplateArn"] == CONNECT_TEMPLATE
        assert created["source"]["customerProfilesSegmentArn"].endswith("/segment-definitions/vip")
        seen = []
        final = process.follow(ref, backend, max_polls=10, wait=lambda: None, on_progress=seen.append)
        assert [p.progress for p in seen] == ["RUNNING", "PAUSED", "RUNNING", "SUCCEEDED"]
        assert final.progress == "SUCCEEDED"
        assert [c.operation for c in w.connect_fake.calls].count("StartCampaign") == 1


@pytest.mark.parametrize(
    ("state", "expected"), [("Stopped", "FAILED"), ("Failed", "FAILED"), ("Completed", "SUCCEEDED")]
)
def test_connect_states_map_to_progress(state: str, expected: str) -> None:
    with world(connect_states=[state]) as w:
        backend = w.campaign_backend("connect")
        ref = backend.create(_request(_profiles_segment(w), CONNECT_TEMPLATE))
        assert process.check(ref, 0, backend).progress == expected


def test_a_dbt_segment_models_members_are_the_campaigns_audience_on_both_back_ends() -> None:
    from segmentation.destinations.base import EndpointChange
    from segmentation.destinations.customer_profiles import CustomerProfilesDestination

    with world() as w:
        # Connect: the segment sync writes seg_<name> = "1"; the segment definition selects exactly those profiles.
        for i in range(5):
            w.profile_store.add_profile(DOMAIN, f"p-{i}", AccountNumber=f"p-{i}")
        sync = CustomerProfilesDestination(w.profiles, DOMAIN, rate=None)
        sync.write([EndpointChange("p-1", ("vip",)), EndpointChange("p-3", ("vip", "other"))])
        connect = w.campaign_backend("connect")
        arn = connect.segment_for_model("vip")
        assert connect.segment_for_model("vip") == arn  # found, not made twice
        assert w.profile_store.members(DOMAIN, arn.rsplit("/", 1)[-1]) == {"p-1", "p-3"}
        ref = connect.create(_request(arn, CONNECT_TEMPLATE))
        assert w.connect_fake.campaigns[ref.campaign_id]["source"]["customerProfilesSegmentArn"] == arn
        # Pinpoint: a dimensional segment on the attribute the sync writes.
        pinpoint = w.campaign_backend("pinpoint")
        segment_id = pinpoint.segment_for_model("vip")
        assert pinpoint.segment_for_model("vip") == segment_id
        segment = w.pinpoint.get_segment(ApplicationId=APP, SegmentId=segment_id)["SegmentResponse"]
        assert segment["Dimensions"]["Attributes"] == {
            "AdvancedSegmentTarget": {"AttributeType": "INCLUSIVE", "Values": ["vip"]}
        }
        assert pinpoint.create(_request(segment_id)).created
