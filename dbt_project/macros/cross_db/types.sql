{#- Column types by a logical name, so typed NULLs and casts read the same in every model. -#}
{% macro sql_type(name) %}{{ return(adapter.dispatch('sql_type', 'englake')(name)) }}{% endmacro %}
{% macro default__sql_type(name) %}{{ exceptions.raise_compiler_error("sql_type: no implementation for " ~ adapter.type()) }}{% endmacro %}

{% macro duckdb__sql_type(name) -%}
    {%- set types = {
        'varchar': 'varchar', 'bigint': 'bigint', 'double': 'double', 'boolean': 'boolean', 'date': 'date',
        'timestamp': 'timestamp',
        'varchar_array': 'varchar[]',
        'varchar_map': 'map(varchar, varchar)',
        'double_map': 'map(varchar, double)',
        'tags_map': 'map(varchar, varchar[])',
        'recipients': 'struct(email_address varchar, action varchar, status varchar, diagnostic_code varchar)[]',
    } -%}
    {{ return(types[name]) }}
{%- endmacro %}

{% macro athena__sql_type(name) -%}
    {#- timestamp(6): Iceberg stores microseconds (dbt-athena utils/timestamps.sql). -#}
    {%- set types = {
        'varchar': 'varchar', 'bigint': 'bigint', 'double': 'double', 'boolean': 'boolean', 'date': 'date',
        'timestamp': 'timestamp(6)',
        'varchar_array': 'array(varchar)',
        'varchar_map': 'map(varchar, varchar)',
        'double_map': 'map(varchar, double)',
        'tags_map': 'map(varchar, array(varchar))',
        'recipients': 'array(row(email_address varchar, action varchar, status varchar, diagnostic_code varchar))',
    } -%}
    {{ return(types[name]) }}
{%- endmacro %}


{% macro typed_null(name) %}cast(null as {{ englake.sql_type(name) }}){% endmacro %}


{#- The elements of a string array joined by commas (for hashing raw fields and for display). -#}
{% macro array_join_text(array_expr) %}{{ return(adapter.dispatch('array_join_text', 'englake')(array_expr)) }}{% endmacro %}
{% macro default__array_join_text(array_expr) %}{{ exceptions.raise_compiler_error("array_join_text: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__array_join_text(array_expr) %}array_to_string({{ array_expr }}, ','){% endmacro %}
{% macro athena__array_join_text(array_expr) %}array_join({{ array_expr }}, ','){% endmacro %}


{#-
  Text to bigint, strictly and the same on both engines: optional sign and ASCII digits only, else NULL. Athena's
  cast is Java's Long.parseLong ('1.0', ' 5' and '1e3' are NULL under try_cast); DuckDB's own cast would accept them.
-#}
{% macro try_parse_bigint(expr) %}{{ return(adapter.dispatch('try_parse_bigint', 'englake')(expr)) }}{% endmacro %}
{% macro default__try_parse_bigint(expr) %}{{ exceptions.raise_compiler_error("try_parse_bigint: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__try_parse_bigint(expr) %}case when regexp_full_match({{ expr }}, '[+-]?[0-9]+') then try_cast({{ expr }} as bigint) end{% endmacro %}
{% macro athena__try_parse_bigint(expr) %}try_cast({{ expr }} as bigint){% endmacro %}
