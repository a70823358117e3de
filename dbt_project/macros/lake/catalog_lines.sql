{#- The lines of every campaign/journey catalog export in the lake, as (line, object_path). -#}
{% macro lake_campaign_catalog_lines() %}{{ return(adapter.dispatch('lake_campaign_catalog_lines', 'englake')()) }}{% endmacro %}
{% macro default__lake_campaign_catalog_lines() %}{{ exceptions.raise_compiler_error("lake_campaign_catalog_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__lake_campaign_catalog_lines() -%}
    {%- set folder = env_var('ENGLAKE_LAKE_PATH', '/nonexistent-englake-lake') ~ '/catalog/' -%}
    {%- if execute and not englake._duckdb_glob_has_files(folder ~ '**/*.ndjson') -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_path where false
    {%- else -%}
        select line, filename as object_path from {{ source('lake', 'raw_campaign_catalog') }}
    {%- endif -%}
{%- endmacro %}
{% macro athena__lake_campaign_catalog_lines() -%}
        select line, "$path" as object_path from {{ source('lake', 'raw_campaign_catalog') }}
{%- endmacro %}
