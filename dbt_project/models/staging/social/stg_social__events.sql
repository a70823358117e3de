{#-
  AWS End User Messaging Social (WhatsApp) events typed into the canonical event columns, one row per raw record.
  AWS delivers one event per record: its header (context with the WABA and phone-number ids, aws_account_id,
  message_timestamp, messageId) and the Meta webhook entry as a JSON string (whatsAppWebhookEntry). A status
  update (sent, delivered, read, failed) is read from the entry's first change's first status; an inbound message
  from its first message (AWS's engagement-database sample reads the same positions).
-#}
{%- set entry = 'webhook_entry' %}
{%- set status = '$.changes[0].value.statuses[0].' %}
{%- set inbound = '$.changes[0].value.messages[0].' %}

with records as (
    select
        record_id,
        ingested_at,
        ingest_date,
        record,
        {{ englake.json_text_at('record', 'whatsAppWebhookEntry') }} as webhook_entry
    from {{ ref('stg_lake__records') }}
    where producer = 'social'
),

renamed as (
    select
        record_id,
        ingested_at,
        ingest_date,
        {{ englake.social_event_type(entry) }} as raw_event_type,
        {{ englake.json_scalar('record', '$.aws_account_id') }} as aws_account_id,
        {{ englake.json_scalar('record', '$.message_timestamp') }} as message_timestamp_text,
        {{ englake.iso8601_to_timestamp(englake.json_scalar('record', '$.message_timestamp')) }} as aws_timestamp_at,
        {{ englake.json_scalar('record', '$.context.MetaPhoneNumberIds[0].metaPhoneNumberId') }} as phone_number_id,
        {{ englake.json_scalar(entry, '$.changes[0].value.metadata.display_phone_number') }} as business_number,
        coalesce({{ englake.json_scalar(entry, status ~ 'id') }}, {{ englake.json_scalar(entry, inbound ~ 'id') }}) as message_id,
        coalesce({{ englake.json_scalar(entry, status ~ 'timestamp') }}, {{ englake.json_scalar(entry, inbound ~ 'timestamp') }}) as meta_timestamp_text,
        {{ englake.json_scalar(entry, status ~ 'recipient_id') }} as recipient_id,
        {{ englake.json_scalar(entry, inbound ~ 'from') }} as inbound_from,
        {{ englake.json_scalar(entry, inbound ~ 'type') }} as inbound_type,
        {{ englake.json_scalar(entry, status ~ 'status') }} as status,
        {{ englake.json_scalar(entry, status ~ 'errors[0].code') }} as error_code,
        coalesce({{ englake.json_scalar(entry, status ~ 'errors[0].message') }}, {{ englake.json_scalar(entry, status ~ 'errors[0].title') }}) as error_message,
        {{ englake.json_scalar(entry, status ~ 'conversation.id') }} as conversation_id,
        {{ englake.json_scalar(entry, status ~ 'conversation.origin.type') }} as conversation_type,
        {{ englake.json_scalar(entry, status ~ 'pricing.category') }} as pricing_category,
        {{ englake.json_scalar(entry, status ~ 'biz_opaque_callback_data') }} as biz_opaque_callback_data
    from records
),

typed as (
    select
        *,
        {{ englake.epoch_seconds_from_text('meta_timestamp_text') }} as meta_timestamp_at,
        -- WhatsApp ids are digits without '+' (wa_id); the E.164 form the phone channels use.
        case when recipient_id is not null then concat('+', regexp_replace(recipient_id, '[^0-9]', '')) end as recipient_number,
        case when inbound_from is not null then concat('+', regexp_replace(inbound_from, '[^0-9]', '')) end as sender_number
    from renamed
)

select
{{ englake.fill_event_columns({
    'record_id': 'record_id',
    'producer': "'social'",
    'raw_event_type': 'raw_event_type',
    'event_type_key': 'raw_event_type',
    'event_key': englake.hash_key(["'social'", 'raw_event_type', 'message_id', 'meta_timestamp_text', 'message_timestamp_text']),
    'invalid_fields': englake.invalid_fields([
        ('timestamp', 'meta_timestamp_text', 'meta_timestamp_at'),
        ('message_timestamp', 'message_timestamp_text', 'aws_timestamp_at'),
    ]),
    'event_at': 'coalesce(meta_timestamp_at, aws_timestamp_at)',
    'producer_arrival_at': 'aws_timestamp_at',
    'ingested_at': 'ingested_at',
    'ingest_date': 'ingest_date',
    'aws_account_id': 'aws_account_id',
    'message_id': 'message_id',
    'origination_number': "case when business_number is not null then concat('+', regexp_replace(business_number, '[^0-9]', '')) end",
    'destination_phone_number': 'coalesce(recipient_number, sender_number)',
    'record_status': 'coalesce(status, inbound_type)',
    'status_description': "case when error_code is not null then concat(error_code, ': ', coalesce(error_message, '')) end",
    'message_type': 'pricing_category',
    'sender_request_id': 'phone_number_id',
    'conversation_id': 'conversation_id',
    'conversation_type': 'conversation_type',
}) }}
from typed
