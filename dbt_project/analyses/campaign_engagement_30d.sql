{#-
  The reference README's first example ("Get all Campaigns with Opens, Clicks, Hard Bounces, Soft Bounces, and
  Unsubscribes"), as a dbt analysis: campaigns with a campaign send that arrived in the last 30 days, with their
  email sends, opens, clicks, hard and soft bounces (recipient rows) and unsubscribes. The verbatim query, which
  runs unchanged on Athena against these views, is in analyses/reference/.
-#}
select
    campaign_send.pinpoint_campaign_id,
    (select count(*) from {{ ref('email_send') }} as s where s.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as num_sends,
    (select count(*) from {{ ref('email_open') }} as o where o.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as num_opens,
    (select count(*) from {{ ref('email_click') }} as c where c.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as num_clicks,
    (select count(*) from {{ ref('email_hardbounce') }} as h where h.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as num_hard_bounces,
    (select count(*) from {{ ref('email_softbounce') }} as b where b.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as num_soft_bounces,
    (select count(*) from {{ ref('email_unsubscribe') }} as u where u.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as num_unsubscribes
from {{ ref('campaign_send') }} as campaign_send
where campaign_send.ingest_timestamp > {{ dbt.dateadd('day', -30, dbt.current_timestamp()) }}
group by campaign_send.pinpoint_campaign_id
