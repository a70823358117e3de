{#-
  Email deliverability per configuration set and send date, against Amazon SES's enforcement guidance (an account
  is reviewed at a 5 % bounce rate or a 0.1 % complaint rate; vars englake__ses_bounce_rate_limit and
  englake__ses_complaint_rate_limit). SES computes both over messages sent, and so does this report:
    bounce_rate    = messages hard-bounced / messages sent
    complaint_rate = messages complained   / messages sent
  Pinpoint email without a configuration set is reported under '(pinpoint)'.
-#}
with messages as (
    select * from {{ ref('fct_messages') }}
    where channel = 'email'
),

by_day as (
    select
        coalesce(configuration_set, case when producer = 'pinpoint' then '(pinpoint)' else '(none)' end) as configuration_set,
        sent_date,
        count(*) as messages_sent,
        sum(case when was_delivered then 1 else 0 end) as messages_delivered,
        sum(case when was_hardbounce then 1 else 0 end) as hard_bounces,
        sum(case when was_softbounce then 1 else 0 end) as soft_bounces,
        sum(case when was_complaint then 1 else 0 end) as complaints,
        sum(case when count_rejected > 0 then 1 else 0 end) as rejects
    from messages
    group by 1, 2
),

rated as (
    select
        *,
        {{ englake.safe_divide('messages_delivered', 'messages_sent') }} as delivery_rate,
        {{ englake.safe_divide('hard_bounces', 'messages_sent') }} as bounce_rate,
        {{ englake.safe_divide('complaints', 'messages_sent') }} as complaint_rate
    from by_day
)

select
    {{ englake.hash_key(['configuration_set', 'sent_date']) }} as report_row_id,
    *,
    coalesce(bounce_rate, 0) >= {{ var('englake__ses_bounce_rate_limit') | float }} as bounce_rate_over_limit,
    coalesce(complaint_rate, 0) >= {{ var('englake__ses_complaint_rate_limit') | float }} as complaint_rate_over_limit
from rated
