{#-
  JSON: both engines read each raw record as text and parse it here, once, into typed columns.
  A field list is [(name, 'dotted.path', type)] with type one of: varchar, bigint, double, boolean, map (string to
  string), map_double, array (of strings), map_of_arrays (string to array of strings), json (the subtree as text),
  or 'objects:key1,key2' (an array of objects, each read as those string keys).
  DuckDB parses the record once with json_transform; Athena extracts each field with the JSON functions.
-#}

{% macro json_parse_fields(column, fields) %}{{ return(adapter.dispatch('json_parse_fields', 'englake')(column, fields)) }}{% endmacro %}
{% macro default__json_parse_fields(column, fields) %}{{ exceptions.raise_compiler_error("json_parse_fields: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_parse_fields(column, fields) -%}
    {%- set spec = {} -%}
    {%- for name, path, type in fields -%}
        {%- set segments = path.split('.') -%}
        {%- set node = namespace(d=spec) -%}
        {%- for segment in segments[:-1] -%}
            {%- if segment not in node.d -%}{%- do node.d.update({segment: {}}) -%}{%- endif -%}
            {%- if node.d[segment] is string -%}
                {{ exceptions.raise_compiler_error("json field " ~ name ~ ": " ~ path ~ " is inside a leaf field") }}
            {%- endif -%}
            {%- set node.d = node.d[segment] -%}
        {%- endfor -%}
        {%- do node.d.update({segments[-1]: englake._duckdb_json_type(type)}) -%}
    {%- endfor -%}
    json_transform({{ column }}, '{{ tojson(spec) | replace("'", "''") }}')
{%- endmacro %}
{% macro athena__json_parse_fields(column, fields) %}{{ column }}{% endmacro %}

{% macro _duckdb_json_type(type) -%}
    {#- bigint is read as text and parsed by try_parse_bigint, as Athena parses json_extract_scalar's text. -#}
    {%- set simple = {
        'varchar': 'VARCHAR', 'bigint': 'VARCHAR', 'double': 'DOUBLE', 'boolean': 'BOOLEAN', 'json': 'JSON',
        'map': 'MAP(VARCHAR, VARCHAR)', 'map_double': 'MAP(VARCHAR, DOUBLE)', 'map_of_arrays': 'MAP(VARCHAR, VARCHAR[])',
    } -%}
    {%- if type in simple -%}{{ return(simple[type]) }}
    {%- elif type == 'array' -%}{{ return(['VARCHAR']) }}
    {%- elif type.startswith('objects:') -%}
        {%- set element = {} -%}
        {%- for key in type[8:].split(',') -%}{%- do element.update({key: 'VARCHAR'}) -%}{%- endfor -%}
        {{ return([element]) }}
    {%- else -%}{{ exceptions.raise_compiler_error("unknown json field type " ~ type) }}
    {%- endif -%}
{%- endmacro %}


{#- The column for field `name` of a json_parse_fields() result aliased `parsed`. -#}
{% macro json_field(parsed, fields, name) %}
    {%- for field_name, path, type in fields if field_name == name -%}
        {{ return(adapter.dispatch('json_field', 'englake')(parsed, path, type)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("json_field: no field named " ~ name) }}
{% endmacro %}
{% macro default__json_field(parsed, path, type) %}{{ exceptions.raise_compiler_error("json_field: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_field(parsed, path, type) -%}
    {%- set access = parsed ~ '."' ~ path.split('.') | join('"."') ~ '"' -%}
    {%- if type == 'json' -%}cast({{ access }} as varchar)
    {%- elif type == 'bigint' -%}{{ englake.try_parse_bigint(access) }}
    {%- else -%}{{ access }}{%- endif -%}
{%- endmacro %}
{% macro athena__json_field(parsed, path, type) -%}
    {%- set jp = englake.json_path(path.split('.')) -%}
    {%- if type == 'varchar' -%}json_extract_scalar({{ parsed }}, '{{ jp }}')
    {%- elif type in ('bigint', 'double', 'boolean') -%}try_cast(json_extract_scalar({{ parsed }}, '{{ jp }}') as {{ type }})
    {%- elif type == 'json' -%}json_format(json_extract({{ parsed }}, '{{ jp }}'))
    {%- elif type == 'map' -%}{{ englake.athena_json_to_text_map("json_extract(" ~ parsed ~ ", '" ~ jp ~ "')") }}
    {%- elif type == 'map_double' -%}try_cast(json_extract({{ parsed }}, '{{ jp }}') as map(varchar, double))
    {%- elif type == 'map_of_arrays' -%}try_cast(json_extract({{ parsed }}, '{{ jp }}') as map(varchar, array(varchar)))
    {%- elif type == 'array' -%}try_cast(json_extract({{ parsed }}, '{{ jp }}') as array(varchar))
    {%- elif type.startswith('objects:') -%}try_cast(json_extract({{ parsed }}, '{{ jp }}') as array(map(varchar, varchar)))
    {%- else -%}{{ exceptions.raise_compiler_error("unknown json field type " ~ type) }}
    {%- endif -%}
{%- endmacro %}


{#- Key `key` of one element of an 'objects:…' field (a struct on DuckDB, a map on Athena). -#}
{% macro object_key(element, key) %}{{ return(adapter.dispatch('object_key', 'englake')(element, key)) }}{% endmacro %}
{% macro default__object_key(element, key) %}{{ exceptions.raise_compiler_error("object_key: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__object_key(element, key) %}{{ element }}."{{ key }}"{% endmacro %}
{% macro athena__object_key(element, key) %}element_at({{ element }}, '{{ key }}'){% endmacro %}


{#- A JSONPath for a list of keys: dots for plain names, a quoted segment otherwise (DuckDB rejects brackets). -#}
{% macro json_path(segments) %}{{ return(adapter.dispatch('json_path', 'englake')(segments)) }}{% endmacro %}
{% macro default__json_path(segments) -%}
${% for s in segments %}{% if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', s) %}.{{ s }}{% else %}["{{ s }}"]{% endif %}{% endfor %}
{%- endmacro %}
{% macro duckdb__json_path(segments) -%}
${% for s in segments %}{% if modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', s) %}.{{ s }}{% else %}."{{ s }}"{% endif %}{% endfor %}
{%- endmacro %}


{#- A scalar at `dotted.path` of a JSON text column, as text (NULL when missing or not a scalar). -#}
{% macro json_text_at(expr, path) %}{{ return(adapter.dispatch('json_text_at', 'englake')(expr, path)) }}{% endmacro %}
{% macro default__json_text_at(expr, path) %}{{ exceptions.raise_compiler_error("json_text_at: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_text_at(expr, path) %}json_extract_string({{ expr }}, '{{ englake.json_path(path.split('.')) }}'){% endmacro %}
{% macro athena__json_text_at(expr, path) %}json_extract_scalar({{ expr }}, '{{ englake.json_path(path.split('.')) }}'){% endmacro %}


{#- A JSON text holding an object of strings (SMS customer_context) as a map; NULL when it is not one. -#}
{% macro json_text_to_map(expr) %}{{ return(adapter.dispatch('json_text_to_map', 'englake')(expr)) }}{% endmacro %}
{% macro default__json_text_to_map(expr) %}{{ exceptions.raise_compiler_error("json_text_to_map: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_text_to_map(expr) %}case when json_valid({{ expr }}) then json_transform({{ expr }}, '"MAP(VARCHAR, VARCHAR)"') end{% endmacro %}
{% macro athena__json_text_to_map(expr) %}{{ englake.athena_json_to_text_map("try(json_parse(" ~ expr ~ "))") }}{% endmacro %}

{#-
  A JSON object as map(varchar, varchar) on Athena, keeping values that are objects or arrays as JSON text, as
  DuckDB's json_transform does. Trino's cast to map(varchar, varchar) is NULL for the WHOLE map as soon as one value
  is an object or array (JsonToMapCast: such a value cannot be cast to varchar), and custom attributes and
  contexts are user data: cast to map(varchar, json) instead and write each value as text.
-#}
{% macro athena_json_to_text_map(json_expr) -%}
transform_values(try_cast({{ json_expr }} as map(varchar, json)), (k, v) -> if(is_json_scalar(v), cast(v as varchar), json_format(v)))
{%- endmacro %}


{% macro json_is_valid(expr) %}{{ return(adapter.dispatch('json_is_valid', 'englake')(expr)) }}{% endmacro %}
{% macro default__json_is_valid(expr) %}{{ exceptions.raise_compiler_error("json_is_valid: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_is_valid(expr) %}coalesce(json_valid({{ expr }}), false){% endmacro %}
{% macro athena__json_is_valid(expr) %}(try(json_parse({{ expr }})) is not null){% endmacro %}


{#-
  The JSON type at `key` of a valid JSON text ('' for the document itself), named the same on both engines:
  OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL; SQL NULL when the key is absent.
-#}
{% macro json_type_at(expr, key='') %}{{ return(adapter.dispatch('json_type_at', 'englake')(expr, key)) }}{% endmacro %}
{% macro default__json_type_at(expr, key) %}{{ exceptions.raise_compiler_error("json_type_at: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_type_at(expr, key) -%}
case coalesce(json_type({{ expr }}{% if key %}, '{{ englake.json_path([key]) }}'{% endif %}), '')
    when '' then null when 'OBJECT' then 'OBJECT' when 'ARRAY' then 'ARRAY' when 'VARCHAR' then 'STRING'
    when 'BOOLEAN' then 'BOOLEAN' when 'NULL' then 'NULL' else 'NUMBER'
end
{%- endmacro %}
{#- Trino has no json_type(): the first character of the value's JSON text tells it. -#}
{% macro athena__json_type_at(expr, key) -%}
case coalesce(substr(json_format(json_extract({{ expr }}, '{{ englake.json_path([key]) if key else "$" }}')), 1, 1), '')
    when '' then null when '{' then 'OBJECT' when '[' then 'ARRAY' when '"' then 'STRING'
    when 't' then 'BOOLEAN' when 'f' then 'BOOLEAN' when 'n' then 'NULL' else 'NUMBER'
end
{%- endmacro %}


{#-
  json_type_at for several keys of one valid JSON text at once, as an array of the same type names ('' is the
  document itself). DuckDB parses the text once for all of them; Trino evaluates each (it has no json_type()).
-#}
{% macro json_types_at(expr, keys) %}{{ return(adapter.dispatch('json_types_at', 'englake')(expr, keys)) }}{% endmacro %}
{% macro default__json_types_at(expr, keys) %}{{ exceptions.raise_compiler_error("json_types_at: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__json_types_at(expr, keys) -%}
list_transform(
    json_type({{ expr }}, [{% for key in keys %}'{{ englake.json_path([key]) if key else "$" }}'{{ ", " if not loop.last }}{% endfor %}]),
    lambda t: case coalesce(t, '')
        when '' then null when 'OBJECT' then 'OBJECT' when 'ARRAY' then 'ARRAY' when 'VARCHAR' then 'STRING'
        when 'BOOLEAN' then 'BOOLEAN' when 'NULL' then 'NULL' else 'NUMBER' end
)
{%- endmacro %}
{% macro athena__json_types_at(expr, keys) -%}
array[{% for key in keys %}{{ englake.json_type_at(expr, key) }}{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}


{#- All fields of a json_parse_fields() result aliased `parsed`, as {name: column expression}. -#}
{% macro json_fields(parsed, fields) %}
    {%- set columns = {} -%}
    {%- for name, path, type in fields -%}
        {%- do columns.update({name: adapter.dispatch('json_field', 'englake')(parsed, path, type)}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}
