{#- Every producer's staged events in one schema (the three staging models share their columns and order). -#}
select * from {{ ref('stg_pinpoint__events') }}
union all
select * from {{ ref('stg_ses__events') }}
union all
select * from {{ ref('stg_sms__events') }}
