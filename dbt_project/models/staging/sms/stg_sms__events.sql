{#-
  AWS End User Messaging (pinpoint-sms-voice-v2) configuration-set events for SMS, voice and MMS, typed and
  renamed into the canonical event columns. One row per raw record.
-#}
{%- set fields = englake.sms_event_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with records as (
    select record_id, record, ingested_at, ingest_date
    from {{ ref('stg_lake__records') }}
    where producer = 'sms'
),

parsed as (
    select records.*, {{ englake.json_parse_fields('record', fields) }} as parsed
    from records
),

renamed as (
    select
        record_id,
        record,
        ingested_at,
        ingest_date,
        {{ f.event_type }} as raw_event_type,
        {{ f.event_timestamp }} as event_timestamp_ms,
        {{ f.message_request_timestamp }} as message_request_timestamp_ms,
        lower({{ f.is_final }}) = 'true' as is_final,
        -- "If you send messages using the Amazon Pinpoint SendMessages API, the equivalent field … is originationNumber".
        coalesce({{ f.origination_phone_number }}, {{ f.origination_number }}) as origination_number,
        {{ f.destination_phone_number }} as destination_phone_number,
        {{ f.iso_country_code }} as iso_country_code,
        {{ f.message_id }} as message_id,
        {{ f.message_encoding }} as message_encoding,
        {{ f.message_type }} as message_type,
        {{ f.message_status }} as message_status,
        {{ f.message_status_description }} as message_status_description,
        {{ f.context }} as context,
        {{ f.total_message_parts }} as total_message_parts,
        {{ f.total_message_price }} as total_message_price,
        {{ f.total_carrier_fee }} as total_carrier_fee
    from parsed
)

select
    record_id,
    cast('sms' as {{ englake.sql_type('varchar') }}) as producer,
    raw_event_type,
    raw_event_type as event_type_key,
    {{ englake.hash_key(["'sms'", 'raw_event_type', 'message_id', 'event_timestamp_ms', 'message_status',
                         'cast(is_final as ' ~ englake.sql_type('varchar') ~ ')']) }} as event_key,
    {{ englake.epoch_ms_to_timestamp('event_timestamp_ms') }} as event_at,
    {{ englake.typed_null('timestamp') }} as producer_arrival_at,
    ingested_at,
    ingest_date,
    {{ englake.typed_null('varchar') }} as application_id,
    {{ englake.typed_null('varchar') }} as endpoint_id,
    {{ englake.typed_null('varchar') }} as user_id,
    {{ englake.typed_null('varchar') }} as aws_account_id,
    {{ englake.map_get('context', "'campaign_id'") }} as campaign_id,
    {{ englake.typed_null('varchar') }} as campaign_activity_id,
    {{ englake.map_get('context', "'treatment_id'") }} as treatment_id,
    {{ englake.typed_null('varchar') }} as journey_id,
    {{ englake.typed_null('varchar') }} as journey_run_id,
    {{ englake.typed_null('varchar') }} as journey_activity_id,
    {{ englake.typed_null('varchar') }} as journey_send_status,
    {{ englake.typed_null('varchar') }} as campaign_send_status,
    {{ englake.typed_null('varchar') }} as delivery_type,
    message_id,
    {{ englake.epoch_ms_to_timestamp('message_request_timestamp_ms') }} as message_sent_at,
    {{ englake.typed_null('varchar') }} as from_address,
    {{ englake.typed_null('varchar_array') }} as destination,
    {{ englake.typed_null('varchar') }} as subject,
    {{ englake.typed_null('varchar') }} as configuration_set,
    {{ englake.typed_null('recipients') }} as recipients,
    {{ englake.typed_null('varchar_array') }} as event_recipients,
    {{ englake.typed_null('varchar') }} as bounce_type,
    {{ englake.typed_null('varchar') }} as bounce_sub_type,
    {{ englake.typed_null('varchar') }} as feedback_id,
    {{ englake.typed_null('varchar') }} as reporting_mta,
    {{ englake.typed_null('varchar') }} as remote_mta_ip,
    {{ englake.typed_null('varchar') }} as complaint_feedback_type,
    {{ englake.typed_null('varchar') }} as complaint_sub_type,
    {{ englake.typed_null('varchar') }} as ip_address,
    {{ englake.typed_null('varchar') }} as user_agent,
    {{ englake.typed_null('varchar') }} as link,
    {{ englake.typed_null('tags_map') }} as link_tags,
    {{ englake.typed_null('varchar') }} as is_bot_event,
    {{ englake.typed_null('varchar') }} as smtp_response,
    {{ englake.typed_null('bigint') }} as processing_time_millis,
    {{ englake.typed_null('varchar') }} as reject_reason,
    {{ englake.typed_null('varchar') }} as rendering_error,
    {{ englake.typed_null('varchar') }} as template_name,
    {{ englake.typed_null('varchar') }} as delay_type,
    {{ englake.typed_null('timestamp') }} as delay_expires_at,
    {{ englake.typed_null('boolean') }} as unsubscribe_all,
    {{ englake.typed_null('varchar') }} as sender_request_id,
    origination_number,
    destination_phone_number,
    message_status as record_status,
    message_status_description as status_description,
    iso_country_code,
    total_message_parts as message_parts,
    message_type,
    message_encoding,
    is_final,
    {{ englake.typed_null('double') }} as price_in_millicents_usd,
    total_message_price,
    total_carrier_fee,
    {{ englake.epoch_ms_to_timestamp('message_request_timestamp_ms') }} as message_requested_at,
    {{ englake.typed_null('varchar') }} as session_id,
    {{ englake.typed_null('timestamp') }} as session_started_at,
    {{ englake.typed_null('timestamp') }} as session_stopped_at,
    {{ englake.typed_null('varchar_map') }} as event_attributes,
    {{ englake.typed_null('double_map') }} as event_metrics,
    context as message_tags,
    {{ englake.typed_null('tags_map') }} as ses_tags,
    record
from renamed
