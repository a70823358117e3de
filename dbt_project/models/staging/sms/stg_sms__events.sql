{#-
  AWS End User Messaging (pinpoint-sms-voice-v2) configuration-set events for SMS, voice and MMS, typed and
  renamed into the canonical event columns. One row per raw record.
-#}
{%- set fields = englake.sms_event_fields() -%}
{%- set f = englake.json_fields('parsed', fields) %}

with parsed as (
    {{ englake.parsed_records('sms', fields) }}
),

renamed as (
    select
        record_id,
        ingested_at,
        ingest_date,
        {{ f.event_type }} as raw_event_type,
        {{ f.event_timestamp }} as event_timestamp_ms,
        {{ englake.epoch_ms_from_text(f.event_timestamp) }} as event_timestamp_at,
        {{ f.message_request_timestamp }} as message_request_timestamp_ms,
        {{ englake.epoch_ms_from_text(f.message_request_timestamp) }} as message_requested_at,
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
        {{ f.total_message_parts }} as total_message_parts_text,
        {{ f.total_message_price }} as total_message_price_text,
        {{ f.total_carrier_fee }} as total_carrier_fee_text,
        -- a completed call's length (voice; AWS's engagement-database sample reads the same key)
        {{ f.call_duration_seconds }} as call_duration_text
    from parsed
)

select
{{ englake.fill_event_columns({
    'record_id': 'record_id',
    'producer': "'sms'",
    'raw_event_type': 'raw_event_type',
    'event_type_key': 'raw_event_type',
    'event_key': englake.hash_key(["'sms'", 'raw_event_type', 'message_id', 'event_timestamp_ms', 'message_status',
                                   'cast(is_final as ' ~ englake.sql_type('varchar') ~ ')']),
    'invalid_fields': englake.invalid_fields([
        ('eventTimestamp', 'event_timestamp_ms', 'event_timestamp_at'),
        ('messageRequestTimestamp', 'message_request_timestamp_ms', 'message_requested_at'),
        ('totalMessageParts', 'total_message_parts_text', englake.bigint_from_text('total_message_parts_text')),
        ('totalMessagePrice', 'total_message_price_text', englake.double_from_text('total_message_price_text')),
        ('totalCarrierFee', 'total_carrier_fee_text', englake.double_from_text('total_carrier_fee_text')),
        ('callDurationInSeconds', 'call_duration_text', englake.bigint_from_text('call_duration_text')),
    ]),
    'event_at': 'event_timestamp_at',
    'ingested_at': 'ingested_at',
    'ingest_date': 'ingest_date',
    'campaign_id': englake.map_get('context', "'campaign_id'"),
    'treatment_id': englake.map_get('context', "'treatment_id'"),
    'message_id': 'message_id',
    'message_sent_at': 'message_requested_at',
    'origination_number': 'origination_number',
    'destination_phone_number': 'destination_phone_number',
    'record_status': 'message_status',
    'status_description': 'message_status_description',
    'iso_country_code': 'iso_country_code',
    'message_parts': englake.bigint_from_text('total_message_parts_text'),
    'message_type': 'message_type',
    'message_encoding': 'message_encoding',
    'is_final': 'is_final',
    'total_message_price': englake.double_from_text('total_message_price_text'),
    'total_carrier_fee': englake.double_from_text('total_carrier_fee_text'),
    'call_duration_seconds': englake.bigint_from_text('call_duration_text'),
    'message_requested_at': 'message_requested_at',
    'message_tags': 'context',
}) }}
from renamed
