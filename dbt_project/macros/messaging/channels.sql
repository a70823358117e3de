{#-
  Reading the newer producers: End User Messaging Social (WhatsApp), whose Meta webhook entry is a JSON string
  inside the AWS record, and the engagement database sample's normalised records.
-#}

{#- A scalar at a JSONPath (`$.a[0].b`, indexes allowed) of a JSON text, as text; NULL when missing or not a scalar. -#}
{% macro json_scalar(expr, path) %}{{ return(adapter.dispatch('json_scalar', 'englake')(expr, path)) }}{% endmacro %}
{% macro default__json_scalar(expr, path) %}{{ exceptions.raise_compiler_error("json_scalar: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_scalar(expr, path) -%}
case when json_valid({{ expr }}) and json_type({{ expr }}, '{{ path }}') not in ('OBJECT', 'ARRAY', 'NULL') then json_extract_string({{ expr }}, '{{ path }}') end
{%- endmacro %}
{% macro athena__json_scalar(expr, path) %}json_extract_scalar(try(json_parse({{ expr }})), '{{ path }}'){% endmacro %}


{#- Epoch seconds as text (Meta's webhook timestamps) to a timestamp; NULL when not an integer of years 1–9999. -#}
{% macro epoch_seconds_from_text(raw) -%}
case when {{ englake.try_parse_bigint(raw) }} between -62135596800 and 253402300799
    then {{ englake.epoch_ms_to_timestamp(englake.try_parse_bigint(raw) ~ ' * 1000') }} end
{%- endmacro %}



{#-
  The raw event type of a WhatsApp event (the rule in ingest/classify.py, social_event_type): the first status of
  the webhook entry, `message` for an inbound message, else `unknown`.
-#}
{% macro social_event_type(entry) -%}
coalesce(
    {{ englake.json_scalar(entry, '$.changes[0].value.statuses[0].status') }},
    case when {{ englake.json_scalar(entry, '$.changes[0].value.messages[0].id') }} is not null
              or {{ englake.json_scalar(entry, '$.changes[0].value.messages[0].type') }} is not null then 'message' end,
    'unknown')
{%- endmacro %}


{#- The raw event type of an engagement-database record (ingest/classify.py, engagementdb_event_type). -#}
{% macro engagementdb_event_type(channel, type, status, status_code) -%}
concat({{ channel }}, ':', coalesce(case
    when {{ channel }} = 'email' and {{ type }} = 'Bounce' then concat({{ type }}, '.', coalesce({{ status_code }}, ''))
    when {{ channel }} = 'email' then {{ type }}
    when {{ channel }} = 'whatsapp' and {{ type }} = 'message' then 'message'
    else {{ status }}
end, ''))
{%- endmacro %}


{#-
  One row per message of a phone-number channel (sms, mms, voice, rcs, whatsapp): its latest status, a final
  receipt first (the reference's sms_status ignored isFinal), then time, then precedence; the columns of sms_status
  plus `extra_columns` ({name: expression over all the message's status events, a window function}). Only status events count (the seed
  gives them a precedence: an inbound WhatsApp message is not a status). Incremental like fct_messages: only
  messages with new events are re-derived, from all their events.
-#}
{% macro phone_message_status(channel, extra_columns={}) %}
{{ config(**englake.incremental_config('messageid', 'last_ingested_at', merge_bound='first_ingested_at')) }}
{%- set since = englake.incremental_since('last_ingested_at') %}
{%- set events_since = englake.message_events_since('messageid') %}

with ranked as (
    select
        *,
        row_number() over (
            partition by message_id
            order by case when is_final then 1 else 0 end desc, event_at desc, status_precedence desc, event_id
        ) as status_rank,
        {%- for name, expression in extra_columns.items() %}
        {{ expression }} as message__{{ name }},
        {%- endfor %}
        -- the message's type from whichever event states it (a WhatsApp read status carries no pricing category)
        max(message_type) over (partition by message_id) as message__message_type,
        min(ingested_at) over (partition by message_id) as first_ingested_at,
        max(ingested_at) over (partition by message_id) as last_ingested_at
    from {{ ref('fct_events') }}
    where channel = {{ englake.string_literal(channel) }} and message_id is not null and status_precedence is not null
    {%- if since %}
        and ingested_at >= {{ englake.timestamp_literal(events_since) }}
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
    message__message_type as message_type,
    message_parts as total_messageparts,
    -- End User Messaging prices as AWS reports them (units are documented inconsistently; see the docs);
    -- Pinpoint's price is thousandths of a US cent. Each is the final receipt's, never summed over events.
    total_message_price as total_messageprice,
    total_carrier_fee as total_carrierfee,
    price_in_millicents_usd,
    {%- for name in extra_columns %}
    message__{{ name }} as {{ name }},
    {%- endfor %}
    campaign_id,
    endpoint_id,
    producer,
    first_ingested_at,
    last_ingested_at
from ranked
where status_rank = 1
{% endmacro %}


{#-
  The engagement database sample's `from_unixtime(timestamp / 1000)`: its timestamp is a bigint, so Trino divides
  as integers and the time keeps whole seconds only. The same on both engines.
-#}
{% macro sample_time(ms) %}{{ englake.epoch_ms_to_timestamp('(' ~ ms ~ ' - ' ~ ms ~ ' % 1000)') }}{% endmacro %}


{#-
  The sample's per-message status view of one End User Messaging channel (its `sms_message_status`,
  `media_message_status`, `voice_message_status`): the latest event per message joined back, one timestamp column
  per event type, price, parts and fee from channelData (voice: price and call duration only, as its voice view).
  `sample_channel` is its channel name (text, media, voice); `statuses` maps its status buckets (success, pending,
  failed) to event types; `columns` maps output column names to event types.
-#}
{% macro sample_message_status(sample_channel, columns, statuses, voice=false) %}
{%- set price = englake.double_from_text(englake.map_get('channeldata', "'totalMessagePrice'")) %}
with records as (
    select * from {{ ref('stg_engagementdb__records') }} where channel = {{ englake.string_literal(sample_channel) }}
),

latest_event as (
    select messageid, max(timestamp) as latest_timestamp
    from records
    group by messageid
),

events as (
    select
        e.*,
        {{ englake.json_scalar('e.rawevent', '$.eventType') }} as raw_event_type_of_record,
        le.latest_timestamp
    from records as e
    inner join latest_event as le on e.messageid = le.messageid
)

select
    messageid,
    max({{ englake.map_get('channeldata', "'isoCountryCode'") }}) as iso_country_code,
    {%- if voice %}
    max({{ price }}) as message_price,
    max({{ englake.bigint_from_text(englake.map_get('channeldata', "'callDurationInSeconds'")) }}) as call_duration,
    {%- else %}
    max(type) as type,
    max({{ englake.double_from_text(englake.map_get('channeldata', "'totalCarrierFee'")) }}) as carrier_fee,
    max({{ price }}) as message_price,
    max({{ englake.bigint_from_text(englake.map_get('channeldata', "'totalMessageParts'")) }}) as message_parts,
    -- As the sample's SQL has it: the message price added to itself (not to the carrier fee).
    round(max({{ price }}) + max({{ price }}), 5) as total_price,
    {%- endif %}
    {{ englake.array_at('destinationaddress', 1) }} as destination_address,
    sendingaddress as sending_address,
    {%- if not voice %}
    max({{ englake.json_scalar('rawevent', '$.carrierName') }}) as carrier_name,
    {%- endif %}
    {%- for name, event_type in columns %}
    max(case when raw_event_type_of_record = '{{ event_type }}' then {{ englake.sample_time('timestamp') }} end) as {{ name }},
    {%- endfor %}
    tags as context,
    min(ingest_timestamp) as ingest_timestamp,
    {{ englake.sample_time('min(timestamp)') }} as message_timestamp,
    max(case when timestamp = latest_timestamp then {{ englake.json_scalar('rawevent', '$.messageStatus') }} end) as last_status,
    {%- if not voice %}
    max(case when timestamp = latest_timestamp then {{ englake.json_scalar('rawevent', '$.messageStatusDescription') }} end) as status_description,
    {%- endif %}
    max(case when timestamp = latest_timestamp then case
        {%- for bucket, event_types in statuses %}
        when raw_event_type_of_record in ('{{ event_types | join("', '") }}') then '{{ bucket }}'
        {%- endfor %}
        else 'unknown' end end) as message_status
from events
group by messageid, destinationaddress, sendingaddress, tags
{% endmacro %}


{#-
  The sample's per-day success and cost view over one of its message status views (sms, media; voice: no type, fee
  or parts, the average call duration instead). Its ORDER BY is dropped: a view has no order.
-#}
{% macro sample_conversion_rates(status_model, voice=false) %}
{%- set keys = ['iso_country_code', 'sending_address'] if voice else ['iso_country_code', 'type', 'sending_address'] %}
select
    ingest_timestamp,
    cast(message_timestamp as date) as message_date,
    {{ keys | join(', ') }},
    count(*) as total_messages,
    count(case when message_status = 'success' then 1 end) as successful_messages,
    round(cast(count(case when message_status = 'success' then 1 end) as double) / count(*), 3) as success_rate_percentage,
    round(sum(message_price), 4) as total_message_price,
    {%- if voice %}
    round(avg(call_duration), 2) as avg_call_duration
    {%- else %}
    round(sum(carrier_fee), 4) as total_carrier_fee,
    round(sum(total_price), 4) as total_cost,
    round(avg(message_parts), 2) as avg_message_parts
    {%- endif %}
from {{ ref(status_model) }}
group by ingest_timestamp, cast(message_timestamp as date), {{ keys | join(', ') }}
{% endmacro %}


{#- The sample's email rates: numerator / denominator rounded to 2 places, 0 when the denominator is 0. -#}
{% macro sample_rate(numerator, denominator, places=2) -%}
round(case when {{ denominator }} > 0 then ({{ numerator }} * 1e0) / {{ denominator }} else 0 end, {{ places }})
{%- endmacro %}
