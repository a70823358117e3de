{#-
  The newest Firehose arrival hour (the raw/<producer>/YYYY/MM/DD/HH/ folder) of a producer's raw source, for
  `dbt source freshness` (the sources' loaded_at_query). Event time is no use here: Pinpoint stamps events with the
  send time and late arrivals are normal; what goes stale when delivery stops is the arrival hour. No data at all
  reads as 1970, i.e. stale.
-#}
{% macro newest_arrival_hour(source_node) %}
    {%- set producer = source_node.meta.get('producer') or source_node.config.meta.get('producer') -%}
    {%- if not producer -%}
        {{ exceptions.raise_compiler_error("newest_arrival_hour: source " ~ source_node.name ~ " has no meta.producer") }}
    {%- endif -%}
    {{ return(adapter.dispatch('newest_arrival_hour', 'englake')(source_node, producer)) }}
{% endmacro %}

{% macro default__newest_arrival_hour(source_node, producer) %}{{ exceptions.raise_compiler_error("newest_arrival_hour: no implementation for " ~ adapter.type()) }}{% endmacro %}

{#- DuckDB: the folder names of the local lake, listed (no object is read). -#}
{% macro duckdb__newest_arrival_hour(source_node, producer) -%}
    {%- set folder = env_var('ENGLAKE_LAKE_PATH', '/nonexistent-englake-lake') ~ '/raw/' ~ producer -%}
    select coalesce(
        max(try_strptime(regexp_extract(file, '/raw/{{ producer }}/(\d{4}/\d{2}/\d{2}/\d{2})/', 1), '%Y/%m/%d/%H')),
        timestamp '1970-01-01 00:00:00'
    )
    from glob('{{ folder }}/*/*/*/*/*')
{%- endmacro %}

{#- Athena: the projected datehour partitions of the last week only, so the query lists a week of prefixes. -#}
{% macro athena__newest_arrival_hour(source_node, producer) -%}
    select coalesce(max(date_parse(datehour, '%Y/%m/%d/%H')), timestamp '1970-01-01 00:00:00')
    from {{ source(source_node.source_name, source_node.name) }}
    where datehour >= date_format(current_timestamp - interval '7' day, '%Y/%m/%d/%H')
{%- endmacro %}
