"""Synthetic events with ground truth: the public API (implementation in ``ingest.synthetic``).

A seeded generator of the three producers' records (event-formats.md), the endpoint export, and the truth tests
compare against::

    lake = generate(GeneratorConfig(seed=7, events=1_000_000, days=30))
    for record in lake.records(progress=bar.update):  # RawRecord(producer, arrival, line), sorted by arrival
        ...
    export = list(lake.endpoints())                   # Pinpoint export (EndpointResponse) dicts
    lake.truth.view_rows["email_hardbounce"]          # GroundTruth; .to_json() / GroundTruth.from_json()

What the lake holds: one Pinpoint app whose users each have an EMAIL endpoint and often an SMS endpoint; Pinpoint
campaigns (A/B/C treatments "0"/"1"/"2", a webinar invitation, SMS campaigns, weekly digests, a seed-list check)
and journeys (welcome series with an SMS step, abandoned cart); Pinpoint transactional email and SMS; SES-native
email through configuration sets (transactional, newsletters with topic subscriptions, multi-recipient billing
notices, identity feedback notifications); End User Messaging SMS; app sessions with product views, purchases and
webinar registrations. Plus duplicates, late and very late records, unknown event types, new fields, malformed and
unclassifiable lines.

Decisions others rely on:

- SES-native mail belongs to a campaign through its ``campaign`` mail tag; it has no treatment, so its key in
  ``truth.campaigns[campaign_id]`` is ``""`` (a model would show NULL).
- App events (custom, ``_monetization.purchase``, ``_userauth.*``, sessions) use the user's EMAIL endpoint id as
  ``client.client_id``, so segments built on app behaviour target email endpoints.
- Pinpoint transactional email carries a per-message UUID as ``client_id`` (as AWS documents); it is not an
  endpoint. Engagement facts attribute such mail, and SES-native mail, to endpoints by recipient address
  (``"match": "address"``); campaign and journey mail by ``client_id`` (``"match": "endpoint_id"``).
- A line whose Firehose arrival would be at or after ``end`` has not landed yet: it is not generated and not in
  the truth. Event times lie in ``[end - days, end)``.
- Truncated JSON keeps the producer of the stream it arrived on; other garbage and unclassifiable objects have
  ``producer=None``.
- Every view has rows at any scale of at least ~100 events: a few "showcase" messages with forced outcomes
  (bounces, complaints, rejects, rendering failures, delays, unsubscribes, SMS failures and opt-outs) are planned
  early in the window and never arrive late.
- Prices: ``truth.messages[...]["price"]`` is in the producer's unit — Pinpoint ``price_in_millicents_usd``,
  EUM ``totalMessagePrice`` (written as USD, e.g. 0.00645; AWS's unit is unverified, event-formats.md gotcha 14).
"""

from ingest.synthetic import VIEWS, GeneratorConfig, GroundTruth, RawRecord, SyntheticLake, generate

__all__ = ["VIEWS", "GeneratorConfig", "GroundTruth", "RawRecord", "SyntheticLake", "generate"]
