{#-
  One row per email message, as the reference's SES event database offered (per recipient: fct_messages).
  Incremental like fct_messages: only messages with new events are re-derived, from all their events.
-#}
{{ config(**englake.incremental_config('message_id', 'last_ingested_at', merge_bound='first_ingested_at')) }}
{%- set since = englake.incremental_since('last_ingested_at') %}
{%- set events_since = englake.message_events_since('message_id') %}

with email_events as (
    select * from {{ ref('fct_events') }}
    where channel = 'email' and message_id is not null
    {%- if since %}
        and ingested_at >= {{ englake.timestamp_literal(events_since) }}
        and message_id in (
            select message_id from {{ ref('fct_events') }}
            where ingested_at >= {{ englake.timestamp_literal(since) }} and message_id is not null
        )
    {%- endif %}
),

latest as (
    select message_id, event_type as latest_status
    from (
        select
            message_id,
            event_type,
            row_number() over (partition by message_id order by status_precedence desc, event_at desc, event_id) as status_rank
        from email_events
    ) as ranked
    where status_rank = 1
)

select
    email_events.message_id,
    max(email_events.subject) as subject,
    -- The largest list, not any_value: both engines must pick the same one when events disagree.
    max(email_events.destination) as destination,
    coalesce(min(email_events.message_sent_at), min(case when email_events.event_type = 'email_send' then email_events.event_at end)) as time_sent,
    min(case when email_events.event_type = 'email_delivered' then email_events.event_at end) as time_delivered,
    min(case when email_events.event_type = 'email_open' then email_events.event_at end) as time_opened,
    min(case when email_events.event_type = 'email_click' then email_events.event_at end) as time_clicked,
    min(case when email_events.event_type in ('email_hardbounce', 'email_softbounce') then email_events.event_at end) as time_bounced,
    max(email_events.bounce_type) as bounce_type,
    max(email_events.bounce_sub_type) as bounce_subtype,
    min(case when email_events.event_type = 'email_complaint' then email_events.event_at end) as time_complained,
    max(email_events.complaint_feedback_type) as complaint_feedbacktype,
    min(case when email_events.event_type = 'email_unsubscribe' then email_events.event_at end) as time_unsubscribed,
    latest.latest_status,
    max(email_events.campaign_id) as campaign_id,
    max(email_events.configuration_set) as configuration_set,
    max(email_events.producer) as producer,
    min(email_events.ingested_at) as first_ingested_at,
    max(email_events.ingested_at) as last_ingested_at
from email_events
inner join latest on email_events.message_id = latest.message_id
group by email_events.message_id, latest.latest_status
