{#- Map lookups: Trino's `m[k]` raises on a missing key (reference defect X13); DuckDB's element_at returns a list. -#}
{% macro map_get(map_expr, key_expr) %}{{ return(adapter.dispatch('map_get', 'englake')(map_expr, key_expr)) }}{% endmacro %}
{% macro default__map_get(map_expr, key_expr) %}{{ exceptions.raise_compiler_error("map_get: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__map_get(map_expr, key_expr) %}map_extract_value({{ map_expr }}, {{ key_expr }}){% endmacro %}
{% macro athena__map_get(map_expr, key_expr) %}element_at({{ map_expr }}, {{ key_expr }}){% endmacro %}


{% macro empty_varchar_map() %}{{ return(adapter.dispatch('empty_varchar_map', 'englake')()) }}{% endmacro %}
{% macro default__empty_varchar_map() %}{{ exceptions.raise_compiler_error("empty_varchar_map: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__empty_varchar_map() %}cast(map() as map(varchar, varchar)){% endmacro %}
{% macro athena__empty_varchar_map() %}cast(map() as map(varchar, varchar)){% endmacro %}


{#- Later keys win, as in the reference's MAP_CONCAT(client_context.custom, attributes); NULLs count as empty. -#}
{% macro map_concat_nullsafe(left, right) -%}
map_concat(coalesce({{ left }}, {{ englake.empty_varchar_map() }}), coalesce({{ right }}, {{ englake.empty_varchar_map() }}))
{%- endmacro %}


{#- Element `i` (1-based) of an array, NULL when out of range (Trino's `a[i]` raises instead). -#}
{% macro array_at(array_expr, index) %}{{ return(adapter.dispatch('array_at', 'englake')(array_expr, index)) }}{% endmacro %}
{% macro default__array_at(array_expr, index) %}{{ exceptions.raise_compiler_error("array_at: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__array_at(array_expr, index) %}list_extract({{ array_expr }}, {{ index }}){% endmacro %}
{% macro athena__array_at(array_expr, index) %}element_at({{ array_expr }}, {{ index }}){% endmacro %}


{% macro array_length(array_expr) %}{{ return(adapter.dispatch('array_length', 'englake')(array_expr)) }}{% endmacro %}
{% macro default__array_length(array_expr) %}{{ exceptions.raise_compiler_error("array_length: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__array_length(array_expr) %}len({{ array_expr }}){% endmacro %}
{% macro athena__array_length(array_expr) %}cardinality({{ array_expr }}){% endmacro %}


{% macro array_contains(array_expr, value_expr) %}{{ return(adapter.dispatch('array_contains', 'englake')(array_expr, value_expr)) }}{% endmacro %}
{% macro default__array_contains(array_expr, value_expr) %}{{ exceptions.raise_compiler_error("array_contains: no implementation for " ~ adapter.type()) }}{% endmacro %}
{#- Trino's contains is NULL (not false) when the value is absent and the array holds a NULL; DuckDB's list_contains
    says false, so the DuckDB form follows Trino. -#}
{% macro duckdb__array_contains(array_expr, value_expr) -%}
case when list_contains({{ array_expr }}, {{ value_expr }}) then true
     when len(list_filter({{ array_expr }}, lambda e: e is null)) > 0 then null
     else list_contains({{ array_expr }}, {{ value_expr }}) end
{%- endmacro %}
{% macro athena__array_contains(array_expr, value_expr) %}contains({{ array_expr }}, {{ value_expr }}){% endmacro %}


{#- An array to unnest that keeps the row when the array is empty or NULL (one NULL element instead). -#}
{% macro array_or_single_null(array_expr) %}{{ return(adapter.dispatch('array_or_single_null', 'englake')(array_expr)) }}{% endmacro %}
{% macro default__array_or_single_null(array_expr) %}{{ exceptions.raise_compiler_error("array_or_single_null: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__array_or_single_null(array_expr) %}case when coalesce(len({{ array_expr }}), 0) > 0 then {{ array_expr }} else [null] end{% endmacro %}
{% macro athena__array_or_single_null(array_expr) %}if(coalesce(cardinality({{ array_expr }}), 0) > 0, {{ array_expr }}, array[null]){% endmacro %}


{#- Apply `body` (an expression over `var`) to every element of an array. -#}
{% macro array_transform(array_expr, var, body) %}{{ return(adapter.dispatch('array_transform', 'englake')(array_expr, var, body)) }}{% endmacro %}
{% macro default__array_transform(array_expr, var, body) %}{{ exceptions.raise_compiler_error("array_transform: no implementation for " ~ adapter.type()) }}{% endmacro %}
{#- DuckDB 2.0 rejects the arrow lambda. -#}
{% macro duckdb__array_transform(array_expr, var, body) %}list_transform({{ array_expr }}, lambda {{ var }}: {{ body }}){% endmacro %}
{% macro athena__array_transform(array_expr, var, body) %}transform({{ array_expr }}, {{ var }} -> {{ body }}){% endmacro %}


{#- A named record (struct / row) from [(name, expression, sql type)]. -#}
{% macro record_of(fields) %}{{ return(adapter.dispatch('record_of', 'englake')(fields)) }}{% endmacro %}
{% macro default__record_of(fields) %}{{ exceptions.raise_compiler_error("record_of: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__record_of(fields) -%}
struct_pack({% for name, expr, type in fields %}{{ name }} := cast({{ expr }} as {{ type }}){{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
{% macro athena__record_of(fields) -%}
cast(row({% for name, expr, type in fields %}{{ expr }}{{ ", " if not loop.last }}{% endfor %}) as row({% for name, expr, type in fields %}{{ name }} {{ type }}{{ ", " if not loop.last }}{% endfor %}))
{%- endmacro %}


{#- SES tags are map<string, array<string>>; analysts want one string per tag (values joined by commas). -#}
{% macro tags_to_varchar_map(tags_expr) %}{{ return(adapter.dispatch('tags_to_varchar_map', 'englake')(tags_expr)) }}{% endmacro %}
{% macro default__tags_to_varchar_map(tags_expr) %}{{ exceptions.raise_compiler_error("tags_to_varchar_map: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__tags_to_varchar_map(tags_expr) -%}
map_from_entries(list_transform(map_entries({{ tags_expr }}), lambda e: {'key': e.key, 'value': array_to_string(e.value, ',')}))
{%- endmacro %}
{% macro athena__tags_to_varchar_map(tags_expr) %}transform_values({{ tags_expr }}, (k, v) -> array_join(v, ',')){% endmacro %}


{#- The value of literal key `key` in a string map (NULL when absent). -#}
{% macro map_value(map_expr, key) %}{{ englake.map_get(map_expr, "'" ~ key ~ "'") }}{% endmacro %}

{#- The first value of literal key `key` in a map of arrays (SES tags). -#}
{% macro map_first_value(map_expr, key) %}{{ englake.array_at(englake.map_get(map_expr, "'" ~ key ~ "'"), 1) }}{% endmacro %}
