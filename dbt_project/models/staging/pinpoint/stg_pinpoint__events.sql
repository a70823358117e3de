{#-
  Amazon Pinpoint event-stream records, typed and renamed into the canonical event columns (fill_event_columns:
  the same columns, in the same order, as stg_ses__events and stg_sms__events). One row per raw record.
-#}
{%- set fields = englake.pinpoint_event_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with parsed as (
    {{ englake.parsed_records('pinpoint', fields) }}
),

renamed as (
    select
        record_id,
        ingested_at,
        ingest_date,
        {{ f.event_type }} as raw_event_type,
        {{ f.event_timestamp }} as event_timestamp_ms,
        {{ englake.epoch_ms_from_text(f.event_timestamp) }} as event_timestamp_at,
        {{ f.arrival_timestamp }} as arrival_timestamp_ms,
        {{ englake.epoch_ms_from_text(f.arrival_timestamp) }} as arrival_timestamp_at,
        {{ f.application_id }} as application_id,
        {{ f.client_id }} as client_id,
        {{ f.aws_account_id }} as aws_account_id,
        {{ f.attributes }} as attributes,
        {{ f.metrics }} as metrics,
        {{ f.client_context_custom }} as client_context_custom,
        {{ f.session_id }} as session_id,
        {{ f.session_start_timestamp }} as session_start_ms,
        {{ englake.epoch_ms_from_text(f.session_start_timestamp) }} as session_started_at,
        {{ f.session_stop_timestamp }} as session_stop_ms,
        {{ englake.epoch_ms_from_text(f.session_stop_timestamp) }} as session_stopped_at,
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
        {{ f.processing_time_millis }} as processing_time_text,
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

{#-
  Pinpoint stamps every email event with the send time (event-formats.md gotcha 5): the moment a delivery, open or
  click happened is only known from when Pinpoint received it.
-#}
{%- set event_at -%}
case
    when substr(raw_event_type, 1, 7) = '_email.' and raw_event_type <> '_email.send' then arrival_timestamp_at
    else event_timestamp_at
end
{%- endset -%}
{#- SMS: the Context given at send time, a JSON string (the reference cast it without a guard). -#}
{%- set message_tags -%}
case
    when substr(raw_event_type, 1, 5) = '_SMS.' then {{ englake.json_text_to_map('customer_context') }}
    else {{ englake.map_concat_nullsafe('client_context_custom', 'attributes') }}
end
{%- endset %}

select
{{ englake.fill_event_columns({
    'record_id': 'record_id',
    'producer': "'pinpoint'",
    'raw_event_type': 'raw_event_type',
    'event_type_key': "case when substr(raw_event_type, 1, 1) = '_' then raw_event_type else '<custom>' end",
    'event_key': englake.hash_key(["'pinpoint'", 'raw_event_type', 'event_timestamp_ms', 'arrival_timestamp_ms',
                                   'application_id', 'client_id', 'coalesce(email_message_id, sms_message_id)',
                                   'session_id', 'link']),
    'invalid_fields': englake.invalid_fields([
        ('event_timestamp', 'event_timestamp_ms', 'event_timestamp_at'),
        ('arrival_timestamp', 'arrival_timestamp_ms', 'arrival_timestamp_at'),
        ('session.start_timestamp', 'session_start_ms', 'session_started_at'),
        ('session.stop_timestamp', 'session_stop_ms', 'session_stopped_at'),
        ('processing_time_millis', 'processing_time_text', englake.bigint_from_text('processing_time_text')),
    ]),
    'event_at': event_at,
    'producer_arrival_at': 'arrival_timestamp_at',
    'ingested_at': 'ingested_at',
    'ingest_date': 'ingest_date',
    'application_id': 'application_id',
    'endpoint_id': 'client_id',
    'user_id': englake.json_text_at('endpoint_json', 'User.UserId'),
    'aws_account_id': 'aws_account_id',
    'campaign_id': 'campaign_id',
    'campaign_activity_id': 'campaign_activity_id',
    'treatment_id': 'treatment_id',
    'journey_id': 'journey_id',
    'journey_run_id': 'journey_run_id',
    'journey_activity_id': 'journey_activity_id',
    'journey_send_status': 'journey_send_status',
    'campaign_send_status': 'campaign_send_status',
    'delivery_type': 'delivery_type',
    'message_id': 'coalesce(email_message_id, sms_message_id)',
    'message_sent_at': englake.epoch_ms_or_rfc822_to_timestamp('message_send_timestamp'),
    'from_address': 'from_address',
    'destination': 'destination',
    'subject': 'subject',
    'recipients': "case when raw_event_type in ('_email.hardbounce', '_email.softbounce') then bounced_recipients when raw_event_type = '_email.complaint' then complained_recipients end",
    'event_recipients': 'delivery_recipients',
    'bounce_type': 'bounce_type',
    'bounce_sub_type': 'bounce_sub_type',
    'feedback_id': 'feedback_id',
    'reporting_mta': 'reporting_mta',
    'complaint_feedback_type': 'complaint_feedback_type',
    'ip_address': 'ip_address',
    'user_agent': 'user_agent',
    'link': 'link',
    'link_tags': 'link_tags',
    'smtp_response': 'smtp_response',
    'processing_time_millis': englake.bigint_from_text('processing_time_text'),
    'reject_reason': 'reject_reason',
    'sender_request_id': 'sender_request_id',
    'origination_number': 'origination_number',
    'destination_phone_number': 'destination_phone_number',
    'record_status': 'record_status',
    'iso_country_code': 'iso_country_code',
    'message_parts': englake.bigint_from_text('number_of_message_parts'),
    'message_type': 'message_type',
    'price_in_millicents_usd': englake.map_get('metrics', "'price_in_millicents_usd'"),
    'session_id': 'session_id',
    'session_started_at': 'session_started_at',
    'session_stopped_at': 'session_stopped_at',
    'event_attributes': 'attributes',
    'event_metrics': 'metrics',
    'message_tags': message_tags,
}) }}
from renamed
