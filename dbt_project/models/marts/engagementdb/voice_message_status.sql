{#- AWS engagement-database sample view `voice_message_status`, same name and columns, over its records (channel voice). -#}
{%- set voice_types = ['VOICE_INITIATED', 'VOICE_RINGING', 'VOICE_ANSWERED', 'VOICE_COMPLETED', 'VOICE_BUSY',
                       'VOICE_NO_ANSWER', 'VOICE_TTL_EXPIRED', 'VOICE_FAILED'] %}
with records as (
    select * from {{ ref('stg_engagementdb__records') }} where channel = 'voice'
),

latest_event as (
    select messageid, max(timestamp) as latest_timestamp
    from records
    group by messageid
),

events as (
    select e.*, {{ englake.json_scalar('e.rawevent', '$.eventType') }} as raw_event_type_of_record, le.latest_timestamp
    from records as e
    inner join latest_event as le on e.messageid = le.messageid
)

select
    messageid,
    max({{ englake.map_get('channeldata', "'isoCountryCode'") }}) as iso_country_code,
    max({{ englake.double_from_text(englake.map_get('channeldata', "'totalMessagePrice'")) }}) as message_price,
    max({{ englake.bigint_from_text(englake.map_get('channeldata', "'callDurationInSeconds'")) }}) as call_duration,
    {{ englake.array_at('destinationaddress', 1) }} as destination_address,
    sendingaddress as sending_address,
    {%- for event_type in voice_types %}
    max(case when raw_event_type_of_record = '{{ event_type }}' then {{ englake.sample_time('timestamp') }} end) as {{ event_type | lower }},
    {%- endfor %}
    tags as context,
    min(ingest_timestamp) as ingest_timestamp,
    {{ englake.sample_time('min(timestamp)') }} as message_timestamp,
    max(case when timestamp = latest_timestamp then {{ englake.json_scalar('rawevent', '$.messageStatus') }} end) as last_status,
    max(case when timestamp = latest_timestamp then case
        when raw_event_type_of_record in ('VOICE_COMPLETED', 'VOICE_ANSWERED') then 'success'
        when raw_event_type_of_record in ('VOICE_TTL_EXPIRED', 'VOICE_BUSY', 'VOICE_NO_ANSWER', 'VOICE_FAILED') then 'failed'
        else 'unknown' end end) as message_status
from events
group by messageid, destinationaddress, sendingaddress, tags
