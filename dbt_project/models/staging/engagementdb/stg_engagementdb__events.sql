{#-
  The engagement-database sample's records typed into the canonical event columns, one row per record, so a team
  that ran the sample reads its existing bucket into the same unified events as englake's own producers.
  WhatsApp's sendingAddress is Meta's display number (digits only): written in E.164 like the other phone channels.
  The event key includes rawEvent: the sample stamps every email event with the mail's send time, so two opens of
  one message differ only there (a record Firehose delivered twice is still one event).
  Campaign: the record's tags `campaign_id`, else `campaign` (the tag the sample's email views read).
-#}
with records as (
    select
        *,
        {{ englake.epoch_ms_from_text('timestamp_text') }} as event_timestamp_at,
        {{ englake.map_get('channeldata', "'totalMessagePrice'") }} as price_text,
        {{ englake.map_get('channeldata', "'totalCarrierFee'") }} as carrier_fee_text,
        {{ englake.map_get('channeldata', "'totalMessageParts'") }} as parts_text,
        {{ englake.map_get('channeldata', "'callDurationInSeconds'") }} as call_duration_text
    from {{ ref('stg_engagementdb__records') }}
)

select
{{ englake.fill_event_columns({
    'record_id': 'record_id',
    'producer': "'engagementdb'",
    'raw_event_type': 'raw_event_type',
    'event_type_key': 'raw_event_type',
    'event_key': englake.hash_key(["'engagementdb'", 'raw_event_type', 'messageid', 'timestamp_text', 'status',
                                   englake.array_join_text('destinationaddress'), 'rawevent']),
    'invalid_fields': englake.invalid_fields([
        ('timestamp', 'timestamp_text', 'event_timestamp_at'),
        ('channelData.totalMessagePrice', 'price_text', englake.double_from_text('price_text')),
        ('channelData.totalCarrierFee', 'carrier_fee_text', englake.double_from_text('carrier_fee_text')),
        ('channelData.totalMessageParts', 'parts_text', englake.bigint_from_text('parts_text')),
        ('channelData.callDurationInSeconds', 'call_duration_text', englake.bigint_from_text('call_duration_text')),
    ]),
    'event_at': 'event_timestamp_at',
    'ingested_at': 'ingested_at',
    'ingest_date': 'ingest_date',
    'aws_account_id': 'accountid',
    'message_id': 'messageid',
    'from_address': "case when channel = 'email' then sendingaddress end",
    'destination': "case when channel = 'email' then destinationaddress end",
    'subject': "case when channel = 'email' then " ~ englake.map_get('channeldata', "'subject'") ~ " end",
    'configuration_set': "case when channel = 'email' then " ~ englake.map_get('tags', "'ses:configuration-set'") ~ " end",
    'origination_number': "case when channel = 'whatsapp' then concat('+', regexp_replace(sendingaddress, '[^0-9]', '')) when channel <> 'email' then sendingaddress end",
    'destination_phone_number': "case when channel <> 'email' then " ~ englake.array_at('destinationaddress', 1) ~ " end",
    'record_status': "case when channel = 'email' then status else coalesce(nullif(statuscode, ''), status) end",
    'status_description': "nullif(statusmessage, '')",
    'iso_country_code': "coalesce(nullif(isocountrycode, ''), " ~ englake.map_get('channeldata', "'isoCountryCode'") ~ ")",
    'message_parts': englake.bigint_from_text('parts_text'),
    'message_type': "case when channel in ('text', 'media', 'voice', 'rcs') then nullif(type, '') end",
    'total_message_price': englake.double_from_text('price_text'),
    'total_carrier_fee': englake.double_from_text('carrier_fee_text'),
    'call_duration_seconds': englake.bigint_from_text('call_duration_text'),
    'conversation_id': englake.map_get('channeldata', "'conversationId'"),
    'conversation_type': englake.map_get('channeldata', "'conversationType'"),
    'campaign_id': 'coalesce(' ~ englake.map_get('tags', "'campaign_id'") ~ ', ' ~ englake.map_get('tags', "'campaign'") ~ ')',
    'message_tags': 'tags',
}) }}
from records
