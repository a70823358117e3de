{#-
  A per-event-type view: the rows of fct_events of one canonical event type, with the column names analysts know
  from the reference (event_timestamp, pinpoint_campaign_id, ingest_timestamp, …), the columns its channel shares,
  then `extra_columns` (names from fct_events, optionally "expression as name"). Each view file is one call.
-#}
{% macro event_view(event_type, extra_columns=[]) -%}
    {%- set channel_columns = {
        'email': ['message_id', 'message_sent_at as message_send_timestamp', 'from_address', 'destination',
                  'subject', 'configuration_set'],
        'sms': ['sender_request_id', 'message_id', 'destination_phone_number', 'origination_number as origination_phone_number',
                'record_status', 'status_description', 'iso_country_code', 'message_parts as number_of_message_parts',
                'message_type', 'message_encoding', 'is_final', 'price_in_millicents_usd', 'total_message_price',
                'total_carrier_fee', 'message_requested_at'],
    } -%}
    {#- The other phone-number channels share SMS's columns (End User Messaging fills the same fields). -#}
    {%- for phone_channel in ['mms', 'voice', 'rcs', 'whatsapp'] -%}
        {%- do channel_columns.update({phone_channel: channel_columns['sms']}) -%}
    {%- endfor -%}
    {%- set channel = event_type.split('_')[0] -%}
    {%- set known = englake.fct_event_column_names() -%}
    {%- for column in channel_columns.get(channel, []) + extra_columns -%}
        {%- set source_column = column.split(' as ')[0].strip() -%}
        {%- if modules.re.fullmatch('[a-z_][a-z0-9_]*', source_column) and source_column not in known -%}
            {{ exceptions.raise_compiler_error("event_view " ~ event_type ~ ": " ~ source_column ~ " is not a column of fct_events (macros/messaging/event_columns.sql)") }}
        {%- endif -%}
    {%- endfor -%}
select
    event_at as event_timestamp,
    producer_arrival_at as arrival_timestamp,
    application_id,
    endpoint_id,
    campaign_id as pinpoint_campaign_id,
    treatment_id as pinpoint_treatment_id,
    aws_account_id,
    {%- for column in channel_columns.get(channel, []) + extra_columns %}
    {{ column }},
    {%- endfor %}
    message_tags,
    ingested_at as ingest_timestamp,
    event_id,
    producer,
    raw_event_type,
    user_id,
    campaign_activity_id,
    journey_id,
    journey_activity_id
from {{ ref('fct_events') }}
where event_type = {{ englake.string_literal(event_type) }}
{%- endmacro %}
