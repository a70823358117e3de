{#- Every producer's staged events in one schema: the canonical columns (event_columns.sql), named, not by position. -#}
{%- set columns = englake.event_column_names() | join(', ') %}
{%- for producer in var('englake__producers') %}
select {{ columns }} from {{ ref('stg_' ~ producer ~ '__events') }}
{{ 'union all' if not loop.last }}
{%- endfor %}
