{#- AWS engagement-database sample view `whatsapp_message_status`, same name and columns, over its WhatsApp status records. -#}
{%- set status = '$.changes[0].value.statuses[0].' %}
select
    messageid,
    sendingaddress as sending_address,
    {{ englake.array_at('destinationaddress', 1) }} as destination_address,
    min(ingest_timestamp) as ingest_timestamp,
    max(case when status = 'sent' then {{ englake.sample_time('timestamp') }} end) as message_timestamp,
    {%- for name in ['accepted', 'sent', 'delivered', 'read', 'failed'] %}
    max(case when status = '{{ name }}' then {{ englake.sample_time('timestamp') }} end) as {{ name }}_timestamp,
    {%- endfor %}
    max({{ englake.json_scalar('rawevent', status ~ 'biz_opaque_callback_data') }}) as biz_opaque,
    max(statuscode) as status_code,
    max({{ englake.json_scalar('rawevent', status ~ 'conversation.id') }}) as conversation_id,
    max({{ englake.json_scalar('rawevent', status ~ 'conversation.origin.type') }}) as origin_type
from {{ ref('stg_engagementdb__records') }}
where channel = 'whatsapp' and type = 'messageStatus' and messageid is not null
group by messageid, sendingaddress, destinationaddress
