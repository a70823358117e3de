{#-
  Each row of a relation repeated once per element of an array (a row whose array is NULL or empty is dropped, as a
  cross join unnest drops it; see array_or_single_null to keep it): a FROM item that keeps the relation's name.
  `name` is the element: a column of that name for an array of scalars; for an array of rows (structs) with
  `fields`, `name.<field>` reads a field on both engines.
  - Trino: `relation cross join unnest(array) as name (fields…)`: its alias must name every field of a row element
    (a one-name alias is rejected by the analyzer), and `name.<field>` is then a column of that alias.
  - DuckDB: the unnest in the select list of a subquery, whose struct column `name` gives `name.<field>` by field
    access. A lateral `cross join unnest` is planned there as a join that copies every column of the row: on wide
    rows (fct_events' staged events, fct_messages' events) it took about half of those models' time at 1M events.
-#}
{% macro each_element(relation, array_expr, name, fields=none) %}{{ return(adapter.dispatch('each_element', 'englake')(relation, array_expr, name, fields)) }}{% endmacro %}
{% macro default__each_element(relation, array_expr, name, fields) %}{{ exceptions.raise_compiler_error("each_element: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__each_element(relation, array_expr, name, fields) -%}
(select {{ relation }}.*, unnest({{ array_expr }}) as {{ name }} from {{ relation }}) as {{ relation }}
{%- endmacro %}
{% macro athena__each_element(relation, array_expr, name, fields) -%}
{{ relation }} cross join unnest({{ array_expr }}) as {{ name ~ '_elements (' ~ name ~ ')' if not fields else name ~ ' (' ~ fields | join(', ') ~ ')' }}
{%- endmacro %}
