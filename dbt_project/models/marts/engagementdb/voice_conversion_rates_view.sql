{#- AWS engagement-database sample view `voice_conversion_rates_view` (its ORDER BY dropped: a view has no order). -#}
select
    ingest_timestamp,
    cast(message_timestamp as date) as message_date,
    iso_country_code,
    sending_address,
    count(*) as total_messages,
    count(case when message_status = 'success' then 1 end) as successful_messages,
    round(cast(count(case when message_status = 'success' then 1 end) as double) / count(*), 3) as success_rate_percentage,
    round(sum(message_price), 4) as total_message_price,
    round(avg(call_duration), 2) as avg_call_duration
from {{ ref('voice_message_status') }}
group by ingest_timestamp, cast(message_timestamp as date), iso_country_code, sending_address
