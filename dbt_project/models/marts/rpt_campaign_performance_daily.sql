{#-
  Campaign performance per campaign, treatment, channel and send date (the date the message was sent, never the
  arrival hour). Engagement is credited to the day its message was sent. Rate denominators (also in the docs):
    delivery_rate        = messages delivered        / messages sent
    open_rate            = messages opened (unique)  / messages delivered
    human_open_rate      = messages opened by a person (unique; opens SES marks isBotEvent "Likely" left out)
                           / messages delivered; likewise human_click_rate
    click_rate           = messages clicked (unique) / messages delivered
    click_to_open_rate   = messages clicked (unique) / messages opened (unique)
    hard_bounce_rate     = messages hard-bounced     / messages sent
    complaint_rate       = messages complained       / messages sent
    unsubscribe_rate     = messages unsubscribed     / messages delivered
  A message is one message × recipient (fct_messages). Phone channels (SMS, MMS, voice, RCS, WhatsApp): delivered =
  a delivered receipt (the event-type seed's outcome), failed = a failed receipt and no delivered one.
  Incremental: a run deletes the send dates from the earliest sent_date among the messages changed since its last
  run (minus the lookback) on, and re-derives them from fct_messages (an append on Athena, no MERGE).
-#}
{{ config(**englake.incremental_config('report_row_id', 'sent_date', athena_strategy='append')) }}
{{ config(pre_hook="{{ englake.delete_rederived(ref('fct_messages'), 'sent_date', 'last_ingested_at') }}") }}
{%- set rederive_from = englake.rederive_from_date(ref('fct_messages'), 'sent_date', 'last_ingested_at') %}

with messages as (
    select * from {{ ref('fct_messages') }}
    where campaign_id is not null
    {%- if rederive_from %}
        and sent_date >= {{ englake.date_literal(rederive_from) }}
    {%- endif %}
),

by_day as (
    select
        campaign_id,
        coalesce(treatment_id, '') as treatment_id,
        channel,
        sent_date,
        count(*) as messages_sent,
        sum(case when was_delivered or count_delivered_receipt > 0 then 1 else 0 end) as messages_delivered,
        sum(case when was_open then 1 else 0 end) as unique_opens,
        sum(count_open) as total_opens,
        sum(case when was_click then 1 else 0 end) as unique_clicks,
        sum(case when was_human_open then 1 else 0 end) as human_unique_opens,
        sum(case when was_human_click then 1 else 0 end) as human_unique_clicks,
        sum(count_click) as total_clicks,
        sum(case when was_hardbounce then 1 else 0 end) as hard_bounces,
        sum(case when was_softbounce then 1 else 0 end) as soft_bounces,
        sum(case when was_complaint then 1 else 0 end) as complaints,
        sum(case when was_unsubscribe then 1 else 0 end) as unsubscribes,
        sum(case when count_rejected > 0 then 1 else 0 end) as rejects,
        sum(case when count_sms_failure > 0 and count_sms_success = 0 then 1 else 0 end) as sms_failures,
        sum(case when count_sms_optout > 0 then 1 else 0 end) as sms_optouts,
        sum(case when count_failed_receipt > 0 and count_delivered_receipt = 0 then 1 else 0 end) as receipt_failures,
        max(last_ingested_at) as last_ingested_at
    from messages
    group by campaign_id, coalesce(treatment_id, ''), channel, sent_date
)

select
    {{ englake.hash_key(['campaign_id', 'treatment_id', 'channel', 'sent_date']) }} as report_row_id,
    *,
    {{ englake.safe_divide('messages_delivered', 'messages_sent') }} as delivery_rate,
    {{ englake.safe_divide('unique_opens', 'messages_delivered') }} as open_rate,
    {{ englake.safe_divide('unique_clicks', 'messages_delivered') }} as click_rate,
    {{ englake.safe_divide('human_unique_opens', 'messages_delivered') }} as human_open_rate,
    {{ englake.safe_divide('human_unique_clicks', 'messages_delivered') }} as human_click_rate,
    {{ englake.safe_divide('unique_clicks', 'unique_opens') }} as click_to_open_rate,
    {{ englake.safe_divide('hard_bounces', 'messages_sent') }} as hard_bounce_rate,
    {{ englake.safe_divide('complaints', 'messages_sent') }} as complaint_rate,
    {{ englake.safe_divide('unsubscribes', 'messages_delivered') }} as unsubscribe_rate
from by_day
