{#- AWS engagement-database sample view `whatsapp_conversation_view`, same name and columns: one row per conversation
    (Meta's conversation id) × business number × customer number, accepted statuses left out as in its SQL. -#}
{%- set status = '$.changes[0].value.statuses[0].' %}
with statuses as (
    select
        *,
        {{ englake.json_scalar('rawevent', status ~ 'conversation.id') }} as conversation_id,
        {{ englake.array_at('destinationaddress', 1) }} as first_destination,
        {{ englake.sample_time('timestamp') }} as status_time
    from {{ ref('stg_engagementdb__records') }}
    where channel = 'whatsapp' and type = 'messageStatus' and status <> 'accepted' and messageid is not null
)

select
    conversation_id,
    count(distinct messageid) as total_messages,
    min(ingest_timestamp) as ingest_timestamp,
    min(status_time) as message_timestamp,
    min(status_time) as first_message_timestamp,
    max(status_time) as last_message_timestamp,
    cast({{ dbt.datediff('min(status_time)', 'max(status_time)', 'second') }} as integer) as conversation_duration_seconds,
    cast({{ dbt.datediff('min(status_time)', 'max(status_time)', 'second') }} / 60e0 as double) as conversation_duration_minutes,
    sendingaddress as sending_address,
    first_destination as destination_address,
    max({{ englake.json_scalar('rawevent', status ~ 'biz_opaque_callback_data') }}) as biz_opaque,
    max(statuscode) as status_code,
    max({{ englake.json_scalar('rawevent', status ~ 'conversation.origin.type') }}) as origin_type
from statuses
where conversation_id is not null
group by conversation_id, sendingaddress, first_destination
