{#- AWS engagement-database sample view `whatsapp_message_conversion_rates`, same name and columns (its rates divide
    by messages sent; delivered_to_read by messages delivered). -#}
{%- set day = 'cast(coalesce(sent_timestamp, accepted_timestamp, delivered_timestamp, read_timestamp) as date)' %}
select
    sending_address,
    ingest_timestamp,
    {{ day }} as message_timestamp,
    {{ day }} as message_date,
    count(*) as total_messages,
    count(accepted_timestamp) as accepted_count,
    count(sent_timestamp) as sent_count,
    count(delivered_timestamp) as delivered_count,
    count(read_timestamp) as read_count,
    count(failed_timestamp) as failed_count,
    {{ englake.sample_rate('count(accepted_timestamp)', 'count(sent_timestamp)', 3) }} as accepted_to_sent_rate,
    {{ englake.sample_rate('count(delivered_timestamp)', 'count(sent_timestamp)', 3) }} as sent_to_delivered_rate,
    {{ englake.sample_rate('count(read_timestamp)', 'count(delivered_timestamp)', 3) }} as delivered_to_read_rate,
    {{ englake.sample_rate('count(failed_timestamp)', 'count(sent_timestamp)', 3) }} as sent_to_failed_rate
from {{ ref('whatsapp_message_status') }}
group by sending_address, {{ day }}, ingest_timestamp
