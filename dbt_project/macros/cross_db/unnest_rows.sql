{#-
  Unnesting an array of rows (structs) into one output row per element, with each field addressable.
  Trino expands every field of a row element into its own column, so its alias must name all of them
  (`unnest(a) as t (f1, f2, …)`; a one-name alias is rejected by the analyzer). DuckDB's unnest of a list of structs
  yields one struct column, so it takes one name and the fields are read from it.
  unnest_rows() renders the join clause; unnested_field() reads field `name` of the current element.
-#}
{% macro unnest_rows(array_expr, alias, fields) %}{{ return(adapter.dispatch('unnest_rows', 'englake')(array_expr, alias, fields)) }}{% endmacro %}
{% macro default__unnest_rows(array_expr, alias, fields) %}{{ exceptions.raise_compiler_error("unnest_rows: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__unnest_rows(array_expr, alias, fields) %}cross join unnest({{ array_expr }}) as {{ alias }} (element){% endmacro %}
{% macro athena__unnest_rows(array_expr, alias, fields) %}cross join unnest({{ array_expr }}) as {{ alias }} ({{ fields | join(', ') }}){% endmacro %}

{% macro unnested_field(alias, name) %}{{ return(adapter.dispatch('unnested_field', 'englake')(alias, name)) }}{% endmacro %}
{% macro default__unnested_field(alias, name) %}{{ exceptions.raise_compiler_error("unnested_field: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__unnested_field(alias, name) %}{{ alias }}.element.{{ name }}{% endmacro %}
{% macro athena__unnested_field(alias, name) %}{{ alias }}.{{ name }}{% endmacro %}
