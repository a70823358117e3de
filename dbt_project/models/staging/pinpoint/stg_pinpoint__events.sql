{#-
  Amazon Pinpoint event-stream records, typed and renamed into the canonical event columns (the same columns, in
  the same order, as stg_ses__events and stg_sms__events). One row per raw record.
-#}
{%- set fields = englake.pinpoint_event_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with parsed as (
    {{ englake.parsed_records('pinpoint', fields) }}
),

renamed as (
    select
        record_id,
        record,
        ingested_at,
        ingest_date,
        {{ f.event_type }} as raw_event_type,
        {{ f.event_timestamp }} as event_timestamp_ms,
        {{ f.arrival_timestamp }} as arrival_timestamp_ms,
        {{ f.application_id }} as application_id,
        {{ f.client_id }} as client_id,
        {{ f.aws_account_id }} as aws_account_id,
        {{ f.attributes }} as attributes,
        {{ f.metrics }} as metrics,
        {{ f.client_context_custom }} as client_context_custom,
        {{ f.session_id }} as session_id,
        {{ f.session_start_timestamp }} as session_start_ms,
        {{ f.session_stop_timestamp }} as session_stop_ms,
        {{ f.message_id }} as email_message_id,
        {{ f.message_send_timestamp }} as message_send_timestamp,
        {{ f.from_address }} as from_address,
        {{ f.destination }} as destination,
        {{ f.subject }} as subject,
        {{ f.bounce_type }} as bounce_type,
        {{ f.bounce_sub_type }} as bounce_sub_type,
        {{ englake.recipients_from_objects(f.bounced_recipients, ['email_address', 'action', 'status', 'diagnostic_code']) }} as bounced_recipients,
        {{ englake.recipients_from_objects(f.complained_recipients, ['email_address', none, none, none]) }} as complained_recipients,
        coalesce({{ f.bounce_feedback_id }}, {{ f.complaint_feedback_id }}) as feedback_id,
        coalesce({{ f.bounce_reporting_mta }}, {{ f.delivery_reporting_mta }}) as reporting_mta,
        {{ f.complaint_feedback_type }} as complaint_feedback_type,
        {{ f.smtp_response }} as smtp_response,
        {{ f.delivery_recipients }} as delivery_recipients,
        {{ f.processing_time_millis }} as processing_time_millis,
        coalesce({{ f.open_ip_address }}, {{ f.click_ip_address }}) as ip_address,
        coalesce({{ f.open_user_agent }}, {{ f.click_user_agent }}, {{ f.complaint_user_agent }}) as user_agent,
        {{ f.click_link }} as link,
        {{ f.click_link_tags }} as link_tags,
        {{ f.reject_reason }} as reject_reason,
        {{ englake.map_value(f.attributes, 'campaign_id') }} as campaign_id,
        {{ englake.map_value(f.attributes, 'campaign_activity_id') }} as campaign_activity_id,
        -- The real key is treatment_id: the reference's views read 'treament_id' and were always NULL.
        {{ englake.map_value(f.attributes, 'treatment_id') }} as treatment_id,
        {{ englake.map_value(f.attributes, 'journey_id') }} as journey_id,
        {{ englake.map_value(f.attributes, 'journey_run_id') }} as journey_run_id,
        {{ englake.map_value(f.attributes, 'journey_activity_id') }} as journey_activity_id,
        {{ englake.map_value(f.attributes, 'journey_send_status') }} as journey_send_status,
        {{ englake.map_value(f.attributes, 'campaign_send_status') }} as campaign_send_status,
        {{ englake.map_value(f.attributes, 'delivery_type') }} as delivery_type,
        {{ englake.map_value(f.attributes, 'sender_request_id') }} as sender_request_id,
        {{ englake.map_value(f.attributes, 'message_id') }} as sms_message_id,
        {{ englake.map_value(f.attributes, 'origination_phone_number') }} as origination_number,
        {{ englake.map_value(f.attributes, 'destination_phone_number') }} as destination_phone_number,
        {{ englake.map_value(f.attributes, 'record_status') }} as record_status,
        {{ englake.map_value(f.attributes, 'iso_country_code') }} as iso_country_code,
        {{ englake.map_value(f.attributes, 'number_of_message_parts') }} as number_of_message_parts,
        {{ englake.map_value(f.attributes, 'message_type') }} as message_type,
        {{ englake.map_value(f.attributes, 'customer_context') }} as customer_context,
        {{ englake.map_get(f.client_context_custom, "'endpoint'") }} as endpoint_json
    from parsed
)

select
    record_id,
    cast('pinpoint' as {{ englake.sql_type('varchar') }}) as producer,
    raw_event_type,
    -- Custom app events are named by the app; AWS's own event types start with an underscore.
    case when substr(raw_event_type, 1, 1) = '_' then raw_event_type else '<custom>' end as event_type_key,
    {{ englake.hash_key(["'pinpoint'", 'raw_event_type', 'event_timestamp_ms', 'arrival_timestamp_ms', 'application_id',
                         'client_id', 'coalesce(email_message_id, sms_message_id)', 'session_id', 'link']) }} as event_key,
    -- Pinpoint stamps every email event with the send time (event-formats.md gotcha 5): the moment a delivery,
    -- open or click happened is only known from when Pinpoint received it.
    case
        when substr(raw_event_type, 1, 7) = '_email.' and raw_event_type <> '_email.send'
            then {{ englake.epoch_ms_to_timestamp('arrival_timestamp_ms') }}
        else {{ englake.epoch_ms_to_timestamp('event_timestamp_ms') }}
    end as event_at,
    {{ englake.epoch_ms_to_timestamp('arrival_timestamp_ms') }} as producer_arrival_at,
    ingested_at,
    ingest_date,
    application_id,
    client_id as endpoint_id,
    {{ englake.json_text_at('endpoint_json', 'User.UserId') }} as user_id,
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
    coalesce(email_message_id, sms_message_id) as message_id,
    {{ englake.epoch_ms_or_rfc822_to_timestamp('message_send_timestamp') }} as message_sent_at,
    from_address,
    destination,
    subject,
    {{ englake.typed_null('varchar') }} as configuration_set,
    case
        when raw_event_type in ('_email.hardbounce', '_email.softbounce') then bounced_recipients
        when raw_event_type = '_email.complaint' then complained_recipients
    end as recipients,
    delivery_recipients as event_recipients,
    bounce_type,
    bounce_sub_type,
    feedback_id,
    reporting_mta,
    {{ englake.typed_null('varchar') }} as remote_mta_ip,
    complaint_feedback_type,
    {{ englake.typed_null('varchar') }} as complaint_sub_type,
    ip_address,
    user_agent,
    link,
    link_tags,
    {{ englake.typed_null('varchar') }} as is_bot_event,
    smtp_response,
    processing_time_millis,
    reject_reason,
    {{ englake.typed_null('varchar') }} as rendering_error,
    {{ englake.typed_null('varchar') }} as template_name,
    {{ englake.typed_null('varchar') }} as delay_type,
    {{ englake.typed_null('timestamp') }} as delay_expires_at,
    {{ englake.typed_null('boolean') }} as unsubscribe_all,
    sender_request_id,
    origination_number,
    destination_phone_number,
    record_status,
    {{ englake.typed_null('varchar') }} as status_description,
    iso_country_code,
    try_cast(number_of_message_parts as {{ englake.sql_type('bigint') }}) as message_parts,
    message_type,
    {{ englake.typed_null('varchar') }} as message_encoding,
    {{ englake.typed_null('boolean') }} as is_final,
    {{ englake.map_get('metrics', "'price_in_millicents_usd'") }} as price_in_millicents_usd,
    {{ englake.typed_null('double') }} as total_message_price,
    {{ englake.typed_null('double') }} as total_carrier_fee,
    {{ englake.typed_null('timestamp') }} as message_requested_at,
    session_id,
    {{ englake.epoch_ms_to_timestamp('session_start_ms') }} as session_started_at,
    {{ englake.epoch_ms_to_timestamp('session_stop_ms') }} as session_stopped_at,
    attributes as event_attributes,
    metrics as event_metrics,
    case
        -- SMS: the Context given at send time, a JSON string (the reference cast it without a guard).
        when substr(raw_event_type, 1, 5) = '_SMS.' then {{ englake.json_text_to_map('customer_context') }}
        else {{ englake.map_concat_nullsafe('client_context_custom', 'attributes') }}
    end as message_tags,
    {{ englake.typed_null('tags_map') }} as ses_tags,
    record
from renamed
