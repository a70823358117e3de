{% macro regexp_full_match(expr, pattern) %}{{ return(adapter.dispatch('regexp_full_match', 'englake')(expr, pattern)) }}{% endmacro %}
{% macro default__regexp_full_match(expr, pattern) %}{{ exceptions.raise_compiler_error("regexp_full_match: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__regexp_full_match(expr, pattern) %}regexp_full_match({{ expr }}, '{{ pattern }}'){% endmacro %}
{% macro athena__regexp_full_match(expr, pattern) %}regexp_like({{ expr }}, '^(?:{{ pattern }})$'){% endmacro %}


{#- An event key hashed from raw fields (never from engine-formatted timestamps); NULLs hash as a sentinel. -#}
{% macro hash_key(parts) -%}
{{ dbt.hash(englake.concat_parts(parts)) }}
{%- endmacro %}
{% macro concat_parts(parts) -%}
concat({% for part in parts %}coalesce(cast({{ part }} as {{ dbt.type_string() }}), '\N'){{ ", '|', " if not loop.last }}{% endfor %})
{%- endmacro %}


{% macro safe_divide(numerator, denominator) -%}
(cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}


{#-
  Strip spaces, tabs and carriage returns at both ends, the same on both engines. Plain trim() differs: DuckDB's
  removes spaces only, Trino's every Java whitespace character (tabs, line breaks, …): models use this instead.
-#}
{% macro trim_whitespace(expr) %}{{ return(adapter.dispatch('trim_whitespace', 'englake')(expr)) }}{% endmacro %}
{% macro default__trim_whitespace(expr) %}{{ exceptions.raise_compiler_error("trim_whitespace: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__trim_whitespace(expr) %}regexp_replace({{ expr }}, '^[ \t\r]+|[ \t\r]+$', '', 'g'){% endmacro %}
{% macro athena__trim_whitespace(expr) %}regexp_replace({{ expr }}, '^[ \t\r]+|[ \t\r]+$', ''){% endmacro %}


{#-
  Group `group` of the first match of `pattern`, NULL when nothing matches, on both engines (Trino's regexp_extract
  is NULL there; DuckDB's is '').
-#}
{% macro regexp_extract_or_null(expr, pattern, group=0) %}{{ return(adapter.dispatch('regexp_extract_or_null', 'englake')(expr, pattern, group)) }}{% endmacro %}
{% macro default__regexp_extract_or_null(expr, pattern, group) %}{{ exceptions.raise_compiler_error("regexp_extract_or_null: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__regexp_extract_or_null(expr, pattern, group) %}case when regexp_matches({{ expr }}, '{{ pattern }}') then regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}) end{% endmacro %}
{% macro athena__regexp_extract_or_null(expr, pattern, group) %}regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}){% endmacro %}
