{#-
  One row per event of every producer, deduplicated, with bounce and complaint recipients fanned out (one row per
  recipient, as the reference's bounce views were). Parsed once and stored, so analyst queries never re-parse JSON.
  Incremental by arrival: each run reads records whose Firehose hour is within the lookback of the newest hour
  already here and adds the events not stored yet; an event already stored keeps its first arrival.
-#}
{{ config(**englake.incremental_config('event_id', 'ingested_at')) }}

{%- set since = englake.incremental_since('ingested_at') %}

with staged as (
    select * from {{ ref('int_events_unioned') }}
    {%- if since %}
    where ingested_at >= {{ englake.timestamp_literal(since) }}
    {%- endif %}
),

fanned_out as (
    select
        staged.*,
        fan.recipient
    from staged
    cross join unnest({{ englake.array_or_single_null('staged.recipients') }}) as fan (recipient)
),

keyed as (
    select
        {{ englake.hash_key(['fanned_out.event_key', 'fanned_out.recipient.email_address']) }} as event_id,
        fanned_out.*,
        coalesce(event_types.event_type, 'unknown') as event_type,
        coalesce(event_types.channel, 'unknown') as channel,
        event_types.status_precedence,
        coalesce(fanned_out.is_final, event_types.is_final) as is_final_status
    from fanned_out
    left join {{ ref('event_types') }} as event_types
        on fanned_out.producer = event_types.producer
        and fanned_out.event_type_key = event_types.raw_event_type
),

deduplicated as (
    select
        *,
        row_number() over (partition by event_id order by ingested_at, record_id) as copy_number
    from keyed
)

select
    event_id,
    record_id,
    producer,
    raw_event_type,
    event_type,
    channel,
    event_at,
    producer_arrival_at,
    ingested_at,
    ingest_date,
    application_id,
    endpoint_id,
    user_id,
    aws_account_id,
    campaign_id,
    campaign_activity_id,
    treatment_id,
    journey_id,
    journey_run_id,
    journey_activity_id,
    journey_send_status,
    campaign_send_status,
    delivery_type,
    message_id,
    message_sent_at,
    from_address,
    destination,
    subject,
    configuration_set,
    recipient.email_address as recipient_address,
    recipient.action as bounce_action,
    recipient.status as bounce_status,
    recipient.diagnostic_code as diagnostic_code,
    event_recipients,
    bounce_type,
    bounce_sub_type,
    feedback_id,
    reporting_mta,
    remote_mta_ip,
    complaint_feedback_type,
    complaint_sub_type,
    ip_address,
    user_agent,
    link,
    link_tags,
    is_bot_event,
    smtp_response,
    processing_time_millis,
    reject_reason,
    rendering_error,
    template_name,
    delay_type,
    delay_expires_at,
    unsubscribe_all,
    sender_request_id,
    origination_number,
    destination_phone_number,
    record_status,
    status_description,
    iso_country_code,
    message_parts,
    message_type,
    message_encoding,
    is_final_status as is_final,
    status_precedence,
    price_in_millicents_usd,
    total_message_price,
    total_carrier_fee,
    message_requested_at,
    session_id,
    session_started_at,
    session_stopped_at,
    event_attributes,
    event_metrics,
    message_tags,
    ses_tags
from deduplicated
where copy_number = 1
{%- if since %}
    {#- An event already stored (from this window's re-read or an earlier copy) is kept as it is: first arrival wins. #}
    and event_id not in (select event_id from {{ this }})
{%- endif %}
