{#-
  Email opens and clicks credited to the EMAIL endpoint they reached: by endpoint id where the event carries a known
  one (campaign and journey mail), else by the recipient address (SES-native and Pinpoint transactional mail, whose
  client id is a per-message id). Opens SES marks as likely bots are flagged. A table: the segments read it
  several times, and the endpoints are parsed from their export once per run. Only the segments read it, so it is
  built with them (tag segment_input: the hourly selector leaves it to the daily run).
-#}
{{ config(materialized='table', tags=['segment_input']) }}
with engagement as (
    select
        event_id,
        event_type,
        event_at,
        message_id,
        campaign_id,
        journey_id,
        subject,
        endpoint_id,
        destination,
        coalesce(is_bot_event, '') = 'Likely' as is_bot
    from {{ ref('fct_events') }}
    where event_type in ('email_open', 'email_click')
),

email_endpoints as (
    select endpoint_id, address_key from {{ ref('stg_pinpoint__endpoints') }} where channel_type = 'EMAIL'
),

by_endpoint_id as (
    select engagement.*, email_endpoints.endpoint_id as engaged_endpoint_id
    from engagement
    inner join email_endpoints on engagement.endpoint_id = email_endpoints.endpoint_id
),

by_address as (
    select engagement.*, email_endpoints.endpoint_id as engaged_endpoint_id
    from engagement
    cross join unnest(engagement.destination) as addressed (address)
    inner join email_endpoints on lower({{ englake.trim_whitespace('addressed.address') }}) = email_endpoints.address_key
    where engagement.endpoint_id is null
        or engagement.endpoint_id not in (select endpoint_id from email_endpoints)
)

select * from by_endpoint_id
union all
select * from by_address
