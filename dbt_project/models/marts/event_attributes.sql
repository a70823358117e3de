{#-
  Event-driven endpoint attributes replayed from the lake, with the rules the stream handler applies (seed
  event_attribute_rules = handlers/event_attributes/rules.csv, one file). Per endpoint, attribute and value the
  latest event decides, a removal winning a tie; a value is held when that event added it and its ttl_days, if any,
  has not run out at englake__attributes_as_of (default now). One row per held value: the state the stream
  handler keeps in Pinpoint or Customer Profiles, rebuilt from history.
-#}
{%- set as_of = var('englake__attributes_as_of', none) %}
with rules as (
    select * from {{ ref('event_attribute_rules') }}
),

changes as (
    select
        e.application_id,
        e.endpoint_id,
        r.attribute,
        coalesce(r.value, {{ englake.map_get('e.event_attributes', 'r.value_from_attribute') }}) as attribute_value,
        r.action,
        e.event_at,
        r.ttl_days
    from {{ ref('fct_events') }} as e
    inner join rules as r on e.raw_event_type = r.raw_event_type
    where e.endpoint_id is not null and e.application_id is not null
),

decided as (
    select
        *,
        row_number() over (
            partition by application_id, endpoint_id, attribute, attribute_value
            order by event_at desc, case when action = 'remove' then 0 else 1 end
        ) as decision_rank
    from changes
    where attribute_value is not null and attribute_value <> ''
)

select
    application_id,
    endpoint_id,
    attribute,
    attribute_value,
    event_at as decided_at,
    case when ttl_days is null then null else {{ dbt.dateadd('day', 'ttl_days', 'event_at') }} end as expires_at
from decided
where decision_rank = 1
    and action = 'add'
    and (
        ttl_days is null
        or {{ dbt.dateadd('day', 'ttl_days', 'event_at') }}
        > {{ englake.timestamp_literal(as_of) if as_of else englake.utc_now() }}
    )
