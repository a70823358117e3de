{#-
  The reference's advanced-segmentation example: EMAIL endpoints that opened more than
  englake__segment_min_opens emails (distinct messages, bot opens excluded) in the last 9 months, viewed a product
  page in the last 24 hours, and purchased in the last 3 months. App events sit on the user's EMAIL endpoint.
-#}
{{ config(meta={'segment_name': 'engaged_recent_buyers'}) }}
{%- set as_of = englake.segment_as_of() %}

with opens as (
    select engaged_endpoint_id as endpoint_id, count(distinct message_id) as opened_emails
    from {{ ref('int_email_engagement_by_endpoint') }}
    where event_type = 'email_open'
        and not is_bot
        and event_at >= {{ dbt.dateadd('month', -9, as_of) }}
        and event_at <= {{ as_of }}
    group by engaged_endpoint_id
),

viewed_product as (
    select distinct endpoint_id
    from {{ ref('app_event') }}
    where event_name = 'product_page_view'
        and event_timestamp >= {{ dbt.dateadd('hour', -24, as_of) }}
        and event_timestamp <= {{ as_of }}
),

purchased as (
    select distinct endpoint_id
    from {{ ref('app_event') }}
    where event_name in ('_monetization.purchase', 'purchase')
        and event_timestamp >= {{ dbt.dateadd('month', -3, as_of) }}
        and event_timestamp <= {{ as_of }}
)

select opens.endpoint_id
from opens
inner join viewed_product on opens.endpoint_id = viewed_product.endpoint_id
inner join purchased on opens.endpoint_id = purchased.endpoint_id
where opens.opened_emails > {{ englake.int_var('englake__segment_min_opens', 2) }}
