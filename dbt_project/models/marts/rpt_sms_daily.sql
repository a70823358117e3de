{#-
  SMS delivery and cost per destination country and send date. A message is one message × number (fct_messages);
  its price is taken once (the final receipt's), in US dollars:
    delivery_rate = messages with a success receipt / messages sent
    cost_usd      = Pinpoint: price_in_millicents_usd / 100,000;
                    End User Messaging: totalMessagePrice + totalCarrierFee (both in USD)
-#}
with messages as (
    select * from {{ ref('fct_messages') }}
    where channel = 'sms'
),

by_day as (
    select
        coalesce(iso_country_code, '(unknown)') as iso_country_code,
        sent_date,
        count(*) as messages_sent,
        sum(case when count_sms_success > 0 then 1 else 0 end) as messages_delivered,
        sum(case when count_sms_failure > 0 and count_sms_success = 0 then 1 else 0 end) as messages_failed,
        sum(case when count_sms_optout > 0 then 1 else 0 end) as opt_outs,
        sum(coalesce(
            price_in_millicents_usd / 100000.0,
            total_message_price + coalesce(total_carrier_fee, 0),
            0
        )) as cost_usd
    from messages
    group by 1, 2
)

select
    {{ englake.hash_key(['iso_country_code', 'sent_date']) }} as report_row_id,
    *,
    {{ englake.safe_divide('messages_delivered', 'messages_sent') }} as delivery_rate
from by_day
