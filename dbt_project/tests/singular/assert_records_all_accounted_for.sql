{#-
  Nothing is lost silently: every record is either quarantined with a reason or has a producer, and every
  producer record appears in its staging model (one staging row per raw record).
-#}
with records as (
    select
        sum(case when quarantine_reason is null and producer is not null then 1 else 0 end) as parsed,
        sum(case when quarantine_reason is not null and producer is null then 1 else 0 end) as quarantined,
        count(*) as total
    from {{ ref('stg_lake__records') }}
),

staged as (
    select count(*) as staged from {{ ref('int_events_unioned') }}
)

select *
from records cross join staged
where parsed + quarantined <> total or staged <> parsed
