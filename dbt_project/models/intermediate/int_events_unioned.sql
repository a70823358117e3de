{#- Every producer's staged events in one schema: the canonical columns (event_columns.sql), named, not by position. -#}
{%- set columns = englake.event_column_names() | join(', ') %}
{%- for model in ['stg_pinpoint__events', 'stg_ses__events', 'stg_sms__events', 'stg_social__events', 'stg_engagementdb__events'] %}
select {{ columns }} from {{ ref(model) }}
{{ 'union all' if not loop.last }}
{%- endfor %}
