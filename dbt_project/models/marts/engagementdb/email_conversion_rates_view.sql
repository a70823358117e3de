{#-
  AWS engagement-database sample view `email_conversion_rates_view`, same name and columns. Its denominators differ
  from englake's rpt_campaign_performance_daily: bounce_rate and complaint_rate divide by deliveries here (by sends
  in englake's report), rates are rounded to 2 places, and rows group by the hour partition too.
-#}
{%- set deliveries = 'sum(case when delivery_timestamp is not null then 1 else 0 end)' %}
{%- set opened = 'count(distinct case when open_count > 0 then messageid end)' %}
{%- set clicked = 'count(distinct case when click_count > 0 then messageid end)' %}
select
    cast(message_timestamp as date) as message_date,
    isp,
    sending_domain,
    campaign,
    configuration_set,
    min(ingest_timestamp) as ingest_timestamp,
    min(send_timestamp) as message_timestamp,
    count(*) as total_emails_sent,
    {{ deliveries }} as total_deliveries,
    sum(case when bounce_timestamp is not null then 1 else 0 end) as total_bounces,
    sum(case when complaint_timestamp is not null then 1 else 0 end) as total_complaints,
    {{ opened }} as total_emails_opened,
    {{ clicked }} as total_emails_clicked,
    {{ englake.sample_rate(deliveries, 'count(*)') }} as delivery_rate,
    {{ englake.sample_rate(opened, deliveries) }} as open_rate,
    {{ englake.sample_rate(clicked, opened) }} as open_to_click_rate,
    {{ englake.sample_rate('sum(case when bounce_timestamp is not null then 1 else 0 end)', deliveries) }} as bounce_rate,
    {{ englake.sample_rate('sum(case when complaint_timestamp is not null then 1 else 0 end)', deliveries) }} as complaint_rate
from {{ ref('email_message_status') }}
group by cast(message_timestamp as date), ingest_timestamp, isp, sending_domain, campaign, configuration_set
