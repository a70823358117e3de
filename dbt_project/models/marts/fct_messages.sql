{#-
  One row per message × recipient (email address or phone number), with a count, first and last time per event
  type and the latest status. Events that name their recipients (bounced, complained, delivered, delayed) count for
  those recipients only; the others (send, open, click, reject, …) for every address the message went to.
  Incremental: a run re-derives, from all their events, only the messages that received an event since the newest
  arrival already here (minus the lookback).
-#}
{{ config(**englake.incremental_config('message_recipient_id', 'last_ingested_at', merge_bound='first_ingested_at')) }}
{%- set since = englake.incremental_since('last_ingested_at') %}
{%- set events_since = englake.message_events_since('message_id') %}
{%- set email_types = ['send', 'delivered', 'open', 'click', 'hardbounce', 'softbounce', 'complaint', 'unsubscribe',
                       'rejected', 'rendering_failure', 'delivery_delay'] -%}
{%- set sms_types = ['buffered', 'success', 'failure', 'optout'] -%}
{#- The channels addressed by phone number (End User Messaging SMS, MMS, voice, RCS; WhatsApp). -#}
{%- set phone_channels = "('sms', 'mms', 'voice', 'rcs', 'whatsapp')" -%}
{#- Whom each event was addressed to: one row per recipient it counts for. -#}
{%- set addressed -%}
case
    when message_events.channel in {{ phone_channels }} then array[message_events.destination_phone_number]
    when message_events.recipient_address is not null then array[message_events.recipient_address]
    when {{ englake.array_length('message_events.event_recipients') }} > 0 then message_events.event_recipients
    else message_events.destination
end
{%- endset -%}

with message_events as (
    select fct_events.*, outcomes.outcome
    from {{ ref('fct_events') }} as fct_events
    -- The seed's outcome (delivered / failed receipt) of each canonical event type.
    left join (select distinct event_type, outcome from {{ ref('event_types') }}) as outcomes
        on fct_events.event_type = outcomes.event_type
    -- Phone channels: status events only (an inbound WhatsApp message is not a message the business sent).
    where fct_events.message_id is not null
        and (fct_events.channel = 'email' or (fct_events.channel in {{ phone_channels }} and fct_events.status_precedence is not null))
    {%- if since %}
        and fct_events.ingested_at >= {{ englake.timestamp_literal(events_since) }}
        and message_id in (
            select message_id from {{ ref('fct_events') }}
            where ingested_at >= {{ englake.timestamp_literal(since) }} and message_id is not null
        )
    {%- endif %}
),

recipient_events as (
    select
        message_events.*,
        lower({{ englake.trim_whitespace('recipient') }}) as message_recipient
    from {{ englake.each_element('message_events', addressed, 'recipient') }}
    where recipient is not null
),

ranked as (
    select
        *,
        -- Latest status: email by precedence (a complaint outranks the open before it); SMS by the final carrier
        -- receipt, then time (the reference's sms_status ignored isFinal).
        row_number() over (
            partition by message_id, message_recipient
            order by
                case when channel in {{ phone_channels }} and is_final then 1 else 0 end desc,
                case when channel = 'email' then status_precedence else 0 end desc,
                event_at desc,
                status_precedence desc,
                event_id
        ) as status_rank
    from recipient_events
),

latest as (
    select
        message_id,
        message_recipient,
        event_type as latest_status,
        event_at as latest_status_at,
        record_status as latest_record_status
    from ranked
    where status_rank = 1
),

aggregated as (
    select
        message_id,
        message_recipient,
        max(channel) as channel,
        max(producer) as producer,
        max(application_id) as application_id,
        max(endpoint_id) as endpoint_id,
        max(user_id) as user_id,
        max(campaign_id) as campaign_id,
        max(treatment_id) as treatment_id,
        max(journey_id) as journey_id,
        max(journey_activity_id) as journey_activity_id,
        max(configuration_set) as configuration_set,
        max(from_address) as from_address,
        max(origination_number) as origination_number,
        max(subject) as subject,
        coalesce(min(message_sent_at), min(case when event_type in ('email_send', 'sms_buffered') then event_at end), min(event_at)) as sent_at,
        {%- for t in email_types %}
        cast(sum(case when event_type = 'email_{{ t }}' then 1 else 0 end) as bigint) as count_{{ t }},
        {%- endfor %}
        {%- for t in sms_types %}
        cast(sum(case when event_type = 'sms_{{ t }}' then 1 else 0 end) as bigint) as count_sms_{{ t }},
        {%- endfor %}
        {%- for t in ['delivered', 'open', 'click', 'hardbounce', 'softbounce', 'complaint', 'unsubscribe'] %}
        min(case when event_type = 'email_{{ t }}' then event_at end) as first_{{ t }}_at,
        max(case when event_type = 'email_{{ t }}' then event_at end) as last_{{ t }}_at,
        {%- endfor %}
        cast(sum(case when event_type = 'email_open' and not {{ englake.is_machine_event() }} then 1 else 0 end) as bigint) as count_human_open,
        cast(sum(case when event_type = 'email_click' and not {{ englake.is_machine_event() }} then 1 else 0 end) as bigint) as count_human_click,
        max(iso_country_code) as iso_country_code,
        min(case when event_type in ('sms_success', 'sms_failure') then event_at end) as first_sms_receipt_at,
        cast(sum(case when outcome = 'delivered' then 1 else 0 end) as bigint) as count_delivered_receipt,
        cast(sum(case when outcome = 'failed' then 1 else 0 end) as bigint) as count_failed_receipt,
        max(call_duration_seconds) as call_duration_seconds,
        -- SMS price: the final receipt's, taken once (never summed over a message's events: the reference's status
        -- views added the price to itself). Pinpoint prices only final receipts; End User Messaging repeats it on
        -- intermediate ones, which is all there is until the final receipt arrives.
        coalesce(max(case when is_final then price_in_millicents_usd end), max(price_in_millicents_usd)) as price_in_millicents_usd,
        coalesce(max(case when is_final then total_message_price end), max(total_message_price)) as total_message_price,
        coalesce(max(case when is_final then total_carrier_fee end), max(total_carrier_fee)) as total_carrier_fee,
        min(ingested_at) as first_ingested_at,
        max(ingested_at) as last_ingested_at
    from recipient_events
    group by message_id, message_recipient
)

select
    {{ englake.hash_key(['aggregated.message_id', 'aggregated.message_recipient']) }} as message_recipient_id,
    aggregated.message_id,
    aggregated.message_recipient as recipient_address,
    aggregated.channel,
    aggregated.producer,
    aggregated.application_id,
    aggregated.endpoint_id,
    aggregated.user_id,
    aggregated.campaign_id,
    aggregated.treatment_id,
    aggregated.journey_id,
    aggregated.journey_activity_id,
    aggregated.configuration_set,
    aggregated.from_address,
    aggregated.origination_number,
    aggregated.subject,
    aggregated.sent_at,
    cast(aggregated.sent_at as date) as sent_date,
    {%- for t in email_types %}
    aggregated.count_{{ t }},
    {%- endfor %}
    {%- for t in sms_types %}
    aggregated.count_sms_{{ t }},
    {%- endfor %}
    {%- for t in ['delivered', 'open', 'click', 'hardbounce', 'softbounce', 'complaint', 'unsubscribe'] %}
    aggregated.count_{{ t }} > 0 as was_{{ t }},
    aggregated.first_{{ t }}_at,
    aggregated.last_{{ t }}_at,
    {%- endfor %}
    aggregated.count_human_open,
    aggregated.count_human_click,
    aggregated.count_human_open > 0 as was_human_open,
    aggregated.count_human_click > 0 as was_human_click,
    aggregated.iso_country_code,
    {{ dbt.datediff('aggregated.sent_at', 'aggregated.first_open_at', 'minute') }} as minutes_to_first_open,
    aggregated.first_sms_receipt_at,
    aggregated.count_delivered_receipt,
    aggregated.count_failed_receipt,
    aggregated.call_duration_seconds,
    latest.latest_status,
    latest.latest_status_at,
    latest.latest_record_status,
    aggregated.price_in_millicents_usd,
    aggregated.total_message_price,
    aggregated.total_carrier_fee,
    aggregated.first_ingested_at,
    aggregated.last_ingested_at
from aggregated
inner join latest
    on aggregated.message_id = latest.message_id
    and aggregated.message_recipient = latest.message_recipient
