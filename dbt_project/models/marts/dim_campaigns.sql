{#-
  One row per campaign or journey id with a name people recognise: the names you keep in the seed
  `campaign_names` (SES configuration-set campaigns, End User Messaging contexts, or renames) win, then the Pinpoint
  catalog export in the lake; ids without a name keep the id as their name. Every campaign and journey id seen in
  the events is here, named or not.
-#}
with seen as (
    select campaign_id as campaign_id, 'campaign' as kind, min(application_id) as application_id
    from {{ ref('fct_events') }}
    where campaign_id is not null
    group by campaign_id
    union all
    select journey_id as campaign_id, 'journey' as kind, min(application_id) as application_id
    from {{ ref('fct_events') }}
    where journey_id is not null
    group by journey_id
),

exported as (
    select
        campaign_id,
        max(campaign_name) as campaign_name,
        max(kind) as kind,
        max(application_id) as application_id
    from {{ ref('stg_pinpoint__campaigns') }}
    group by campaign_id
),

named as (
    select campaign_id, max(campaign_name) as campaign_name, max(channel) as channel
    from {{ ref('campaign_names') }}
    where campaign_id is not null
    group by campaign_id
),

ids as (
    select campaign_id from seen
    union
    select campaign_id from exported
    union
    select campaign_id from named
)

select
    ids.campaign_id,
    coalesce(named.campaign_name, exported.campaign_name, ids.campaign_id) as campaign_name,
    case
        when named.campaign_name is not null then 'seed'
        when exported.campaign_name is not null then 'lake catalog'
        else 'id only'
    end as name_source,
    coalesce(exported.kind, seen_kind.kind, 'campaign') as kind,
    coalesce(exported.application_id, seen_kind.application_id) as application_id,
    named.channel
from ids
left join named on ids.campaign_id = named.campaign_id
left join exported on ids.campaign_id = exported.campaign_id
left join (
    select campaign_id, max(kind) as kind, max(application_id) as application_id from seen group by campaign_id
) as seen_kind on ids.campaign_id = seen_kind.campaign_id
