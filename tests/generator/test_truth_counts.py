"""Ground truth counts per raw type and per view, re-derived from the generated text."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ingest.generator import VIEWS, SyntheticLake
from tests.generator.contract import (
    EUM_FAILURE,
    raw_type,
    view_of,
)


def test_events_by_raw_type_match_an_independent_count(
    lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]
) -> None:
    counted = Counter(f"{p}:{raw_type(p, obj)}" for p, obj in distinct)
    assert dict(counted) == lake.truth.events_by_raw_type
    assert lake.truth.distinct_events == len(distinct)
    # all three producers, all documented families present
    for key in (
        "pinpoint:_email.open",
        "pinpoint:_email.hardbounce",
        "pinpoint:_email.softbounce",
        "pinpoint:_email.complaint",
        "pinpoint:_email.rejected",
        "pinpoint:_email.rendering_failure",
        "pinpoint:_email.unsubscribe",
        "pinpoint:_SMS.BUFFERED",
        "pinpoint:_SMS.OPTOUT",
        "pinpoint:_campaign.send",
        "pinpoint:_journey.send",
        "pinpoint:_session.start",
        "pinpoint:_monetization.purchase",
        "pinpoint:webinar_registration",
        "pinpoint:product_page_view",
        "ses:Send",
        "ses:Bounce",
        "ses:Complaint",
        "ses:Reject",
        "ses:Rendering Failure",
        "ses:DeliveryDelay",
        "ses:Subscription",
        "ses:Open",
        "ses:Click",
        "sms:TEXT_DELIVERED",
        "sms:TEXT_SUCCESSFUL",
        "sms:TEXT_PENDING",
        *(f"sms:{t}" for t in EUM_FAILURE),
    ):
        assert counted[key] > 0, key


def test_view_rows_match_an_independent_count(lake: SyntheticLake, distinct: list[tuple[str, dict[str, Any]]]) -> None:
    rows: Counter[str] = Counter()
    for p, obj in distinct:
        view = view_of(p, obj)
        if view is None:
            continue
        if view in ("email_hardbounce", "email_softbounce"):  # one row per bounced recipient
            bounce = obj["facets"]["email_channel"]["mail_event"]["bounce"] if p == "pinpoint" else obj["bounce"]
            rows[view] += len(bounce["bounced_recipients"] if p == "pinpoint" else bounce["bouncedRecipients"])
        elif view == "email_complaint":
            c = obj["facets"]["email_channel"]["mail_event"]["complaint"] if p == "pinpoint" else obj["complaint"]
            rows[view] += len(c["complained_recipients"] if p == "pinpoint" else c["complainedRecipients"])
        else:
            rows[view] += 1
    assert set(lake.truth.view_rows) == set(VIEWS)
    assert {v: rows.get(v, 0) for v in VIEWS} == lake.truth.view_rows
    assert all(n > 0 for n in lake.truth.view_rows.values())
    # bounce rows differ from bounce events: some SES bounces name several recipients
    multi = [
        obj
        for p, obj in distinct
        if p == "ses" and raw_type(p, obj) == "Bounce" and len(obj["bounce"]["bouncedRecipients"]) > 1
    ]
    assert multi
    assert all(len(o["mail"]["destination"]) > 1 for o in multi)
