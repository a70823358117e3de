{#-
  AWS engagement-database sample view `email_message_status`, same name and columns, over its records (channel
  email). As its SQL has it: `isp` is the recipient's domain (its 'gmail'/'yahoo' branches compare the match with
  the '@' to a name without it and never apply), and every event carries the mail's send time (mail.timestamp).
-#}
{%- set by_type = [('send_timestamp', 'Send'), ('bounce_timestamp', 'Bounce'), ('complaint_timestamp', 'Complaint'),
                   ('delivery_timestamp', 'Delivery'), ('reject_timestamp', 'Reject'), ('last_open_timestamp', 'Open')] %}
{%- set domain = "'@([a-zA-Z0-9.-]+)$'" %}
with records as (
    select *, {{ englake.array_at('destinationaddress', 1) }} as first_destination
    from {{ ref('stg_engagementdb__records') }}
    where channel = 'email'
)

select
    messageid,
    sendingaddress,
    first_destination as destinationaddress,
    min(ingest_timestamp) as ingest_timestamp,
    {{ englake.sample_time('min(timestamp)') }} as message_timestamp,
    {%- for name, type in by_type %}
    max(case when type = '{{ type }}' then {{ englake.sample_time('timestamp') }} end) as {{ name }},
    {%- endfor %}
    sum(case when type = 'Open' then 1 else 0 end) as open_count,
    max(case when type = 'Click' then {{ englake.sample_time('timestamp') }} end) as last_click_timestamp,
    sum(case when type = 'Click' then 1 else 0 end) as click_count,
    max(case when type = 'Click' then {{ englake.json_scalar('rawevent', '$.click.link') }} end) as last_clicked_link,
    max(case when type = 'Rendering Failure' then {{ englake.sample_time('timestamp') }} end) as rendering_failure_timestamp,
    max(case when type = 'DeliveryDelay' then {{ englake.sample_time('timestamp') }} end) as delivery_delay_timestamp,
    max(case when type = 'Subscription' then {{ englake.sample_time('timestamp') }} end) as subscription_timestamp,
    max({{ englake.json_scalar('rawevent', '$.bounce.bounceType') }}) as bouncetype,
    max({{ englake.json_scalar('rawevent', '$.bounce.bounceSubType') }}) as bouncesubtype,
    max({{ englake.json_scalar('rawevent', '$.complaint.complaintFeedbackType') }}) as complaintfeedbacktype,
    case
        {%- for type in ['Bounce', 'Complaint', 'Delivery', 'Reject', 'Send'] %}
        when max(case when type = '{{ type }}' then timestamp end) is not null then '{{ type }}'
        {%- endfor %}
    end as last_status,
    {{ englake.regexp_extract_or_null('first_destination', '@([a-zA-Z0-9.-]+)$', 1) }} as isp,
    coalesce({{ englake.regexp_extract_or_null('sendingaddress', '@([a-zA-Z0-9.-]+)$', 1) }}, 'none') as sending_domain,
    max({{ englake.map_get('tags', "'ses:source-tls-version'") }}) as source_tls_version,
    max({{ englake.map_get('channeldata', "'subject'") }}) as subject,
    max({{ englake.map_get('tags', "'ses:source-ip'") }}) as source_ip,
    coalesce(max({{ englake.map_get('tags', "'ses:configuration-set'") }}), 'none') as configuration_set,
    coalesce(max({{ englake.map_get('tags', "'campaign'") }}), 'none') as campaign
from records
group by messageid, sendingaddress, first_destination
