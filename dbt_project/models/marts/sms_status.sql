{#-
  One row per SMS message: its latest status, a final carrier receipt first (the reference ignored isFinal).
  Incremental like fct_messages: only messages with new events are re-derived, from all their events.
-#}
{{ config(**englake.incremental_config('messageid', 'last_ingested_at')) }}
{%- set since = englake.incremental_since('last_ingested_at') %}

with ranked as (
    select
        *,
        row_number() over (
            partition by message_id
            order by case when is_final then 1 else 0 end desc, event_at desc, status_precedence desc, event_id
        ) as status_rank,
        max(ingested_at) over (partition by message_id) as last_ingested_at
    from {{ ref('fct_events') }}
    where channel = 'sms' and message_id is not null
    {%- if since %}
        and message_id in (
            select message_id from {{ ref('fct_events') }}
            where ingested_at >= {{ englake.timestamp_literal(since) }} and message_id is not null
        )
    {%- endif %}
)

select
    message_id as messageid,
    event_at as event_timestamp,
    event_type,
    raw_event_type,
    record_status as message_status,
    status_description as message_status_description,
    is_final,
    origination_number as origination_phonenumber,
    destination_phone_number as destination_phonenumber,
    iso_country_code as iso_countrycode,
    message_encoding,
    message_type,
    message_parts as total_messageparts,
    -- End User Messaging prices as AWS reports them (units are documented inconsistently; see the docs);
    -- Pinpoint's price is thousandths of a US cent. Each is the final receipt's, never summed over events.
    total_message_price as total_messageprice,
    total_carrier_fee as total_carrierfee,
    price_in_millicents_usd,
    campaign_id,
    endpoint_id,
    producer,
    last_ingested_at
from ranked
where status_rank = 1
