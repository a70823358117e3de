{#- The lines of every phone-validation object in the lake (handlers/phone_validation: one JSON result per line). -#}
{% macro lake_phone_validation_lines() %}{{ return(adapter.dispatch('lake_phone_validation_lines', 'englake')()) }}{% endmacro %}
{% macro default__lake_phone_validation_lines() %}{{ exceptions.raise_compiler_error("lake_phone_validation_lines: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__lake_phone_validation_lines() -%}
    {%- set folder = env_var('ENGLAKE_LAKE_PATH', '/nonexistent-englake-lake') ~ '/phone_numbers/validations/' -%}
    {%- if execute and not englake._duckdb_glob_has_files(folder ~ '*.ndjson') -%}
        select cast(null as varchar) as line, cast(null as varchar) as object_path where false
    {%- else -%}
        select line, filename as object_path from {{ source('phone_numbers', 'validations') }}
    {%- endif -%}
{%- endmacro %}
{% macro athena__lake_phone_validation_lines() -%}
        select line, "$path" as object_path from {{ source('phone_numbers', 'validations') }}
{%- endmacro %}
